"""Foreign labour in the database: employers, their staff and vacancies, quotas, work permits and their history.

The rules are pure (:mod:`koshi.labour`); this module gathers the facts they need (the vacancy,
the quota used, the staff, what the registry knows of the worker), stores the outcome with the
version and hash of the parameters that gave it, and writes every read and change of a permit to
the audit chain with the permit id as ``case_id`` and ids and counts only in the detail.

Roles: an employer registers one company (bound to its account) and acts on its own permits; the
akimat decides (when bound to a region, only that region's permits: :func:`bind_akimat`);
supervisors read everything; analysts get aggregates (quota usage, fee report); administrators
set the quota. Migration ``0006_labour`` creates the tables.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from koshi.documents.iin import InvalidBin, decode_bin, mask
from koshi.labour import workflow
from koshi.labour.checks import Application, Check, Facts, Staff, evaluate, passed
from koshi.labour.fees import FeeQuote, RateTable, quote
from koshi.labour.policy import EFFECTIVE_FROM, SECTIONS, Category, LabourPolicy, PolicyError, basis, policy
from koshi.labour.quota import Usage, distribute
from koshi.labour.workflow import COUNTS_AGAINST_QUOTA, RESERVED, PermitAction, PermitState, PermitTransitionError
from koshi.reference.regions import REGIONS
from koshi.registry.stay import KZ_OFFSET
from koshi.rules.provenance import PolicyNotInForce
from koshi.store import audit, idempotency
from koshi.store.linkage import resolve_person
from koshi.store.models import Base, Json, Timestamp, User
from koshi.store.overstays import OverstayReason, StayStatus
from koshi.store.registry import TravelDocument

if TYPE_CHECKING:  # the case service imports the models, which import this module
    from koshi.store.cases import Actor

__all__ = ["Usage"]

REGION_CODES = frozenset(r.kato for r in REGIONS)


class LabourError(Exception):
    """A request refused: ``status`` 403/404/409/422, ``field`` the input at fault, ``allowed`` the open actions."""

    def __init__(self, status: int, message: str, field: str | None = None, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.allowed = allowed


# --- tables ------------------------------------------------------------------------------------------


class Employer(Base):
    """A company that employs foreign workers, by BIN (``branch``: BIN attribute 1 or 2)."""

    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bin: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    oked_section: Mapped[str] = mapped_column(String(1))
    region_kato: Mapped[str] = mapped_column(String(9))
    branch: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class EmployerStaff(Base):
    """An employer's staff by category group on ``as_of`` (the labour-contract system), without Koshi's permits."""

    __tablename__ = "employer_staff"

    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    citizens_1_2: Mapped[int] = mapped_column(Integer)
    foreigners_1_2: Mapped[int] = mapped_column(Integer)
    citizens_3_4: Mapped[int] = mapped_column(Integer)
    foreigners_3_4: Mapped[int] = mapped_column(Integer)
    ict: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class Vacancy(Base):
    """A vacancy posted on the labour exchange: the labour-market test before a permit."""

    __tablename__ = "vacancies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    isco: Mapped[str] = mapped_column(String(4))
    region_kato: Mapped[str] = mapped_column(String(9))
    title: Mapped[str] = mapped_column(String(200))
    wage: Mapped[int] = mapped_column(Integer)
    posted_on: Mapped[dt.date] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (Index("ix_vacancies_lookup", "employer_id", "isco", "region_kato", "posted_on"),)


class QuotaAllocation(Base):
    """A region's quota for one category and year."""

    __tablename__ = "quota_allocations"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_kato: Mapped[str] = mapped_column(String(9), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    allocated: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    set_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class WorkPermit(Base):
    """A work permit (or an application for one): the request, the checks' outcome, the fee and the state."""

    __tablename__ = "work_permits"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    worker_iin: Mapped[str | None] = mapped_column(String(12), nullable=True)
    worker_surname: Mapped[str] = mapped_column(String(80))
    worker_given_names: Mapped[str | None] = mapped_column(String(80), nullable=True)
    worker_nationality: Mapped[str] = mapped_column(String(3))
    category: Mapped[str] = mapped_column(String(20))
    isco: Mapped[str] = mapped_column(String(4))
    oked_section: Mapped[str] = mapped_column(String(1))
    region_kato: Mapped[str] = mapped_column(String(9))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    applied_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))
    extends_id: Mapped[str | None] = mapped_column(ForeignKey("work_permits.id"), nullable=True)
    extension_no: Mapped[int] = mapped_column(Integer)
    fee_mrp: Mapped[float | None] = mapped_column(Float, nullable=True)
    fee_tenge: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fee_band: Mapped[str | None] = mapped_column(String(80), nullable=True)
    fee_group: Mapped[str | None] = mapped_column(String(1), nullable=True)
    fee_parameters: Mapped[list[str] | None] = mapped_column(Json, nullable=True)
    fee_due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    paid_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(Json)  # key, passed, applies, reason, parameters, basis
    policy_version: Mapped[dt.date] = mapped_column(Date)
    parameters_hash: Mapped[str] = mapped_column(String(80))
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (
        Index("ix_work_permits_quota", "region_kato", "category", "state"),
        Index("ix_work_permits_employer", "employer_id"),
        Index("ix_work_permits_state", "state"),
    )


class PermitEventRow(Base):
    """One change of a permit (append-only): who, what, from which state to which, and why."""

    __tablename__ = "permit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    permit_id: Mapped[str] = mapped_column(ForeignKey("work_permits.id"))
    at: Mapped[dt.datetime] = mapped_column(Timestamp)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    before: Mapped[str | None] = mapped_column(String(20), nullable=True)
    after: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_permit_events_permit", "permit_id", "id"),)


class AkimatRegion(Base):
    """An akimat account bound to a region: it acts only on that region's permits."""

    __tablename__ = "akimat_regions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    region_kato: Mapped[str] = mapped_column(String(9))
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    set_at: Mapped[dt.datetime] = mapped_column(Timestamp)


# --- views -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StaffView:
    """An employer's staff by category group (Koshi's own permits not included)."""

    as_of: dt.date
    citizens_1_2: int
    foreigners_1_2: int
    citizens_3_4: int
    foreigners_3_4: int
    ict: int


@dataclass(frozen=True, slots=True)
class EmployerView:
    """An employer as pages show it (``sector_group``: the fee group of its OKED section, None if unknown)."""

    id: int
    bin: str
    name: str
    oked_section: str
    sector_group: str | None
    region_kato: str
    branch: bool
    active: bool
    staff: StaffView | None
    account_id: int | None


