"""Pages for the migration police: overstay lists, one person's stay and timeline, reasons for an overstay.

Every page calls the same service functions as the registry API (:mod:`koshi.store.overstays`)
with the signed-in user as the actor, so who may read (police, supervisors), record a reason
(police) or recompute everyone's stay status (police) is decided there, and its refusals come
back as pages (403, 404) or as messages next to the form's fields (422).  Police may see
document numbers and names: nothing is masked on these pages.  Lists are read from the stored
stay status (fast); the person page computes the stay fresh from the person's own records.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from koshi.reference.regions import BY_KATO
from koshi.registry import stay
from koshi.store import linkage as linking
from koshi.store import overstays
from koshi.store.db import transaction
from koshi.store.registry import KZ_TIME, PersonDocument, TimelineEntry
from koshi.web import i18n
from koshi.web.labels import N_
from koshi.web.pages import WebUser
from koshi.web.paging import pagination
from koshi.web.police_common import actor_of, sessions_of, to_sign_in, user_of, utc_now
from koshi.web.render import locale_of, page
from koshi.web.security import csrf_ok
from koshi.web.sentences import Text, translate

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
KINDS: tuple[overstays.Kind, ...] = ("current", "soon", "past")
SOON_DAYS = (3, 7, 14, 30)
DEFAULT_SOON = 7
BANDS = ("warning", "fine", "higher_fine", "fine_and_expulsion")
MAX_NOTE = 2000  # as the service's check
FLASH = "police_refresh"  # the session key carrying a refresh's counts to the page it redirects to
LIST_PATH = "/police/overstays"

# --- words shown from data (translated where they are shown) ---------------------------------------

KIND_LABELS: dict[str, str] = {
    "current": N_("Overstaying now"),
    "soon": N_("Soon to overstay"),
    "past": N_("Past overstays"),
}
REGIME_LABELS: dict[str, str] = {
    "eaeu": N_("EAEU citizen"),
    "visa_free": N_("Visa-free"),
    "visa": N_("Visa required"),
}
LIMIT_LABELS: dict[str, str] = {
    "per_entry": N_("Days per entry"),
    "window": N_("Days in any 180"),
    "no_visa": N_("No visa or permit"),
}
BAND_LABELS: dict[str, str] = {
    "none": N_("No sanction"),
    "warning": N_("Warning"),
    "fine": N_("Fine"),
    "higher_fine": N_("Higher fine"),
    "fine_and_expulsion": N_("Fine and expulsion"),
}
BAND_TAGS: dict[str, str] = {
    "none": "govuk-tag--grey",
    "warning": "govuk-tag--yellow",
    "fine": "govuk-tag--orange",
    "higher_fine": "govuk-tag--red",
    "fine_and_expulsion": "govuk-tag--purple",
}
# the service's reason codes (koshi.store.overstays.REASONS), listed here so Babel extracts them
REASON_LABELS: dict[str, str] = {
    "hospital": N_("In hospital or too ill to travel"),
    "force_majeure": N_("Force majeure (natural disaster, border closure)"),
    "transport_cancelled": N_("Transport cancelled or delayed"),
    "documents_pending": N_("Documents or permit under consideration"),
    "data_error": N_("Record error (a missing or wrong border record)"),
    "departed": N_("Departed; the exit is not in the border feed"),
    "other": N_("Other (explained in the note)"),
}
ENTRY_KIND_LABELS: dict[str, str] = {
    "authorization": N_("Travel authorization"),
    "border_event": N_("Border crossing"),
    "registration": N_("Registration at the place of stay"),
    "permit": N_("Permit"),
}
DOC_TYPE_LABELS: dict[str, str] = {
    "P": N_("Passport"),
    "PD": N_("Diplomatic passport"),
    "PS": N_("Service passport"),
    "PO": N_("Official passport"),
    "ID": N_("Identity card"),
    "AC": N_("Crew member certificate"),
    "V": N_("Visa"),
}
SEX_LABELS: dict[str, str] = {"M": N_("Male"), "F": N_("Female"), "X": N_("Unspecified")}
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "direction": {"entry": N_("Entry"), "exit": N_("Exit")},
    "transport": {
        "air": N_("Air"),
        "road": N_("Road"),
        "rail": N_("Rail"),
        "sea": N_("Sea"),
        "pedestrian": N_("On foot"),
    },
    "authorization": {"eta": N_("Electronic travel authorization"), "evisa": N_("E-visa")},
    "purpose": {
        "tourism": N_("Tourism"),
        "business": N_("Business"),
        "private": N_("Private visit"),
        "transit": N_("Transit"),
        "study": N_("Study"),
        "work": N_("Work"),
        "medical": N_("Medical treatment"),
        "other": N_("Other"),
    },
    "decision": {
        "pending": N_("Pending"),
        "approved": N_("Approved"),
        "refused": N_("Refused"),
        "revoked": N_("Revoked"),
    },
    "permit": {
        "temporary_residence": N_("Temporary residence permit"),
        "permanent_residence": N_("Permanent residence permit"),
        "work_permit": N_("Work permit"),
        "long_stay_visa": N_("Long-stay visa"),
        "study": N_("Study permit"),
    },
    "permit_status": {"valid": N_("Valid"), "revoked": N_("Revoked"), "annulled": N_("Annulled")},
    "host_kind": {"individual": N_("Private person"), "legal_entity": N_("Organisation")},
    "channel": {
        "e_qonaq": N_("E-Qonaq"),
        "vmp": N_("Visa and migration portal"),
        "is_mp": N_("IS Migration Police"),
        "counter": N_("In person at a migration office"),
    },
}

# the service's English messages (dates inside) and the sentences the page shows instead
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"^on (?P<date>\d{4}-\d\d-\d\d) the person is in the country \(entered (?P<entry>\d{4}-\d\d-\d\d)\)$"
        ),
        N_("On %(date)s the person is in the country (entered on %(entry)s). Plan from that entry or a later date."),
    ),
    (
        re.compile(
            r"^(?P<date>\d{4}-\d\d-\d\d) falls inside a recorded stay "
            r"\((?P<start>\d{4}-\d\d-\d\d) to (?P<end>\d{4}-\d\d-\d\d)\)$"
        ),
        N_("%(date)s falls inside a recorded stay (%(start)s to %(end)s). Choose a date outside it."),
    ),
    (
        re.compile(r"^kz\.stay is not in force on (?P<date>\d{4}-\d\d-\d\d): its first version starts (?P<start>\S+)$"),
        N_("The stay rules are not in force on %(date)s: they apply from %(start)s."),
    ),
    (
        re.compile(r"^at most (?P<limit>\d+) days in any (?P<window>\d+) \(kz\.stay\.window\)$"),
        N_("At most %(limit)s days in any %(window)s days (parameter kz.stay.window)."),
    ),
    (
        re.compile(r"^at most (?P<days>\d+) days per entry \(kz\.stay\.per_entry\)$"),
        N_("At most %(days)s days per entry (parameter kz.stay.per_entry)."),
    ),
    (
        re.compile(r"^days under a residence or work permit do not count \(Resolution No\. 148\)$"),
        N_("Days under a residence or work permit do not count (Resolution No. 148)."),
    ),
    (
        re.compile(
            r"^a visa or a permit must cover every day of stay \(kz\.stay\.regimes: not a visa-free nationality\)$"
        ),
        N_("A visa or a permit must cover every day of stay: not a visa-free nationality (parameter kz.stay.regimes)."),
    ),
)


def message(raw: str, locale: str) -> Text:
    """The service's English ``raw`` as a sentence in ``locale`` (dates formatted for it).

    >>> message("at most 30 days per entry (kz.stay.per_entry)", "en").text
    'At most 30 days per entry (parameter kz.stay.per_entry).'
    >>> message("something new", "ru")
    Text(text='something new', lang='en', detail='')
    """
    return translate(raw, _MESSAGES, locale)


# --- common ----------------------------------------------------------------------------------------


def today() -> dt.date:
    """Today in Kazakhstan (UTC+5): the day stays are counted on."""
    return (utc_now() + stay.KZ_OFFSET).date()


def _problem(request: Request, status: int) -> Response:
    return page(request, "police_problem.html", status_code=status, problem=status)


def region_name(kato: str | None, locale: str) -> str:
    """A region's name in ``locale`` with its KATO code; the code alone when it is not a region's."""
    if not kato:
        return ""
    region = BY_KATO.get(str(kato))
    if region is None:
        return str(kato)
    name = {"ru": region.name_ru, "kk": region.name_kk}.get(locale, region.name_en)
    return f"{name} ({kato})"


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        return None


def fine_text(band: str, mrp: int | None, kzt: int | None, locale: str) -> str:
    """A fine band in words, with the amount where the law publishes it (MRP, and tenge when known)."""
    gettext = i18n.translations(locale).gettext
    label = gettext(BAND_LABELS.get(band, band))
    if band != "fine" or not mrp:
        return label
    amount = gettext("%(mrp)s MRP") % {"mrp": i18n.format_number(mrp, locale)}
    if kzt:
        amount = gettext("%(mrp)s MRP, %(kzt)s tenge") % {
            "mrp": i18n.format_number(mrp, locale),
            "kzt": i18n.format_number(kzt, locale),
        }
    return gettext("%(band)s: %(amount)s") % {"band": label, "amount": amount}


def band_note(on: dt.date, locale: str) -> str:
    """The art. 517 part 3 bands in one sentence, from the parameters in force on ``on``."""
    gettext = i18n.translations(locale).gettext
    try:
        rules = stay.policy(on)
    except ValueError:
        return ""
    return gettext(
        "Fine bands of the Administrative Code (KoAP RK) art. 517 part 3, by days of overstay: up to %(warning)s days "
        "a warning; up to %(fine)s days a fine of %(mrp)s MRP; up to %(higher)s days a higher fine; more than "
        "%(higher)s days a fine and expulsion."
    ) % {
        "warning": rules.warning_max_days,
        "fine": rules.fine_max_days,
        "mrp": rules.fine_mrp,
        "higher": rules.higher_max_days,
    }


def _common(locale: str) -> dict[str, Any]:
    return {
        "kind_labels": KIND_LABELS,
        "regime_labels": REGIME_LABELS,
        "limit_labels": LIMIT_LABELS,
        "band_labels": BAND_LABELS,
        "band_tags": BAND_TAGS,
        "reason_labels": REASON_LABELS,
        "fine_text": lambda band, mrp=None, kzt=None: fine_text(band, mrp, kzt, locale),
    }


# --- 1. the lists ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListForm:
    """The list's query as typed (kept in the form) and as understood (given to the service)."""

    kind: overstays.Kind
    days: int
    nationality: str | None
    band: str | None
    page: int
    typed: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)  # field -> msgid


