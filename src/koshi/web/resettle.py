"""Pages for internal migration (resettlers and kandas): the officer's queue and one family, the
matching of families to vacancies, the akimat's region and the analyst's figures.

Every page calls the same service functions as the API (:mod:`koshi.store.resettle`) with the
signed-in user as the actor, so who may approve, place, confirm, pay or read a figure is decided
there; its refusals come back as pages (403, 404) or as messages next to the form (409, 422).  The
paths are under ``/resettlement`` (``/resettle`` is the API's).  The head's IIN is shown masked only.
The rules' and the matching's English sentences (checks, support lines, unmatched families) are
shown translated where the sentence is known (:func:`reason_text`) and marked ``lang="en"`` otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from koshi.reference.regions import BY_KATO, REGIONS
from koshi.resettle import matching as solver
from koshi.store import resettle as store
from koshi.store.db import transaction
from koshi.store.labour import AkimatRegion
from koshi.web import i18n
from koshi.web.labels import N_
from koshi.web.labour import FieldError, basis_items, region_name, region_options, summary_of, today
from koshi.web.pages import WebUser
from koshi.web.paging import pagination
from koshi.web.police_common import actor_of, sessions_of, to_sign_in, user_of, utc_now
from koshi.web.render import locale_of, page
from koshi.web.security import csrf_ok
from koshi.web.sentences import Table, Text, translate

router = APIRouter(include_in_schema=False)

BASE = "/resettlement"
FAMILIES_PATH = BASE + "/families"
MATCHING_PATH = BASE + "/matching"
REGION_PATH = BASE + "/region"
ANALYSIS_PATH = BASE + "/analysis"
PAYMENTS_PATH = BASE + "/payments"
PAGE_SIZE = 25
SECTION_SIZE = 20  # families per section of the region page (each read in full: its forms need the details)
PLACE_CHOICES = 100  # open vacancies offered to place a family by hand
MATCH_SECONDS = 30.0  # the solver's time limit when a page runs a matching (a request should not wait longer)
FLASH = "resettle_flash"  # the session key carrying what a form just did to the page it redirects to
FIRST_YEAR = 2024  # the first year of the resettlement rules Koshi holds
MAX_REASON = 2000
BAR_STEPS = 20  # a quota bar is 0..20 twentieths wide (CSS classes of labour.css: no inline style)
MONTHS = (3, 6, 12)  # the follow-ups after arrival (koshi.resettle.followup.MONTHS)
PAYERS = frozenset({"officer", "akimat", "admin"})  # who may mark a support line paid (the store decides)
RECORDERS = frozenset({"officer", "akimat", "admin"})  # who may record a follow-up (the store decides)
RUNNERS = frozenset({"officer", "supervisor", "admin"})  # who may run a matching (the store decides)

T = TypeVar("T")

# --- words shown from data (translated where they are shown) ---------------------------------------

CATEGORY_LABELS: dict[str, str] = {"resettler": N_("Resettler"), "kandas": N_("Kandas")}
STATE_LABELS: dict[str, str] = {
    "submitted": N_("Waiting for the officer"),
    "checks_failed": N_("Checks failed"),
    "approved": N_("Approved, waiting for a placement"),
    "proposed": N_("Placement proposed"),
    "confirmed": N_("Placement confirmed"),
    "arrived": N_("Arrived"),
    "settled": N_("Settled"),
    "left": N_("Left the region"),
    "refused": N_("Refused"),
    "withdrawn": N_("Withdrawn"),
}
STATE_TAGS: dict[str, str] = {
    "submitted": "govuk-tag--blue",
    "checks_failed": "govuk-tag--red",
    "approved": "govuk-tag--turquoise",
    "proposed": "govuk-tag--yellow",
    "confirmed": "govuk-tag--light-blue",
    "arrived": "govuk-tag--green",
    "settled": "govuk-tag--green",
    "left": "govuk-tag--orange",
    "refused": "govuk-tag--orange",
    "withdrawn": "govuk-tag--grey",
}
CHECK_LABELS: dict[str, str] = {
    "status": N_("Citizenship or kandas status"),
    "job_seeker": N_("Registered as unemployed or a job-seeker"),
    "origin": N_("Origin in a labour-surplus region"),
    "registration": N_("Registered in the origin region long enough"),
    "graduate": N_("Graduate of a named programme"),
    "destination": N_("Receiving regions this year"),
    "family": N_("Family size"),
    "contract": N_("Social contract (kandas)"),
}
ACTION_LABELS: dict[str, str] = {  # the buttons
    "approve": N_("Approve the family"),
    "recheck": N_("Run the checks again"),
    "refuse": N_("Refuse the application"),
    "withdraw": N_("Withdraw the application"),
    "place": N_("Propose this placement"),
    "confirm": N_("Confirm the placement"),
    "decline": N_("Decline the placement"),
    "arrive": N_("Record the arrival"),
    "leave": N_("Record that the family left"),
}
EVENT_LABELS: dict[str, str] = {  # the history's "what happened"
    "apply": N_("Applied"),
    "submit": N_("Applied"),
    "recheck": N_("Checks run again"),
    "approve": N_("Approved"),
    "refuse": N_("Refused"),
    "withdraw": N_("Withdrawn"),
    "place": N_("Placement proposed"),
    "propose": N_("Placement proposed"),
    "match": N_("Placement proposed by a matching"),
    "confirm": N_("Placement confirmed"),
    "decline": N_("Placement declined"),
    "arrive": N_("Arrived"),
    "leave": N_("Left the region"),
    "followup": N_("Follow-up recorded"),
    "pay": N_("Payment recorded"),
    "settle": N_("Settled"),
}
DONE_LABELS: dict[str, str] = {  # the banner after a form
    **EVENT_LABELS,
    "followup": N_("The follow-up is recorded"),
    "pay": N_("The payment is recorded"),
    "run": N_("The matching ran: compare the methods below"),
    "applied": N_("The matching ran and its placements are proposed to the akimats"),
}
ITEM_LABELS: dict[str, str] = {
    "relocation": N_("Relocation subsidy"),
    "rent": N_("Rent and utilities subsidy"),
    "employer": N_("Subsidy to the employer"),
    "housing_certificate": N_("Housing certificate"),
    "repayment": N_("Repayment"),
}
PAYEE_LABELS: dict[str, str] = {"family": N_("Family"), "employer": N_("Employer")}
LINE_STATES: dict[str, str] = {
    "due": N_("Due"),
    "paid": N_("Paid"),
    "repayment_due": N_("To be repaid"),
    "repaid": N_("Repaid"),
}
FOLLOWUP_LABELS: dict[str, str] = {
    "employed": N_("Working"),
    "unemployed": N_("Not working"),
    "not_working_age": N_("Not of working age"),
    "returned": N_("Returned to the origin region"),
    "moved_on": N_("Moved on to another region"),
}
EMPLOYMENT_LABELS: dict[str, str] = {
    "unemployed": N_("Registered as unemployed"),
    "job_seeker": N_("Registered as a job-seeker"),
    "employed": N_("Employed"),
    "none": N_("Not registered"),
}
HOUSING_LABELS: dict[str, str] = {
    "employer": N_("Employer's housing"),
    "service": N_("Service housing"),
    "rental": N_("Rental housing"),
}
PART_LABELS: dict[str, str] = {  # the terms of a placement's score (koshi.resettle.matching)
    "persons": N_("Persons placed"),
    "occupation": N_("Occupation fit"),
    "preference": N_("Preference rank"),
    "housing": N_("Housing fit"),
}
METHOD_LABELS: dict[str, str] = {"optimal": N_("Optimal"), "greedy": N_("Queue order (greedy)")}

FIELD_MESSAGES: dict[str, str] = {
    "reason": N_("Enter the reason"),
    "vacancy_id": N_("Select a vacancy"),
    "housing_id": N_("Select housing from the list"),
    "on": N_("Enter the date, for example 2026-03-01"),
    "contract_signed": N_("A kandas family must sign the 5-year social contract before support is granted"),
    "month": N_("Select the month of the follow-up"),
    "observed_on": N_("Enter the date the family was seen, for example 2026-03-01"),
    "status": N_("Select what the family does now"),
    "able_bodied": N_("Enter the able-bodied members as a whole number, 0 or more"),
    "employed": N_("Enter how many of them work: a whole number, at most the able-bodied members"),
    "paid_on": N_("Enter the day of the payment, for example 2026-03-01"),
    "year": N_("Select a year"),
    "action": N_("This action is not open for the family now. Reload the page to see what you can do."),
}

# --- the services' sentences ------------------------------------------------------------------------
#
# The rules, the matching and the store write English sentences of parts joined by "; " (the facts, then
# the rule). Each part is looked up in :data:`SENTENCES`; a sentence is shown translated when every part
# is known, else as written (marked English). Region names and codes, numbers, states and statuses in a
# part are shown in the page's language.

_D = r"\d{4}-\d\d-\d\d"
_N = r"\d+"


def _table(*rows: tuple[str, str]) -> Table:
    return tuple((re.compile("^" + pattern + "$"), msgid) for pattern, msgid in rows)


def _per_category(pattern: str, resettler: str, kandas: str) -> tuple[tuple[str, str], ...]:
    """One row per category where the sentence names it (a translation then never holds an English word)."""
    return ((pattern.replace("{who}", "resettlers?"), resettler), (pattern.replace("{who}", "kandas"), kandas))


ELIGIBILITY: tuple[tuple[str, str], ...] = (
    (r"a citizen of Kazakhstan", N_("a citizen of Kazakhstan")),
    (r"not a citizen of Kazakhstan", N_("not a citizen of Kazakhstan")),
    (r"resettlers must be citizens", N_("resettlers must be citizens of Kazakhstan")),
    (r"holds kandas status", N_("holds kandas status")),
    (r"does not hold kandas status", N_("does not hold kandas status")),
    (r"kandas must hold the status", N_("kandas must hold the status")),
    (r"does not apply to kandas", N_("does not apply to kandas")),
    (r"does not apply to resettlers", N_("does not apply to resettlers")),
    (r"does not apply to graduates of (?P<programmes>.+)", N_("does not apply to graduates of %(programmes)s")),
    (r"does not apply without a graduate programme", N_("does not apply without a graduate programme")),
    (
        rf"does not apply in (?P<year>{_N}): no social contract is required",
        N_("does not apply in %(year)s: no social contract is required"),
    ),
    (r"registered as unemployed", N_("registered as unemployed")),
    (r"registered as a job seeker", N_("registered as a job-seeker")),
    (r"employed", N_("employed")),
    (r"not registered with an employment centre", N_("not registered with an employment centre")),
    (
        r"resettlers must be registered as unemployed or as job seekers",
        N_("resettlers must be registered as unemployed or as job-seekers"),
    ),
    (r"origin region not given", N_("the origin region is not given")),
    (r"resettlers must come from a labour-surplus region", N_("resettlers must come from a labour-surplus region")),
    (r"moves from (?P<region>.+), a labour-surplus region", N_("moves from %(region)s, a labour-surplus region")),
    (
        r"moves from (?P<region>.+), not a labour-surplus region",
        N_("moves from %(region)s, not a labour-surplus region"),
    ),
    (r"registration date not given", N_("the registration date is not given")),
    (rf"(?P<months>{_N}) months are required", N_("%(months)s months are required")),
    (
        rf"(?P<months>{_N}) months are required \(from (?P<date>{_D})\)",
        N_("%(months)s months are required (from %(date)s)"),
    ),
    (
        rf"registered in the origin region since (?P<date>{_D}), (?P<months>{_N}) months before the application",
        N_("registered in the origin region since %(date)s, %(months)s months before the application"),
    ),
    (
        rf"registered in (?P<region>.+) since (?P<date>{_D}), (?P<months>{_N}) months before the application",
        N_("registered in %(region)s since %(date)s, %(months)s months before the application"),
    ),
    (r"(?P<programme>.+) is not a named programme", N_("%(programme)s is not a named programme")),
    (r"graduation date not given", N_("the graduation date is not given")),
    (
        rf"graduates of (?P<programmes>.+) must apply within (?P<months>{_N}) months of graduating",
        N_("graduates of %(programmes)s must apply within %(months)s months of graduating"),
    ),
    (
        rf"graduates of (?P<programmes>.+) must apply within (?P<months>{_N}) months of graduating "
        rf"\(by (?P<date>{_D})\)",
        N_("graduates of %(programmes)s must apply within %(months)s months of graduating (by %(date)s)"),
    ),
    (
        rf"graduated from (?P<programme>.+) on (?P<date>{_D}), after the application",
        N_("graduated from %(programme)s on %(date)s, after the application"),
    ),
    (
        rf"graduated from (?P<programme>.+) on (?P<date>{_D}), (?P<months>{_N}) months before the application",
        N_("graduated from %(programme)s on %(date)s, %(months)s months before the application"),
    ),
    *_per_category(
        rf"no region receives {{who}} in (?P<year>{_N})",
        N_("no region receives resettlers in %(year)s"),
        N_("no region receives kandas in %(year)s"),
    ),
    *_per_category(
        rf"every preferred region must receive {{who}} in (?P<year>{_N})",
        N_("every preferred region must receive resettlers in %(year)s"),
        N_("every preferred region must receive kandas in %(year)s"),
    ),
    (r"any receiving region accepted", N_("any receiving region is accepted")),
    *_per_category(
        rf"(?P<n>{_N}) regions receive {{who}} in (?P<year>{_N})",
        N_("%(n)s regions receive resettlers in %(year)s"),
        N_("%(n)s regions receive kandas in %(year)s"),
    ),
    *_per_category(
        rf"(?P<regions>.+) (?:does|do) not receive {{who}} in (?P<year>{_N})",
        N_("not receiving resettlers in %(year)s: %(regions)s"),
        N_("not receiving kandas in %(year)s: %(regions)s"),
    ),
    *_per_category(
        rf"(?P<regions>.+) (?:receives|receive) {{who}} in (?P<year>{_N})",
        N_("receiving resettlers in %(year)s: %(regions)s"),
        N_("receiving kandas in %(year)s: %(regions)s"),
    ),
    (rf"family of (?P<size>{_N}), (?P<able>{_N}) able-bodied", N_("family of %(size)s, %(able)s able-bodied")),
    (
        rf"a family has 1 to (?P<max>{_N}) persons, at least one of them able-bodied",
        N_("a family has 1 to %(max)s persons, at least one of them able-bodied"),
    ),
    (
        rf"support requires a (?P<years>{_N})-year social contract in a labour-deficit region from 2026",
        N_("from 2026 support requires a %(years)s-year social contract in a labour-deficit region"),
    ),
    (r"signing is recorded at confirmation", N_("the signing is recorded when the placement is confirmed")),
)
"""The eligibility checks' parts (:mod:`koshi.resettle.eligibility`)."""

