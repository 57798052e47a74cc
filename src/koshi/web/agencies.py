"""Pages for private employment agencies: the agency's own page, the inspectors' registry, ranking and
agency page, and job seekers' complaints.

Every page calls the registry service (:mod:`koshi.store.agencies`) with the signed-in user as the
actor, so who may notify (an agency for itself), read (inspectors, supervisors, analysts; an agency
its own record), change a status or record an inspection, a violation or a sanction (inspectors),
or complain (a job seeker, about an active agency) is decided there, and its refusals come back as
pages (403, 404) or as messages next to the form's fields (409, 422).

The risk score is shown with every reason and its points, and their sum, on the inspectors' pages
and on the agency's own page: a regulated party sees why it ranks where it does.  Founders' IINs
arrive masked from the service and are never shown whole.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from koshi.agencies.lifecycle import MIN_REASON, REASON_REQUIRED
from koshi.reference.regions import BY_KATO, REGIONS
from koshi.store import agencies as store
from koshi.store.db import transaction
from koshi.web import i18n
from koshi.web.labels import N_
from koshi.web.pages import WebUser
from koshi.web.paging import pagination
from koshi.web.police import today
from koshi.web.police_common import actor_of, sessions_of, to_sign_in, user_of, utc_now
from koshi.web.render import locale_of, page
from koshi.web.security import csrf_ok
from koshi.web.sentences import Text, translate

router = APIRouter(include_in_schema=False)

OWN_PATH = "/agency"
LIST_PATH = "/inspector/agencies"
RANKING_PATH = "/inspector/ranking"
COMPLAINTS_PATH = "/complaints"
PAGE_SIZE = 25
RANKING_SIZE = 20
FOUNDER_ROWS = 3
ADDRESS_ROWS = 2
MAX_TEXT = 2000  # a summary, a description, findings or a reason typed into a form

# --- words shown from data (translated where they are shown) ---------------------------------------

STATUS_LABELS: dict[str, str] = {
    "notified": N_("Notified"),
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "revoked": N_("Revoked"),
    "expired": N_("Expired"),
}
STATUS_TAGS: dict[str, str] = {
    "notified": "govuk-tag--blue",
    "active": "govuk-tag--green",
    "suspended": "govuk-tag--orange",
    "revoked": "govuk-tag--red",
    "expired": "govuk-tag--grey",
}
ACTIVITY_LABELS: dict[str, str] = {
    "domestic": N_("Placement in Kazakhstan"),
    "abroad": N_("Placement abroad"),
    "both": N_("Placement in Kazakhstan and abroad"),
}
ACTION_LABELS: dict[str, str] = {
    "activate": N_("Activate"),
    "suspend": N_("Suspend"),
    "reinstate": N_("Reinstate"),
    "revoke": N_("Revoke"),
    "expire": N_("Mark as expired"),
    "notify": N_("Notified"),
}
COMPLAINT_KIND_LABELS: dict[str, str] = {
    "fee_charged": N_("Charged a fee for placement"),
    "no_contract": N_("No written contract"),
    "false_vacancy": N_("False or misleading vacancy"),
    "documents_withheld": N_("Documents withheld"),
    "abroad_conditions": N_("Conditions abroad not as promised"),
    "other": N_("Other"),
}
COMPLAINT_STATUS_LABELS: dict[str, str] = {
    "open": N_("Under consideration"),
    "substantiated": N_("Substantiated"),
    "unfounded": N_("Unfounded"),
}
COMPLAINT_STATUS_TAGS: dict[str, str] = {
    "open": "govuk-tag--blue",
    "substantiated": "govuk-tag--red",
    "unfounded": "govuk-tag--grey",
}
INSPECTION_REASON_LABELS: dict[str, str] = {
    "risk": N_("Risk score"),
    "complaint": N_("Complaint"),
    "scheduled": N_("Scheduled"),
}
VIOLATION_STATUS_LABELS: dict[str, str] = {"open": N_("Not remedied"), "remedied": N_("Remedied")}
SANCTION_KIND_LABELS: dict[str, str] = {
    "warning": N_("Warning"),
    "fine": N_("Fine"),
    "suspension": N_("Suspension"),
    "revocation": N_("Revocation"),
}
SANCTION_KINDS: tuple[str, ...] = tuple(SANCTION_KIND_LABELS)
ROLE_LABELS: dict[str, str] = {  # who changed a status: a role (translated in labels.ROLES), or an import
    "system": N_("system (import)"),
}
ORDER_LABELS: dict[str, str] = {"risk": N_("Highest risk first"), "name": N_("By name")}
ADDRESS_KIND_LABELS: dict[str, str] = {"legal": N_("Legal address"), "office": N_("Office")}
# the risk reason codes (koshi.agencies.policy.REASONS), listed here so Babel extracts them
RISK_REASON_LABELS: dict[str, str] = {
    "fee_complaint_substantiated": N_("Substantiated complaints of a fee taken from a job seeker"),
    "open_complaint": N_("Open complaints"),
    "late_report": N_("Late quarterly reports"),
    "missing_report": N_("Missing quarterly reports"),
    "open_violation": N_("Open violations"),
    "recent_sanction": N_("Recent sanctions"),
    "abroad_share": N_("Share of placements abroad"),
    "new_agency": N_("New agency, no track record"),
    "no_inspection": N_("Not inspected for a long time"),
    "seeker_fees_declared": N_("Reports declaring fees taken from job seekers"),
}
# the service's violation codes (koshi.store.agencies.VIOLATION_CODES) and inspection outcomes
VIOLATION_CODE_LABELS: dict[str, str] = {
    "seeker_fee": N_("Fee taken from a job seeker for placement"),
    "no_contract": N_("Placement without a written contract with the job seeker"),
    "false_vacancy": N_("Vacancy advertised that did not exist or was not as described"),
    "documents_withheld": N_("Job seeker's passport or documents kept by the agency"),
    "abroad_guarantees": N_("Placement abroad without the employer's contract guarantees"),
    "report_missing": N_("Quarterly placement report not filed"),
    "report_false": N_("Quarterly placement report with false figures"),
    "not_notified": N_("Change of activity, address or founders not notified"),
    "other": N_("Other (described)"),
}
OUTCOME_LABELS: dict[str, str] = {
    "compliant": N_("No violations found"),
    "violations": N_("Violations found"),
    "not_found": N_("Agency not found at its address"),
}
DONE_MESSAGES: dict[str, str] = {
    "notified": N_("Your agency is notified. An inspector will check it and activate it."),
    "report": N_("Quarterly report filed"),
    "status": N_("Status changed"),
    "complaint": N_("Complaint resolved"),
    "inspection": N_("Inspection saved"),
    "violation": N_("Violation recorded"),
    "sanction": N_("Sanction imposed"),
    "filed": N_("Your complaint is filed. A labour inspector will look into it."),
}

# --- messages --------------------------------------------------------------------------------------

ENTER_WHOLE = N_("Enter a whole number, 0 or more")
ENTER_DATE = N_("Enter a real date, for example 2026-03-31")
TOO_LONG = N_("Enter %(n)s characters or fewer")
CHOOSE = N_("Select an option from the list")

# the service's English refusals (koshi.store.agencies) and the sentences the pages show instead;
# dates and quarters inside are kept (dates formatted for the page's language)
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), msgid)
    for pattern, msgid in (
        (r"must have at least (?P<n>\d+) characters$", N_("Enter at least %(n)s characters")),
        (r"must have at most (?P<n>\d+) characters$", N_("Enter %(n)s characters or fewer")),
        (r"must be a whole number, 0 or more$", ENTER_WHOLE),
        (r"must be one of: ", CHOOSE),
        (r"is not a KATO region code", N_("Select a region from the list")),
        (r"^an agency with this BIN is already registered$", N_("An agency with this BIN is already registered")),
        (r"^this account already has an agency", N_("Your account already has an agency registered")),
        (r"^at least one founder is required$", N_("Enter at least one founder")),
        (r"^founders\[\d+\]\.iin: ", N_("Enter the founder's IIN (or a company's BIN): 12 digits")),
        (r"share must be a (?:number|per cent)", N_("Enter a share in per cent, above 0 and at most 100")),
        (r"^the founders' shares add up to more than 100", N_("The founders' shares add up to more than 100 per cent")),
        (r"^a legal address is required$", N_("Enter the legal address")),
        (
            r"^(?P<quarter>\d{4}-Q\d) has not ended: report it after (?P<date>\d{4}-\d\d-\d\d)$",
            N_("%(quarter)s has not ended: report it after %(date)s"),
        ),
        (
            r"^(?P<quarter>\d{4}-Q\d) ended before the agency was notified$",
            N_("%(quarter)s ended before the agency was notified"),
        ),
        (r"^more job seekers placed than served", N_("Placements cannot exceed the job seekers served")),
        (
            r"^the report for (?P<quarter>\d{4}-Q\d) is already filed$",
            N_("The report for %(quarter)s is already filed"),
        ),
        (r"^year must be", N_("Select a year from the list")),
        (r"^quarter must be", N_("Select a quarter from the list")),
        (r"^an agency that is \w+ cannot be \w+$", N_("This change of status is not open to the agency now")),
        (
            r"^a reason of at least (?P<n>\d+) characters is required",
            N_("Enter a reason of at least %(n)s characters: it is required to suspend, reinstate or revoke"),
        ),
        (r"^the complaint is already \w+$", N_("The complaint is already resolved this way")),
        (r"^planned_on is in the past$", N_("Enter today's date or a later one")),
        (r"is in the future$", N_("Enter today's date or an earlier one")),
        (r"^this inspection is already recorded as done$", N_("This inspection is already recorded as done")),
        (r"^no (?:planned )?inspection with this id", N_("Select an inspection of this agency from the list")),
        (r"^a fine needs amount_mrp", N_("Enter the fine in MRP, a whole number above 0")),
        (r"^a \w+ has no amount", N_("Leave the amount empty: only a fine has one")),
        (r"^a suspension needs until", N_("Enter the day the suspension ends: a day after today")),
        (r"^a \w+ has no end date", N_("Leave the end date empty: only a suspension has one")),
        (r"^no agency with this id$", N_("Select an active agency from the list")),
        (
            r"is not in force on (?P<date>\d{4}-\d\d-\d\d): its first version starts (?P<start>\d{4}-\d\d-\d\d)",
            N_("The agency rules apply from %(start)s: choose that date or a later one"),
        ),
    )
)


def service_message(raw: str, locale: str) -> Text:
    """The service's English refusal as a sentence in ``locale`` (its English when the form is new).

    >>> service_message("the report for 2026-Q1 is already filed", "en").text
    'The report for 2026-Q1 is already filed'
    >>> service_message("2026-Q2 has not ended: report it after 2026-06-30", "en").text
    '2026-Q2 has not ended: report it after Jun 30, 2026'
    >>> service_message("summary must have at least 10 characters", "en").text
    'Enter at least 10 characters'
    >>> service_message("something new", "kk")
    Text(text='something new', lang='en', detail='')
    """
    return translate(raw, _MESSAGES, locale, search=True)


def say(raw: str, locale: str, **values: Any) -> Text:
    """``raw`` in ``locale`` when the catalogue knows it, else as it is (marked English).

    >>> say("Open", "en")
    Text(text='Open', lang=None, detail='')
    >>> say("a message nobody translated", "ru")
    Text(text='a message nobody translated', lang='en', detail='')
    """
    translated = i18n.translations(locale).gettext(raw)
    text = translated % values if values else translated
    return Text(text, "en" if locale != "en" and translated == raw else None)


def region_name(kato: str | None, locale: str) -> str:
    """A region's name in ``locale``; the code itself when it is not a region's.

    >>> region_name("750000000", "en"), region_name("123", "en"), region_name(None, "en")
    ('Almaty', '123', '')
    """
    if not kato:
        return ""
    region = BY_KATO.get(str(kato))
    if region is None:
        return str(kato)
    return {"ru": region.name_ru, "kk": region.name_kk}.get(locale, region.name_en)


def regions(locale: str) -> list[tuple[str, str]]:
    """Every region as (KATO, name in ``locale``), by name."""
    return sorted(((r.kato, region_name(r.kato, locale)) for r in REGIONS), key=lambda p: p[1])


def _problem(request: Request, status: int) -> Response:
    return page(request, "agencies_problem.html", status_code=status, problem=status)


def _number(text: str) -> int:
    """An id in an address or a form; 0 (nothing) when it is not a number, so the service answers 404."""
    return int(text) if text.isdigit() and len(text) <= 12 else 0


def _agency_id(text: str) -> str:
    """An agency id as given (the service looks it up; an odd one is simply not found)."""
    return text.strip()[:64]


def _date(text: str) -> dt.date | None:
    value = text.strip()
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def points(value: float, locale: str) -> str:
    """Risk points as the page shows them: whole when whole, else one decimal.

    >>> points(12.0, "en"), points(2.5, "en"), points(1234.0, "ru")
    ('12', '2.5', '1\\xa0234')
    """
    digits = 0 if float(value).is_integer() else 1
    return i18n.format_number(value, locale, digits)


_COUNTED = re.compile(
    r"^(?P<n>\d+) [^()]*?(?: \((?P<quarters>[^)]*)\))?[^()]* x (?P<each>[\d.]+) = (?P<raw>[\d.]+)"
    r"(?:, capped at (?P<cap>[\d.]+))?$"
)
_ABROAD = re.compile(
    r"^(?P<abroad>\d+) of (?P<placed>\d+) placements abroad in the last (?P<reports>\d+) reports "
    r"\((?P<share>\d+)%\) x (?P<each>[\d.]+) = (?P<points>[\d.]+)$"
)
_NEW = re.compile(r"^notified (?P<date>\d{4}-\d\d-\d\d), less than (?P<months>\d+) months ago")
_NEVER = re.compile(r"^never inspected, more than (?P<years>\d+) years ago")
_LAST = re.compile(r"^last inspected (?P<date>\d{4}-\d\d-\d\d), more than (?P<years>\d+) years ago")


def reason_detail(reason: store.RiskReason, locale: str) -> Text:
    """How a reason's points were counted, in ``locale`` (the service's English when its form is new).

    >>> reason_detail(store.RiskReason("late_report", 8.0, "2 late reports (2025-Q3, 2025-Q4) x 4 = 8"), "en").text
    '2 × 4 = 8 (2025-Q3, 2025-Q4)'
    >>> reason_detail(store.RiskReason("open_complaint", 20.0, "5 open complaints x 5 = 25, capped at 20"), "en").text
    '5 × 5 = 25, capped at 20'
    >>> reason_detail(store.RiskReason("x", 1.0, "something new"), "kk")
    Text(text='something new', lang='en', detail='')
    """
    gettext = i18n.translations(locale).gettext
    text = reason.text

    def num(value: str) -> str:
        return points(float(value), locale)

    def day(value: str) -> str:
        return i18n.format_date(dt.date.fromisoformat(value), locale)

    if match := _ABROAD.match(text):
        g = match.groupdict()
        return Text(
            gettext(
                "%(abroad)s of %(placed)s placements abroad in the last %(reports)s reports (%(share)s) "
                "× %(each)s = %(points)s"
            )
            % {
                "abroad": i18n.format_number(int(g["abroad"]), locale),
                "placed": i18n.format_number(int(g["placed"]), locale),
                "reports": g["reports"],
                "share": i18n.format_percent(int(g["share"]) / 100, locale),
                "each": num(g["each"]),
                "points": num(g["points"]),
            },
            None,
        )
    if match := _COUNTED.match(text):
        g = match.groupdict()
        values = {"n": i18n.format_number(int(g["n"]), locale), "each": num(g["each"]), "raw": num(g["raw"])}
        out = gettext("%(n)s × %(each)s = %(raw)s") % values
        if g["cap"]:
            out = gettext("%(sum)s, capped at %(cap)s") % {"sum": out, "cap": num(g["cap"])}
        if g["quarters"]:
            out = f"{out} ({g['quarters']})"
        return Text(out, None)
    if match := _NEW.match(text):
        months = int(match["months"])
        return Text(
            gettext("Notified on %(date)s, less than %(months)s months ago")
            % {"date": day(match["date"]), "months": months},
            None,
        )
    if match := _NEVER.match(text):
        return Text(
            gettext("Never inspected, and notified more than %(years)s years ago") % {"years": match["years"]}, None
        )
    if match := _LAST.match(text):
        return Text(
            gettext("Last inspected on %(date)s, more than %(years)s years ago")
            % {"date": day(match["date"]), "years": match["years"]},
            None,
        )
    return Text(text, None if locale == "en" else "en")


def quarter_label(year: int, quarter: int) -> str:
    """A quarter as the registry writes it.

    >>> quarter_label(2026, 2)
    '2026-Q2'
    """
    return f"{year}-Q{quarter}"


def next_quarter(reports: Sequence[store.ReportView], on: dt.date) -> tuple[int, int]:
    """The quarter the agency reports next: after its latest report, or the quarter before ``on``.

    >>> next_quarter([], dt.date(2026, 2, 10))
    (2025, 4)
    >>> r = store.ReportView(1, 2026, 4, 0, 0, 0, 0, dt.date(2027, 1, 5), False)
    >>> next_quarter([r], dt.date(2027, 1, 20))
    (2027, 1)
    """
    if reports:
        year, quarter = max((r.year, r.quarter) for r in reports)
        return (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    current = (on.month - 1) // 3 + 1
    return (on.year - 1, 4) if current == 1 else (on.year, current - 1)


# --- forms: what was typed, and what is wrong with it ----------------------------------------------


@dataclass
class Checked:
    """The errors found in one form, by input id (translated), in the order of the form."""

    locale: str
    typed: dict[str, str]
    errors: dict[str, Text] = field(default_factory=dict)

    def add(self, key: str, msgid: str, **values: Any) -> None:
        self.errors.setdefault(key, say(msgid, self.locale, **values))

    def whole(self, key: str, *, optional: bool = False) -> int | None:
        """A whole number 0 or more (None when left empty and ``optional``)."""
        text = self.typed.get(key, "").strip().replace(" ", "").replace("\u00a0", "")
        if not text and optional:
            return None
        if text.isdigit() and len(text) <= 15:
            return int(text)
        self.add(key, ENTER_WHOLE)
        return None

    def day(self, key: str, *, optional: bool = False) -> dt.date | None:
        text = self.typed.get(key, "").strip()
        if not text and optional:
            return None
        value = _date(text)
        if value is None:
            self.add(key, ENTER_DATE)
        return value

    def text(self, key: str, *, required_msgid: str | None = None, minimum: int = 0) -> str:
        value = self.typed.get(key, "").strip()
        if not value and required_msgid:
            self.add(key, required_msgid)
        elif value and len(value) < minimum:
            self.add(key, N_("Enter at least %(n)s characters"), n=minimum)
        if len(value) > MAX_TEXT:
            self.add(key, TOO_LONG, n=i18n.format_number(MAX_TEXT, self.locale))
        return value

    def choice(self, key: str, allowed: Sequence[str], *, optional: bool = False) -> str | None:
        value = self.typed.get(key, "").strip()
        if not value and optional:
            return None
        if value not in allowed:
            self.add(key, CHOOSE)
            return None
        return value

    def refused(self, exc: store.AgencyError, key: str) -> None:
        """The service's refusal next to the input ``key``."""
        self.errors.setdefault(key, service_message(exc.message, self.locale))

    def summary(self) -> list[dict[str, str]]:
        return [{"href": f"#{key}", "message": text.text} for key, text in self.errors.items()]


