"""Scoring speed: the vectorised path on 1,000,000 applicants vs the one-profile path on 10,000.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench_scoring.py --n 1000000 --single 10000``).
The vectorised figure covers Parquet in → validation → OpenFisca simulation → breakdown
columns → Parquet out; generating the synthetic input is timed separately and excluded.
Results go to ``benchmarks/out/scoring.json``; docs/benchmarks.md records them.
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

import numpy as np
import pyarrow.parquet as pq

from koshi.rules.engine import ScoreResult, get_pack, public_table, score_profile, score_table
from koshi.synth.applicants import generate_applicants

OUT = Path(__file__).parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--single", type=int, default=10_000)
    parser.add_argument("--pack", default="kz.permanent_residence")
    parser.add_argument("--on", default="2026-03-01")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    pack = get_pack(args.pack)
    on = dt.date.fromisoformat(args.on)
    OUT.mkdir(parents=True, exist_ok=True)
    src, dst = OUT / "applicants.parquet", OUT / "scores.parquet"

    t0 = time.perf_counter()
    pq.write_table(generate_applicants(args.n, args.seed), src)
    t_gen = time.perf_counter() - t0

    score_table(pack, pq.read_table(src).slice(0, 100), on)  # warm-up: parameter parsing, imports
    t0 = time.perf_counter()
    table = pq.read_table(src)
    result = score_table(pack, table, on)
    pq.write_table(public_table(result), dst)
    t_vec = time.perf_counter() - t0
    assert result.errors == [], result.errors[:5]

    profiles = pq.read_table(src).slice(0, args.single).to_pylist()
    t0 = time.perf_counter()
    singles = [score_profile(pack, p, on) for p in profiles]
    t_one = time.perf_counter() - t0

    vec_rows = public_table(result).slice(0, args.single).to_pylist()
    mismatches = sum(
        1
        for ex, row in zip(singles, vec_rows, strict=True)
        if (ex.total, ex.decision) != (row["total"], row["decision"])
    )

    vec_rate = args.n / t_vec
    one_rate = args.single / t_one
    figures = {
        "pack": pack.id,
        "as_of": on.isoformat(),
        "n_vectorised": args.n,
        "vectorised_seconds": round(t_vec, 2),
        "vectorised_profiles_per_second": round(vec_rate),
        "n_one_profile": args.single,
        "one_profile_seconds": round(t_one, 2),
        "one_profile_profiles_per_second": round(one_rate, 1),
        "speedup_per_profile": round(vec_rate / one_rate),
        "mismatches_between_paths": mismatches,
        "generation_seconds": round(t_gen, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "decisions": {d: int(c) for d, c in zip(*_counts(result), strict=True)},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    (OUT / "scoring.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


def _counts(result: ScoreResult) -> tuple[list[str], list[int]]:
    decisions = public_table(result).column("decision").to_numpy(zero_copy_only=False)
    values, counts = np.unique(decisions, return_counts=True)
    return [str(v) for v in values], [int(c) for c in counts]


if __name__ == "__main__":
    main()
