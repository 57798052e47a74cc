"""The audit chain: digests, hashing, and `verify` naming the first edited, deleted or reordered record."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import threading
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from koshi.cases import audit as chain
from koshi.cases.audit import GENESIS, AuditEntry, ChainReport, digest, link, verify_chain
from koshi.settings import settings
from koshi.store import audit
from koshi.store.db import make_engine, make_sessionmaker, transaction
from koshi.store.models import AuditHead, AuditRecord, Base

T0 = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
IIN = "791028302728"
PASSPORT = "N12345678"
CASE = "123e4567-e89b-12d3-a456-426614174000"


# --- fixtures and helpers ---------------------------------------------------------------------------


@pytest.fixture
def session_factory(db_url: str) -> Iterator[sessionmaker[Session]]:
    """An empty database (SQLite file, then PostgreSQL) with the chain's head row (the migration inserts it).

    Built with ``create_all``, not the migration, so that tests can tamper with the
    log: the migration adds triggers refusing UPDATE and DELETE on it.
    """
    engine = make_engine(db_url)
    Base.metadata.create_all(engine)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        session.add(AuditHead(id=1, seq=0, hash=GENESIS))
    yield factory
    engine.dispose()


def add(factory: sessionmaker[Session], n: int, *, start: int = 0) -> None:
    """Append ``n`` records, one transaction each, as the case service does."""
    for i in range(start, start + n):
        with transaction(factory) as session:
            audit.append(
                session,
                at=T0 + dt.timedelta(seconds=i),
                actor_id=i % 7 or None,
                actor_role="officer",
                action="case.read" if i % 2 else "case.edit",
                case_id=CASE,
                before={"status": "draft", "n": i},
                after={"status": "scored", "n": i},
                detail=f"step {i}",
            )


def sql(factory: sessionmaker[Session], statement: str, **params: Any) -> None:
    """Tamper with the database directly (plain SQL, valid on SQLite and PostgreSQL)."""
    with transaction(factory) as session:
        session.execute(text(statement), params)


def verify(factory: sessionmaker[Session], batch: int = 5000) -> ChainReport:
    with factory() as session:
        return audit.verify(session, batch=batch)


def rows(factory: sessionmaker[Session]) -> list[AuditRecord]:
    with factory() as session:
        return list(session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars())


@pytest.fixture
def fifty(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    add(session_factory, 50)
    return session_factory


# --- appending and verifying ------------------------------------------------------------------------


def test_fifty_appends_form_one_intact_chain(fifty: sessionmaker[Session]) -> None:
    assert verify(fifty) == ChainReport(ok=True, checked=50)
    assert verify(fifty, batch=7) == ChainReport(ok=True, checked=50)  # several fetch batches
    records = rows(fifty)
    assert [r.seq for r in records] == list(range(1, 51))
    assert records[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(records):
        assert after.prev_hash == before.hash
    for r in records:
        assert r.hash == link(r.prev_hash, r)
    with fifty() as session:
        head = session.get_one(AuditHead, 1)
        assert (head.seq, head.hash) == (50, records[-1].hash)


def test_empty_chain_is_intact(session_factory: sessionmaker[Session]) -> None:
    assert verify(session_factory) == ChainReport(ok=True, checked=0)


@pytest.mark.parametrize(
    ("column", "value"),
    [("action", "case.approve"), ("actor_id", 999), ("after_digest", "f" * 64), ("detail", None)],
)
def test_an_edited_record_is_named(fifty: sessionmaker[Session], column: str, value: Any) -> None:
    sql(fifty, f"UPDATE audit_log SET {column} = :v WHERE seq = 17", v=value)
    report = verify(fifty)
    assert not report.ok and report.first_bad_seq == 17 and report.checked == 16
    assert report.reason == "record 17 was edited (its hash does not match its content)"


def test_an_edited_time_is_named(fifty: sessionmaker[Session]) -> None:
    sql(fifty, "UPDATE audit_log SET at = :at WHERE seq = 3", at=T0 - dt.timedelta(days=1))
    assert verify(fifty).first_bad_seq == 3


def test_a_record_deleted_in_the_middle_is_named(fifty: sessionmaker[Session]) -> None:
    sql(fifty, "DELETE FROM audit_log WHERE seq IN (20, 21)")
    report = verify(fifty)
    assert not report.ok and report.first_bad_seq == 20 and report.checked == 19
    assert report.reason == "record 20 is missing (deleted) — found 22"


def test_the_first_record_deleted_is_named(fifty: sessionmaker[Session]) -> None:
    sql(fifty, "DELETE FROM audit_log WHERE seq = 1")
    assert verify(fifty).reason == "record 1 is missing (deleted) — found 2"


def test_records_deleted_from_the_end_are_caught_by_the_head(fifty: sessionmaker[Session]) -> None:
    sql(fifty, "DELETE FROM audit_log WHERE seq >= 48")
    report = verify(fifty)
    assert not report.ok and report.first_bad_seq == 48 and report.checked == 47
    assert report.reason == "the chain ends at 47 but the head says 50 (records deleted from the end)"


def test_swapped_contents_are_named_at_the_first(fifty: sessionmaker[Session]) -> None:
    """Records 10 and 30 exchange everything but their seq (a reordering that keeps seqs dense)."""
    columns = [c.name for c in AuditRecord.__table__.columns if c.name not in ("seq", "hash")]
    by_seq = {r.seq: r for r in rows(fifty)}
    # hash is unique: move one row's hash out of the way first.
    sql(fifty, "UPDATE audit_log SET hash = :h WHERE seq = 10", h="x" * 64)
    for seq, other in ((30, 10), (10, 30)):
        values = {c: getattr(by_seq[other], c) for c in [*columns, "hash"]}
        assignments = ", ".join(f"{c} = :{c}" for c in values)
        sql(fifty, f"UPDATE audit_log SET {assignments} WHERE seq = :seq", seq=seq, **values)
    report = verify(fifty)
    assert not report.ok and report.first_bad_seq == 10
    assert report.reason is not None and report.reason.startswith("record 10 does not follow record 9 (prev_hash")


def test_swapped_seqs_are_named_at_the_first(fifty: sessionmaker[Session]) -> None:
    sql(fifty, "UPDATE audit_log SET seq = -1 WHERE seq = 12")
    sql(fifty, "UPDATE audit_log SET seq = 12 WHERE seq = 13")
    sql(fifty, "UPDATE audit_log SET seq = 13 WHERE seq = -1")
    report = verify(fifty)
    assert not report.ok and report.first_bad_seq == 12 and report.checked == 11


def test_a_forged_record_with_a_recomputed_hash_breaks_the_next_link(fifty: sessionmaker[Session]) -> None:
    """The forger rewrites record 25 and its own hash, but cannot touch record 26 without rewriting everything."""
    original = rows(fifty)[24]
    forged = replace(_entry(original), action="case.approve")
    sql(
        fifty,
        "UPDATE audit_log SET action = :a, hash = :h WHERE seq = 25",
        a=forged.action,
        h=link(original.prev_hash, forged),
    )
    report = verify(fifty)
    assert not report.ok and report.first_bad_seq == 26 and report.checked == 25
    assert report.reason is not None and "record 25 was rewritten with a recomputed hash" in report.reason


def test_a_forged_last_record_is_caught_by_the_head(fifty: sessionmaker[Session]) -> None:
    forged = replace(_entry(rows(fifty)[-1]), detail="nothing happened")
    last_prev = rows(fifty)[-1].prev_hash
    sql(fifty, "UPDATE audit_log SET detail = :d, hash = :h WHERE seq = 50", d=forged.detail, h=link(last_prev, forged))
    report = verify(fifty)
    assert not report.ok and report.first_bad_seq == 50 and report.checked == 50
    assert report.reason is not None and report.reason.startswith("record 50's hash differs from the head's")


def test_a_record_written_around_the_head_is_named(fifty: sessionmaker[Session]) -> None:
    last = rows(fifty)[-1]
    stray = AuditEntry(51, T0, 1, "officer", "case.read", CASE, None, None, None)
    sql(
        fifty,
        "INSERT INTO audit_log (seq, at, actor_id, actor_role, action, prev_hash, hash) "
        "VALUES (:seq, :at, :actor_id, :role, :action, :prev, :hash)",
        seq=51,
        at=T0,
        actor_id=1,
        role="officer",
        action="case.read",
        prev=last.hash,
        hash=link(last.hash, stray),
    )
    report = verify(fifty)
    assert not report.ok and report.first_bad_seq == 51 and report.checked == 50
    assert report.reason == "record 51 lies past the head (50): it was written around the chain"


def test_a_missing_head_is_reported(fifty: sessionmaker[Session]) -> None:
    sql(fifty, "DELETE FROM audit_head")
    assert verify(fifty) == ChainReport(ok=False, checked=0, reason="audit head missing: run `koshi db upgrade`")
    with transaction(fifty) as session, pytest.raises(RuntimeError, match="koshi db upgrade"):
        audit.append(session, at=T0, actor_id=1, actor_role="officer", action="case.read")


def test_concurrent_appends_keep_one_gapless_chain(session_factory: sessionmaker[Session]) -> None:
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            add(session_factory, 25, start=k * 25)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [r.seq for r in rows(session_factory)] == list(range(1, 101))
    assert verify(session_factory) == ChainReport(ok=True, checked=100)


def test_one_session_over_many_transactions_sees_the_moving_head(session_factory: sessionmaker[Session]) -> None:
    """A session keeps objects across commits (``expire_on_commit=False``): the head must be re-read."""
    with session_factory() as session:
        for i in range(3):
            with session.begin():
                audit.append(session, at=T0, actor_id=i, actor_role="officer", action="case.read")
        add(session_factory, 2)  # another session moves the head meanwhile
        with session.begin():
            assert audit.append(session, at=T0, actor_id=9, actor_role="officer", action="case.read").seq == 6
    assert verify(session_factory) == ChainReport(ok=True, checked=6)


def test_verify_reads_the_database_not_the_sessions_objects(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        with session.begin():
            kept = [
                audit.append(session, at=T0, actor_id=i, actor_role="officer", action="case.read") for i in range(3)
            ]
        sql(session_factory, "UPDATE audit_log SET action = 'case.approve' WHERE seq = 2")
        assert audit.verify(session).first_bad_seq == 2
        assert kept[1].action == "case.approve"  # refreshed from the database


def test_a_rolled_back_append_leaves_no_trace(session_factory: sessionmaker[Session]) -> None:
    add(session_factory, 2)
    with pytest.raises(LookupError), transaction(session_factory) as session:
        audit.append(session, at=T0, actor_id=1, actor_role="officer", action="case.edit")
        raise LookupError("the request failed after auditing")
    add(session_factory, 1, start=2)
    assert [r.seq for r in rows(session_factory)] == [1, 2, 3]
    assert verify(session_factory).ok


def test_times_are_stored_in_utc_and_naive_times_refused(session_factory: sessionmaker[Session]) -> None:
    almaty = dt.timezone(dt.timedelta(hours=5))
    with transaction(session_factory) as session:
        audit.append(
            session,
            at=dt.datetime(2026, 3, 1, 14, 30, 0, 123456, tzinfo=almaty),
            actor_id=1,
            actor_role="officer",
            action="case.read",
        )
    (record,) = rows(session_factory)
    assert utc(record.at) == dt.datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=dt.UTC)
    assert verify(session_factory).ok
    with transaction(session_factory) as session, pytest.raises(ValueError, match="timezone-aware"):
        audit.append(session, at=dt.datetime(2026, 3, 1), actor_id=1, actor_role="officer", action="case.read")


def test_the_log_holds_digests_and_no_identifiers(session_factory: sessionmaker[Session]) -> None:
    state = {"id": CASE, "applicant_iin": IIN, "profile": {"passport": PASSPORT, "name": "Айгерим"}}
    with transaction(session_factory) as session:
        record = audit.append(
            session,
            at=T0,
            actor_id=1,
            actor_role="officer",
            action="case.edit",
            case_id=CASE,
            before=None,
            after=state,
            detail=f"corrected IIN {IIN} and passport {PASSPORT}",
        )
    key = settings().signing_key().encode()
    assert record.before_digest is None and record.after_digest == digest(state, key)
    assert record.after_digest != digest(state)  # keyed: the IIN cannot be found by trying candidates
    with session_factory() as session:
        stored = " ".join(str(v) for row in session.execute(text("SELECT * FROM audit_log")) for v in row)
    assert CASE in stored and "Айгерим" not in stored
    assert IIN not in stored and PASSPORT not in stored
    assert record.detail == "corrected IIN [IIN] and passport [PASSPORT]"
    assert verify(session_factory).ok  # the hash covers the redacted detail


# --- pure chain checks (no database) ----------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """A record as the store keeps it: the entry plus its link."""

    seq: int
    at: dt.datetime
    actor_id: int | None
    actor_role: str
    action: str
    case_id: str | None
    before_digest: str | None
    after_digest: str | None
    detail: str | None
    prev_hash: str
    hash: str


def utc(at: dt.datetime) -> dt.datetime:
    """A stored time as aware UTC (SQLite returns it naive, PostgreSQL in the session's zone)."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def _entry(r: Any) -> AuditEntry:
    values = {f.name: getattr(r, f.name) for f in fields(AuditEntry)}
    return AuditEntry(**{**values, "at": utc(r.at)})


def build(n: int) -> list[Stored]:
    out: list[Stored] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        e = AuditEntry(seq, T0 + dt.timedelta(minutes=seq), seq, "officer", "case.read", CASE, None, None, None)
        h = link(prev, e)
        out.append(Stored(**{f.name: getattr(e, f.name) for f in fields(e)}, prev_hash=prev, hash=h))
        prev = h
    return out


def head(records: list[Stored]) -> tuple[int, str]:
    return (records[-1].seq, records[-1].hash) if records else (0, GENESIS)


def test_pure_intact_chain_and_empty_chain() -> None:
    records = build(10)
    assert verify_chain(records, head(records)) == ChainReport(ok=True, checked=10)
    assert verify_chain(iter(records), None) == ChainReport(ok=True, checked=10)  # any iterable, no head check
    assert verify_chain([], (0, GENESIS)) == ChainReport(ok=True, checked=0)


def test_pure_edit_delete_reorder_and_truncation() -> None:
    records = build(10)
    h = head(records)
    edited = [*records[:4], replace(records[4], actor_role="supervisor"), *records[5:]]
    assert verify_chain(edited, h).first_bad_seq == 5
    deleted = records[:3] + records[4:]
    assert verify_chain(deleted, h).reason == "record 4 is missing (deleted) — found 5"
    reordered = [*records[:2], replace(records[5], seq=3), *records[3:5], replace(records[2], seq=6), *records[6:]]
    assert verify_chain(reordered, h).first_bad_seq == 3
    assert (
        verify_chain(records[:8], h).reason == "the chain ends at 8 but the head says 10 (records deleted from the end)"
    )
    assert verify_chain(records, (9, records[8].hash)).reason == (
        "the chain ends at 10 but the head says 9 (records added past the head)"
    )
    assert verify_chain([], (3, "a" * 64)).first_bad_seq == 1


def test_pure_genesis_and_head_tampering() -> None:
    records = build(3)
    bad_start = [replace(records[0], prev_hash="1" * 64), *records[1:]]
    report = verify_chain(bad_start, head(records))
    assert report.first_bad_seq == 1 and report.reason is not None and "genesis" in report.reason
    assert verify_chain(records, (3, "b" * 64)).first_bad_seq == 3
    altered_head = verify_chain([], (0, "b" * 64))
    assert not altered_head.ok and altered_head.first_bad_seq is None


def test_pure_verify_streams() -> None:
    """Records come from a generator and are not kept: memory stays flat however long the chain."""
    n = 20_000

    def gen() -> Iterator[Stored]:
        prev = GENESIS
        for seq in range(1, n + 1):
            e = AuditEntry(seq, T0, None, "system", "case.read", None, None, None, None)
            h = link(prev, e)
            yield Stored(**{f.name: getattr(e, f.name) for f in fields(e)}, prev_hash=prev, hash=h)
            prev = h

    tracemalloc.start()
    try:
        assert verify_chain(gen(), None) == ChainReport(ok=True, checked=n)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # kept in a list, the 20,000 records take ~6.5 MB


def test_canonical_and_link() -> None:
    e = AuditEntry(
        7,
        dt.datetime(2026, 3, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=5))),
        None,
        "applicant",
        "case.read",
        CASE,
        None,
        "ab" * 32,
        "Ақмола",
    )
    assert (
        chain.canonical(e)
        == (
            f'[7,"2026-03-01T09:30:00.000000+00:00",null,"applicant","case.read","{CASE}",null,"{"ab" * 32}","Ақмола"]'
        ).encode()
    )
    naive = replace(e, at=dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC))
    assert link(GENESIS, e) == link(GENESIS, naive)  # the same instant
    assert link(GENESIS, e) != link("1" * 64, e) != link(GENESIS, replace(e, seq=8))
    with pytest.raises(ValueError, match="timezone-aware"):
        AuditEntry(1, dt.datetime(2026, 3, 1), None, "applicant", "case.read", None, None, None, None)