def _typed(form: Mapping[str, Any], keys: Sequence[str]) -> dict[str, str]:
    return {k: str(form.get(k, ""))[: MAX_TEXT + 1] for k in keys}


async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str)}


# --- the agency view, ready to show --------------------------------------------------------------


def _view_context(view: store.AgencyView, locale: str) -> dict[str, Any]:
    """What the agency's sections show: labels, region names, the risk sum, violations' sanctions."""
    sanctions: dict[int, list[store.SanctionView]] = {}
    for s in view.sanctions:
        sanctions.setdefault(s.violation_id, []).append(s)
    return {
        "a": view,
        "risk_sum": sum(r.points for r in view.risk.reasons),
        "sanctions_of": sanctions,
        "planned": [i for i in view.inspections if i.done_on is None],
        "fee_complaints": sum(1 for c in view.complaints if c.fee_flag and c.status != "unfounded"),
    }


def _labels(locale: str) -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "status_tags": STATUS_TAGS,
        "activity_labels": ACTIVITY_LABELS,
        "action_labels": ACTION_LABELS,
        "complaint_kind_labels": COMPLAINT_KIND_LABELS,
        "complaint_status_labels": COMPLAINT_STATUS_LABELS,
        "complaint_status_tags": COMPLAINT_STATUS_TAGS,
        "inspection_reason_labels": INSPECTION_REASON_LABELS,
        "violation_status_labels": VIOLATION_STATUS_LABELS,
        "violation_code_labels": VIOLATION_CODE_LABELS,
        "sanction_kind_labels": SANCTION_KIND_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "risk_reason_labels": RISK_REASON_LABELS,
        "address_kind_labels": ADDRESS_KIND_LABELS,
        "role_labels": ROLE_LABELS,
        "region_name": lambda kato: region_name(kato, locale),
        "points": lambda value: points(value, locale),
        "say": lambda raw: say(raw, locale),
        "reason_detail": lambda reason: reason_detail(reason, locale),
        "quarter_label": quarter_label,
    }


