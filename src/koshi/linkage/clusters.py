"""From scored pairs to persons: links above the threshold, what must and what may not be linked.

The model's links (pairs at or above the match threshold) are joined by
**must-links**: records of the same travel document, records already of one person
(ids stay stable: only a human splits a person), and pairs an officer accepted.
**Cannot-links** are pairs an officer rejected. Connected components give the
clusters (Splink's clustering on the backend, see :func:`koshi.linkage.engine.components`);
a component that would hold both ends of a cannot-link is re-clustered by adding
its links strongest first and refusing any that would join the two sides. The
result is a partition that honours every decision, or reports the decisions that
contradict each other (an officer accepted A-B and B-C but rejected A-C).

Pure: arrays in, arrays out; the component finder is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

IntArray = npt.NDArray[np.int64]
Components = Callable[[int, pa.Table], pa.Array]
"""``(n, edges with unique_id_l, unique_id_r) -> component label per record``."""

MUST = float("inf")


@dataclass(frozen=True, slots=True)
class Clusters:
    """``label[i]``: the smallest record index in record ``i``'s cluster. ``conflicts``: decisions not honoured."""

    label: IntArray
    conflicts: tuple[tuple[int, int], ...] = ()

    @property
    def count(self) -> int:
        return int(np.unique(self.label).size)


def chain(keys: pa.Array | pa.ChunkedArray) -> pa.Table:
    """Edges joining every run of equal, non-null ``keys`` (record i ↔ the next record with the same key)."""
    values = pa.chunked_array([keys]) if isinstance(keys, pa.Array) else keys
    idx = pc.array_sort_indices(values, null_placement="at_end")
    ordered = pc.take(values, idx)
    same = pc.fill_null(pc.equal(ordered[1:], ordered[:-1]), False) if len(ordered) > 1 else pa.array([], pa.bool_())
    pos = np.flatnonzero(np.asarray(same))
    order = np.asarray(idx, dtype=np.int64)
    left, right = order[pos], order[pos + 1]
    return pa.table({"unique_id_l": np.minimum(left, right), "unique_id_r": np.maximum(left, right)})


def _edges(left: Iterable[int], right: Iterable[int]) -> pa.Table:
    lft, rgt = np.fromiter(left, np.int64), np.fromiter(right, np.int64)
    return pa.table({"unique_id_l": np.minimum(lft, rgt), "unique_id_r": np.maximum(lft, rgt)})


def _canonical(label: pa.Array | IntArray) -> IntArray:
    """Relabel each cluster by its smallest member index."""
    lab = np.asarray(label, dtype=np.int64)
    order = np.argsort(lab, kind="stable")
    sorted_lab = lab[order]
    starts = np.r_[0, np.flatnonzero(sorted_lab[1:] != sorted_lab[:-1]) + 1]
    mins = np.minimum.reduceat(order, starts) if len(order) else order
    out = np.empty_like(lab)
    sizes = np.diff(np.r_[starts, len(order)])
    out[order] = np.repeat(mins, sizes)
    return out


def resolve(
    n: int,
    links: pa.Table,
    components: Components,
    *,
    must: Iterable[tuple[int, int]] = (),
    cannot: Iterable[tuple[int, int]] = (),
    must_edges: Iterable[pa.Table] = (),
) -> Clusters:
    """Cluster ``n`` records.

    Args:
        links: the model's links (``unique_id_l``, ``unique_id_r``, ``match_probability``), already thresholded.
        components: the connected-component finder (backend).
        must, cannot: officers' decisions as record index pairs (the latest per pair).
        must_edges: structural must-links (same document, same current person) as edge tables.
    """
    cannot_set = {(min(a, b), max(a, b)) for a, b in cannot}
    must_list = [(min(a, b), max(a, b)) for a, b in must if (min(a, b), max(a, b)) not in cannot_set]
    model = links.select(["unique_id_l", "unique_id_r", "match_probability"])
    if cannot_set:
        lft = np.asarray(model["unique_id_l"], dtype=np.int64)
        rgt = np.asarray(model["unique_id_r"], dtype=np.int64)
        banned = np.array([(a << 32) | b for a, b in cannot_set], dtype=np.int64)
        model = model.filter(pa.array(~np.isin((lft << 32) | rgt, banned)))
    structural = [t.select(["unique_id_l", "unique_id_r"]) for t in must_edges]
    all_edges = pa.concat_tables(
        [
            model.select(["unique_id_l", "unique_id_r"]),
            _edges(*zip(*must_list, strict=True)) if must_list else _edges((), ()),
            *structural,
        ],
        promote_options="permissive",
    ).cast(pa.schema([("unique_id_l", pa.int64()), ("unique_id_r", pa.int64())]))
    label = _canonical(np.asarray(components(n, all_edges), dtype=np.int64))
    torn = {label[a] for a, b in cannot_set if label[a] == label[b]}
    if not torn:
        return Clusters(label)
    return _recluster(label, torn, model, must_list, structural, cannot_set)


def _recluster(
    label: IntArray,
    torn: set[int],
    model: pa.Table,
    must_list: list[tuple[int, int]],
    structural: list[pa.Table],
    cannot: set[tuple[int, int]],
) -> Clusters:
    """Re-cluster the components holding a cannot-link: must-links first, then links by probability."""
    members = np.flatnonzero(np.isin(label, np.fromiter(torn, np.int64)))
    inside = set(members.tolist())
    edges: list[tuple[float, int, int]] = [(MUST, a, b) for a, b in must_list if a in inside]
    for table in structural:
        for a, b in zip(table["unique_id_l"].to_pylist(), table["unique_id_r"].to_pylist(), strict=True):
            if a in inside:
                edges.append((MUST, a, b))
    lft, rgt, prob = (model[c].to_pylist() for c in ("unique_id_l", "unique_id_r", "match_probability"))
    edges += [(p, a, b) for a, b, p in zip(lft, rgt, prob, strict=True) if a in inside]
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))

    parent = {m: m for m in inside}
    group: dict[int, set[int]] = {m: {m} for m in inside}
    forbidden: dict[int, set[int]] = {m: set() for m in inside}
    for a, b in cannot:
        if a in inside and b in inside:
            forbidden[a].add(b)
            forbidden[b].add(a)

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    conflicts: list[tuple[int, int]] = []
    for weight, a, b in edges:
        ra, rb = root(a), root(b)
        if ra == rb:
            continue
        if forbidden[ra] & group[rb]:
            if weight == MUST:
                conflicts.append((a, b))
            continue
        if len(group[ra]) < len(group[rb]):
            ra, rb = rb, ra
        parent[rb] = ra
        group[ra] |= group.pop(rb)
        forbidden[ra] |= forbidden.pop(rb)
    out = label.copy()
    for m in inside:
        out[m] = min(group[root(m)])
    return Clusters(out, tuple(conflicts))
