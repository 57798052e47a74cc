"""Aggregate view of a scored table: decisions, score distribution and gates that fired."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from koshi.rules.pack import DECISIONS, PolicyPack


@dataclass(slots=True)
class Summary:
    """Counts and score quantiles of one scoring run."""

    scored: int
    rejected_rows: int
    decisions: dict[str, int]
    total_mean: float
    total_quantiles: dict[str, float]
    gates_fired: dict[str, int] = field(default_factory=dict)


def summarise(pack: PolicyPack, scored: pa.Table, rejected_rows: int) -> Summary:
    """Summarise a public result table (columns ``total``, ``decision``, ``ko_*``, ``review_*``)."""
    n = scored.num_rows
    decisions = scored.column("decision").to_numpy(zero_copy_only=False) if n else np.array([], dtype=str)
    counts = {d: int(np.count_nonzero(decisions == d)) for d in DECISIONS}
    totals = scored.column("total").to_numpy(zero_copy_only=False).astype(float) if n else np.array([0.0])
    qs = {f"p{q}": float(np.percentile(totals, q)) for q in (10, 50, 90)}
    gates = {}
    for g in (*pack.knockouts, *pack.reviews):
        prefix = "ko_" if g in pack.knockouts else "review_"
        name = prefix + g.key
        if n and name in scored.column_names:
            gates[name] = int(np.count_nonzero(scored.column(name).to_numpy(zero_copy_only=False)))
    return Summary(n, rejected_rows, counts, float(totals.mean()) if n else 0.0, qs, gates)
