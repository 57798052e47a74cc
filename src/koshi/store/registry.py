"""Registry tables (persons, travel documents, feed batches, the four feeds) and their readers.

A **person** and a **travel document** are kept apart: for now every document
makes its own person, and record linkage (next) will merge persons without
touching documents or records.  Feed records point at the document they name,
never at the person, so a merge is one ``UPDATE travel_documents SET person_id``.

Each feed table keeps the sending system's record id (unique), the batch that
last wrote the record and a digest of the record as sent, so a re-sent record
is recognised as unchanged or as a correction (:mod:`koshi.store.registry_import`).
Times are stored in UTC.

Readers: :func:`stay_inputs` exports what the stay rules read
(:mod:`koshi.registry.inputs`); :func:`person_timeline` gathers one person's
records for the police page.  Migration ``0003_registry`` creates the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from koshi.registry.inputs import COVERS, EVENTS, PERSONS, StayInputs
from koshi.registry.schema import TRAVELLER, FeedKind, columns
from koshi.store.models import Base, Json, Timestamp

KZ_TIME = dt.timezone(dt.timedelta(hours=5), "UTC+5")
"""Kazakhstan time: a border crossing's day on the timeline is its day there."""

CHUNK = 100_000
"""Rows fetched at a time when exporting."""


class RegistryPerson(Base):
    """A person in the registry: an id that outlives record linkage merges of their documents."""

    __tablename__ = "registry_persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("registry_persons.id"), nullable=True)


class TravelDocument(Base):
    """A travel document (issuing state + number) and the identity it states, as the feeds sent it.

    Identity fields are filled by the first record that carries them and not
    overwritten later: a feed's spelling never silently replaces another's.
    """

    __tablename__ = "travel_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("registry_persons.id"))
    doc_type: Mapped[str] = mapped_column(String(2))
    doc_country: Mapped[str] = mapped_column(String(3))
    doc_number: Mapped[str] = mapped_column(String(20))
    nationality: Mapped[str] = mapped_column(String(3))
    surname: Mapped[str] = mapped_column(String(80))
    given_names: Mapped[str | None] = mapped_column(String(80), nullable=True)
    birth_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    sex: Mapped[str | None] = mapped_column(String(1), nullable=True)
    doc_expiry: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    iin: Mapped[str | None] = mapped_column(String(12), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (
        UniqueConstraint("doc_country", "doc_number"),
        Index("ix_travel_documents_person", "person_id"),
        Index("ix_travel_documents_iin", "iin"),
    )


class FeedBatch(Base):
    """One imported batch and its report: a retry of the same batch replays this row.

    ``digest`` is the SHA-256 of the batch's content; ``errors`` the rejected
    values as ``{row, field, reason}`` (never the values).  ``rows_accepted``
    counts the records written (new plus ``rows_updated``); ``rows_unchanged``
    the records already stored exactly so.
    """

    __tablename__ = "feed_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    batch_key: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    received_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_accepted: Mapped[int] = mapped_column(Integer)
    rows_updated: Mapped[int] = mapped_column(Integer)
    rows_unchanged: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(Json)

    __table_args__ = (UniqueConstraint("kind", "batch_key"),)


class Authorization(Base):
    """A QazETA application (travel authorization or e-visa) and its decision."""

    __tablename__ = "authorizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(String(40), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("travel_documents.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("feed_batches.id"))
    row_digest: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(10))
    purpose: Mapped[str] = mapped_column(String(20))
    applied_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    trip_from: Mapped[dt.date] = mapped_column(Date)
    trip_to: Mapped[dt.date] = mapped_column(Date)
    region_kato: Mapped[str | None] = mapped_column(String(9), nullable=True)
    decision: Mapped[str] = mapped_column(String(10))
    decided_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    valid_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    stay_days: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (Index("ix_authorizations_document", "document_id", "applied_at"),)


class BorderEvent(Base):
    """An entry or exit at a border crossing point."""

    __tablename__ = "border_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("travel_documents.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("feed_batches.id"))
    row_digest: Mapped[str] = mapped_column(String(32))
    crossing_point: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(5))
    occurred_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    transport: Mapped[str | None] = mapped_column(String(12), nullable=True)

    __table_args__ = (Index("ix_border_events_document", "document_id", "occurred_at"),)


class Registration(Base):
    """A registration at the place of stay (the host's notification)."""

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(String(40), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("travel_documents.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("feed_batches.id"))
    row_digest: Mapped[str] = mapped_column(String(32))
    host_kind: Mapped[str] = mapped_column(String(12))
    host_id: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(300))
    region_kato: Mapped[str] = mapped_column(String(9))
    arrival_date: Mapped[dt.date] = mapped_column(Date)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    channel: Mapped[str] = mapped_column(String(10))

    __table_args__ = (Index("ix_registrations_document", "document_id", "arrival_date"),)


class Permit(Base):
    """A residence or work permit, long-stay visa or study permit, with its current status."""

    __tablename__ = "permits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    permit_id: Mapped[str] = mapped_column(String(40), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("travel_documents.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("feed_batches.id"))
    row_digest: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    region_kato: Mapped[str | None] = mapped_column(String(9), nullable=True)
    status: Mapped[str] = mapped_column(String(10))
    revoked_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (Index("ix_permits_document", "document_id", "valid_from"),)


