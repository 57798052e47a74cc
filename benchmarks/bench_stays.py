"""Stay status at scale: 10,000,000 border events for 2,000,000 people, DuckDB SQL vs a per-person Python loop.

Run with ``make bench-stays`` (or ``.venv/bin/python benchmarks/bench_stays.py --people 2000000 --events 10000000``).

1. Synthetic feeds (``koshi synth feeds``: border events, permits, QazETA authorizations) are
   written as Parquet; generation is timed separately and excluded.
2. **SQL path**, timed end to end: Parquet files → travellers keyed by document → stays, permit
   and visa covers → everyone's status on the control date (days used, overstay and since when,
   the day the limit will be passed, past overstays, missing records) → fine bands → Parquet out.
3. **Python path**: the straightforward per-person implementation (:mod:`koshi.registry.stay`,
   a loop over each person's days) on the first people whose events add up to ``--sample``
   events (100,000 by default); the ratio compares time per border event.
4. Both paths are compared person by person on that sample (mismatches must be 0).

Results go to ``benchmarks/out/stays.json``; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq

from koshi.registry import feed_inputs, stay, stay_sql
from koshi.synth.feeds import generate_feeds, write_feeds

OUT = Path(__file__).parent / "out"
COMPARED = (
    "present",
    "current_entry",
    "days_used",
    "days_left",
    "stay_days",
    "overstay_days",
    "overstay_since",
    "overstay_limit",
    "exceeds_on",
    "covered_until",
    "past_overstays",
    "missing_exits",
    "missing_entries",
)


def sql_status(feeds: Path, on: dt.date, threads: int | None) -> tuple[Any, float]:
    """Everyone's status from the Parquet feeds; returns the table and the seconds it took."""
    t0 = time.perf_counter()
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {threads}")
    for name in ("border_events", "permits", "authorizations"):
        con.execute(f"CREATE VIEW feed_{name} AS SELECT * FROM read_parquet('{feeds / (name + '.parquet')}')")
    feed_inputs.prepare(con, "feed_border_events", "feed_permits", "feed_authorizations")
    table = stay_sql.with_fines(feed_inputs.status_with_documents(con, on), on)
    pq.write_table(table, OUT / "stay_status.parquet")
    return table, time.perf_counter() - t0


def python_status(feeds: Path, on: dt.date, sample: int) -> tuple[dict[int, stay.Control], int, float]:
    """The per-person loop on the first people (by person id) whose border events add up to ``sample``."""
    con = duckdb.connect()
    for name in ("border_events", "permits", "authorizations"):
        con.execute(f"CREATE VIEW feed_{name} AS SELECT * FROM read_parquet('{feeds / (name + '.parquet')}')")
    feed_inputs.prepare(con, "feed_border_events", "feed_permits", "feed_authorizations")
    counts = con.sql(
        f"SELECT person_id, count(*) AS n FROM {stay_sql.EVENTS} GROUP BY person_id ORDER BY person_id"
    ).fetchall()
    chosen, total = [], 0
    for pid, n in counts:
        if total >= sample:
            break
        chosen.append(pid)
        total += n
    last = chosen[-1]
    events = con.sql(
        f"SELECT person_id, occurred_at, direction FROM {stay_sql.EVENTS} WHERE person_id <= {last}"
    ).fetchall()
    covers = con.sql(
        f"SELECT person_id, kind, valid_from, valid_to FROM {stay_sql.COVERS} WHERE person_id <= {last}"
    ).fetchall()
    nationality = dict(
        con.sql(f"SELECT person_id, nationality FROM {stay_sql.PERSONS} WHERE person_id <= {last}").fetchall()
    )
    by_person: dict[int, list[tuple[dt.datetime, str]]] = {p: [] for p in chosen}
    for pid, at, direction in events:
        by_person[pid].append((at, direction))
    cover_by: dict[int, list[stay.Cover]] = {p: [] for p in chosen}
    for pid, kind, start, end in covers:
        cover_by[pid].append(stay.Cover(kind, start, end))
    rules = stay.policy(on)
    t0 = time.perf_counter()
    result = {
        pid: stay.control(stay.stays_known_on(by_person[pid], on), cover_by[pid], nationality[pid], on, rules=rules)
        for pid in chosen
    }
    return result, total, time.perf_counter() - t0


def mismatches(table: Any, reference: dict[int, stay.Control]) -> int:
    """People of the sample whose SQL status differs from the per-person loop's."""
    rows = {r["person_id"]: r for r in table.filter(pc.less_equal(table["person_id"], max(reference))).to_pylist()}
    bad = 0
    for pid, c in reference.items():
        want: dict[str, Any] = {k: getattr(c, k) for k in COMPARED if k != "past_overstays"}
        want["past_overstays"] = len(c.past_overstays)
        bad += any(rows[pid][k] != v for k, v in want.items())
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=2_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--sample", type=int, default=100_000)
    parser.add_argument("--on", default="2026-10-01")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: all cores)")
    parser.add_argument("--reuse", action="store_true", help="Reuse benchmarks/out/feeds if present")
    args = parser.parse_args()
    on = dt.date.fromisoformat(args.on)
    feeds = OUT / "feeds"
    OUT.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    if not (args.reuse and (feeds / "border_events.parquet").exists()):
        write_feeds(generate_feeds(args.people, args.seed, year=2026, events=args.events), feeds, "parquet")
    t_gen = time.perf_counter() - t0
    n_events = pq.ParquetFile(feeds / "border_events.parquet").metadata.num_rows

    table, t_sql = sql_status(feeds, on, args.threads)
    reference, sample_events, t_py = python_status(feeds, on, args.sample)
    per_event_sql = t_sql / n_events
    per_event_py = t_py / sample_events
    result = {
        "date": dt.date.today().isoformat(),
        "machine": (
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, DuckDB {duckdb.__version__}"
        ),
        "control_date": on.isoformat(),
        "people": table.num_rows,
        "border_events": n_events,
        "generation_seconds": round(t_gen, 1),
        "sql_seconds": round(t_sql, 2),
        "sql_events_per_second": round(n_events / t_sql),
        "python_sample_people": len(reference),
        "python_sample_events": sample_events,
        "python_seconds": round(t_py, 2),
        "python_events_per_second": round(sample_events / t_py),
        "ratio_per_event": round(per_event_py / per_event_sql, 1),
        "sample_mismatches": mismatches(table, reference),
        "overstaying": int(pc.sum(pc.greater(table["overstay_days"], 0)).as_py() or 0),
        "present": int(pc.sum(table["present"]).as_py() or 0),
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
    }
    (OUT / "stays.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
