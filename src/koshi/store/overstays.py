"""Stay status of everyone in the registry, overstay lists, and the reasons officers give for an overstay.

``refresh`` exports the registry (``stay_inputs``), runs the DuckDB stay rules and replaces the
``stay_status`` table in one transaction: the lists are read from that table, so a page never
waits for the computation. One person's view is computed fresh from their own records by the
reference rules (:func:`koshi.registry.stay.control`), registrations included.

An overstay is named by the person and the entry day of the stay. Officers record why it
happened (hospital, force majeure...): every reason is a new row, the latest applies, and each
read or change is in the audit chain. Police and supervisors see people; other roles do not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import pyarrow as pa
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, delete, func, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from koshi.registry import stay, stay_sql
from koshi.rules.provenance import PolicyNotInForce
from koshi.store import audit
from koshi.store.models import Base, Timestamp
from koshi.store.registry import Registration as RegistrationRow
from koshi.store.registry import (
    RegistryPerson,
    TravelDocument,
    person_timeline,
    stay_inputs,
)

if TYPE_CHECKING:  # the case service imports the models, which import this module
    from koshi.store.cases import Actor

READERS = frozenset({"police", "supervisor"})
WRITERS = frozenset({"police"})
REFRESHERS = frozenset({"police", "admin"})

REASONS: dict[str, str] = {
    "hospital": "In hospital or too ill to travel",
    "force_majeure": "Force majeure (natural disaster, border closure)",
    "transport_cancelled": "Transport cancelled or delayed",
    "documents_pending": "Documents or permit under consideration",
    "data_error": "Record error (a missing or wrong border record)",
    "departed": "Departed; the exit is not in the border feed",
    "other": "Other (explained in the note)",
}
"""Reason codes an officer can set on an overstay; ``other`` needs a note."""

Kind = Literal["current", "soon", "past"]


class RegistryError(Exception):
    """A request the registry refuses: ``status`` is the HTTP status it maps to."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


class StayStatus(Base):
    """One person's stay status on ``as_of``, as the last refresh computed it."""

    __tablename__ = "stay_status"

    person_id: Mapped[int] = mapped_column(ForeignKey("registry_persons.id"), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    computed_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    nationality: Mapped[str] = mapped_column(String(3))
    regime: Mapped[str] = mapped_column(String(10))
    present: Mapped[bool] = mapped_column(Boolean)
    current_entry: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    days_used: Mapped[int] = mapped_column(Integer)
    days_left: Mapped[int | None] = mapped_column(Integer, nullable=True)
    overstay_days: Mapped[int] = mapped_column(Integer)
    overstay_since: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    overstay_limit: Mapped[str | None] = mapped_column(String(10), nullable=True)
    exceeds_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    under_permit: Mapped[bool] = mapped_column(Boolean)
    covered_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    past_overstays: Mapped[int] = mapped_column(Integer)
    last_overstay_entry: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    last_overstay_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    last_overstay_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_overstay_limit: Mapped[str | None] = mapped_column(String(10), nullable=True)
    last_fine_band: Mapped[str] = mapped_column(String(20))
    missing_exits: Mapped[int] = mapped_column(Integer)
    fine_band: Mapped[str] = mapped_column(String(20))
    fine_mrp: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        Index("ix_stay_status_overstay", "overstay_days"),
        Index("ix_stay_status_exceeds", "exceeds_on"),
    )


class OverstayReason(Base):
    """An officer's reason for one overstay (person + entry day of the stay); the latest row applies."""

    __tablename__ = "overstay_reasons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("registry_persons.id"))
    stay_entry: Mapped[dt.date] = mapped_column(Date)
    code: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    set_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (Index("ix_overstay_reasons_person", "person_id", "stay_entry", "id"),)


def _check(actor: Actor, roles: frozenset[str]) -> None:
    if actor.role not in roles:
        raise RegistryError(403, f"the {actor.role} role has no access to people in the registry")


# --- refresh ---------------------------------------------------------------------------------------

STATUS_COLUMNS = tuple(c.name for c in StayStatus.__table__.columns if c.name not in {"as_of", "computed_at"})


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """What a refresh computed."""

    as_of: dt.date
    people: int
    present: int
    overstaying: int
    soon: int
    seconds: float


def compute(session: Session, on: dt.date) -> pa.Table:
    """Everyone's stay status on ``on`` from the registry (DuckDB), with fine bands."""
    con = duckdb.connect()
    try:
        stay_sql.register(con, stay_inputs(session))
        return stay_sql.with_fines(stay_sql.status(con, on), on)
    finally:
        con.close()


