"""Import a feed batch: validate, find or create documents, write the records, report, audit — one transaction.

Semantics (``docs/registry.md`` explains them for senders):

- **Transactional.**  Everything a batch writes happens in the caller's
  transaction (:func:`koshi.store.db.transaction`): the good rows are all
  written or, if anything fails, nothing is.  Bad rows never fail the batch:
  they are reported (row, field, reason) and the good ones kept.
- **Idempotent by batch.**  A batch is named by its ``batch_key`` (per feed)
  and identified by the SHA-256 of its content.  The same key with the same
  content replays the stored report and writes nothing (``replayed``); the
  same key with other content is refused (:class:`BatchConflict`).
- **Idempotent by record.**  A record id already stored with the same content
  counts as *unchanged*; with other content the record is *updated* to the new
  one (the sending system corrected it: a decision changed, a permit was
  revoked).  Last write wins, in import order; the report counts updates.
- **Documents and persons** are found by (issuing state, number) or created,
  one new person per new document.  Identity fields empty on a stored
  document are filled from the batch; filled ones are never overwritten.
- **Identities per feed.**  The first time a feed names a document, the
  identity it states (names, birth date, sex, nationality, IIN) is kept as a
  ``document_identities`` row, never overwritten: record linkage
  (:mod:`koshi.store.linkage`) compares these, so another system's spelling
  is not lost behind the document's.
- **Audit.**  One ``feeds.import`` record per batch, with the feed, the batch
  id and the counts: no personal data.  A replay writes nothing, audit included.

Writes go through SQLAlchemy Core in chunks (executemany / insertmanyvalues),
never one ORM object per row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from psycopg import sql as psql
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    String,
    Table,
    any_,
    bindparam,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, defer

from koshi.registry.feeds import FeedError, RowError, check_columns, rows_table, validate
from koshi.registry.schema import RECORD_ID, FeedKind
from koshi.store import audit, idempotency
from koshi.store.linkage import IDENTITY_COLUMNS, DocumentIdentity
from koshi.store.models import Base, Timestamp
from koshi.store.registry import (
    FEED_MODELS,
    TRAVELLER_COLUMNS,
    FeedBatch,
    TravelDocument,
    record_columns,
)

CHUNK = 5_000
"""Rows per executemany or UPDATE statement."""
LOOKUP = 50_000
"""Values per lookup (one array or JSON parameter)."""
MAX_KEY = 200
"""The longest batch key (the column's width)."""
FILLABLE = ("given_names", "birth_date", "sex", "doc_expiry", "iin")
"""Optional identity fields a later record may fill on a stored document."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who imports: a user (API) or the system (``koshi feeds import``, ``id`` None)."""

    id: int | None
    role: str


SYSTEM = Actor(None, "system")
"""The command line's actor: whoever runs it has the database itself, not an account."""


class BatchConflict(Exception):
    """The batch key was used before, for this feed, with different content (HTTP 409, exit 2)."""


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What became of a batch: counts, every rejected value, and whether this was a replay."""

    batch_id: int
    kind: str
    batch_key: str
    source: str
    received_at: dt.datetime
    total: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    errors: tuple[RowError, ...] = field(default=())
    replayed: bool = False

    @property
    def accepted(self) -> int:
        """Records written: new ones and updates."""
        return self.inserted + self.updated

    def as_dict(self, *, with_errors: bool = True) -> dict[str, Any]:
        """JSON-able report (the API's body, ``koshi feeds import --json``)."""
        doc: dict[str, Any] = {
            "batch_id": self.batch_id,
            "kind": self.kind,
            "batch_key": self.batch_key,
            "source": self.source,
            "received_at": self.received_at.isoformat(),
            "replayed": self.replayed,
            "total": self.total,
            "accepted": self.accepted,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }
        if with_errors:
            doc["errors"] = [e.as_dict() for e in self.errors]
        return doc


def report_of(batch: FeedBatch, *, replayed: bool = False, with_errors: bool = True) -> ImportReport:
    """The stored report of ``batch`` (``with_errors=False`` leaves the error list unread and empty)."""
    return ImportReport(
        batch_id=batch.id,
        kind=batch.kind,
        batch_key=batch.batch_key,
        source=batch.source,
        received_at=batch.received_at.replace(tzinfo=dt.UTC)
        if batch.received_at.tzinfo is None
        else batch.received_at.astimezone(dt.UTC),
        total=batch.rows_total,
        inserted=batch.rows_accepted - batch.rows_updated,
        updated=batch.rows_updated,
        unchanged=batch.rows_unchanged,
        rejected=batch.rows_rejected,
        errors=tuple(RowError(int(e["row"]), str(e["field"]), str(e["reason"])) for e in batch.errors)
        if with_errors
        else (),
        replayed=replayed,
    )


def _column_text(col: pa.ChunkedArray) -> pa.Array:
    arr = col.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.string())
    try:
        return pc.cast(arr, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([None if v is None else json.dumps(v, default=str) for v in arr.to_pylist()], pa.string())


def content_digest(kind: FeedKind | str, table: pa.Table) -> str:
    """SHA-256 of a batch's content: its feed, column names, and every value as text (nulls apart).

    Computed on whole columns (lengths, null bitmap and one joined string each),
    so hashing a 50,000-row batch costs milliseconds.

    >>> t = pa.table({"a": ["x", None]})
    >>> content_digest("permits", t) == content_digest("permits", pa.table({"a": ["x", None]}))
    True
    >>> content_digest("permits", t) == content_digest("permits", pa.table({"a": ["x", ""]}))
    False
    """
    h = hashlib.sha256(f"{FeedKind(kind).value}\x1e{table.num_rows}".encode())
    for name in sorted(table.column_names):
        text = _column_text(table.column(name))
        h.update(b"\x1e" + name.encode() + b"\x1f")
        h.update(np.asarray(pc.is_null(text).to_numpy(zero_copy_only=False), dtype=bool).tobytes())
        filled = pc.fill_null(text, "")
        h.update(np.asarray(pc.binary_length(filled).to_numpy(zero_copy_only=False), dtype=np.int64).tobytes())
        joined = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(filled)], pa.int32()), filled), "")
        h.update((joined[0].as_py() or "").encode())
    return h.hexdigest()


