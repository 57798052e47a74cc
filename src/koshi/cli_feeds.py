"""``koshi feeds``: import registry feeds (QazETA authorizations, border events, registrations, permits).

``koshi feeds import KIND FILE`` reads a CSV, JSON lines or Parquet file in
slices of ``--batch-size`` rows (never the whole file in memory) and imports each
slice as one batch in its own transaction (:mod:`koshi.store.registry_import`).
A file's batches are keyed ``<key>:<n>`` (just ``<key>`` when it fits in one),
where the key is ``--batch-key`` or the SHA-256 of the file: importing the same
file again is a no-op, and after a failure a rerun skips the batches already in.

The command acts as the **system** (audit actor role ``system``, no user id):
whoever runs it holds the database itself, so there is no account to name.

Exit codes: 0 every row accepted (or unchanged), 1 some rows rejected (they are
listed with row, field and reason; ``--errors`` writes all of them as CSV), 2 bad
input: an unknown feed, an unreadable file, a missing column, a reused batch key.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import typer
from rich.table import Table

from koshi.cli_io import fail, out, progress_bar
from koshi.registry.feeds import FeedError, RowError, check_columns, feed_kind, rows_table
from koshi.registry.schema import FeedKind
from koshi.settings import settings
from koshi.tabular import TableFileError, file_format

app = typer.Typer(help="Registry feeds: import batches, list batches.", no_args_is_help=True)


BATCH_ROWS = 50_000
SHOWN_ERRORS = 10
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


# --- reading a file in slices --------------------------------------------------------------------


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _safe(exc: Exception) -> str:
    """A reader's error without the text of the offending row (which may hold names and numbers)."""
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    match = re.match(r"([^:]*:[^:]*)", message)
    return match.group(1) if match else message


def _record_batches(path: Path, fmt: str, size: int) -> Iterator[pa.Table]:
    """The file as tables of at most ``size`` rows; CSV and JSON lines as text, Parquet as typed."""
    if fmt == "parquet":
        parquet = pq.ParquetFile(path)
        yield parquet.schema_arrow.empty_table()  # the header, even for a file without rows
        for batch in parquet.iter_batches(batch_size=size):
            yield pa.Table.from_batches([batch])
    elif fmt == "csv":
        names = pacsv.open_csv(path).schema.names
        options = pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=True, null_values=[""]
        )
        reader = pacsv.open_csv(path, convert_options=options)
        yield reader.schema.empty_table()
        for batch in reader:
            yield pa.Table.from_batches([batch])
    else:
        rows: list[dict[str, Any]] = []
        yielded = False
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise TableFileError(f"{path}: line {lineno} is not valid JSON ({exc.msg})") from None
                if not isinstance(obj, dict):
                    raise TableFileError(f"{path}: line {lineno} is not a JSON object")
                rows.append(obj)
                if len(rows) == size:
                    yield rows_table(rows)
                    yielded, rows = True, []
        if rows or not yielded:
            yield rows_table(rows)


def _slices(path: Path, size: int) -> Iterator[pa.Table]:
    """Tables of exactly ``size`` rows (the last one shorter; one empty table for a file without rows)."""
    fmt = file_format(path)
    pending: list[pa.Table] = []
    rows = read = 0
    yielded = False
    try:
        for table in _record_batches(path, fmt, size):
            read += table.num_rows
            pending.append(table)
            rows += table.num_rows
            while rows >= size:
                whole = pa.concat_tables(pending, promote_options="permissive")
                yield whole.slice(0, size)
                yielded = True
                rest = whole.slice(size)
                pending, rows = [rest], rest.num_rows
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        where = f" after row {read:,}" if read else ""
        raise TableFileError(f"{path}: cannot be read as {fmt}{where}: {_safe(exc)}") from None
    if rows or not yielded:
        yield pa.concat_tables(pending, promote_options="permissive")


def _with_last(items: Iterator[pa.Table]) -> Iterator[tuple[int, pa.Table, bool]]:
    """``(n, item, is_last)`` with ``n`` from 1: one item of lookahead."""
    previous: pa.Table | None = None
    n = 0
    for item in items:
        if previous is not None:
            yield n, previous, False
        n += 1
        previous = item
    if previous is not None:
        yield n, previous, True


def _total_rows(path: Path) -> int | None:
    if file_format(path) == "parquet":
        try:
            return int(pq.ParquetFile(path).metadata.num_rows)
        except (pa.ArrowInvalid, OSError):
            return None
    return None


# --- commands --------------------------------------------------------------------------------------


def _sessions() -> Any:
    from koshi.store import migrate
    from koshi.store.db import make_engine, make_sessionmaker

    engine = make_engine(settings().database_url)
    if migrate.current(engine) != migrate.head():
        fail("the database schema is not current: run `koshi db upgrade` first")
    return make_sessionmaker(engine)


def _write_errors(path: Path, errors: list[RowError]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["row", "field", "reason"])
            writer.writerows([e.row, e.field, e.reason] for e in errors)
    except OSError as exc:
        fail(f"--errors {path}: cannot be written ({exc.strerror})")