def refresh(session: Session, actor: Actor | None, on: dt.date, now: dt.datetime, soon_days: int = 7) -> RefreshReport:
    """Recompute ``stay_status`` for everyone, in the caller's transaction (``actor`` None: the system,
    as ``koshi registry refresh`` runs)."""
    if actor is not None:
        _check(actor, REFRESHERS)
    started = dt.datetime.now(dt.UTC)
    try:
        table = compute(session, on)
    except PolicyNotInForce as exc:
        raise RegistryError(422, str(exc), field="on") from None
    session.execute(delete(StayStatus))
    rows = table.select(list(STATUS_COLUMNS)).to_pylist()
    for row in rows:
        row["as_of"], row["computed_at"] = on, now
    for i in range(0, len(rows), 5000):
        session.execute(insert(StayStatus), rows[i : i + 5000])
    soon_until = on + dt.timedelta(days=soon_days)
    report = RefreshReport(
        as_of=on,
        people=len(rows),
        present=sum(1 for r in rows if r["present"]),
        overstaying=sum(1 for r in rows if r["overstay_days"] > 0),
        soon=sum(1 for r in rows if r["exceeds_on"] is not None and r["exceeds_on"] <= soon_until),
        seconds=(dt.datetime.now(dt.UTC) - started).total_seconds(),
    )
    audit.append(
        session,
        at=now,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else "system",
        action="registry.refresh",
        detail=f"as of {on.isoformat()}: {report.people} people, {report.overstaying} overstaying",
    )
    return report


# --- lists -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListedPerson:
    """A row of an overstay list: the status, the person's first document, and the latest reason."""

    status: dict[str, Any]
    doc_country: str
    doc_number: str
    surname: str
    given_names: str | None
    reason: str | None
    reason_note: str | None


@dataclass(frozen=True, slots=True)
class Listing:
    """A page of a list."""

    kind: Kind
    as_of: dt.date | None
    total: int
    page: int
    size: int
    items: tuple[ListedPerson, ...]


def _latest_reasons(session: Session, keys: Sequence[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], OverstayReason]:
    if not keys:
        return {}
    people = sorted({k[0] for k in keys})
    rows = session.scalars(
        select(OverstayReason).where(OverstayReason.person_id.in_(people)).order_by(OverstayReason.id)
    )
    latest: dict[tuple[int, dt.date], OverstayReason] = {}
    for r in rows:
        latest[(r.person_id, r.stay_entry)] = r
    return latest


