"""One linkage, start to end: check, features, model, scores, clusters, the review band.

Used the same way by ``koshi link run`` on files and by the registry
(:mod:`koshi.store.linkage`), so what is measured on synthetic data is what runs
on the registry. Thresholds (see :class:`Options`): pairs at or above ``threshold``
are linked; pairs from ``review_from`` up to it are for an officer to decide; below
that they are ignored.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from koshi.linkage import engine
from koshi.linkage.clusters import Clusters, chain, resolve
from koshi.linkage.records import check_records, features

Progress = Callable[[str], None]


THRESHOLD = 0.8
"""Link at or above this match probability (see docs/linkage.md for how it was chosen)."""
REVIEW_FROM = 0.2
"""Send pairs from this probability up to :data:`THRESHOLD` to an officer."""


@dataclass(frozen=True, slots=True)
class Options:
    """Thresholds on the match probability, and how much training reads."""

    threshold: float = THRESHOLD
    review_from: float = REVIEW_FROM
    floor: float = 0.01  # pairs below this are not even returned by scoring
    training: engine.Training = field(default_factory=engine.Training)

    def __post_init__(self) -> None:
        if not 0.0 < self.floor <= self.review_from <= self.threshold <= 1.0:
            raise ValueError("thresholds must satisfy 0 < floor <= review_from <= threshold <= 1")


@dataclass(frozen=True, slots=True)
class Linked:
    """The outcome of one linkage.

    ``records``: the checked records with their features (``unique_id`` = row).
    ``pairs``: every scored pair at or above ``floor``.
    ``clusters``: one label per record (its cluster's smallest row).
    ``review``: pairs in the review band whose records ended in different clusters.
    ``trained``: the model used (DuckDB settings dictionary); ``seconds`` per step.
    """

    records: pa.Table
    pairs: pa.Table
    clusters: Clusters
    review: pa.Table
    trained: dict[str, Any]
    seconds: dict[str, float]


def link(
    records: pa.Table,
    backend: engine.Backend,
    *,
    trained: dict[str, Any] | None = None,
    options: Options = Options(),
    new: pa.Array | None = None,
    together: Iterable[str] = ("doc_key",),
    must: Iterable[tuple[int, int]] = (),
    cannot: Iterable[tuple[int, int]] = (),
    progress: Progress | None = None,
) -> Linked:
    """Link ``records`` (:data:`koshi.linkage.records.RECORD` columns).

    Args:
        trained: a model to reuse; trained on ``records`` when None.
        new: boolean mask of the records new since the last run: only pairs touching
            them are scored (the others were scored before).
        together: columns whose equal values must be in one person (the same
            document; the registry adds the current person).
        must, cannot: officers' decisions as row pairs.

    Raises:
        LinkInputError: the records are empty or malformed.
    """
    step = progress or (lambda _: None)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = round(now - clock, 3)
        clock = now

    step("checking records")
    feats = features(check_records(records))
    lap("features")
    if trained is None:
        trained = engine.train(feats, options.training, progress=step)
        lap("training")
    step("scoring pairs")
    pairs = engine.score(feats, trained, backend, threshold=options.floor, new=new)
    lap("scoring")
    step("clustering")
    links = pairs.filter(pc.greater_equal(pairs["match_probability"], options.threshold))
    clusters = resolve(
        feats.num_rows,
        links,
        lambda n, edges: engine.components(n, edges, backend),
        must=must,
        cannot=cannot,
        must_edges=[chain(feats[c]) for c in together],
    )
    lap("clustering")
    band = pairs.filter(
        pc.and_(
            pc.greater_equal(pairs["match_probability"], options.review_from),
            pc.less(pairs["match_probability"], options.threshold),
        )
    )
    label = clusters.label
    left = np.asarray(band["unique_id_l"], dtype=np.int64)
    apart = label[left] != label[np.asarray(band["unique_id_r"], dtype=np.int64)]
    review = band.filter(pa.array(apart))
    return Linked(feats, pairs, clusters, review, trained, seconds)
