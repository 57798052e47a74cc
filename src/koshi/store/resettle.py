"""Internal migration in the database: settlements, vacancies and housing, families, placements, support
payments, follow-ups and matching runs.

The rules are pure (:mod:`koshi.resettle`); this module gathers the facts they need (the quota left,
the vacancies open, the housing free), keeps the records, decides who may see what, and writes every
read and change of a family to the audit chain with the family id as ``case_id`` and ids and counts
only in the detail (never an IIN or a name).

Roles: an applicant applies and sees only its own families; officers check, approve, refuse, place
and run the matching; an akimat confirms placements, records arrivals, follow-ups and departures
(when bound to a region, :func:`koshi.store.labour.bind_akimat`, only for families placed in that
region, and it registers settlements, vacancies and housing of that region only); analysts get
aggregates. Arrivals are added to ``interregional_moves`` and follow-ups to ``resettler_followups``,
so the dashboard KPIs (north share, employment of resettlers and kandas) count programme families.
Migration ``0008_resettlement`` creates the tables.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from koshi.documents.iin import InvalidBin, InvalidIin, mask, validate_bin, validate_iin
from koshi.reference.regions import REGIONS
from koshi.resettle import eligibility, followup, matching, support
from koshi.resettle.policy import EFFECTIVE_FROM, PolicyError, ResettlePolicy, basis, policy
from koshi.resettle.policy import category as parse_category
from koshi.rules.provenance import PolicyNotInForce

# labour and monitoring are read at call time: either may still be importing this module (see store/linkage.py)
from koshi.store import audit, idempotency, labour, monitoring
from koshi.store.models import Base, Json, Timestamp

if TYPE_CHECKING:  # the case service imports the models, which import this module
    from koshi.store.cases import Actor


REGION_CODES = frozenset(r.kato for r in REGIONS)


def today(now: dt.datetime) -> dt.date:
    """The date in Kazakhstan at ``now`` (as the foreign-labour store counts days)."""
    return labour.today(now)


class ResettleError(Exception):
    """A request refused: ``status`` 403/404/409/422, ``field`` the input at fault, ``allowed`` the open actions.

    Messages name the family by its number, never by the head's IIN or name.
    """

    def __init__(self, status: int, message: str, field: str | None = None, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.allowed = allowed


# --- tables ------------------------------------------------------------------------------------------


class Settlement(Base):
    """A receiving settlement (KATO) with its monthly rent the subsidy pays (MRP, set by the akimat)."""

    __tablename__ = "resettle_settlements"

    kato: Mapped[str] = mapped_column(String(9), primary_key=True)
    region_kato: Mapped[str] = mapped_column(String(9))
    name: Mapped[str] = mapped_column(String(200))
    rent_mrp: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (Index("ix_resettle_settlements_region", "region_kato"),)


class ResettleVacancy(Base):
    """A vacancy an employer offers to resettlers (imported by ``ref``; filled while a placement holds it)."""

    __tablename__ = "resettle_vacancies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    employer_bin: Mapped[str] = mapped_column(String(12))
    employer_name: Mapped[str] = mapped_column(String(200))
    isco: Mapped[str] = mapped_column(String(4))
    title: Mapped[str] = mapped_column(String(200))
    wage: Mapped[int] = mapped_column(Integer)
    region_kato: Mapped[str] = mapped_column(String(9))
    settlement_kato: Mapped[str] = mapped_column(ForeignKey("resettle_settlements.kato"))
    posted_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (Index("ix_resettle_vacancies_region", "region_kato", "isco"),)


class Housing(Base):
    """A dwelling for a family: employer housing tied to a vacancy (``vacancy_id``), or service/rental housing."""

    __tablename__ = "resettle_housing"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    settlement_kato: Mapped[str] = mapped_column(ForeignKey("resettle_settlements.kato"))
    region_kato: Mapped[str] = mapped_column(String(9))
    capacity: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("resettle_vacancies.id"), nullable=True, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (Index("ix_resettle_housing_settlement", "settlement_kato"),)


class Family(Base):
    """One application: the head (IIN stored for matching, shown masked), the family, the checks, the state."""

    __tablename__ = "resettle_families"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    ref: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    category: Mapped[str] = mapped_column(String(10))
    head_iin: Mapped[str] = mapped_column(String(12))
    head_surname: Mapped[str] = mapped_column(String(80))
    head_given_names: Mapped[str | None] = mapped_column(String(80), nullable=True)
    citizen: Mapped[bool] = mapped_column(Boolean)
    kandas_status: Mapped[bool] = mapped_column(Boolean)
    employment_status: Mapped[str] = mapped_column(String(20))
    origin_kato: Mapped[str | None] = mapped_column(String(9), nullable=True)
    registered_since: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    graduate_programme: Mapped[str | None] = mapped_column(String(40), nullable=True)
    graduated_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    size: Mapped[int] = mapped_column(Integer)
    able_bodied: Mapped[int] = mapped_column(Integer)
    isco: Mapped[str] = mapped_column(String(4))
    preferences: Mapped[list[str]] = mapped_column(Json)
    housing_certificate: Mapped[bool] = mapped_column(Boolean)
    applied_on: Mapped[dt.date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    checks: Mapped[list[dict[str, Any]]] = mapped_column(Json)  # key, passed, applies, reason, basis
    policy_version: Mapped[dt.date] = mapped_column(Date)
    parameters_hash: Mapped[str] = mapped_column(String(80))
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    withheld_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    contract_signed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    contract_end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (
        Index("ix_resettle_families_queue", "year", "state", "applied_on"),
        Index("ix_resettle_families_applicant", "applicant_id"),
    )


class MatchRun(Base):
    """One matching run: the optimal result against the greedy baseline, and why families stayed unmatched."""

    __tablename__ = "resettle_match_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(Timestamp)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    method: Mapped[str] = mapped_column(String(20))
    families: Mapped[int] = mapped_column(Integer)
    vacancies: Mapped[int] = mapped_column(Integer)
    pairs: Mapped[int] = mapped_column(Integer)
    placed_families: Mapped[int] = mapped_column(Integer)
    placed_persons: Mapped[int] = mapped_column(Integer)
    objective: Mapped[int] = mapped_column(Integer)
    greedy_objective: Mapped[int] = mapped_column(Integer)
    greedy_persons: Mapped[int] = mapped_column(Integer)
    bound: Mapped[int | None] = mapped_column(Integer, nullable=True)
    gap: Mapped[float | None] = mapped_column(Float, nullable=True)
    seconds: Mapped[float] = mapped_column(Float)
    unmatched: Mapped[dict[str, int]] = mapped_column(Json)  # reason -> families
    unmatched_families: Mapped[list[list[str]]] = mapped_column(Json)  # [family number, reason], queue order
    applied: Mapped[bool] = mapped_column(Boolean)
    quality: Mapped[dict[str, dict[str, float]]] = mapped_column(Json)  # method -> matching.quality()

    __table_args__ = (Index("ix_resettle_match_runs_year", "year", "id"),)


class Placement(Base):
    """A family placed on a vacancy (and housing): proposed, confirmed, arrived, settled, left; or declined."""

    __tablename__ = "resettle_placements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    family_id: Mapped[str] = mapped_column(ForeignKey("resettle_families.id"))
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("resettle_vacancies.id"))
    housing_id: Mapped[int | None] = mapped_column(ForeignKey("resettle_housing.id"), nullable=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("resettle_match_runs.id"), nullable=True)
    region_kato: Mapped[str] = mapped_column(String(9))
    settlement_kato: Mapped[str] = mapped_column(String(9))
    category: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    parts: Mapped[dict[str, int]] = mapped_column(Json)
    state: Mapped[str] = mapped_column(String(20))
    arrived_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    left_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (
        Index("ix_resettle_placements_family", "family_id"),
        Index("ix_resettle_placements_quota", "year", "region_kato", "category", "state"),
        Index("ix_resettle_placements_vacancy", "vacancy_id", "state"),
    )


class Payment(Base):
    """A support line: fixed at confirmation (``due``), paid after arrival; a repayment line after a breach."""

    __tablename__ = "resettle_payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    family_id: Mapped[str] = mapped_column(ForeignKey("resettle_families.id"))
    item: Mapped[str] = mapped_column(String(20))
    payee: Mapped[str] = mapped_column(String(10))
    mrp: Mapped[int] = mapped_column(Integer)
    tenge: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    basis: Mapped[list[str]] = mapped_column(Json)
    state: Mapped[str] = mapped_column(String(20))
    paid_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (Index("ix_resettle_payments_family", "family_id"),)


class Followup(Base):
    """A follow-up of an arrived family at 3, 6 or 12 months: due date, then what was observed."""

    __tablename__ = "resettle_followups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    family_id: Mapped[str] = mapped_column(ForeignKey("resettle_families.id"))
    month: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date] = mapped_column(Date)
    observed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    able_bodied: Mapped[int] = mapped_column(Integer)
    employed: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recorded_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)

    __table_args__ = (UniqueConstraint("family_id", "month"),)


class FamilyEventRow(Base):
    """One change of a family (append-only): who, what, from which state to which, and why."""

    __tablename__ = "resettle_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    family_id: Mapped[str] = mapped_column(ForeignKey("resettle_families.id"))
    at: Mapped[dt.datetime] = mapped_column(Timestamp)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    before: Mapped[str | None] = mapped_column(String(20), nullable=True)
    after: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_resettle_events_family", "family_id", "id"),)


# --- views -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SettlementView:
    """A receiving settlement and the monthly rent (MRP) the rent subsidy pays there."""

    kato: str
    region_kato: str
    name: str
    rent_mrp: int


@dataclass(frozen=True, slots=True)
class HousingView:
    """A dwelling: ``kind`` employer (tied to ``vacancy_id``), service or rental; ``taken`` while a family holds it."""

    id: int
    ref: str
    settlement_kato: str
    region_kato: str
    capacity: int
    kind: str
    vacancy_id: int | None
    taken: bool


@dataclass(frozen=True, slots=True)
class VacancyView:
    """A vacancy offered to resettlers, with the housing that comes with it (if any)."""

    id: int
    ref: str
    employer_bin: str
    employer_name: str
    isco: str
    title: str
    wage: int
    region_kato: str
    settlement_kato: str
    housing: HousingView | None
    posted_on: dt.date
    filled: bool


@dataclass(frozen=True, slots=True)
class CheckView:
    """One eligibility check's outcome with its legal basis."""

    key: str
    passed: bool
    applies: bool
    reason: str
    basis: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SupportLineView:
    """One support payment (or a repayment): ``state`` due, paid, repayment_due or repaid."""

    id: int
    item: str
    payee: str
    mrp: int
    tenge: int
    reason: str
    basis: tuple[str, ...]
    state: str
    paid_on: dt.date | None