@dataclass(frozen=True, slots=True)
class VacancyView:
    """A vacancy on the labour exchange."""

    id: int
    employer_id: int
    isco: str
    region_kato: str
    title: str
    wage: int
    posted_on: dt.date
    closed_on: dt.date | None


@dataclass(frozen=True, slots=True)
class CheckView:
    """One check's outcome with the legal references of its parameters."""

    key: str
    passed: bool
    applies: bool
    reason: str
    basis: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FeeView:
    """A permit's fee: quoted at application, fixed at approval (``due_on``), paid (``paid_ref``)."""

    mrp: float
    tenge: int
    band: str
    group: str | None
    due_on: dt.date | None
    paid_ref: str | None
    basis: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PermitEvent:
    """One step of a permit's history."""

    at: dt.datetime
    actor_role: str
    action: str
    before: str | None
    after: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class PermitView:
    """A permit with everything a page shows: the employer, the masked IIN, checks, fee, actions, history."""

    id: str
    number: str
    employer: EmployerView
    worker_iin_masked: str | None
    worker_surname: str
    worker_given_names: str | None
    worker_nationality: str
    category: str
    isco: str
    region_kato: str
    valid_from: dt.date
    valid_to: dt.date
    applied_on: dt.date
    state: str
    extension_no: int
    extends_id: str | None
    fee: FeeView
    checks: tuple[CheckView, ...]
    policy_version: dt.date
    parameters_hash: str
    allowed_actions: tuple[str, ...]
    history: tuple[PermitEvent, ...]
    decision_reason: str | None


@dataclass(frozen=True, slots=True)
class PermitSummary:
    """A row of a permit list."""

    id: str
    number: str
    employer_name: str
    category: str
    isco: str
    region_kato: str
    valid_from: dt.date
    valid_to: dt.date
    state: str
    failed_checks: int
    fee_tenge: int


@dataclass(frozen=True, slots=True)
class FeeRow:
    """Fee revenue of issued permits in one region, sector group and category."""

    region_kato: str
    sector_group: str | None
    category: str
    permits: int
    fee_tenge: int


# --- access ------------------------------------------------------------------------------------------

PERMIT_READERS = frozenset({"employer", "akimat", "supervisor", "admin"})
"""Roles that see individual permits (employers their own; a bound akimat its region's)."""
STAFF_ROLES = frozenset({"officer", "supervisor", "analyst", "police", "akimat", "inspector", "admin"})
EMPLOYER_READERS = STAFF_ROLES | {"employer"}
REGISTRARS = frozenset({"employer", "akimat", "admin"})
QUOTA_READERS = STAFF_ROLES | {"employer"}
REPORT_READERS = frozenset({"analyst", "supervisor", "admin"})
EXTENDABLE = frozenset({PermitState.issued})
VIOLATION_CLEARED = frozenset({"data_error", "departed"})
"""Overstay reasons under which an overstay is not an open violation (a record error, or the person left)."""
LOCAL_CONTENT_STATES = frozenset({PermitState.pending, PermitState.fee_due, PermitState.issued})
"""Permits that add to the employer's foreign staff in the local-content check (issued or a place reserved)."""
ISSUED_SINCE = frozenset({PermitState.issued, PermitState.expired, PermitState.revoked})
IMPORT_STATES = frozenset({PermitState.issued, PermitState.expired})
NUMBER_DIGITS = 6


def _check(actor: Actor, roles: frozenset[str], what: str) -> None:
    if actor.role not in roles:
        raise LabourError(403, f"the {actor.role} role may not {what}")


