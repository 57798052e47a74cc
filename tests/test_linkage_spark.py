"""The Spark backend links like DuckDB: the same pairs, weights and persons, in Spark local mode.

One Spark session (local[2]) for the module. The model is trained once on DuckDB,
then scored and clustered on both backends; everything is compared, pair by pair and
as partitions of the records into persons. The SQL the model runs is checked
function by function and level by level on names that tell Spark's and DuckDB's
Jaro-Winkler apart. Skipped only when there is no Java 17 here.
"""

from __future__ import annotations

import random
import stat
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import sqlglot
from sqlglot import exp

from koshi.linkage import engine, model
from koshi.linkage.records import check_records, features
from koshi.linkage.spark import INSTALL_JAVA, SparkBackend, SparkUnavailable, find_java
from koshi.synth.linkage import generate_link_sources

THRESHOLD = 0.01  # pairs scored at all
LINKED = 0.9  # pairs that join records into one person
TOLERANCE = 1e-9

# Where Splink's Spark Jaro-Winkler (the jar) and DuckDB's differ, across the 0.8 and 0.92 thresholds.
TRICKY = [
    ("ASKARA", "SKARA"),  # jar 0.7778, DuckDB 0.8111
    ("KAIRATBEK", "KIRATBEK"),  # jar 0.9104, DuckDB 0.9292
    ("NATALIA", "NATLIA"),  # jar 0.9083, DuckDB 0.9278
    ("MARTHA", "MARHTA"),
    ("DWAYNE", "DUANE"),
    ("A B", "B A"),
    ("", ""),
    ("", "A"),
    ("A", ""),
    ("АВ123456", "AB123456"),  # Cyrillic letters in a document number
    ("1990-03-07", "1990-07-03"),
    ("1990-03-17", "1990-03-71"),
    ("ABDULLAEV ABDULLA ABDULLAEVICH ALIMZHAN KIZI UULU", "ABDULLAEV ABDULLA ABDULLAEVICH ALIMZHAN KIZI"),
    (None, "A"),
    ("A", None),
    (None, None),
]
LEVEL_COLUMNS = (
    "surname_key",
    "given_key",
    "name_sorted",
    "name_tokens",
    "dob",
    "doc_key",
    "doc_country",
    "doc_number",
    "sex",
    "nationality",
    "iin",
)
CHECKED_FUNCTIONS = {
    "jaro_winkler",
    "jarowinkler_similarity",
    "damerau_levenshtein",
    "substring",
    "array_size",
    "array_intersect",
}
"""The functions of the model's Spark SQL that these tests compare with DuckDB's."""


@dataclass
class Run:
    scored: pa.Table
    incremental: pa.Table
    persons: pa.Array
    persons_incremental: pa.Array


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkBackend]:
    try:
        find_java()
    except SparkUnavailable as exc:
        pytest.skip(str(exc))
    # C1-only JIT: a third faster for short jobs like these (the default suits long national runs)
    backend = SparkBackend(
        master="local[2]", partitions=4, conf={"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1"}
    )
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def feats() -> pa.Table:
    left, right = generate_link_sources(2000, 1500, seed=2026)
    return features(check_records(pa.concat_tables([left, right])))


@pytest.fixture(scope="module")
def trained(feats: pa.Table) -> dict[str, Any]:
    return engine.train(feats, engine.Training(u_pairs=1e6))


@pytest.fixture(scope="module")
def new(feats: pa.Table) -> pa.Array:
    """An eighth of the records arrive as a new batch."""
    return pc.equal(pc.bit_wise_and(feats["unique_id"], 7), 0)


def _run(backend: engine.Backend, feats: pa.Table, trained: dict[str, Any], new: pa.Array) -> Run:
    scored = engine.score(feats, trained, backend, threshold=THRESHOLD)
    incremental = engine.score(feats, trained, backend, threshold=THRESHOLD, new=new)
    return Run(
        scored,
        incremental,
        engine.components(feats.num_rows, _linked(scored), backend),
        engine.components(feats.num_rows, _linked(incremental), backend),
    )


