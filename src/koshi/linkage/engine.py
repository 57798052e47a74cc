"""Training, scoring and clustering with Splink, on DuckDB (default) or Spark.

The functions here take and return Arrow tables of linkage records with their
features (:func:`koshi.linkage.records.features`) and scored pairs; Splink does the
work in SQL on the chosen backend. Training always runs on DuckDB with capped
sample sizes (its cost does not grow with the data); the trained model is a
dialect-free dictionary that :func:`koshi.linkage.model.port` renders for Spark.

Scoring is either everything against everything (through the blocking rules), or,
for a new batch, the new records against the existing ones plus the new ones among
themselves (Splink's ``predict_between`` and ``predict_within``), so that linking a
day's batch does not rescore the registry.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from splink import DuckDBAPI, Linker, block_on
from splink.internals.exceptions import SplinkException

from koshi.linkage import model
from koshi.linkage.records import LinkInputError

Progress = Callable[[str], None]

BACKENDS = ("duckdb", "spark")
ENV_BACKEND = "KOSHI_LINK_BACKEND"


class Backend(Protocol):
    """Where Splink runs its SQL."""

    dialect: str

    @property
    def db_api(self) -> Any: ...

    def close(self) -> None: ...


@dataclass
class DuckDBBackend:
    """An in-process DuckDB (``threads`` defaults to all cores; ``temp_dir`` for spilling)."""

    threads: int | None = None
    memory_limit: str | None = None
    temp_dir: str | None = None
    dialect: str = "duckdb"

    def __post_init__(self) -> None:
        con = duckdb.connect()
        con.sql("SET autoinstall_known_extensions = false")  # nothing may be fetched at run time
        if self.threads:
            con.sql(f"SET threads = {int(self.threads)}")
        if self.memory_limit:
            con.sql(f"SET memory_limit = '{self.memory_limit}'")
        if self.temp_dir:
            con.sql(f"SET temp_directory = '{self.temp_dir}'")
        self._con = con
        self._api = DuckDBAPI(connection=con)

    @property
    def db_api(self) -> Any:
        return self._api

    def close(self) -> None:
        self._con.close()


def make_backend(name: str | None = None, **options: Any) -> Backend:
    """The backend called ``name``, else ``$KOSHI_LINK_BACKEND``, else DuckDB.

    Raises:
        ValueError: an unknown backend name.
    """
    chosen = (name or os.environ.get(ENV_BACKEND) or "duckdb").strip().lower()
    if chosen == "duckdb":
        return DuckDBBackend(**options)
    if chosen == "spark":
        from koshi.linkage.spark import SparkBackend

        spark: Backend = SparkBackend(**options)
        return spark
    raise ValueError(f"unknown linkage backend {chosen!r}: use one of {', '.join(BACKENDS)}")


@contextmanager
def opened(name: str | None = None, **options: Any) -> Iterator[Backend]:
    """:func:`make_backend`, closed on exit."""
    backend = make_backend(name, **options)
    try:
        yield backend
    finally:
        backend.close()


U_PAIRS = 5e6
EM_PAIRS = 5e6


@dataclass(frozen=True, slots=True)
class Training:
    """How much of the data training reads: caps keep its cost flat as the registry grows."""

    u_pairs: float = U_PAIRS  # random pairs for u
    em_pairs: float | None = EM_PAIRS  # blocked pairs per EM run (None: all)
    seed: int = 42


_counter = iter(range(1, 1 << 62))


def _register(backend: Backend, table: pa.Table, stem: str) -> Any:
    """Register ``table`` under a fresh name (Splink refuses a name twice per API)."""
    return backend.db_api.register(table, table_name=f"koshi_{stem}_{next(_counter)}")


def _extra(feats: pa.Table) -> tuple[str, ...]:
    return ("person_id",) if "person_id" in feats.column_names else ()


def train(feats: pa.Table, training: Training = Training(), progress: Progress | None = None) -> dict[str, Any]:
    """Estimate the model's parameters on ``feats`` (DuckDB), returned as a DuckDB settings dictionary.

    Steps: the prior (share of random pairs that match) from :data:`model.PRIOR_RULES`;
    u from random pairs; m of every comparison by expectation maximisation blocked on
    the birth date; then m of every comparison but the document **from records of the
    same travel document** (:data:`model.LABEL_COLUMN`), which are the same person by
    construction: labels the registry has for free. EM alone over-trusts weak name
    levels when many different people share a birth date and similar names; the
    labelled estimate replaces EM's wherever labels exist (the document comparison
    keeps EM's, since labelled pairs all share a document).
    """
    step = progress or (lambda _: None)
    with opened("duckdb") as backend:
        records = _register(backend, feats, "train")
        settings = model.settings(extra_columns=_extra(feats))
        linker = Linker(records, settings, log_level=logging.ERROR)
        step("prior")
        linker.training.estimate_probability_two_random_records_match(
            [block_on(*r) for r in model.PRIOR_RULES], recall=model.PRIOR_RECALL
        )
        step("u from random pairs")
        linker.training.estimate_u_using_random_sampling(max_pairs=training.u_pairs, seed=training.seed)
        for rule in model.EM_RULES:
            step(f"m by expectation maximisation, blocked on {' + '.join(rule)}")
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*rule), max_pairs=training.em_pairs
                )
            except SplinkException as exc:
                raise LinkInputError(
                    f"cannot train a model on {feats.num_rows:,} records: too few pairs agree on "
                    f"{' and '.join(rule)} to learn from (link more records at once, or reuse a trained model)"
                ) from exc
        trained: dict[str, Any] = linker.misc.save_model_to_json()
        step("m from records of the same document")
        if _has_label_pairs(feats):
            labelled = Linker(records, trained, log_level=logging.ERROR)
            labelled.training.estimate_m_from_label_column(model.LABEL_COLUMN)
            trained = model.with_label_m(trained, labelled.misc.save_model_to_json())
    return trained


def _has_label_pairs(feats: pa.Table) -> bool:
    """Whether two records share a :data:`model.LABEL_COLUMN` value."""
    keys = feats[model.LABEL_COLUMN].drop_null()
    return len(keys) > 0 and len(pc.unique(keys)) < len(keys)


PAIR_COLUMNS = ("unique_id_l", "unique_id_r", "record_id_l", "record_id_r", "source_l", "source_r")


def _pairs(result: Any, with_truth: bool) -> pa.Table:
    """The scored pairs, narrowed to ids, scores and each comparison's level and weight."""
    table: pa.Table = result.as_pyarrow_table()
    keep = [*PAIR_COLUMNS, "match_weight", "match_probability"]
    for name in model.COMPARISONS:
        keep += [f"gamma_{name}", f"mw_{name}"]
    keep.append("mw_tf_adj_name")
    if with_truth:
        keep += ["person_id_l", "person_id_r"]
    return table.select([c for c in keep if c in table.column_names])