def parse_list(params: Mapping[str, str]) -> ListForm:
    """Read the list's query leniently: a wrong filter is reported and ignored, never a crash.

    >>> f = parse_list({"kind": "soon", "days": "14", "nationality": "uzb", "band": "nope"})
    >>> (f.kind, f.days, f.nationality, f.band, f.errors)
    ('soon', 14, 'UZB', None, {'band': 'Select a fine band from the list'})
    """
    kind_text = params.get("kind", "current")
    kind: overstays.Kind = next((k for k in KINDS if k == kind_text), "current")
    typed = {k: params.get(k, "").strip()[:32] for k in ("days", "nationality", "band")}
    errors: dict[str, str] = {}
    days = DEFAULT_SOON
    if typed["days"]:
        if typed["days"].isdigit() and int(typed["days"]) in SOON_DAYS:
            days = int(typed["days"])
        else:
            errors["days"] = N_("Select how many days ahead to look from the list")
    typed["days"] = str(days) if "days" not in errors else typed["days"]
    nationality = typed["nationality"].upper() or None
    if nationality is not None and not re.fullmatch(r"[A-Z]{3}", nationality):
        errors["nationality"] = N_("Enter a nationality as a three-letter code, like UZB")
        nationality = None
    band = typed["band"] or None
    if band is not None and band not in BANDS:
        errors["band"] = N_("Select a fine band from the list")
        band = None
    number = params.get("page", "1")
    page_number = int(number) if number.isdigit() and len(number) <= 6 and int(number) > 0 else 1
    return ListForm(kind, days, nationality, band, page_number, typed, errors)


