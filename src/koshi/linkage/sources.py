"""Linkage records from files: a directory of registry feeds, or a table of records.

From feeds, a record is one travel document as one feed first states it (the row
order of the file): the same unit the registry links (``document_identities``),
so that accuracy measured on files is accuracy of what runs on the registry. Each
feed is validated as on import; bad rows are reported and left out, never fatal.
When the directory holds ``truth/records.parquet`` (written by ``koshi synth
feeds``), every record gets its true ``person_id`` for evaluation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from koshi.linkage.records import RECORD, LinkInputError
from koshi.registry import feeds
from koshi.registry.schema import RECORD_ID, FeedKind
from koshi.tabular import TableFileError, file_format, read_table

FEED_ORDER = (FeedKind.BORDER_EVENTS, FeedKind.PERMITS, FeedKind.REGISTRATIONS, FeedKind.AUTHORIZATIONS)
IDENTITY = ("doc_type", "nationality", "surname", "given_names", "birth_date", "sex", "iin")


@dataclass(frozen=True, slots=True)
class Loaded:
    """Records ready for :func:`koshi.linkage.run.link`, and the feed rows that were refused."""

    records: pa.Table
    errors: dict[str, tuple[feeds.RowError, ...]]
    files: tuple[Path, ...]

    @property
    def has_truth(self) -> bool:
        return "person_id" in self.records.column_names


def _feed_file(directory: Path, kind: FeedKind) -> Path | None:
    for ext in ("parquet", "csv", "jsonl"):
        path = directory / f"{kind.value}.{ext}"
        if path.exists():
            return path
    return None


def _identities(kind: FeedKind, table: pa.Table) -> pa.Table:
    """The first row of each document in ``table`` (file order), as linkage records."""
    idx = pa.array(range(table.num_rows), pa.int64())
    first = (
        table.select(["doc_country", "doc_number"])
        .append_column("_row", idx)
        .group_by(["doc_country", "doc_number"], use_threads=False)
        .aggregate([("_row", "min")])
    )
    rows = pc.sort_indices(first["_row_min"])
    picked = table.take(pc.take(first["_row_min"], rows))
    record_id = pc.binary_join_element_wise(kind.value, picked[RECORD_ID[kind]], ":")
    cols: dict[str, pa.Array | pa.ChunkedArray] = {
        "record_id": record_id,
        "source": pa.array([kind.value] * picked.num_rows, pa.string()),
        "doc_country": picked["doc_country"],
        "doc_number": picked["doc_number"],
        **{c: picked[c] for c in IDENTITY},
    }
    cols["feed_record_id"] = picked[RECORD_ID[kind]]
    out = pa.table(cols)
    schema = pa.schema([*RECORD, pa.field("feed_record_id", pa.string())])
    return out.select(schema.names).cast(schema)


def from_feeds(directory: Path, *, today: dt.date | None = None) -> Loaded:
    """Linkage records from the feed files in ``directory`` (``<feed>.parquet|csv|jsonl``).

    Raises:
        LinkInputError: no feed file in the directory, or a file that cannot be read as its feed.
    """
    if not directory.is_dir():
        raise LinkInputError(f"{directory} is not a directory of feed files")
    parts: list[pa.Table] = []
    errors: dict[str, tuple[feeds.RowError, ...]] = {}
    files: list[Path] = []
    for kind in FEED_ORDER:
        path = _feed_file(directory, kind)
        if path is None:
            continue
        try:
            checked = feeds.validate(kind, read_table(path), today=today)
        except (TableFileError, feeds.FeedError) as exc:
            raise LinkInputError(f"{path}: {exc}") from exc
        files.append(path)
        errors[kind.value] = checked.errors
        if checked.table.num_rows:
            parts.append(_identities(kind, checked.table))
    if not files:
        names = ", ".join(f"{k.value}.parquet" for k in FEED_ORDER)
        raise LinkInputError(f"{directory} holds no feed file (looked for {names}, or .csv / .jsonl)")
    if not parts:
        raise LinkInputError(f"no valid rows in the feed files of {directory}")
    records = pa.concat_tables(parts)
    truth_path = directory / "truth" / "records.parquet"
    if truth_path.exists():
        records = _with_truth(records, pq.read_table(truth_path, columns=["feed", "record_id", "person_id"]))
    return Loaded(records.drop_columns(["feed_record_id"]), errors, tuple(files))


def _with_truth(records: pa.Table, truth: pa.Table) -> pa.Table:
    """``records`` with the true ``person_id`` of the feed row each came from."""
    key = pc.binary_join_element_wise(pc.cast(truth["feed"], pa.string()), truth["record_id"], ":")
    lookup = pa.table({"record_id": key, "person_id": truth["person_id"]})
    joined = records.join(lookup, "record_id", join_type="left outer", use_threads=False)
    order = pc.sort_indices(pc.index_in(joined["record_id"], value_set=records["record_id"]))
    return joined.take(order)


def from_file(path: Path) -> Loaded:
    """Linkage records from one table file with the :data:`RECORD` columns (and ``person_id``, if known).

    Raises:
        LinkInputError: the file cannot be read.
    """
    try:
        file_format(path)
        table = read_table(path)
    except (TableFileError, OSError) as exc:
        raise LinkInputError(f"{path}: {exc}") from exc
    return Loaded(table, {}, (path,))


def load(path: Path, *, today: dt.date | None = None) -> Loaded:
    """:func:`from_feeds` for a directory, :func:`from_file` for a file."""
    return from_feeds(path, today=today) if path.is_dir() else from_file(path)