def _row_digests(table: pa.Table) -> list[str]:
    """Each normalised row's digest: its values as text, joined (nulls apart), hashed.

    The table is the validated one, with fixed types, so a record re-sent through
    another channel (a file, then the API) has the same digest.
    """
    if table.num_rows == 0:
        return []
    texts = [pc.cast(col, pa.string()) for col in table.columns]
    joined = pc.binary_join_element_wise(*texts, "\x1f", null_handling="replace", null_replacement="\x00")
    return [hashlib.blake2b(s.encode(), digest_size=16).hexdigest() for s in joined.to_pylist()]


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- bulk statements: one parameter per lookup, COPY or executemany per insert -----------------------


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _postgres(session: Session) -> bool:
    return session.connection().dialect.name == "postgresql"


def _one_of(
    session: Session, column: ColumnElement[Any], values: Sequence[Any], item: type[String] | type[Integer] = String
) -> ColumnElement[bool]:
    """``column IN values`` with one bound parameter: an array on PostgreSQL, a JSON list on SQLite.

    Thousands of parameters (or a statement text as long) cost more to send and
    parse than the lookup itself.  ``item`` is the values' type (text or integers).
    """
    if _postgres(session):
        return column == any_(bindparam("values", list(values), type_=ARRAY(item)))
    each = func.json_each(bindparam("values", json.dumps(list(values)))).table_valued("value")
    return column.in_(select(each.c.value))


def _insert_rows(
    session: Session, table: Table, names: Sequence[str], rows: Sequence[tuple[Any, ...]], *, ready: bool = False
) -> None:
    """Insert ``rows`` (tuples in ``names`` order): COPY on PostgreSQL, the driver's executemany on SQLite.

    Both bypass SQLAlchemy's per-row parameter handling, which costs more than the
    database's work.  Python values go through the column types' own bind
    processors; ``ready`` rows hold dates and times already as the database's
    text (:func:`_db_text`).
    """
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        assert raw is not None
        statement = psql.SQL("COPY {} ({}) FROM STDIN").format(
            psql.Identifier(table.name), psql.SQL(", ").join(psql.Identifier(n) for n in names)
        )
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    dialect = connection.dialect
    processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    if not ready and any(p is not None for p in processors):
        columns_ = [list(c) for c in zip(*rows, strict=True)]
        for i, proc in enumerate(processors):
            if proc is not None:
                columns_[i] = [None if v is None else proc(v) for v in columns_[i]]
        rows = list(zip(*columns_, strict=True))
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    for part in _chunks(rows):
        connection.exec_driver_sql(sql, list(part))