def test_genesis_is_what_the_migration_writes() -> None:
    import importlib.util
    from importlib import resources

    path = resources.files("koshi.store") / "migrations" / "versions" / "0001_initial_schema.py"
    spec = importlib.util.spec_from_file_location("migration_0001", str(path))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.GENESIS == GENESIS


# --- digests ----------------------------------------------------------------------------------------

scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
states = st.dictionaries(st.text(max_size=8), json_values, min_size=1, max_size=8)


def _same(a: Any, b: Any) -> bool:
    """Equal as the digest sees values: numbers by value, booleans apart from numbers, containers deeply."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@given(states, st.randoms())
def test_digest_ignores_key_order(state: dict[str, Any], rnd: Any) -> None:
    keys = list(state)
    rnd.shuffle(keys)
    assert digest({k: state[k] for k in keys}) == digest(state)


@given(states, st.data())
def test_digest_changes_with_any_value(state: dict[str, Any], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(state)))
    new = data.draw(json_values)
    assume(not _same(state[key], new))
    assert digest({**state, key: new}) != digest(state)


def test_digest_spells_values_one_way() -> None:
    assert digest({"a": 1}) == digest({"a": 1.0}) == digest({"a": Decimal("1.00")})
    assert digest({"a": 0.1}) == digest({"a": Decimal("0.10")}) != digest({"a": 0.2})
    assert digest({"a": True}) != digest({"a": 1})
    assert digest({"d": dt.date(2026, 3, 1)}) == digest({"d": "2026-03-01"})
    almaty = dt.timezone(dt.timedelta(hours=5))
    assert digest({"t": dt.datetime(2026, 3, 1, 14, tzinfo=almaty)}) == digest({"t": "2026-03-01T09:00:00+00:00"})
    assert digest({"s": "Қазақстан"}) == hashlib.sha256('{"s":"Қазақстан"}'.encode()).hexdigest()
    assert digest({}) is not None and digest(None) is None
    with pytest.raises(ValueError, match="non-finite"):
        digest({"a": float("nan")})
    with pytest.raises(TypeError):
        digest({"a": object()})
    with pytest.raises(TypeError, match="non-string key"):
        digest({"a": {1: "x"}})