@dataclass(frozen=True, slots=True)
class FollowupView:
    """A follow-up at ``month`` months after arrival: due, and what was observed once recorded."""

    month: int
    due_on: dt.date
    observed_on: dt.date | None
    status: str | None
    able_bodied: int
    employed: int


@dataclass(frozen=True, slots=True)
class PlacementView:
    """Where a family is placed: the vacancy, the housing, the score and its parts, the state."""

    id: int
    vacancy: VacancyView
    housing: HousingView | None
    region_kato: str
    settlement_kato: str
    score: int
    parts: dict[str, int]
    state: str
    run_id: int | None
    arrived_on: dt.date | None


@dataclass(frozen=True, slots=True)
class Event:
    """One step of a family's history."""

    at: dt.datetime
    actor_role: str
    action: str
    before: str | None
    after: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class FamilyView:
    """A family with everything a page shows (the head's IIN masked)."""

    id: str
    number: str
    ref: str | None
    category: str
    head_iin_masked: str
    head_surname: str
    head_given_names: str | None
    size: int
    able_bodied: int
    isco: str
    origin_kato: str | None
    preferences: tuple[str, ...]
    employment_status: str
    applied_on: dt.date
    year: int
    state: str
    checks: tuple[CheckView, ...]
    eligible: bool
    placement: PlacementView | None
    support: tuple[SupportLineView, ...]
    support_total_tenge: int
    withheld_reason: str | None
    contract_signed_on: dt.date | None
    contract_end: dt.date | None
    followups: tuple[FollowupView, ...]
    repayment_tenge: int
    allowed_actions: tuple[str, ...]
    history: tuple[Event, ...]
    decision_reason: str | None
    policy_version: dt.date
    parameters_hash: str


@dataclass(frozen=True, slots=True)
class FamilySummary:
    """A row of a family list (``region_kato``: where placed, None before a placement)."""

    id: str
    number: str
    category: str
    size: int
    origin_kato: str | None
    region_kato: str | None
    state: str
    applied_on: dt.date
    failed_checks: int


@dataclass(frozen=True, slots=True)
class QuotaUse:
    """Persons of a year's quota in one region and category: ``used`` arrived (settled, left), ``reserved``
    proposed or confirmed, ``left`` what remains."""

    year: int
    region_kato: str
    category: str
    quota: int
    used: int
    reserved: int
    left: int


@dataclass(frozen=True, slots=True)
class SupportTotal:
    """Support of one item in a year, region and category: families, MRP, tenge, tenge paid."""

    year: int
    region_kato: str
    category: str
    item: str
    families: int
    mrp: int
    tenge: int
    paid_tenge: int


@dataclass(frozen=True, slots=True)
class FollowupSummary:
    """Follow-ups at ``month`` of the families of a year placed in a region."""

    year: int
    region_kato: str
    month: int
    due: int
    recorded: int
    able_bodied: int
    employed: int
    returned: int
    moved_on: int
    breaches: int


@dataclass(frozen=True, slots=True)
class MatchRunView:
    """A matching run: optimal against greedy, the bound and gap, and why families stayed unmatched."""

    id: int
    year: int
    at: dt.datetime
    method: str
    families: int
    vacancies: int
    pairs: int
    placed_families: int
    placed_persons: int
    objective: int
    greedy_objective: int
    greedy_persons: int
    bound: int | None
    gap: float | None
    seconds: float
    unmatched: dict[str, int]
    applied: bool
    greedy_families: int | None = None
    first_choice_share: float | None = None
    greedy_first_choice_share: float | None = None
    exact_occupation_share: float | None = None
    greedy_exact_occupation_share: float | None = None


# --- access and states -------------------------------------------------------------------------------

STAFF_ROLES = frozenset({"officer", "supervisor", "analyst", "police", "akimat", "inspector", "admin"})
FAMILY_READERS = frozenset({"applicant", "officer", "supervisor", "akimat", "admin"})
REGISTRARS = frozenset({"akimat", "admin"})
APPLICANTS = frozenset({"applicant", "officer", "admin"})
MATCHERS = frozenset({"officer", "supervisor", "admin"})
RUN_READERS = MATCHERS | {"analyst"}
PAYERS = frozenset({"officer", "akimat", "admin"})
RECORDERS = frozenset({"akimat", "officer", "admin"})
REPORT_READERS = frozenset({"officer", "supervisor", "analyst", "akimat", "admin"})

STATES = (
    "submitted",
    "checks_failed",
    "approved",
    "refused",
    "proposed",
    "confirmed",
    "arrived",
    "settled",
    "left",
    "withdrawn",
)
ACTIVE = frozenset({"proposed", "confirmed", "arrived", "settled"})
"""Placement states that hold the vacancy and the housing."""
QUOTA_STATES = ACTIVE | {"left"}
"""Placement states whose persons count against the quota of the application's year."""
RESERVED = frozenset({"proposed", "confirmed"})
HOUSING_KINDS = ("employer", "service", "rental")
PROVIDED = frozenset({"employer", "service"})
"""Housing the family lives in without rent (the rent subsidy is for rental housing or none)."""
REPAYMENT = "repayment"
NUMBER_DIGITS = 6
MAX_FAMILY = 99
"""A sanity bound on the numbers typed in; the family rule (at most 20 members) is a check."""


@dataclass(frozen=True, slots=True)
class _Rule:
    before: frozenset[str]
    roles: frozenset[str]


_OFFICE = frozenset({"officer", "admin"})
RULES: dict[str, _Rule] = {
    "approve": _Rule(frozenset({"submitted"}), _OFFICE),
    "refuse": _Rule(frozenset({"submitted", "checks_failed"}), _OFFICE),
    "recheck": _Rule(frozenset({"submitted", "checks_failed"}), _OFFICE),
    "place": _Rule(frozenset({"approved"}), frozenset({"officer", "akimat", "admin"})),
    "confirm": _Rule(frozenset({"proposed"}), frozenset({"akimat", "admin"})),
    "decline": _Rule(frozenset({"proposed"}), frozenset({"akimat", "officer", "admin"})),
    "arrive": _Rule(frozenset({"confirmed"}), frozenset({"akimat", "admin"})),
    "leave": _Rule(frozenset({"arrived", "settled"}), frozenset({"akimat", "officer", "admin"})),
    "withdraw": _Rule(
        frozenset({"submitted", "checks_failed", "approved", "proposed", "confirmed"}),
        frozenset({"applicant", "officer", "admin"}),
    ),
}
"""Which action is open in which state, to which roles (``settle`` follows the 12-month follow-up)."""
ACTIONS = tuple(RULES)
NEEDS_REASON = frozenset({"refuse", "decline"})


def allowed_actions(state: str, role: str) -> tuple[str, ...]:
    """The actions ``role`` may take on a family in ``state``.

    >>> allowed_actions("checks_failed", "officer")
    ('refuse', 'recheck', 'withdraw')
    >>> allowed_actions("proposed", "akimat")
    ('confirm', 'decline')
    """
    return tuple(a for a, r in RULES.items() if state in r.before and role in r.roles)


def _check(actor: Actor, roles: frozenset[str], what: str) -> None:
    if actor.role not in roles:
        raise ResettleError(403, f"the {actor.role} role may not {what}")


def _region_of(kato: str) -> str:
    return kato[:2] + "0000000"