FeedModel = type[Authorization] | type[BorderEvent] | type[Registration] | type[Permit]

FEED_MODELS: dict[FeedKind, FeedModel] = {
    FeedKind.AUTHORIZATIONS: Authorization,
    FeedKind.BORDER_EVENTS: BorderEvent,
    FeedKind.REGISTRATIONS: Registration,
    FeedKind.PERMITS: Permit,
}
"""The table each feed is stored in."""

TRAVELLER_COLUMNS = tuple(c.name for c in TRAVELLER)
"""Columns stored on the travel document, not on the record."""


def record_columns(kind: FeedKind | str) -> tuple[str, ...]:
    """A feed's columns that its table stores (every column but the traveller's), in schema order."""
    return tuple(c.name for c in columns(kind) if c.name not in TRAVELLER_COLUMNS)


# --- stay inputs ----------------------------------------------------------------------------------


def _utc(value: dt.datetime) -> dt.datetime:
    """A stored time in UTC (SQLite returns it without an offset, PostgreSQL in the session's zone)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _stream(session: Session, stmt: Select[*tuple[Any, ...]], schema: pa.Schema, chunk: int) -> pa.Table:
    """Run ``stmt`` and build ``schema``'s table ``chunk`` rows at a time (never all rows as objects)."""
    batches: list[pa.RecordBatch] = []
    result = session.execute(stmt.execution_options(yield_per=chunk))
    for part in result.partitions():
        cols = list(zip(*part, strict=True))
        batches.append(pa.record_batch([pa.array(c, type=f.type) for c, f in zip(cols, schema, strict=True)], schema))
    return pa.Table.from_batches(batches, schema=schema)


def _covers(permits: pa.Table, visas: pa.Table) -> pa.Table:
    """Permits (revoked ones end the day before revocation, or vanish if revoked by their start) and e-visas."""
    revoked = pc.not_equal(permits["status"], "valid")
    cut = pc.subtract(pc.cast(permits["revoked_on"], pa.int32()), 1).cast(pa.int32()).cast(pa.date32())
    end = pc.if_else(
        revoked,
        pc.if_else(pc.is_null(permits["valid_to"]), cut, pc.min_element_wise(permits["valid_to"], cut)),
        permits["valid_to"],
    )
    keep = pc.invert(pc.fill_null(pc.and_(revoked, pc.less(end, permits["valid_from"])), False))
    n = permits.num_rows
    permit_covers = pa.table(
        {
            "person_id": permits["person_id"],
            "kind": pa.array(["permit"] * n, pa.string()),
            "valid_from": permits["valid_from"],
            "valid_to": end,
        },
        schema=COVERS,
    ).filter(keep)
    visa_covers = pa.table(
        {
            "person_id": visas["person_id"],
            "kind": pa.array(["visa"] * visas.num_rows, pa.string()),
            "valid_from": visas["valid_from"],
            "valid_to": visas["valid_to"],
        },
        schema=COVERS,
    )
    covers = pa.concat_tables([permit_covers, visa_covers])
    keys = [("person_id", "ascending"), ("valid_from", "ascending"), ("valid_to", "ascending"), ("kind", "ascending")]
    return covers.sort_by(keys)


def stay_inputs(session: Session, *, chunk: int = CHUNK, person_id: int | None = None) -> StayInputs:
    """Everything the stay rules read, from the registry: persons, border events and covers
    (of everyone, or of one person: the same rules serve the lists and a person's page).

    - ``persons``: each person's nationality, from their first registered document;
    - ``events``: every border crossing, in UTC;
    - ``covers``: permits (all kinds: residence, work, study, long-stay visa) and
      approved e-visas (``kind = evisa``; an ETA is not a visa).  A revoked or
      annulled permit ends the day before ``revoked_on``, and is left out when
      that is before it started; refused, pending and revoked authorizations
      are left out.
    """
    doc = TravelDocument
    only = [] if person_id is None else [doc.person_id == person_id]
    first = select(func.min(doc.id)).where(*only).group_by(doc.person_id).scalar_subquery()
    persons = _stream(session, select(doc.person_id, doc.nationality).where(doc.id.in_(first)), PERSONS, chunk).sort_by(
        "person_id"
    )
    event_cols = (
        select(doc.person_id, BorderEvent.occurred_at, BorderEvent.direction)
        .join(doc, doc.id == BorderEvent.document_id)
        .where(*only)
    )
    events = _stream(session, event_cols, EVENTS, chunk).sort_by(
        [("person_id", "ascending"), ("occurred_at", "ascending"), ("direction", "ascending")]
    )
    permit_schema = pa.schema(
        [
            ("person_id", pa.int64()),
            ("valid_from", pa.date32()),
            ("valid_to", pa.date32()),
            ("status", pa.string()),
            ("revoked_on", pa.date32()),
        ]
    )
    permits = _stream(
        session,
        select(doc.person_id, Permit.valid_from, Permit.valid_to, Permit.status, Permit.revoked_on)
        .join(doc, doc.id == Permit.document_id)
        .where(*only),
        permit_schema,
        chunk,
    )
    visa_schema = pa.schema([("person_id", pa.int64()), ("valid_from", pa.date32()), ("valid_to", pa.date32())])
    visas = _stream(
        session,
        select(doc.person_id, Authorization.valid_from, Authorization.valid_to)
        .join(doc, doc.id == Authorization.document_id)
        .where(
            Authorization.kind == "evisa",
            Authorization.decision == "approved",
            Authorization.valid_from.is_not(None),
            Authorization.valid_to.is_not(None),
            *only,
        ),
        visa_schema,
        chunk,
    )
    return StayInputs(persons=persons, events=events, covers=_covers(permits, visas))


