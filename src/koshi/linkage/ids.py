"""Stable person ids: a new clustering never renames anyone who already has an id.

Given each record's current person (or none, for a new record) and its new
cluster, :func:`assign` decides every record's person:

- a cluster with no known person gets a new id;
- a cluster holding one known person keeps it (new records join that person);
- a cluster holding several known persons keeps the **oldest** (smallest) id; the
  others are *merged* into it, and each merge is reported so it can be recorded;
- a known person whose records now fall in several clusters (only an officer's
  split does that: automatic runs keep a person's records together) keeps its id
  in the cluster with most of its records (ties: the one with its smallest
  record); the other clusters are *split off* under new ids.

Pure: arrays in, arrays out.

Examples:
    >>> import numpy as np
    >>> a = assign(np.array([0, 0, 2, 2, 4]), np.array([7, -1, 9, 8, -1]), next_id=10)
    >>> a.person.tolist(), a.merges, a.created
    ([7, 7, 8, 8, 10], ((9, 8),), 1)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
NONE = -1


@dataclass(frozen=True, slots=True)
class Assignment:
    """Each record's person; merges as ``(from_id, into_id)``; splits as ``(from_id, new_id)``; ids created."""

    person: IntArray
    merges: tuple[tuple[int, int], ...]
    splits: tuple[tuple[int, int], ...]
    created: int


def assign(cluster: IntArray, current: IntArray, next_id: int) -> Assignment:
    """Person ids for records in ``cluster`` (labels), given their ``current`` ids (:data:`NONE` if new).

    New ids are ``next_id``, ``next_id + 1``... in order of each cluster's smallest record.
    """
    cluster = np.asarray(cluster, dtype=np.int64)
    current = np.asarray(current, dtype=np.int64)
    n = len(cluster)
    if len(current) != n:
        raise ValueError("cluster and current must have one entry per record")
    if n and current.max(initial=NONE) >= next_id:
        raise ValueError("next_id must be above every current id")
    person = np.full(n, NONE, dtype=np.int64)
    known = current != NONE

    # which cluster keeps each known person: most records, then its smallest record
    keeper: dict[int, int] = {}
    if known.any():
        idx = np.flatnonzero(known)
        pairs = np.stack([current[idx], cluster[idx]], axis=1)
        uniq, first, counts = np.unique(pairs, axis=0, return_index=True, return_counts=True)
        first_record = idx[first]
        order = np.lexsort((first_record, -counts, uniq[:, 0]))
        for pid, cl in uniq[order]:
            keeper.setdefault(int(pid), int(cl))

    splits: list[tuple[int, int]] = []
    merges: list[tuple[int, int]] = []
    created = 0
    order = np.argsort(cluster, kind="stable")
    sorted_cl = cluster[order]
    starts = np.r_[0, np.flatnonzero(sorted_cl[1:] != sorted_cl[:-1]) + 1] if n else np.zeros(0, np.int64)
    ends = np.r_[starts[1:], n] if n else starts
    groups = sorted(
        ((int(order[s:e].min()), order[s:e]) for s, e in zip(starts, ends, strict=True)), key=lambda g: g[0]
    )
    for _, rows in groups:
        cl = int(cluster[rows[0]])
        ids = sorted({int(x) for x in current[rows] if x != NONE})
        owned = [p for p in ids if keeper[p] == cl]
        if owned:
            survivor = owned[0]
            merges += [(p, survivor) for p in owned[1:]]
        else:
            survivor = next_id + created
            created += 1
        splits += [(p, survivor) for p in ids if keeper[p] != cl]
        person[rows] = survivor
    return Assignment(person, tuple(merges), tuple(splits), created)
