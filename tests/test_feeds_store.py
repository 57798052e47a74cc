"""Feed import on SQLite and PostgreSQL: transactions, idempotent replays, updates, documents, exports, timeline."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from koshi.registry import inputs
from koshi.registry.feeds import FeedError
from koshi.store import registry_import
from koshi.store.db import make_sessionmaker, transaction
from koshi.store.models import AuditRecord, Base
from koshi.store.registry import (
    Authorization,
    BorderEvent,
    FeedBatch,
    Permit,
    Registration,
    RegistryPerson,
    TravelDocument,
    person_timeline,
    record_columns,
    stay_inputs,
)
from koshi.store.registry_import import (
    SYSTEM,
    Actor,
    BatchConflict,
    ImportReport,
    get_batch,
    import_batch,
    list_batches,
)
from tests.test_feeds import IIN, sample

NOW = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
TABLES = (RegistryPerson, TravelDocument, FeedBatch, Authorization, BorderEvent, Registration, Permit, AuditRecord)


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def load(
    sessions: sessionmaker[Session],
    kind: str,
    rows: list[dict[str, Any]] | pa.Table,
    key: str = "batch-1",
    actor: Actor = SYSTEM,
    **kwargs: Any,
) -> ImportReport:
    with transaction(sessions) as session:
        return import_batch(session, kind, rows, key, actor, NOW, "test", **kwargs)


def counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return {
            str(m.__tablename__): int(session.execute(select(func.count()).select_from(m)).scalar_one()) for m in TABLES
        }


def event(n: int, **changes: Any) -> dict[str, Any]:
    return sample("border_events", event_id=f"BE-{n}", **changes)


# --- the model ----------------------------------------------------------------------------------------


def test_every_feed_column_has_a_home() -> None:
    """Traveller columns on the document, the others on the feed's table: nothing a feed sends is dropped."""
    doc_columns = set(Base.metadata.tables["travel_documents"].c.keys())
    for model, kind in (
        (Authorization, "authorizations"),
        (BorderEvent, "border_events"),
        (Registration, "registrations"),
        (Permit, "permits"),
    ):
        stored = set(Base.metadata.tables[model.__tablename__].c.keys())
        assert set(record_columns(kind)) | {"id", "document_id", "batch_id", "row_digest"} == stored
        assert set(sample(kind)) - set(record_columns(kind)) <= doc_columns


# --- a first import ----------------------------------------------------------------------------------


def test_a_batch_writes_its_good_rows_and_reports_the_bad(sessions: sessionmaker[Session]) -> None:
    rows = [event(1), event(2, direction="exit", occurred_at="2026-03-10T18:00:00Z"), event(3, direction="up")]
    report = load(sessions, "border_events", rows, actor=Actor(None, "system"))
    assert (report.total, report.inserted, report.updated, report.unchanged, report.rejected) == (3, 2, 0, 0, 1)
    assert report.accepted == 2
    assert [e.as_dict() for e in report.errors] == [
        {"row": 3, "field": "direction", "reason": "is not one of entry, exit"}
    ]
    assert not report.replayed
    assert counts(sessions) == {
        "registry_persons": 1,
        "travel_documents": 1,
        "feed_batches": 1,
        "authorizations": 0,
        "border_events": 2,
        "registrations": 0,
        "permits": 0,
        "audit_log": 1,
    }
    with sessions() as session:
        stored = session.execute(select(BorderEvent).order_by(BorderEvent.event_id)).scalars().all()
        assert [e.event_id for e in stored] == ["BE-1", "BE-2"]
        at = stored[0].occurred_at
        assert (at.replace(tzinfo=None) if at.tzinfo is None else at.astimezone(dt.UTC).replace(tzinfo=None)) == (
            dt.datetime(2026, 3, 1, 5, 15)
        )
        assert {e.batch_id for e in stored} == {report.batch_id}
        batch = session.get(FeedBatch, report.batch_id)
        assert batch is not None
        assert (batch.kind, batch.batch_key, batch.source, batch.received_by) == (
            "border_events",
            "batch-1",
            "test",
            None,
        )
        assert batch.errors == [{"row": 3, "field": "direction", "reason": "is not one of entry, exit"}]
        audit = session.execute(select(AuditRecord)).scalar_one()
    assert (audit.action, audit.actor_id, audit.actor_role) == ("feeds.import", None, "system")
    detail = json.loads(audit.detail or "")
    assert detail == {
        "batch": report.batch_id,
        "inserted": 2,
        "kind": "border_events",
        "rejected": 1,
        "total": 3,
        "unchanged": 0,
        "updated": 0,
    }


