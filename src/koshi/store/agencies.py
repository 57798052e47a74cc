"""The registry of private employment agencies: notification, status, reports, complaints, inspections, sanctions.

The service behind the API, the CLI and the pages (contract: notes/issue7-agencies-contract.md).
Rules are pure and live in :mod:`koshi.agencies` (status changes, the fee rule, report
deadlines, the risk score); this module keeps the records, decides who may see what, and
writes every read and change of an agency to the audit chain, in the caller's transaction,
with the agency's id as the chain's ``case_id``.

Who sees what: an agency account sees only its own agency; a job seeker (``applicant``)
files complaints and sees only those they filed; inspectors and supervisors see every
agency; analysts get the list and the ranking. Founders' IINs are stored (matching) but
only ever shown masked. Risk is computed when read, from the records and the parameters
in force on the day, so it never goes stale.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from koshi.agencies import lifecycle, rules
from koshi.agencies import policy as agency_policy
from koshi.agencies.lifecycle import AgencyAction, AgencyStatus, AgencyTransitionError
from koshi.agencies.risk import ComplaintFact, Facts, ReportFact, RiskReason, RiskView, ViolationFact, score
from koshi.documents.iin import InvalidBin, InvalidIin, mask, validate_bin, validate_iin
from koshi.reference.regions import BY_KATO
from koshi.rules.provenance import PolicyNotInForce
from koshi.store import audit
from koshi.store.models import Base, Timestamp

if TYPE_CHECKING:  # the case service imports the models, which import this module
    from koshi.store.cases import Actor

__all__ = [
    "AddressView",
    "AgencyError",
    "AgencySummary",
    "AgencyView",
    "ComplaintView",
    "FounderView",
    "InspectionView",
    "ReportView",
    "RiskReason",
    "RiskView",
    "SanctionView",
    "StatusEvent",
    "ViolationView",
]

KZ_TIME = dt.timezone(dt.timedelta(hours=5), "UTC+5")

Activity = Literal["domestic", "abroad", "both"]
Status = Literal["notified", "active", "suspended", "revoked", "expired"]
Action = Literal["activate", "suspend", "reinstate", "revoke", "expire"]
ComplaintKind = Literal[
    "fee_charged", "no_contract", "false_vacancy", "documents_withheld", "abroad_conditions", "other"
]
ComplaintStatus = Literal["open", "substantiated", "unfounded"]
InspectionReason = Literal["risk", "complaint", "scheduled"]
InspectionOutcome = Literal["compliant", "violations", "not_found"]
SanctionKind = Literal["warning", "fine", "suspension", "revocation"]

ACTIVITIES = tuple(a.value for a in lifecycle.Activity)
STATUSES = tuple(s.value for s in AgencyStatus)
ACTIONS = tuple(a.value for a in AgencyAction)
COMPLAINT_KINDS = tuple(k.value for k in rules.ComplaintKind)
COMPLAINT_STATUSES = tuple(s.value for s in rules.ComplaintStatus)
INSPECTION_REASONS: tuple[str, ...] = ("risk", "complaint", "scheduled")
INSPECTION_OUTCOMES: tuple[str, ...] = ("compliant", "violations", "not_found")
SANCTION_KINDS: tuple[str, ...] = ("warning", "fine", "suspension", "revocation")
ADDRESS_KINDS: tuple[str, ...] = ("legal", "office")

VIOLATION_CODES: dict[str, str] = {
    "seeker_fee": "Fee taken from a job seeker for placement",
    "no_contract": "Placement without a written contract with the job seeker",
    "false_vacancy": "Vacancy advertised that did not exist or was not as described",
    "documents_withheld": "Job seeker's passport or documents kept by the agency",
    "abroad_guarantees": "Placement abroad without the employer's contract guarantees",
    "report_missing": "Quarterly placement report not filed",
    "report_false": "Quarterly placement report with false figures",
    "not_notified": "Change of activity, address or founders not notified",
    "other": "Other (described)",
}
"""Violation codes an inspector records (Koshi's list: the Kazakh one was not found, domain notes 4)."""

INSPECTORS = frozenset({"inspector"})
READ_ALL = frozenset({"inspector", "supervisor"})
LISTERS = frozenset({"inspector", "supervisor", "analyst"})
REGISTRARS = frozenset({"agency", "inspector", "admin"})
REPORTERS = frozenset({"agency", "inspector"})
COMPLAINANTS = frozenset({"applicant", "inspector"})

MIN_SUMMARY = 10
MAX_TEXT = 2000


class AgencyError(Exception):
    """A request the agency registry refuses: ``status`` is the HTTP status it maps to.

    ``field`` names the input at fault; ``allowed`` lists the status actions that are open
    when a change is refused. Messages never contain a founder's IIN.
    """

    def __init__(
        self, status: int, message: str, field: str | None = None, allowed: tuple[str, ...] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.allowed = allowed


# --- tables ----------------------------------------------------------------------------------------


class Agency(Base):
    """A private employment agency in the registry; ``owner_id`` is the agency's own account, if bound."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID: also the audit chain's case id
    bin: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    activity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    status_since: Mapped[dt.date] = mapped_column(Date)
    notified_on: Mapped[dt.date] = mapped_column(Date)
    region_kato: Mapped[str] = mapped_column(String(9))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (Index("ix_agencies_status", "status", "region_kato"),)


class AgencyFounder(Base):
    """A founder (a person with an IIN, or a company with a BIN), never shown in full; ``share`` in per cent."""

    __tablename__ = "agency_founders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    iin: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    share: Mapped[float | None] = mapped_column(Float, nullable=True)


class AgencyAddress(Base):
    """A legal or office address."""

    __tablename__ = "agency_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(500))
    region_kato: Mapped[str] = mapped_column(String(9))


class AgencyStatusEvent(Base):
    """One change of status (notification included), with who made it and why."""

    __tablename__ = "agency_status_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(Timestamp)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    before: Mapped[str | None] = mapped_column(String(10), nullable=True)
    after: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class AgencyReport(Base):
    """A quarterly placement report; ``due_on`` is frozen when filed, so a later rule change does not rewrite it."""

    __tablename__ = "agency_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    placed_domestic: Mapped[int] = mapped_column(Integer)
    placed_abroad: Mapped[int] = mapped_column(Integer)
    job_seekers_served: Mapped[int] = mapped_column(Integer)
    seeker_fees_tenge: Mapped[int] = mapped_column(Integer)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (UniqueConstraint("agency_id", "year", "quarter"),)


class AgencyComplaint(Base):
    """A job seeker's complaint; ``filed_by`` is the seeker's account when they filed it themselves."""

    __tablename__ = "agency_complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    ref: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)  # the source's number (imports)
    received_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    paid_amount_tenge: Mapped[int | None] = mapped_column(Integer, nullable=True)
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(15))
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class AgencyInspection(Base):
    """An inspection: planned (``planned_on``), then done (``done_on``, ``outcome``)."""

    __tablename__ = "agency_inspections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    planned_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(String(10))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(12), nullable=True)
    findings: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class AgencyViolation(Base):
    """A violation found; open until remedied."""

    __tablename__ = "agency_violations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("agency_inspections.id"), nullable=True)
    code: Mapped[str] = mapped_column(String(20))
    found_on: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    remedied_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class AgencySanction(Base):
    """A sanction for a violation; a suspension or revocation also changes the agency's status."""

    __tablename__ = "agency_sanctions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("agency_violations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    amount_mrp: Mapped[int | None] = mapped_column(Integer, nullable=True)
    imposed_on: Mapped[dt.date] = mapped_column(Date)
    until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    imposed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)


# --- views -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FounderView:
    """A founder; the IIN (or BIN) only masked; ``share`` in per cent (0-100]."""

    name: str
    iin_masked: str | None
    share: float | None


@dataclass(frozen=True, slots=True)
class AddressView:
    """``kind`` is ``legal`` or ``office``."""

    kind: str
    address: str
    region_kato: str


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """A change of status; ``action`` is ``notify`` for the first one."""

    at: dt.datetime
    actor_role: str
    action: str
    before: str | None
    after: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class ReportView:
    """A quarterly report; ``late`` when filed after ``due_on``; ``fee_flag`` when it declares fees from seekers."""

    id: int
    year: int
    quarter: int
    placed_domestic: int
    placed_abroad: int
    job_seekers_served: int
    seeker_fees_tenge: int
    filed_on: dt.date
    late: bool
    due_on: dt.date | None = None
    fee_flag: bool = False


@dataclass(frozen=True, slots=True)
class ComplaintView:
    """A complaint; ``fee_flag`` when it alleges a fee taken from the job seeker."""

    id: int
    received_on: dt.date
    kind: str
    paid_amount_tenge: int | None
    summary: str
    status: str
    fee_flag: bool
    agency_id: str = ""
    agency_name: str = ""
    filed_by_seeker: bool = False


@dataclass(frozen=True, slots=True)
class InspectionView:
    """An inspection, planned or done."""

    id: int
    planned_on: dt.date | None
    done_on: dt.date | None
    reason: str
    inspector_id: int | None
    outcome: str | None
    findings: str | None


@dataclass(frozen=True, slots=True)
class ViolationView:
    """A violation; ``status`` is ``open`` or ``remedied``."""

    id: int
    code: str
    found_on: dt.date
    description: str
    status: str
    inspection_id: int | None
    remedied_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SanctionView:
    """A sanction for a violation."""

    id: int
    violation_id: int
    kind: str
    amount_mrp: int | None
    imposed_on: dt.date
    until: dt.date | None


@dataclass(frozen=True, slots=True)
class AgencyView:
    """An agency with its records, its risk on the day it is read, and what the reader may do to its status."""

    id: str
    bin: str
    name: str
    activity: str
    status: str
    status_since: dt.date
    region_kato: str
    founders: tuple[FounderView, ...]
    addresses: tuple[AddressView, ...]
    reports: tuple[ReportView, ...]
    complaints: tuple[ComplaintView, ...]
    inspections: tuple[InspectionView, ...]
    violations: tuple[ViolationView, ...]
    sanctions: tuple[SanctionView, ...]
    risk: RiskView
    history: tuple[StatusEvent, ...]
    allowed_actions: tuple[str, ...]
    fee_rule_flag: bool
    notified_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class AgencySummary:
    """A row of the list or the ranking; ``last_report`` like ``2026-Q2``."""

    id: str
    bin: str
    name: str
    activity: str
    status: str
    region_kato: str
    risk_score: float
    top_reason: str | None
    open_complaints: int
    open_violations: int
    last_report: str | None
    reasons: tuple[RiskReason, ...] = ()
    fee_rule_flag: bool = False


@dataclass(frozen=True, slots=True)
class AgencyBrief:
    """What anyone signed in may see of an agency (to pick it for a complaint): no risk, no records."""

    id: str
    bin: str
    name: str
    activity: str
    status: str
    region_kato: str


# --- helpers ---------------------------------------------------------------------------------------


def today(now: dt.datetime) -> dt.date:
    """The date in Kazakhstan (UTC+5) at ``now``."""
    return now.astimezone(KZ_TIME).date()


def _utc(at: dt.datetime) -> dt.datetime:
    """SQLite gives times back without their zone; they were stored in UTC."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def _check(actor: Actor, roles: frozenset[str], what: str) -> None:
    if actor.role not in roles:
        raise AgencyError(403, f"the {actor.role} role may not {what}")


def _policy(on: dt.date, field: str) -> agency_policy.AgencyPolicy:
    try:
        return agency_policy.policy(on)
    except PolicyNotInForce as exc:
        raise AgencyError(422, str(exc), field=field) from None


def _get(session: Session, agency_id: str) -> Agency:
    row = session.get(Agency, agency_id) if len(agency_id) <= 36 else None
    if row is None:
        raise AgencyError(404, "no agency with this id", field="agency_id")
    return row


def _visible(actor: Actor, row: Agency) -> None:
    """Agencies see their own; inspectors and supervisors see all; others see none in detail."""
    if actor.role in READ_ALL:
        return
    if actor.role == "agency" and row.owner_id == actor.id:
        return
    if actor.role == "agency":
        raise AgencyError(403, "an agency account sees only its own agency")
    raise AgencyError(403, f"the {actor.role} role has no access to agency records")


def _audit(
    session: Session,
    actor: Actor | None,
    now: dt.datetime,
    action: str,
    agency_id: str | None,
    after: Mapping[str, Any],
    before: Mapping[str, Any] | None = None,
    detail: str | None = None,
    read: bool = False,
) -> None:
    audit.append(
        session,
        at=now,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else "system",
        action=action,
        case_id=agency_id,
        before=after if read else before,
        after=after,
        detail=detail,
    )


def _state(row: Agency) -> dict[str, Any]:
    return {"id": row.id, "bin": row.bin, "status": row.status, "activity": row.activity}


def _text(value: str | None, field: str, *, minimum: int = 1, maximum: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise AgencyError(422, f"{field} must have at least {minimum} characters", field=field)
    if len(text) > maximum:
        raise AgencyError(422, f"{field} must have at most {maximum} characters", field=field)
    return text


def _count(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AgencyError(422, f"{field} must be a whole number, 0 or more", field=field)
    return value


def _choice(value: str, options: Sequence[str], field: str) -> str:
    if value not in options:
        raise AgencyError(422, f"{field} must be one of: {', '.join(options)}", field=field)
    return value


def _region(value: str, field: str) -> str:
    if value not in BY_KATO:
        raise AgencyError(422, f"{field} is not a KATO region code (nine digits, e.g. 710000000 for Astana)", field)
    return value


def _bin(value: str) -> str:
    try:
        return validate_bin(value.strip())
    except InvalidBin as exc:
        raise AgencyError(422, exc.reason, field="bin") from None


# --- notification and binding ----------------------------------------------------------------------


def _founders(founders: Sequence[Mapping[str, Any]]) -> list[AgencyFounder]:
    if not founders:
        raise AgencyError(422, "at least one founder is required", field="founders")
    out: list[AgencyFounder] = []
    total = 0.0
    for i, f in enumerate(founders):
        where = f"founders[{i}]"
        if not isinstance(f, Mapping):
            raise AgencyError(422, f"{where} must be an object with name, iin and share", field=where)
        name = _text(f.get("name"), f"{where}.name", minimum=2, maximum=300)
        raw = f.get("iin")
        iin = None if raw in (None, "") else str(raw).strip()
        if iin is not None:
            try:  # a founder is a person (IIN) or a company (BIN)
                validate_iin(iin)
            except InvalidIin as exc:
                try:
                    validate_bin(iin)
                except InvalidBin:
                    raise AgencyError(422, f"{where}.iin: {exc.reason}", field=f"{where}.iin") from None
        share = f.get("share")
        if share is not None:
            try:
                share = float(share)
            except (TypeError, ValueError):
                raise AgencyError(422, f"{where}.share must be a number", field=f"{where}.share") from None
            if not 0 < share <= 100:
                raise AgencyError(422, f"{where}.share must be a per cent above 0 and at most 100", f"{where}.share")
            total += share
        out.append(AgencyFounder(name=name, iin=iin, share=share))
    if total > 100.001:
        raise AgencyError(422, "the founders' shares add up to more than 100 per cent", field="founders")
    return out


def _addresses(addresses: Sequence[Mapping[str, Any]]) -> list[AgencyAddress]:
    out: list[AgencyAddress] = []
    for i, a in enumerate(addresses):
        where = f"addresses[{i}]"
        if not isinstance(a, Mapping):
            raise AgencyError(422, f"{where} must be an object with kind, address and region_kato", field=where)
        out.append(
            AgencyAddress(
                kind=_choice(str(a.get("kind", "")), ADDRESS_KINDS, f"{where}.kind"),
                address=_text(a.get("address"), f"{where}.address", minimum=5, maximum=500),
                region_kato=_region(str(a.get("region_kato", "")), f"{where}.region_kato"),
            )
        )
    if not any(a.kind == "legal" for a in out):
        raise AgencyError(422, "a legal address is required", field="addresses")
    return out


def check_notification(
    *,
    bin: str,
    name: str,
    activity: str,
    region_kato: str,
    founders: Sequence[Mapping[str, Any]],
    addresses: Sequence[Mapping[str, Any]],
) -> tuple[str, str, list[AgencyFounder], list[AgencyAddress]]:
    """Check a notification without the database: the BIN, name, founders and addresses as rows to add.

    Raises:
        AgencyError: 422 naming the first field at fault (never a founder's IIN).
    """
    number = _bin(bin)
    row_name = _text(name, "name", minimum=2, maximum=300)
    _choice(activity, ACTIVITIES, "activity")
    _region(region_kato, "region_kato")
    return number, row_name, _founders(founders), _addresses(addresses)


def notify(
    session: Session,
    actor: Actor | None,
    *,
    bin: str,
    name: str,
    activity: str,
    region_kato: str,
    founders: Sequence[Mapping[str, Any]],
    addresses: Sequence[Mapping[str, Any]],
    now: dt.datetime,
    notified_on: dt.date | None = None,
) -> AgencyView:
    """Enter an agency in the registry as ``notified``.

    An agency account registers its own agency (and is bound to it); an inspector or admin
    may register any; ``actor`` None is the system (imports), which may backdate
    ``notified_on``.

    Raises:
        AgencyError: 403 for other roles; 409 if the BIN is already registered or the account
            already has an agency; 422 naming the field at fault.
    """
    if actor is not None:
        _check(actor, REGISTRARS, "register an agency")
    number, row_name, people, places = check_notification(
        bin=bin, name=name, activity=activity, region_kato=region_kato, founders=founders, addresses=addresses
    )
    if session.scalar(select(Agency.id).where(Agency.bin == number)) is not None:
        raise AgencyError(409, "an agency with this BIN is already registered", field="bin")
    owner = actor.id if actor is not None and actor.role == "agency" else None
    if owner is not None and session.scalar(select(Agency.id).where(Agency.owner_id == owner)) is not None:
        raise AgencyError(409, "this account already has an agency registered", field="bin")
    day = notified_on if notified_on is not None and actor is None else today(now)
    row = Agency(
        id=str(uuid.uuid4()),
        bin=number,
        name=row_name,
        activity=activity,
        status=AgencyStatus.notified.value,
        status_since=day,
        notified_on=day,
        region_kato=region_kato,
        owner_id=owner,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    for f in people:
        f.agency_id = row.id
    for a in places:
        a.agency_id = row.id
    session.add_all([*people, *places])
    session.add(_event(row, actor, _at(day, now), "notify", None, row.status, None))
    session.flush()
    _audit(
        session,
        actor,
        now,
        "agency.notify",
        row.id,
        _state(row),
        detail=f"{len(people)} founders, {len(places)} addresses",
    )
    return _view(session, actor, row, today(now))


def _at(day: dt.date, now: dt.datetime) -> dt.datetime:
    """When a change happened: now, or noon in Kazakhstan on the past ``day`` an import gives."""
    return now if day == today(now) else dt.datetime.combine(day, dt.time(12), KZ_TIME)


def _event(
    row: Agency, actor: Actor | None, now: dt.datetime, action: str, before: str | None, after: str, reason: str | None
) -> AgencyStatusEvent:
    return AgencyStatusEvent(
        agency_id=row.id,
        at=now,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else "system",
        action=action,
        before=before,
        after=after,
        reason=reason,
    )


def bind_owner(session: Session, actor: Actor | None, agency_id: str, user_id: int, now: dt.datetime) -> None:
    """Bind an agency account to an agency registered by someone else (inspector, admin or the system).

    Raises:
        AgencyError: 403 for other roles; 404 no such agency; 409 the account has another agency
            or the agency another account; 422 the user is not an agency account.
    """
    from koshi.store.models import User

    if actor is not None:
        _check(actor, frozenset({"inspector", "admin"}), "bind an account to an agency")
    row = _get(session, agency_id)
    user = session.get(User, user_id)
    if user is None or user.role != "agency":
        raise AgencyError(422, "only an account with the agency role can be bound to an agency", field="user_id")
    if row.owner_id == user_id:
        return
    if row.owner_id is not None:
        raise AgencyError(409, "the agency is already bound to another account", field="agency_id")
    if session.scalar(select(Agency.id).where(Agency.owner_id == user_id)) is not None:
        raise AgencyError(409, "this account already has an agency", field="user_id")
    row.owner_id = user_id
    row.updated_at = now
    _audit(session, actor, now, "agency.bind", row.id, _state(row), detail=f"user {user_id}")


# --- reads -----------------------------------------------------------------------------------------


def my_agency(session: Session, actor: Actor, now: dt.datetime | None = None) -> AgencyView | None:
    """The agency bound to an agency account (None if it has not registered one yet); audited."""
    _check(actor, frozenset({"agency"}), "have an agency of its own")
    row = session.scalar(select(Agency).where(Agency.owner_id == actor.id))
    if row is None:
        return None
    at = now or dt.datetime.now(dt.UTC)
    _audit(session, actor, at, "agency.read", row.id, _state(row), read=True)
    return _view(session, actor, row, today(at))


def agency(session: Session, actor: Actor | None, agency_id: str, now: dt.datetime) -> AgencyView:
    """One agency with its records and risk; audited (``actor`` None: an operator at the console, ``koshi agencies``).

    Raises:
        AgencyError: 404 no such agency; 403 an agency account asking for another agency, or a
            role without access (analysts get the list, not the records).
    """
    row = _get(session, agency_id)
    if actor is not None:
        _visible(actor, row)
    _audit(session, actor, now, "agency.read", row.id, _state(row), read=True)
    return _view(session, actor, row, today(now))


def find(
    session: Session, actor: Actor, *, q: str | None = None, limit: int = 20, status: str | None = None
) -> list[AgencyBrief]:
    """Agencies by BIN or a part of the name, for anyone signed in (a job seeker picks one to complain about).

    Only the registry's public part (name, BIN, activity, status, region), so it is not audited.
    """
    stmt = select(Agency).order_by(Agency.name, Agency.id).limit(max(1, min(limit, 500)))
    if status is not None:
        stmt = stmt.where(Agency.status == _choice(status, STATUSES, "status"))
    text = (q or "").strip()
    if text:
        stmt = stmt.where(or_(Agency.bin == text, func.lower(Agency.name).contains(text.lower())))
    return [AgencyBrief(r.id, r.bin, r.name, r.activity, r.status, r.region_kato) for r in session.scalars(stmt)]


def active_agencies(session: Session, actor: Actor, *, q: str | None = None, limit: int = 500) -> list[AgencyBrief]:
    """Active agencies by name (optionally matching ``q``), for a job seeker to pick the one they complain about."""
    return find(session, actor, q=q, limit=limit, status="active")


def agencies(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    activity: str | None = None,
    region_kato: str | None = None,
    order: str = "risk",
    limit: int = 50,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> tuple[list[AgencySummary], int]:
    """A page of the registry and the total matching: by risk (highest first) or by name; audited (counts only)."""
    _check(actor, LISTERS, "list agencies")
    if status is not None:
        _choice(status, STATUSES, "status")
    if activity is not None:
        _choice(activity, ACTIVITIES, "activity")
    if region_kato is not None:
        _region(region_kato, "region_kato")
    _choice(order, ("risk", "name"), "order")
    if limit < 1 or limit > 500:
        raise AgencyError(422, "limit must be 1-500", field="limit")
    if offset < 0:
        raise AgencyError(422, "offset must be 0 or more", field="offset")
    at = now or dt.datetime.now(dt.UTC)
    stmt = select(Agency)
    if status is not None:
        stmt = stmt.where(Agency.status == status)
    if activity is not None:
        stmt = stmt.where(Agency.activity == activity)
    if region_kato is not None:
        stmt = stmt.where(Agency.region_kato == region_kato)
    rows = list(session.scalars(stmt))
    summaries = _summaries(session, rows, today(at))
    if order == "risk":
        summaries.sort(key=lambda s: (-s.risk_score, s.name, s.id))
    else:
        summaries.sort(key=lambda s: (s.name, s.id))
    page = summaries[offset : offset + limit]
    _audit(
        session,
        actor,
        at,
        "agency.list",
        None,
        {"total": len(summaries)},
        read=True,
        detail=f"{len(page)} of {len(summaries)}",
    )
    return page, len(summaries)


def inspection_ranking(
    session: Session, actor: Actor | None, on: dt.date, limit: int = 20, now: dt.datetime | None = None
) -> list[AgencySummary]:
    """Agencies still operating (notified, active, suspended), highest risk on ``on`` first, reasons listed; audited.

    Only agencies notified by ``on`` are ranked; ``actor`` None is the console (``koshi agencies ranking``).

    Raises:
        AgencyError: 403 for roles other than inspector, supervisor, analyst; 422 a date before the rules.
    """
    if actor is not None:
        _check(actor, LISTERS, "rank agencies")
    if limit < 1 or limit > 500:
        raise AgencyError(422, "limit must be 1-500", field="limit")
    _policy(on, "on")
    rows = list(session.scalars(select(Agency).where(Agency.status.in_([s.value for s in lifecycle.OPERATING]))))
    rows = [r for r in rows if r.notified_on <= on]
    ranked = sorted(_summaries(session, rows, on), key=lambda s: (-s.risk_score, s.name, s.id))[:limit]
    _audit(
        session,
        actor,
        now or dt.datetime.now(dt.UTC),
        "agency.ranking",
        None,
        {"on": on.isoformat(), "limit": limit},
        read=True,
        detail=f"{len(ranked)} agencies ranked on {on.isoformat()}",
    )
    return ranked


# --- facts, risk and views -------------------------------------------------------------------------


@dataclass
class _Records:
    founders: list[AgencyFounder]
    addresses: list[AgencyAddress]
    events: list[AgencyStatusEvent]
    reports: list[AgencyReport]
    complaints: list[AgencyComplaint]
    inspections: list[AgencyInspection]
    violations: list[AgencyViolation]
    sanctions: list[AgencySanction]


def _records(session: Session, ids: Sequence[str], *, full: bool) -> dict[str, _Records]:
    out = {i: _Records([], [], [], [], [], [], [], []) for i in ids}
    if not ids:
        return out
    tables: list[tuple[str, Any, Any]] = [
        ("reports", AgencyReport, AgencyReport.id),
        ("complaints", AgencyComplaint, AgencyComplaint.id),
        ("inspections", AgencyInspection, AgencyInspection.id),
        ("violations", AgencyViolation, AgencyViolation.id),
        ("sanctions", AgencySanction, AgencySanction.id),
    ]
    if full:
        tables += [
            ("founders", AgencyFounder, AgencyFounder.id),
            ("addresses", AgencyAddress, AgencyAddress.id),
            ("events", AgencyStatusEvent, AgencyStatusEvent.id),
        ]
    chunks = [list(ids[i : i + 500]) for i in range(0, len(ids), 500)]
    for attr, model, key in tables:
        for chunk in chunks:
            for r in session.scalars(select(model).where(model.agency_id.in_(chunk)).order_by(key)):
                getattr(out[r.agency_id], attr).append(r)
    return out


def _facts(row: Agency, rec: _Records) -> Facts:
    return Facts(
        notified_on=row.notified_on,
        activity=row.activity,
        complaints=tuple(ComplaintFact(c.received_on, c.kind, c.status, c.paid_amount_tenge) for c in rec.complaints),
        reports=tuple(
            ReportFact(r.year, r.quarter, r.filed_on, r.placed_domestic, r.placed_abroad, r.seeker_fees_tenge)
            for r in rec.reports
        ),
        violations=tuple(ViolationFact(v.found_on, v.remedied_on) for v in rec.violations),
        sanctions=tuple(s.imposed_on for s in rec.sanctions),
        inspections=tuple(i.done_on for i in rec.inspections if i.done_on is not None),
    )


def _fee_rule_flag(rec: _Records, p: agency_policy.AgencyPolicy) -> bool:
    """A complaint not found unfounded alleges a fee, or a report declares one."""
    return any(
        c.status != rules.ComplaintStatus.unfounded
        and rules.fee_flag(c.kind, c.paid_amount_tenge, p.max_seeker_fee_tenge)
        for c in rec.complaints
    ) or any(rules.report_fee_flag(r.seeker_fees_tenge, p.max_seeker_fee_tenge) for r in rec.reports)


def _summaries(session: Session, rows: Sequence[Agency], on: dt.date) -> list[AgencySummary]:
    p = _policy(on, "on")
    recs = _records(session, [r.id for r in rows], full=False)
    out: list[AgencySummary] = []
    for row in rows:
        rec = recs[row.id]
        risk = score(_facts(row, rec), on, p)
        last = max(((r.year, r.quarter) for r in rec.reports), default=None)
        out.append(
            AgencySummary(
                id=row.id,
                bin=row.bin,
                name=row.name,
                activity=row.activity,
                status=row.status,
                region_kato=row.region_kato,
                risk_score=risk.score,
                top_reason=risk.reasons[0].text if risk.reasons else None,
                open_complaints=sum(1 for c in rec.complaints if c.status == "open"),
                open_violations=sum(1 for v in rec.violations if v.status == "open"),
                last_report=rules.label(last) if last else None,
                reasons=risk.reasons,
                fee_rule_flag=_fee_rule_flag(rec, p),
            )
        )
    return out


def _report_view(r: AgencyReport, max_fee: int) -> ReportView:
    return ReportView(
        id=r.id,
        year=r.year,
        quarter=r.quarter,
        placed_domestic=r.placed_domestic,
        placed_abroad=r.placed_abroad,
        job_seekers_served=r.job_seekers_served,
        seeker_fees_tenge=r.seeker_fees_tenge,
        filed_on=r.filed_on,
        late=r.filed_on > r.due_on,
        due_on=r.due_on,
        fee_flag=rules.report_fee_flag(r.seeker_fees_tenge, max_fee),
    )


def _complaint_view(c: AgencyComplaint, max_fee: int, agency_name: str = "") -> ComplaintView:
    return ComplaintView(
        id=c.id,
        received_on=c.received_on,
        kind=c.kind,
        paid_amount_tenge=c.paid_amount_tenge,
        summary=c.summary,
        status=c.status,
        fee_flag=rules.fee_flag(c.kind, c.paid_amount_tenge, max_fee),
        agency_id=c.agency_id,
        agency_name=agency_name,
        filed_by_seeker=c.filed_by is not None,
    )


def _inspection_view(i: AgencyInspection) -> InspectionView:
    return InspectionView(i.id, i.planned_on, i.done_on, i.reason, i.inspector_id, i.outcome, i.findings)


def _violation_view(v: AgencyViolation) -> ViolationView:
    return ViolationView(v.id, v.code, v.found_on, v.description, v.status, v.inspection_id, v.remedied_on)


def _sanction_view(s: AgencySanction) -> SanctionView:
    return SanctionView(s.id, s.violation_id, s.kind, s.amount_mrp, s.imposed_on, s.until)


def _view(session: Session, actor: Actor | None, row: Agency, on: dt.date) -> AgencyView:
    rec = _records(session, [row.id], full=True)[row.id]
    p = _policy(on, "on")
    role = actor.role if actor else "system"
    return AgencyView(
        id=row.id,
        bin=row.bin,
        name=row.name,
        activity=row.activity,
        status=row.status,
        status_since=row.status_since,
        region_kato=row.region_kato,
        founders=tuple(FounderView(f.name, mask(f.iin) if f.iin else None, f.share) for f in rec.founders),
        addresses=tuple(AddressView(a.kind, a.address, a.region_kato) for a in rec.addresses),
        reports=tuple(
            _report_view(r, p.max_seeker_fee_tenge)
            for r in sorted(rec.reports, key=lambda r: (r.year, r.quarter), reverse=True)
        ),
        complaints=tuple(
            _complaint_view(c, p.max_seeker_fee_tenge, row.name)
            for c in sorted(rec.complaints, key=lambda c: (c.received_on, c.id), reverse=True)
        ),
        inspections=tuple(
            _inspection_view(i)
            for i in sorted(
                rec.inspections, key=lambda i: (i.done_on or i.planned_on or dt.date.min, i.id), reverse=True
            )
        ),
        violations=tuple(
            _violation_view(v) for v in sorted(rec.violations, key=lambda v: (v.found_on, v.id), reverse=True)
        ),
        sanctions=tuple(
            _sanction_view(s) for s in sorted(rec.sanctions, key=lambda s: (s.imposed_on, s.id), reverse=True)
        ),
        risk=score(_facts(row, rec), on, p),
        history=tuple(StatusEvent(_utc(e.at), e.actor_role, e.action, e.before, e.after, e.reason) for e in rec.events),
        allowed_actions=lifecycle.allowed_actions(AgencyStatus(row.status), role),
        fee_rule_flag=_fee_rule_flag(rec, p),
        notified_on=row.notified_on,
    )


# --- status ----------------------------------------------------------------------------------------


def _move(
    session: Session,
    actor: Actor | None,
    row: Agency,
    action: AgencyAction,
    reason: str | None,
    now: dt.datetime,
    on: dt.date | None = None,
) -> None:
    """Change the status; ``on`` (the system only: imports, synthetic data) dates a past change."""
    role = actor.role if actor is not None else "inspector"  # the system acts as an inspector would
    try:
        move = lifecycle.check(AgencyStatus(row.status), action, role, reason=reason)
    except AgencyTransitionError as exc:
        raise AgencyError(exc.status, exc.message, field=exc.field or "action", allowed=exc.allowed) from None
    day = on if on is not None and actor is None else today(now)
    before = _state(row)
    row.status = move.after.value
    row.status_since = day
    row.updated_at = now
    session.add(
        _event(
            row, actor, _at(day, now), action.value, move.before.value, move.after.value, (reason or "").strip() or None
        )
    )
    _audit(session, actor, now, f"agency.{action.value}", row.id, _state(row), before=before)


def change_status(
    session: Session,
    actor: Actor | None,
    agency_id: str,
    action: str,
    *,
    reason: str | None = None,
    now: dt.datetime,
    on: dt.date | None = None,
) -> AgencyView:
    """Activate, suspend, reinstate, revoke or expire an agency (inspectors; a reason for the sanctions).

    Raises:
        AgencyError: 404 no such agency; 403 not an inspector; 409 not open in this status (with
            ``allowed``); 422 an unknown action or a missing reason.
    """
    row = _get(session, agency_id)
    _choice(action, ACTIONS, "action")
    _move(session, actor, row, AgencyAction(action), reason, now, on)
    session.flush()
    return _view(session, actor, row, today(now))


# --- reports ---------------------------------------------------------------------------------------


def file_report(
    session: Session,
    actor: Actor | None,
    agency_id: str,
    *,
    year: int,
    quarter: int,
    placed_domestic: int,
    placed_abroad: int,
    job_seekers_served: int,
    seeker_fees_tenge: int,
    now: dt.datetime,
    filed_on: dt.date | None = None,
) -> ReportView:
    """File a quarterly placement report; its due day comes from the parameters in force at the quarter's end.

    An agency files its own, inspectors any (a paper report); ``filed_on`` (the day it came in)
    may be given by inspectors and imports, and defaults to today.

    Raises:
        AgencyError: 403/404 as for reading; 409 the quarter is already reported; 422 naming the field
            (a quarter not yet over, before the agency was notified, counts below 0, more placed than served).
    """
    if actor is not None:
        _check(actor, REPORTERS, "file placement reports")
    row = _get(session, agency_id)
    if actor is not None and actor.role == "agency":
        _visible(actor, row)
        filed_on = None
    day = filed_on or today(now)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise AgencyError(422, "year must be 2000-2100", field="year")
    if quarter not in (1, 2, 3, 4):
        raise AgencyError(422, "quarter must be 1, 2, 3 or 4", field="quarter")
    q = (year, quarter)
    if not rules.can_file(q, day):
        raise AgencyError(
            422, f"{rules.label(q)} has not ended: report it after {rules.quarter_end(q).isoformat()}", "quarter"
        )
    if rules.quarter_end(q) < row.notified_on:
        raise AgencyError(422, f"{rules.label(q)} ended before the agency was notified", field="quarter")
    counts = {
        "placed_domestic": _count(placed_domestic, "placed_domestic"),
        "placed_abroad": _count(placed_abroad, "placed_abroad"),
        "job_seekers_served": _count(job_seekers_served, "job_seekers_served"),
        "seeker_fees_tenge": _count(seeker_fees_tenge, "seeker_fees_tenge"),
    }
    if counts["placed_domestic"] + counts["placed_abroad"] > counts["job_seekers_served"]:
        raise AgencyError(
            422,
            "more job seekers placed than served: placements cannot exceed job seekers served",
            "job_seekers_served",
        )
    p = _policy(rules.quarter_end(q), "year")
    existing = session.scalar(
        select(AgencyReport).where(
            AgencyReport.agency_id == row.id, AgencyReport.year == year, AgencyReport.quarter == quarter
        )
    )
    if existing is not None:
        raise AgencyError(409, f"the report for {rules.label(q)} is already filed", field="quarter")
    report = AgencyReport(
        agency_id=row.id,
        year=year,
        quarter=quarter,
        **counts,
        filed_on=day,
        due_on=rules.due_on(q, p.report_due_days),
        filed_by=actor.id if actor else None,
        created_at=now,
    )
    session.add(report)
    session.flush()
    view = _report_view(report, p.max_seeker_fee_tenge)
    _audit(
        session,
        actor,
        now,
        "agency.report",
        row.id,
        {"report": report.id, "quarter": rules.label(q), "late": view.late},
        detail=f"report {report.id} for {rules.label(q)}",
    )
    return view


# --- complaints ------------------------------------------------------------------------------------


def add_complaint(
    session: Session,
    actor: Actor | None,
    agency_id: str,
    *,
    received_on: dt.date,
    kind: str,
    paid_amount_tenge: int | None,
    summary: str,
    now: dt.datetime,
    ref: str | None = None,
    status: str = "open",
    filed_by: int | None = None,
) -> ComplaintView:
    """Record a job seeker's complaint: an inspector records one received; a job seeker files their own.

    A job seeker's complaint is received today and open; the filer's account is kept so they
    (and only they) see it. Imports (``actor`` None) may give the source's ``ref``, a status and
    the job seeker's account (``filed_by``, synthetic data).

    Raises:
        AgencyError: 403 other roles; 404 no such agency; 409 ``ref`` already recorded; 422 naming the field.
    """
    if actor is not None:
        _check(actor, COMPLAINANTS, "record complaints")
    row = _get(session, agency_id)
    seeker = actor is not None and actor.role == "applicant"
    day = today(now)
    if seeker:
        received_on, status = day, "open"
    if received_on > day:
        raise AgencyError(422, "received_on is in the future", field="received_on")
    if received_on < row.notified_on - dt.timedelta(days=366):
        raise AgencyError(422, "received_on is more than a year before the agency was notified", field="received_on")
    _choice(kind, COMPLAINT_KINDS, "kind")
    _choice(status, COMPLAINT_STATUSES, "status")
    if paid_amount_tenge is not None:
        _count(paid_amount_tenge, "paid_amount_tenge")
    text = _text(summary, "summary", minimum=MIN_SUMMARY)
    if ref is not None:
        ref = _text(ref, "ref", maximum=64)
        if session.scalar(select(AgencyComplaint.id).where(AgencyComplaint.ref == ref)) is not None:
            raise AgencyError(409, "a complaint with this ref is already recorded", field="ref")
    c = AgencyComplaint(
        agency_id=row.id,
        ref=ref,
        received_on=received_on,
        kind=kind,
        paid_amount_tenge=paid_amount_tenge,
        summary=text,
        status=status,
        filed_by=actor.id if seeker and actor is not None else (filed_by if actor is None else None),
        recorded_by=actor.id if actor is not None and not seeker else None,
        created_at=now,
    )
    session.add(c)
    session.flush()
    max_fee = _policy(max(received_on, agency_policy.EFFECTIVE_FROM), "received_on").max_seeker_fee_tenge
    view = _complaint_view(c, max_fee, row.name)
    _audit(
        session,
        actor,
        now,
        "agency.complaint",
        row.id,
        {"complaint": c.id, "kind": kind, "status": status, "fee_flag": view.fee_flag},
        detail=f"complaint {c.id}",
    )
    return view


def my_complaints(session: Session, actor: Actor, now: dt.datetime) -> list[ComplaintView]:
    """The complaints a job seeker filed, newest first; audited (counts only)."""
    _check(actor, frozenset({"applicant"}), "have complaints of its own")
    rows = list(
        session.execute(
            select(AgencyComplaint, Agency.name)
            .join(Agency, Agency.id == AgencyComplaint.agency_id)
            .where(AgencyComplaint.filed_by == actor.id)
            .order_by(AgencyComplaint.received_on.desc(), AgencyComplaint.id.desc())
        )
    )
    max_fee = _policy(today(now), "on").max_seeker_fee_tenge
    _audit(
        session,
        actor,
        now,
        "agency.complaints.read",
        None,
        {"count": len(rows)},
        read=True,
        detail=f"{len(rows)} complaints",
    )
    return [_complaint_view(c, max_fee, name) for c, name in rows]


def complaint(session: Session, actor: Actor, complaint_id: int, now: dt.datetime) -> ComplaintView:
    """One complaint: the job seeker who filed it, the agency it is about, inspectors and supervisors; audited."""
    c = session.get(AgencyComplaint, complaint_id)
    if c is None:
        raise AgencyError(404, "no complaint with this id", field="complaint_id")
    row = _get(session, c.agency_id)
    if not (actor.role == "applicant" and c.filed_by == actor.id):
        if actor.role == "applicant":
            raise AgencyError(403, "a job seeker sees only the complaints they filed")
        _visible(actor, row)
    _audit(session, actor, now, "agency.complaint.read", row.id, {"complaint": c.id, "status": c.status}, read=True)
    return _complaint_view(c, _policy(today(now), "on").max_seeker_fee_tenge, row.name)


def resolve_complaint(
    session: Session, actor: Actor | None, complaint_id: int, *, status: str, now: dt.datetime
) -> ComplaintView:
    """An inspector finds a complaint ``substantiated`` or ``unfounded`` (or reopens it: ``open``).

    Raises:
        AgencyError: 403 not an inspector; 404 no such complaint; 409 already in that status; 422 bad status.
    """
    if actor is not None:
        _check(actor, INSPECTORS, "resolve complaints")
    _choice(status, COMPLAINT_STATUSES, "status")
    c = session.get(AgencyComplaint, complaint_id)
    if c is None:
        raise AgencyError(404, "no complaint with this id", field="complaint_id")
    if c.status == status:
        raise AgencyError(409, f"the complaint is already {status}", field="status")
    before = {"complaint": c.id, "status": c.status}
    c.status = status
    c.resolved_at = None if status == "open" else now
    c.resolved_by = None if status == "open" or actor is None else actor.id
    row = _get(session, c.agency_id)
    _audit(
        session, actor, now, "agency.complaint.resolve", row.id, {"complaint": c.id, "status": status}, before=before
    )
    return _complaint_view(c, _policy(today(now), "on").max_seeker_fee_tenge, row.name)


# --- inspections, violations, sanctions ------------------------------------------------------------


def plan_inspection(
    session: Session, actor: Actor | None, agency_id: str, *, planned_on: dt.date, reason: str, now: dt.datetime
) -> InspectionView:
    """Plan an inspection (inspectors): why (``risk``, ``complaint``, ``scheduled``) and when."""
    if actor is not None:
        _check(actor, INSPECTORS, "plan inspections")
    row = _get(session, agency_id)
    _choice(reason, INSPECTION_REASONS, "reason")
    if planned_on < today(now) and actor is not None:
        raise AgencyError(422, "planned_on is in the past", field="planned_on")
    i = AgencyInspection(
        agency_id=row.id,
        planned_on=planned_on,
        reason=reason,
        inspector_id=actor.id if actor else None,
        created_at=now,
    )
    session.add(i)
    session.flush()
    _audit(
        session,
        actor,
        now,
        "agency.inspection.plan",
        row.id,
        {"inspection": i.id, "planned_on": planned_on.isoformat()},
    )
    return _inspection_view(i)


def record_inspection(
    session: Session,
    actor: Actor | None,
    agency_id: str,
    *,
    done_on: dt.date,
    outcome: str,
    findings: str | None = None,
    reason: str = "scheduled",
    inspection_id: int | None = None,
    now: dt.datetime,
) -> InspectionView:
    """Record an inspection done: completes a planned one (``inspection_id``) or records an unplanned one.

    Raises:
        AgencyError: 403 not an inspector; 404 no such agency or inspection; 409 already done;
            422 a future date, an unknown outcome or reason.
    """
    if actor is not None:
        _check(actor, INSPECTORS, "record inspections")
    row = _get(session, agency_id)
    _choice(outcome, INSPECTION_OUTCOMES, "outcome")
    _choice(reason, INSPECTION_REASONS, "reason")
    if done_on > today(now):
        raise AgencyError(422, "done_on is in the future", field="done_on")
    text = _text(findings, "findings", minimum=0) or None
    if inspection_id is not None:
        i = session.get(AgencyInspection, inspection_id)
        if i is None or i.agency_id != row.id:
            raise AgencyError(404, "no planned inspection with this id for this agency", field="inspection_id")
        if i.done_on is not None:
            raise AgencyError(409, "this inspection is already recorded as done", field="inspection_id")
    else:
        i = AgencyInspection(agency_id=row.id, reason=reason, created_at=now)
        session.add(i)
    i.done_on, i.outcome, i.findings = done_on, outcome, text
    i.inspector_id = actor.id if actor else i.inspector_id
    session.flush()
    _audit(
        session,
        actor,
        now,
        "agency.inspection",
        row.id,
        {"inspection": i.id, "outcome": outcome},
        detail=f"inspection {i.id}",
    )
    return _inspection_view(i)


def add_violation(
    session: Session,
    actor: Actor | None,
    agency_id: str,
    *,
    code: str,
    found_on: dt.date,
    description: str,
    inspection_id: int | None = None,
    now: dt.datetime,
) -> ViolationView:
    """Record a violation found (inspectors), optionally at an inspection of the same agency."""
    if actor is not None:
        _check(actor, INSPECTORS, "record violations")
    row = _get(session, agency_id)
    _choice(code, tuple(VIOLATION_CODES), "code")
    if found_on > today(now):
        raise AgencyError(422, "found_on is in the future", field="found_on")
    text = _text(description, "description", minimum=MIN_SUMMARY)
    if inspection_id is not None:
        i = session.get(AgencyInspection, inspection_id)
        if i is None or i.agency_id != row.id:
            raise AgencyError(404, "no inspection with this id for this agency", field="inspection_id")
    v = AgencyViolation(
        agency_id=row.id,
        inspection_id=inspection_id,
        code=code,
        found_on=found_on,
        description=text,
        status="open",
        recorded_by=actor.id if actor else None,
        created_at=now,
    )
    session.add(v)
    session.flush()
    _audit(
        session, actor, now, "agency.violation", row.id, {"violation": v.id, "code": code}, detail=f"violation {v.id}"
    )
    return _violation_view(v)


def remedy_violation(
    session: Session, actor: Actor | None, violation_id: int, *, remedied_on: dt.date, now: dt.datetime
) -> ViolationView:
    """Mark a violation remedied (inspectors): it no longer counts as open in the risk score."""
    if actor is not None:
        _check(actor, INSPECTORS, "close violations")
    v = session.get(AgencyViolation, violation_id)
    if v is None:
        raise AgencyError(404, "no violation with this id", field="violation_id")
    if v.status == "remedied":
        raise AgencyError(409, "the violation is already remedied", field="violation_id")
    if remedied_on < v.found_on or remedied_on > today(now):
        raise AgencyError(422, "remedied_on must be between the day it was found and today", field="remedied_on")
    v.status, v.remedied_on = "remedied", remedied_on
    _audit(session, actor, now, "agency.violation.remedy", v.agency_id, {"violation": v.id, "status": v.status})
    return _violation_view(v)


def impose_sanction(
    session: Session,
    actor: Actor | None,
    violation_id: int,
    *,
    kind: str,
    amount_mrp: int | None = None,
    until: dt.date | None = None,
    now: dt.datetime,
    imposed_on: dt.date | None = None,
) -> SanctionView:
    """Impose a sanction for a violation (inspectors); a suspension or revocation changes the agency's status too.

    A fine needs an amount in MRP (the Kazakh amounts were not found: the inspector sets it);
    a suspension needs the day it ends (``until``) and an active agency.

    Raises:
        AgencyError: 403 not an inspector; 404 no such violation; 409 the status change is not open
            (with ``allowed``); 422 naming the field.
    """
    if actor is not None:
        _check(actor, INSPECTORS, "impose sanctions")
    _choice(kind, SANCTION_KINDS, "kind")
    v = session.get(AgencyViolation, violation_id)
    if v is None:
        raise AgencyError(404, "no violation with this id", field="violation_id")
    day = imposed_on if imposed_on is not None and actor is None else today(now)
    if kind == "fine":
        if amount_mrp is None or isinstance(amount_mrp, bool) or amount_mrp <= 0:
            raise AgencyError(422, "a fine needs amount_mrp, a whole number of MRP above 0", field="amount_mrp")
    elif amount_mrp is not None:
        raise AgencyError(422, f"a {kind} has no amount: leave amount_mrp empty", field="amount_mrp")
    if kind == "suspension":
        if until is None or until <= day:
            raise AgencyError(422, "a suspension needs until, a day after today", field="until")
    elif until is not None:
        raise AgencyError(422, f"a {kind} has no end date: leave until empty", field="until")
    row = _get(session, v.agency_id)
    reason = f"sanction for violation {v.id} ({v.code})"
    if kind == "suspension":
        _move(session, actor, row, AgencyAction.suspend, reason + f" until {until}", now, day)
    elif kind == "revocation":
        _move(session, actor, row, AgencyAction.revoke, reason, now, day)
    s = AgencySanction(
        agency_id=row.id,
        violation_id=v.id,
        kind=kind,
        amount_mrp=amount_mrp,
        imposed_on=day,
        until=until,
        imposed_by=actor.id if actor else None,
        created_at=now,
    )
    session.add(s)
    session.flush()
    _audit(session, actor, now, "agency.sanction", row.id, {"sanction": s.id, "kind": kind}, detail=f"sanction {s.id}")
    return _sanction_view(s)


def by_bin(session: Session, number: str) -> Agency | None:
    """The agency row with this BIN (for imports and the CLI), or None."""
    return session.scalar(select(Agency).where(Agency.bin == number.strip()))


def ids_by_bin(session: Session, numbers: Iterable[str]) -> dict[str, str]:
    """BIN -> agency id for the BINs in the registry."""
    wanted = sorted(set(numbers))
    out: dict[str, str] = {}
    for i in range(0, len(wanted), 500):
        for b, i_d in session.execute(select(Agency.bin, Agency.id).where(Agency.bin.in_(wanted[i : i + 500]))):
            out[b] = i_d
    return out
