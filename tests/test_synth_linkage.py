"""Two-source linkage data: sizes, overlap, duplicates, documents, truth and reproducibility."""

from __future__ import annotations

import time

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from koshi.linkage.records import RECORD, check_records
from koshi.synth.corrupt import APPLICANT, KINDS, POLICE
from koshi.synth.feeds import ORIGINS
from koshi.synth.linkage import (
    CLEAN,
    LEFT_SOURCE,
    RIGHT_SOURCE,
    LinkCorruption,
    generate_link_sources,
    identity_collisions,
)

LEFT, RIGHT = 40_000, 30_000


@pytest.fixture(scope="module")
def sources() -> tuple[pa.Table, pa.Table]:
    return generate_link_sources(LEFT, RIGHT, seed=5, diagnostics=True)


@pytest.fixture(scope="module")
def clean() -> tuple[pa.Table, pa.Table]:
    return generate_link_sources(LEFT, RIGHT, seed=5, corruption=CLEAN, diagnostics=True)


def con(left: pa.Table, right: pa.Table) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.register("l", left)
    c.register("r", right)
    return c


def one(c: duckdb.DuckDBPyConnection, sql: str) -> object:
    return c.sql(sql).fetchall()[0][0]


def test_sizes_schema_sources_and_ids(sources: tuple[pa.Table, pa.Table]) -> None:
    left, right = sources
    assert (left.num_rows, right.num_rows) == (LEFT, RIGHT)
    for table, source, prefix in ((left, LEFT_SOURCE, "P"), (right, RIGHT_SOURCE, "Q")):
        assert table.schema.names[: len(RECORD)] == RECORD.names
        assert table.schema.names[len(RECORD)] == "person_id"
        assert all(table.schema.field(f.name).type == f.type for f in RECORD)
        check_records(table)
        assert pc.all(pc.equal(table["source"], source)).as_py()
        assert pc.all(pc.match_substring_regex(table["record_id"], rf"^{prefix}\d{{9}}$")).as_py()
    ids = pa.concat_arrays([left["record_id"].combine_chunks(), right["record_id"].combine_chunks()])
    assert pc.count_distinct(ids).as_py() == LEFT + RIGHT
    assert right["iin"].null_count == RIGHT  # QazETA applications carry no IIN
    assert 0 < left["iin"].null_count < LEFT


def test_overlap_and_duplicates_are_as_asked(sources: tuple[pa.Table, pa.Table]) -> None:
    c = con(*sources)
    left_people = one(c, "SELECT count(DISTINCT person_id) FROM l")
    right_people = one(c, "SELECT count(DISTINCT person_id) FROM r")
    shared = one(c, "SELECT count(DISTINCT person_id) FROM r SEMI JOIN l USING (person_id)")
    assert LEFT - left_people == round(LEFT * 0.02) and RIGHT - right_people == round(RIGHT * 0.02)
    assert shared == round(right_people * 0.7)
    # a duplicate is the same person on another document
    for side in ("l", "r"):
        same_doc = one(c, f"SELECT count(*) FROM (SELECT person_id FROM {side} GROUP BY person_id "
                          "HAVING count(*) > 1 AND count(DISTINCT document) < count(*))")  # fmt: skip
        assert same_doc == 0


def test_shared_people_come_on_another_document_in_the_stated_share(clean: tuple[pa.Table, pa.Table]) -> None:
    c = con(*clean)
    moved, total = c.sql("""
        SELECT count(*) FILTER (WHERE l.doc_number <> r.doc_number), count(*)
        FROM (SELECT * FROM l QUALIFY count(*) OVER (PARTITION BY person_id) = 1) l
        JOIN (SELECT * FROM r QUALIFY count(*) OVER (PARTITION BY person_id) = 1) r USING (person_id)
        """).fetchall()[0]  # fmt: skip
    assert abs(moved / total - 0.3) < 0.02
    cards = one(c, "SELECT count(*) FROM r WHERE document = 'identity_card'")
    assert cards > 0
    countries = {row[0] for row in c.sql("SELECT DISTINCT doc_country FROM r WHERE doc_type = 'ID'").fetchall()}
    assert countries <= {o.iso3 for o in ORIGINS if o.id_card is not None}


def test_clean_sources_agree_on_identity_and_differ_only_by_document(clean: tuple[pa.Table, pa.Table]) -> None:
    c = con(*clean)
    differing = one(c, """
        SELECT count(*) FROM l JOIN r USING (person_id)
        WHERE l.surname <> r.surname OR l.given_names IS DISTINCT FROM r.given_names
           OR l.birth_date <> r.birth_date OR l.sex <> r.sex OR l.nationality <> r.nationality
        """)  # fmt: skip
    assert differing == 0
    assert clean[0]["corruptions"].null_count == LEFT and clean[1]["corruptions"].null_count == RIGHT