def _done(request: Request) -> str | None:
    done = request.query_params.get("done", "")
    return DONE_MESSAGES.get(done)


# --- 1. the agency's own page ------------------------------------------------------------------------

NOTIFY_KEYS: tuple[str, ...] = (
    "bin",
    "name",
    "activity",
    "region",
    *(f"founder-{part}-{n}" for n in range(1, FOUNDER_ROWS + 1) for part in ("name", "iin", "share")),
    *(f"address-{part}-{n}" for n in range(1, ADDRESS_ROWS + 1) for part in ("kind", "text", "region")),
)
REPORT_KEYS: tuple[str, ...] = (
    "report-year",
    "report-quarter",
    "report-placed-domestic",
    "report-placed-abroad",
    "report-served",
    "report-fees",
)


def notify_key(field_name: str | None) -> str:
    """The input of the notification form a service field names (``founders[1].iin`` → ``founder-iin-2``).

    >>> notify_key("founders[0].iin"), notify_key("addresses.1.region_kato"), notify_key("region_kato")
    ('founder-iin-1', 'address-region-2', 'region')
    >>> notify_key("founders"), notify_key(None)
    ('founder-name-1', 'bin')
    """
    if not field_name:
        return "bin"
    match = re.match(r"^(founders|addresses)\W*(\d+)?\W*(\w+)?", field_name)
    if match:
        group, index, part = match.groups()
        n = int(index) + 1 if index is not None else 1
        if group == "founders":
            founder_part = {"iin": "iin", "share": "share"}.get(part or "", "name")
            return f"founder-{founder_part}-{min(n, FOUNDER_ROWS)}"
        address_part = {"kind": "kind", "region_kato": "region", "region": "region"}.get(part or "", "text")
        return f"address-{address_part}-{min(n, ADDRESS_ROWS)}"
    return {"region_kato": "region", "name": "name", "activity": "activity"}.get(field_name, "bin")