def _db_text(column: pa.ChunkedArray, postgres: bool) -> list[Any]:
    """A normalised column as values to insert; dates and times as text, which is much cheaper than
    Python objects: ``YYYY-MM-DD`` and ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC (SQLAlchemy's SQLite
    format; PostgreSQL's COPY gets the offset ``+00:00`` spelled out)."""
    if pa.types.is_timestamp(column.type):
        return list(pc.strftime(column, "%Y-%m-%d %H:%M:%S" + ("+00:00" if postgres else "")).to_pylist())
    if pa.types.is_date(column.type):
        return list(pc.cast(column, pa.string()).to_pylist())
    return list(column.to_pylist())


def _new_persons(session: Session, n: int, now: dt.datetime) -> list[int]:
    """``n`` new person ids in one statement (persons are blank rows: any id suits any document)."""
    series = text(
        "WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series WHERE n < :count) "
        "INSERT INTO registry_persons (created_at) SELECT :now FROM series RETURNING id"
    ).bindparams(bindparam("count", n, type_=Integer), bindparam("now", now, type_=Timestamp))
    return sorted(session.execute(series).scalars())


# --- documents and persons -----------------------------------------------------------------------------


def _first_values(keys: Sequence[tuple[str, str]], good: pa.Table) -> dict[tuple[str, str], dict[str, Any]]:
    """Each document's identity in the batch: its first row, and the first non-empty value of each fillable field.

    Only those rows become Python objects: a batch names each document many times.
    """
    first: dict[tuple[str, str], int] = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    rows = good.select(list(TRAVELLER_COLUMNS)).take(pa.array(list(first.values()), pa.int64())).to_pylist()
    identity = dict(zip(first, rows, strict=True))
    for c in FILLABLE:
        need = {k for k, fields in identity.items() if fields[c] is None}
        if not need:
            continue
        present = np.flatnonzero(np.asarray(pc.is_valid(good.column(c)).to_numpy(zero_copy_only=False), dtype=bool))
        values = good.column(c).take(pa.array(present, pa.int64())).to_pylist()
        for row, v in zip(present.tolist(), values, strict=True):
            k = keys[row]
            if k in need:
                identity[k][c] = v
                need.discard(k)
                if not need:
                    break
    return identity


def _stored_documents(
    session: Session, identity: Mapping[tuple[str, str], Mapping[str, Any]]
) -> tuple[dict[tuple[str, str], int], list[dict[str, Any]]]:
    """Ids of the batch's documents already stored, and the fills their empty identity fields get."""
    docs = _table(TravelDocument.__tablename__)
    ids: dict[tuple[str, str], int] = {}
    fills: list[dict[str, Any]] = []
    numbers = sorted({n for _, n in identity})
    for part in _chunks(numbers, LOOKUP):
        found = session.execute(
            select(docs.c.id, docs.c.doc_country, docs.c.doc_number, *(docs.c[c] for c in FILLABLE)).where(
                _one_of(session, docs.c.doc_number, part)
            )
        )
        for doc_id, country, number, *have in found:
            new = identity.get((country, number))
            if new is None:
                continue  # the same number from another issuing state
            ids[(country, number)] = doc_id
            if None in have and any(h is None and new[c] is not None for h, c in zip(have, FILLABLE, strict=True)):
                fills.append({"_id": doc_id, **{f"_{c}": new[c] for c in FILLABLE}})
    return ids, fills


@dataclass(frozen=True, slots=True)
class _Documents:
    """The batch's documents: each key's id, the keys created by this batch, and each key's identity in it."""

    ids: dict[tuple[str, str], int]
    created: frozenset[tuple[str, str]]
    identity: dict[tuple[str, str], dict[str, Any]]