@app.command("import")
def import_file(
    kind: Annotated[str, typer.Argument(metavar="KIND", help=f"The feed: {', '.join(k.value for k in FeedKind)}")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Rows to import: .csv, .jsonl or .parquet")],
    batch_key: Annotated[
        str | None, typer.Option("--batch-key", help="Names the batch (default: the file's SHA-256)")
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=1_000_000, help="Rows per batch (one transaction each)")
    ] = BATCH_ROWS,
    errors_file: Annotated[
        Path | None, typer.Option("--errors", help="Write every rejected row (row,field,reason) to this CSV file")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import FILE into the feed KIND; report accepted, unchanged and rejected rows (exit 1 if any rejected)."""
    from koshi.store.db import transaction
    from koshi.store.registry_import import SYSTEM, BatchConflict, ImportReport, import_batch

    try:
        feed = feed_kind(kind)
        file_format(file)
        if not file.is_file():
            raise TableFileError(f"{file}: no such file")
    except (FeedError, TableFileError) as exc:
        fail(str(exc))
    if batch_key is not None and len(batch_key) > 180:
        fail("--batch-key must be at most 180 characters")
    base = batch_key or _file_digest(file)
    sessions = _sessions()
    now = dt.datetime.now(dt.UTC)
    reports: list[ImportReport] = []
    offset = 0
    try:
        with progress_bar() as progress:
            task = progress.add_task(f"importing {feed.value}", total=_total_rows(file))
            for n, table, last in _with_last(_slices(file, batch_size)):
                if n == 1:
                    check_columns(feed, table.column_names)
                key = base if (n == 1 and last) else f"{base}:{n}"
                with transaction(sessions) as session:
                    report = import_batch(session, feed, table, key, SYSTEM, now, f"file:{file.name}", offset=offset)
                reports.append(report)
                offset += table.num_rows
                progress.advance(task, table.num_rows)
    except (FeedError, TableFileError) as exc:
        done = f" ({len(reports)} batch(es) before it were imported)" if reports else ""
        fail(f"{exc}{done}")
    except BatchConflict as exc:
        fail(str(exc))
    errors = [e for r in reports for e in r.errors]
    if errors_file is not None:
        _write_errors(errors_file, errors)
    totals = {
        name: sum(getattr(r, name) for r in reports)
        for name in ("total", "accepted", "inserted", "updated", "unchanged", "rejected")
    }
    replayed = sum(r.replayed for r in reports)
    if as_json:
        doc = {
            "kind": feed.value,
            "file": str(file),
            "batch_key": base,
            **totals,
            "batches": [r.as_dict(with_errors=False) for r in reports],
            "errors": [e.as_dict() for e in errors],
        }
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    else:
        _print_summary(feed, reports, totals, replayed, errors, errors_file)
    if totals["rejected"]:
        raise typer.Exit(1)


def _print_summary(
    feed: FeedKind,
    reports: list[Any],
    totals: dict[str, int],
    replayed: int,
    errors: list[RowError],
    errors_file: Path | None,
) -> None:
    out.print(
        f"{feed.value}: {totals['total']:,} rows in {len(reports)} batch(es): "
        f"{totals['accepted']:,} accepted ({totals['inserted']:,} new, {totals['updated']:,} updated), "
        f"{totals['unchanged']:,} unchanged, {totals['rejected']:,} rejected",
        highlight=False,
    )
    if replayed:
        out.print(f"{replayed} batch(es) had been imported before: nothing changed for them", highlight=False)
    if errors:
        t = Table(title=f"first {min(SHOWN_ERRORS, len(errors))} of {len(errors):,} rejected values")
        for col in ("row", "field", "reason"):
            t.add_column(col)
        for e in errors[:SHOWN_ERRORS]:
            t.add_row(str(e.row), e.field, e.reason)
        out.print(t)
        if errors_file is not None:
            out.print(f"all rejected values written to {errors_file}", highlight=False)


@app.command("batches")
def batches(
    kind: Annotated[str | None, typer.Option("--kind", help="Only this feed")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="How many, newest first")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List the stored batches, newest first, with their counts."""
    from koshi.store.registry_import import list_batches

    if kind is not None:
        try:
            kind = feed_kind(kind).value
        except FeedError as exc:
            fail(str(exc))
    with _sessions()() as session:
        reports, total = list_batches(session, kind=kind, limit=limit)
    if as_json:
        doc = {"total": total, "batches": [r.as_dict(with_errors=False) for r in reports]}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return
    t = Table(title=f"feed batches ({len(reports)} of {total:,})")
    for col in (
        "id",
        "feed",
        "batch key",
        "received",
        "source",
        "rows",
        "accepted",
        "updated",
        "unchanged",
        "rejected",
    ):
        t.add_column(col, overflow="fold")
    for r in reports:
        t.add_row(
            str(r.batch_id),
            r.kind,
            r.batch_key,
            r.received_at.strftime("%Y-%m-%d %H:%M:%SZ"),
            r.source,
            f"{r.total:,}",
            f"{r.accepted:,}",
            f"{r.updated:,}",
            f"{r.unchanged:,}",
            f"{r.rejected:,}",
        )
    out.print(t)
