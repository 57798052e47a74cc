"""How good a linkage is, against known truth: pairwise and cluster precision, recall and F1.

Three views, because each hides something the others show:

- **pairs scored** (before clustering): of the pairs the model put at or above the
  threshold, how many are true (precision); of all true pairs, how many it found
  (recall; a true pair the blocking never compared counts as missed);
- **pairs in clusters** (after clustering): the same, counting every pair of records
  that ended up in one cluster; clustering adds pairs by transitivity, and the
  must-links of a document add pairs the model never had to find;
- **clusters**: B-cubed precision and recall (per record: the share of its cluster
  that is truly its person, and the share of its person that is in its cluster,
  averaged), and the share of true persons recovered exactly (one cluster, nothing else).

``cross-document`` variants leave out pairs of records of the same travel document,
which the registry links by construction: what is left is what the model had to find.

Pure numpy; counts via contingency tables, never by enumerating pairs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall, F1 and the counts behind them."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted: int
    actual: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def scores(tp: int, predicted: int, actual: int) -> Scores:
    """Scores from counts (precision 1 when nothing is predicted, recall 1 when nothing is true)."""
    precision = tp / predicted if predicted else 1.0
    recall = tp / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, int(tp), int(predicted), int(actual))


def _codes(values: pa.Array | pa.ChunkedArray | npt.ArrayLike) -> IntArray:
    """Dense integer codes of any labels (nulls become their own singleton codes)."""
    if isinstance(values, pa.ChunkedArray | pa.Array):
        enc = pc.dictionary_encode(values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values)
        codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    else:
        _, codes = np.unique(np.asarray(values), return_inverse=True)
        codes = codes.astype(np.int64)
    nulls = codes < 0
    if nulls.any():
        codes[nulls] = codes.max(initial=-1) + 1 + np.arange(int(nulls.sum()))
    return codes


def _pairs_within(*labels: IntArray) -> int:
    """Number of record pairs sharing every one of ``labels``."""
    if not len(labels[0]):
        return 0
    key = np.stack(labels, axis=1)
    _, counts = np.unique(key, axis=0, return_counts=True)
    return int((counts * (counts - 1) // 2).sum())


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Every view of one linkage against the truth."""

    records: int
    persons: int
    clusters: int
    pairs_scored: Scores | None
    pairs_in_clusters: Scores
    cross_document: Scores
    bcubed: Scores
    exact_persons: float

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "records": self.records,
            "persons": self.persons,
            "clusters": self.clusters,
            "pairs_in_clusters": self.pairs_in_clusters.as_dict(),
            "cross_document": self.cross_document.as_dict(),
            "bcubed": self.bcubed.as_dict(),
            "exact_persons": self.exact_persons,
        }
        if self.pairs_scored is not None:
            out["pairs_scored"] = self.pairs_scored.as_dict()
        return out


def clusters_vs_truth(
    cluster: npt.ArrayLike, truth: npt.ArrayLike, document: npt.ArrayLike | None = None
) -> Evaluation:
    """Compare a clustering with the true persons (one label per record each)."""
    c, t = _codes(cluster), _codes(truth)
    n = len(c)
    tp = _pairs_within(c, t)
    pred, actual = _pairs_within(c), _pairs_within(t)
    in_clusters = scores(tp, pred, actual)
    if document is not None:
        d = _codes(document)
        same_doc_tp = _pairs_within(c, t, d)
        cross = scores(tp - same_doc_tp, pred - _pairs_within(c, d), actual - _pairs_within(t, d))
    else:
        cross = in_clusters
    # B-cubed from the contingency table
    key = np.stack([c, t], axis=1)
    uniq, inverse, joint = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    c_size = np.bincount(c)
    t_size = np.bincount(t)
    per_record_joint = joint[inverse.ravel()]
    b_precision = float(np.mean(per_record_joint / c_size[c])) if n else 1.0
    b_recall = float(np.mean(per_record_joint / t_size[t])) if n else 1.0
    b_f1 = 2 * b_precision * b_recall / (b_precision + b_recall) if b_precision + b_recall else 0.0
    bcubed = Scores(b_precision, b_recall, b_f1, 0, 0, 0)
    # a person is recovered exactly when its records are one whole cluster
    exact = (joint == c_size[uniq[:, 0]]) & (joint == t_size[uniq[:, 1]])
    persons = len(np.unique(t))
    return Evaluation(
        records=n,
        persons=persons,
        clusters=len(np.unique(c)),
        pairs_scored=None,
        pairs_in_clusters=in_clusters,
        cross_document=cross,
        bcubed=bcubed,
        exact_persons=float(exact.sum() / persons) if persons else 1.0,
    )


def pairs_vs_truth(pairs: pa.Table, truth: npt.ArrayLike, threshold: float) -> Scores:
    """Pairwise scores of the model's pairs at ``threshold``; ``truth`` is indexed by ``unique_id``."""
    t = _codes(truth)
    above = pairs.filter(pc.greater_equal(pairs["match_probability"], threshold))
    left = np.asarray(above["unique_id_l"], dtype=np.int64)
    right = np.asarray(above["unique_id_r"], dtype=np.int64)
    tp = int(np.count_nonzero(t[left] == t[right]))
    return scores(tp, above.num_rows, _pairs_within(t))


def with_pairs(evaluation: Evaluation, pairs: Scores) -> Evaluation:
    """``evaluation`` with the pairs-scored view filled in."""
    return Evaluation(
        evaluation.records,
        evaluation.persons,
        evaluation.clusters,
        pairs,
        evaluation.pairs_in_clusters,
        evaluation.cross_document,
        evaluation.bcubed,
        evaluation.exact_persons,
    )