def test_documents_and_persons_are_found_or_created_by_issuing_state_and_number(
    sessions: sessionmaker[Session],
) -> None:
    load(sessions, "border_events", [event(1), event(2, doc_country="KAZ", nationality="KAZ")])
    load(sessions, "permits", [sample("permits")], key="permits-1")
    with sessions() as session:
        docs = session.execute(select(TravelDocument).order_by(TravelDocument.id)).scalars().all()
        assert [(d.doc_country, d.doc_number) for d in docs] == [("RUS", "AB1234567"), ("KAZ", "AB1234567")]
        assert len({d.person_id for d in docs}) == 2
        permit = session.execute(select(Permit)).scalar_one()
        assert permit.document_id == docs[0].id


def test_empty_identity_fields_are_filled_and_filled_ones_kept(sessions: sessionmaker[Session]) -> None:
    load(sessions, "border_events", [event(1, given_names=None, iin=None, sex=None)])
    load(
        sessions,
        "border_events",
        [
            event(2, given_names=None, iin=IIN, surname="IVANOFF"),  # a later spelling never replaces the first
            event(3, given_names="IVAN", sex="M"),
        ],
        key="batch-2",
    )
    with sessions() as session:
        doc = session.execute(select(TravelDocument)).scalar_one()
    assert (doc.surname, doc.given_names, doc.iin, doc.sex) == ("IVANOV", "IVAN", IIN, "M")


def test_rows_are_numbered_in_the_file_when_an_offset_is_given(sessions: sessionmaker[Session]) -> None:
    report = load(sessions, "border_events", [event(1), event(2, sex="?")], offset=50_000)
    assert [(e.row, e.field) for e in report.errors] == [(50_002, "sex")]


def test_small_chunks_give_the_same_result(sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_import, "CHUNK", 2)
    monkeypatch.setattr(registry_import, "LOOKUP", 3)
    rows = [event(i, doc_number=f"N{i % 4}") for i in range(11)]
    assert load(sessions, "border_events", rows).inserted == 11
    report = load(sessions, "border_events", [*rows, event(11, doc_number="N0")], key="batch-2")
    assert (report.inserted, report.unchanged) == (1, 11)
    assert counts(sessions)["travel_documents"] == 4


# --- transactions -------------------------------------------------------------------------------------