# --- one person's timeline ------------------------------------------------------------------------

EntryKind = Literal["authorization", "border_event", "registration", "permit"]


@dataclass(frozen=True, slots=True)
class PersonDocument:
    """A travel document of the person, as stored (personal data: for authorised pages only)."""

    id: int
    doc_type: str
    doc_country: str
    doc_number: str
    nationality: str
    surname: str
    given_names: str | None
    birth_date: dt.date | None
    sex: str | None
    doc_expiry: dt.date | None
    iin: str | None
    first_seen: dt.datetime


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One record on a person's timeline.

    ``on`` is the day it happened (a crossing's day in Kazakhstan time, an
    application's filing day, a registration's arrival day, a permit's first
    day of validity); ``at`` the exact UTC time where the feed gives one.
    ``data`` holds the record's columns (without the traveller's, which are on
    the document ``document_id``).
    """

    on: dt.date
    at: dt.datetime | None
    kind: EntryKind
    record_id: str
    document_id: int
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PersonTimeline:
    """Every document of a person and every record naming one of them, oldest first."""

    person_id: int
    documents: tuple[PersonDocument, ...]
    entries: tuple[TimelineEntry, ...]


_TIMELINE: tuple[tuple[EntryKind, FeedKind, str], ...] = (
    ("authorization", FeedKind.AUTHORIZATIONS, "applied_at"),
    ("border_event", FeedKind.BORDER_EVENTS, "occurred_at"),
    ("registration", FeedKind.REGISTRATIONS, "arrival_date"),
    ("permit", FeedKind.PERMITS, "valid_from"),
)


def _entries(session: Session, doc_ids: Sequence[int]) -> Iterator[TimelineEntry]:
    for entry_kind, feed, when in _TIMELINE:
        model = FEED_MODELS[feed]
        names = record_columns(feed)
        id_column = names[0]
        table = model.__table__
        rows = session.execute(select(table).where(table.c.document_id.in_(doc_ids))).mappings()
        for row in rows:
            data = {k: (_utc(row[k]) if isinstance(row[k], dt.datetime) else row[k]) for k in names}
            value = data[when]
            at = value if isinstance(value, dt.datetime) else None
            on = at.astimezone(KZ_TIME).date() if at is not None else value
            yield TimelineEntry(on, at, entry_kind, str(data[id_column]), int(row["document_id"]), data)


def person_timeline(session: Session, person_id: int) -> PersonTimeline | None:
    """One person's documents and records by day; None if there is no such person.

    Within a day: authorizations, crossings (by time), registrations, permits.
    """
    if session.get(RegistryPerson, person_id) is None:
        return None
    docs = session.execute(
        select(TravelDocument).where(TravelDocument.person_id == person_id).order_by(TravelDocument.id)
    )
    documents = tuple(
        PersonDocument(
            id=d.id,
            doc_type=d.doc_type,
            doc_country=d.doc_country,
            doc_number=d.doc_number,
            nationality=d.nationality,
            surname=d.surname,
            given_names=d.given_names,
            birth_date=d.birth_date,
            sex=d.sex,
            doc_expiry=d.doc_expiry,
            iin=d.iin,
            first_seen=_utc(d.created_at),
        )
        for d in docs.scalars()
    )
    order = {k: i for i, (k, _, _) in enumerate(_TIMELINE)}
    entries = sorted(
        _entries(session, [d.id for d in documents]),
        key=lambda e: (e.on, order[e.kind], e.at or dt.datetime.combine(e.on, dt.time(), KZ_TIME), e.record_id),
    )
    return PersonTimeline(person_id=person_id, documents=documents, entries=tuple(entries))


# The overstay tables refer to the ones above; registering them from here (rather than from models.py)
# lets any of models, registry and overstays be imported first.
import koshi.store.overstays  # noqa: E402, F401