_TIMES = rf": (?P<mrp>{_N}) MRP at (?P<rate>{_N}) tenge per MRP in (?P<year>{_N}) = (?P<tenge>{_N}) tenge"
SUPPORT: tuple[tuple[str, str], ...] = (
    (
        rf"relocation subsidy of (?P<per>{_N}) MRP per family member, head included, for (?P<size>{_N})" + _TIMES,
        N_(
            "relocation subsidy of %(per)s MRP per family member, head included, for %(size)s: "
            "%(mrp)s MRP at %(rate)s tenge per MRP in %(year)s = %(tenge)s tenge"
        ),
    ),
    (
        rf"rent subsidy of (?P<month>{_N}) MRP a month for (?P<months>{_N}) months "
        rf"\(range (?P<min>{_N}) to (?P<max>{_N}) MRP\)" + _TIMES,
        N_(
            "rent subsidy of %(month)s MRP a month for %(months)s months (range %(min)s to %(max)s MRP): "
            "%(mrp)s MRP at %(rate)s tenge per MRP in %(year)s = %(tenge)s tenge"
        ),
    ),
    (
        r"subsidy to the employer that helped the family relocate" + _TIMES,
        N_(
            "subsidy to the employer that helped the family relocate: "
            "%(mrp)s MRP at %(rate)s tenge per MRP in %(year)s = %(tenge)s tenge"
        ),
    ),
    (
        r"economic mobility certificate towards a home, at most" + _TIMES,
        N_(
            "economic mobility certificate towards a home, at most "
            "%(mrp)s MRP at %(rate)s tenge per MRP in %(year)s = %(tenge)s tenge"
        ),
    ),
    (
        rf"support is withheld: from 2026 a kandas receives state support only under a (?P<years>{_N})-year "
        r"social contract in a labour-deficit region, and none is signed",
        N_(
            "from 2026 a kandas receives state support only under a %(years)s-year social contract in a "
            "labour-deficit region, and none is signed"
        ),
    ),
    (rf"no housing certificate is available in (?P<year>{_N})", N_("no housing certificate is available in %(year)s")),
    (
        rf"left the region on (?P<date>{_D}) without a social contract",
        N_("left the region on %(date)s without a social contract"),
    ),
    (r"nothing is repaid", N_("nothing is repaid")),
    (
        rf"left the region on (?P<date>{_D}), the (?P<years>{_N})-year social contract signed on (?P<signed>{_D}) "
        rf"ends on (?P<end>{_D})",
        N_("left the region on %(date)s; the %(years)s-year social contract signed on %(signed)s ends on %(end)s"),
    ),
    (r"nothing is repaid after the contract ends", N_("nothing is repaid after the contract ends")),
    (
        rf"(?P<share>{_N})% of the (?P<paid>{_N}) tenge paid is repaid: (?P<owed>{_N}) tenge",
        N_("%(share)s%% of the %(paid)s tenge paid is repaid: %(owed)s tenge"),
    ),
)
"""The support plan's and the repayment's parts (:mod:`koshi.resettle.support`)."""