def parse_notify(typed: Mapping[str, str], locale: str) -> tuple[Checked, dict[str, Any]]:
    """The notification as the service takes it; founders' and addresses' empty rows left out.

    >>> typed = {"bin": "x", "name": "A", "activity": "both", "region": "750000000",
    ...          "founder-name-1": "Aigul", "founder-share-1": "60,5", "address-text-1": "Abay 1",
    ...          "address-kind-1": "legal", "address-region-1": "750000000"}
    >>> checked, values = parse_notify(typed, "en")
    >>> checked.errors, values["founders"]
    ({}, [{'name': 'Aigul', 'iin': None, 'share': 60.5}])
    >>> values["addresses"]
    [{'kind': 'legal', 'address': 'Abay 1', 'region_kato': '750000000'}]
    >>> parse_notify({**typed, "founder-share-1": "lots"}, "en")[0].errors["founder-share-1"].text
    'Enter a share in per cent, above 0 and at most 100'
    """
    checked = Checked(locale, dict(typed))
    founders: list[dict[str, object]] = []
    for n in range(1, FOUNDER_ROWS + 1):
        name = typed.get(f"founder-name-{n}", "").strip()
        iin = typed.get(f"founder-iin-{n}", "").strip().replace(" ", "")
        share_text = typed.get(f"founder-share-{n}", "").strip().replace(",", ".").rstrip("%").strip()
        if not (name or iin or share_text):
            continue
        if not name:
            checked.add(f"founder-name-{n}", N_("Enter the founder's name"))
        share: float | None = None
        if share_text:
            try:
                share = float(share_text)
            except ValueError:
                share = None
            if share is None or not math.isfinite(share) or not 0 < share <= 100:
                checked.add(f"founder-share-{n}", N_("Enter a share in per cent, above 0 and at most 100"))
                share = None
        founders.append({"name": name, "iin": iin or None, "share": share})
    addresses: list[dict[str, object]] = []
    for n in range(1, ADDRESS_ROWS + 1):
        text = typed.get(f"address-text-{n}", "").strip()
        if not text:
            continue
        kind = checked.choice(f"address-kind-{n}", tuple(ADDRESS_KIND_LABELS))
        kato = checked.choice(f"address-region-{n}", tuple(BY_KATO))
        addresses.append({"kind": kind or "", "address": text[:MAX_TEXT], "region_kato": kato or ""})
    values: dict[str, Any] = {
        "bin": typed.get("bin", "").strip().replace(" ", ""),
        "name": checked.text("name"),
        "activity": typed.get("activity", "").strip(),
        "region_kato": typed.get("region", "").strip(),
        "founders": founders,
        "addresses": addresses,
    }
    return checked, values