def _region(value: str | None, field: str) -> str:
    code = (value or "").strip()
    if code not in REGION_CODES:
        raise ResettleError(422, "not a region's KATO code (9 digits, e.g. 590000000 for North Kazakhstan)", field)
    return code


def _kato(value: str, field: str) -> str:
    code = (value or "").strip()
    if len(code) != 9 or not code.isdigit() or _region_of(code) not in REGION_CODES:
        raise ResettleError(422, "a settlement's KATO code: 9 digits starting with its region's 2 digits", field)
    return code


def _text(value: str | None, field: str, longest: int, *, required: bool = True) -> str | None:
    s = (value or "").strip()
    if not s:
        if required:
            raise ResettleError(422, "required", field)
        return None
    if len(s) > longest:
        raise ResettleError(422, f"at most {longest} characters", field)
    return s


def _count(value: int, field: str, lowest: int = 0, highest: int = MAX_FAMILY) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= highest:
        raise ResettleError(422, f"a whole number from {lowest} to {highest}", field)
    return value


def _isco(value: str) -> str:
    s = (value or "").strip()
    if len(s) != 4 or not s.isdigit():
        raise ResettleError(422, "the ISCO-08 occupation must be a 4-digit unit group code", "isco")
    return s


def _not_future(day: dt.date, now: dt.datetime, field: str) -> dt.date:
    if day > today(now) + dt.timedelta(days=1):
        raise ResettleError(422, "cannot be in the future", field)
    return day


def _policy(on: dt.date, field: str) -> ResettlePolicy:
    try:
        return policy(on)
    except PolicyNotInForce:
        raise ResettleError(
            422, f"the resettlement rules in Koshi start on {EFFECTIVE_FROM.isoformat()}", field
        ) from None


def year_policy(year: int, now: dt.datetime) -> ResettlePolicy:
    """The order in force now for ``year`` (for a past year: the last one of that year, revisions included)."""
    if isinstance(year, bool) or not isinstance(year, int) or not EFFECTIVE_FROM.year <= year <= 2100:
        raise ResettleError(422, f"a year from {EFFECTIVE_FROM.year}", "year")
    on = min(max(today(now), dt.date(year, 1, 1)), dt.date(year, 12, 31))
    return _policy(on, "year")


def _basis(path: str) -> list[str]:
    try:
        return list(basis(path))
    except (KeyError, AttributeError, LookupError):
        return []


def _audit(
    session: Session,
    actor: Actor | None,
    now: dt.datetime,
    action: str,
    *,
    case_id: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    detail: str | None = None,
) -> None:
    audit.append(
        session,
        at=now,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else "system",
        action=action,
        case_id=case_id,
        before=before,
        after=after,
        detail=detail,
    )


def _bound(session: Session, actor: Actor) -> str | None:
    return labour._akimat_region(session, actor)


def _own_region(session: Session, actor: Actor, region_kato: str, what: str) -> None:
    """A bound akimat acts only in its own region."""
    bound = _bound(session, actor)
    if bound is not None and bound != region_kato:
        raise ResettleError(403, f"this akimat {what} only in its own region")


# --- settlements, housing, vacancies -----------------------------------------------------------------


def _settlement_view(s: Settlement) -> SettlementView:
    return SettlementView(s.kato, s.region_kato, s.name, s.rent_mrp)


def _housing_view(h: Housing, taken: bool) -> HousingView:
    return HousingView(h.id, h.ref, h.settlement_kato, h.region_kato, h.capacity, h.kind, h.vacancy_id, taken)


def _taken_housing(session: Session) -> set[int]:
    held = select(Placement.housing_id).where(Placement.state.in_(sorted(ACTIVE)))
    return {int(i) for i in session.scalars(held) if i is not None}


def _filled_vacancies(session: Session) -> set[int]:
    return {int(i) for i in session.scalars(select(Placement.vacancy_id).where(Placement.state.in_(sorted(ACTIVE))))}


def _vacancy_view(v: ResettleVacancy, h: Housing | None, filled: bool, taken: bool) -> VacancyView:
    return VacancyView(
        v.id,
        v.ref,
        v.employer_bin,
        v.employer_name,
        v.isco,
        v.title,
        v.wage,
        v.region_kato,
        v.settlement_kato,
        None if h is None else _housing_view(h, taken),
        v.posted_on,
        filled,
    )


def _vacancy_housing(session: Session, vacancy_id: int) -> Housing | None:
    return session.scalar(select(Housing).where(Housing.vacancy_id == vacancy_id))


def _one_vacancy_view(session: Session, v: ResettleVacancy) -> VacancyView:
    h = _vacancy_housing(session, v.id)
    return _vacancy_view(v, h, v.id in _filled_vacancies(session), h is not None and h.id in _taken_housing(session))


def put_settlement(
    session: Session, actor: Actor, *, kato: str, name: str, rent_mrp: int, now: dt.datetime
) -> SettlementView:
    """Add or update a receiving settlement by KATO (akimat of its region, admin); ``rent_mrp`` is the monthly
    rent the subsidy pays there, within the range of the rules in force today."""
    _check(actor, REGISTRARS, "register settlements")
    code = _kato(kato, "kato")
    region = _region_of(code)
    _own_region(session, actor, region, "registers settlements")
    clean = _text(name, "name", 200)
    assert clean is not None
    p = _policy(today(now), "rent_mrp")
    rent = _count(rent_mrp, "rent_mrp", 0, 10_000)
    if not p.rent_min_mrp <= rent <= p.rent_max_mrp:
        raise ResettleError(
            422, f"the monthly rent subsidy lies within {p.rent_min_mrp}-{p.rent_max_mrp} MRP", "rent_mrp"
        )
    row = session.get(Settlement, code)
    before = None if row is None else {"kato": row.kato, "name": row.name, "rent_mrp": row.rent_mrp}
    if row is None:
        row = Settlement(kato=code, region_kato=region, name=clean, rent_mrp=rent, updated_at=now)
        session.add(row)
    else:
        row.name, row.rent_mrp, row.updated_at = clean, rent, now
    session.flush()
    after = {"kato": row.kato, "name": row.name, "rent_mrp": row.rent_mrp}
    if before != after:
        _audit(session, actor, now, "resettle.settlement", before=before, after=after, detail=f"settlement {code}")
    return _settlement_view(row)


def _settlement(session: Session, kato: str, field: str) -> Settlement:
    code = _kato(kato, field)
    row = session.get(Settlement, code)
    if row is None:
        raise ResettleError(422, "no settlement with this KATO code is registered: add it first", field)
    return row