UNMATCHED: tuple[tuple[str, str], ...] = (
    *_per_category(
        rf"quota exhausted: no receiving region the family accepts has (?P<size>{_N}) places left for {{who}}",
        N_("no region the family accepts has %(size)s places left in the resettler quota"),
        N_("no region the family accepts has %(size)s places left in the kandas quota"),
    ),
    (
        r"every fitting vacancy was taken by a family earlier in the queue",
        N_("every fitting vacancy was taken by a family earlier in the queue"),
    ),
    (
        r"every fitting vacancy went to a better-fitting family",
        N_("every fitting vacancy went to a family that fits it better"),
    ),
    *_per_category(
        r"none of the regions the family prefers receives {who} this year",
        N_("none of the regions the family prefers receives resettlers this year"),
        N_("none of the regions the family prefers receives kandas this year"),
    ),
    *_per_category(
        r"no region receives {who} this year",
        N_("no region receives resettlers this year"),
        N_("no region receives kandas this year"),
    ),
    *_per_category(
        r"no receiving region has quota left for {who}",
        N_("no receiving region has resettler quota left"),
        N_("no receiving region has kandas quota left"),
    ),
    *_per_category(
        rf"no receiving region has quota left for a family of (?P<size>{_N}) \({{who}}: at most (?P<left>{_N}) "
        r"persons left\)",
        N_("no receiving region has resettler quota left for a family of %(size)s (at most %(left)s persons left)"),
        N_("no receiving region has kandas quota left for a family of %(size)s (at most %(left)s persons left)"),
    ),
    (
        rf"no vacancy in occupation group (?P<group>{_N}) in an acceptable region",
        N_("no vacancy in occupation group %(group)s in a region the family accepts"),
    ),
    (
        rf"family of (?P<size>{_N}) is larger than any housing offered \(largest takes (?P<largest>{_N})\)",
        N_("the family of %(size)s is larger than any housing offered (the largest takes %(largest)s)"),
    ),
)
"""The matching's reasons for a family left without a placement (:mod:`koshi.resettle.matching`)."""

SERVICE: tuple[tuple[str, str], ...] = (
    *_per_category(
        rf"quota exhausted: region (?P<region>\d{{9}}) has (?P<left>{_N}) {{who}} place\(s\) left in (?P<year>{_N})",
        N_("the %(year)s resettler quota of %(region)s has %(left)s places left"),
        N_("the %(year)s kandas quota of %(region)s has %(left)s places left"),
    ),
    (rf"the family has (?P<size>{_N}) person\(s\)", N_("the family has %(size)s persons")),
    (
        rf"family of (?P<size>{_N}) does not fit the housing of this vacancy \(takes (?P<capacity>{_N})\)",
        N_("the family of %(size)s does not fit the housing of this vacancy (it takes %(capacity)s)"),
    ),
    (
        rf"family of (?P<size>{_N}) does not fit this housing \(takes (?P<capacity>{_N})\)",
        N_("the family of %(size)s does not fit this housing (it takes %(capacity)s)"),
    ),
    (rf"vacancy (?P<id>{_N}) is filled", N_("the vacancy is already filled")),
    (rf"housing (?P<id>{_N}) is taken", N_("the housing is already taken")),
    *_per_category(
        rf"region (?P<region>\d{{9}}) does not receive {{who}} in (?P<year>{_N})",
        N_("%(region)s does not receive resettlers in %(year)s"),
        N_("%(region)s does not receive kandas in %(year)s"),
    ),
    (r"the vacancy is in the family's origin region", N_("the vacancy is in the family's origin region")),
    (r"the vacancy comes with its own housing", N_("the vacancy comes with its own housing")),
    (r"support is paid after the family arrives", N_("support is paid after the family arrives")),
    (r"follow-ups are recorded after arrival", N_("follow-ups are recorded after the family arrives")),
    (r"family (?P<number>RS-[\d-]+) is (?P<state>\w+)", N_("family %(number)s: %(state)s")),
    (rf"payment line (?P<id>{_N}) is already (?P<state>\w+)", N_("this payment is already recorded")),
    (r"cannot be in the future", N_("the date cannot be in the future")),
    (rf"more than (?P<days>{_N}) days ago", N_("the date is more than %(days)s days ago")),
    (r"before the arrival", N_("the date is before the arrival")),
    (
        rf"(?P<date>{_D}) is before the arrival on (?P<arrived>{_D})",
        N_("%(date)s is before the arrival on %(arrived)s"),
    ),
    (
        rf"(?P<employed>{_N}) employed exceeds (?P<able>{_N}) able-bodied",
        N_("%(employed)s working exceeds %(able)s able-bodied"),
    ),
    (
        rf"(?P<able>{_N}) able-bodied exceeds the family of (?P<size>{_N})",
        N_("%(able)s able-bodied exceeds the family of %(size)s"),
    ),
    (rf"matching run (?P<id>{_N})", N_("matching run %(id)s")),
    (rf"(?P<month>{_N})-month follow-up: (?P<status>\w+)", N_("%(month)s-month follow-up: %(status)s")),
)
"""The store's refusals and its own notes in the history (:mod:`koshi.store.resettle`)."""

