"""Fee reform speed: a year of 1,000,000 synthetic work permits, fees before and after, every breakdown.

Run with ``make bench-fees`` (or ``.venv/bin/python benchmarks/bench_fees.py --permits 1000000``).

The permits and their employers come from ``koshi synth labour`` (:func:`koshi.synth.labour.generate_labour`,
``--employers`` defaulting to one per 7.8 permits as in December 2025, all states), written once as Parquet
and as CSV; generating and writing them is timed apart and excluded. Each run then times, from the file to
the result:

* **parquet**: read the permits and employers (typed columns) → :func:`koshi.labour.simulate.check_permits`
  (every row checked, the OKED section joined from the employers by BIN) → :func:`~koshi.labour.simulate.simulate`
  with the example reform shipped with Koshi (``example_2027``): each permit's fee before and after, and the
  totals by sector group, OKED section, region and category;
* **csv**: the same from CSV (every column text, as ``koshi labour fees simulate`` reads a CSV).

The phases of the Parquet run (read, check, fees and sums) are reported too. ``--repeat`` runs each that
many times in this process; figures are the median run's. To show what the vectorised path saves, the
first ``--single`` counted permits are also quoted one by one with :func:`koshi.labour.fees.quote`: the
rate of that loop, and the number of permits where the two disagree (must be 0). Peak memory is the
process's maximum resident set (``ru_maxrss``), generation included. Results go to
``benchmarks/out/fees.json``; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from koshi.labour.fees import RateTable, parse_reform, quote
from koshi.labour.policy import Category, policy
from koshi.labour.simulate import BREAKDOWNS, PAID, check_permits, permit_fees, simulate
from koshi.synth.labour import generate_labour, write_labour
from koshi.tabular import read_table

OUT = Path(__file__).parent / "out"
REFORM = Path(__file__).resolve().parents[1] / "src/koshi/labour/reforms/example_2027.yaml"


def _rss_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def cpu() -> str:
    """The processor's model name (Linux), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run(folder: Path, fmt: str, before: RateTable, after: RateTable, year: int) -> tuple[dict[str, float], Any]:
    """One timed pass from the files to the result; seconds by phase and the simulation."""
    t0 = time.perf_counter()
    permits = read_table(folder / f"permits.{fmt}")
    employers = read_table(folder / f"employers.{fmt}")
    t1 = time.perf_counter()
    checked = check_permits(permits, (before, after), employers)
    t2 = time.perf_counter()
    assert checked.errors == (), checked.errors[:3]
    result = simulate(permits, before, after, year=year, checked=checked, breakdowns=BREAKDOWNS)
    t3 = time.perf_counter()
    return {"read": t1 - t0, "check": t2 - t1, "fees_and_sums": t3 - t2, "total": t3 - t0}, result


def single_path(folder: Path, before: RateTable, after: RateTable, n: int) -> tuple[float, int]:
    """Seconds to quote the first ``n`` paid permits one by one (before and after), and the mismatches."""
    permits = read_table(folder / "permits.parquet")
    checked = check_permits(permits, (before, after), read_table(folder / "employers.parquet"))
    table = checked.table.filter(pc.is_in(checked.table["state"], value_set=pa.array(sorted(PAID)))).slice(0, n)
    fb, fa = permit_fees(table, before), permit_fees(table, after)
    rows = table.to_pylist()
    t0 = time.perf_counter()
    quotes = []
    for r in rows:
        mrp = policy(r["valid_from"]).mrp
        args = (Category(r["category"]), r["oked_section"] or "", r["valid_from"], r["valid_to"])
        quotes.append((quote(*args, before, mrp).tenge, quote(*args, after, mrp).tenge))
    seconds = time.perf_counter() - t0
    vectorised = zip(fb.tenge.tolist(), fa.tenge.tolist(), strict=True)
    mismatches = sum(1 for q, v in zip(quotes, vectorised, strict=True) if q != v)
    return seconds, mismatches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--permits", type=int, default=1_000_000)
    parser.add_argument("--employers", type=int, default=None, help="default: permits / 7.8")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--single", type=int, default=20_000, help="permits quoted one by one")
    args = parser.parse_args()
    employers = args.employers or max(1, round(args.permits / 7.8))
    folder = OUT / "labour"
    load = os.getloadavg()[0]

    t0 = time.perf_counter()
    data = generate_labour(employers, args.permits, args.seed, args.year, all_states=True)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_labour(data, folder, "parquet")
    write_labour(data, folder, "csv")
    t_write = time.perf_counter() - t0
    print(
        f"generated {args.permits:,} permits of {employers:,} employers in {t_gen:.1f} s (written in {t_write:.1f} s)"
    )

    before = RateTable.of(policy(dt.date(args.year, 1, 1)))
    after = before.changed(parse_reform(yaml.safe_load(REFORM.read_text(encoding="utf-8"))))
    runs: dict[str, list[dict[str, float]]] = {"parquet": [], "csv": []}
    result = None
    for i in range(args.repeat):
        for fmt in runs:
            seconds, result = run(folder, fmt, before, after, args.year)
            runs[fmt].append(seconds)
            print(f"run {i + 1} {fmt}: " + ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items()), flush=True)
    assert result is not None
    t_single, mismatches = single_path(folder, before, after, args.single)

    def median(fmt: str, phase: str) -> float:
        return statistics.median(r[phase] for r in runs[fmt])

    figures = {
        "date": dt.date.today().isoformat(),
        "machine": f"{cpu()}, {os.cpu_count()} cores, Python {platform.python_version()}, pyarrow {pa.__version__}",
        "load_average_before": round(load, 2),
        "permits": args.permits,
        "employers": employers,
        "year": args.year,
        "seed": args.seed,
        "reform": "example_2027",
        "counted_permits": result.counted,
        "generation_seconds": round(t_gen, 2),
        "repeat": args.repeat,
        "scenarios": {
            fmt: {
                "seconds": round(median(fmt, "total"), 2),
                "permits_per_second": round(args.permits / median(fmt, "total")),
                "phases_seconds": {p: round(median(fmt, p), 2) for p in ("read", "check", "fees_and_sums")},
                "runs_seconds": [round(r["total"], 2) for r in runs[fmt]],
            }
            for fmt in runs
        },
        "one_by_one": {
            "permits": args.single,
            "seconds": round(t_single, 2),
            "permits_per_second": round(args.single / t_single),
            "mismatches_with_vectorised": mismatches,
        },
        "peak_rss_mib": _rss_mib(),
        "revenue_before_tenge": result.total.tenge_before,
        "revenue_after_tenge": result.total.tenge_after,
    }
    (OUT / "fees.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    for fmt, s in figures["scenarios"].items():
        print(
            f"{fmt}: {args.permits:,} permits in {s['seconds']} s ({s['permits_per_second']:,} permits/s), "
            f"median of {args.repeat}"
        )
    print(f"one by one with quote(): {figures['one_by_one']['permits_per_second']:,} permits/s; "
          f"mismatches {mismatches}; peak RSS {figures['peak_rss_mib']:,} MiB")  # fmt: skip


if __name__ == "__main__":
    main()