def test_each_source_is_corrupted_at_its_rates(sources: tuple[pa.Table, pa.Table]) -> None:
    for table, rates in zip(sources, (POLICE, APPLICANT), strict=True):
        flags = table["corruptions"].to_pylist()
        for kind in ("typo", "swap_names", "doc_number_typo"):
            share = sum(kind in (f or "").split(",") for f in flags) / table.num_rows
            expected = rates.rate(kind)
            assert abs(share - expected) < 5 * (expected / table.num_rows) ** 0.5 + 0.002, (kind, share)
        assert {k for f in flags if f for k in f.split(",")} <= set(KINDS)


def test_no_document_number_belongs_to_two_people(sources: tuple[pa.Table, pa.Table]) -> None:
    c = con(*sources)
    shared = one(c, """
        SELECT count(*) FROM (SELECT doc_country, doc_number FROM (FROM l UNION ALL FROM r)
                              GROUP BY ALL HAVING count(DISTINCT person_id) > 1)
        """)  # fmt: skip
    assert shared == 0


def test_people_mix_as_in_the_feeds(sources: tuple[pa.Table, pa.Table]) -> None:
    left, _ = sources
    counts = dict(zip(*pc.value_counts(left["nationality"]).flatten(), strict=True))
    share = {k.as_py(): v.as_py() / LEFT for k, v in counts.items()}
    total = sum(o.weight for o in ORIGINS)
    for o in ORIGINS:
        if o.weight >= 5:
            assert abs(share[o.iso3] - o.weight / total) < 0.02, o.iso3
    assert left["surname"].null_count == 0 and pc.count_distinct(left["surname"]).as_py() > 5000  # long tails


def test_the_same_seed_gives_the_same_sources() -> None:
    a = generate_link_sources(3000, 2000, seed=9)
    b = generate_link_sources(3000, 2000, seed=9)
    c = generate_link_sources(3000, 2000, seed=10)
    assert a[0].equals(b[0]) and a[1].equals(b[1])
    assert not a[0].equals(c[0]) and not a[1].equals(c[1])


def test_identity_collisions_count_pairs_of_different_people() -> None:
    def table(rows: list[tuple[str, int]]) -> pa.Table:
        return pa.table(
            {
                "surname": ["LI"] * len(rows),
                "given_names": [None] * len(rows),
                "birth_date": pa.array([d for _, d in rows], pa.int32()).cast(pa.date32()),
                "nationality": [n for n, _ in rows],
                "person_id": list(range(len(rows))),
            }
        )

    left = table([("CHN", 1), ("CHN", 1), ("CHN", 2)]).set_column(4, "person_id", pa.array([1, 2, 3]))
    right = table([("CHN", 1), ("KOR", 1)]).set_column(4, "person_id", pa.array([1, 9]))
    # CHN/day 1: persons 1, 2 (left) and 1 (right): pairs (1,2) twice = 2; cross (2 left, 1 right) = 1
    assert identity_collisions(left, right) == {"pairs": 2, "cross_pairs": 1, "records": 3}


def test_different_people_rarely_share_a_full_identity(sources: tuple[pa.Table, pa.Table]) -> None:
    # long-tailed name frequencies (koshi.synth.names): at 70,000 records, a handful of namesakes at most
    found = identity_collisions(*sources)
    assert found["records"] < 0.0005 * (LEFT + RIGHT)


def test_a_hundred_thousand_a_side_take_a_few_seconds() -> None:
    started = time.perf_counter()
    left, right = generate_link_sources(100_000, 100_000, seed=1, corruption=LinkCorruption())
    assert time.perf_counter() - started < 15
    assert left.num_rows == right.num_rows == 100_000


def test_bad_arguments_are_refused_with_the_reason() -> None:
    for kwargs, text in (
        ({"left": 0, "right": 5}, "left must be at least 1"),
        ({"left": 5, "right": 0}, "right must be at least 1"),
        ({"left": 5, "right": 5, "overlap": 1.5}, "overlap must be between"),
        ({"left": 5, "right": 5, "duplicates": 0.9}, "duplicates must be between 0 and 0.5"),
        ({"left": 10, "right": 100, "overlap": 0.9}, "lower overlap"),
    ):
        with pytest.raises(ValueError, match=text):
            generate_link_sources(**kwargs, seed=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed"):
        generate_link_sources(5, 5, seed=-1)