SENTENCES: Table = _table(*ELIGIBILITY, *SUPPORT, *UNMATCHED, *SERVICE)

_EN_REGIONS = {r.name_en: r.kato for r in REGIONS}
_NUMBER_KEYS = frozenset({"tenge", "paid", "owed", "rate", "mrp"})


def _shaper(locale: str) -> Callable[[str, str], str]:
    """How a part's values read in ``locale``: regions by name, large sums grouped, states and statuses as labelled."""
    gettext = i18n.translations(locale).gettext

    def shape(key: str, value: str) -> str:
        if key in ("region", "regions"):
            names = [BY_KATO[v].kato if v in BY_KATO else _EN_REGIONS.get(v, "") for v in value.split(", ")]
            if all(names):
                return ", ".join(region_name(k, locale) for k in names)
            return value
        if key in _NUMBER_KEYS and value.isdigit():
            return i18n.format_number(int(value), locale)
        if key == "state":
            return gettext(STATE_LABELS.get(value, value))
        if key == "status":
            return gettext(FOLLOWUP_LABELS.get(value, value))
        return value

    return shape


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def reason_text(raw: str, locale: str, *, mark: bool = True) -> Text:
    """A rule's, the matching's or the store's English sentence ``raw`` in ``locale``: every part
    translated (dates, regions and sums formatted for it), or the English as written, marked.

    ``mark=False`` leaves an unknown sentence unmarked (a reason typed by a person, in any language).

    >>> reason_text("every fitting vacancy went to a better-fitting family", "en").text
    'Every fitting vacancy went to a family that fits it better.'
    >>> reason_text("registered in Turkistan Region since 2025-06-01, 8 months before the application; "
    ...             "12 months are required (from 2026-06-01)", "ru").text.startswith("Зарегистрирован(а) в")
    True
    >>> reason_text("a new sentence", "kk")
    Text(text='A new sentence.', lang='en', detail='')
    """
    shape = _shaper(locale)
    said = [translate(part, SENTENCES, locale, shape=shape) for part in raw.split("; ")]
    known = all(_known(part) for part in raw.split("; "))
    if not known:
        return Text(_sentence(raw) if mark else raw, "en" if mark and locale != "en" else None)
    return Text(_sentence("; ".join(s.text for s in said)), None)


def _known(part: str) -> bool:
    return any(pattern.match(part) for pattern, _ in SENTENCES)


def service_error(exc: store.ResettleError, locale: str) -> FieldError:
    """The service's refusal as a message: its own words when the page knows the sentence, the field's need
    when the field is known, else the English as written (marked)."""
    said = reason_text(exc.message, locale)
    if said.lang is None and _known(exc.message.split("; ")[0]):
        return FieldError(said.text)
    generic = field_message(exc.field or "", locale)
    if generic:
        return FieldError(generic)
    return FieldError(said.text, said.lang)


def field_message(field: str, locale: str) -> str:
    """What ``field`` needs, in ``locale`` ("" when the page has no words for it)."""
    msgid = FIELD_MESSAGES.get(field)
    return i18n.translations(locale).gettext(msgid) if msgid else ""


# --- common ----------------------------------------------------------------------------------------


def years_list() -> list[int]:
    """The years a filter offers: from the first year of the rules to next year, newest first."""
    return list(range(today().year + 1, FIRST_YEAR - 1, -1))


def _year(text: str | None, default: int) -> int:
    """A year as typed; ``default`` when it is not one Koshi has rules for.

    >>> _year("2025", 2026), _year("1999", 2026), _year("x", 2026)
    (2025, 2026, 2026)
    """
    value = (text or "").strip()
    if value.isdigit() and len(value) == 4 and FIRST_YEAR <= int(value) <= today().year + 1:
        return int(value)
    return default


def _date(text: str) -> dt.date | None:
    """An ISO date as typed; None when it is not one.

    >>> _date("2026-02-30"), _date(" 2026-03-01 ")
    (None, datetime.date(2026, 3, 1))
    """
    value = text.strip()
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _count(text: str) -> int | None:
    """A whole number of zero or more as typed.

    >>> _count(" 3 "), _count("-1"), _count("")
    (3, None, None)
    """
    value = text.strip()
    return int(value) if value.isdigit() and len(value) <= 6 else None


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) <= 6 and int(text) > 0 else 1


def _family_id(text: str) -> str:
    """The family id of an address (a UUID); "" when it is not one, so the service answers 404 (or 403)."""
    value = text.strip().lower()
    return value if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value) else ""


def _problem(request: Request, status: int) -> Response:
    return page(request, "resettle_problem.html", status_code=status, problem=status)


def _flash(request: Request) -> dict[str, Any] | None:
    """What a form of this session just did (shown once)."""
    flash = request.session.pop(FLASH, None)
    return flash if isinstance(flash, dict) else None


def _done(request: Request, what: str, target: str, **values: Any) -> Response:
    request.session[FLASH] = {"what": what, **values}
    return RedirectResponse(target, status_code=303)


def _checked(request: Request, csrf_token: str) -> WebUser | Response:
    """The signed-in user of a form post with a good CSRF token, or the page that says otherwise."""
    user = user_of(request)
    if user is None:
        return to_sign_in()
    if not csrf_ok(request, csrf_token):
        return _problem(request, 400)
    return user


def _bound_region(session: Session, user: WebUser) -> str | None:
    """The region an akimat account is bound to (None: unbound, or not an akimat)."""
    if user.role != "akimat":
        return None
    return session.scalar(select(AkimatRegion.region_kato).where(AkimatRegion.user_id == user.id))


def _optional(request: Request, read: Callable[[Session], T]) -> T | None:
    """A section the service may refuse to this role: None then (the page leaves it out), in a
    transaction of its own so that the refusal does not undo the page's other reads."""
    try:
        with transaction(sessions_of(request)) as session:
            return read(session)
    except store.ResettleError as exc:
        if exc.status == 403:
            return None
        raise


def bar_width(used: int, quota: int) -> int:
    """The quota bar's width in twentieths: any use shows, more than the quota is full.

    >>> bar_width(0, 10), bar_width(1, 100), bar_width(5, 10), bar_width(12, 10), bar_width(3, 0)
    (0, 1, 10, 20, 20)
    """
    if used <= 0:
        return 0
    share = used / quota if quota else 1.0
    return min(BAR_STEPS, max(1, round(share * BAR_STEPS)))


