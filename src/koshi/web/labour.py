"""Pages for foreign labour: the employer's home, applying for a work permit, one permit, the akimat's
queue, the quota's live usage and the analyst's fee report and calculator.

Every page calls the same service functions as the API (:mod:`koshi.store.labour`) with the
signed-in user as the actor, so who may register a company, apply, decide, pay or read a report is
decided there, and its refusals come back as pages (403, 404) or as messages next to the form's
fields (409, 422).  The worker's IIN is shown masked only.  The checks' reasons and the fee bands
are the rules' English sentences; the page shows them translated where the sentence is known
(:func:`reason_text`) and marks them ``lang="en"`` otherwise, so nothing is hidden when a rule
gains a sentence before the catalogues do.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from koshi.documents.iin import InvalidBin, decode_bin
from koshi.labour import fees as labour_fees
from koshi.labour.checks import LOCAL_CONTENT_NOTE, Staff
from koshi.labour.policy import EFFECTIVE_FROM, SECTIONS, Category, PolicyError, basis, policy
from koshi.labour.workflow import MIN_REASON, PermitState, PermitTransitionError
from koshi.reference.regions import BY_KATO, REGIONS
from koshi.store import labour as store
from koshi.store.db import transaction
from koshi.web import i18n
from koshi.web.labels import N_
from koshi.web.pages import WebUser
from koshi.web.paging import pagination
from koshi.web.police_common import actor_of, sessions_of, to_sign_in, user_of, utc_now
from koshi.web.render import locale_of, page
from koshi.web.security import csrf_ok
from koshi.web.sentences import Text, translate

router = APIRouter(include_in_schema=False)

EMPLOYER_PATH = "/employer"
APPLY_PATH = "/employer/permits/new"
QUEUE_PATH = "/akimat/permits"
QUOTA_PATH = "/labour/quota-usage"
FEES_PATH = "/labour/fees"
PAGE_SIZE = 25
FLASH = "labour_flash"  # the session key carrying what a form just did to the page it redirects to
BAR_STEPS = 20  # a quota bar is 0..20 twentieths wide (CSS classes: no inline style)
KZ_OFFSET = dt.timedelta(hours=5)
MAX_TEXT = 200  # names and titles, as the store's columns
MAX_REASON = 2000
MAX_REF = 64
EMPLOYER = "employer"  # the role whose pages /employer are: its own company, bound to its account

# --- words shown from data (translated where they are shown) ---------------------------------------

CATEGORY_LABELS: dict[str, str] = {
    "category_1": N_("Category 1: heads and their deputies"),
    "category_2": N_("Category 2: heads of structural subdivisions"),
    "category_3": N_("Category 3: specialists"),
    "category_4": N_("Category 4: skilled workers"),
    "seasonal": N_("Seasonal work"),
    "ict": N_("Intra-corporate transfer"),
}
CATEGORY_HINTS: dict[str, str] = {
    "category_1": N_("Up to 36 months; the sector fee applies"),
    "category_2": N_("Up to 12 months; the sector fee applies"),
    "category_3": N_("Up to 12 months; the sector fee applies"),
    "category_4": N_("Up to 12 months; the sector fee applies"),
    "seasonal": N_("Up to 12 months; the seasonal rate by length applies"),
    "ict": N_("Outside the quota; no fee"),
}
STATE_LABELS: dict[str, str] = {
    "checks_failed": N_("Checks failed"),
    "pending": N_("Waiting for the akimat"),
    "fee_due": N_("Fee due"),
    "issued": N_("Issued"),
    "refused": N_("Refused"),
    "withdrawn": N_("Withdrawn"),
    "revoked": N_("Revoked"),
    "expired": N_("Expired"),
}
STATE_TAGS: dict[str, str] = {
    "checks_failed": "govuk-tag--red",
    "pending": "govuk-tag--blue",
    "fee_due": "govuk-tag--yellow",
    "issued": "govuk-tag--green",
    "refused": "govuk-tag--orange",
    "withdrawn": "govuk-tag--grey",
    "revoked": "govuk-tag--purple",
    "expired": "govuk-tag--grey",
}
CHECK_LABELS: dict[str, str] = {
    "employer": N_("Employer registered and active"),
    "term": N_("Permit term"),
    "vacancy_posted": N_("Vacancy posted on the labour exchange"),
    "quota_available": N_("Regional quota available"),
    "local_content": N_("Local-content shares"),
    "worker_iin": N_("Worker's IIN"),
    "worker_no_violation": N_("No open violation of the worker"),
}
ACTION_LABELS: dict[str, str] = {  # the buttons
    "recheck": N_("Run the checks again"),
    "approve": N_("Approve the permit"),
    "refuse": N_("Refuse the permit"),
    "pay": N_("Record the payment"),
    "revoke": N_("Revoke the permit"),
    "withdraw": N_("Withdraw the application"),
    "expire": N_("Mark as expired"),
}
EVENT_LABELS: dict[str, str] = {  # the history's "what happened"
    "apply": N_("Applied"),
    "submit": N_("Applied"),
    "recheck": N_("Checks run again"),
    "approve": N_("Approved"),
    "refuse": N_("Refused"),
    "pay": N_("Fee paid"),
    "revoke": N_("Revoked"),
    "withdraw": N_("Withdrawn"),
    "expire": N_("Expired"),
}
DONE_LABELS: dict[str, str] = {  # the banner after a form
    "register": N_("The company is registered"),
    "staff": N_("The staff figures are saved"),
    "vacancy": N_("The vacancy is recorded"),
    "apply": N_("The application is submitted and checked"),
    **{k: v for k, v in EVENT_LABELS.items() if k not in ("apply", "submit")},
}
SECTION_LABELS: dict[str, str] = {  # OKED sections (as NACE Rev. 2)
    "A": N_("Agriculture, forestry and fishing"),
    "B": N_("Mining and quarrying"),
    "C": N_("Manufacturing"),
    "D": N_("Electricity, gas, steam and air conditioning supply"),
    "E": N_("Water supply; sewerage, waste management and remediation"),
    "F": N_("Construction"),
    "G": N_("Wholesale and retail trade; repair of motor vehicles"),
    "H": N_("Transportation and storage"),
    "I": N_("Accommodation and food service activities"),
    "J": N_("Information and communication"),
    "K": N_("Financial and insurance activities"),
    "L": N_("Real estate activities"),
    "M": N_("Professional, scientific and technical activities"),
    "N": N_("Administrative and support service activities"),
    "O": N_("Public administration and defence; compulsory social security"),
    "P": N_("Education"),
    "Q": N_("Human health and social work activities"),
    "R": N_("Arts, entertainment and recreation"),
    "S": N_("Other service activities"),
    "T": N_("Activities of households as employers"),
    "U": N_("Activities of extraterritorial organisations and bodies"),
}
GROUP_LABELS: dict[str, str] = {"a": N_("Group A"), "b": N_("Group B"), "c": N_("Group C")}
STAFF_FIELDS: tuple[tuple[str, str], ...] = (
    ("citizens_1_2", N_("Citizens in categories 1 and 2")),
    ("foreigners_1_2", N_("Foreign workers in categories 1 and 2")),
    ("citizens_3_4", N_("Citizens in categories 3 and 4")),
    ("foreigners_3_4", N_("Foreign workers in categories 3 and 4")),
    ("ict", N_("Workers on intra-corporate transfer")),
)

# what a field needs, said when the web form or the service refuses it
FIELD_MESSAGES: dict[str, str] = {
    "bin": N_("Enter the company's BIN: 12 digits with a correct check digit"),
    "name": N_("Enter the company's name (at most 200 characters)"),
    "oked_section": N_("Select the company's OKED section"),
    "region_kato": N_("Select a region from the list"),
    "as_of": N_("Enter the date of the staff figures, for example 2026-03-01"),
    "staff": N_("Enter a whole number, zero or more"),
    "isco": N_("Enter the occupation as a 4-digit ISCO-08 code, like 2142"),
    "title": N_("Enter the vacancy's title (at most 200 characters)"),
    "wage": N_("Enter the monthly wage in tenge as a whole number"),
    "posted_on": N_("Enter the date the vacancy was posted, for example 2026-03-01"),
    "worker_iin": N_("Enter the worker's IIN: 12 digits with a correct check digit"),
    "worker_surname": N_("Enter the worker's surname (at most 80 characters)"),
    "worker_given_names": N_("Given names can be at most 80 characters"),
    "worker_nationality": N_("Enter the worker's nationality as a three-letter code, like UZB"),
    "category": N_("Select the permit category"),
    "valid_from": N_("Enter the first day of the permit, for example 2026-04-01"),
    "valid_to": N_("Enter the last day of the permit: on or after its first day"),
    "section": N_("Select an OKED section"),
    "reason": N_("Enter a reason of at least %(n)s characters"),
    "payment_ref": N_("Enter the payment's reference (at most 64 characters)"),
    "action": N_("This action is not open for the permit now. Reload the page to see what you can do."),
}

# --- the rules' sentences (checks.py, fees.py) and the page's ---------------------------------------

_DATE = r"\d{4}-\d\d-\d\d"
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile("^" + pattern + "$"), msgid)
    for pattern, msgid in (
        (r"the employer is registered and active", N_("The employer is registered and active.")),
        (
            r"the employer is not active in the register of legal entities",
            N_("The employer is not active in the register of legal entities."),
        ),
        (r"the permit ends before it starts", N_("The permit ends before it starts.")),
        (
            r"this permit was already extended (?P<n>\d+) time\(s\); the limit is (?P<limit>\d+)",
            N_("This permit was already extended %(n)s times; the limit is %(limit)s."),
        ),
        (
            r"an extension may run at most (?P<months>\d+) months",
            N_("An extension may run at most %(months)s months."),
        ),
        (r"extension (?P<n>\d+) of at most (?P<limit>\d+)", N_("Extension %(n)s of at most %(limit)s.")),
        (
            r"a (?P<category>[a-z_ 0-9]+) permit runs at most (?P<months>\d+) months",
            N_("A permit of this category runs at most %(months)s months."),
        ),
        (r"within the longest term of (?P<months>\d+) months", N_("Within the longest term of %(months)s months.")),
        (r"not required for intra-corporate transfers", N_("Not required for intra-corporate transfers.")),
        (r"not required for extensions", N_("Not required for extensions.")),
        (
            r"no vacancy for occupation (?P<isco>\S+) in this region was posted on the labour exchange; "
            r"post it and apply (?P<days>\d+) calendar days later",
            N_(
                "No vacancy for occupation %(isco)s in this region was posted on the labour exchange. "
                "Post it and apply %(days)s calendar days later."
            ),
        ),
        (
            rf"the vacancy was posted on (?P<date>{_DATE}), (?P<before>-?\d+) days before the application; "
            rf"(?P<days>\d+) calendar days are required \(apply from (?P<ready>{_DATE})\)",
            N_(
                "The vacancy was posted on %(date)s, %(before)s days before the application; "
                "%(days)s calendar days are required. Apply from %(ready)s."
            ),
        ),
        (
            rf"posted on (?P<date>{_DATE}), at least (?P<days>\d+) calendar days before the application",
            N_("Posted on %(date)s, at least %(days)s calendar days before the application."),
        ),
        (r"intra-corporate transfers are outside the quota", N_("Intra-corporate transfers are outside the quota.")),
        (
            r"no quota for this category is distributed to this region for (?P<year>\d{4})",
            N_("No quota for this category is distributed to this region for %(year)s."),
        ),
        (
            r"the region's (?P<year>\d{4}) quota for this category is exhausted "
            r"\((?P<used>\d+) of (?P<allocated>\d+) used\)",
            N_("The region's %(year)s quota for this category is exhausted: %(used)s of %(allocated)s used."),
        ),
        (
            r"(?P<left>\d+) of (?P<allocated>\d+) permits left in the region's (?P<year>\d{4}) quota",
            N_("%(left)s of %(allocated)s permits left in the region's %(year)s quota."),
        ),
        (
            re.escape(LOCAL_CONTENT_NOTE),
            N_(
                "Koshi applies the local-content shares to categories 1-4 only: seasonal workers are not in the "
                "published conditions (an assumption)."
            ),
        ),
        (
            r"a branch or representative office with (?P<staff>\d+) staff \(at most (?P<max>\d+)\) is exempt",
            N_("A branch or representative office with %(staff)s staff (at most %(max)s) is exempt."),
        ),
        (
            r"with this transfer, (?P<ict>\d+) workers on intra-corporate transfer exceed (?P<share>\d+%) "
            r"of the (?P<citizens>\d+) citizens on the staff",
            N_(
                "With this transfer, %(ict)s workers on intra-corporate transfer exceed %(share)s of the "
                "%(citizens)s citizens on the staff."
            ),
        ),
        (
            r"(?P<ict>\d+) transferred workers, at most (?P<share>\d+%) of (?P<citizens>\d+) citizens",
            N_("%(ict)s workers on intra-corporate transfer, at most %(share)s of %(citizens)s citizens."),
        ),
        (
            r"with this permit, citizens would be (?P<share>[\d.]+%) of the staff in categories (?P<group>\d-\d) "
            r"\((?P<citizens>\d+) of (?P<total>\d+)\); at least (?P<least>\d+%) is required, "
            r"i\.e\. (?P<need>\d+) citizens for (?P<foreigners>\d+) foreign workers",
            N_(
                "With this permit, citizens would be %(share)s of the staff in categories %(group)s "
                "(%(citizens)s of %(total)s); at least %(least)s is required, that is %(need)s citizens for "
                "%(foreigners)s foreign workers."
            ),
        ),
        (
            r"citizens are (?P<share>[\d.]+%) of the staff in categories (?P<group>\d-\d) with this permit "
            r"\(at least (?P<least>\d+%)\)",
            N_("Citizens are %(share)s of the staff in categories %(group)s with this permit (at least %(least)s)."),
        ),
        (
            r"the worker has no IIN: foreign workers must obtain one before the permit",
            N_("The worker has no IIN: foreign workers must obtain one before the permit."),
        ),
        (r"the worker's IIN is not valid: (?P<why>.+)", N_("The worker's IIN is not valid.")),
        (r"the worker has a valid IIN", N_("The worker has a valid IIN.")),
        (
            r"the migration police registry holds an open violation: (?P<listed>.+)",
            N_("The migration police registry holds an open violation of the worker."),
        ),
        (
            r"the worker is not in the migration police registry: no violation on record",
            N_("The worker is not in the migration police registry: no violation on record."),
        ),
        (
            r"no open violation in the migration police registry",
            N_("No open violation in the migration police registry."),
        ),
        # fee bands (koshi.labour.fees.quote)
        (r"1 year, group (?P<group>[abc])", N_("1 year, group %(group)s")),
        (r"(?P<years>\d+) years, group (?P<group>[abc])", N_("%(years)s years, group %(group)s")),
        (r"up to (?P<days>\d+) days", N_("up to %(days)s days")),
        (r"free: intra-corporate transfer", N_("free: intra-corporate transfer")),
    )
)
_KEEP_ENGLISH = frozenset({"why", "listed"})  # details the rules give only in English (shown after the sentence)


def reason_text(raw: str, locale: str) -> Text:
    """A rule's English sentence ``raw`` in ``locale`` (dates and numbers formatted for it).

    >>> reason_text("the region's 2026 quota for this category is exhausted (5 of 5 used)", "en").text
    "The region's 2026 quota for this category is exhausted: 5 of 5 used."
    >>> reason_text("posted on 2026-03-01, at least 15 calendar days before the application", "en").text
    'Posted on Mar 1, 2026, at least 15 calendar days before the application.'
    >>> reason_text("a new sentence", "kk")
    Text(text='a new sentence', lang='en', detail='')
    """
    return translate(raw, _REASONS, locale, detail_keys=_KEEP_ENGLISH, shape=_group_letter)


def _group_letter(key: str, value: str) -> str:
    """Fee groups are shown as the capital letters the published table uses."""
    return value.upper() if key == "group" and value in GROUP_LABELS else value


@dataclass(frozen=True, slots=True)
class Basis:
    """A legal reference: its title, and its address when it has one."""

    title: str
    href: str | None


def basis_items(refs: Sequence[str]) -> list[Basis]:
    """References as "title (address)" split into a title and a link.

    >>> basis_items(["Order No. 93 (https://example.kz/93)", "Resolution No. 802"])
    [Basis(title='Order No. 93', href='https://example.kz/93'), Basis(title='Resolution No. 802', href=None)]
    """
    out = []
    for ref in refs:
        match = re.fullmatch(r"(?s)(.*) \((https?://[^\s()]+)\)", ref)
        out.append(Basis(match.group(1), match.group(2)) if match else Basis(ref, None))
    return out


# --- common ----------------------------------------------------------------------------------------


def today() -> dt.date:
    """Today in Kazakhstan (UTC+5): the day applications are dated."""
    return (utc_now() + KZ_OFFSET).date()


def region_name(kato: str | None, locale: str) -> str:
    """A region's name in ``locale``; the code itself when it is not a region's.

    >>> region_name("750000000", "ru"), region_name("123", "en")
    ('г. Алматы', '123')
    """
    region = BY_KATO.get(str(kato or ""))
    if region is None:
        return str(kato or "")
    return {"ru": region.name_ru, "kk": region.name_kk}.get(locale, region.name_en)


def region_options(locale: str) -> list[tuple[str, str]]:
    """Every region as (KATO, name), in the order of the names in ``locale``."""
    return sorted(((r.kato, region_name(r.kato, locale)) for r in REGIONS), key=lambda o: o[1].casefold())


def _problem(request: Request, status: int) -> Response:
    return page(request, "labour_problem.html", status_code=status, problem=status)


def _flash(request: Request) -> dict[str, Any] | None:
    """What a form of this session just did (shown once)."""
    flash = request.session.pop(FLASH, None)
    return flash if isinstance(flash, dict) else None


def _done(request: Request, what: str, target: str, **values: Any) -> Response:
    request.session[FLASH] = {"what": what, **values}
    return RedirectResponse(target, status_code=303)


def _date(text: str) -> dt.date | None:
    """An ISO date as typed (a date input sends ``YYYY-MM-DD``); None when it is not one.

    >>> _date("2026-02-30"), _date(" 2026-03-01 ")
    (None, datetime.date(2026, 3, 1))
    """
    value = text.strip()
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _count(text: str) -> int | None:
    """A whole number of zero or more as typed (spaces and thousands separators allowed).

    >>> _count("1 200"), _count("-3"), _count("")
    (1200, None, None)
    """
    value = re.sub(r"[\s,\u00a0\u202f]", "", text)
    return int(value) if value.isdigit() and len(value) <= 9 else None


def _year(text: str, default: int | None) -> int | None:
    value = text.strip()
    if value.isdigit() and len(value) == 4 and int(value) >= EFFECTIVE_FROM.year:
        return int(value)
    return default


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) <= 6 and int(text) > 0 else 1


def years_list() -> list[int]:
    """The years a filter offers: from the 2017 rules to next year, newest first."""
    return list(range(today().year + 1, EFFECTIVE_FROM.year - 1, -1))


@dataclass(frozen=True, slots=True)
class FieldError:
    """A message next to a field (translated, or the service's English when ``lang`` says so)."""

    message: str
    lang: str | None = None


def field_message(field: str, locale: str) -> str:
    """What ``field`` needs, in ``locale``."""
    gettext = i18n.translations(locale).gettext
    key = "staff" if field in dict(STAFF_FIELDS) else field
    msgid = FIELD_MESSAGES.get(key)
    if msgid is None:
        return ""
    return gettext(msgid) % {"n": MIN_REASON} if key == "reason" else gettext(msgid)


# the service's sentences a page says in its own words (the rest: the field's need, or the English as written)
SERVICE_MESSAGES: dict[str, str] = {
    "an employer with this BIN is already registered": N_("A company with this BIN is already registered"),
    "this account already has an employer": N_("Your account already has a company"),
    "a vacancy cannot be posted in the future": N_("The posting date cannot be in the future"),
    "the application day cannot be in the future": N_("The application date cannot be in the future"),
    "the payment reference is required": N_("Enter the payment's reference"),
    "an extension is for the same worker as the permit it extends": N_(
        "Enter the IIN of the worker on the permit you extend"
    ),
    "an extension keeps the category of the permit it extends": N_(
        "An extension keeps the category of the permit it extends"
    ),
}


def service_error(exc: store.LabourError, fields: Sequence[str], locale: str) -> tuple[str, FieldError]:
    """The service's refusal (409, 422) as a message on the field of the form it concerns.

    A sentence the page knows is said in its own words; otherwise the field's need (what to enter);
    otherwise the service's English as written, marked as English.  A refusal of no field of the form
    goes to the form's first field.
    """
    gettext = i18n.translations(locale).gettext
    field = exc.field if exc.field is not None and exc.field in fields else fields[0]
    known = SERVICE_MESSAGES.get(exc.message)
    if known is not None:
        return field, FieldError(gettext(known))
    generic = field_message(field, locale) if field == exc.field else ""
    if generic:
        return field, FieldError(generic)
    text = exc.message[:1].upper() + exc.message[1:]
    return field, FieldError(text if text.endswith(".") else text + ".", None if locale == "en" else "en")


def summary_of(errors: Mapping[str, FieldError], ids: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """The GOV.UK error summary's items: a link to each field with an error."""
    ids = ids or {}
    return [{"href": "#" + ids.get(k, k), "message": e.message} for k, e in errors.items()]


def _common(locale: str) -> dict[str, Any]:
    return {
        "category_labels": CATEGORY_LABELS,
        "category_hints": CATEGORY_HINTS,
        "state_labels": STATE_LABELS,
        "state_tags": STATE_TAGS,
        "check_labels": CHECK_LABELS,
        "action_labels": ACTION_LABELS,
        "event_labels": EVENT_LABELS,
        "done_labels": DONE_LABELS,
        "section_labels": SECTION_LABELS,
        "group_labels": GROUP_LABELS,
        "staff_fields": STAFF_FIELDS,
        "region_name": lambda kato: region_name(kato, locale),
        "regions": region_options(locale),
        "sections": SECTIONS,
        "categories": tuple(c.value for c in Category),
        "reason_text": lambda raw: reason_text(raw, locale),
        "basis_items": basis_items,
    }


# --- 1. the employer's home ------------------------------------------------------------------------

REGISTER_FIELDS = ("bin", "name", "oked_section", "region_kato")
STAFF_FORM_FIELDS = ("as_of", *(k for k, _ in STAFF_FIELDS))
VACANCY_FIELDS = ("isco", "title", "wage", "region_kato", "posted_on")
VACANCY_IDS = {k: f"vacancy-{k}" for k in VACANCY_FIELDS}


def _employer_page(
    request: Request,
    user: WebUser,
    *,
    form: str = "",
    typed: Mapping[str, str] | None = None,
    errors: Mapping[str, FieldError] | None = None,
    status: int = 200,
) -> Response:
    locale = locale_of(request)
    number = _page_number(request.query_params.get("page", "1"))
    try:
        with transaction(sessions_of(request)) as session:
            actor = actor_of(user)
            mine = store.my_employer(session, actor)
            posted: list[store.VacancyView] = []
            rows: list[store.PermitSummary] = []
            total = 0
            if mine is not None:
                posted = store.vacancies(session, actor, mine.id)
                rows, total = store.permits(
                    session, actor, employer_id=mine.id, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
                )
    except store.LabourError as exc:
        return _problem(request, exc.status)
    pages = max(1, -(-total // PAGE_SIZE))
    if number > pages and total:
        return RedirectResponse(f"{EMPLOYER_PATH}?page={pages}#permits", status_code=303)

    def href(n: int) -> str:
        return EMPLOYER_PATH + (f"?page={n}" if n > 1 else "") + "#permits"

    errors = dict(errors or {})
    ids = VACANCY_IDS if form == "vacancy" else {}
    typed = dict(typed or {})
    staff = mine.staff if mine is not None else None
    if form != "staff" and staff is not None:  # the staff form starts from the figures on record
        typed_staff = {k: str(getattr(staff, k)) for k, _ in STAFF_FIELDS} | {"as_of": staff.as_of.isoformat()}
    else:
        typed_staff = {"as_of": today().isoformat()}
    return page(
        request,
        "labour_employer.html",
        status_code=status,
        employer=mine,
        vacancies=posted,
        rows=rows,
        total=total,
        pages=pages,
        current=number,
        page_links=pagination(number, pages, href),
        prev_href=href(number - 1),
        next_href=href(number + 1),
        first=(number - 1) * PAGE_SIZE + 1,
        last=(number - 1) * PAGE_SIZE + len(rows),
        form=form,
        typed=typed if form else {},
        typed_staff=typed if form == "staff" else typed_staff,
        errors=errors,
        summary=summary_of(errors, ids),
        flash=_flash(request),
        today=today(),
        **_common(locale),
    )


@router.get(EMPLOYER_PATH)
def employer_home(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    if user.role != EMPLOYER:  # the service has no company for any other role (my_employer is None)
        return _problem(request, 403)
    return _employer_page(request, user)


def _checked(request: Request, csrf_token: str) -> WebUser | Response:
    """The signed-in user of a form post with a good CSRF token, or the page that says otherwise."""
    user = user_of(request)
    if user is None:
        return to_sign_in()
    if not csrf_ok(request, csrf_token):
        return _problem(request, 400)
    return user


@router.post(EMPLOYER_PATH + "/register")
def register(
    request: Request,
    csrf_token: Annotated[str, Form()] = "",
    bin: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    oked_section: Annotated[str, Form()] = "",
    region_kato: Annotated[str, Form()] = "",
) -> Response:
    user = _checked(request, csrf_token)
    if isinstance(user, Response):
        return user
    if user.role != EMPLOYER:  # akimats and administrators register companies through the API, unbound
        return _problem(request, 403)
    locale = locale_of(request)
    typed = {"bin": bin.strip()[:32], "name": name.strip()[:MAX_TEXT], "oked_section": oked_section.strip()}
    typed["region_kato"] = region_kato.strip()
    errors: dict[str, FieldError] = {}
    try:  # checked here too, so that every field's error is shown at once
        decode_bin(typed["bin"])
    except InvalidBin:
        errors["bin"] = FieldError(field_message("bin", locale))
    if not typed["name"]:
        errors["name"] = FieldError(field_message("name", locale))
    if typed["oked_section"] not in SECTIONS:
        errors["oked_section"] = FieldError(field_message("oked_section", locale))
    if typed["region_kato"] not in BY_KATO:
        errors["region_kato"] = FieldError(field_message("region_kato", locale))
    if not errors:
        try:
            with transaction(sessions_of(request)) as session:
                store.register_employer(session, actor_of(user), now=utc_now(), **typed)
        except store.LabourError as exc:
            if exc.status not in (409, 422):
                return _problem(request, exc.status)
            field, error = service_error(exc, REGISTER_FIELDS, locale)
            errors[field] = error
    if errors:
        return _employer_page(request, user, form="register", typed=typed, errors=errors, status=422)
    return _done(request, "register", EMPLOYER_PATH)


def _my_employer_id(request: Request, user: WebUser) -> int | Response:
    """The signed-in employer's company id; the page to show instead when there is none (or no right)."""
    if user.role != EMPLOYER:
        return _problem(request, 403)
    try:
        with transaction(sessions_of(request)) as session:
            mine = store.my_employer(session, actor_of(user))
    except store.LabourError as exc:
        return _problem(request, exc.status)
    if mine is None:
        return RedirectResponse(EMPLOYER_PATH, status_code=303)
    return mine.id


@router.post(EMPLOYER_PATH + "/staff")
def staff_post(
    request: Request,
    csrf_token: Annotated[str, Form()] = "",
    as_of: Annotated[str, Form()] = "",
    citizens_1_2: Annotated[str, Form()] = "",
    foreigners_1_2: Annotated[str, Form()] = "",
    citizens_3_4: Annotated[str, Form()] = "",
    foreigners_3_4: Annotated[str, Form()] = "",
    ict: Annotated[str, Form()] = "",
) -> Response:
    user = _checked(request, csrf_token)
    if isinstance(user, Response):
        return user
    employer_id = _my_employer_id(request, user)
    if isinstance(employer_id, Response):
        return employer_id
    locale = locale_of(request)
    raw = {
        "citizens_1_2": citizens_1_2,
        "foreigners_1_2": foreigners_1_2,
        "citizens_3_4": citizens_3_4,
        "foreigners_3_4": foreigners_3_4,
        "ict": ict,
    }
    typed = {"as_of": as_of.strip()[:32], **{k: v.strip()[:16] for k, v in raw.items()}}
    errors: dict[str, FieldError] = {}
    day = _date(as_of)
    if day is None:
        errors["as_of"] = FieldError(field_message("as_of", locale))
    counts: dict[str, int] = {}
    for key, text in raw.items():
        n = _count(text)
        if n is None:
            errors[key] = FieldError(field_message(key, locale))
        else:
            counts[key] = n
    if not errors and day is not None:
        try:
            with transaction(sessions_of(request)) as session:
                store.set_staff(session, actor_of(user), employer_id, Staff(**counts), day, utc_now())
        except store.LabourError as exc:
            if exc.status not in (409, 422):
                return _problem(request, exc.status)
            field, error = service_error(exc, STAFF_FORM_FIELDS, locale)
            errors[field] = error
    if errors:
        return _employer_page(request, user, form="staff", typed=typed, errors=errors, status=422)
    return _done(request, "staff", EMPLOYER_PATH + "#staff")


@router.post(EMPLOYER_PATH + "/vacancies")
def vacancy_post(
    request: Request,
    csrf_token: Annotated[str, Form()] = "",
    isco: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    wage: Annotated[str, Form()] = "",
    region_kato: Annotated[str, Form()] = "",
    posted_on: Annotated[str, Form()] = "",
) -> Response:
    user = _checked(request, csrf_token)
    if isinstance(user, Response):
        return user
    employer_id = _my_employer_id(request, user)
    if isinstance(employer_id, Response):
        return employer_id
    locale = locale_of(request)
    typed = {
        "isco": isco.strip()[:8],
        "title": title.strip()[:MAX_TEXT],
        "wage": wage.strip()[:16],
        "region_kato": region_kato.strip(),
        "posted_on": posted_on.strip()[:32],
    }
    errors: dict[str, FieldError] = {}
    if not re.fullmatch(r"\d{4}", typed["isco"]):
        errors["isco"] = FieldError(field_message("isco", locale))
    if not typed["title"]:
        errors["title"] = FieldError(field_message("title", locale))
    amount = _count(wage)
    if amount is None:
        errors["wage"] = FieldError(field_message("wage", locale))
    if typed["region_kato"] not in BY_KATO:
        errors["region_kato"] = FieldError(field_message("region_kato", locale))
    day = _date(posted_on)
    if day is None:
        errors["posted_on"] = FieldError(field_message("posted_on", locale))
    if not errors and amount is not None and day is not None:
        try:
            with transaction(sessions_of(request)) as session:
                store.post_vacancy(
                    session,
                    actor_of(user),
                    employer_id,
                    isco=typed["isco"],
                    region_kato=typed["region_kato"],
                    title=typed["title"],
                    wage=amount,
                    posted_on=day,
                    now=utc_now(),
                )
        except store.LabourError as exc:
            if exc.status not in (409, 422):
                return _problem(request, exc.status)
            field, error = service_error(exc, VACANCY_FIELDS, locale)
            errors[field] = error
    if errors:
        return _employer_page(request, user, form="vacancy", typed=typed, errors=errors, status=422)
    return _done(request, "vacancy", EMPLOYER_PATH + "#vacancies")


# --- 2. applying for a permit ----------------------------------------------------------------------

APPLY_FIELDS = (
    "worker_iin",
    "worker_surname",
    "worker_given_names",
    "worker_nationality",
    "category",
    "isco",
    "region_kato",
    "valid_from",
    "valid_to",
)
APPLY_IDS = {"category": "category-" + Category.category_1.value}  # a radio group's first radio


@dataclass(frozen=True, slots=True)
class Estimate:
    """A fee estimate for the form: the quote and its legal basis (or why there is none yet)."""

    quote: labour_fees.FeeQuote
    basis: tuple[str, ...]
    mrp_value: int
    as_of: dt.date


def estimate(category: str, section: str, valid_from: dt.date, valid_to: dt.date) -> Estimate | None:
    """The fee of a permit as the rules in force on its first day quote it; None when they cannot.

    >>> e = estimate("seasonal", "A", dt.date(2026, 4, 1), dt.date(2026, 8, 31))
    >>> (e.quote.mrp, e.quote.tenge, e.quote.band)
    (24.0, 103800, 'up to 180 days')
    >>> estimate("category_3", "A", dt.date(2026, 4, 1), dt.date(2026, 3, 1)) is None
    True
    """
    if category not in {c.value for c in Category}:
        return None
    try:
        rules = policy(valid_from)
        q = labour_fees.quote(
            Category(category), section, valid_from, valid_to, labour_fees.RateTable.of(rules), rules.mrp
        )
    except (PolicyError, ValueError):  # PolicyNotInForce is a ValueError: before the 2017 rules
        return None
    refs: list[str] = []
    for path in (*q.parameters, "kz.common.mrp"):
        refs.extend(r for r in basis(path) if r not in refs)
    return Estimate(q, tuple(refs), rules.mrp, valid_from)


def _apply_page(
    request: Request,
    user: WebUser,
    employer: store.EmployerView,
    *,
    typed: Mapping[str, str],
    errors: Mapping[str, FieldError] | None = None,
    fee: Estimate | None = None,
    status: int = 200,
) -> Response:
    locale = locale_of(request)
    errors = dict(errors or {})
    return page(
        request,
        "labour_apply.html",
        status_code=status,
        employer=employer,
        typed=typed,
        errors=errors,
        summary=summary_of(errors, APPLY_IDS),
        fee=fee,
        fee_band=reason_text(fee.quote.band, locale) if fee else None,
        today=today(),
        **_common(locale),
    )


def extension_of(base: store.PermitView) -> dict[str, str]:
    """The application form for an extension of ``base``: the same worker (the IIN is typed again: the page
    never holds it whole), job and region, from the day after it ends for the longest extension the rules allow.
    """
    start = base.valid_to + dt.timedelta(days=1)
    category = Category(base.category)
    try:
        rules = policy(start)
        months = rules.extension_months.get(rules.extension_kind(category), 12)
    except ValueError:
        months = 12
    return {
        "extends_id": base.id,
        "worker_surname": base.worker_surname,
        "worker_given_names": base.worker_given_names or "",
        "worker_nationality": base.worker_nationality,
        "category": base.category,
        "isco": base.isco,
        "region_kato": base.region_kato,
        "valid_from": start.isoformat(),
        "valid_to": (start + dt.timedelta(days=round(months * 365.25 / 12) - 1)).isoformat(),
    }


def _my_employer(request: Request, user: WebUser) -> store.EmployerView | Response:
    """The signed-in employer's company; the page to show instead when there is none (or no right)."""
    if user.role != EMPLOYER:
        return _problem(request, 403)
    try:
        with transaction(sessions_of(request)) as session:
            mine = store.my_employer(session, actor_of(user))
    except store.LabourError as exc:
        return _problem(request, exc.status)
    if mine is None:  # register the company first
        return RedirectResponse(EMPLOYER_PATH, status_code=303)
    return mine


@router.get(APPLY_PATH)
def apply_form(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    mine = _my_employer(request, user)
    if isinstance(mine, Response):
        return mine
    extends = _permit_id(request.query_params.get("extends", ""))
    if not extends:
        start = today() + dt.timedelta(days=30)
        typed = {
            "region_kato": mine.region_kato,
            "valid_from": start.isoformat(),
            "valid_to": (start + dt.timedelta(days=364)).isoformat(),
        }
        return _apply_page(request, user, mine, typed=typed)
    try:  # an extension: the permit it extends gives the worker, the job and the next term
        with transaction(sessions_of(request)) as session:
            base = store.permit(session, actor_of(user), extends, utc_now())
    except store.LabourError as exc:
        return _problem(request, exc.status)
    return _apply_page(request, user, mine, typed=extension_of(base))
    return _apply_page(request, user, mine, typed=typed)


@router.post(APPLY_PATH)
def apply_post(
    request: Request,
    csrf_token: Annotated[str, Form()] = "",
    intent: Annotated[str, Form()] = "apply",
    worker_iin: Annotated[str, Form()] = "",
    worker_surname: Annotated[str, Form()] = "",
    worker_given_names: Annotated[str, Form()] = "",
    worker_nationality: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "",
    isco: Annotated[str, Form()] = "",
    region_kato: Annotated[str, Form()] = "",
    valid_from: Annotated[str, Form()] = "",
    valid_to: Annotated[str, Form()] = "",
    extends_id: Annotated[str, Form()] = "",
) -> Response:
    user = _checked(request, csrf_token)
    if isinstance(user, Response):
        return user
    mine = _my_employer(request, user)
    if isinstance(mine, Response):
        return mine
    locale = locale_of(request)
    typed = {
        "worker_iin": re.sub(r"\s", "", worker_iin)[:32],
        "worker_surname": worker_surname.strip()[:MAX_TEXT],
        "worker_given_names": worker_given_names.strip()[:MAX_TEXT],
        "worker_nationality": worker_nationality.strip().upper()[:8],
        "category": category.strip(),
        "isco": isco.strip()[:8],
        "region_kato": region_kato.strip(),
        "valid_from": valid_from.strip()[:32],
        "valid_to": valid_to.strip()[:32],
        "extends_id": _permit_id(extends_id),
    }
    errors: dict[str, FieldError] = {}
    start, end = _date(valid_from), _date(valid_to)
    if typed["category"] not in CATEGORY_LABELS:
        errors["category"] = FieldError(field_message("category", locale))
    if start is None:
        errors["valid_from"] = FieldError(field_message("valid_from", locale))
    if end is None or (start is not None and end < start):
        errors["valid_to"] = FieldError(field_message("valid_to", locale))
    fee = estimate(typed["category"], mine.oked_section, start, end) if start and end and not errors else None
    if intent == "estimate":  # only the fee: the worker's fields need not be filled in yet
        return _apply_page(request, user, mine, typed=typed, errors=errors, fee=fee, status=422 if errors else 200)
    if typed["worker_iin"] and not re.fullmatch(r"\d{12}", typed["worker_iin"]):  # none: the check says so
        errors["worker_iin"] = FieldError(field_message("worker_iin", locale))
    if not typed["worker_surname"] or len(typed["worker_surname"]) > 80:
        errors["worker_surname"] = FieldError(field_message("worker_surname", locale))
    if len(typed["worker_given_names"]) > 80:
        errors["worker_given_names"] = FieldError(field_message("worker_given_names", locale))
    if not re.fullmatch(r"[A-Z]{3}", typed["worker_nationality"]):
        errors["worker_nationality"] = FieldError(field_message("worker_nationality", locale))
    if not re.fullmatch(r"\d{4}", typed["isco"]):
        errors["isco"] = FieldError(field_message("isco", locale))
    if typed["region_kato"] not in BY_KATO:
        errors["region_kato"] = FieldError(field_message("region_kato", locale))
    if errors or start is None or end is None:
        ordered = {k: errors[k] for k in APPLY_FIELDS if k in errors}
        return _apply_page(request, user, mine, typed=typed, errors=ordered, fee=fee, status=422)
    try:
        with transaction(sessions_of(request)) as session:
            made = store.apply(
                session,
                actor_of(user),
                employer_id=mine.id,
                worker_iin=typed["worker_iin"] or None,
                worker_surname=typed["worker_surname"],
                worker_given_names=typed["worker_given_names"] or None,
                worker_nationality=typed["worker_nationality"],
                category=typed["category"],
                isco=typed["isco"],
                region_kato=typed["region_kato"],
                valid_from=start,
                valid_to=end,
                applied_on=today(),
                extends_id=typed["extends_id"] or None,
                now=utc_now(),
            )
    except store.LabourError as exc:
        if exc.status not in (409, 422):
            return _problem(request, exc.status)
        field, error = service_error(exc, APPLY_FIELDS, locale)
        return _apply_page(request, user, mine, typed=typed, errors={field: error}, fee=fee, status=exc.status)
    return _done(request, "apply", f"{EMPLOYER_PATH}/permits/{made.id}", state=made.state)


# --- 3. one permit ---------------------------------------------------------------------------------

ACTION_FIELDS = ("action", "reason", "payment_ref")


def _permit_id(text: str) -> str:
    """The permit id of an address (a UUID); "" when it is not one, so the service answers 404 (or 403)."""
    value = text.strip().lower()
    return value if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value) else ""


def _permit_page(
    request: Request,
    user: WebUser,
    base: str,
    permit_id: str,
    *,
    action: str = "",
    typed: Mapping[str, str] | None = None,
    errors: Mapping[str, FieldError] | None = None,
    status: int = 200,
) -> Response:
    locale = locale_of(request)
    try:
        with transaction(sessions_of(request)) as session:
            found = store.permit(session, actor_of(user), permit_id, utc_now())
    except store.LabourError as exc:
        return _problem(request, exc.status)
    errors = dict(errors or {})
    ids = {"reason": f"reason-{action}", "payment_ref": "payment_ref", "action": f"action-{action or 'none'}"}
    failed = sum(1 for c in found.checks if not c.passed)
    return page(
        request,
        "labour_permit.html",
        status_code=status,
        permit=found,
        base=base,
        back_href=EMPLOYER_PATH if base == EMPLOYER_PATH else QUEUE_PATH,
        failed=failed,
        action_url=f"{base}/permits/{found.id}/actions",
        fee_band=reason_text(found.fee.band, locale),
        fee_known=found.fee.mrp > 0 or found.category == Category.ict.value,
        action=action,
        typed=typed or {},
        errors=errors,
        summary=summary_of(errors, ids),
        flash=_flash(request),
        min_reason=MIN_REASON,
        max_reason=MAX_REASON,
        reason_actions=("refuse", "revoke"),
        warning_actions=("refuse", "revoke", "withdraw"),
        **_common(locale),
    )


def _act(
    request: Request, base: str, permit_id: str, csrf_token: str, action: str, reason: str, payment_ref: str
) -> Response:
    user = _checked(request, csrf_token)
    if isinstance(user, Response):
        return user
    locale = locale_of(request)
    pid = _permit_id(permit_id)
    action = action.strip()[:20]
    typed = {"reason": reason.strip()[:MAX_REASON], "payment_ref": payment_ref.strip()[:MAX_REF]}
    errors: dict[str, FieldError] = {}
    if action in ("refuse", "revoke") and len(typed["reason"]) < MIN_REASON:
        errors["reason"] = FieldError(field_message("reason", locale))
    if action == "pay" and not typed["payment_ref"]:
        errors["payment_ref"] = FieldError(field_message("payment_ref", locale))
    if not errors:
        try:
            with transaction(sessions_of(request)) as session:
                done = store.act(
                    session,
                    actor_of(user),
                    pid,
                    action,
                    reason=typed["reason"] or None,
                    payment_ref=typed["payment_ref"] or None,
                    now=utc_now(),
                )
        except (store.LabourError, PermitTransitionError) as exc:
            if exc.status not in (409, 422):
                return _problem(request, exc.status)
            if exc.status == 409 or exc.field not in ACTION_FIELDS:
                errors["action"] = FieldError(field_message("action", locale))
            else:
                field, error = service_error(
                    store.LabourError(exc.status, exc.message, exc.field), ACTION_FIELDS, locale
                )
                errors[field] = error
            return _permit_page(request, user, base, pid, action=action, typed=typed, errors=errors, status=exc.status)
        return _done(request, action, f"{base}/permits/{done.id}", state=done.state)
    return _permit_page(request, user, base, pid, action=action, typed=typed, errors=errors, status=422)


@router.get(EMPLOYER_PATH + "/permits/{permit_id}")
def employer_permit(request: Request, permit_id: str) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    return _permit_page(request, user, EMPLOYER_PATH, _permit_id(permit_id))


@router.get("/akimat/permits/{permit_id}")
def akimat_permit(request: Request, permit_id: str) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    return _permit_page(request, user, "/akimat", _permit_id(permit_id))


@router.get(EMPLOYER_PATH + "/permits/{permit_id}/actions")
@router.get("/akimat/permits/{permit_id}/actions")
def actions_get(request: Request, permit_id: str) -> Response:
    """The address of a page re-rendered after a refused action: reloading it shows the permit."""
    base = "/akimat" if request.url.path.startswith("/akimat") else EMPLOYER_PATH
    return RedirectResponse(f"{base}/permits/{_permit_id(permit_id)}", status_code=303)


@router.post(EMPLOYER_PATH + "/permits/{permit_id}/actions")
def employer_act(
    request: Request,
    permit_id: str,
    csrf_token: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    payment_ref: Annotated[str, Form()] = "",
) -> Response:
    return _act(request, EMPLOYER_PATH, permit_id, csrf_token, action, reason, payment_ref)


@router.post("/akimat/permits/{permit_id}/actions")
def akimat_act(
    request: Request,
    permit_id: str,
    csrf_token: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    payment_ref: Annotated[str, Form()] = "",
) -> Response:
    return _act(request, "/akimat", permit_id, csrf_token, action, reason, payment_ref)


# --- 4. the akimat's queue -------------------------------------------------------------------------

ANY = "all"


@dataclass(frozen=True, slots=True)
class QueueForm:
    """The queue's filters as understood (a wrong value falls back to the default, never a crash)."""

    state: str  # a PermitState, or ANY
    region: str  # a KATO code, or ""
    year: int | None
    page: int


def parse_queue(params: Mapping[str, str]) -> QueueForm:
    """Read the queue's query leniently: pending permits of any region and year by default.

    >>> parse_queue({"state": "fee_due", "region": "750000000", "year": "2026", "page": "2"})
    QueueForm(state='fee_due', region='750000000', year=2026, page=2)
    >>> parse_queue({"state": "nope", "region": "1", "year": "26", "page": "-1"})
    QueueForm(state='pending', region='', year=None, page=1)
    """
    state = params.get("state", PermitState.pending.value)
    region = params.get("region", "")
    return QueueForm(
        state if state in STATE_LABELS or state == ANY else PermitState.pending.value,
        region if region in BY_KATO else "",
        _year(params.get("year", ""), None),
        _page_number(params.get("page", "1")),
    )


def queue_url(state: str = "pending", region: str = "", year: int | None = None, page_number: int = 1) -> str:
    """The address of a queue page (defaults left out).

    >>> queue_url(), queue_url("all", "750000000", 2026, 2)
    ('/akimat/permits', '/akimat/permits?state=all&region=750000000&year=2026&page=2')
    """
    values = {
        "state": state if state != "pending" else None,
        "region": region or None,
        "year": year,
        "page": page_number if page_number != 1 else None,
    }
    clean = {k: str(v) for k, v in values.items() if v is not None}
    return QUEUE_PATH + ("?" + urlencode(clean) if clean else "")


@router.get(QUEUE_PATH)
def queue(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    if user.role == "employer":  # an employer's own permits are listed on its home page
        return RedirectResponse(EMPLOYER_PATH + "#permits", status_code=303)
    locale = locale_of(request)
    form = parse_queue(request.query_params)
    try:
        with transaction(sessions_of(request)) as session:
            rows, total = store.permits(
                session,
                actor_of(user),
                state=None if form.state == ANY else form.state,
                region_kato=form.region or None,
                year=form.year,
                limit=PAGE_SIZE,
                offset=(form.page - 1) * PAGE_SIZE,
            )
    except store.LabourError as exc:
        return _problem(request, exc.status)
    pages = max(1, -(-total // PAGE_SIZE))
    if form.page > pages and total:
        return RedirectResponse(queue_url(form.state, form.region, form.year, pages), status_code=303)

    def href(n: int) -> str:
        return queue_url(form.state, form.region, form.year, n)

    return page(
        request,
        "labour_queue.html",
        form=form,
        rows=rows,
        total=total,
        pages=pages,
        page_links=pagination(form.page, pages, href),
        prev_href=href(form.page - 1),
        next_href=href(form.page + 1),
        first=(form.page - 1) * PAGE_SIZE + 1,
        last=(form.page - 1) * PAGE_SIZE + len(rows),
        states=tuple(STATE_LABELS),
        any_state=ANY,
        years=years_list(),
        clear_href=QUEUE_PATH,
        **_common(locale),
    )


# --- 5. quota usage --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuotaRow:
    """One region's quota for one category with its usage bar (0..BAR_STEPS)."""

    usage: store.Usage
    width: int
    over: bool  # more issued and reserved than allocated


def quota_rows(usages: Sequence[store.Usage], locale: str) -> list[QuotaRow]:
    """Usage by region name (in ``locale``) then category in the rules' order, with bar widths.

    >>> almaty = "750000000"
    >>> rows = [store.Usage(2026, almaty, "category_4", 10, 9, 3), store.Usage(2026, almaty, "category_3", 500, 0, 1)]
    >>> [(r.usage.category, r.width, r.over) for r in quota_rows(rows, "en")]
    [('category_3', 1, False), ('category_4', 20, True)]
    """
    order = list(CATEGORY_LABELS)

    def key(u: store.Usage) -> tuple[str, int]:
        return (region_name(u.region_kato, locale).casefold(), order.index(u.category) if u.category in order else 99)

    out = []
    for u in sorted(usages, key=key):
        share = u.used_share if u.allocated else (1.0 if u.issued + u.reserved else 0.0)
        width = min(BAR_STEPS, max(1 if share > 0 else 0, round(share * BAR_STEPS)))  # any use shows
        out.append(QuotaRow(u, width, u.issued + u.reserved > u.allocated))
    return out


@router.get(QUOTA_PATH)
def quota(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    locale = locale_of(request)
    year = _year(request.query_params.get("year", ""), None) or today().year
    region = request.query_params.get("region", "")
    region = region if region in BY_KATO else ""
    try:
        with transaction(sessions_of(request)) as session:
            usages = store.quota_usage(session, actor_of(user), year, region or None)
    except store.LabourError as exc:
        return _problem(request, exc.status)
    totals: dict[str, dict[str, int]] = {}
    for u in usages:
        t = totals.setdefault(u.category, {"allocated": 0, "issued": 0, "reserved": 0, "left": 0})
        t["allocated"] += u.allocated
        t["issued"] += u.issued
        t["reserved"] += u.reserved
        t["left"] += u.left
    return page(
        request,
        "labour_quota.html",
        year=year,
        region=region,
        years=years_list(),
        rows=quota_rows(usages, locale),
        totals=[(c, totals[c]) for c in CATEGORY_LABELS if c in totals],
        **_common(locale),
    )


# --- 6. fees: the revenue report and the calculator ------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeeTotals:
    """The report's totals: permits and tenge."""

    permits: int
    fee_tenge: int


def sorted_fee_rows(rows: Sequence[store.FeeRow], locale: str) -> list[store.FeeRow]:
    """The report by region name, sector group and category (the rules' order)."""
    order = list(CATEGORY_LABELS)
    return sorted(
        rows,
        key=lambda r: (
            region_name(r.region_kato, locale).casefold(),
            r.sector_group or "~",
            order.index(r.category) if r.category in order else 99,
        ),
    )


@router.get(FEES_PATH)
def fees(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    locale = locale_of(request)
    params = request.query_params
    year = _year(params.get("year", ""), None) or today().year
    try:
        with transaction(sessions_of(request)) as session:
            report = store.fee_report(session, actor_of(user), year)
    except store.LabourError as exc:
        return _problem(request, exc.status)
    # the calculator (a GET form: it changes nothing)
    typed = {k: params.get(k, "").strip()[:32] for k in ("category", "section", "valid_from", "valid_to")}
    errors: dict[str, FieldError] = {}
    fee: Estimate | None = None
    if params.get("calculate"):
        start, end = _date(typed["valid_from"]), _date(typed["valid_to"])
        if typed["category"] not in CATEGORY_LABELS:
            errors["category"] = FieldError(field_message("category", locale))
        if typed["section"] not in SECTIONS:
            errors["section"] = FieldError(field_message("section", locale))
        if start is None or start < EFFECTIVE_FROM:
            errors["valid_from"] = FieldError(field_message("valid_from", locale))
        if end is None or (start is not None and end < start):
            errors["valid_to"] = FieldError(field_message("valid_to", locale))
        if not errors and start is not None and end is not None:
            fee = estimate(typed["category"], typed["section"], start, end)
            if fee is None:  # a seasonal term beyond the longest rate
                errors["valid_to"] = FieldError(
                    i18n.translations(locale).gettext("No rate covers a term this long for this category")
                )
    return page(
        request,
        "labour_fees.html",
        year=year,
        years=years_list(),
        report=sorted_fee_rows(report, locale),
        totals=FeeTotals(sum(r.permits for r in report), sum(r.fee_tenge for r in report)),
        typed=typed,
        errors=errors,
        summary=summary_of(errors),
        fee=fee,
        fee_band=reason_text(fee.quote.band, locale) if fee else None,
        **_common(locale),
    )


__all__ = [
    "basis_items",
    "estimate",
    "parse_queue",
    "queue_url",
    "quota_rows",
    "reason_text",
    "region_name",
    "router",
    "service_error",
]