def today(now: dt.datetime) -> dt.date:
    """The calendar day in Kazakhstan (UTC+5) at ``now``."""
    return (now.astimezone(dt.UTC) + KZ_OFFSET).date()


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``days`` working days after ``start``: Saturdays and Sundays are skipped, public holidays are not
    (Koshi has no holiday calendar yet, so a due date may fall a holiday earlier than the tax office's).

    >>> add_working_days(dt.date(2026, 3, 6), 1)  # a Friday: the next Monday
    datetime.date(2026, 3, 9)
    >>> add_working_days(dt.date(2026, 3, 2), 10)
    datetime.date(2026, 3, 16)
    """
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def _region(value: str, field: str = "region_kato") -> str:
    code = value.strip()
    if code not in REGION_CODES:
        raise LabourError(422, "not a region's KATO code (9 digits, e.g. 710000000 for Astana)", field)
    return code


def _section(value: str) -> str:
    s = value.strip().upper()
    if len(s) != 1 or s not in SECTIONS:
        raise LabourError(422, "the OKED section must be one letter A-U", "oked_section")
    return s


def _isco(value: str) -> str:
    s = value.strip()
    if len(s) != 4 or not s.isdigit():
        raise LabourError(422, "the ISCO-08 occupation must be a 4-digit unit group code", "isco")
    return s


def _category(value: str) -> Category:
    try:
        return Category(value.strip())
    except ValueError:
        known = ", ".join(c.value for c in Category)
        raise LabourError(422, f"unknown category (one of {known})", "category") from None


def _text(value: str | None, field: str, longest: int, *, required: bool = True) -> str | None:
    s = (value or "").strip()
    if not s:
        if required:
            raise LabourError(422, "required", field)
        return None
    if len(s) > longest:
        raise LabourError(422, f"at most {longest} characters", field)
    return s


def _policy(on: dt.date, field: str) -> LabourPolicy:
    try:
        return policy(on)
    except PolicyNotInForce:
        start = EFFECTIVE_FROM.isoformat()
        raise LabourError(422, f"the foreign-labour rules in Koshi start on {start}", field) from None


def _group(section: str) -> str | None:
    try:
        return policy(dt.date.today()).group_of(section)
    except PolicyError:
        return None


# --- employers ---------------------------------------------------------------------------------------


def _staff_view(s: EmployerStaff | None) -> StaffView | None:
    if s is None:
        return None
    return StaffView(s.as_of, s.citizens_1_2, s.foreigners_1_2, s.citizens_3_4, s.foreigners_3_4, s.ict)


def _employer_view(session: Session, e: Employer) -> EmployerView:
    return EmployerView(
        e.id,
        e.bin,
        e.name,
        e.oked_section,
        _group(e.oked_section),
        e.region_kato,
        e.branch,
        e.active,
        _staff_view(session.get(EmployerStaff, e.id)),
        e.account_id,
    )


def _own_employer_id(session: Session, actor: Actor) -> int | None:
    return session.scalar(select(Employer.id).where(Employer.account_id == actor.id))


def _employer_row(session: Session, actor: Actor | None, employer_id: int) -> Employer:
    """The employer, if the actor may see it (an employer only its own: any other id is not found)."""
    e = session.get(Employer, employer_id)
    if e is None or (actor is not None and actor.role == "employer" and e.account_id != actor.id):
        raise LabourError(404, f"no employer {employer_id}")
    return e


def new_employer(
    session: Session,
    *,
    bin: str,
    name: str,
    oked_section: str,
    region_kato: str,
    account_id: int | None,
    now: dt.datetime,
) -> Employer:
    """Validate and add an employer row (no access check, no audit: the callers do both).

    Raises:
        LabourError: 422 naming the field, or 409 when the BIN or the account is taken.
    """
    try:
        decoded = decode_bin(bin.strip())
    except InvalidBin as exc:
        raise LabourError(422, exc.reason, "bin") from None
    clean_name = _text(name, "name", 200)
    assert clean_name is not None
    section, region = _section(oked_section), _region(region_kato)
    if session.scalar(select(Employer.id).where(Employer.bin == decoded.value)) is not None:
        raise LabourError(409, "an employer with this BIN is already registered", "bin")
    if account_id is not None and session.scalar(select(Employer.id).where(Employer.account_id == account_id)):
        raise LabourError(409, "this account already has an employer", "account")
    row = Employer(
        bin=decoded.value,
        name=clean_name,
        oked_section=section,
        region_kato=region,
        branch=decoded.attribute in ("branch", "representative_office"),
        active=True,
        account_id=account_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def register_employer(
    session: Session, actor: Actor, *, bin: str, name: str, oked_section: str, region_kato: str, now: dt.datetime
) -> EmployerView:
    """Register a company: an employer binds it to its own account (one per account; in production the
    eGov signature proves the claim); an akimat or administrator registers any, unbound."""
    _check(actor, REGISTRARS, "register employers")
    account = actor.id if actor.role == "employer" else None
    row = new_employer(
        session, bin=bin, name=name, oked_section=oked_section, region_kato=region_kato, account_id=account, now=now
    )
    audit.append(
        session,
        at=now,
        actor_id=actor.id,
        actor_role=actor.role,
        action="employer.register",
        after={"employer_id": row.id, "region_kato": row.region_kato, "oked_section": row.oked_section},
        detail=f"employer {row.id}",
    )
    return _employer_view(session, row)


def my_employer(session: Session, actor: Actor) -> EmployerView | None:
    """The company bound to an employer's account, if any (None for every other role)."""
    if actor.role != "employer":
        return None
    row = session.scalar(select(Employer).where(Employer.account_id == actor.id))
    return None if row is None else _employer_view(session, row)


def employer(session: Session, actor: Actor, employer_id: int, now: dt.datetime) -> EmployerView:
    """One employer (an employer sees only its own)."""
    _check(actor, EMPLOYER_READERS, "see employers")
    return _employer_view(session, _employer_row(session, actor, employer_id))


def _staff_numbers(staff: Staff) -> None:
    for name in ("citizens_1_2", "foreigners_1_2", "citizens_3_4", "foreigners_3_4", "ict"):
        value = getattr(staff, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise LabourError(422, "a count of people: a whole number, zero or more", name)


def put_staff(session: Session, employer_id: int, staff: Staff, as_of: dt.date, now: dt.datetime) -> bool:
    """Replace the staff row (validated; no access check). True when it changed."""
    _staff_numbers(staff)
    values = {
        "as_of": as_of,
        "citizens_1_2": staff.citizens_1_2,
        "foreigners_1_2": staff.foreigners_1_2,
        "citizens_3_4": staff.citizens_3_4,
        "foreigners_3_4": staff.foreigners_3_4,
        "ict": staff.ict,
    }
    row = session.get(EmployerStaff, employer_id)
    if row is None:
        session.add(EmployerStaff(employer_id=employer_id, updated_at=now, **values))
        return True
    if all(getattr(row, k) == v for k, v in values.items()):
        return False
    for k, v in values.items():
        setattr(row, k, v)
    row.updated_at = now
    return True


def set_staff(
    session: Session, actor: Actor, employer_id: int, staff: Staff, as_of: dt.date, now: dt.datetime
) -> EmployerView:
    """Replace an employer's staff figures (its own employer, or an administrator). The figures come from the
    labour-contract system and leave out workers on Koshi's permits: the check adds those itself."""
    _check(actor, frozenset({"employer", "admin"}), "change staff figures")
    e = _employer_row(session, actor, employer_id)
    put_staff(session, e.id, staff, as_of, now)
    session.flush()
    audit.append(
        session,
        at=now,
        actor_id=actor.id,
        actor_role=actor.role,
        action="employer.staff",
        after={"employer_id": e.id, "as_of": as_of.isoformat(), "total": staff.total, "ict": staff.ict},
        detail=f"employer {e.id}: {staff.total} staff, {staff.ict} ict",
    )
    return _employer_view(session, e)


# --- vacancies ---------------------------------------------------------------------------------------


def _vacancy_view(v: Vacancy) -> VacancyView:
    return VacancyView(v.id, v.employer_id, v.isco, v.region_kato, v.title, v.wage, v.posted_on, v.closed_on)


def new_vacancy(
    session: Session,
    employer_id: int,
    *,
    isco: str,
    region_kato: str,
    title: str,
    wage: int,
    posted_on: dt.date,
    now: dt.datetime,
) -> Vacancy:
    """Validate and add a vacancy row (no access check, no audit)."""
    clean_title = _text(title, "title", 200)
    assert clean_title is not None
    if isinstance(wage, bool) or not isinstance(wage, int) or wage <= 0:
        raise LabourError(422, "the monthly wage in tenge: a whole number above zero", "wage")
    if posted_on > today(now) + dt.timedelta(days=1):
        raise LabourError(422, "a vacancy cannot be posted in the future", "posted_on")
    row = Vacancy(
        employer_id=employer_id,
        isco=_isco(isco),
        region_kato=_region(region_kato),
        title=clean_title,
        wage=wage,
        posted_on=posted_on,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def post_vacancy(
    session: Session,
    actor: Actor,
    employer_id: int,
    *,
    isco: str,
    region_kato: str,
    title: str,
    wage: int,
    posted_on: dt.date,
    now: dt.datetime,
) -> VacancyView:
    """Record a vacancy posted on the labour exchange (its own employer, or an administrator)."""
    _check(actor, frozenset({"employer", "admin"}), "post vacancies")
    e = _employer_row(session, actor, employer_id)
    row = new_vacancy(
        session, e.id, isco=isco, region_kato=region_kato, title=title, wage=wage, posted_on=posted_on, now=now
    )
    audit.append(
        session,
        at=now,
        actor_id=actor.id,
        actor_role=actor.role,
        action="vacancy.post",
        after={"vacancy_id": row.id, "employer_id": e.id, "isco": row.isco, "region_kato": row.region_kato},
        detail=f"vacancy {row.id} of employer {e.id}",
    )
    return _vacancy_view(row)


def vacancies(session: Session, actor: Actor, employer_id: int) -> list[VacancyView]:
    """An employer's vacancies, newest first."""
    _check(actor, EMPLOYER_READERS, "see vacancies")
    e = _employer_row(session, actor, employer_id)
    rows = session.scalars(
        select(Vacancy).where(Vacancy.employer_id == e.id).order_by(Vacancy.posted_on.desc(), Vacancy.id.desc())
    )
    return [_vacancy_view(v) for v in rows]


# --- facts for the checks ----------------------------------------------------------------------------


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def vacancy_posted_on(session: Session, employer_id: int, isco: str, region_kato: str, on: dt.date) -> dt.date | None:
    """The earliest posting of this occupation in this region by this employer, still open on ``on``."""
    return session.scalar(
        select(func.min(Vacancy.posted_on)).where(
            Vacancy.employer_id == employer_id,
            Vacancy.isco == isco,
            Vacancy.region_kato == region_kato,
            Vacancy.posted_on <= on,
            or_(Vacancy.closed_on.is_(None), Vacancy.closed_on >= on),
        )
    )


def quota_facts(
    session: Session, year: int, region_kato: str, category: str, exclude: str | None = None
) -> tuple[int | None, int]:
    """The region's allocation (None: not distributed) and the places taken, not counting ``exclude``."""
    allocated = session.scalar(
        select(QuotaAllocation.allocated).where(
            QuotaAllocation.year == year,
            QuotaAllocation.region_kato == region_kato,
            QuotaAllocation.category == category,
        )
    )
    first, last = _year_bounds(year)
    stmt = select(func.count()).where(
        WorkPermit.region_kato == region_kato,
        WorkPermit.category == category,
        WorkPermit.state.in_([s.value for s in COUNTS_AGAINST_QUOTA]),
        WorkPermit.valid_from >= first,
        WorkPermit.valid_from <= last,
    )
    if exclude is not None:
        stmt = stmt.where(WorkPermit.id != exclude)
    return allocated, session.scalar(stmt) or 0


def staff_facts(session: Session, employer_id: int, on: dt.date, exclude: frozenset[str] = frozenset()) -> Staff:
    """The staff figures plus this employer's workers on Koshi permits (issued or reserved, running on ``on``):
    the labour-contract figures leave those out. ``exclude``: the permit itself and the one it extends
    (the same worker)."""
    row = session.get(EmployerStaff, employer_id)
    base = (
        Staff(row.citizens_1_2, row.foreigners_1_2, row.citizens_3_4, row.foreigners_3_4, row.ict)
        if row is not None
        else Staff()
    )
    stmt = (
        select(WorkPermit.category, func.count())
        .where(
            WorkPermit.employer_id == employer_id,
            WorkPermit.state.in_([s.value for s in LOCAL_CONTENT_STATES]),
            WorkPermit.valid_to >= on,
        )
        .group_by(WorkPermit.category)
    )
    if exclude:
        stmt = stmt.where(WorkPermit.id.not_in(sorted(exclude)))
    counts = {c: int(n) for c, n in session.execute(stmt)}
    return Staff(
        base.citizens_1_2,
        base.foreigners_1_2 + counts.get("category_1", 0) + counts.get("category_2", 0),
        base.citizens_3_4,
        base.foreigners_3_4 + counts.get("category_3", 0) + counts.get("category_4", 0),
        base.ict + counts.get("ict", 0),
    )


def worker_violations(session: Session, iin: str | None) -> tuple[bool, tuple[str, ...]]:
    """Whether the registry knows the worker (by IIN), and their open violations, without identifiers.

    An overstay is open while the person is present and over the limit, unless the latest reason an
    officer recorded for that stay is a record error or a departure the border feed missed.
    """
    if not iin:
        return False, ()
    people = {int(p) for p in session.scalars(select(TravelDocument.person_id).where(TravelDocument.iin == iin))}
    if not people:
        return False, ()
    current = {r for r in (resolve_person(session, p) for p in people) if r is not None}
    open_: list[str] = []
    for s in session.scalars(
        select(StayStatus).where(StayStatus.person_id.in_(sorted(current)), StayStatus.present.is_(True))
    ):
        if s.overstay_days <= 0:
            continue
        if s.current_entry is not None:
            latest = session.scalar(
                select(OverstayReason.code)
                .where(OverstayReason.person_id == s.person_id, OverstayReason.stay_entry == s.current_entry)
                .order_by(OverstayReason.id.desc())
                .limit(1)
            )
            if latest in VIOLATION_CLEARED:
                continue
        since = s.overstay_since.isoformat() if s.overstay_since else "an unknown day"
        open_.append(f"overstay of {s.overstay_days} days since {since}")
    return True, tuple(open_)


# --- permits -----------------------------------------------------------------------------------------


def references(paths: Sequence[str]) -> list[str]:
    """The legal references of parameter paths, each once (a path with no parameter behind it gives none)."""
    refs: list[str] = []
    for path in paths:
        try:
            found = basis(path)
        except (KeyError, AttributeError):  # e.g. the quota path of a category outside the quota
            continue
        refs.extend(r for r in found if r not in refs)
    return refs


def _check_json(c: Check) -> dict[str, Any]:
    refs = references(c.parameters)
    return {
        "key": c.key,
        "passed": c.passed,
        "applies": c.applies,
        "reason": c.reason,
        "parameters": list(c.parameters),
        "basis": refs,
    }


def _fee(category: Category, section: str, valid_from: dt.date, valid_to: dt.date) -> FeeQuote | str:
    """The fee under the rates in force on the first day (MRP of that year), or why there is none."""
    try:
        p = policy(valid_from)
        return quote(category, section, valid_from, valid_to, RateTable.of(p), p.mrp)
    except (PolicyError, PolicyNotInForce) as exc:
        return str(exc)


def _set_fee(row: WorkPermit, fee: FeeQuote | str) -> None:
    if isinstance(fee, str):
        row.fee_mrp, row.fee_tenge, row.fee_band, row.fee_group, row.fee_parameters = None, None, fee[:80], None, None
    else:
        row.fee_mrp, row.fee_tenge, row.fee_band = fee.mrp, fee.tenge, fee.band
        row.fee_group, row.fee_parameters = fee.group, list(fee.parameters)


def _next_number(session: Session, year: int) -> str:
    prefix = f"WP-{year}-"
    last = session.scalar(
        select(func.max(WorkPermit.number)).where(
            WorkPermit.number.like(prefix + "%"), func.length(WorkPermit.number) == len(prefix) + NUMBER_DIGITS
        )
    )
    n = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{n:0{NUMBER_DIGITS}d}"


def _akimat_region(session: Session, actor: Actor) -> str | None:
    if actor.role != "akimat":
        return None
    return session.scalar(select(AkimatRegion.region_kato).where(AkimatRegion.user_id == actor.id))


def _permit_row(session: Session, actor: Actor, permit_id: str) -> WorkPermit:
    """The permit, if the actor may see it: any other id is not found, so ids cannot be probed."""
    _check(actor, PERMIT_READERS, "see permits")
    row = session.get(WorkPermit, permit_id) if len(permit_id) <= 36 else None
    if row is not None and actor.role == "employer":
        if _own_employer_id(session, actor) != row.employer_id:
            row = None
    elif row is not None and actor.role == "akimat":
        bound = _akimat_region(session, actor)
        if bound is not None and bound != row.region_kato:
            row = None
    if row is None:
        raise LabourError(404, f"no permit {permit_id}")
    return row


def _state(row: WorkPermit) -> dict[str, Any]:
    """What the audit digests: the decision-relevant fields, no personal ones."""
    return {
        "id": row.id,
        "number": row.number,
        "employer_id": row.employer_id,
        "state": row.state,
        "category": row.category,
        "region_kato": row.region_kato,
        "valid_from": row.valid_from.isoformat(),
        "valid_to": row.valid_to.isoformat(),
        "fee_tenge": row.fee_tenge,
        "fee_due_on": row.fee_due_on.isoformat() if row.fee_due_on else None,
        "paid_ref": row.paid_ref,
        "checks_failed": sum(1 for c in row.checks if not c["passed"]),
        "parameters_hash": row.parameters_hash,
    }


def _event(
    session: Session,
    row: WorkPermit,
    actor: Actor | None,
    action: str,
    before: str | None,
    reason: str | None,
    now: dt.datetime,
) -> None:
    session.add(
        PermitEventRow(
            permit_id=row.id,
            at=now,
            actor_id=actor.id if actor else None,
            actor_role=actor.role if actor else "system",
            action=action,
            before=before,
            after=row.state,
            reason=reason,
        )
    )


def _view(session: Session, actor: Actor, row: WorkPermit) -> PermitView:
    e = session.get(Employer, row.employer_id)
    assert e is not None
    history = tuple(
        PermitEvent(ev.at, ev.actor_role, ev.action, ev.before, ev.after, ev.reason)
        for ev in session.scalars(
            select(PermitEventRow).where(PermitEventRow.permit_id == row.id).order_by(PermitEventRow.id)
        )
    )
    fee_refs = references(row.fee_parameters or ())
    fee = FeeView(
        row.fee_mrp or 0.0,
        row.fee_tenge or 0,
        row.fee_band or "",
        row.fee_group,
        row.fee_due_on,
        row.paid_ref,
        tuple(fee_refs),
    )
    checks = tuple(
        CheckView(c["key"], bool(c["passed"]), bool(c.get("applies", True)), c["reason"], tuple(c.get("basis", ())))
        for c in row.checks
    )
    allowed: tuple[str, ...] = workflow.allowed_actions(PermitState(row.state), actor.role)
    if actor.role == "akimat" and _akimat_region(session, actor) not in (None, row.region_kato):
        allowed = ()
    return PermitView(
        id=row.id,
        number=row.number,
        employer=_employer_view(session, e),
        worker_iin_masked=mask(row.worker_iin) if row.worker_iin else None,
        worker_surname=row.worker_surname,
        worker_given_names=row.worker_given_names,
        worker_nationality=row.worker_nationality,
        category=row.category,
        isco=row.isco,
        region_kato=row.region_kato,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        applied_on=row.applied_on,
        state=row.state,
        extension_no=row.extension_no,
        extends_id=row.extends_id,
        fee=fee,
        checks=checks,
        policy_version=row.policy_version,
        parameters_hash=row.parameters_hash,
        allowed_actions=allowed,
        history=history,
        decision_reason=row.decision_reason,
    )


def _chain(session: Session, permit: WorkPermit | None) -> list[str]:
    """Ids of ``permit`` and every permit it extends, back to the first (one worker's place on the staff)."""
    ids: list[str] = []
    while permit is not None and permit.id not in ids:
        ids.append(permit.id)
        permit = session.get(WorkPermit, permit.extends_id) if permit.extends_id else None
    return ids


def _evaluate(session: Session, row: WorkPermit, extended: WorkPermit | None) -> tuple[Check, ...]:
    """Run every check on ``row`` with the facts as the database holds them now; store the outcome,
    the version and hash of the parameters (those in force on the application day)."""
    p = _policy(row.applied_on, "applied_on")
    e = session.get(Employer, row.employer_id)
    assert e is not None
    category = Category(row.category)
    allocated, used = quota_facts(session, row.valid_from.year, row.region_kato, row.category, exclude=row.id)
    exclude = frozenset({row.id, *_chain(session, extended)})
    found, violations = worker_violations(session, row.worker_iin)
    app = Application(
        category=category,
        isco=row.isco,
        region_kato=row.region_kato,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        applied_on=row.applied_on,
        worker_iin=row.worker_iin,
        extension=extended is not None,
        extensions_so_far=extended.extension_no if extended is not None else 0,
    )
    facts = Facts(
        employer_active=e.active,
        employer_branch=e.branch,
        vacancy_posted_on=vacancy_posted_on(session, e.id, row.isco, row.region_kato, row.applied_on),
        quota_allocated=allocated,
        quota_used=used,
        staff=staff_facts(session, e.id, row.applied_on, exclude),
        worker_found=found,
        open_violations=violations,
    )
    results = evaluate(app, facts, p)
    row.checks = [_check_json(c) for c in results]
    row.policy_version = p.version_date
    row.parameters_hash = p.parameters_hash
    _set_fee(row, _fee(category, row.oked_section, row.valid_from, row.valid_to))
    return results


def _extended(session: Session, actor: Actor, extends_id: str, employer_id: int, iin: str | None) -> WorkPermit:
    base = session.get(WorkPermit, extends_id) if len(extends_id) <= 36 else None
    if base is None or base.employer_id != employer_id:
        raise LabourError(422, "no permit of this employer with this id to extend", "extends_id")
    if base.state not in EXTENDABLE:
        raise LabourError(422, f"only an issued permit can be extended; this one is {base.state}", "extends_id")
    if (base.worker_iin or None) != (iin or None):
        raise LabourError(422, "an extension is for the same worker as the permit it extends", "worker_iin")
    return base


def apply(
    session: Session,
    actor: Actor,
    *,
    employer_id: int,
    worker_iin: str | None,
    worker_surname: str,
    worker_given_names: str | None,
    worker_nationality: str,
    category: str,
    isco: str,
    region_kato: str,
    valid_from: dt.date,
    valid_to: dt.date,
    applied_on: dt.date,
    extends_id: str | None = None,
    now: dt.datetime,
) -> PermitView:
    """Apply for a permit (an employer, for its own company): every check runs at once, with the rules in
    force on ``applied_on``; the permit lands in ``checks_failed`` (each failure listed) or ``pending`` with
    a place reserved in the region's quota. An extension names the issued permit it extends (same employer
    and worker, same category) and skips the vacancy test; it counts against the quota of its own year."""
    _check(actor, frozenset({"employer"}), "apply for work permits")
    e = _employer_row(session, actor, employer_id)
    cat = _category(category)
    surname = _text(worker_surname, "worker_surname", 80)
    given = _text(worker_given_names, "worker_given_names", 80, required=False)
    nationality = (worker_nationality or "").strip().upper()
    if len(nationality) != 3 or not nationality.isalpha():
        raise LabourError(422, "the worker's nationality as a 3-letter ICAO code (e.g. CHN, TUR)", "worker_nationality")
    iin = (worker_iin or "").strip() or None
    if iin is not None and (len(iin) != 12 or not iin.isdigit()):
        raise LabourError(422, "an IIN is exactly 12 digits", "worker_iin")
    _policy(applied_on, "applied_on")
    if applied_on > today(now) + dt.timedelta(days=1):
        raise LabourError(422, "the application day cannot be in the future", "applied_on")
    idempotency.lock(session)  # serialise with other writers: the quota count below must not race
    extended = None
    if extends_id:
        extended = _extended(session, actor, extends_id, e.id, iin)
        if extended.category != cat.value:
            raise LabourError(422, "an extension keeps the category of the permit it extends", "category")
    assert surname is not None
    row = WorkPermit(
        id=str(uuid.uuid4()),
        number=_next_number(session, applied_on.year),
        employer_id=e.id,
        worker_iin=iin,
        worker_surname=surname,
        worker_given_names=given,
        worker_nationality=nationality,
        category=cat.value,
        isco=_isco(isco),
        oked_section=e.oked_section,
        region_kato=_region(region_kato),
        valid_from=valid_from,
        valid_to=valid_to,
        applied_on=applied_on,
        state=PermitState.checks_failed.value,
        extends_id=extended.id if extended is not None else None,
        extension_no=extended.extension_no + 1 if extended is not None else 0,
        created_at=now,
        updated_at=now,
    )
    results = _evaluate(session, row, extended)
    row.state = workflow.submitted(passed(results)).value
    session.add(row)
    session.flush()
    _event(session, row, actor, "apply", None, None, now)
    failed = sum(1 for c in results if not c.passed)
    audit.append(
        session,
        at=now,
        actor_id=actor.id,
        actor_role=actor.role,
        action="permit.apply",
        case_id=row.id,
        after=_state(row),
        detail=f"employer {e.id}: {row.state}, {failed} check(s) failed",
    )
    return _view(session, actor, row)


def _move(row: WorkPermit, action: PermitAction, actor: Actor, **kwargs: Any) -> workflow.Move:
    try:
        return workflow.check(PermitState(row.state), action, actor.role, **kwargs)
    except PermitTransitionError as exc:
        raise LabourError(exc.status, exc.message, exc.field, exc.allowed) from None


def act(
    session: Session,
    actor: Actor,
    permit_id: str,
    action: str,
    *,
    reason: str | None = None,
    payment_ref: str | None = None,
    now: dt.datetime,
) -> PermitView:
    """Take a workflow action (:mod:`koshi.labour.workflow` says who may, when).

    ``recheck`` runs every check again as of today (the application day moves to today: the employer
    fixed something); ``approve`` fixes the fee at the rates and MRP of the first day of the permit, due
    :func:`add_working_days` after approval (free permits are issued at once); ``pay`` needs the payment
    reference. An akimat bound to a region acts only on that region's permits.
    """
    try:
        act_ = PermitAction(action)
    except ValueError:
        known = ", ".join(a.value for a in PermitAction)
        raise LabourError(404, f"unknown action {action!r} (one of {known})", "action") from None
    row = _permit_row(session, actor, permit_id)
    bound = _akimat_region(session, actor)
    if bound is not None and bound != row.region_kato:
        raise LabourError(403, "this akimat acts only on permits in its own region")
    idempotency.lock(session)
    session.refresh(row)
    before_state, before = row.state, _state(row)
    _move(row, act_, actor, reason=reason)  # open to this role in this state, with a reason when one is needed
    if act_ is PermitAction.pay and not (payment_ref or "").strip():
        raise LabourError(422, "the payment reference is required", "payment_ref")
    checks_ok = True
    if act_ is PermitAction.recheck:
        extended = session.get(WorkPermit, row.extends_id) if row.extends_id else None
        if extended is not None and extended.state not in EXTENDABLE:
            raise LabourError(409, f"the permit this extends is {extended.state}: it can no longer be extended")
        row.applied_on = max(row.applied_on, today(now))
        checks_ok = passed(_evaluate(session, row, extended))
    fee: FeeQuote | str = ""
    if act_ is PermitAction.approve:
        fee = _fee(Category(row.category), row.oked_section, row.valid_from, row.valid_to)
        if isinstance(fee, str):
            raise LabourError(422, f"no fee can be computed for this permit: {fee}", "valid_to")
    fee_tenge = fee.tenge if isinstance(fee, FeeQuote) else 0
    move = _move(row, act_, actor, reason=reason, fee_tenge=fee_tenge, checks_passed=checks_ok)
    if isinstance(fee, FeeQuote):
        _set_fee(row, fee)
        row.fee_due_on = (
            add_working_days(today(now), policy(row.valid_from).payment_working_days) if fee_tenge > 0 else None
        )
    if act_ in (PermitAction.approve, PermitAction.refuse, PermitAction.revoke):
        row.decided_by = actor.id
        row.decision_reason = (reason or "").strip() or None
    if act_ is PermitAction.pay:
        row.paid_ref = (payment_ref or "").strip()[:64]
    row.state = move.after.value
    row.updated_at = now
    _event(session, row, actor, act_.value, before_state, (reason or "").strip() or None, now)
    session.flush()
    audit.append(
        session,
        at=now,
        actor_id=actor.id,
        actor_role=actor.role,
        action=f"permit.{act_.value}",
        case_id=row.id,
        before=before,
        after=_state(row),
        detail=f"{before_state} -> {row.state}",
    )
    return _view(session, actor, row)


def permit(session: Session, actor: Actor, permit_id: str, now: dt.datetime) -> PermitView:
    """One permit (an audited read; an employer sees only its own, a bound akimat only its region's)."""
    row = _permit_row(session, actor, permit_id)
    state = _state(row)
    audit.append(
        session,
        at=now,
        actor_id=actor.id,
        actor_role=actor.role,
        action="permit.read",
        case_id=row.id,
        before=state,
        after=state,
        detail=f"permit {row.id}",
    )
    return _view(session, actor, row)


def permits(
    session: Session,
    actor: Actor,
    *,
    state: str | None = None,
    region_kato: str | None = None,
    employer_id: int | None = None,
    year: int | None = None,
    limit: int = 50,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> tuple[list[PermitSummary], int]:
    """A page of permits the actor may see (newest application first), and how many there are.

    Employers see their own; a bound akimat its region's; supervisors, administrators and unbound akimats
    all. Analysts get aggregates (:func:`quota_usage`, :func:`fee_report`), not lists of people. With
    ``now`` the listing is audited (``permit.list``, the count only): the API and pages pass it.
    """
    _check(actor, PERMIT_READERS, "list permits")
    stmt = select(WorkPermit, Employer.name).join(Employer, Employer.id == WorkPermit.employer_id)
    if actor.role == "employer":
        own = _own_employer_id(session, actor)
        if own is None:
            return [], 0
        stmt = stmt.where(WorkPermit.employer_id == own)
    bound = _akimat_region(session, actor)
    if bound is not None:
        stmt = stmt.where(WorkPermit.region_kato == bound)
    if state:
        if state not in {s.value for s in PermitState}:
            raise LabourError(422, "unknown permit state", "state")
        stmt = stmt.where(WorkPermit.state == state)
    if region_kato:
        stmt = stmt.where(WorkPermit.region_kato == region_kato)
    if employer_id is not None:
        stmt = stmt.where(WorkPermit.employer_id == employer_id)
    if year is not None:
        first, last = _year_bounds(year)
        stmt = stmt.where(WorkPermit.valid_from >= first, WorkPermit.valid_from <= last)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(
        stmt.order_by(WorkPermit.applied_on.desc(), WorkPermit.number.desc()).offset(offset).limit(limit)
    )
    items = [
        PermitSummary(
            p.id,
            p.number,
            name,
            p.category,
            p.isco,
            p.region_kato,
            p.valid_from,
            p.valid_to,
            p.state,
            sum(1 for c in p.checks if not c["passed"]),
            p.fee_tenge or 0,
        )
        for p, name in rows
    ]
    if now is not None:
        audit.append(
            session,
            at=now,
            actor_id=actor.id,
            actor_role=actor.role,
            action="permit.list",
            detail=f"{len(items)} of {total} (offset {offset})",
        )
    return items, total


# --- quota -------------------------------------------------------------------------------------------


def quota_usage(session: Session, actor: Actor, year: int, region_kato: str | None = None) -> list[Usage]:
    """Allocated, issued and reserved places per region and category (every staff role and employers):
    rows for every allocation and every (region, category) with permits, by region then category."""
    _check(actor, QUOTA_READERS, "see quota usage")
    return usage(session, year, region_kato)


def usage(session: Session, year: int, region_kato: str | None = None) -> list[Usage]:
    """:func:`quota_usage` without the access check (the command line)."""
    alloc_stmt = select(QuotaAllocation.region_kato, QuotaAllocation.category, QuotaAllocation.allocated).where(
        QuotaAllocation.year == year
    )
    first, last = _year_bounds(year)
    used_stmt = (
        select(WorkPermit.region_kato, WorkPermit.category, WorkPermit.state, func.count())
        .where(
            WorkPermit.valid_from >= first,
            WorkPermit.valid_from <= last,
            WorkPermit.state.in_([s.value for s in COUNTS_AGAINST_QUOTA]),
            WorkPermit.category != Category.ict.value,
        )
        .group_by(WorkPermit.region_kato, WorkPermit.category, WorkPermit.state)
    )
    if region_kato:
        alloc_stmt = alloc_stmt.where(QuotaAllocation.region_kato == region_kato)
        used_stmt = used_stmt.where(WorkPermit.region_kato == region_kato)
    allocated = {(r, c): int(n) for r, c, n in session.execute(alloc_stmt)}
    issued: dict[tuple[str, str], int] = {}
    reserved: dict[tuple[str, str], int] = {}
    for r, c, s, n in session.execute(used_stmt):
        target = reserved if s in {x.value for x in RESERVED} else issued
        target[(r, c)] = target.get((r, c), 0) + int(n)
    order = {c.value: i for i, c in enumerate(Category)}
    keys = sorted(set(allocated) | set(issued) | set(reserved), key=lambda k: (k[0], order.get(k[1], 99)))
    return [
        Usage(year, r, c, allocated.get((r, c), 0), issued.get((r, c), 0), reserved.get((r, c), 0)) for r, c in keys
    ]


def _year(year: int) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not EFFECTIVE_FROM.year <= year <= 2100:
        raise LabourError(422, f"a year from {EFFECTIVE_FROM.year}", "year")
    return year


def put_quota(
    session: Session, actor: Actor | None, year: int, allocations: Mapping[tuple[str, str], int], now: dt.datetime
) -> int:
    """Validate and write allocations (no access check, no audit)."""
    _year(year)
    for (region, category), places in allocations.items():
        _region(region)
        cat = _category(category)
        if not cat.in_quota:
            raise LabourError(422, "intra-corporate transfers are outside the quota", "category")
        if isinstance(places, bool) or not isinstance(places, int) or places < 0:
            raise LabourError(422, "places: a whole number, zero or more", "allocated")
    for (region, category), places in allocations.items():
        row = session.get(QuotaAllocation, (year, region, category))
        if row is None:
            session.add(
                QuotaAllocation(
                    year=year,
                    region_kato=region,
                    category=category,
                    allocated=places,
                    set_by=actor.id if actor else None,
                    set_at=now,
                )
            )
        else:
            row.allocated, row.set_by, row.set_at = places, actor.id if actor else None, now
    session.flush()
    return len(allocations)


def set_quota(
    session: Session, actor: Actor, year: int, allocations: Mapping[tuple[str, str], int], now: dt.datetime
) -> int:
    """Set (region, category) -> places for a year (administrators); returns how many were set."""
    _check(actor, frozenset({"admin"}), "set the quota")
    n = put_quota(session, actor, year, allocations, now)
    audit.append(
        session,
        at=now,
        actor_id=actor.id,
        actor_role=actor.role,
        action="quota.set",
        after={f"{r}/{c}": v for (r, c), v in sorted(allocations.items())},
        detail=f"{year}: {n} allocation(s), {sum(allocations.values())} places",
    )
    return n


def national_quota(year: int) -> dict[str, int]:
    """The year's national quota by category (the order in force at the end of the year).

    Raises:
        LabourError: 422 when no order sets the quota by category for that year.
    """
    p = _policy(dt.date(_year(year), 12, 31), "year")
    if not p.quota_by_category:
        raise LabourError(422, f"no national quota by category is set for {year}", "year")
    return dict(p.quota_by_category)


def shares(year: int, needs: Mapping[str, float]) -> dict[tuple[str, str], int]:
    """Each category's national quota split among regions in proportion to ``needs`` (pure)."""
    for region, need in needs.items():
        _region(region, "needs")
        if isinstance(need, bool) or not isinstance(need, int | float) or not need >= 0:
            raise LabourError(422, "a region's need: a number, zero or more", "needs")
    if not any(v > 0 for v in needs.values()):
        raise LabourError(422, "no region declared a need: nothing to distribute by", "needs")
    out: dict[tuple[str, str], int] = {}
    for category, total in national_quota(year).items():
        for region, places in distribute(total, needs).items():
            out[(region, category)] = places
    return out


def distribute_quota(
    session: Session, actor: Actor | None, year: int, needs: Mapping[str, float], now: dt.datetime
) -> dict[tuple[str, str], int]:
    """Split each category of the year's national quota among regions in proportion to their declared
    needs (largest remainder: the shares add up to the national figure) and store it (administrators;
    ``actor`` None: the command line)."""
    if actor is not None:
        _check(actor, frozenset({"admin"}), "distribute the quota")
    allocations = shares(year, needs)
    put_quota(session, actor, year, allocations, now)
    audit.append(
        session,
        at=now,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else "system",
        action="quota.distribute",
        after={f"{r}/{c}": v for (r, c), v in sorted(allocations.items())},
        detail=f"{year}: {len(needs)} region(s), {sum(allocations.values())} places",
    )
    return allocations


def needs_from_permits(session: Session, year: int) -> dict[str, float]:
    """Each region's permits in ``year`` (issued or reserved, extensions included): a need proxy for the next year."""
    first, last = _year_bounds(year)
    rows = session.execute(
        select(WorkPermit.region_kato, func.count())
        .where(
            WorkPermit.valid_from >= first,
            WorkPermit.valid_from <= last,
            WorkPermit.state.in_([s.value for s in COUNTS_AGAINST_QUOTA]),
            WorkPermit.category != Category.ict.value,
        )
        .group_by(WorkPermit.region_kato)
        .order_by(WorkPermit.region_kato)
    )
    return {r: float(n) for r, n in rows}


# --- reports and housekeeping --------------------------------------------------------------------------


def fee_report(session: Session, actor: Actor, year: int) -> list[FeeRow]:
    """Fee revenue from permits issued (issued since: issued, expired or revoked) starting in ``year``,
    by region, sector group and category (analysts, supervisors, administrators)."""
    _check(actor, REPORT_READERS, "see the fee report")
    first, last = _year_bounds(_year(year))
    rows = session.execute(
        select(
            WorkPermit.region_kato,
            WorkPermit.fee_group,
            WorkPermit.category,
            func.count(),
            func.coalesce(func.sum(WorkPermit.fee_tenge), 0),
        )
        .where(
            WorkPermit.valid_from >= first,
            WorkPermit.valid_from <= last,
            WorkPermit.state.in_([s.value for s in ISSUED_SINCE]),
        )
        .group_by(WorkPermit.region_kato, WorkPermit.fee_group, WorkPermit.category)
        .order_by(WorkPermit.region_kato, WorkPermit.fee_group, WorkPermit.category)
    )
    return [FeeRow(r, g, c, int(n), int(t or 0)) for r, g, c, n, t in rows]


def expire_due(session: Session, actor: Actor | None, on: dt.date, now: dt.datetime) -> int:
    """Expire issued permits that ended before ``on`` (akimat or administrator; ``actor`` None: the system)."""
    if actor is not None:
        _check(actor, frozenset({"akimat", "admin"}), "expire permits")
    stmt = select(WorkPermit).where(WorkPermit.state == PermitState.issued.value, WorkPermit.valid_to < on)
    bound = _akimat_region(session, actor) if actor is not None else None
    if bound is not None:
        stmt = stmt.where(WorkPermit.region_kato == bound)
    n = 0
    for row in session.scalars(stmt.order_by(WorkPermit.number)):
        row.state = PermitState.expired.value
        row.updated_at = now
        _event(session, row, actor, PermitAction.expire.value, PermitState.issued.value, None, now)
        n += 1
    session.flush()
    audit.append(
        session,
        at=now,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else "system",
        action="permit.expire",
        detail=f"{n} permit(s) ended before {on.isoformat()} expired",
    )
    return n


def bind_akimat(session: Session, actor: Actor | None, user_id: int, region_kato: str, now: dt.datetime) -> None:
    """Bind an akimat account to a region (administrators; ``actor`` None: the command line): it then sees
    and acts on that region's permits only."""
    if actor is not None:
        _check(actor, frozenset({"admin"}), "bind akimat accounts")
    user = session.get(User, user_id)
    if user is None:
        raise LabourError(404, f"no user {user_id}", "user")
    if user.role != "akimat":
        raise LabourError(422, "only akimat accounts are bound to a region", "user")
    region = _region(region_kato)
    row = session.get(AkimatRegion, user_id)
    if row is None:
        session.add(AkimatRegion(user_id=user_id, region_kato=region, set_by=actor.id if actor else None, set_at=now))
    else:
        row.region_kato, row.set_by, row.set_at = region, actor.id if actor else None, now
    session.flush()
    audit.append(
        session,
        at=now,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else "system",
        action="akimat.bind",
        after={"user_id": user_id, "region_kato": region},
        detail=f"user {user_id} bound to region {region}",
    )