def _linker(backend: Backend, feats: pa.Table, trained: dict[str, Any]) -> Linker:
    """A linker over ``feats`` with the trained model rendered for the backend's SQL."""
    settings = model.port(trained, backend.dialect, extra_columns=_extra(feats))
    return Linker(_register(backend, feats, "records"), settings, log_level=logging.ERROR)


def score(
    feats: pa.Table,
    trained: dict[str, Any],
    backend: Backend,
    *,
    threshold: float = 0.01,
    new: pa.Array | None = None,
) -> pa.Table:
    """Scored pairs with match probability at least ``threshold``, through the blocking rules.

    ``new`` (a boolean mask over ``feats``): score only the new records against the
    others and among themselves, as when linking a batch into the registry.
    Pairs come out with the smaller ``unique_id`` on the left.
    """
    linker = _linker(backend, feats, trained)
    with_truth = "person_id" in feats.column_names
    if new is None:
        result = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        return _pairs(result, with_truth)
    linker.table_management.compute_tf_table("name_sorted")
    fresh = _register(backend, feats.filter(new), "new")
    old = feats.filter(pc.invert(new))
    parts = [
        _pairs(
            linker.inference.predict_within(fresh, threshold_match_probability=threshold, warning_mode="never"),
            with_truth,
        )
    ]
    if old.num_rows:
        known = _register(backend, old, "known")
        between = linker.inference.predict_between(
            known, fresh, threshold_match_probability=threshold, warning_mode="never"
        )
        parts.append(_ordered(_pairs(between, with_truth)))
    return pa.concat_tables(parts, promote_options="permissive")


def _ordered(pairs: pa.Table) -> pa.Table:
    """Swap ``_l``/``_r`` where needed so that ``unique_id_l < unique_id_r``."""
    swap = pc.greater(pairs["unique_id_l"], pairs["unique_id_r"])
    if not pc.any(swap).as_py():
        return pairs
    cols: dict[str, pa.ChunkedArray] = {}
    for name in pairs.column_names:
        if name.endswith("_l") and name[:-2] + "_r" in pairs.column_names:
            left, right = pairs[name], pairs[name[:-2] + "_r"]
            cols[name] = pc.if_else(swap, right, left)
            cols[name[:-2] + "_r"] = pc.if_else(swap, left, right)
        elif name not in cols:
            cols[name] = pairs[name]
    return pa.table({n: cols[n] for n in pairs.column_names})


def components(n: int, edges: pa.Table, backend: Backend) -> pa.Array:
    """Connected components over ``n`` records (``unique_id`` 0..n-1) joined by ``edges`` (unique_id_l/_r).

    Returns, per record, the smallest ``unique_id`` in its component (Splink's clustering).
    """
    nodes = pa.table({"unique_id": pa.array(range(n), pa.int64())})
    edges = edges.select(["unique_id_l", "unique_id_r"]).cast(
        pa.schema([("unique_id_l", pa.int64()), ("unique_id_r", pa.int64())])
    )
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    result: Any = cluster_pairwise_predictions_at_threshold(
        _register(backend, nodes, "nodes"), _register(backend, edges, "edges"), backend.db_api, "unique_id"
    )
    table: pa.Table = result.as_pyarrow_table()
    order = pc.sort_indices(table["unique_id"])
    cluster = pc.cast(pc.take(table["cluster_id"], order), pa.int64())
    return cluster.combine_chunks() if isinstance(cluster, pa.ChunkedArray) else cluster
