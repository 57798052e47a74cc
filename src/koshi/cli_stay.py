"""``koshi stay`` and ``koshi registry``: stay rules for everyone in a feed file, and for the registry."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import typer
from rich.table import Table

from koshi.cli_io import err, fail, option_date, out
from koshi.documents.iin import mask
from koshi.registry import feed_inputs, feeds, stay_sql
from koshi.registry.schema import FeedKind
from koshi.rules.provenance import PolicyNotInForce
from koshi.tabular import TableFileError, read_table, write_table

stay_app = typer.Typer(help="Stay rules: days used, overstays, latest lawful exit.", no_args_is_help=True)
registry_app = typer.Typer(help="The registry of foreigners: stay status for everyone.", no_args_is_help=True)


def _feed(path: Path | None, kind: FeedKind, today: dt.date) -> tuple[pa.Table, list[feeds.RowError]]:
    """A validated feed file (an empty table when no file is given); bad rows are returned, not fatal."""
    if path is None:
        return feeds.output_schema(kind).empty_table(), []
    try:
        checked = feeds.validate(kind, read_table(path), today=today)
    except (TableFileError, feeds.FeedError) as exc:
        fail(f"{path}: {exc}")
    return checked.table, list(checked.errors)


@stay_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="Border events (.csv, .jsonl or .parquet, the border_events feed)")],
    on: Annotated[str | None, typer.Option("--on", help="Control date YYYY-MM-DD; default today.")] = None,
    permits: Annotated[Path | None, typer.Option("--permits", help="Permits feed: days under a permit.")] = None,
    authorizations: Annotated[
        Path | None, typer.Option("--authorizations", help="QazETA feed: e-visas of visa nationals.")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write everyone's status here.")] = None,
    soon: Annotated[int, typer.Option("--soon", help="Days ahead for 'soon to overstay'.", min=1)] = 7,
    top: Annotated[int, typer.Option("--top", help="Overstays to list.", min=0)] = 15,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary.")] = False,
) -> None:
    """Stay status on a date for every traveller in a border-events file: days used, overstays, who is next.

    A traveller is a travel document (issuing state + number). Bad rows are reported (row, field,
    reason) and left out; the exit code is then 2.
    """
    day = option_date(on)
    events, errors = _feed(file, FeedKind.BORDER_EVENTS, day)
    permit_rows, permit_errors = _feed(permits, FeedKind.PERMITS, day)
    auth_rows, auth_errors = _feed(authorizations, FeedKind.AUTHORIZATIONS, day)
    con = duckdb.connect()
    con.register("feed_events", events)
    con.register("feed_permits", permit_rows)
    con.register("feed_authorizations", auth_rows)
    try:
        feed_inputs.prepare(con, "feed_events", "feed_permits", "feed_authorizations")
        with err.status(f"stay status of {events.num_rows:,} border events on {day.isoformat()}"):
            result = stay_sql.with_fines(feed_inputs.status_with_documents(con, day), day)
    except PolicyNotInForce as exc:
        fail(str(exc))
    summary = _summary(result, day, soon)
    rejected = {
        name: [e.as_dict() for e in errs]
        for name, errs in (("border_events", errors), ("permits", permit_errors), ("authorizations", auth_errors))
        if errs
    }
    if output is not None:
        try:
            write_table(result, output)
        except TableFileError as exc:
            fail(str(exc))
    listed = _overstays(result, top)
    if as_json:
        payload = {**summary, "overstays": listed, "rejected": {k: v[:100] for k, v in rejected.items()}}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        _print(summary, listed, rejected, output)
    if rejected:
        raise typer.Exit(2)


def _summary(result: pa.Table, on: dt.date, soon: int) -> dict[str, Any]:
    overstaying = pc.greater(result["overstay_days"], 0)
    until = pa.scalar(on + dt.timedelta(days=soon), pa.date32())
    soon_mask = pc.and_(pc.is_valid(result["exceeds_on"]), pc.less_equal(result["exceeds_on"], until))
    bands = result.filter(overstaying).group_by("fine_band").aggregate([("person_id", "count")]).to_pylist()
    return {
        "on": on.isoformat(),
        "people": result.num_rows,
        "present": pc.sum(result["present"]).as_py() or 0,
        "overstaying": pc.sum(overstaying).as_py() or 0,
        "overstaying_by_band": {b["fine_band"]: b["person_id_count"] for b in bands},
        f"overstay_within_{soon}_days": pc.sum(soon_mask).as_py() or 0,
        "with_past_overstay": pc.sum(pc.greater(result["past_overstays"], 0)).as_py() or 0,
        "missing_exits": pc.sum(result["missing_exits"]).as_py() or 0,
        "missing_entries": pc.sum(result["missing_entries"]).as_py() or 0,
    }


def _overstays(result: pa.Table, top: int) -> list[dict[str, Any]]:
    rows = result.filter(pc.greater(result["overstay_days"], 0))
    rows = rows.sort_by([("overstay_days", "descending"), ("person_id", "ascending")]).slice(0, top)
    keep = ("nationality", "current_entry", "overstay_since", "overstay_days", "overstay_limit", "fine_band")
    return [
        {"document": f"{r['doc_country']} {mask(r['doc_number'])}", **{k: r[k] for k in keep}} for r in rows.to_pylist()
    ]


def _print(
    summary: dict[str, Any],
    listed: list[dict[str, Any]],
    rejected: dict[str, list[dict[str, Any]]],
    output: Path | None,
) -> None:
    t = Table(title=f"Stay status on {summary['on']}", show_header=False)
    for key, value in summary.items():
        if key == "on":
            continue
        shown = ", ".join(f"{b} {n:,}" for b, n in value.items()) if isinstance(value, dict) else f"{value:,}"
        t.add_row(key.replace("_", " "), shown)
    out.print(t)
    if listed:
        lt = Table(title="Longest current overstays (documents masked)")
        for col in listed[0]:
            lt.add_column(col.replace("_", " "))
        for row in listed:
            lt.add_row(*(str(v) if v is not None else "" for v in row.values()))
        out.print(lt)
    for name, errs in rejected.items():
        err.print(f"[yellow]{name}: {len(errs):,} bad value(s) left out[/]", highlight=False)
        for e in errs[:10]:
            err.print(f"  row {e['row']}, field {e['field']!r}: {e['reason']}", highlight=False)
    if output is not None:
        out.print(f"wrote {summary['people']:,} rows to {output}")


@registry_app.command("refresh")
def registry_refresh(
    on: Annotated[str | None, typer.Option("--on", help="Control date YYYY-MM-DD; default today (UTC+5).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Recompute everyone's stay status in the registry database (KOSHI_DATABASE_URL) for the police lists."""
    from koshi.registry.stay import KZ_OFFSET
    from koshi.settings import settings
    from koshi.store import overstays
    from koshi.store.db import make_engine, make_sessionmaker, transaction

    now = dt.datetime.now(dt.UTC)
    day = option_date(on) if on else (now + KZ_OFFSET).date()
    engine = make_engine(settings().database_url)
    try:
        with (
            err.status(f"stay status of everyone in the registry on {day.isoformat()}"),
            transaction(make_sessionmaker(engine)) as session,
        ):
            report = overstays.refresh(session, None, day, now)
    except overstays.RegistryError as exc:
        fail(exc.message)
    finally:
        engine.dispose()
    if as_json:
        sys.stdout.write(json.dumps(dataclasses.asdict(report), default=str) + "\n")
        return
    out.print(
        f"stay status on {report.as_of.isoformat()}: {report.people:,} people, {report.present:,} in the country, "
        f"{report.overstaying:,} overstaying, {report.soon:,} within 7 days ({report.seconds:.1f} s)"
    )
