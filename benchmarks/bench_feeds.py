"""Feed import speed: one batch of about 100,000 border events, validated and imported on SQLite and PostgreSQL.

Run with ``make bench-feeds`` (or ``.venv/bin/python benchmarks/bench_feeds.py --people 20000 --events 100000``;
``--skip-postgres`` for SQLite alone).

The batch is a year of synthetic border events (``koshi synth feeds``: ``--people`` travellers,
about ``--events`` crossings, so some 5 per document); generating it is excluded.  Each
database gets the scenarios below in this order, every import one
:func:`koshi.store.registry_import.import_batch` call by the system actor inside
:func:`koshi.store.db.transaction`, timed from the call to the commit:

* **validate**: :func:`koshi.registry.feeds.validate` on the batch alone (no database; timed
  again on each database's run);
* **new documents**: the batch into an empty, migrated database: every document and person new;
* **known documents**: the same rows under new event ids: new records, every document known;
* **every row a new document**: the same rows under new event ids and a new document number
  each (a number no generated format uses): a person, a document and a record per row;
* **all unchanged**: the first batch again under another key: every record stored already,
  with the same content;
* **replay**: the first batch again under its own key: the stored report comes back, nothing is
  written.

SQLite is a file in a temporary directory under ``benchmarks/out``, deleted afterwards (WAL,
``synchronous=FULL``, as :func:`koshi.store.db.make_engine` sets it); PostgreSQL a throwaway server
(``tests/pgserver.py``, ``fsync`` on) on the same machine.
``--repeat`` runs the whole sequence that many times, each on a fresh database; the figures are
the median run's, with the slowest and fastest rates beside them.  Every report is checked
(counts of inserted, unchanged and replayed rows) so a figure never times the wrong work.
Results go to ``benchmarks/out/feeds.json``; docs/registry.md ("Speed") records them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.pgserver import PgServer

from koshi.registry.feeds import validate
from koshi.registry.schema import FeedKind
from koshi.store import migrate, registry_import
from koshi.store.db import make_engine, make_sessionmaker, transaction
from koshi.store.registry import TravelDocument
from koshi.synth.feeds import generate_feeds

OUT = Path(__file__).parent / "out"
KIND = FeedKind.BORDER_EVENTS
SCENARIOS = {
    "validate": "validation only (koshi.registry.feeds.validate)",
    "new_documents": "import, new documents",
    "known_documents": "import, documents already known",
    "every_row_new_document": "import, every row naming a new document",
    "unchanged": "the same rows again under another key (all unchanged)",
    "replay": "replay of the same batch (same key and content)",
}


def documents_in(batch: pa.Table) -> int:
    """Distinct documents (issuing state, number) a batch names."""
    keys = (batch.column(c).to_pylist() for c in ("doc_country", "doc_number"))
    return len(set(zip(*keys, strict=True)))


def batches(events: pa.Table) -> dict[str, pa.Table]:
    """The generated batch, the same rows under new event ids, and those with a new document each."""
    ids = events.column("event_id")
    known = events.set_column(
        events.schema.get_field_index("event_id"), "event_id", pc.binary_join_element_wise("K", ids, "-")
    )
    numbers = pa.array([f"ZZ{i:09d}" for i in range(events.num_rows)], pa.string())
    fresh = known.set_column(
        known.schema.get_field_index("event_id"), "event_id", pc.binary_join_element_wise("N", ids, "-")
    )
    fresh = fresh.set_column(fresh.schema.get_field_index("doc_number"), "doc_number", numbers)
    return {"first": events, "known": known, "fresh": fresh}


def run(url: str, data: dict[str, pa.Table]) -> dict[str, float]:
    """Every scenario once on the empty database at ``url``; seconds by scenario."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    now = dt.datetime.now(dt.UTC)
    rows = data["first"].num_rows
    seconds: dict[str, float] = {}

    t0 = time.perf_counter()
    checked = validate(KIND, data["first"], today=now.date())
    seconds["validate"] = time.perf_counter() - t0
    accepted = checked.table.num_rows

    def timed(name: str, batch: str, key: str, check: Callable[[registry_import.ImportReport], bool]) -> None:
        t0 = time.perf_counter()
        with transaction(sessions) as session:
            report = registry_import.import_batch(
                session, KIND, data[batch], key, registry_import.SYSTEM, now, "bench_feeds"
            )
        seconds[name] = time.perf_counter() - t0
        assert report.total == rows and check(report), (name, report.as_dict(with_errors=False))

    timed("new_documents", "first", "bench-first", lambda r: r.inserted == accepted and not r.replayed)
    timed("known_documents", "known", "bench-known", lambda r: r.inserted == accepted)
    timed("every_row_new_document", "fresh", "bench-fresh", lambda r: r.inserted == accepted)
    timed("unchanged", "first", "bench-first-again", lambda r: r.unchanged == accepted and r.accepted == 0)
    timed("replay", "first", "bench-first", lambda r: r.replayed)

    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(TravelDocument)).scalar_one()
    assert stored == documents_in(checked.table) + accepted, stored
    engine.dispose()
    return seconds