def listing(
    session: Session,
    actor: Actor,
    now: dt.datetime,
    *,
    kind: Kind = "current",
    soon_days: int = 7,
    nationality: str | None = None,
    band: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Listing:
    """Overstaying now (longest first), soon to overstay (soonest first), or with a past overstay."""
    _check(actor, READERS)
    s = StayStatus
    stmt = select(s)
    as_of = session.scalar(select(func.max(s.as_of)))
    if kind == "current":
        stmt = stmt.where(s.overstay_days > 0).order_by(s.overstay_days.desc(), s.person_id)
    elif kind == "soon":
        until = (as_of or now.date()) + dt.timedelta(days=soon_days)
        stmt = stmt.where(s.exceeds_on.is_not(None), s.exceeds_on <= until).order_by(s.exceeds_on, s.person_id)
    else:
        stmt = stmt.where(s.past_overstays > 0).order_by(s.last_overstay_start.desc(), s.person_id)
    if nationality:
        stmt = stmt.where(s.nationality == nationality.upper())
    if band:
        stmt = stmt.where((s.last_fine_band if kind == "past" else s.fine_band) == band)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    found = list(session.scalars(stmt.offset((page - 1) * size).limit(size)))
    docs = _first_documents(session, [r.person_id for r in found])
    keys = [(r.person_id, _entry_of(r, kind)) for r in found]
    reasons = _latest_reasons(session, [k for k in keys if k[1] is not None])  # type: ignore[misc]
    items = []
    for r, key in zip(found, keys, strict=True):
        d = docs[r.person_id]
        reason = reasons.get(key) if key[1] is not None else None  # type: ignore[arg-type]
        items.append(
            ListedPerson(
                status={c: getattr(r, c) for c in (*STATUS_COLUMNS, "as_of")},
                doc_country=d.doc_country,
                doc_number=d.doc_number,
                surname=d.surname,
                given_names=d.given_names,
                reason=reason.code if reason else None,
                reason_note=reason.note if reason else None,
            )
        )
    audit.append(
        session,
        at=now,
        actor_id=actor.id,
        actor_role=actor.role,
        action="registry.list",
        detail=f"{kind} page {page}: {len(items)} of {total}",
    )
    return Listing(kind, as_of, total, page, size, tuple(items))


def _entry_of(r: StayStatus, kind: Kind) -> dt.date | None:
    return r.last_overstay_entry if kind == "past" else r.current_entry


def _first_documents(session: Session, people: Sequence[int]) -> dict[int, TravelDocument]:
    if not people:
        return {}
    out: dict[int, TravelDocument] = {}
    for d in session.scalars(
        select(TravelDocument).where(TravelDocument.person_id.in_(people)).order_by(TravelDocument.id)
    ):
        out.setdefault(d.person_id, d)
    return out


# --- one person --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonStay:
    """One person: documents and records, stay control on a date, an optional plan, and overstay reasons."""

    person_id: int
    nationality: str
    control: stay.Control
    plan: stay.Plan | None
    plan_error: str | None
    timeline: Any  # koshi.store.registry.PersonTimeline
    reasons: tuple[OverstayReason, ...]


@dataclass(frozen=True, slots=True)
class _Records:
    timeline: Any
    nationality: str
    events: list[tuple[dt.datetime, str]]
    covers: list[stay.Cover]
    registrations: list[stay.Registration]


def _records(session: Session, person_id: int) -> _Records:
    """One person's records as the stay rules read them: the same export as for everyone (:func:`stay_inputs`)."""
    timeline = person_timeline(session, person_id)
    if timeline is None or not timeline.documents:
        raise RegistryError(404, "no such person in the registry")
    inputs = stay_inputs(session, person_id=person_id)
    events = [(r["occurred_at"], r["direction"]) for r in inputs.events.to_pylist()]
    covers = [stay.Cover(r["kind"], r["valid_from"], r["valid_to"]) for r in inputs.covers.to_pylist()]
    doc_ids = [d.id for d in timeline.documents]
    registrations = [
        stay.Registration(a, r)
        for a, r in session.execute(
            select(RegistrationRow.arrival_date, RegistrationRow.registered_on).where(
                RegistrationRow.document_id.in_(doc_ids)
            )
        )
    ]
    return _Records(timeline, timeline.documents[0].nationality, events, covers, registrations)


def _control(records: _Records, on: dt.date) -> stay.Control:
    try:
        return stay.control(
            stay.stays_known_on(records.events, on), records.covers, records.nationality, on, records.registrations
        )
    except PolicyNotInForce as exc:
        raise RegistryError(422, str(exc), field="on") from None


def person(
    session: Session, actor: Actor, person_id: int, on: dt.date, now: dt.datetime, plan_entry: dt.date | None = None
) -> PersonStay:
    """Stay control of one person on ``on`` from their own records (and a plan when ``plan_entry`` is given)."""
    _check(actor, READERS)
    records = _records(session, person_id)
    control = _control(records, on)
    planned, plan_error = None, None
    if plan_entry is not None:
        try:
            planned = stay.plan(
                stay.stays_known_on(records.events, on), records.covers, records.nationality, plan_entry, today=on
            )
        except (ValueError, PolicyNotInForce) as exc:
            plan_error = str(exc)
    reasons = tuple(
        session.scalars(select(OverstayReason).where(OverstayReason.person_id == person_id).order_by(OverstayReason.id))
    )
    audit.append(
        session,
        at=now,
        actor_id=actor.id,
        actor_role=actor.role,
        action="registry.read",
        case_id=f"person:{person_id}",
        detail=f"stay on {on.isoformat()}",
    )
    return PersonStay(person_id, records.nationality, control, planned, plan_error, records.timeline, reasons)


def set_reason(
    session: Session, actor: Actor, person_id: int, stay_entry: dt.date, code: str, note: str | None, now: dt.datetime
) -> OverstayReason:
    """Record why an overstay happened (a new row; the latest applies)."""
    _check(actor, WRITERS)
    if session.get(RegistryPerson, person_id) is None:
        raise RegistryError(404, "no such person in the registry")
    control = _control(_records(session, person_id), (now + stay.KZ_OFFSET).date())
    overstayed = {o.entry for o in control.past_overstays}
    if control.overstay_days and control.current_entry:
        overstayed.add(control.current_entry)
    if stay_entry not in overstayed:
        raise RegistryError(
            422, f"the person has no overstay on a stay entered {stay_entry.isoformat()}", field="stay_entry"
        )
    if code not in REASONS:
        raise RegistryError(422, f"unknown reason code {code!r}; known: {', '.join(REASONS)}", field="code")
    note = (note or "").strip() or None
    if code == "other" and not note:
        raise RegistryError(422, "a reason 'other' needs a note saying what happened", field="note")
    if note and len(note) > 2000:
        raise RegistryError(422, "the note is longer than 2,000 characters", field="note")
    row = OverstayReason(person_id=person_id, stay_entry=stay_entry, code=code, note=note, set_by=actor.id, set_at=now)
    session.add(row)
    session.flush()
    audit.append(
        session,
        at=now,
        actor_id=actor.id,
        actor_role=actor.role,
        action="registry.reason",
        case_id=f"person:{person_id}",
        after={"stay_entry": stay_entry.isoformat(), "code": code, "note": note},
        detail=f"overstay of the stay entered {stay_entry.isoformat()}: {code}",
    )
    return row


# The linkage tables refer to the registry's and this module's; registering them from here, the last of
# the chain models -> registry -> overstays, lets any of the store's modules be imported first.
import koshi.store.linkage  # noqa: E402, F401
