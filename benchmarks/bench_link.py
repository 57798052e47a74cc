"""Record linkage at scale: 1,000,000 migration-police records × 1,000,000 QazETA records on 2 cores.

Run with ``make bench-link`` (or ``.venv/bin/python benchmarks/bench_link.py --left 1000000 --right 1000000``).

1. Two seeded synthetic sources (:func:`koshi.synth.linkage.generate_link_sources`): the
   police side mostly as read from the MRZ, the QazETA side typed by applicants (typos,
   transliteration variants, swapped names, day/month swaps, new passports), 70% of its
   people also on the police side, a few second documents inside each source. Generation
   is timed separately and excluded.
2. The production path (:func:`koshi.linkage.run.link`), timed step by step: features,
   training (prior, u from random pairs, EM; capped samples), scoring through the blocking
   rules, clustering with the same-document must-links. DuckDB with ``threads`` (2).
3. Accuracy against the kept truth: pairs scored, pairs in clusters (all and across
   documents), B-cubed, persons recovered exactly.

Peak memory is the process's maximum resident set (``ru_maxrss``), generation included.
Results go to ``benchmarks/out/link.json``; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from koshi.linkage import engine, evaluate
from koshi.linkage.run import Options, link
from koshi.synth.linkage import generate_link_sources

OUT = Path(__file__).parent / "out"


def _rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--left", type=int, default=1_000_000, help="police records")
    parser.add_argument("--right", type=int, default=1_000_000, help="QazETA records")
    parser.add_argument("--overlap", type=float, default=0.7, help="share of QazETA people also in the police source")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--u-pairs", type=float, default=engine.U_PAIRS)
    parser.add_argument("--em-pairs", type=float, default=engine.EM_PAIRS)
    parser.add_argument("--temp-dir", default=None, help="where DuckDB may spill (default: in memory only)")
    parser.add_argument("--out", type=Path, default=OUT / "link.json")
    args = parser.parse_args()

    t0 = time.perf_counter()
    left, right = generate_link_sources(args.left, args.right, overlap=args.overlap, seed=args.seed)
    records = pa.concat_tables([left, right], promote_options="permissive")
    generated = time.perf_counter() - t0
    print(f"generated {left.num_rows:,} + {right.num_rows:,} records in {generated:.1f} s")

    options = Options(training=engine.Training(u_pairs=args.u_pairs, em_pairs=args.em_pairs))
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()

    def progress(name: str) -> None:
        now = time.perf_counter() - start
        marks.append((name, now))
        print(f"  {now:7.1f} s  {name}  (peak {_rss_gib():.2f} GiB)", flush=True)

    backend = engine.DuckDBBackend(threads=args.threads, temp_dir=args.temp_dir)
    try:
        linked = link(records, backend, options=options, progress=progress)
    finally:
        backend.close()
    total = time.perf_counter() - start
    peak = _rss_gib()
    print(f"linked in {total:.1f} s; peak RSS {peak:.2f} GiB")

    truth = linked.records["person_id"]
    result = evaluate.clusters_vs_truth(linked.clusters.label, truth, linked.records["doc_key"])
    result = evaluate.with_pairs(result, evaluate.pairs_vs_truth(linked.pairs, truth, options.threshold))
    report: dict[str, Any] = {
        "left": left.num_rows,
        "right": right.num_rows,
        "overlap": args.overlap,
        "seed": args.seed,
        "threads": args.threads,
        "u_pairs": args.u_pairs,
        "em_pairs": args.em_pairs,
        "generation_seconds": round(generated, 1),
        "link_seconds": round(total, 1),
        "steps": linked.seconds,
        "progress": marks,
        "pairs_scored": linked.pairs.num_rows,
        "to_review": linked.review.num_rows,
        "peak_rss_gib": round(peak, 2),
        "accuracy": result.as_dict(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "processor": platform.processor()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    assert result.pairs_scored is not None
    print(
        f"pairs scored F1 {result.pairs_scored.f1:.4f} (P {result.pairs_scored.precision:.4f}, "
        f"R {result.pairs_scored.recall:.4f}); in clusters F1 {result.pairs_in_clusters.f1:.4f}; "
        f"across documents F1 {result.cross_document.f1:.4f}; B-cubed F1 {result.bcubed.f1:.4f}"
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