def put_housing(
    session: Session, actor: Actor, *, ref: str, settlement_kato: str, capacity: int, kind: str, now: dt.datetime
) -> HousingView:
    """Add or update a dwelling by ``ref`` (akimat of its region, admin): ``capacity`` persons; ``kind`` employer
    (tied to a vacancy by :func:`put_vacancy`), service or rental."""
    _check(actor, REGISTRARS, "register housing")
    key = _text(ref, "ref", 64)
    assert key is not None
    s = _settlement(session, settlement_kato, "settlement_kato")
    _own_region(session, actor, s.region_kato, "registers housing")
    cap = _count(capacity, "capacity", 1, 50)
    kind_ = (kind or "").strip()
    if kind_ not in HOUSING_KINDS:
        raise ResettleError(422, f"unknown housing kind (one of {', '.join(HOUSING_KINDS)})", "kind")
    row = session.scalar(select(Housing).where(Housing.ref == key))
    if row is not None:
        _own_region(session, actor, row.region_kato, "registers housing")
        if row.id in _taken_housing(session) and (cap < row.capacity or s.kato != row.settlement_kato):
            raise ResettleError(409, "this housing is taken: it cannot shrink or move", "capacity")
    if row is None:
        row = Housing(
            ref=key,
            settlement_kato=s.kato,
            region_kato=s.region_kato,
            capacity=cap,
            kind=kind_,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
    else:
        row.settlement_kato, row.region_kato, row.capacity, row.kind, row.updated_at = (
            s.kato,
            s.region_kato,
            cap,
            kind_,
            now,
        )
    session.flush()
    _audit(
        session,
        actor,
        now,
        "resettle.housing",
        after={"housing_id": row.id, "settlement_kato": row.settlement_kato, "capacity": cap, "kind": kind_},
        detail=f"housing {row.id}",
    )
    return _housing_view(row, row.id in _taken_housing(session))


def put_vacancy(
    session: Session,
    actor: Actor,
    *,
    ref: str,
    employer_bin: str,
    employer_name: str,
    isco: str,
    title: str,
    wage: int,
    settlement_kato: str,
    housing_ref: str | None = None,
    posted_on: dt.date,
    now: dt.datetime,
) -> VacancyView:
    """Add or update a vacancy by ``ref`` (akimat of its region, admin; an import row again is no change);
    ``housing_ref`` ties a registered dwelling in the same settlement to it."""
    _check(actor, REGISTRARS, "register vacancies")
    key = _text(ref, "ref", 64)
    assert key is not None
    try:
        company = validate_bin((employer_bin or "").strip())
    except InvalidBin as exc:
        raise ResettleError(422, exc.reason, "employer_bin") from None
    name = _text(employer_name, "employer_name", 200)
    job = _text(title, "title", 200)
    assert name is not None and job is not None
    code = _isco(isco)
    pay = _count(wage, "wage", 1, 100_000_000)
    s = _settlement(session, settlement_kato, "settlement_kato")
    _own_region(session, actor, s.region_kato, "registers vacancies")
    _not_future(posted_on, now, "posted_on")
    row = session.scalar(select(ResettleVacancy).where(ResettleVacancy.ref == key))
    if row is not None:
        _own_region(session, actor, row.region_kato, "registers vacancies")
        if row.id in _filled_vacancies(session) and s.kato != row.settlement_kato:
            raise ResettleError(409, "this vacancy is filled: it cannot move to another settlement", "settlement_kato")
    home: Housing | None = None
    if housing_ref and housing_ref.strip():
        home = session.scalar(select(Housing).where(Housing.ref == housing_ref.strip()))
        if home is None:
            raise ResettleError(422, "no housing with this ref is registered: add it first", "housing_ref")
        if home.settlement_kato != s.kato:
            raise ResettleError(422, "the housing is in another settlement than the vacancy", "housing_ref")
        if home.vacancy_id is not None and (row is None or home.vacancy_id != row.id):
            raise ResettleError(409, "this housing is tied to another vacancy", "housing_ref")
    values = {
        "employer_bin": company,
        "employer_name": name,
        "isco": code,
        "title": job,
        "wage": pay,
        "region_kato": s.region_kato,
        "settlement_kato": s.kato,
        "posted_on": posted_on,
    }
    if row is None:
        row = ResettleVacancy(ref=key, created_at=now, updated_at=now, **values)
        session.add(row)
        session.flush()
        changed = True
    else:
        changed = any(getattr(row, k) != v for k, v in values.items())
        for k, v in values.items():
            setattr(row, k, v)
        if changed:
            row.updated_at = now
    old = _vacancy_housing(session, row.id)
    if home is not None and (old is None or old.id != home.id):
        if old is not None:
            old.vacancy_id = None
            session.flush()
        home.vacancy_id = row.id
        changed = True
    session.flush()
    if changed:
        _audit(
            session,
            actor,
            now,
            "resettle.vacancy",
            after={"vacancy_id": row.id, "isco": row.isco, "settlement_kato": row.settlement_kato, "wage": row.wage},
            detail=f"vacancy {row.id}",
        )
    return _one_vacancy_view(session, row)


def settlements(
    session: Session, actor: Actor, *, region_kato: str | None = None, open_only: bool = False
) -> list[SettlementView]:
    """Receiving settlements by region and KATO (staff roles); ``open_only``: with an open vacancy."""
    _check(actor, STAFF_ROLES, "see settlements")
    stmt = select(Settlement).order_by(Settlement.region_kato, Settlement.kato)
    if region_kato:
        stmt = stmt.where(Settlement.region_kato == region_kato)
    rows = list(session.scalars(stmt))
    if open_only:
        filled = _filled_vacancies(session)
        with_open = {
            k
            for i, k in session.execute(select(ResettleVacancy.id, ResettleVacancy.settlement_kato))
            if i not in filled
        }
        rows = [s for s in rows if s.kato in with_open]
    return [_settlement_view(s) for s in rows]


def housing(
    session: Session, actor: Actor, *, region_kato: str | None = None, open_only: bool = False
) -> list[HousingView]:
    """Dwellings (staff roles); ``open_only``: not taken."""
    _check(actor, STAFF_ROLES, "see housing")
    stmt = select(Housing).order_by(Housing.region_kato, Housing.settlement_kato, Housing.ref)
    if region_kato:
        stmt = stmt.where(Housing.region_kato == region_kato)
    taken = _taken_housing(session)
    return [_housing_view(h, h.id in taken) for h in session.scalars(stmt) if not (open_only and h.id in taken)]


def vacancies(
    session: Session, actor: Actor, *, region_kato: str | None = None, open_only: bool = False
) -> list[VacancyView]:
    """Vacancies with their housing (staff roles), newest first; ``open_only``: not filled."""
    _check(actor, STAFF_ROLES, "see vacancies")
    return _vacancies(session, region_kato=region_kato, open_only=open_only)


def _vacancies(session: Session, *, region_kato: str | None, open_only: bool) -> list[VacancyView]:
    stmt = select(ResettleVacancy).order_by(ResettleVacancy.posted_on.desc(), ResettleVacancy.id.desc())
    if region_kato:
        stmt = stmt.where(ResettleVacancy.region_kato == region_kato)
    filled, taken = _filled_vacancies(session), _taken_housing(session)
    homes = {h.vacancy_id: h for h in session.scalars(select(Housing).where(Housing.vacancy_id.is_not(None)))}
    return [
        _vacancy_view(v, homes.get(v.id), v.id in filled, v.id in homes and homes[v.id].id in taken)
        for v in session.scalars(stmt)
        if not (open_only and v.id in filled)
    ]


# --- families ----------------------------------------------------------------------------------------


def _next_number(session: Session, year: int) -> str:
    prefix = f"RS-{year}-"
    last = session.scalar(
        select(func.max(Family.number)).where(
            Family.number.like(prefix + "%"), func.length(Family.number) == len(prefix) + NUMBER_DIGITS
        )
    )
    n = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{n:0{NUMBER_DIGITS}d}"


def _placement(session: Session, family_id: str) -> Placement | None:
    """The family's placement that counts (proposed … left), if any; declined or withdrawn ones do not."""
    return session.scalar(
        select(Placement)
        .where(Placement.family_id == family_id, Placement.state.in_(sorted(QUOTA_STATES)))
        .order_by(Placement.id.desc())
        .limit(1)
    )


def _state(row: Family, placement: Placement | None = None) -> dict[str, Any]:
    """What the audit digests: ids, counts and the state; never the IIN or a name."""
    return {
        "id": row.id,
        "number": row.number,
        "state": row.state,
        "category": row.category,
        "size": row.size,
        "year": row.year,
        "checks_failed": sum(1 for c in row.checks if not c["passed"]),
        "placement_id": None if placement is None else placement.id,
        "region_kato": None if placement is None else placement.region_kato,
        "parameters_hash": row.parameters_hash,
    }


def _event(
    session: Session,
    row: Family,
    actor: Actor | None,
    action: str,
    before: str | None,
    reason: str | None,
    now: dt.datetime,
) -> None:
    session.add(
        FamilyEventRow(
            family_id=row.id,
            at=now,
            actor_id=actor.id if actor else None,
            actor_role=actor.role if actor else "system",
            action=action,
            before=before,
            after=row.state,
            reason=reason,
        )
    )


def _line_view(p: Payment) -> SupportLineView:
    return SupportLineView(p.id, p.item, p.payee, p.mrp, p.tenge, p.reason, tuple(p.basis), p.state, p.paid_on)


def _placement_view(session: Session, p: Placement) -> PlacementView:
    v = session.get(ResettleVacancy, p.vacancy_id)
    assert v is not None
    h = session.get(Housing, p.housing_id) if p.housing_id is not None else None
    held = p.state in ACTIVE
    return PlacementView(
        p.id,
        _one_vacancy_view(session, v),
        None if h is None else _housing_view(h, held or h.id in _taken_housing(session)),
        p.region_kato,
        p.settlement_kato,
        p.score,
        dict(p.parts),
        p.state,
        p.run_id,
        p.arrived_on,
    )


def _view(session: Session, actor: Actor, row: Family) -> FamilyView:
    placement = _placement(session, row.id)
    lines = list(session.scalars(select(Payment).where(Payment.family_id == row.id).order_by(Payment.id)))
    history = tuple(
        Event(e.at, e.actor_role, e.action, e.before, e.after, e.reason)
        for e in session.scalars(
            select(FamilyEventRow).where(FamilyEventRow.family_id == row.id).order_by(FamilyEventRow.id)
        )
    )
    follow = tuple(
        FollowupView(f.month, f.due_on, f.observed_on, f.status, f.able_bodied, f.employed)
        for f in session.scalars(select(Followup).where(Followup.family_id == row.id).order_by(Followup.month))
    )
    checks = tuple(
        CheckView(c["key"], bool(c["passed"]), bool(c.get("applies", True)), c["reason"], tuple(c.get("basis", ())))
        for c in row.checks
    )
    allowed = allowed_actions(row.state, actor.role)
    if actor.role == "akimat" and placement is not None:
        bound = _bound(session, actor)
        if bound is not None and bound != placement.region_kato:
            allowed = ()
    return FamilyView(
        id=row.id,
        number=row.number,
        ref=row.ref,
        category=row.category,
        head_iin_masked=mask(row.head_iin),
        head_surname=row.head_surname,
        head_given_names=row.head_given_names,
        size=row.size,
        able_bodied=row.able_bodied,
        isco=row.isco,
        origin_kato=row.origin_kato,
        preferences=tuple(row.preferences),
        employment_status=row.employment_status,
        applied_on=row.applied_on,
        year=row.year,
        state=row.state,
        checks=checks,
        eligible=all(c.passed or not c.applies for c in checks),
        placement=None if placement is None else _placement_view(session, placement),
        support=tuple(_line_view(p) for p in lines),
        support_total_tenge=sum(p.tenge for p in lines if p.item != REPAYMENT),
        withheld_reason=row.withheld_reason,
        contract_signed_on=row.contract_signed_on,
        contract_end=row.contract_end,
        followups=follow,
        repayment_tenge=sum(p.tenge for p in lines if p.item == REPAYMENT),
        allowed_actions=allowed,
        history=history,
        decision_reason=row.decision_reason,
        policy_version=row.policy_version,
        parameters_hash=row.parameters_hash,
    )


def _family_row(session: Session, actor: Actor, family_id: str, *, acting: bool = False) -> Family:
    """The family, if the actor may see it: an applicant only its own, a bound akimat only those placed in its
    region (or waiting for a placement); any other id is not found. ``acting``: an akimat bound elsewhere
    gets 403 instead, so it learns why it cannot act."""
    _check(actor, FAMILY_READERS, "see families")
    row = session.get(Family, family_id) if isinstance(family_id, str) and len(family_id) <= 36 else None
    if row is not None and actor.role == "applicant" and row.applicant_id != actor.id:
        row = None
    if row is not None and actor.role == "akimat":
        bound = _bound(session, actor)
        placed = _placement(session, row.id)
        if bound is not None and placed is not None and placed.region_kato != bound:
            if acting:
                raise ResettleError(403, "this akimat acts only on families placed in its own region")
            row = None
        elif bound is not None and placed is None and row.state != "approved":
            row = None
    if row is None:
        raise ResettleError(404, f"no family {family_id}")
    return row


def _evaluate(row: Family) -> tuple[eligibility.Check, ...]:
    """Run every check on ``row`` as of its application day; store the outcome with the parameters' version."""
    p = _policy(row.applied_on, "applied_on")
    a = eligibility.Applicant(
        category=row.category,
        citizen=row.citizen,
        kandas_status=row.kandas_status,
        employment_status=row.employment_status,
        origin_kato=row.origin_kato,
        registered_since=row.registered_since,
        graduate_programme=row.graduate_programme,
        graduated_on=row.graduated_on,
        preferences=tuple(row.preferences),
        size=row.size,
        able_bodied=row.able_bodied,
        applied_on=row.applied_on,
    )
    try:
        results = eligibility.evaluate(a, p)
    except PolicyError as exc:
        raise ResettleError(422, str(exc), "category") from None
    row.checks = [
        {"key": c.key, "passed": c.passed, "applies": c.applies, "reason": c.reason, "basis": list(c.basis)}
        for c in results
    ]
    row.policy_version, row.parameters_hash = p.version_date, p.parameters_hash
    return results


def apply(
    session: Session,
    actor: Actor,
    *,
    ref: str | None = None,
    category: str,
    head_iin: str,
    head_surname: str,
    head_given_names: str | None,
    citizen: bool,
    kandas_status: bool,
    employment_status: str,
    origin_kato: str | None,
    registered_since: dt.date | None,
    graduate_programme: str | None,
    graduated_on: dt.date | None,
    size: int,
    able_bodied: int,
    isco: str,
    preferences: Sequence[str],
    housing_certificate: bool,
    applied_on: dt.date,
    now: dt.datetime,
) -> FamilyView:
    """Apply for the programme (an applicant for its own family, bound to its account; an officer or an
    administrator for anyone). Every eligibility check runs at once with the rules in force on
    ``applied_on``: the family lands in ``submitted`` (all passed) or ``checks_failed`` (each failure
    listed with its reason). The same ``ref`` again gives back the same family (idempotent imports)."""
    _check(actor, APPLICANTS, "apply for resettlement")
    key = _text(ref, "ref", 64, required=False)
    idempotency.lock(session)  # serialise numbering and the ref lookup
    if key is not None:
        existing = session.scalar(select(Family).where(Family.ref == key))
        if existing is not None:
            if actor.role == "applicant" and existing.applicant_id != actor.id:
                raise ResettleError(409, "this ref belongs to another application", "ref")
            _audit(
                session,
                actor,
                now,
                "resettle.read",
                case_id=existing.id,
                before=_state(existing),
                after=_state(existing),
                detail=f"family {existing.number}: ref repeated",
            )
            return _view(session, actor, existing)
    try:
        cat = parse_category((category or "").strip()).value
    except PolicyError:
        raise ResettleError(422, "unknown category (one of resettler, kandas)", "category") from None
    try:
        iin = validate_iin((head_iin or "").strip()).value
    except InvalidIin as exc:
        raise ResettleError(422, exc.reason, "head_iin") from None
    surname = _text(head_surname, "head_surname", 80)
    given = _text(head_given_names, "head_given_names", 80, required=False)
    assert surname is not None
    status = (employment_status or "").strip()
    if status not in eligibility.EMPLOYMENT:
        raise ResettleError(
            422, f"unknown employment status (one of {', '.join(eligibility.EMPLOYMENT)})", "employment_status"
        )
    origin = _region(origin_kato, "origin_kato") if (origin_kato or "").strip() else None
    prefs = tuple(_region(p, "preferences") for p in preferences)
    if len(set(prefs)) != len(prefs):
        raise ResettleError(422, "a region is named twice", "preferences")
    programme = _text(graduate_programme, "graduate_programme", 40, required=False)
    _not_future(applied_on, now, "applied_on")
    _policy(applied_on, "applied_on")
    for day, field in ((registered_since, "registered_since"), (graduated_on, "graduated_on")):
        if day is not None and day > applied_on:
            raise ResettleError(422, "after the application day", field)
    row = Family(
        id=str(uuid.uuid4()),
        number=_next_number(session, applied_on.year),
        ref=key,
        applicant_id=actor.id if actor.role == "applicant" else None,
        category=cat,
        head_iin=iin,
        head_surname=surname,
        head_given_names=given,
        citizen=bool(citizen),
        kandas_status=bool(kandas_status),
        employment_status=status,
        origin_kato=origin,
        registered_since=registered_since,
        graduate_programme=programme,
        graduated_on=graduated_on,
        size=_count(size, "size", 1),
        able_bodied=_count(able_bodied, "able_bodied"),
        isco=_isco(isco),
        preferences=list(prefs),
        housing_certificate=bool(housing_certificate),
        applied_on=applied_on,
        year=applied_on.year,
        state="checks_failed",
        created_at=now,
        updated_at=now,
    )
    results = _evaluate(row)
    row.state = "submitted" if eligibility.eligible(results) else "checks_failed"
    session.add(row)
    session.flush()
    _event(session, row, actor, "apply", None, None, now)
    failed = sum(1 for c in results if not c.passed)
    _audit(
        session,
        actor,
        now,
        "resettle.apply",
        case_id=row.id,
        after=_state(row),
        detail=f"family {row.number}: {row.state}, {failed} check(s) failed",
    )
    return _view(session, actor, row)


def family(session: Session, actor: Actor, family_id: str, *, now: dt.datetime) -> FamilyView:
    """One family (an audited read; an applicant sees only its own, a bound akimat its region's)."""
    row = _family_row(session, actor, family_id)
    state = _state(row, _placement(session, row.id))
    _audit(
        session, actor, now, "resettle.read", case_id=row.id, before=state, after=state, detail=f"family {row.number}"
    )
    return _view(session, actor, row)


def families(
    session: Session,
    actor: Actor,
    *,
    year: int | None = None,
    state: str | None = None,
    region_kato: str | None = None,
    category: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[FamilySummary], int]:
    """A page of families the actor may see (queue order: earliest application first), and how many there are.

    Officers, supervisors, administrators and unbound akimats see all; a bound akimat those placed in its
    region; an applicant its own. ``region_kato`` filters on the placement region.
    """
    _check(actor, FAMILY_READERS, "list families")
    current = (
        select(Placement.family_id, func.max(Placement.id).label("pid"))
        .where(Placement.state.in_(sorted(QUOTA_STATES)))
        .group_by(Placement.family_id)
        .subquery()
    )
    stmt = (
        select(Family, Placement.region_kato)
        .outerjoin(current, current.c.family_id == Family.id)
        .outerjoin(Placement, Placement.id == current.c.pid)
    )
    if actor.role == "applicant":
        stmt = stmt.where(Family.applicant_id == actor.id)
    bound = _bound(session, actor)
    if bound is not None:
        stmt = stmt.where(Placement.region_kato == bound)
    if year is not None:
        stmt = stmt.where(Family.year == year)
    if state:
        if state not in STATES:
            raise ResettleError(422, f"unknown state (one of {', '.join(STATES)})", "state")
        stmt = stmt.where(Family.state == state)
    if region_kato:
        stmt = stmt.where(Placement.region_kato == region_kato)
    if category:
        stmt = stmt.where(Family.category == category)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(
        stmt.order_by(Family.applied_on, Family.number).offset(max(0, offset)).limit(max(0, min(limit, 1000)))
    )
    items = [
        FamilySummary(
            f.id,
            f.number,
            f.category,
            f.size,
            f.origin_kato,
            region,
            f.state,
            f.applied_on,
            sum(1 for c in f.checks if not c["passed"]),
        )
        for f, region in rows
    ]
    return items, int(total)


# --- quota -------------------------------------------------------------------------------------------


def _used(session: Session, year: int) -> dict[tuple[str, str, str], int]:
    """Persons per (region, category, placement state) placed from the year's applications."""
    rows = session.execute(
        select(Placement.region_kato, Placement.category, Placement.state, func.sum(Placement.persons))
        .where(Placement.year == year, Placement.state.in_(sorted(QUOTA_STATES)))
        .group_by(Placement.region_kato, Placement.category, Placement.state)
    )
    return {(r, c, s): int(n or 0) for r, c, s, n in rows}


def remaining(session: Session, p: ResettlePolicy, year: int) -> dict[tuple[str, str], int]:
    """Persons still free per (region, category) of the year's order (reserved placements count as used)."""
    left = dict(p.quota)
    for (region, cat, _), n in _used(session, year).items():
        left[(region, cat)] = left.get((region, cat), 0) - n
    return {k: max(0, v) for k, v in left.items()}


def quota_usage(session: Session, actor: Actor, *, year: int) -> list[QuotaUse]:
    """The year's quota per receiving region and category (persons): arrived, reserved and left; every staff
    role. Rows for every region the order lists and every one with placements, by region then category."""
    _check(actor, STAFF_ROLES, "see the resettlement quota")
    p = year_policy(year, dt.datetime.now(dt.UTC))
    used: dict[tuple[str, str], int] = {}
    reserved: dict[tuple[str, str], int] = {}
    for (region, cat, st), n in _used(session, year).items():
        target = reserved if st in RESERVED else used
        target[(region, cat)] = target.get((region, cat), 0) + n
    keys = sorted(set(p.quota) | set(used) | set(reserved))
    return [
        QuotaUse(
            year,
            r,
            c,
            p.quota_for(r, c),
            used.get((r, c), 0),
            reserved.get((r, c), 0),
            max(0, p.quota_for(r, c) - used.get((r, c), 0) - reserved.get((r, c), 0)),
        )
        for r, c in keys
    ]


# --- placing -----------------------------------------------------------------------------------------


def _match_family(row: Family) -> matching.Family:
    return matching.Family(row.id, row.category, row.size, row.isco, row.origin_kato, tuple(row.preferences))


def _match_vacancy(v: ResettleVacancy, h: Housing | None) -> matching.Vacancy:
    return matching.Vacancy(
        str(v.id), v.region_kato, v.settlement_kato, v.isco, v.wage, None if h is None else h.capacity
    )


def _place(
    session: Session,
    actor: Actor | None,
    row: Family,
    v: ResettleVacancy,
    *,
    score: int,
    parts: Mapping[str, int],
    run_id: int | None,
    now: dt.datetime,
) -> Placement:
    h = _vacancy_housing(session, v.id)
    placed = Placement(
        family_id=row.id,
        vacancy_id=v.id,
        housing_id=None if h is None else h.id,
        run_id=run_id,
        region_kato=v.region_kato,
        settlement_kato=v.settlement_kato,
        category=row.category,
        year=row.year,
        persons=row.size,
        score=score,
        parts=dict(parts),
        state="proposed",
        created_at=now,
        updated_at=now,
    )
    session.add(placed)
    row.state = "proposed"
    row.updated_at = now
    session.flush()
    return placed


def _manual_place(session: Session, actor: Actor, row: Family, vacancy_id: int | None, now: dt.datetime) -> Placement:
    """Place a family on a vacancy by hand: the vacancy open, in a region receiving the category this year and
    not the family's origin, the housing large enough, and persons left in the region's quota."""
    if vacancy_id is None:
        raise ResettleError(422, "the vacancy to place the family on is required", "vacancy_id")
    v = session.get(ResettleVacancy, vacancy_id)
    if v is None:
        raise ResettleError(422, f"no vacancy {vacancy_id}", "vacancy_id")
    _own_region(session, actor, v.region_kato, "places families")
    if v.id in _filled_vacancies(session):
        raise ResettleError(409, f"vacancy {v.id} is filled", "vacancy_id")
    p = year_policy(row.year, now)
    if v.region_kato not in p.receiving.get(row.category, frozenset()):
        raise ResettleError(409, f"region {v.region_kato} does not receive {row.category} in {row.year}", "vacancy_id")
    if row.origin_kato == v.region_kato:
        raise ResettleError(409, "the vacancy is in the family's origin region", "vacancy_id")
    h = _vacancy_housing(session, v.id)
    if h is not None and h.capacity < row.size:
        raise ResettleError(
            409, f"family of {row.size} does not fit the housing of this vacancy (takes {h.capacity})", "vacancy_id"
        )
    left = remaining(session, p, row.year).get((v.region_kato, row.category), 0)
    if left < row.size:
        raise ResettleError(
            409,
            f"quota exhausted: region {v.region_kato} has {left} {row.category} place(s) left in {row.year}; "
            f"the family has {row.size} person(s)",
            "vacancy_id",
        )
    parts = matching.score_parts(_match_family(row), _match_vacancy(v, h)) or {}
    return _place(session, actor, row, v, score=sum(parts.values()), parts=parts, run_id=None, now=now)


def _confirm(
    session: Session, row: Family, placed: Placement, housing_id: int | None, contract_signed: bool, now: dt.datetime
) -> None:
    """Fix the support plan (rules in force today) and create its payment lines as ``due``."""
    if housing_id is not None and placed.housing_id is None:
        h = session.get(Housing, housing_id)
        if h is None:
            raise ResettleError(422, f"no housing {housing_id}", "housing_id")
        if h.vacancy_id is not None or h.settlement_kato != placed.settlement_kato:
            raise ResettleError(422, "free service or rental housing in the placement's settlement", "housing_id")
        if h.id in _taken_housing(session):
            raise ResettleError(409, f"housing {h.id} is taken", "housing_id")
        if h.capacity < row.size:
            raise ResettleError(
                409, f"family of {row.size} does not fit this housing (takes {h.capacity})", "housing_id"
            )
        placed.housing_id = h.id
    elif housing_id is not None and housing_id != placed.housing_id:
        raise ResettleError(422, "the vacancy comes with its own housing", "housing_id")
    home = session.get(Housing, placed.housing_id) if placed.housing_id is not None else None
    s = session.get(Settlement, placed.settlement_kato)
    assert s is not None
    day = today(now)
    p = _policy(day, "on")
    try:
        plan = support.plan(
            category=row.category,
            size=row.size,
            rent_mrp=None if home is not None and home.kind in PROVIDED else s.rent_mrp,
            employer_helped=home is not None and home.kind == "employer",
            housing_certificate=row.housing_certificate,
            contract_signed=contract_signed,
            p=p,
        )
    except PolicyError as exc:
        raise ResettleError(422, str(exc), "rent_mrp") from None
    for line in plan.lines:
        session.add(
            Payment(
                family_id=row.id,
                item=line.item,
                payee=line.payee,
                mrp=line.mrp,
                tenge=line.tenge,
                reason=line.reason,
                basis=list(line.basis),
                state="due",
                created_at=now,
            )
        )
    notes = [plan.withheld_reason] if plan.withheld_reason else []
    notes.extend(getattr(plan, "notes", ()))
    row.withheld_reason = "; ".join(notes) or None
    if contract_signed:
        row.contract_signed_on = day
        years = p.contract_years
        row.contract_end = followup.contract_end(day, years) if years else None


def _move_in(session: Session, row: Family, placed: Placement, on: dt.date) -> None:
    """Add the family to the interregional moves of the month (only a move between two Kazakh regions)."""
    origin = row.origin_kato
    if origin is None or origin not in REGION_CODES or origin == placed.region_kato:
        return
    category = "citizen" if row.category == "resettler" else "kandas"
    keys = {
        "year": on.year,
        "month": on.month,
        "origin_region": origin,
        "destination_region": placed.region_kato,
        "category": category,
    }
    move = session.scalar(select(monitoring.InterregionalMove).filter_by(**keys))
    if move is None:
        session.add(monitoring.InterregionalMove(movers=row.size, **keys))
    else:
        move.movers += row.size


def _leave(session: Session, row: Family, placed: Placement, on: dt.date, now: dt.datetime) -> int:
    """The family left the receiving region: a repayment line when it breaks its contract; returns the tenge."""
    if placed.arrived_on is not None and on < placed.arrived_on:
        raise ResettleError(422, "before the arrival", "on")
    placed.state, placed.left_on, placed.updated_at = "left", on, now
    row.state = "left"
    paid = list(
        session.scalars(
            select(Payment).where(Payment.family_id == row.id, Payment.payee == "family", Payment.state == "paid")
        )
    )
    paid_tenge = sum(x.tenge for x in paid)
    p = _policy(row.contract_signed_on or on, "on")
    try:
        tenge, reason = support.repayment(
            paid_tenge=paid_tenge, category=row.category, contract_signed_on=row.contract_signed_on, left_on=on, p=p
        )
    except PolicyError as exc:
        raise ResettleError(422, str(exc), "on") from None
    if tenge > 0:
        mrp = round(sum(x.mrp for x in paid) * tenge / paid_tenge) if paid_tenge else 0
        session.add(
            Payment(
                family_id=row.id,
                item=REPAYMENT,
                payee="family",
                mrp=mrp,
                tenge=tenge,
                reason=reason,
                basis=_basis("kz.resettlement.support.repay_share") + _basis("kz.kandas_status.contract_years"),
                state="repayment_due",
                created_at=now,
            )
        )
    return tenge


def act(
    session: Session,
    actor: Actor,
    family_id: str,
    action: str,
    *,
    reason: str | None = None,
    vacancy_id: int | None = None,
    housing_id: int | None = None,
    on: dt.date | None = None,
    contract_signed: bool = False,
    now: dt.datetime,
) -> FamilyView:
    """Take a workflow action (:data:`RULES` says who may, in which state).

    ``approve`` only an eligible family; ``refuse`` and ``decline`` need a reason; ``recheck`` runs every
    check again (the application day moves to today); ``place`` puts an approved family on ``vacancy_id``
    (quota, housing and region checked); ``confirm`` fixes the support plan (``contract_signed``: the social
    contract, required for kandas support from 2026; ``housing_id``: free service or rental housing when the
    vacancy has none); ``arrive`` (``on``, default today) makes support payable, schedules the follow-ups and
    counts the move; ``leave`` (``on``) ends the stay, with a repayment line on a contract breach;
    ``withdraw`` frees any placement. A bound akimat acts only on families placed in its region.
    """
    if action not in RULES:
        raise ResettleError(422, f"unknown action (one of {', '.join(ACTIONS)})", "action")
    row = _family_row(session, actor, family_id, acting=True)
    idempotency.lock(session)
    session.refresh(row)
    rule = RULES[action]
    if actor.role not in rule.roles:
        raise ResettleError(403, f"the {actor.role} role may not {action} families")
    if row.state not in rule.before:
        raise ResettleError(
            409,
            f"{action} is not open for a family in state {row.state}",
            "action",
            allowed_actions(row.state, actor.role),
        )
    why = (reason or "").strip() or None
    if action in NEEDS_REASON and why is None:
        raise ResettleError(422, f"a reason is required to {action}", "reason")
    if why is not None and len(why) > 2000:
        raise ResettleError(422, "at most 2000 characters", "reason")
    before_state = row.state
    placed = _placement(session, row.id)
    before = _state(row, placed)
    day = _not_future(on or today(now), now, "on")
    if action == "approve":
        row.state, row.decided_by, row.decision_reason = "approved", actor.id, why
    elif action == "refuse":
        row.state, row.decided_by, row.decision_reason = "refused", actor.id, why
    elif action == "recheck":
        row.applied_on = max(row.applied_on, today(now))
        row.year = row.applied_on.year
        row.state = "submitted" if eligibility.eligible(_evaluate(row)) else "checks_failed"
    elif action == "place":
        placed = _manual_place(session, actor, row, vacancy_id, now)
    elif action == "confirm":
        assert placed is not None
        _confirm(session, row, placed, housing_id, contract_signed, now)
        placed.state, row.state = "confirmed", "confirmed"
    elif action == "decline":
        assert placed is not None
        placed.state, row.state = "declined", "approved"
    elif action == "arrive":
        assert placed is not None
        if day < today(now) - dt.timedelta(days=400):
            raise ResettleError(422, "more than 400 days ago", "on")
        placed.state, placed.arrived_on, row.state = "arrived", day, "arrived"
        for month, due in followup.due_dates(day).items():
            session.add(Followup(family_id=row.id, month=month, due_on=due, able_bodied=0, employed=0))
        _move_in(session, row, placed, day)
    elif action == "leave":
        assert placed is not None
        _leave(session, row, placed, day, now)
    elif action == "withdraw":
        if placed is not None:
            placed.state = "withdrawn"
        row.state = "withdrawn"
    if placed is not None:
        placed.updated_at = now
    row.updated_at = now
    _event(session, row, actor, action, before_state, why, now)
    session.flush()
    _audit(
        session,
        actor,
        now,
        f"resettle.{action}",
        case_id=row.id,
        before=before,
        after=_state(row, _placement(session, row.id)),
        detail=f"family {row.number}: {before_state} -> {row.state}",
    )
    return _view(session, actor, row)


# --- matching ----------------------------------------------------------------------------------------


def _run_view(r: MatchRun) -> MatchRunView:
    return MatchRunView(
        r.id,
        r.year,
        r.at,
        r.method,
        r.families,
        r.vacancies,
        r.pairs,
        r.placed_families,
        r.placed_persons,
        r.objective,
        r.greedy_objective,
        r.greedy_persons,
        r.bound,
        r.gap,
        r.seconds,
        dict(r.unmatched),
        r.applied,
        greedy_families=int(r.quality["greedy"]["families"]),
        first_choice_share=r.quality["optimal"]["first_choice_share"],
        greedy_first_choice_share=r.quality["greedy"]["first_choice_share"],
        exact_occupation_share=r.quality["optimal"]["exact_occupation_share"],
        greedy_exact_occupation_share=r.quality["greedy"]["exact_occupation_share"],
    )


def run_matching(
    session: Session, actor: Actor, *, year: int, apply: bool, now: dt.datetime, time_limit: float = 60.0
) -> MatchRunView:
    """Match the year's approved families (queue order: application day, then number) to the open vacancies
    with the persons left in each region's quota; run the optimiser and the greedy baseline, store the run
    with both objectives, the bound and the gap, and (``apply``) propose the optimal placements, all in the
    caller's transaction (officer, supervisor, admin)."""
    _check(actor, MATCHERS, "run the matching")
    p = year_policy(year, now)
    idempotency.lock(session)
    rows = list(
        session.scalars(
            select(Family)
            .where(Family.year == year, Family.state == "approved")
            .order_by(Family.applied_on, Family.number)
        )
    )
    filled, taken = _filled_vacancies(session), _taken_housing(session)
    homes = {h.vacancy_id: h for h in session.scalars(select(Housing).where(Housing.vacancy_id.is_not(None)))}
    open_ = [v for v in session.scalars(select(ResettleVacancy).order_by(ResettleVacancy.id)) if v.id not in filled]
    offered = [
        _match_vacancy(v, h) for v in open_ for h in [homes.get(v.id)] if h is None or h.id not in taken
    ]  # a vacancy whose housing another family holds is not offered
    problem = matching.Problem(
        families=[_match_family(f) for f in rows],
        vacancies=offered,
        quota=remaining(session, p, year),
        receiving=p.receiving,
    )
    best = matching.solve(problem, time_limit=time_limit)
    base = matching.greedy(problem)
    numbers = {f.id: f.number for f in rows}
    reasons: dict[str, int] = {}
    for why in best.unmatched.values():
        reasons[why] = reasons.get(why, 0) + 1
    run = MatchRun(
        year=year,
        at=now,
        actor_id=actor.id,
        method=best.method,
        families=len(rows),
        vacancies=len(offered),
        pairs=best.pairs,
        placed_families=len(best.placements),
        placed_persons=best.persons,
        objective=best.objective,
        greedy_objective=base.objective,
        greedy_persons=base.persons,
        bound=best.bound,
        gap=best.gap,
        seconds=round(best.seconds, 3),
        unmatched=reasons,
        unmatched_families=[[numbers[f.id], best.unmatched[f.id]] for f in rows if f.id in best.unmatched],
        applied=apply,
        quality={"optimal": matching.quality(best), "greedy": matching.quality(base)},
    )
    session.add(run)
    session.flush()
    if apply:
        by_id = {f.id: f for f in rows}
        vacancy = {str(v.id): v for v in open_}
        for pl in best.placements:
            row = by_id[pl.family]
            placed = _place(
                session, actor, row, vacancy[pl.vacancy], score=pl.score, parts=pl.parts, run_id=run.id, now=now
            )
            _event(session, row, actor, "place", "approved", f"matching run {run.id}", now)
            _audit(
                session,
                actor,
                now,
                "resettle.place",
                case_id=row.id,
                after=_state(row, placed),
                detail=f"family {row.number}: approved -> proposed by run {run.id}",
            )
    session.flush()
    _audit(
        session,
        actor,
        now,
        "resettle.match",
        after={"run_id": run.id, "year": year, "families": len(rows), "placed": len(best.placements)},
        detail=f"run {run.id}: {len(best.placements)} of {len(rows)} families placed, applied={apply}",
    )
    return _run_view(run)


def match_runs(session: Session, actor: Actor, *, year: int | None = None) -> list[MatchRunView]:
    """Matching runs, newest first (officer, supervisor, analyst, admin)."""
    _check(actor, RUN_READERS, "see matching runs")
    stmt = select(MatchRun).order_by(MatchRun.id.desc())
    if year is not None:
        stmt = stmt.where(MatchRun.year == year)
    return [_run_view(r) for r in session.scalars(stmt)]


def unmatched(session: Session, actor: Actor, run_id: int) -> list[tuple[str, str]]:
    """(family number, reason) of each family a run left unmatched, in queue order; analysts get the reasons
    with the number left empty (aggregates, not people)."""
    _check(actor, RUN_READERS, "see matching runs")
    run = session.get(MatchRun, run_id)
    if run is None:
        raise ResettleError(404, f"no matching run {run_id}")
    hide = actor.role == "analyst"
    return [("" if hide else str(n), str(why)) for n, why in run.unmatched_families]


# --- payments and follow-ups -------------------------------------------------------------------------


def pay(session: Session, actor: Actor, line_id: int, *, paid_on: dt.date, now: dt.datetime) -> SupportLineView:
    """Record a support line paid (after the family arrived) or a repayment received (officer, akimat of the
    placement region, admin)."""
    _check(actor, PAYERS, "record payments")
    line = session.get(Payment, line_id)
    if line is None:
        raise ResettleError(404, f"no payment line {line_id}")
    row = _family_row(session, actor, line.family_id, acting=True)
    idempotency.lock(session)
    session.refresh(line)
    _not_future(paid_on, now, "paid_on")
    before = line.state
    if line.state == "due":
        if row.state not in ("arrived", "settled"):
            raise ResettleError(409, f"support is paid after the family arrives; family {row.number} is {row.state}")
        line.state = "paid"
    elif line.state == "repayment_due":
        line.state = "repaid"
    else:
        raise ResettleError(409, f"payment line {line.id} is already {line.state}")
    line.paid_on = paid_on
    session.flush()
    _audit(
        session,
        actor,
        now,
        "resettle.pay",
        case_id=row.id,
        before={"line_id": line.id, "state": before},
        after={"line_id": line.id, "state": line.state, "tenge": line.tenge},
        detail=f"family {row.number}: {line.item} {before} -> {line.state}",
    )
    return _line_view(line)


PERSON_DIGITS = "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""The member's index in ``person_ref``: one character keeps ``RS-2026-000123-K`` within 16 characters."""


def person_ref(number: str, i: int) -> str:
    """The pseudonymous follow-up reference of the ``i``-th able-bodied member (1-based) of a family.

    >>> person_ref("RS-2026-000123", 2), person_ref("RS-2026-000123", 12)
    ('RS-2026-000123-2', 'RS-2026-000123-C')
    """
    return f"{number}-{PERSON_DIGITS[i - 1]}"


def _monitoring(session: Session, row: Family, placed: Placement, obs: followup.Observation) -> None:
    """One ``resettler_followups`` row per able-bodied member (the latest observation wins; members no longer
    able-bodied keep their row, marked so): the dashboard's employment KPI then counts programme families."""
    assert placed.arrived_on is not None
    present = {
        r.person_ref: r
        for r in session.scalars(
            select(monitoring.ResettlerFollowup).where(monitoring.ResettlerFollowup.person_ref.like(f"{row.number}-%"))
        )
    }
    refs = [person_ref(row.number, i) for i in range(1, obs.able_bodied + 1)]
    for ref in present:
        if ref not in refs:
            refs.append(ref)
    for i, ref in enumerate(refs, start=1):
        values = {
            "category": row.category,
            "year_settled": placed.arrived_on.year,
            "region": placed.region_kato,
            "able_bodied": i <= obs.able_bodied,
            "employed": i <= obs.employed,
            "observed_on": obs.observed_on,
        }
        rec = present.get(ref)
        if rec is None:
            session.add(monitoring.ResettlerFollowup(person_ref=ref, **values))
        else:
            for k, v in values.items():
                setattr(rec, k, v)


def record_followup(
    session: Session,
    actor: Actor,
    family_id: str,
    *,
    month: int,
    observed_on: dt.date,
    status: str,
    able_bodied: int,
    employed: int,
    now: dt.datetime,
) -> FamilyView:
    """Record (or correct) the follow-up at 3, 6 or 12 months (akimat of the placement region, officer,
    admin). Status returned or moved_on means the family left: as :func:`act` ``leave``. After the 12-month
    follow-up the family is ``settled``."""
    _check(actor, RECORDERS, "record follow-ups")
    row = _family_row(session, actor, family_id, acting=True)
    idempotency.lock(session)
    session.refresh(row)
    if row.state not in ("arrived", "settled"):
        raise ResettleError(
            409,
            f"follow-ups are recorded after arrival; family {row.number} is {row.state}",
            "month",
            allowed_actions(row.state, actor.role),
        )
    placed = _placement(session, row.id)
    assert placed is not None and placed.arrived_on is not None
    _not_future(observed_on, now, "observed_on")
    try:
        obs = followup.Observation(month, observed_on, (status or "").strip(), able_bodied, employed).validate(
            placed.arrived_on, row.size
        )
    except followup.FollowupError as exc:
        raise ResettleError(422, exc.message, exc.field) from None
    rec = session.scalar(select(Followup).where(Followup.family_id == row.id, Followup.month == month))
    if rec is None:
        rec = Followup(family_id=row.id, month=month, due_on=followup.due_dates(placed.arrived_on)[month])
        session.add(rec)
    rec.observed_on, rec.status, rec.able_bodied, rec.employed = observed_on, obs.status, able_bodied, employed
    rec.recorded_by, rec.recorded_at = actor.id, now
    before_state, before = row.state, _state(row, placed)
    _monitoring(session, row, placed, obs)
    action = "followup"
    if followup.left_region(obs.status):
        _leave(session, row, placed, observed_on, now)
        action = "leave"
    elif month == max(followup.MONTHS) and row.state == "arrived":
        row.state = placed.state = "settled"
        action = "settle"
    row.updated_at = placed.updated_at = now
    _event(session, row, actor, action, before_state, f"{month}-month follow-up: {obs.status}", now)
    session.flush()
    _audit(
        session,
        actor,
        now,
        "resettle.followup",
        case_id=row.id,
        before=before,
        after=_state(row, placed),
        detail=f"family {row.number}: month {month}, {employed} of {able_bodied} able-bodied employed",
    )
    return _view(session, actor, row)


# --- aggregates --------------------------------------------------------------------------------------


def support_totals(session: Session, actor: Actor, *, year: int | None = None) -> list[SupportTotal]:
    """Support by application year, placement region, category and item: families, MRP, tenge and tenge paid
    (repayments: repaid). Officer, supervisor, analyst, akimat (bound: its region), admin."""
    _check(actor, REPORT_READERS, "see support totals")
    paid = case((Payment.state.in_(("paid", "repaid")), Payment.tenge), else_=0)
    stmt = (
        select(
            Family.year,
            Placement.region_kato,
            Family.category,
            Payment.item,
            func.count(func.distinct(Family.id)),
            func.sum(Payment.mrp),
            func.sum(Payment.tenge),
            func.sum(paid),
        )
        .join(Family, Family.id == Payment.family_id)
        .join(
            Placement,
            and_(Placement.family_id == Family.id, Placement.state.in_(("confirmed", "arrived", "settled", "left"))),
        )
        .group_by(Family.year, Placement.region_kato, Family.category, Payment.item)
        .order_by(Family.year, Placement.region_kato, Family.category, Payment.item)
    )
    if year is not None:
        stmt = stmt.where(Family.year == year)
    bound = _bound(session, actor)
    if bound is not None:
        stmt = stmt.where(Placement.region_kato == bound)
    return [
        SupportTotal(int(y), r, c, i, int(n), int(m or 0), int(t or 0), int(pd or 0))
        for y, r, c, i, n, m, t, pd in session.execute(stmt)
    ]


def followup_summary(session: Session, actor: Actor, *, year: int | None = None) -> list[FollowupSummary]:
    """Follow-ups by application year, placement region and month: scheduled, recorded, able-bodied and
    employed members, returns, moves on, and breaches (a family that left under a contract and owes a
    repayment). Same readers as :func:`support_totals`."""
    _check(actor, REPORT_READERS, "see follow-ups")
    stmt = (
        select(
            Family.year,
            Placement.region_kato,
            Followup.month,
            Followup.observed_on,
            Followup.status,
            Followup.able_bodied,
            Followup.employed,
            Family.id,
        )
        .join(Family, Family.id == Followup.family_id)
        .join(Placement, and_(Placement.family_id == Family.id, Placement.state.in_(("arrived", "settled", "left"))))
    )
    if year is not None:
        stmt = stmt.where(Family.year == year)
    bound = _bound(session, actor)
    if bound is not None:
        stmt = stmt.where(Placement.region_kato == bound)
    owing = set(session.scalars(select(Payment.family_id).where(Payment.item == REPAYMENT)))
    out: dict[tuple[int, str, int], list[int]] = {}
    for y, region, month, observed, status, able, employed, fid in session.execute(stmt):
        acc = out.setdefault((int(y), region, int(month)), [0] * 7)
        acc[0] += 1
        if observed is not None:
            acc[1] += 1
            acc[2] += able
            acc[3] += employed
            acc[4] += status == "returned"
            acc[5] += status == "moved_on"
            acc[6] += status in ("returned", "moved_on") and fid in owing
    return [FollowupSummary(y, r, m, *acc) for (y, r, m), acc in sorted(out.items())]