def list_url(kind: str, days: int, nationality: str | None, band: str | None, page_number: int = 1) -> str:
    """The address of a list page (defaults left out)."""
    values = {
        "kind": kind if kind != "current" else None,
        "days": days if kind == "soon" and days != DEFAULT_SOON else None,
        "nationality": nationality,
        "band": band if kind != "soon" else None,
        "page": page_number if page_number != 1 else None,
    }
    clean = {k: str(v) for k, v in values.items() if v is not None}
    return LIST_PATH + ("?" + urlencode(clean) if clean else "")


@dataclass(frozen=True, slots=True)
class ListRow:
    """A row of a list: who, and the figures the list is about."""

    person_id: int
    document: str
    name: str
    nationality: str
    regime: str
    entry: dt.date | None
    when: dt.date | None  # overstay since / will exceed on / past overstay from
    days: int | None  # days over / days to go
    days_used: int
    limit: str | None
    band: str | None
    fine_mrp: int | None
    missing_exits: int
    reason: str | None
    reason_note: str | None


def _rows(found: overstays.Listing) -> list[ListRow]:
    out = []
    for item in found.items:
        s = item.status
        band: str | None = s["fine_band"]
        fine_mrp: int | None = s["fine_mrp"]
        if found.kind == "current":
            entry, when, days, limit = s["current_entry"], s["overstay_since"], s["overstay_days"], s["overstay_limit"]
        elif found.kind == "soon":
            entry, when, limit, band, fine_mrp = s["current_entry"], s["exceeds_on"], None, None, None
            days = (when - s["as_of"]).days if when is not None else None
        else:
            entry, when, days = s["last_overstay_entry"], s["last_overstay_start"], s["last_overstay_days"]
            limit, band = s["last_overstay_limit"], s["last_fine_band"]
            if days:  # the fine of this overstay (the stored fine is the current one's when there is one)
                fine_mrp = stay.fine_band(days, stay.policy(s["as_of"])).fine_mrp
        name = item.surname + (f", {item.given_names}" if item.given_names else "")
        out.append(
            ListRow(
                person_id=s["person_id"],
                document=f"{item.doc_country} {item.doc_number}",
                name=name,
                nationality=s["nationality"],
                regime=s["regime"],
                entry=entry,
                when=when,
                days=days,
                days_used=s["days_used"],
                limit=limit,
                band=band,
                fine_mrp=fine_mrp,
                missing_exits=s["missing_exits"],
                reason=item.reason,
                reason_note=item.reason_note,
            )
        )
    return out