def test_a_failure_mid_batch_writes_nothing(sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit chain unavailable")

    before = counts(sessions)
    monkeypatch.setattr(registry_import.audit, "append", broken)  # fails after every row was written
    with pytest.raises(RuntimeError, match="audit chain unavailable"):
        load(sessions, "border_events", [event(1), event(2)])
    assert counts(sessions) == before
    monkeypatch.undo()
    assert load(sessions, "border_events", [event(1), event(2)]).inserted == 2  # the same key is still free


def test_a_batch_level_problem_writes_nothing(sessions: sessionmaker[Session]) -> None:
    row = event(1)
    del row["surname"]
    with pytest.raises(FeedError, match="missing required column"):
        load(sessions, "border_events", [row])
    with pytest.raises(FeedError, match="unknown feed"):
        load(sessions, "visas", [row])
    with pytest.raises(FeedError, match="batch_key must not be empty"):
        load(sessions, "border_events", [event(1)], key=" ")
    with pytest.raises(FeedError, match="batch_key is longer than 200"):
        load(sessions, "border_events", [event(1)], key="k" * 201)
    assert set(counts(sessions).values()) == {0}


# --- idempotency and updates -------------------------------------------------------------------------


def test_replaying_a_batch_changes_nothing_and_returns_the_stored_report(sessions: sessionmaker[Session]) -> None:
    rows = [event(1), event(2, sex="?")]
    first = load(sessions, "border_events", rows)
    before = counts(sessions)
    again = load(sessions, "border_events", rows)
    assert again.replayed
    assert (again.batch_id, again.inserted, again.rejected, again.errors) == (first.batch_id, 1, 1, first.errors)
    assert counts(sessions) == before  # no audit record either
    as_table = load(sessions, "border_events", pa.Table.from_pylist(rows))  # the same content from a file
    assert as_table.replayed


def test_the_same_key_with_other_content_is_refused(sessions: sessionmaker[Session]) -> None:
    load(sessions, "border_events", [event(1)])
    before = counts(sessions)
    with pytest.raises(BatchConflict, match="batch key 'batch-1' was already used for a different border_events"):
        load(sessions, "border_events", [event(1, direction="exit")])
    assert counts(sessions) == before
    assert load(sessions, "permits", [sample("permits")]).inserted == 1  # keys are per feed


def test_a_record_sent_again_is_unchanged_or_an_update(sessions: sessionmaker[Session]) -> None:
    valid = sample("permits", permit_id="WP-1")
    other = sample("permits", permit_id="WP-2", kind="temporary_residence")
    first = load(sessions, "permits", [valid, other])
    revoked = {**valid, "status": "revoked", "revoked_on": "2026-06-01"}
    report = load(sessions, "permits", [revoked, other], key="batch-2")
    assert (report.inserted, report.updated, report.unchanged, report.accepted) == (0, 1, 1, 1)
    with sessions() as session:
        permits = {p.permit_id: p for p in session.execute(select(Permit)).scalars()}
    assert (permits["WP-1"].status, permits["WP-1"].revoked_on) == ("revoked", dt.date(2026, 6, 1))
    assert permits["WP-1"].batch_id == report.batch_id
    assert permits["WP-2"].batch_id == first.batch_id
    assert counts(sessions)["permits"] == 2
    back = load(sessions, "permits", [valid], key="batch-3")  # last write wins, in import order
    assert back.updated == 1
    with sessions() as session:
        assert session.execute(select(Permit.status).where(Permit.permit_id == "WP-1")).scalar_one() == "valid"


def test_a_correction_may_move_a_record_to_another_document(sessions: sessionmaker[Session]) -> None:
    load(sessions, "border_events", [event(1)])
    report = load(sessions, "border_events", [event(1, doc_number="AB7654321")], key="batch-2")
    assert report.updated == 1
    with sessions() as session:
        doc = session.execute(
            select(TravelDocument).join(BorderEvent, BorderEvent.document_id == TravelDocument.id)
        ).scalar_one()
    assert doc.doc_number == "AB7654321"


# --- listing -----------------------------------------------------------------------------------------


def test_batches_are_listed_newest_first(sessions: sessionmaker[Session]) -> None:
    a = load(sessions, "border_events", [event(1), event(2, sex="?")])
    b = load(sessions, "permits", [sample("permits")])
    with sessions() as session:
        everything, total = list_batches(session)
        permits_only, n = list_batches(session, kind="permits")
        one = get_batch(session, a.batch_id)
        assert get_batch(session, 999) is None
    assert [r.batch_id for r in everything] == [b.batch_id, a.batch_id]
    assert total == 2
    assert everything[1].errors == ()  # listings leave the errors out
    assert ([r.batch_id for r in permits_only], n) == ([b.batch_id], 1)
    assert one is not None
    assert one.errors == a.errors
    assert one.received_at == NOW


# --- stay inputs ----------------------------------------------------------------------------------------


def test_stay_inputs_export_persons_events_and_covers(sessions: sessionmaker[Session]) -> None:
    rus, kaz = {}, {"doc_country": "CHN", "doc_number": "E1234567", "nationality": "CHN", "birth_date": None}
    load(
        sessions,
        "border_events",
        [
            event(1, **rus, occurred_at="2026-03-01T01:00:00+05:00"),
            event(2, **rus, direction="exit", occurred_at="2026-03-20T12:00:00Z"),
            event(3, **kaz, occurred_at="2026-04-01T08:00:00+08:00"),
        ],
    )
    permits = [
        sample("permits", permit_id="P-VALID", kind="permanent_residence", valid_to=None),
        sample("permits", permit_id="P-REVOKED", status="revoked", revoked_on="2026-06-01"),
        sample("permits", permit_id="P-EARLY", status="annulled", valid_from="2026-07-01", revoked_on="2026-07-01"),
        sample("permits", permit_id="P-LATE", status="revoked", valid_to="2026-03-31", revoked_on="2026-06-01"),
    ]
    load(sessions, "permits", permits, key="p")
    auth = {**kaz, "application_id": "A-1"}
    authorizations = [
        sample("authorizations", **auth),
        sample("authorizations", **{**auth, "application_id": "A-ETA"}, kind="eta"),
        sample("authorizations", **{**auth, "application_id": "A-REFUSED"}, decision="refused"),
        sample("authorizations", **{**auth, "application_id": "A-REVOKED"}, decision="revoked"),
        sample(
            "authorizations",
            **{**auth, "application_id": "A-PENDING"},
            decision="pending",
            decided_at=None,
            valid_from=None,
            valid_to=None,
        ),
    ]
    assert load(sessions, "authorizations", authorizations, key="a").inserted == 5
    with sessions() as session:
        exported = stay_inputs(session, chunk=2)
    assert exported.persons.schema == inputs.PERSONS
    assert exported.events.schema == inputs.EVENTS
    assert exported.covers.schema == inputs.COVERS
    assert exported.persons.to_pylist() == [
        {"person_id": 1, "nationality": "RUS"},
        {"person_id": 2, "nationality": "CHN"},
    ]
    utc = dt.UTC
    assert [
        (e["person_id"], e["occurred_at"].astimezone(utc), e["direction"]) for e in exported.events.to_pylist()
    ] == [
        (1, dt.datetime(2026, 2, 28, 20, 0, tzinfo=utc), "entry"),
        (1, dt.datetime(2026, 3, 20, 12, 0, tzinfo=utc), "exit"),
        (2, dt.datetime(2026, 4, 1, 0, 0, tzinfo=utc), "entry"),
    ]
    d = dt.date
    assert exported.covers.to_pylist() == [
        {"person_id": 1, "kind": "permit", "valid_from": d(2026, 1, 15), "valid_to": d(2026, 3, 31)},
        {"person_id": 1, "kind": "permit", "valid_from": d(2026, 1, 15), "valid_to": d(2026, 5, 31)},
        {"person_id": 1, "kind": "permit", "valid_from": d(2026, 1, 15), "valid_to": None},
        {"person_id": 2, "kind": "visa", "valid_from": d(2026, 3, 1), "valid_to": d(2026, 5, 30)},
    ]


def test_stay_inputs_of_an_empty_registry(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        exported = stay_inputs(session)
    assert (exported.persons.num_rows, exported.events.num_rows, exported.covers.num_rows) == (0, 0, 0)
    assert exported.covers.schema == inputs.COVERS


# --- timeline -----------------------------------------------------------------------------------------


def test_a_persons_timeline_lists_every_record_by_day(sessions: sessionmaker[Session]) -> None:
    load(
        sessions,
        "border_events",
        [
            event(1, occurred_at="2026-02-28T20:30:00Z"),  # 1 March in Kazakhstan
            event(2, direction="exit", occurred_at="2026-03-20T12:00:00+05:00"),
            event(3, doc_number="OTHER1", surname="PETROV"),  # another person
        ],
    )
    load(sessions, "registrations", [sample("registrations")], key="r")
    load(sessions, "permits", [sample("permits")], key="p")
    load(sessions, "authorizations", [sample("authorizations")], key="a")
    with sessions() as session:
        timeline = person_timeline(session, 1)
        assert person_timeline(session, 99) is None
    assert timeline is not None
    assert [(d.doc_country, d.doc_number, d.surname) for d in timeline.documents] == [("RUS", "AB1234567", "IVANOV")]
    assert [(e.on.isoformat(), e.kind, e.record_id) for e in timeline.entries] == [
        ("2026-01-15", "permit", "WP-2026-000001"),
        ("2026-02-01", "authorization", "QZ-2026-000001"),
        ("2026-03-01", "border_event", "BE-1"),
        ("2026-03-01", "registration", "REG-2026-000001"),
        ("2026-03-20", "border_event", "BE-2"),
    ]
    crossing = timeline.entries[2]
    assert crossing.at == dt.datetime(2026, 2, 28, 20, 30, tzinfo=dt.UTC)
    assert crossing.data["crossing_point"] == "ALA-AIR"
    assert crossing.data["occurred_at"] == crossing.at
    assert timeline.entries[0].at is None
    assert timeline.entries[0].data["status"] == "valid"