def _linked(pairs: pa.Table) -> pa.Table:
    return pairs.filter(pc.greater_equal(pairs["match_probability"], LINKED))


@pytest.fixture(scope="module")
def on_duckdb(feats: pa.Table, trained: dict[str, Any], new: pa.Array) -> Run:
    with engine.opened("duckdb") as backend:
        return _run(backend, feats, trained, new)


@pytest.fixture(scope="module")
def on_spark(spark: SparkBackend, feats: pa.Table, trained: dict[str, Any], new: pa.Array) -> Run:
    return _run(spark, feats, trained, new)


def _by_pair(pairs: pa.Table) -> dict[tuple[int, int], dict[str, Any]]:
    return {(row["unique_id_l"], row["unique_id_r"]): row for row in pairs.to_pylist()}


def _assert_same_pairs(duck: pa.Table, spark: pa.Table) -> None:
    assert spark.column_names == duck.column_names
    ours, theirs = _by_pair(duck), _by_pair(spark)
    assert len(ours) == duck.num_rows and len(theirs) == spark.num_rows  # no pair twice
    assert set(theirs) == set(ours)
    for key, row in ours.items():
        other = theirs[key]
        for column, value in row.items():
            if column.startswith(("mw_", "match_")):
                assert other[column] == pytest.approx(value, abs=TOLERANCE), (key, column)
            else:
                assert other[column] == value, (key, column)


def _persons(cluster: pa.Array, feats: pa.Table) -> set[frozenset[str]]:
    """The records grouped into persons, whatever the cluster ids are."""
    groups: dict[int, set[str]] = {}
    for person, record in zip(cluster.to_pylist(), feats["record_id"].to_pylist(), strict=True):
        groups.setdefault(person, set()).add(record)
    return {frozenset(g) for g in groups.values()}


# -- the functions and levels of the model's SQL ------------------------------------------------


def test_model_uses_only_checked_functions() -> None:
    """A new function in the model must be compared with DuckDB's here before Spark can be trusted with it."""
    settings = model.settings().create_settings_dict("spark")
    used: set[str] = set()
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level["sql_condition"] == "ELSE":
                continue
            for node in sqlglot.parse_one(level["sql_condition"], read="spark").find_all(exp.Func):
                if not isinstance(node, exp.Connector):
                    used.add(node.name.lower() if isinstance(node, exp.Anonymous) else node.sql_name().lower())
    assert used <= CHECKED_FUNCTIONS, used - CHECKED_FUNCTIONS