def _own_page(
    request: Request,
    user: WebUser,
    *,
    checked: Checked | None = None,
    form_name: str = "",
    status: int = 200,
) -> Response:
    locale = locale_of(request)
    try:
        with transaction(sessions_of(request)) as session:
            view = store.my_agency(session, actor_of(user), utc_now())
    except store.AgencyError as exc:
        return _problem(request, exc.status)
    labels = _labels(locale)
    errors = checked.errors if checked else {}
    typed = checked.typed if checked else {}
    summary = checked.summary() if checked else []
    if view is None:
        return page(
            request,
            "agencies_notify.html",
            status_code=status,
            errors=errors,
            typed=typed,
            summary=summary,
            regions=regions(locale),
            founder_rows=range(1, FOUNDER_ROWS + 1),
            address_rows=range(1, ADDRESS_ROWS + 1),
            **labels,
        )
    year, quarter = next_quarter(view.reports, today())
    if form_name != "report":
        typed = {"report-year": str(year), "report-quarter": str(quarter)}
    return page(
        request,
        "agencies_own.html",
        status_code=status,
        errors=errors,
        typed=typed,
        summary=summary,
        done=_done(request),
        next_year=year,
        next_quarter=quarter,
        year_options=[(str(y), str(y)) for y in range(min(year, today().year - 2), today().year + 1)],
        **_view_context(view, locale),
        **labels,
    )