def summary(runs: list[dict[str, float]], rows: int) -> dict[str, Any]:
    """Per scenario: rows, the median run's seconds and rate, and the range of rates over the runs."""
    out: dict[str, Any] = {}
    for name in SCENARIOS:
        times = sorted(r[name] for r in runs)
        median = statistics.median(times)
        out[name] = {
            "rows": rows,
            "seconds": round(median, 3),
            "rows_per_second": round(rows / median),
            "rows_per_second_min": round(rows / times[-1]),
            "rows_per_second_max": round(rows / times[0]),
            "runs_seconds": [round(r[name], 3) for r in runs],
        }
    return out


def cpu() -> str:
    """The processor's model name (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def table(results: dict[str, dict[str, Any]]) -> str:
    """The figures as a Markdown table: rows per second (median run, slowest–fastest)."""
    names = list(results)
    lines = [
        "| | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for key, label in SCENARIOS.items():
        cells = []
        for db in names:
            f = results[db]["scenarios"][key]
            rate = f"{f['rows_per_second']:,}"
            if f["rows_per_second_min"] != f["rows_per_second_max"]:
                rate += f" ({f['rows_per_second_min']:,}–{f['rows_per_second_max']:,})"
            cells.append(rate)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=5, help="runs per database, each on a fresh one")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]  # other work on the machine shows in the figures: recorded beside them

    t0 = time.perf_counter()
    feeds = generate_feeds(args.people, args.seed, year=args.year, events=args.events)
    t_gen = time.perf_counter() - t0
    events = feeds.border_events
    data = batches(events)
    rows = events.num_rows
    documents = documents_in(events)

    results: dict[str, dict[str, Any]] = {}
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="feeds-", dir=OUT) as tmp:
        for i in range(args.repeat):
            runs.append(run(f"sqlite:///{Path(tmp) / f'feeds-{i}.sqlite'}", data))
            print(f"sqlite run {i + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in runs[-1].items()))
    results["SQLite"] = {
        "database": f"SQLite {sqlite3.sqlite_version} file, WAL, synchronous=FULL",
        "scenarios": summary(runs, rows),
    }
    if not args.skip_postgres:
        runs = []
        with PgServer() as pg:
            with make_engine(pg.url).connect() as connection:
                version = connection.execute(text("SHOW server_version")).scalar_one()
            for i in range(args.repeat):
                name = f"feeds_{i}"
                runs.append(run(pg.create_database(name), data))
                pg.drop_database(name)
                print(f"postgresql run {i + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in runs[-1].items()))
        results["PostgreSQL"] = {
            "database": f"PostgreSQL {version}, throwaway server on this machine, fsync on",
            "scenarios": summary(runs, rows),
        }

    figures = {
        "date": dt.date.today().isoformat(),
        "machine": f"{cpu()}, {os.cpu_count()} cores, Python {platform.python_version()}, pyarrow {pa.__version__}",
        "load_average_before": round(load, 2),
        "feed": KIND.value,
        "people": args.people,
        "seed": args.seed,
        "year": args.year,
        "rows": rows,
        "documents": documents,
        "generation_seconds": round(t_gen, 1),
        "repeat": args.repeat,
        "results": results,
    }
    (OUT / "feeds.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f"\n{rows:,} {KIND.value} rows ({documents:,} documents) in one batch, committed; "
        f"rows per second, median of {args.repeat} run(s) (slowest–fastest):\n"
    )
    print(table(results))
    for db, r in results.items():
        print(f"{db}: {r['database']}")
    print(f"machine: {figures['machine']}; load average before the run {load:.2f}")


if __name__ == "__main__":
    main()
