"""The pure parts of record linkage: records and features, clusters with overrides, stable ids, evaluation."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshi.linkage import evaluate, ids, model
from koshi.linkage.clusters import chain, resolve
from koshi.linkage.records import LinkInputError, check_records, features


def _records(**overrides: list[object]) -> pa.Table:
    base: dict[str, list[object]] = {
        "record_id": ["a", "b", "c"],
        "source": ["border_events", "registrations", "border_events"],
        "doc_type": ["P", "P", "ID"],
        "doc_country": ["RUS", "RUS", "KGZ"],
        "doc_number": ["7512 345678", "7512345678", "ID1234567"],
        "nationality": ["RUS", "RUS", "KGZ"],
        "surname": ["Щербаков", "SHCHERBAKOV", "ASAN UULU"],
        "given_names": ["Юрий", "YURIY", None],
        "birth_date": ["1990-01-02", None, "1980-05-06"],
        "sex": ["M", "M", "M"],
        "iin": [None, None, None],
    }
    base.update(overrides)
    return pa.table(base)


def test_features_fold_spellings_and_sort_name_words() -> None:
    f = features(check_records(_records()))
    rows = f.to_pylist()
    assert rows[0]["surname_key"] == rows[1]["surname_key"] == "SHERBAKOV"
    assert rows[0]["given_key"] == rows[1]["given_key"]
    assert rows[0]["doc_key"] == rows[1]["doc_key"] == "RUS:7512345678"  # spaces are not part of a number
    assert rows[2]["name_tokens"] == ["ASAN", "ULU"] and rows[2]["given_key"] is None
    assert rows[0]["dob"] == "1990-01-02" and rows[1]["dob"] is None and rows[0]["birth_year"] == 1990
    assert f["unique_id"].to_pylist() == [0, 1, 2]


def test_swapped_names_have_the_same_sorted_words() -> None:
    f = features(check_records(_records(surname=["IVANOV", "IURII", "X"], given_names=["IURII", "IVANOV", None])))
    assert f["name_sorted"][0] == f["name_sorted"][1]
    assert f["surname_key"][0] != f["surname_key"][1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"record_id": ["a", "a", "c"]}, "record id(s) used more than once: row 1, record_id"),
        ({"source": ["x", None, "y"]}, "row 2, source: missing"),
        ({"birth_date": ["1990-01-02", "31.12.1990", None]}, "row 2, birth_date: not a date"),
        ({"surname": [None, "X", "Y"], "doc_number": [None, "1", "2"]}, "row 1, surname: neither a surname"),
    ],
)
def test_bad_records_name_row_and_field_never_the_value(change: dict[str, list[object]], message: str) -> None:
    with pytest.raises(LinkInputError) as info:
        check_records(_records(**change))
    assert message in str(info.value)
    assert "31.12.1990" not in str(info.value)


def test_missing_column_and_no_records_are_clear() -> None:
    with pytest.raises(LinkInputError, match="missing column"):
        check_records(_records().drop_columns(["nationality"]))
    with pytest.raises(LinkInputError, match="no records"):
        check_records(_records().slice(0, 0))


# --- clusters -----------------------------------------------------------------------------------


def _links(pairs: list[tuple[int, int, float]]) -> pa.Table:
    return pa.table(
        {
            "unique_id_l": pa.array([a for a, _, _ in pairs], pa.int64()),
            "unique_id_r": pa.array([b for _, b, _ in pairs], pa.int64()),
            "match_probability": pa.array([p for _, _, p in pairs], pa.float64()),
        }
    )


def _components(n: int, edges: pa.Table) -> pa.Array:
    """A plain union-find, standing in for the backend in pure tests."""
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in zip(edges["unique_id_l"].to_pylist(), edges["unique_id_r"].to_pylist(), strict=True):
        parent[root(a)] = root(b)
    return pa.array([root(i) for i in range(n)], pa.int64())


def test_links_must_and_cannot_links() -> None:
    links = _links([(0, 1, 0.99), (1, 2, 0.7), (3, 4, 0.95)])
    plain = resolve(6, links, _components)
    assert plain.label.tolist() == [0, 0, 0, 3, 3, 5]
    # an officer rejected 0-2: the weaker link 1-2 is the one dropped
    cut = resolve(6, links, _components, cannot=[(2, 0)])
    assert cut.label.tolist() == [0, 0, 2, 3, 3, 5] and not cut.conflicts
    # rejected directly: 3-4 never joins; accepted: 4-5 joins
    over = resolve(6, links, _components, cannot=[(3, 4)], must=[(5, 4)])
    assert over.label.tolist()[3:] == [3, 4, 4]


def test_same_document_is_one_person_and_contradictions_are_reported() -> None:
    same_doc = chain(pa.array(["RUS:1", None, "RUS:1", None]))
    c = resolve(4, _links([]), _components, must_edges=[same_doc])
    assert c.label.tolist() == [0, 1, 0, 3]
    bad = resolve(3, _links([]), _components, must=[(0, 1), (1, 2)], cannot=[(0, 2)])
    assert bad.conflicts and len(set(bad.label.tolist())) == 2


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 12),
    data=st.data(),
)
def test_every_rejected_pair_ends_apart_and_every_label_is_the_smallest_member(n: int, data: st.DataObject) -> None:
    pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1])
    raw = data.draw(st.lists(st.tuples(pair, st.floats(0.6, 1.0)), max_size=20))
    links = _links([(min(a, b), max(a, b), p) for (a, b), p in raw])
    cannot = data.draw(st.lists(pair, max_size=4))
    c = resolve(n, links, _components, cannot=cannot)
    for a, b in cannot:
        assert c.label[a] != c.label[b]
    for i, lab in enumerate(c.label.tolist()):
        assert lab == min(j for j in range(n) if c.label[j] == lab) and lab <= i


# --- stable ids ---------------------------------------------------------------------------------


def test_new_records_join_the_oldest_person_and_merges_are_reported() -> None:
    a = ids.assign(np.array([0, 0, 0, 3, 4]), np.array([12, 10, -1, 11, -1]), next_id=20)
    assert a.person.tolist() == [10, 10, 10, 11, 20]
    assert a.merges == ((12, 10),) and a.splits == () and a.created == 1


def test_a_split_keeps_the_id_where_most_records_are() -> None:
    a = ids.assign(np.array([0, 0, 2]), np.array([5, 5, 5]), next_id=6)
    assert a.person.tolist() == [5, 5, 6] and a.splits == ((5, 6),) and a.merges == ()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(-1, 4)), min_size=1, max_size=25))
def test_ids_never_change_for_a_person_kept_whole(rows: list[tuple[int, int]]) -> None:
    cluster = np.array([c for c, _ in rows])
    current = np.array([p for _, p in rows])
    a = ids.assign(cluster, current, next_id=100)
    # one person per cluster
    for c in set(cluster.tolist()):
        assert len(set(a.person[cluster == c].tolist())) == 1
    # a known person whose records are all in one cluster keeps its id unless merged into an older one
    merged = {f for f, _ in a.merges}
    for p in set(current.tolist()) - {-1}:
        clusters_of_p = set(cluster[current == p].tolist())
        if len(clusters_of_p) == 1 and p not in merged:
            assert set(a.person[current == p].tolist()) == {p}
    for f, into in a.merges:
        assert into < f
    assert all(x >= 100 for x in set(a.person.tolist()) - set(current.tolist()))


# --- evaluation ---------------------------------------------------------------------------------


def _brute(cluster: list[int], truth: list[int]) -> tuple[int, int, int]:
    tp = pred = actual = 0
    for i, j in itertools.combinations(range(len(cluster)), 2):
        same_c, same_t = cluster[i] == cluster[j], truth[i] == truth[j]
        pred += same_c
        actual += same_t
        tp += same_c and same_t
    return tp, pred, actual


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=30))
def test_pairwise_counts_match_enumerating_every_pair(rows: list[tuple[int, int]]) -> None:
    cluster, truth = [c for c, _ in rows], [t for _, t in rows]
    e = evaluate.clusters_vs_truth(cluster, truth)
    s = e.pairs_in_clusters
    assert (s.true_positives, s.predicted, s.actual) == _brute(cluster, truth)
    assert 0.0 <= e.bcubed.f1 <= 1.0


def test_perfect_and_split_clusterings() -> None:
    truth = [1, 1, 2, 2, 2]
    perfect = evaluate.clusters_vs_truth([0, 0, 5, 5, 5], truth)
    assert perfect.pairs_in_clusters.f1 == 1.0 and perfect.bcubed.f1 == 1.0 and perfect.exact_persons == 1.0
    split = evaluate.clusters_vs_truth([0, 0, 5, 5, 7], truth)
    assert split.pairs_in_clusters.precision == 1.0 and split.pairs_in_clusters.recall == pytest.approx(2 / 4)
    assert split.exact_persons == 0.5
    # same-document pairs are left out of the cross-document view
    cross = evaluate.clusters_vs_truth([0, 0, 5, 5, 7], truth, ["d1", "d1", "d2", "d2", "d3"])
    assert cross.cross_document.actual == 2 and cross.cross_document.true_positives == 0


def test_pairs_view_counts_missed_true_pairs() -> None:
    pairs = _links([(0, 1, 0.95), (2, 3, 0.4), (1, 2, 0.99)])
    s = evaluate.pairs_vs_truth(pairs, [7, 7, 8, 8], threshold=0.5)
    assert (s.true_positives, s.predicted, s.actual) == (1, 2, 2)


# --- model --------------------------------------------------------------------------------------


def test_port_renders_spark_sql_and_keeps_parameters() -> None:
    trained = model.settings().create_settings_dict("duckdb")
    trained["probability_two_random_records_match"] = 0.001
    trained["comparisons"][1]["comparison_levels"][1]["m_probability"] = 0.9
    spark = model.port(trained, "spark")
    assert spark["probability_two_random_records_match"] == 0.001
    assert spark["comparisons"][1]["comparison_levels"][1]["m_probability"] == 0.9
    assert "`" in str(spark["blocking_rules_to_generate_predictions"])
    broken = {**trained, "comparisons": trained["comparisons"][:-1]}
    with pytest.raises(ValueError, match="other comparisons"):
        model.port(broken, "duckdb")


def test_birth_dates_and_records_round_trip_through_features() -> None:
    f = features(check_records(_records(birth_date=[dt.date(2000, 2, 29), None, dt.date(1970, 1, 1)])))
    assert f["dob"].to_pylist() == ["2000-02-29", None, "1970-01-01"]