def _flash(request: Request) -> dict[str, Any] | None:
    """The counts of a refresh this session just made (shown once)."""
    flash = request.session.pop(FLASH, None)
    if not isinstance(flash, dict):
        return None
    as_of = _date(str(flash.get("as_of", "")))
    return {**flash, "as_of": as_of} if as_of else None


@router.get(LIST_PATH)
def overstay_list(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    locale = locale_of(request)
    form = parse_list(request.query_params)
    try:
        with transaction(sessions_of(request)) as session:
            found = overstays.listing(
                session,
                actor_of(user),
                utc_now(),
                kind=form.kind,
                soon_days=form.days,
                nationality=form.nationality,
                band=form.band if form.kind != "soon" else None,
                page=form.page,
                size=PAGE_SIZE,
            )
    except overstays.RegistryError as exc:
        return _problem(request, exc.status)
    pages = max(1, math.ceil(found.total / PAGE_SIZE))
    if form.page > pages and found.total:
        return RedirectResponse(list_url(form.kind, form.days, form.nationality, form.band, pages), status_code=303)

    def href(n: int) -> str:
        return list_url(form.kind, form.days, form.nationality, form.band, n)

    gettext = i18n.translations(locale).gettext
    summary = [{"href": f"#{name}", "message": gettext(msgid)} for name, msgid in form.errors.items()]
    flash = _flash(request)
    rows = _rows(found)
    return page(
        request,
        "police_overstays.html",
        form=form,
        found=found,
        rows=rows,
        tabs=[(k, list_url(k, form.days, form.nationality, form.band)) for k in KINDS],
        summary=summary,
        errors={k: form.errors.get(k, "") for k in ("days", "nationality", "band")},
        soon_days=SOON_DAYS,
        bands=BANDS,
        pages=pages,
        page_links=pagination(form.page, pages, href),
        prev_href=href(form.page - 1),
        next_href=href(form.page + 1),
        first=(form.page - 1) * PAGE_SIZE + 1,
        last=(form.page - 1) * PAGE_SIZE + len(rows),
        here=list_url(form.kind, form.days, form.nationality, form.band, form.page),
        can_refresh=user.role in overstays.REFRESHERS,
        flash=flash,
        clear_href=list_url(form.kind, DEFAULT_SOON, None, None),
        band_note=band_note(found.as_of or today(), locale),
        **_common(locale),
    )


@router.post(LIST_PATH + "/refresh")
def refresh(
    request: Request,
    csrf_token: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
    days: Annotated[str, Form()] = "",
) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    if not csrf_ok(request, csrf_token):
        return _problem(request, 400)
    soon_days = int(days) if days.isdigit() and int(days) in SOON_DAYS else DEFAULT_SOON
    try:
        with transaction(sessions_of(request)) as session:
            report = overstays.refresh(session, actor_of(user), today(), utc_now(), soon_days=soon_days)
    except overstays.RegistryError as exc:
        return _problem(request, exc.status)
    request.session[FLASH] = {
        "as_of": report.as_of.isoformat(),
        "people": report.people,
        "present": report.present,
        "overstaying": report.overstaying,
        "soon": report.soon,
        "days": soon_days,
    }
    target = back if back == LIST_PATH or back.startswith(LIST_PATH + "?") else LIST_PATH
    return RedirectResponse(target, status_code=303)


# --- 2. one person ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Detail:
    """One detail of a timeline record: a translated label and its value as shown."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """A record on the person's timeline, ready to show."""

    on: dt.date
    at: dt.datetime | None  # in Kazakhstan time
    kind: str
    record_id: str
    document: str
    details: tuple[Detail, ...]


def timeline_rows(
    entries: Sequence[TimelineEntry], documents: Sequence[PersonDocument], locale: str
) -> list[TimelineRow]:
    """Every record with its kind and the details an officer reads, in the timeline's order."""
    gettext = i18n.translations(locale).gettext
    docs = {d.id: f"{d.doc_country} {d.doc_number}" for d in documents}

    def choice(group: str, value: Any) -> str:
        if value is None:
            return ""
        return gettext(CHOICE_LABELS[group].get(str(value), str(value)))

    def day(value: Any) -> str:
        return i18n.format_date(value, locale) if isinstance(value, dt.date) else ""

    def span(start: Any, end: Any) -> str:
        if start is None and end is None:
            return ""
        if end is None:
            return gettext("from %(start)s, no end") % {"start": day(start)}
        return gettext("%(start)s to %(end)s") % {"start": day(start), "end": day(end)}

    out = []
    for e in entries:
        d = e.data
        pairs: list[tuple[str, str]]
        if e.kind == "border_event":
            pairs = [
                (N_("Direction"), choice("direction", d.get("direction"))),
                (N_("Crossing point"), str(d.get("crossing_point") or "")),
                (N_("Transport"), choice("transport", d.get("transport"))),
            ]
        elif e.kind == "authorization":
            pairs = [
                (N_("Kind"), choice("authorization", d.get("kind"))),
                (N_("Purpose"), choice("purpose", d.get("purpose"))),
                (N_("Trip"), span(d.get("trip_from"), d.get("trip_to"))),
                (N_("Decision"), choice("decision", d.get("decision"))),
                (N_("Valid"), span(d.get("valid_from"), d.get("valid_to"))),
                (N_("Days per entry"), i18n.format_number(d.get("stay_days"), locale)),
                (N_("Region"), region_name(d.get("region_kato"), locale)),
            ]
        elif e.kind == "registration":
            pairs = [
                (N_("Host"), choice("host_kind", d.get("host_kind"))),
                (N_("Host IIN or BIN"), str(d.get("host_id") or "")),
                (N_("Address"), str(d.get("address") or "")),
                (N_("Region"), region_name(d.get("region_kato"), locale)),
                (N_("Registered on"), day(d.get("registered_on"))),
                (N_("Valid until"), day(d.get("valid_to"))),
                (N_("Channel"), choice("channel", d.get("channel"))),
            ]
        else:
            pairs = [
                (N_("Kind"), choice("permit", d.get("kind"))),
                (N_("Issued on"), day(d.get("issued_on"))),
                (N_("Valid"), span(d.get("valid_from"), d.get("valid_to"))),
                (N_("Status"), choice("permit_status", d.get("status"))),
                (N_("Revoked on"), day(d.get("revoked_on"))),
                (N_("Region"), region_name(d.get("region_kato"), locale)),
            ]
        details = tuple(Detail(gettext(label), value) for label, value in pairs if value)
        at = e.at.astimezone(KZ_TIME) if e.at is not None else None
        out.append(TimelineRow(e.on, at, e.kind, e.record_id, docs.get(e.document_id, ""), details))
    return out


@dataclass(frozen=True, slots=True)
class OverstayView:
    """An overstay of the person (the current one or a past one) with its reasons, newest first."""

    entry: dt.date
    start: dt.date
    end: dt.date
    days: int
    limit: str
    current: bool
    band: stay.FineBand
    reasons: tuple[overstays.OverstayReason, ...]


def overstay_views(found: overstays.PersonStay) -> list[OverstayView]:
    """The current overstay first, then the past ones newest first, each with its reasons."""
    c = found.control
    rules = stay.policy(c.on)
    by_entry: dict[dt.date, list[overstays.OverstayReason]] = {}
    for r in found.reasons:
        by_entry.setdefault(r.stay_entry, []).append(r)
    out = []
    if c.overstay_days and c.current_entry and c.overstay_since and c.overstay_limit:
        out.append(
            OverstayView(
                c.current_entry,
                c.overstay_since,
                c.on,
                c.overstay_days,
                c.overstay_limit,
                True,
                stay.fine_band(c.overstay_days, rules),
                tuple(reversed(by_entry.get(c.current_entry, []))),
            )
        )
    for o in reversed(c.past_overstays):
        out.append(
            OverstayView(
                o.entry,
                o.start,
                o.end,
                o.days,
                o.limit,
                False,
                stay.fine_band(o.days, rules),
                tuple(reversed(by_entry.get(o.entry, []))),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class ReasonError:
    """A refusal of a reason, shown next to its field in the form of the overstay ``entry``."""

    entry: str
    field: str  # code | note | stay_entry
    message: str  # translated


def reason_error(exc: overstays.RegistryError, entry: str, code: str, locale: str) -> ReasonError:
    """The service's 422 as a translated message on the field it concerns."""
    gettext = i18n.translations(locale).gettext
    if exc.field == "code":
        return ReasonError(entry, "code", gettext("Select a reason from the list"))
    if exc.field == "note":
        if code == "other" and "needs a note" in exc.message:
            return ReasonError(
                entry, "note", gettext("Enter a note saying what happened: the reason “Other” needs one")
            )
        text = gettext("The note must be %(n)s characters or fewer") % {"n": i18n.format_number(MAX_NOTE, locale)}
        return ReasonError(entry, "note", text)
    if exc.field == "stay_entry":
        day = _date(entry)
        text = gettext("Today the records show no overstay of a stay entered on %(date)s") % {
            "date": i18n.format_date(day, locale) if day else entry
        }
        return ReasonError(entry, "stay_entry", text)
    return ReasonError(entry, "code", message(exc.message, locale).text)


def _person_id(text: str) -> int:
    """The person id of the address; 0 (nobody) when it is not a number, so the service answers 403 or 404."""
    return int(text) if text.isdigit() and len(text) <= 12 else 0


def _person_page(
    request: Request,
    user: WebUser,
    person_id: int,
    *,
    typed: Mapping[str, str] | None = None,
    error: ReasonError | None = None,
    status: int = 200,
) -> Response:
    locale = locale_of(request)
    gettext = i18n.translations(locale).gettext
    on_text = request.query_params.get("on", "").strip()[:32]
    entry_text = request.query_params.get("entry", "").strip()[:32]
    field_errors: dict[str, str] = {}
    now = utc_now()
    on = today()
    if on_text:
        parsed = _date(on_text)
        if parsed is None:
            field_errors["on"] = gettext("Enter a real date, for example %(example)s") % {"example": on.isoformat()}
        else:
            on = parsed
    entry = None
    if entry_text:
        entry = _date(entry_text)
        if entry is None:
            field_errors["entry"] = gettext("Enter a real date, for example %(example)s") % {"example": on.isoformat()}
    try:
        with transaction(sessions_of(request)) as session:
            links = linking.history(session, actor_of(user), person_id, now)
    except overstays.RegistryError as exc:
        return _problem(request, exc.status)
    if links.merged_into is not None:  # its documents are another person's now: say whose
        return page(request, "police_linkage_merged.html", links=links)
    try:
        try:
            with transaction(sessions_of(request)) as session:
                found = overstays.person(session, actor_of(user), person_id, on, now, entry)
        except overstays.RegistryError as exc:
            if exc.status != 422 or exc.field != "on":
                raise
            field_errors["on"] = message(exc.message, locale).text
            on = today()
            with transaction(sessions_of(request)) as session:
                found = overstays.person(session, actor_of(user), person_id, on, now, entry)
    except overstays.RegistryError as exc:
        return _problem(request, exc.status)

    views = overstay_views(found)
    summary = [{"href": f"#{name}", "message": text} for name, text in field_errors.items()]
    error_shown = (
        error is not None and error.field != "stay_entry" and any(v.entry.isoformat() == error.entry for v in views)
    )
    if error is not None:
        target = f"#{error.field}-{error.entry}" if error_shown else "#reasons"
        summary.append({"href": target, "message": error.message})
    timeline = found.timeline
    first = timeline.documents[0]
    name = first.surname + (f", {first.given_names}" if first.given_names else "")
    done = request.query_params.get("done", "")
    done_entry = _date(request.query_params.get("entry_saved", ""))
    return page(
        request,
        "police_person.html",
        status_code=status,
        found=found,
        c=found.control,
        name=name,
        documents=timeline.documents,
        doc_type_labels=DOC_TYPE_LABELS,
        sex_labels=SEX_LABELS,
        timeline=timeline_rows(timeline.entries, timeline.documents, locale),
        entry_kind_labels=ENTRY_KIND_LABELS,
        overstays=views,
        error_shown=error_shown,
        reasons=tuple(reversed(found.reasons)),
        basis=[message(b, locale) for b in found.control.basis],
        plan_error=message(found.plan_error, locale) if found.plan_error else None,
        typed_on=on_text,
        typed_entry=entry_text,
        on_is_today=on == today(),
        field_errors={k: field_errors.get(k, "") for k in ("on", "entry")},
        summary=summary,
        error=error,
        typed=typed or {},
        can_set_reason=user.role in overstays.WRITERS,
        reason_codes=tuple(overstays.REASONS),
        max_note=MAX_NOTE,
        horizon=stay.HORIZON_DAYS,
        done=done == "reason",
        done_entry=done_entry,
        band_note=band_note(found.control.on, locale),
        links=links,
        **_common(locale),
    )


@router.get("/police/persons/{person_id}")
def person_page(request: Request, person_id: str) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    return _person_page(request, user, _person_id(person_id))


@router.get("/police/persons/{person_id}/overstays/{entry}/reason")
def reason_get(request: Request, person_id: str, entry: str) -> Response:
    """The address of a page re-rendered after a refused reason: reloading it shows the person."""
    return RedirectResponse(f"/police/persons/{_person_id(person_id)}#reasons", status_code=303)


@router.post("/police/persons/{person_id}/overstays/{entry}/reason")
def reason_post(
    request: Request,
    person_id: str,
    entry: str,
    csrf_token: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    if not csrf_ok(request, csrf_token):
        return _problem(request, 400)
    pid = _person_id(person_id)
    stay_entry = _date(entry)
    locale = locale_of(request)
    try:
        with transaction(sessions_of(request)) as session:
            # an address that names no date names no overstay: the service still checks role and person first
            overstays.set_reason(session, actor_of(user), pid, stay_entry or dt.date.min, code.strip(), note, utc_now())
    except overstays.RegistryError as exc:
        if exc.status != 422:
            return _problem(request, exc.status)
        error = reason_error(exc, entry, code, locale)
        typed = {"entry": entry, "code": code, "note": note}
        return _person_page(request, user, pid, typed=typed, error=error, status=422)
    query = urlencode({"done": "reason", "entry_saved": entry})
    return RedirectResponse(f"/police/persons/{pid}?{query}#overstay-{entry}", status_code=303)


__all__ = [
    "list_url",
    "message",
    "overstay_views",
    "parse_list",
    "reason_error",
    "router",
    "timeline_rows",
    "today",
]