@router.get(OWN_PATH)
def own(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    return _own_page(request, user)


@router.post(OWN_PATH)
async def notify(request: Request) -> Response:
    """The agency notifies itself to the registry (its status is then "notified")."""
    user = user_of(request)
    if user is None:
        return to_sign_in()
    form = await _form(request)
    if not csrf_ok(request, form.get("csrf_token", "")):
        return _problem(request, 400)
    locale = locale_of(request)
    checked, values = parse_notify(_typed(form, NOTIFY_KEYS), locale)
    if not checked.errors:
        try:
            with transaction(sessions_of(request)) as session:
                store.notify(session, actor_of(user), **values, now=utc_now())
        except store.AgencyError as exc:
            if exc.status not in (409, 422):
                return _problem(request, exc.status)
            checked.refused(exc, notify_key(exc.field))
    if checked.errors:
        return _own_page(request, user, checked=checked, form_name="notify", status=422)
    return RedirectResponse(f"{OWN_PATH}?done=notified", status_code=303)


REPORT_FIELDS = {
    "year": "report-year",
    "quarter": "report-quarter",
    "placed_domestic": "report-placed-domestic",
    "placed_abroad": "report-placed-abroad",
    "job_seekers_served": "report-served",
    "seeker_fees_tenge": "report-fees",
}


@router.post(OWN_PATH + "/reports")
async def file_report(request: Request) -> Response:
    """The agency files its quarterly placement report (for its own record only: the service checks)."""
    user = user_of(request)
    if user is None:
        return to_sign_in()
    form = await _form(request)
    if not csrf_ok(request, form.get("csrf_token", "")):
        return _problem(request, 400)
    checked = Checked(locale_of(request), _typed(form, REPORT_KEYS))
    numbers = {name: checked.whole(key) for name, key in REPORT_FIELDS.items()}
    if not checked.errors:
        try:
            with transaction(sessions_of(request)) as session:
                view = store.my_agency(session, actor_of(user), utc_now())
                if view is None:
                    return RedirectResponse(OWN_PATH, status_code=303)
                store.file_report(
                    session,
                    actor_of(user),
                    view.id,
                    year=numbers["year"] or 0,
                    quarter=numbers["quarter"] or 0,
                    placed_domestic=numbers["placed_domestic"] or 0,
                    placed_abroad=numbers["placed_abroad"] or 0,
                    job_seekers_served=numbers["job_seekers_served"] or 0,
                    seeker_fees_tenge=numbers["seeker_fees_tenge"] or 0,
                    now=utc_now(),
                )
        except store.AgencyError as exc:
            if exc.status not in (409, 422):
                return _problem(request, exc.status)
            checked.refused(exc, REPORT_FIELDS.get(exc.field or "", "report-quarter"))
    if checked.errors:
        return _own_page(request, user, checked=checked, form_name="report", status=422)
    return RedirectResponse(f"{OWN_PATH}?done=report#reports", status_code=303)


# --- 2. the registry ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListForm:
    """The registry's query as understood: a wrong value is reported and ignored, never a crash."""

    status: str | None
    activity: str | None
    region: str | None
    order: str
    page: int
    errors: dict[str, str] = field(default_factory=dict)  # field -> msgid


def parse_list(params: Mapping[str, str]) -> ListForm:
    """Read the registry's filters.

    >>> f = parse_list({"status": "active", "region": "750000000", "order": "name", "page": "2"})
    >>> (f.status, f.activity, f.region, f.order, f.page, f.errors)
    ('active', None, '750000000', 'name', 2, {})
    >>> parse_list({"status": "gone", "page": "x"}).errors
    {'status': 'Select a status from the list'}
    """
    errors: dict[str, str] = {}

    def pick(key: str, allowed: Sequence[str], msgid: str) -> str | None:
        value = params.get(key, "").strip()
        if not value:
            return None
        if value not in allowed:
            errors[key] = msgid
            return None
        return value

    status = pick("status", tuple(STATUS_LABELS), N_("Select a status from the list"))
    activity = pick("activity", tuple(ACTIVITY_LABELS), N_("Select an activity from the list"))
    region = pick("region", tuple(BY_KATO), N_("Select a region from the list"))
    order = params.get("order", "risk")
    number = params.get("page", "1")
    page_number = int(number) if number.isdigit() and len(number) <= 6 and int(number) > 0 else 1
    return ListForm(status, activity, region, order if order in ORDER_LABELS else "risk", page_number, errors)


def list_url(form: ListForm, page_number: int = 1) -> str:
    """The address of a registry page (defaults left out).

    >>> list_url(parse_list({"status": "active"}), 3)
    '/inspector/agencies?status=active&page=3'
    """
    values = {
        "status": form.status,
        "activity": form.activity,
        "region": form.region,
        "order": form.order if form.order != "risk" else None,
        "page": str(page_number) if page_number != 1 else None,
    }
    clean = {k: v for k, v in values.items() if v is not None}
    return LIST_PATH + ("?" + urlencode(clean) if clean else "")


@router.get(LIST_PATH)
def registry(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    locale = locale_of(request)
    form = parse_list(request.query_params)
    try:
        with transaction(sessions_of(request)) as session:
            rows, total = store.agencies(
                session,
                actor_of(user),
                status=form.status,
                activity=form.activity,
                region_kato=form.region,
                order=form.order,
                limit=PAGE_SIZE,
                offset=(form.page - 1) * PAGE_SIZE,
                now=utc_now(),
            )
    except store.AgencyError as exc:
        return _problem(request, exc.status)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if form.page > pages and total:
        return RedirectResponse(list_url(form, pages), status_code=303)

    def href(n: int) -> str:
        return list_url(form, n)

    return page(
        request,
        "agencies_list.html",
        can_open=user.role in store.READ_ALL,
        form=form,
        rows=rows,
        total=total,
        regions=regions(locale),
        order_labels=ORDER_LABELS,
        summary=[{"href": f"#{k}", "message": say(v, locale).text} for k, v in form.errors.items()],
        filter_errors={k: say(v, locale).text for k, v in form.errors.items()},
        pages=pages,
        page_links=pagination(form.page, pages, href),
        prev_href=href(form.page - 1),
        next_href=href(form.page + 1),
        first=(form.page - 1) * PAGE_SIZE + 1,
        last=(form.page - 1) * PAGE_SIZE + len(rows),
        **_labels(locale),
    )


# --- 3. the ranking for inspections ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RankedRow:
    """An agency of the ranking with every reason of its score."""

    rank: int
    summary: store.AgencySummary
    reasons: tuple[store.RiskReason, ...]
    total: float


@router.get(RANKING_PATH)
def ranking(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    locale = locale_of(request)
    on_text = request.query_params.get("on", "").strip()[:32]
    on = today()
    errors: dict[str, str] = {}
    if on_text:
        parsed = _date(on_text)
        if parsed is None:
            errors["on"] = say(ENTER_DATE, locale).text
        else:
            on = parsed
    now = utc_now()
    try:
        with transaction(sessions_of(request)) as session:
            try:
                found = store.inspection_ranking(session, actor_of(user), on, RANKING_SIZE, now)
            except store.AgencyError as exc:
                if exc.status != 422:
                    raise
                errors["on"] = service_message(exc.message, locale).text
                on = today()
                found = store.inspection_ranking(session, actor_of(user), on, RANKING_SIZE, now)
    except store.AgencyError as exc:
        return _problem(request, exc.status)
    rows = [RankedRow(n, s, s.reasons, sum(r.points for r in s.reasons)) for n, s in enumerate(found, start=1)]
    return page(
        request,
        "agencies_ranking.html",
        rows=rows,
        can_open=user.role in store.READ_ALL,
        on=on,
        typed_on=on_text,
        on_is_today=on == today(),
        errors=errors,
        summary=[{"href": f"#{k}", "message": v} for k, v in errors.items()],
        **_labels(locale),
    )


# --- 4. one agency, for inspectors -------------------------------------------------------------------

FORM_KEYS: dict[str, tuple[str, ...]] = {
    "status": ("status-action", "status-reason"),
    "plan": ("plan-on", "plan-reason"),
    "record": ("record-on", "record-outcome", "record-findings", "record-reason", "record-inspection"),
    "violation": ("violation-code", "violation-found-on", "violation-description", "violation-inspection"),
}


def agency_url(agency_id: str, done: str | None = None, anchor: str = "") -> str:
    """The address of an agency's page, with what was just done and where to land.

    >>> agency_url("ab-12", "status", "status")
    '/inspector/agencies/ab-12?done=status#status'
    """
    query = "?" + urlencode({"done": done}) if done else ""
    return f"{LIST_PATH}/{agency_id}{query}" + (f"#{anchor}" if anchor else "")


def _agency_page(
    request: Request,
    user: WebUser,
    agency_id: str,
    *,
    checked: Checked | None = None,
    form_name: str = "",
    status: int = 200,
) -> Response:
    locale = locale_of(request)
    try:
        with transaction(sessions_of(request)) as session:
            view = store.agency(session, actor_of(user), agency_id, utc_now())
    except store.AgencyError as exc:
        return _problem(request, exc.status)
    gettext = i18n.translations(locale).gettext

    def options(labels: Mapping[str, str]) -> list[tuple[str, str]]:
        return [(k, gettext(v)) for k, v in labels.items()]

    def inspection_text(i: store.InspectionView) -> str:
        when = i.done_on or i.planned_on
        return gettext("Inspection %(n)s") % {"n": i.id} + (f" · {i18n.format_date(when, locale)}" if when else "")

    return page(
        request,
        "agencies_agency.html",
        status_code=status,
        errors=checked.errors if checked else {},
        typed=checked.typed if checked else {},
        summary=checked.summary() if checked else [],
        form_name=form_name,
        done=_done(request) if checked is None else None,
        can_inspect=user.role in store.INSPECTORS,
        sanction_options=options(SANCTION_KIND_LABELS),
        reason_options=options(INSPECTION_REASON_LABELS),
        outcome_options=options(OUTCOME_LABELS),
        violation_options=options(VIOLATION_CODE_LABELS),
        planned_options=[(str(i.id), inspection_text(i)) for i in view.inspections if i.done_on is None],
        inspection_options=[(str(i.id), inspection_text(i)) for i in view.inspections],
        today=today(),
        **_view_context(view, locale),
        **_labels(locale),
    )


@router.get(LIST_PATH + "/{agency_id}")
def agency_page(request: Request, agency_id: str) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    return _agency_page(request, user, _agency_id(agency_id))


async def _posted(request: Request) -> tuple[WebUser | None, dict[str, str], Response | None]:
    """The user and form of a POST to an agency; a response instead when not signed in or CSRF fails."""
    user = user_of(request)
    if user is None:
        return None, {}, to_sign_in()
    form = await _form(request)
    if not csrf_ok(request, form.get("csrf_token", "")):
        return user, form, _problem(request, 400)
    return user, form, None


def _refused(exc: store.AgencyError) -> bool:
    """Whether the refusal goes next to a field (409, 422, or an inspection chosen that is not the
    agency's) rather than to an error page."""
    return exc.status in (409, 422) or (exc.status == 404 and exc.field == "inspection_id")


@router.post(LIST_PATH + "/{agency_id}/status")
async def change_status(request: Request, agency_id: str) -> Response:
    user, form, stop = await _posted(request)
    if stop is not None or user is None:
        return stop or to_sign_in()
    aid = _agency_id(agency_id)
    checked = Checked(locale_of(request), _typed(form, FORM_KEYS["status"]))
    action = checked.choice("status-action", tuple(ACTION_LABELS))
    reason = checked.text("status-reason")
    if action in REASON_REQUIRED and len(reason) < MIN_REASON:
        checked.add(
            "status-reason",
            N_("Enter a reason of at least %(n)s characters: it is required to suspend, reinstate or revoke"),
            n=MIN_REASON,
        )
    if not checked.errors and action:
        try:
            with transaction(sessions_of(request)) as session:
                store.change_status(session, actor_of(user), aid, action, reason=reason or None, now=utc_now())
        except store.AgencyError as exc:
            if not _refused(exc):
                return _problem(request, exc.status)
            checked.refused(exc, "status-reason" if exc.field == "reason" else "status-action")
    if checked.errors:
        return _agency_page(request, user, aid, checked=checked, form_name="status", status=422)
    return RedirectResponse(agency_url(aid, "status", "status"), status_code=303)


@router.post(LIST_PATH + "/{agency_id}/complaints/{complaint_id}")
async def resolve_complaint(request: Request, agency_id: str, complaint_id: str) -> Response:
    user, form, stop = await _posted(request)
    if stop is not None or user is None:
        return stop or to_sign_in()
    aid, cid = _agency_id(agency_id), _number(complaint_id)
    key = f"resolve-{cid}"
    checked = Checked(locale_of(request), _typed(form, (key,)))
    outcome = checked.choice(key, ("substantiated", "unfounded"))
    if not checked.errors and outcome:
        try:
            with transaction(sessions_of(request)) as session:
                store.resolve_complaint(session, actor_of(user), cid, status=outcome, now=utc_now())
        except store.AgencyError as exc:
            if not _refused(exc):
                return _problem(request, exc.status)
            checked.refused(exc, key)
    if checked.errors:
        return _agency_page(request, user, aid, checked=checked, form_name="complaint", status=422)
    return RedirectResponse(agency_url(aid, "complaint", "complaints"), status_code=303)


@router.post(LIST_PATH + "/{agency_id}/inspections")
async def inspection(request: Request, agency_id: str) -> Response:
    """Plan an inspection (``kind=plan``) or record one done (``kind=record``, completing a planned one)."""
    user, form, stop = await _posted(request)
    if stop is not None or user is None:
        return stop or to_sign_in()
    aid = _agency_id(agency_id)
    kind = "record" if form.get("kind") == "record" else "plan"
    checked = Checked(locale_of(request), _typed(form, FORM_KEYS[kind]))
    reasons = tuple(INSPECTION_REASON_LABELS)
    if kind == "plan":
        planned_on = checked.day("plan-on")
        reason = checked.choice("plan-reason", reasons)
    else:
        done_on = checked.day("record-on")
        outcome = checked.choice("record-outcome", tuple(OUTCOME_LABELS))
        findings = checked.text("record-findings")
        done_reason = checked.choice("record-reason", reasons, optional=True) or "scheduled"
        planned_text = checked.typed.get("record-inspection", "").strip()
        planned_id = _number(planned_text) if planned_text else None
    if not checked.errors:
        fields = {"planned_on": "plan-on", "done_on": "record-on", "outcome": "record-outcome"}
        try:
            with transaction(sessions_of(request)) as session:
                if kind == "plan" and planned_on and reason:
                    store.plan_inspection(
                        session, actor_of(user), aid, planned_on=planned_on, reason=reason, now=utc_now()
                    )
                elif kind == "record" and done_on and outcome:
                    store.record_inspection(
                        session,
                        actor_of(user),
                        aid,
                        done_on=done_on,
                        outcome=outcome,
                        findings=findings or None,
                        reason=done_reason,
                        inspection_id=planned_id,
                        now=utc_now(),
                    )
        except store.AgencyError as exc:
            if not _refused(exc):
                return _problem(request, exc.status)
            default = FORM_KEYS[kind][0]
            key = fields.get(exc.field or "", default)
            if exc.field == "reason":
                key = f"{kind}-reason"
            elif exc.field == "findings":
                key = "record-findings"
            elif exc.field == "inspection_id":
                key = "record-inspection"
            checked.refused(exc, key if key in FORM_KEYS[kind] else default)
    if checked.errors:
        return _agency_page(request, user, aid, checked=checked, form_name=kind, status=422)
    return RedirectResponse(agency_url(aid, "inspection", "inspections"), status_code=303)


@router.post(LIST_PATH + "/{agency_id}/violations")
async def violation(request: Request, agency_id: str) -> Response:
    user, form, stop = await _posted(request)
    if stop is not None or user is None:
        return stop or to_sign_in()
    aid = _agency_id(agency_id)
    checked = Checked(locale_of(request), _typed(form, FORM_KEYS["violation"]))
    code = checked.choice("violation-code", tuple(VIOLATION_CODE_LABELS))
    found_on = checked.day("violation-found-on")
    description = checked.text(
        "violation-description", required_msgid=N_("Describe what was found"), minimum=store.MIN_SUMMARY
    )
    inspection_text = checked.typed.get("violation-inspection", "").strip()
    inspection_id = _number(inspection_text) if inspection_text else None
    if not checked.errors and code and found_on:
        try:
            with transaction(sessions_of(request)) as session:
                store.add_violation(
                    session,
                    actor_of(user),
                    aid,
                    code=code,
                    found_on=found_on,
                    description=description,
                    inspection_id=inspection_id,
                    now=utc_now(),
                )
        except store.AgencyError as exc:
            if not _refused(exc):
                return _problem(request, exc.status)
            keys = {
                "code": "violation-code",
                "found_on": "violation-found-on",
                "description": "violation-description",
                "inspection_id": "violation-inspection",
            }
            checked.refused(exc, keys.get(exc.field or "", "violation-code"))
    if checked.errors:
        return _agency_page(request, user, aid, checked=checked, form_name="violation", status=422)
    return RedirectResponse(agency_url(aid, "violation", "violations"), status_code=303)


@router.post(LIST_PATH + "/{agency_id}/violations/{violation_id}/sanctions")
async def sanction(request: Request, agency_id: str, violation_id: str) -> Response:
    """Impose a sanction for a violation (a suspension or revocation also changes the agency's status)."""
    user, form, stop = await _posted(request)
    if stop is not None or user is None:
        return stop or to_sign_in()
    aid, vid = _agency_id(agency_id), _number(violation_id)
    keys = {"kind": f"sanction-kind-{vid}", "amount_mrp": f"sanction-amount-{vid}", "until": f"sanction-until-{vid}"}
    checked = Checked(locale_of(request), _typed(form, tuple(keys.values())))
    kind = checked.choice(keys["kind"], SANCTION_KINDS)
    amount = checked.whole(keys["amount_mrp"], optional=True)
    until = checked.day(keys["until"], optional=True)
    if not checked.errors and kind:
        try:
            with transaction(sessions_of(request)) as session:
                store.impose_sanction(
                    session, actor_of(user), vid, kind=kind, amount_mrp=amount, until=until, now=utc_now()
                )
        except store.AgencyError as exc:
            if not _refused(exc):
                return _problem(request, exc.status)
            checked.refused(exc, keys.get(exc.field or "", keys["kind"]))
    if checked.errors:
        return _agency_page(request, user, aid, checked=checked, form_name=f"sanction-{vid}", status=422)
    return RedirectResponse(agency_url(aid, "sanction", "violations"), status_code=303)


# --- 5. job seekers' complaints ----------------------------------------------------------------------

COMPLAINT_KEYS = ("agency", "kind", "paid", "summary")


def _complaint_form(request: Request, user: WebUser, *, checked: Checked | None = None, status: int = 200) -> Response:
    locale = locale_of(request)
    try:
        with transaction(sessions_of(request)) as session:
            choices = store.active_agencies(session, actor_of(user))
    except store.AgencyError as exc:
        return _problem(request, exc.status)
    return page(
        request,
        "agencies_complaint_new.html",
        status_code=status,
        choices=choices,
        agency_options=[
            (c.id, i18n.translations(locale).gettext("%(name)s, BIN %(bin)s") % {"name": c.name, "bin": c.bin})
            for c in choices
        ],
        errors=checked.errors if checked else {},
        typed=checked.typed if checked else {},
        summary=checked.summary() if checked else [],
        kinds=tuple(COMPLAINT_KIND_LABELS),
        **_labels(locale),
    )


@router.get(COMPLAINTS_PATH + "/new")
def complaint_form(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    return _complaint_form(request, user)


@router.post(COMPLAINTS_PATH + "/new")
async def complain(request: Request) -> Response:
    """A job seeker complains about an active agency (a fee for placement is flagged by the service)."""
    user, form, stop = await _posted(request)
    if stop is not None or user is None:
        return stop or to_sign_in()
    checked = Checked(locale_of(request), _typed(form, COMPLAINT_KEYS))
    agency_id = checked.typed.get("agency", "").strip()
    if not agency_id:
        checked.add("agency", N_("Select the agency you complain about"))
    kind = checked.choice("kind", tuple(COMPLAINT_KIND_LABELS))
    paid = checked.whole("paid", optional=True)
    summary = checked.text("summary", required_msgid=N_("Describe what happened"), minimum=store.MIN_SUMMARY)
    if not checked.errors and kind:
        try:
            with transaction(sessions_of(request)) as session:
                store.add_complaint(
                    session,
                    actor_of(user),
                    agency_id,
                    received_on=today(),
                    kind=kind,
                    paid_amount_tenge=paid,
                    summary=summary,
                    now=utc_now(),
                )
        except store.AgencyError as exc:
            if exc.status == 404:  # the agency chosen is not (or no longer) in the registry
                checked.add("agency", N_("Select an active agency from the list"))
            elif not _refused(exc):
                return _problem(request, exc.status)
            else:
                keys = {"agency_id": "agency", "kind": "kind", "paid_amount_tenge": "paid", "summary": "summary"}
                checked.refused(exc, keys.get(exc.field or "", "agency"))
    if checked.errors:
        return _complaint_form(request, user, checked=checked, status=422)
    return RedirectResponse(f"{COMPLAINTS_PATH}?done=filed", status_code=303)


@router.get(COMPLAINTS_PATH)
def my_complaints(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    locale = locale_of(request)
    try:
        with transaction(sessions_of(request)) as session:
            found = store.my_complaints(session, actor_of(user), utc_now())
    except store.AgencyError as exc:
        return _problem(request, exc.status)
    return page(request, "agencies_complaints.html", complaints=found, done=_done(request), **_labels(locale))


__all__ = [
    "list_url",
    "next_quarter",
    "notify_key",
    "parse_list",
    "parse_notify",
    "router",
    "say",
]