def _common(locale: str) -> dict[str, Any]:
    return {
        "category_labels": CATEGORY_LABELS,
        "state_labels": STATE_LABELS,
        "state_tags": STATE_TAGS,
        "check_labels": CHECK_LABELS,
        "action_labels": ACTION_LABELS,
        "event_labels": EVENT_LABELS,
        "done_labels": DONE_LABELS,
        "item_labels": ITEM_LABELS,
        "payee_labels": PAYEE_LABELS,
        "line_states": LINE_STATES,
        "followup_labels": FOLLOWUP_LABELS,
        "employment_labels": EMPLOYMENT_LABELS,
        "housing_labels": HOUSING_LABELS,
        "part_labels": PART_LABELS,
        "method_labels": METHOD_LABELS,
        "months": MONTHS,
        "region_name": lambda kato: region_name(kato, locale),
        "regions": region_options(locale),
        "reason_text": lambda raw: reason_text(raw, locale),
        "event_text": lambda raw: reason_text(raw, locale, mark=False),
        "basis_items": basis_items,
        "bar_width": bar_width,
        "today": today(),
        "max_reason": MAX_REASON,
        "paths": {
            "families": FAMILIES_PATH,
            "matching": MATCHING_PATH,
            "region": REGION_PATH,
            "analysis": ANALYSIS_PATH,
            "payments": PAYMENTS_PATH,
        },
    }


# --- 1. the officer's queue ------------------------------------------------------------------------

ANY = "all"


@dataclass(frozen=True, slots=True)
class QueueForm:
    """The queue's filters as understood (a wrong value falls back to the default, never a crash)."""

    state: str  # a family state, or ANY
    category: str  # a category, or ""
    region: str  # a KATO code (the placement's region), or ""
    year: int | None
    page: int


def parse_queue(params: Mapping[str, str]) -> QueueForm:
    """Read the queue's query leniently: families waiting for the officer, of any region and year, by default.

    >>> parse_queue({"state": "approved", "category": "kandas", "region": "550000000", "year": "2026"})
    QueueForm(state='approved', category='kandas', region='550000000', year=2026, page=1)
    >>> parse_queue({"state": "nope", "category": "x", "region": "1", "year": "26", "page": "-1"})
    QueueForm(state='submitted', category='', region='', year=None, page=1)
    """
    state = params.get("state", "submitted")
    category = params.get("category", "")
    region = params.get("region", "")
    year_text = params.get("year", "")
    year = _year(year_text, 0) or None
    return QueueForm(
        state if state in STATE_LABELS or state == ANY else "submitted",
        category if category in CATEGORY_LABELS else "",
        region if region in BY_KATO else "",
        year,
        _page_number(params.get("page", "1")),
    )


def queue_url(form: QueueForm, *, state: str | None = None, page_number: int = 1) -> str:
    """The address of a queue page (defaults left out).

    >>> queue_url(QueueForm("submitted", "", "", None, 1))
    '/resettlement/families'
    >>> queue_url(QueueForm("all", "kandas", "550000000", 2026, 1), page_number=2)
    '/resettlement/families?state=all&category=kandas&region=550000000&year=2026&page=2'
    """
    chosen = state or form.state
    values = {
        "state": chosen if chosen != "submitted" else None,
        "category": form.category or None,
        "region": form.region or None,
        "year": form.year,
        "page": page_number if page_number != 1 else None,
    }
    clean = {k: str(v) for k, v in values.items() if v is not None}
    return FAMILIES_PATH + ("?" + urlencode(clean) if clean else "")


@router.get(BASE)
def start(request: Request) -> Response:
    """The area's address: each role's own page of it."""
    user = user_of(request)
    if user is None:
        return to_sign_in()
    target = {"akimat": REGION_PATH, "analyst": ANALYSIS_PATH}.get(user.role, FAMILIES_PATH)
    return RedirectResponse(target, status_code=303)


