"""The records that record linkage compares, and the comparison features derived from them.

A linkage record is one travel document as one source stated it: the registry
keeps, per (document, feed), the identity the feed first sent (names, birth date,
sex, nationality, IIN). Two records of the same document belong to the same person
by construction; everything else is for the model to decide.

:func:`check_records` turns any table with the :data:`RECORD` columns into the
canonical one or says precisely what is wrong (which row, which field, why; never
the value). :func:`features` adds what the comparisons read: names folded by
:func:`koshi.documents.translit.match_key` so that Cyrillic, ICAO, 1997-passport,
BGN and GOST spellings meet, the name tokens in order for swapped names, the birth
date as text for edit distances. Names are folded once per distinct value, so a
million records with a few thousand distinct names cost a few thousand calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from koshi.documents.translit import match_key

RECORD = pa.schema(
    [
        pa.field("record_id", pa.string(), nullable=False),  # unique among all records of a run
        pa.field("source", pa.string(), nullable=False),  # the feed or system that stated it
        pa.field("doc_type", pa.string()),
        pa.field("doc_country", pa.string()),
        pa.field("doc_number", pa.string()),
        pa.field("nationality", pa.string()),
        pa.field("surname", pa.string()),
        pa.field("given_names", pa.string()),
        pa.field("birth_date", pa.date32()),
        pa.field("sex", pa.string()),
        pa.field("iin", pa.string()),
    ]
)
"""What one linkage record holds. Optional extra columns are kept (e.g. ``person_id`` for evaluation)."""

REQUIRED = ("record_id", "source")
"""Columns that may not be null; a record also needs a surname or a document number to be comparable."""


@dataclass(frozen=True, slots=True)
class RecordError:
    """One bad record: 1-based row, field, reason (the value is never repeated)."""

    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.reason}"


class LinkInputError(ValueError):
    """The records cannot be linked as given; ``errors`` says where (at most :data:`MAX_ERRORS`)."""

    def __init__(self, message: str, errors: tuple[RecordError, ...] = ()) -> None:
        super().__init__(message + ("" if not errors else ": " + "; ".join(str(e) for e in errors[:5])))
        self.errors = errors


MAX_ERRORS = 100


def _rows(mask: pa.Array | pa.ChunkedArray) -> list[int]:
    """1-based rows where ``mask`` is true (at most :data:`MAX_ERRORS`)."""
    idx = pc.indices_nonzero(pc.fill_null(mask, False))
    return [int(i) + 1 for i in idx.slice(0, MAX_ERRORS).to_pylist()]


def check_records(table: pa.Table) -> pa.Table:
    """``table`` with the :data:`RECORD` columns cast to their types, in order, extra columns after.

    Raises:
        LinkInputError: no records, a missing column, a value of the wrong type,
            a null id or source, duplicate ids, or a record with neither a
            surname nor a document number.
    """
    missing = [f.name for f in RECORD if f.name not in table.column_names]
    if missing:
        raise LinkInputError(f"missing column(s): {', '.join(missing)}")
    if table.num_rows == 0:
        raise LinkInputError("no records to link")
    columns: dict[str, pa.ChunkedArray] = {}
    for f in RECORD:
        col = table.column(f.name)
        if col.type != f.type:
            try:
                col = col.cast(f.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                what = "a date (YYYY-MM-DD)" if f.type == pa.date32() else str(f.type)
                bad = _bad_cast_rows(table.column(f.name), f.type)
                raise LinkInputError(
                    f"column {f.name} must hold {what}",
                    tuple(RecordError(r, f.name, f"not {what}") for r in bad),
                ) from exc
        columns[f.name] = col
    errors: list[RecordError] = []
    for name in REQUIRED:
        errors += [RecordError(r, name, "missing") for r in _rows(pc.is_null(columns[name]))]
        errors += [RecordError(r, name, "empty") for r in _rows(pc.equal(pc.utf8_length(columns[name]), 0))]
    nameless = pc.and_(pc.is_null(columns["surname"]), pc.is_null(columns["doc_number"]))
    errors += [RecordError(r, "surname", "neither a surname nor a document number") for r in _rows(nameless)]
    if errors:
        raise LinkInputError(f"{len(errors)} bad record(s)", tuple(errors[:MAX_ERRORS]))
    counts = pc.value_counts(columns["record_id"])
    dup = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    if len(dup):
        rows = _rows(pc.is_in(columns["record_id"], value_set=dup))
        raise LinkInputError(
            f"{len(dup)} record id(s) used more than once",
            tuple(RecordError(r, "record_id", "used by another record too") for r in rows),
        )
    extra = {c: table.column(c) for c in table.column_names if c not in columns}
    return pa.table({**columns, **extra})


def _bad_cast_rows(col: pa.ChunkedArray, to: pa.DataType) -> list[int]:
    """Rows whose value does not cast to ``to`` (slow path, only when a cast failed)."""
    rows: list[int] = []
    for i, value in enumerate(col.to_pylist()):
        if value is None:
            continue
        try:
            pa.array([value]).cast(to)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            rows.append(i + 1)
            if len(rows) >= MAX_ERRORS:
                break
    return rows


def _fold(col: pa.ChunkedArray) -> pa.Array:
    """``match_key`` of every value, computed once per distinct value (empty keys become null)."""
    enc = pc.dictionary_encode(col.combine_chunks())
    keys = [match_key(v) if v is not None else None for v in enc.dictionary.to_pylist()]
    vocab = pa.array([k or None for k in keys], pa.string())
    return pc.take(vocab, enc.indices)


def _tokens(surname_key: pa.Array, given_key: pa.Array) -> tuple[pa.Array, pa.Array]:
    """All name words in sorted order (swapped or re-ordered names compare equal), as a list and joined.

    Computed once per distinct (surname, given names) pair.
    """
    both = pc.binary_join_element_wise(pc.fill_null(surname_key, ""), pc.fill_null(given_key, ""), "|")
    enc = pc.dictionary_encode(both)
    lists: list[list[str] | None] = []
    for value in enc.dictionary.to_pylist():
        words = sorted(value.replace("|", " ").split())
        lists.append(words or None)
    vocab = pa.array(lists, pa.list_(pa.string()))
    joined = pa.array([" ".join(w) if w else None for w in lists], pa.string())
    return pc.take(vocab, enc.indices), pc.take(joined, enc.indices)


FEATURES = (
    "unique_id",
    "surname_key",
    "given_key",
    "name_tokens",
    "name_sorted",
    "dob",
    "birth_year",
    "doc_key",
)
"""Columns :func:`features` adds (``unique_id`` is the row number Splink identifies records by)."""


def features(records: pa.Table) -> pa.Table:
    """The checked records plus the comparison features (see :data:`FEATURES`)."""
    surname_key = _fold(records.column("surname"))
    given_key = _fold(records.column("given_names"))
    tokens, joined = _tokens(surname_key, given_key)
    birth = records.column("birth_date").combine_chunks()
    dob = pc.strftime(birth.cast(pa.timestamp("s")), format="%Y-%m-%d")
    number = pc.utf8_upper(pc.replace_substring_regex(records.column("doc_number"), r"[\s\-<]", ""))
    doc_key = pc.binary_join_element_wise(records.column("doc_country"), number, ":")
    added = {
        "unique_id": pa.array(range(records.num_rows), pa.int64()),
        "surname_key": surname_key,
        "given_key": given_key,
        "name_tokens": tokens,
        "name_sorted": joined,
        "dob": dob,
        "birth_year": pc.year(birth),
        "doc_key": doc_key,
    }
    table = records
    for name, values in added.items():
        table = table.append_column(name, values)
    return table