def _documents(session: Session, keys: Sequence[tuple[str, str]], good: pa.Table, now: dt.datetime) -> _Documents:
    """The document id of every (issuing state, number): found (empty fields filled) or created with a person."""
    identity = _first_values(keys, good)
    ids, fills = _stored_documents(session, identity)
    docs = _table(TravelDocument.__tablename__)
    if fills:
        stmt = (
            update(docs)
            .where(docs.c.id == bindparam("_id"))
            .values({c: func.coalesce(docs.c[c], bindparam(f"_{c}", type_=docs.c[c].type)) for c in FILLABLE})
        )
        for part in _chunks(fills):
            session.execute(stmt, list(part))
    missing = [k for k in identity if k not in ids]
    if missing:
        names = [*TRAVELLER_COLUMNS, "person_id", "created_at"]
        persons = _new_persons(session, len(missing), now)
        rows = [(*(identity[k][c] for c in TRAVELLER_COLUMNS), p, now) for k, p in zip(missing, persons, strict=True)]
        _insert_rows(session, docs, names, rows)
        created, _ = _stored_documents(session, {k: identity[k] for k in missing})
        ids.update(created)
    return _Documents(ids, frozenset(missing), identity)


def _identities(session: Session, feed: FeedKind, docs: _Documents, batch_id: int, now: dt.datetime) -> None:
    """Keep each document's identity as this feed first sends it (one row per document and feed, never
    overwritten): what record linkage compares.

    A document this batch created holds exactly that identity already, so its row is copied from it
    inside the database; the others are looked up, and those without one for this feed get the batch's.
    """
    table = _table(DocumentIdentity.__tablename__)
    names = ["document_id", "feed", *IDENTITY_COLUMNS, "batch_id", "created_at"]
    documents = _table(TravelDocument.__tablename__)
    copied = select(
        documents.c.id,
        literal(feed.value, String),
        *(documents.c[c] for c in IDENTITY_COLUMNS),
        literal(batch_id, Integer),
        literal(now, Timestamp),
    )
    created = sorted(docs.ids[k] for k in docs.created)
    for part in _chunks(created, LOOKUP):
        session.execute(insert(table).from_select(names, copied.where(_one_of(session, documents.c.id, part, Integer))))
    known: set[int] = set()
    stored = sorted(docs.ids[k] for k in docs.identity if k not in docs.created)
    for part in _chunks(stored, LOOKUP):
        known.update(
            session.execute(
                select(table.c.document_id).where(
                    table.c.feed == feed.value, _one_of(session, table.c.document_id, part, Integer)
                )
            ).scalars()
        )
    rows = [
        (docs.ids[k], feed.value, *(fields[c] for c in IDENTITY_COLUMNS), batch_id, now)
        for k, fields in docs.identity.items()
        if k not in docs.created and docs.ids[k] not in known
    ]
    _insert_rows(session, table, names, rows)


def _check_key(batch_key: str) -> None:
    if not batch_key or not batch_key.strip():
        raise FeedError("batch_key must not be empty")
    if len(batch_key) > MAX_KEY:
        raise FeedError(f"batch_key is longer than {MAX_KEY} characters")