@router.get(FAMILIES_PATH)
def families(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    locale = locale_of(request)
    form = parse_queue(request.query_params)
    try:
        with transaction(sessions_of(request)) as session:
            actor = actor_of(user)

            def listed(state: str | None, limit: int, offset: int = 0) -> tuple[list[store.FamilySummary], int]:
                return store.families(
                    session,
                    actor,
                    year=form.year,
                    state=state,
                    region_kato=form.region or None,
                    category=form.category or None,
                    limit=limit,
                    offset=offset,
                )

            rows, total = listed(None if form.state == ANY else form.state, PAGE_SIZE, (form.page - 1) * PAGE_SIZE)
            counts = {s: listed(s, 1)[1] for s in STATE_LABELS}
    except store.ResettleError as exc:
        return _problem(request, exc.status)
    pages = max(1, -(-total // PAGE_SIZE))
    if form.page > pages and total:
        return RedirectResponse(queue_url(form, page_number=pages), status_code=303)

    def href(n: int) -> str:
        return queue_url(form, page_number=n)

    return page(
        request,
        "resettle_families.html",
        form=form,
        rows=rows,
        total=total,
        counts=counts,
        state_links={s: queue_url(form, state=s) for s in (*STATE_LABELS, ANY)},
        pages=pages,
        page_links=pagination(form.page, pages, href),
        prev_href=href(form.page - 1),
        next_href=href(form.page + 1),
        first=(form.page - 1) * PAGE_SIZE + 1,
        last=(form.page - 1) * PAGE_SIZE + len(rows),
        any_state=ANY,
        years=years_list(),
        clear_href=FAMILIES_PATH,
        can_run=user.role in RUNNERS,
        **_common(locale),
    )


# --- 2. one family ---------------------------------------------------------------------------------

REASON_ACTIONS = ("refuse", "decline", "withdraw", "leave")  # a reason field on their form
REQUIRED_REASON = ("refuse", "decline")
DATE_ACTIONS = ("arrive", "leave")
WARNING_ACTIONS = ("refuse", "decline", "withdraw", "leave")


def place_choices(
    fam: store.FamilyView, open_vacancies: Sequence[store.VacancyView], receiving: Mapping[str, frozenset[str]]
) -> list[tuple[store.VacancyView, int]]:
    """The open vacancies a family could take, with their fit score, best first: the pairs the matching
    itself would consider (:func:`koshi.resettle.matching.score_parts`; the store checks the quota)."""
    family = solver.Family(fam.id, fam.category, fam.size, fam.isco, fam.origin_kato, fam.preferences)
    out = []
    for v in open_vacancies:
        if v.housing is not None and v.housing.taken:
            continue
        capacity = None if v.housing is None else v.housing.capacity
        vacancy = solver.Vacancy(str(v.id), v.region_kato, v.settlement_kato, v.isco, v.wage, capacity)
        parts = solver.score_parts(family, vacancy, receiving)
        if parts is not None:
            out.append((v, sum(parts.values())))
    out.sort(key=lambda pair: (-pair[1], -pair[0].wage, pair[0].id))
    return out[:PLACE_CHOICES]


def contract_required(fam: store.FamilyView) -> bool:
    """The kandas family's support needs the social contract (the contract check applies)."""
    return any(c.key == "contract" and c.applies for c in fam.checks)


def _family_page(
    request: Request,
    user: WebUser,
    family_id: str,
    *,
    form: str = "",
    typed: Mapping[str, str] | None = None,
    errors: Mapping[str, FieldError] | None = None,
    status: int = 200,
) -> Response:
    locale = locale_of(request)
    try:
        with transaction(sessions_of(request)) as session:
            actor = actor_of(user)
            fam = store.family(session, actor, family_id, now=utc_now())
            choices: list[tuple[store.VacancyView, int]] = []
            if "place" in fam.allowed_actions:
                receiving = store.year_policy(fam.year, utc_now()).receiving
                choices = place_choices(fam, store.vacancies(session, actor, open_only=True), receiving)
            free: list[store.HousingView] = []
            if "confirm" in fam.allowed_actions and fam.placement is not None and fam.placement.housing is None:
                free = free_housing(store.housing(session, actor, open_only=True), fam.placement.settlement_kato)
    except store.ResettleError as exc:
        return _problem(request, exc.status)
    names: dict[str, str] = {}
    if fam.placement is not None:
        region = fam.placement.region_kato
        found = _optional(request, lambda s: store.settlements(s, actor_of(user), region_kato=region))
        names = {x.kato: x.name for x in found or ()}
    errors = dict(errors or {})
    ids = {k: f"{form}-{k}" for k in errors}
    failed = sum(1 for c in fam.checks if not c.passed)
    recorded = {f.month for f in fam.followups if f.observed_on is not None}
    next_month = next((m for m in MONTHS if m not in recorded), MONTHS[-1])
    return page(
        request,
        "resettle_family.html",
        status_code=status,
        fam=fam,
        settlement_names=names,
        failed=failed,
        choices=choices,
        free_housing=free,
        contract_needed=contract_required(fam),
        action_url=f"{FAMILIES_PATH}/{fam.id}/actions",
        followup_url=f"{FAMILIES_PATH}/{fam.id}/followups",
        can_pay=user.role in PAYERS,
        can_record=user.role in RECORDERS and fam.state in ("arrived", "settled"),
        next_month=next_month,
        form=form,
        typed=typed or {},
        errors=errors,
        summary=summary_of(errors, ids),
        flash=_flash(request),
        reason_actions=REASON_ACTIONS,
        required_reason=REQUIRED_REASON,
        date_actions=DATE_ACTIONS,
        warning_actions=WARNING_ACTIONS,
        withheld=reason_text(fam.withheld_reason, locale) if fam.withheld_reason else None,
        **_common(locale),
    )


def free_housing(found: Sequence[store.HousingView], settlement_kato: str) -> list[store.HousingView]:
    """Free service or rental housing of a settlement, not offered with a vacancy (for the confirmation)."""
    return [
        h
        for h in found
        if h.settlement_kato == settlement_kato and h.vacancy_id is None and not h.taken and h.kind != "employer"
    ]


@router.get(FAMILIES_PATH + "/{family_id}")
def family_page(request: Request, family_id: str) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    return _family_page(request, user, _family_id(family_id))


@router.get(FAMILIES_PATH + "/{family_id}/actions")
@router.get(FAMILIES_PATH + "/{family_id}/followups")
def family_form_get(family_id: str) -> Response:
    """The address of a page re-rendered after a refused form: reloading it shows the family."""
    return RedirectResponse(f"{FAMILIES_PATH}/{_family_id(family_id)}", status_code=303)


def back_target(back: str, family_id: str) -> str:
    """Where a form returns: the region page it was sent from, else the family's page (never elsewhere).

    >>> back_target("/resettlement/region?region=550000000", "f1")
    '/resettlement/region?region=550000000'
    >>> back_target("https://evil.example/", "f1")
    '/resettlement/families/f1'
    """
    if re.fullmatch(r"/resettlement/region(\?[\w=&%.-]*)?(#[\w-]*)?", back):
        return back
    return f"{FAMILIES_PATH}/{family_id}"


@router.post(FAMILIES_PATH + "/{family_id}/actions")
def act(
    request: Request,
    family_id: str,
    csrf_token: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    vacancy_id: Annotated[str, Form()] = "",
    housing_id: Annotated[str, Form()] = "",
    on: Annotated[str, Form()] = "",
    contract_signed: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    user = _checked(request, csrf_token)
    if isinstance(user, Response):
        return user
    locale = locale_of(request)
    fid = _family_id(family_id)
    action = action.strip()[:20]
    typed = {
        "reason": reason.strip()[:MAX_REASON],
        "vacancy_id": vacancy_id.strip()[:12],
        "housing_id": housing_id.strip()[:12],
        "on": on.strip()[:32],
        "contract_signed": "yes" if contract_signed else "",
    }
    errors: dict[str, FieldError] = {}
    if action in REQUIRED_REASON and not typed["reason"]:
        errors["reason"] = FieldError(field_message("reason", locale))
    vacancy = _count(typed["vacancy_id"]) if typed["vacancy_id"] else None
    if action == "place" and vacancy is None:
        errors["vacancy_id"] = FieldError(field_message("vacancy_id", locale))
    housing = _count(typed["housing_id"]) if typed["housing_id"] else None
    if typed["housing_id"] and housing is None:
        errors["housing_id"] = FieldError(field_message("housing_id", locale))
    day = _date(typed["on"]) if typed["on"] else None
    if action in DATE_ACTIONS and day is None:
        errors["on"] = FieldError(field_message("on", locale))
    if not errors:
        try:
            with transaction(sessions_of(request)) as session:
                done = store.act(
                    session,
                    actor_of(user),
                    fid,
                    action,
                    reason=typed["reason"] or None,
                    vacancy_id=vacancy,
                    housing_id=housing,
                    on=day,
                    contract_signed=bool(contract_signed),
                    now=utc_now(),
                )
        except store.ResettleError as exc:
            if exc.status not in (409, 422):
                return _problem(request, exc.status)
            if exc.status == 409 and exc.allowed and action not in exc.allowed:
                errors["action"] = FieldError(field_message("action", locale))
            else:
                field = exc.field if exc.field in typed else "action"
                errors[field] = service_error(exc, locale)
            return _family_page(request, user, fid, form=action, typed=typed, errors=errors, status=exc.status)
        return _done(request, action, back_target(back, done.id), state=done.state, number=done.number)
    return _family_page(request, user, fid, form=action, typed=typed, errors=errors, status=422)


FOLLOWUP_FIELDS = ("month", "observed_on", "status", "able_bodied", "employed")


@router.post(FAMILIES_PATH + "/{family_id}/followups")
def followup(
    request: Request,
    family_id: str,
    csrf_token: Annotated[str, Form()] = "",
    month: Annotated[str, Form()] = "",
    observed_on: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
    able_bodied: Annotated[str, Form()] = "",
    employed: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    user = _checked(request, csrf_token)
    if isinstance(user, Response):
        return user
    locale = locale_of(request)
    fid = _family_id(family_id)
    typed = {
        "month": month.strip()[:4],
        "observed_on": observed_on.strip()[:32],
        "status": status.strip()[:20],
        "able_bodied": able_bodied.strip()[:8],
        "employed": employed.strip()[:8],
    }
    errors: dict[str, FieldError] = {}
    which = _count(typed["month"])
    if which not in MONTHS:
        errors["month"] = FieldError(field_message("month", locale))
    day = _date(typed["observed_on"])
    if day is None:
        errors["observed_on"] = FieldError(field_message("observed_on", locale))
    if typed["status"] not in FOLLOWUP_LABELS:
        errors["status"] = FieldError(field_message("status", locale))
    able, working = _count(typed["able_bodied"]), _count(typed["employed"])
    if able is None:
        errors["able_bodied"] = FieldError(field_message("able_bodied", locale))
    if working is None or (able is not None and working > able):
        errors["employed"] = FieldError(field_message("employed", locale))
    if not errors and which is not None and day is not None and able is not None and working is not None:
        try:
            with transaction(sessions_of(request)) as session:
                done = store.record_followup(
                    session,
                    actor_of(user),
                    fid,
                    month=which,
                    observed_on=day,
                    status=typed["status"],
                    able_bodied=able,
                    employed=working,
                    now=utc_now(),
                )
        except store.ResettleError as exc:
            if exc.status not in (409, 422):
                return _problem(request, exc.status)
            field = exc.field if exc.field in FOLLOWUP_FIELDS else "month"
            errors[field] = service_error(exc, locale)
            return _family_page(request, user, fid, form="followup", typed=typed, errors=errors, status=exc.status)
        return _done(request, "followup", back_target(back, done.id), state=done.state, number=done.number)
    ordered = {k: errors[k] for k in FOLLOWUP_FIELDS if k in errors}
    return _family_page(request, user, fid, form="followup", typed=typed, errors=ordered, status=422)


@router.post(PAYMENTS_PATH + "/{line_id}/pay")
def pay(
    request: Request,
    line_id: str,
    csrf_token: Annotated[str, Form()] = "",
    paid_on: Annotated[str, Form()] = "",
    family_id: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    user = _checked(request, csrf_token)
    if isinstance(user, Response):
        return user
    locale = locale_of(request)
    fid = _family_id(family_id)
    line = _count(line_id)
    day = _date(paid_on)
    typed = {"paid_on": paid_on.strip()[:32], "line": str(line or "")}
    errors: dict[str, FieldError] = {}
    if line is None:
        return _problem(request, 404)
    if day is None:
        errors["paid_on"] = FieldError(field_message("paid_on", locale))
    else:
        try:
            with transaction(sessions_of(request)) as session:
                store.pay(session, actor_of(user), line, paid_on=day, now=utc_now())
        except store.ResettleError as exc:
            if exc.status not in (409, 422):
                return _problem(request, exc.status)
            errors["paid_on"] = service_error(exc, locale)
    if errors:
        if not fid:
            return _problem(request, 422)
        return _family_page(request, user, fid, form=f"pay{line}", typed=typed, errors=errors, status=422)
    return _done(request, "pay", back_target(back, fid) if fid else REGION_PATH)


# --- 3. matching -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    """One line of the optimal-versus-greedy table: its label, both values (shown as given) and which is better."""

    key: str
    label: str
    optimal: str
    greedy: str
    better: str  # "optimal", "greedy" or "" (equal, or not comparable)
    comparable: bool  # both methods have the measure


def comparison(run: store.MatchRunView, locale: str) -> list[Comparison]:
    """The run's two methods side by side: objective, families and persons placed, first-preference share."""

    def num(value: float) -> str:
        return i18n.format_number(value, locale)

    def line(key: str, label: str, optimal: float | None, greedy: float | None, fmt: Callable[[float], str]) -> None:
        if optimal is None and greedy is None:  # a measure the run did not record
            return
        better = ""
        if optimal is not None and greedy is not None and optimal != greedy:
            better = "optimal" if optimal > greedy else "greedy"
        shown = ("–" if optimal is None else fmt(optimal), "–" if greedy is None else fmt(greedy))
        out.append(Comparison(key, label, *shown, better, optimal is not None and greedy is not None))

    out: list[Comparison] = []
    line("objective", N_("Objective (total score)"), run.objective, run.greedy_objective, num)
    line(
        "families",
        N_("Families placed"),
        run.placed_families,
        run.greedy_families,
        num,
    )
    line("persons", N_("Persons placed"), run.placed_persons, run.greedy_persons, num)
    line(
        "first_choice",
        N_("Placed in their first-preference region"),
        run.first_choice_share,
        run.greedy_first_choice_share,
        lambda v: i18n.format_percent(v, locale),
    )
    line(
        "exact_occupation",
        N_("Placed in their exact occupation"),
        run.exact_occupation_share,
        run.greedy_exact_occupation_share,
        lambda v: i18n.format_percent(v, locale),
    )
    return out


def unmatched_rows(run: store.MatchRunView, locale: str) -> list[tuple[Text, int]]:
    """The reasons families were left unplaced, translated, most frequent first."""
    return [(reason_text(r, locale), n) for r, n in sorted(run.unmatched.items(), key=lambda kv: (-kv[1], kv[0]))]


def _latest(runs: Sequence[store.MatchRunView]) -> store.MatchRunView | None:
    return max(runs, key=lambda r: (r.at, r.id), default=None)


@router.get(MATCHING_PATH)
def matching(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    locale = locale_of(request)
    params = request.query_params
    year = _year(params.get("year"), today().year)
    chosen = _count(params.get("run", ""))
    try:
        with transaction(sessions_of(request)) as session:
            actor = actor_of(user)
            runs = store.match_runs(session, actor, year=year)
            run = next((r for r in runs if r.id == chosen), None) or _latest(runs)
            families_of: list[tuple[str, str]] = []
            if run is not None and user.role != "analyst":  # the analyst reads the reasons, not the families
                families_of = store.unmatched(session, actor, run.id)[:PAGE_SIZE]
            waiting = 0
            if user.role in RUNNERS:
                waiting = store.families(session, actor, year=year, state="approved", limit=1)[1]
    except store.ResettleError as exc:
        return _problem(request, exc.status)
    return page(
        request,
        "resettle_matching.html",
        year=year,
        years=years_list(),
        runs=sorted(runs, key=lambda r: (r.at, r.id), reverse=True),
        run=run,
        lines=comparison(run, locale) if run else [],
        reasons=unmatched_rows(run, locale) if run else [],
        unmatched_families=[(n, reason_text(r, locale)) for n, r in families_of],
        waiting=waiting,
        can_run=user.role in RUNNERS,
        flash=_flash(request),
        **_common(locale),
    )


@router.post(MATCHING_PATH)
def run_matching(
    request: Request,
    csrf_token: Annotated[str, Form()] = "",
    year: Annotated[str, Form()] = "",
    apply: Annotated[str, Form()] = "",
) -> Response:
    user = _checked(request, csrf_token)
    if isinstance(user, Response):
        return user
    which = _year(year, today().year)
    try:
        with transaction(sessions_of(request)) as session:
            run = store.run_matching(
                session, actor_of(user), year=which, apply=apply == "1", now=utc_now(), time_limit=MATCH_SECONDS
            )
    except store.ResettleError as exc:
        return _problem(request, exc.status)
    what = "applied" if apply == "1" else "run"
    return _done(request, what, f"{MATCHING_PATH}?{urlencode({'year': which, 'run': run.id})}")


# --- 4. the akimat's region ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DueFollowup:
    """A follow-up of an arrived family that is due (or overdue) and not yet recorded."""

    family: store.FamilyView
    month: int
    due_on: dt.date


@dataclass(frozen=True, slots=True)
class DueLine:
    """A support line of a family that waits for its payment (or its repayment)."""

    family: store.FamilyView
    line: store.SupportLineView


def due_followups(arrived: Sequence[store.FamilyView], on: dt.date) -> list[DueFollowup]:
    """Unrecorded follow-ups due by ``on``, the oldest first."""
    out = [
        DueFollowup(f, u.month, u.due_on)
        for f in arrived
        for u in f.followups
        if u.observed_on is None and u.due_on <= on
    ]
    return sorted(out, key=lambda d: (d.due_on, d.family.number, d.month))


def due_lines(found: Sequence[store.FamilyView]) -> list[DueLine]:
    """Support lines to pay (the family has arrived) or to be repaid (it left early)."""
    out = []
    for f in found:
        for line in f.support:
            if (line.state == "due" and f.state in ("arrived", "settled")) or line.state == "repayment_due":
                out.append(DueLine(f, line))
    return out


@dataclass(frozen=True, slots=True)
class QuotaRow:
    """A region's quota for a category with its usage bar (0..BAR_STEPS)."""

    use: store.QuotaUse
    width: int
    over: bool


def quota_rows(uses: Sequence[store.QuotaUse], locale: str) -> list[QuotaRow]:
    """Usage by region name (in ``locale``) then category, with bar widths."""
    order = list(CATEGORY_LABELS)

    def key(u: store.QuotaUse) -> tuple[str, int]:
        return region_name(u.region_kato, locale).casefold(), order.index(u.category) if u.category in order else 9

    return [
        QuotaRow(u, bar_width(u.used + u.reserved, u.quota), u.used + u.reserved > u.quota)
        for u in sorted(uses, key=key)
    ]


def _full(session: Session, actor: Any, rows: Sequence[store.FamilySummary]) -> list[store.FamilyView]:
    return [store.family(session, actor, r.id, now=utc_now()) for r in rows]


@router.get(REGION_PATH)
def region(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    locale = locale_of(request)
    params = request.query_params
    year = _year(params.get("year"), today().year)
    asked = params.get("region", "")
    try:
        with transaction(sessions_of(request)) as session:
            actor = actor_of(user)
            bound = _bound_region(session, user)
            kato = bound or (asked if asked in BY_KATO else None)
            uses = [u for u in store.quota_usage(session, actor, year=year) if kato is None or u.region_kato == kato]

            def listed(state: str) -> tuple[list[store.FamilySummary], int]:
                return store.families(session, actor, state=state, region_kato=kato, limit=SECTION_SIZE)

            proposed, n_proposed = listed("proposed")
            confirmed, n_confirmed = listed("confirmed")
            arrived, n_arrived = listed("arrived")
            left, _ = listed("left")
            proposals = _full(session, actor, proposed)
            arrived_views = _full(session, actor, arrived)
            left_views = _full(session, actor, left)
            open_vacancies = store.vacancies(session, actor, region_kato=kato, open_only=True)
            free = [h for h in store.housing(session, actor, region_kato=kato, open_only=True) if h.vacancy_id is None]
            settled = store.settlements(session, actor, region_kato=kato)
    except store.ResettleError as exc:
        return _problem(request, exc.status)
    settlement_names = {s.kato: s.name for s in settled}
    here = REGION_PATH + ("?" + urlencode({"region": kato}) if kato and not bound else "")
    return page(
        request,
        "resettle_region.html",
        year=year,
        years=years_list(),
        kato=kato,
        bound=bound,
        here=here,
        quota=quota_rows(uses, locale),
        proposals=proposals,
        n_proposed=n_proposed,
        confirmed=confirmed,
        n_confirmed=n_confirmed,
        n_arrived=n_arrived,
        followups=due_followups(arrived_views, today()),
        lines=due_lines([*arrived_views, *left_views]),
        vacancies=sorted(open_vacancies, key=lambda v: (v.settlement_kato, v.isco, v.id)),
        free_housing=sorted(free, key=lambda h: (h.settlement_kato, h.ref)),
        settlement_names=settlement_names,
        contract_needed={f.id: contract_required(f) for f in proposals},
        can_pay=user.role in PAYERS,
        can_record=user.role in RECORDERS,
        flash=_flash(request),
        **_common(locale),
    )


# --- 5. the analyst's figures ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SupportRow:
    """Support of one year and region (every category and item): families, MRP, tenge, tenge paid."""

    year: int
    region_kato: str
    families: int
    mrp: int
    tenge: int
    paid_tenge: int


def support_rows(totals: Sequence[store.SupportTotal], locale: str) -> list[SupportRow]:
    """The store's totals by year (newest first) and region name; families are those given relocation,
    which every placed family gets (the largest count of any item when none has)."""
    groups: dict[tuple[int, str], list[store.SupportTotal]] = {}
    for t in totals:
        groups.setdefault((t.year, t.region_kato), []).append(t)
    out = []
    for (year, kato), items in groups.items():
        moving = [t.families for t in items if t.item == "relocation"]
        out.append(
            SupportRow(
                year,
                kato,
                sum(moving) if moving else max(t.families for t in items),
                sum(t.mrp for t in items),
                sum(t.tenge for t in items),
                sum(t.paid_tenge for t in items),
            )
        )
    return sorted(out, key=lambda r: (-r.year, region_name(r.region_kato, locale).casefold()))


@dataclass(frozen=True, slots=True)
class FollowupRow:
    """Employment of the able-bodied members at one follow-up month (every region of a year)."""

    year: int
    month: int
    due: int
    recorded: int
    able_bodied: int
    employed: int
    share: float | None
    returned: int
    moved_on: int
    breaches: int


def followup_rows(rows: Sequence[store.FollowupSummary]) -> list[FollowupRow]:
    """The store's summary added up over regions, by year (newest first) and month."""
    sums: dict[tuple[int, int], list[int]] = {}
    for r in rows:
        s = sums.setdefault((r.year, r.month), [0] * 7)
        for i, v in enumerate((r.due, r.recorded, r.able_bodied, r.employed, r.returned, r.moved_on, r.breaches)):
            s[i] += v
    return [
        FollowupRow(y, m, s[0], s[1], s[2], s[3], s[3] / s[2] if s[2] else None, s[4], s[5], s[6])
        for (y, m), s in sorted(sums.items(), key=lambda kv: (-kv[0][0], kv[0][1]))
    ]


@router.get(ANALYSIS_PATH)
def analysis(request: Request) -> Response:
    user = user_of(request)
    if user is None:
        return to_sign_in()
    locale = locale_of(request)
    year = _year(request.query_params.get("year"), today().year)
    try:
        with transaction(sessions_of(request)) as session:
            actor = actor_of(user)
            uses = store.quota_usage(session, actor, year=year)
            totals = store.support_totals(session, actor)
            follow = store.followup_summary(session, actor)
    except store.ResettleError as exc:
        return _problem(request, exc.status)
    runs = _optional(request, lambda s: store.match_runs(s, actor_of(user), year=year))
    run = _latest(runs or [])
    by_category: dict[str, list[int]] = {}
    for u in uses:
        t = by_category.setdefault(u.category, [0, 0, 0, 0])
        for i, v in enumerate((u.quota, u.used, u.reserved, u.left)):
            t[i] += v
    return page(
        request,
        "resettle_analysis.html",
        year=year,
        years=years_list(),
        quota=quota_rows(uses, locale),
        quota_totals=[(c, by_category[c]) for c in CATEGORY_LABELS if c in by_category],
        support=support_rows(totals, locale),
        support_items=sorted(totals, key=lambda t: (-t.year, region_name(t.region_kato, locale).casefold())),
        followups=followup_rows(follow),
        run=run,
        runs_shown=runs is not None,
        lines=comparison(run, locale) if run else [],
        reasons=unmatched_rows(run, locale) if run else [],
        **_common(locale),
    )


__all__ = [
    "back_target",
    "bar_width",
    "comparison",
    "due_followups",
    "due_lines",
    "followup_rows",
    "parse_queue",
    "place_choices",
    "queue_url",
    "reason_text",
    "router",
    "support_rows",
]