def _random_pairs(count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for alphabet in ("AB", "ABCDE", string.ascii_uppercase + " "):
        for _ in range(count):
            size = rng.randint(0, 70 if rng.random() < 0.1 else 12)
            other = max(0, size + rng.randint(-3, 3)) if rng.random() < 0.7 else rng.randint(0, 12)
            out.append(("".join(rng.choices(alphabet, k=size)), "".join(rng.choices(alphabet, k=other))))
    return out


@pytest.mark.slow
def test_string_functions_are_duckdbs(spark: SparkBackend) -> None:
    """``jaro_winkler`` and ``damerau_levenshtein`` on Spark give DuckDB's values to the last bit."""
    pairs = TRICKY + _random_pairs(3000, seed=6)
    table = pa.table({"i": range(len(pairs)), "a": [a for a, _ in pairs], "b": [b for _, b in pairs]})
    duck = (
        duckdb.connect()
        .from_arrow(table)
        .project("i, jaro_winkler_similarity(a, b) AS jw, CAST(damerau_levenshtein(a, b) AS DOUBLE) AS dl")
        .order("i")
        .to_arrow_table()
    )
    spark.session.createDataFrame(table).createOrReplaceTempView("koshi_test_strings")
    ours = spark.session.sql(
        "SELECT i, jaro_winkler(a, b) AS jw, damerau_levenshtein(a, b) AS dl FROM koshi_test_strings ORDER BY i"
    ).toArrow()
    assert ours["jw"].to_pylist() == duck["jw"].to_pylist()
    assert ours["dl"].to_pylist() == duck["dl"].to_pylist()
    assert ours["jw"][0].as_py() == pytest.approx(0.8111111, abs=1e-6)  # ASKARA/SKARA: DuckDB's value, not the jar's


def _level_pairs(feats: pa.Table, scored: pa.Table) -> pa.Table:
    """Pairs to evaluate the levels on: the scored ones, random ones and the tricky values."""
    rng = random.Random(7)
    n = feats.num_rows
    left = scored["unique_id_l"].to_pylist() + [rng.randrange(n) for _ in range(3000)]
    right = scored["unique_id_r"].to_pylist() + [rng.randrange(n) for _ in range(3000)]
    columns: dict[str, list[Any]] = {}
    for name in LEVEL_COLUMNS:
        values = feats[name].to_pylist()
        columns[f"{name}_l"] = [values[i] for i in left]
        columns[f"{name}_r"] = [values[i] for i in right]
    for a, b in TRICKY:
        for name in LEVEL_COLUMNS:
            tokens = name == "name_tokens"
            columns[f"{name}_l"].append(sorted(a.split()) if tokens and a is not None else a)
            columns[f"{name}_r"].append(sorted(b.split()) if tokens and b is not None else b)
    return pa.table(columns, schema=pa.schema([(c, feats.schema.field(c[:-2]).type) for c in columns]))


@pytest.mark.slow
def test_every_level_decides_as_on_duckdb(spark: SparkBackend, feats: pa.Table, on_duckdb: Run) -> None:
    """Each comparison level's condition holds for the same pairs on Spark as on DuckDB."""
    pairs = _level_pairs(feats, on_duckdb.scored)
    pairs = pairs.append_column("i", pa.array(range(pairs.num_rows)))

    def select(dialect: str) -> str:
        levels = [
            f"CASE WHEN {level['sql_condition']} THEN 1 ELSE 0 END AS c{k}_{j}"
            for k, comparison in enumerate(model.settings().create_settings_dict(dialect)["comparisons"])
            for j, level in enumerate(comparison["comparison_levels"])
            if level["sql_condition"] != "ELSE"
        ]
        return "SELECT i, " + ", ".join(levels) + " FROM koshi_test_levels ORDER BY i"

    con = duckdb.connect()
    con.register("koshi_test_levels", pairs)
    duck = con.sql(select("duckdb")).to_arrow_table()
    spark.session.createDataFrame(pairs).createOrReplaceTempView("koshi_test_levels")
    ours = spark.session.sql(select("spark")).toArrow()
    assert ours.column_names == duck.column_names
    for column in duck.column_names:
        assert ours[column].to_pylist() == duck[column].to_pylist(), column
    assert pc.sum(duck["c0_3"]).as_py() > 0  # both names similar: the Jaro-Winkler level was reached


# -- scoring and clustering --------------------------------------------------------------------


@pytest.mark.slow
def test_scores_are_duckdbs(on_duckdb: Run, on_spark: Run) -> None:
    """The same pairs, with the same levels, weights and probabilities."""
    assert on_duckdb.scored.num_rows > 500
    assert pc.sum(pc.not_equal(on_duckdb.scored["source_l"], on_duckdb.scored["source_r"])).as_py() > 300
    _assert_same_pairs(on_duckdb.scored, on_spark.scored)


@pytest.mark.slow
def test_incremental_scores_are_duckdbs(on_duckdb: Run, on_spark: Run, new: pa.Array, feats: pa.Table) -> None:
    """A new batch against the existing records and within itself: the same pairs on both."""
    pairs = on_duckdb.incremental
    fresh = set(pc.filter(feats["unique_id"], new).to_pylist())
    left, right = pairs["unique_id_l"].to_pylist(), pairs["unique_id_r"].to_pylist()
    assert all(a in fresh or b in fresh for a, b in zip(left, right, strict=True))
    assert any(a in fresh and b in fresh for a, b in zip(left, right, strict=True))  # within the batch
    assert pairs.num_rows > 50
    _assert_same_pairs(pairs, on_spark.incremental)


@pytest.mark.slow
def test_persons_are_duckdbs(on_duckdb: Run, on_spark: Run, feats: pa.Table) -> None:
    """Clustering the linked pairs puts the same records together on both backends."""
    persons = _persons(on_duckdb.persons, feats)
    assert sum(len(p) > 1 for p in persons) > 500
    assert _persons(on_spark.persons, feats) == persons
    persons = _persons(on_duckdb.persons_incremental, feats)
    assert sum(len(p) > 1 for p in persons) > 100
    assert _persons(on_spark.persons_incremental, feats) == persons


@pytest.mark.slow
def test_clustering_through_checkpoint_files(spark: SparkBackend, feats: pa.Table, on_duckdb: Run) -> None:
    """Splink's parquet lineage breaks (the cluster default) give the same persons; the session survives close."""
    backend = SparkBackend(session=spark.session, break_lineage="parquet")
    try:
        assert spark.checkpoint_dir is not None and backend.checkpoint_dir is not None
        assert spark.checkpoint_dir in backend.checkpoint_dir  # the running session's own
        persons = engine.components(feats.num_rows, _linked(on_duckdb.scored), backend)
    finally:
        backend.close()
    assert _persons(persons, feats) == _persons(on_duckdb.persons, feats)
    assert any(Path(spark.checkpoint_dir).rglob("*.parquet"))
    assert spark.session.sql("SELECT 1 AS one").collect()[0]["one"] == 1


# -- choosing the backend ------------------------------------------------------------------------


@pytest.mark.slow
def test_environment_selects_spark(spark: SparkBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(engine.ENV_BACKEND, "spark")
    backend = engine.make_backend()
    try:
        assert isinstance(backend, SparkBackend)
        assert backend.dialect == "spark"
        assert backend.session is spark.session  # one Spark session per process: reused, not restarted
        assert type(backend.db_api).__name__ == "SparkAPI"
    finally:
        backend.close()
    assert spark.session.sql("SELECT jaro_winkler('ASKARA', 'SKARA') AS jw").collect()[0]["jw"] == pytest.approx(
        0.8111111, abs=1e-6
    )


@pytest.mark.parametrize("setting", ["oracle", " Postgres "])
def test_unknown_backend_is_refused(setting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=r"unknown linkage backend '\w+': use one of duckdb, spark"):
        engine.make_backend(setting)
    monkeypatch.setenv(engine.ENV_BACKEND, setting)
    with pytest.raises(ValueError, match="unknown linkage backend"):
        engine.make_backend()


def test_without_java_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(SparkUnavailable, match="no java in \\$JAVA_HOME/bin") as caught:
        find_java()
    assert INSTALL_JAVA in str(caught.value)
    assert "openjdk-17-jre-headless" in str(caught.value)
    monkeypatch.delenv("JAVA_HOME")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SparkUnavailable, match="no java on PATH"):
        find_java()


@pytest.mark.parametrize(("banner", "seen"), [('openjdk version "11.0.2" 2019-01-15', "Java 11"),
                                              ('java version "1.8.0_392"', "Java 8"),
                                              ("no version here", "an unknown version")])  # fmt: skip
def test_old_java_is_refused(banner: str, seen: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text(f"#!/bin/sh\necho '{banner}' >&2\n", encoding="utf-8")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(SparkUnavailable, match=f"needs Java 17 or later, .* is {seen}: install Java 17"):
        find_java()


def test_without_pyspark_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(SparkUnavailable, match=r"needs pyspark.*pip install 'koshi\[spark\]'"):
        SparkBackend()