def import_batch(
    session: Session,
    kind: FeedKind | str,
    rows: pa.Table | Sequence[Mapping[str, Any]],
    batch_key: str,
    actor: Actor,
    now: dt.datetime,
    source: str,
    *,
    offset: int = 0,
) -> ImportReport:
    """Import one batch in the caller's transaction and return its report (see the module's semantics).

    ``offset`` is added to row numbers (a file imported in slices reports rows
    as numbered in the file).  Raises :class:`~koshi.registry.feeds.FeedError`
    for a batch-level problem and :class:`BatchConflict` for a reused key;
    nothing is written in either case.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(dt.UTC)
    _check_key(batch_key)
    table = rows if isinstance(rows, pa.Table) else rows_table(rows)
    feed = check_columns(kind, table.column_names)
    digest = content_digest(feed, table)
    checked = validate(feed, table, today=now.date(), offset=offset)

    idempotency.lock(session)  # one writer at a time from here: documents and keys are looked up, then written
    stored = session.execute(
        select(FeedBatch).where(FeedBatch.kind == feed.value, FeedBatch.batch_key == batch_key)
    ).scalar_one_or_none()
    if stored is not None:
        if stored.digest != digest:
            raise BatchConflict(
                f"batch key {batch_key!r} was already used for a different {feed.value} batch "
                f"(batch {stored.id}); send new content under a new key"
            )
        return report_of(stored, replayed=True)

    good = checked.table
    keys = list(zip(good.column("doc_country").to_pylist(), good.column("doc_number").to_pylist(), strict=True))
    docs = _documents(session, keys, good, now) if keys else _Documents({}, frozenset(), {})
    document = [docs.ids[k] for k in keys]
    digests = _row_digests(good)
    names = record_columns(feed)
    id_name = RECORD_ID[feed]
    record_ids = good.column(id_name).to_pylist()
    table_ = _table(FEED_MODELS[feed].__tablename__)
    existing: dict[str, tuple[int, str]] = {}
    for part in _chunks(record_ids, LOOKUP):
        found = session.execute(
            select(table_.c[id_name], table_.c.id, table_.c.row_digest).where(_one_of(session, table_.c[id_name], part))
        )
        existing.update((record, (row_id, digest)) for record, row_id, digest in found)
    new: list[int] = []
    changed: list[tuple[int, int]] = []
    unchanged = 0
    for i, record in enumerate(record_ids):
        hit = existing.get(record)
        if hit is None:
            new.append(i)
        elif hit[1] == digests[i]:
            unchanged += 1
        else:
            changed.append((i, hit[0]))

    batch = FeedBatch(
        kind=feed.value,
        batch_key=batch_key,
        digest=digest,
        source=source[:200],
        received_at=now,
        received_by=actor.id,
        rows_total=checked.total,
        rows_accepted=len(new) + len(changed),
        rows_updated=len(changed),
        rows_unchanged=unchanged,
        rows_rejected=checked.rejected,
        errors=[e.as_dict() for e in checked.errors],
    )
    session.add(batch)
    session.flush()
    _identities(session, feed, docs, batch.id, now)
    written = [*names, "document_id", "row_digest"]
    if new:
        chosen = pa.array(new, pa.int64())
        postgres = _postgres(session)
        values = [_db_text(good.column(c).take(chosen), postgres) for c in names]
        values += [[document[i] for i in new], [digests[i] for i in new], [batch.id] * len(new)]
        _insert_rows(session, table_, [*written, "batch_id"], list(zip(*values, strict=True)), ready=True)
    if changed:
        corrected = good.take(pa.array([i for i, _ in changed], pa.int64())).to_pylist()
        stmt = (
            update(table_)
            .where(table_.c.id == bindparam("_id"))
            .values({c: bindparam(f"_{c}", type_=table_.c[c].type) for c in [*written, "batch_id"]})
        )
        params = [
            {
                "_id": row_id,
                "_batch_id": batch.id,
                "_document_id": document[i],
                "_row_digest": digests[i],
                **{f"_{c}": row[c] for c in names},
            }
            for (i, row_id), row in zip(changed, corrected, strict=True)
        ]
        for part in _chunks(params):
            session.execute(stmt, list(part))
    report = report_of(batch)
    audit.append(
        session,
        at=now,
        actor_id=actor.id,
        actor_role=actor.role,
        action="feeds.import",
        detail=json.dumps(
            {
                "kind": feed.value,
                "batch": batch.id,
                "total": report.total,
                "inserted": report.inserted,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "rejected": report.rejected,
            },
            sort_keys=True,
        ),
    )
    return report


def list_batches(
    session: Session, *, kind: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[ImportReport], int]:
    """Stored batches, newest first, without their errors; and how many there are in all."""
    query = select(FeedBatch).options(defer(FeedBatch.errors))
    count = select(func.count()).select_from(FeedBatch)
    if kind is not None:
        query = query.where(FeedBatch.kind == kind)
        count = count.where(FeedBatch.kind == kind)
    batches = session.execute(query.order_by(FeedBatch.id.desc()).limit(limit).offset(offset)).scalars()
    reports = [report_of(b, with_errors=False) for b in batches]
    return reports, int(session.execute(count).scalar_one())


def get_batch(session: Session, batch_id: int) -> ImportReport | None:
    """One stored batch's report with its errors; None if there is no such batch."""
    batch = session.get(FeedBatch, batch_id)
    return None if batch is None else report_of(batch)
