"""Document identities written at import: what each feed first said about a document, for record linkage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from koshi.store import migrate, registry_import
from koshi.store.db import make_engine, make_sessionmaker, transaction
from koshi.store.linkage import DocumentIdentity
from koshi.store.registry import TravelDocument
from tests.registry_data import crossing, identity, load, registration

d = dt.date
NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def identities(engine: Engine) -> list[dict[str, Any]]:
    with make_sessionmaker(engine)() as session:
        rows = session.execute(
            select(DocumentIdentity, TravelDocument.doc_number)
            .join(TravelDocument, TravelDocument.id == DocumentIdentity.document_id)
            .order_by(DocumentIdentity.id)
        )
        return [
            {
                "number": number,
                "feed": i.feed,
                "surname": i.surname,
                "given_names": i.given_names,
                "birth_date": i.birth_date,
                "sex": i.sex,
                "batch_id": i.batch_id,
                "linked_run_id": i.linked_run_id,
            }
            for i, number in rows
        ]


def batch(engine: Engine, kind: str, rows: list[dict[str, Any]], key: str) -> registry_import.ImportReport:
    with transaction(make_sessionmaker(engine)) as session:
        return registry_import.import_batch(session, kind, rows, key, registry_import.SYSTEM, NOW, "test")


ICAO = identity("751234567", "RUS", "ZHUKOVSKAIA", "IULIIA", "1987-06-23", "F")
OLD_SPELLING = {**ICAO, "surname": "ZHUKOVSKAYA", "given_names": "YULIYA", "sex": None}
OTHER = identity("FA1234567", "UZB", "TOSHMATOV", "BEKZOD", "1993-02-17")


def test_the_first_spelling_per_feed_is_kept_and_replays_write_nothing(engine: Engine) -> None:
    rows = [crossing(ICAO, d(2026, 1, 5), "entry"), crossing(OLD_SPELLING, d(2026, 1, 20), "exit")]
    rows.append(crossing(OTHER, d(2026, 1, 6), "entry"))
    first = batch(engine, "border_events", rows, "be-1")
    assert first.inserted == 3
    stored = identities(engine)
    assert [(i["number"], i["feed"], i["surname"], i["given_names"], i["sex"]) for i in stored] == [
        ("751234567", "border_events", "ZHUKOVSKAIA", "IULIIA", "F"),
        ("FA1234567", "border_events", "TOSHMATOV", "BEKZOD", "M"),
    ]
    assert {i["batch_id"] for i in stored} == {first.batch_id}
    assert all(i["linked_run_id"] is None for i in stored)  # not linked yet

    assert batch(engine, "border_events", rows, "be-1").replayed  # a retry: nothing written
    unchanged = batch(engine, "border_events", rows, "be-1-again")  # the same records under another key
    assert unchanged.unchanged == 3 and unchanged.inserted == 0
    later = batch(engine, "border_events", [crossing(OLD_SPELLING, d(2026, 2, 1), "entry")], "be-2")
    assert later.inserted == 1
    assert identities(engine) == stored  # a later spelling in the same feed never replaces the first


def test_a_second_feed_for_the_same_document_adds_its_own_identity(engine: Engine) -> None:
    load(engine, "border_events", [crossing(ICAO, d(2026, 1, 5), "entry")])
    hotel = registration({**OLD_SPELLING, "birth_date": None}, d(2026, 1, 5))
    report = batch(engine, "registrations", [hotel, registration(OTHER, d(2026, 1, 6))], "reg-1")
    assert report.inserted == 2
    stored = identities(engine)
    assert sorted((i["number"], i["feed"], i["surname"], i["birth_date"]) for i in stored) == [
        ("751234567", "border_events", "ZHUKOVSKAIA", d(1987, 6, 23)),
        ("751234567", "registrations", "ZHUKOVSKAYA", None),  # as the host typed it, missing date and all
        ("FA1234567", "registrations", "TOSHMATOV", d(1993, 2, 17)),
    ]
    with make_sessionmaker(engine)() as session:
        document = session.scalars(select(TravelDocument).where(TravelDocument.doc_number == "751234567")).one()
    assert (document.surname, document.given_names) == ("ZHUKOVSKAIA", "IULIIA")  # the document's own identity


def test_rejected_rows_leave_no_identity(engine: Engine) -> None:
    bad = crossing({**OTHER, "birth_date": "1993-02-30"}, d(2026, 1, 6), "entry")
    report = load(engine, "border_events", [bad])
    assert report.rejected == 1
    assert identities(engine) == []


@pytest.fixture
def at_0004(db_url: str) -> Iterator[Engine]:
    """A database migrated to 0004 (before identities existed)."""
    eng = make_engine(db_url)
    migrate.upgrade(eng, "0004")
    yield eng
    eng.dispose()


def test_the_migration_backfills_one_identity_per_document_and_feed(at_0004: Engine) -> None:
    stamp = "2026-01-05 10:00:00"
    statements = [
        f"INSERT INTO registry_persons (id, created_at) VALUES (1, '{stamp}'), (2, '{stamp}')",
        "INSERT INTO travel_documents (id, person_id, doc_type, doc_country, doc_number, nationality, surname, "
        f"given_names, birth_date, sex, created_at) VALUES (1, 1, 'P', 'RUS', '751234567', 'RUS', 'ZHUKOVSKAIA', "
        f"'IULIIA', '1987-06-23', 'F', '{stamp}'), (2, 2, 'P', 'UZB', 'FA1234567', 'UZB', 'TOSHMATOV', NULL, NULL, "
        f"NULL, '{stamp}')",
        "INSERT INTO feed_batches (id, kind, batch_key, digest, source, received_at, rows_total, rows_accepted, "
        "rows_updated, rows_unchanged, rows_rejected, errors) VALUES "
        f"(1, 'border_events', 'a', 'x', 't', '{stamp}', 3, 3, 0, 0, 0, '[]'), "
        f"(2, 'registrations', 'b', 'y', 't', '{stamp}', 1, 1, 0, 0, 0, '[]')",
        "INSERT INTO border_events (event_id, document_id, batch_id, row_digest, crossing_point, direction, "
        f"occurred_at) VALUES ('E1', 1, 1, 'd', 'ALA', 'entry', '{stamp}'), ('E2', 1, 1, 'd', 'ALA', 'exit', "
        f"'{stamp}'), ('E3', 2, 1, 'd', 'ALA', 'entry', '{stamp}')",
        "INSERT INTO registrations (registration_id, document_id, batch_id, row_digest, host_kind, host_id, address, "
        "region_kato, arrival_date, registered_on, channel) VALUES ('R1', 1, 2, 'd', 'legal_entity', "
        "'090741568999', 'Almaty', '750000000', '2026-01-05', '2026-01-05', 'e_qonaq')",
    ]
    with at_0004.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
        if at_0004.dialect.name == "postgresql":  # the rows above chose their ids: move the sequences past them
            for table in ("registry_persons", "travel_documents", "feed_batches"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)"))
    migrate.upgrade(at_0004)
    stored = identities(at_0004)
    assert [(i["number"], i["feed"], i["surname"], i["given_names"], i["batch_id"]) for i in stored] == [
        ("751234567", "border_events", "ZHUKOVSKAIA", "IULIIA", 1),
        ("751234567", "registrations", "ZHUKOVSKAIA", "IULIIA", 2),
        ("FA1234567", "border_events", "TOSHMATOV", None, 1),
    ]
    with make_sessionmaker(at_0004)() as session:
        assert session.scalar(select(func.count()).select_from(DocumentIdentity)) == 3
    # imports after the upgrade go on from there: a known document in a known feed adds nothing
    report = batch(at_0004, "border_events", [crossing(OTHER, d(2026, 2, 1), "entry")], "after")
    assert report.inserted == 1 and len(identities(at_0004)) == 3
