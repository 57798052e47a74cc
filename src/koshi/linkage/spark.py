"""Splink on Apache Spark, computing exactly what the DuckDB backend computes.

``KOSHI_LINK_BACKEND=spark`` runs the same scoring and clustering
(:mod:`koshi.linkage.engine`) on a Spark session: ``local[N]`` on one machine, or a
cluster's master URL. The model is the same; Splink renders its SQL for Spark
(:func:`koshi.linkage.model.port`). A national registry can then be linked where it is
stored, with the same pairs, weights and persons as on DuckDB.

What has to be done for the two to agree, each checked against DuckDB on the same
inputs (``tests/test_linkage_spark.py``):

- **Jaro-Winkler.** Splink's Spark function ``jaro_winkler`` (a Scala UDF in the jar
  inside the Splink wheel) is not DuckDB's ``jaro_winkler_similarity``: for strings of
  different lengths it gives other values (ASKARA/SKARA 0.7778 against 0.8111) and so
  other levels for some pairs (a match weight off by up to 8.7 on test data).
  jellyfish agrees with DuckDB but rounds differently in the last bit (738 of 160,000
  random pairs), which could put a pair on the other side of a 0.92 or 0.8 threshold.
  So ``jaro_winkler`` is replaced by an Arrow UDF that runs DuckDB's own function on
  each batch in the Python workers: the same code, so the same value to the bit.
- **Damerau-Levenshtein.** The jar's ``damerau_levenshtein`` agrees with DuckDB on
  strings but returns 100.0 instead of NULL when a side is NULL, and is slower than
  DuckDB's in a batch. The model only asks ``<= 1``, where both are false, but it is
  replaced the same way so that no future level can tell them apart.
- ``substr``, ``=``, ``IS NULL``: the same in both. ``SIZE(ARRAY_INTERSECT(a, b)) >= 1``
  (DuckDB: ``array_length(list_intersect(a, b)) >= 1``): on a NULL list Spark says
  NULL and DuckDB 0, both below 1, so the level is the same.
- Floating point: term frequencies and weights are sums of the same logarithms;
  they differ by a few units in the 15th digit.

The session is set up to work offline and quietly: Splink's jar (its other
functions) comes from the wheel (``similarity_jar_location``), no web UI, no progress
bars, Spark's own log at ERROR. In local mode the Python workers run this
interpreter (``PYSPARK_PYTHON``), so that they import DuckDB and pyarrow for the
UDFs; on a cluster the workers' Python (``spark.pyspark.python``) needs Koshi
installed. Splink cuts Spark's plans between steps by keeping intermediate tables:
in memory (spilling to a temporary local directory) in local mode, as parquet under
the checkpoint directory on a cluster. Temporary directories go on :meth:`close`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

SAME_AS_DUCKDB = {
    "jaro_winkler": "jaro_winkler_similarity",
    "damerau_levenshtein": "damerau_levenshtein",
}
"""Spark SQL functions (as Splink's Spark dialect names them) replaced by DuckDB's own function."""

JAVA_MAJOR = 17
INSTALL_JAVA = f"install Java {JAVA_MAJOR} or later (Debian: apt-get install openjdk-{JAVA_MAJOR}-jre-headless)"
INSTALL_PYSPARK = "install pyspark (pip install 'koshi[spark]')"

_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
logger.spark.name = org.apache.spark
logger.spark.level = error
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


class SparkUnavailable(RuntimeError):
    """Spark cannot be started here: pyspark or Java is missing (the message says what to install)."""


# -- the UDFs, run in Spark's Python workers ---------------------------------------------------

_worker_duckdb: duckdb.DuckDBPyConnection | None = None


def _duckdb_pairwise(function: str, left: pa.Array, right: pa.Array) -> pa.Array:
    """DuckDB's ``function(left, right)`` row by row, as doubles (one DuckDB per worker process)."""
    global _worker_duckdb
    if _worker_duckdb is None:
        _worker_duckdb = duckdb.connect(config={"threads": 1})  # one Spark task = one core
    pairs = _worker_duckdb.from_arrow(pa.table({"l": left, "r": right}))
    result = pairs.project(f"CAST({function}(l, r) AS DOUBLE) AS v").to_arrow_table()
    return result.column(0).combine_chunks()


def jaro_winkler(left: pa.Array, right: pa.Array) -> pa.Array:
    """DuckDB's ``jaro_winkler_similarity`` (NULL when a side is NULL).

    >>> jaro_winkler(pa.array(["ASKARA", None]), pa.array(["SKARA", "X"])).to_pylist()
    [0.8111111111111112, None]
    """
    return _duckdb_pairwise(SAME_AS_DUCKDB["jaro_winkler"], left, right)


def damerau_levenshtein(left: pa.Array, right: pa.Array) -> pa.Array:
    """DuckDB's ``damerau_levenshtein`` as a double (NULL when a side is NULL).

    >>> damerau_levenshtein(pa.array(["1990-01-02", ""]), pa.array(["1990-10-02", None])).to_pylist()
    [1.0, None]
    """
    return _duckdb_pairwise(SAME_AS_DUCKDB["damerau_levenshtein"], left, right)


_UDFS = {
    "jaro_winkler": jaro_winkler,
    "damerau_levenshtein": damerau_levenshtein,
    # what sqlglot renders DuckDB's jaro_winkler_similarity as in Spark SQL (the model's own custom levels)
    "jarowinkler_similarity": jaro_winkler,
}


# -- checks before starting ---------------------------------------------------------------------


def java_major(java: str) -> int | None:
    """The major version ``java -version`` reports (``None`` if it does not say)."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def find_java() -> str:
    """The ``java`` Spark will start (``$JAVA_HOME/bin/java``, else the one on ``PATH``).

    Raises:
        SparkUnavailable: no Java, or one older than :data:`JAVA_MAJOR`.
    """
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        where = "in $JAVA_HOME/bin" if home else "on PATH"
        raise SparkUnavailable(f"the Spark backend needs Java, and there is no java {where}: {INSTALL_JAVA}")
    major = java_major(java)
    if major is None or major < JAVA_MAJOR:
        seen = "an unknown version" if major is None else f"Java {major}"
        raise SparkUnavailable(f"the Spark backend needs Java {JAVA_MAJOR} or later, {java} is {seen}: {INSTALL_JAVA}")
    return java


def _import_pyspark() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkUnavailable(f"the Spark backend needs pyspark, which is not installed: {INSTALL_PYSPARK}") from exc
    return SparkSession


def _stop_jvm() -> None:
    """End the JVM pyspark started for this process (``stop()`` leaves it running, with its memory).

    pyspark has no public call for this; it starts a new JVM when a session is next created.
    """
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    if gateway is None or SparkContext._active_spark_context is not None:
        return
    SparkContext._gateway = None
    SparkContext._jvm = None
    gateway.shutdown()
    process = getattr(gateway, "proc", None)
    if process is not None and process.stdin is not None:
        process.stdin.close()  # the JVM exits when its stdin closes
        process.wait(timeout=60)


# -- the backend --------------------------------------------------------------------------------


@dataclass
class SparkBackend:
    """Splink's Spark backend, on a session this object starts or on one already running.

    ``master``: ``local[N]`` (N cores of this machine) or a cluster URL;
    ``partitions``: shuffle partitions and Splink's repartitioning (a few per core);
    ``checkpoint_dir``: where Splink writes intermediate tables as parquet (default: a
    temporary directory, removed on close; on a cluster it must be shared storage);
    ``break_lineage``: how Splink cuts Spark's plans between steps (Splink's
    ``break_lineage_method``): default ``persist`` (in memory, spilling to local disk)
    in local mode, where writing parquet made scoring six times slower, else
    ``parquet`` under ``checkpoint_dir``. ``session``: use this session (it is left
    running on close); a session already active in the process is used the same way,
    since Spark allows one per process. ``conf``: more Spark settings, e.g. executor
    memory on a cluster (``spark.driver.extraJavaOptions`` is added to Koshi's own).
    ``driver_memory`` and Java options only apply when this backend starts the JVM.

    Raises:
        SparkUnavailable: pyspark or Java is missing.
    """

    master: str = "local[2]"
    driver_memory: str = "2g"
    partitions: int = 4
    checkpoint_dir: str | None = None
    break_lineage: str | None = None
    session: Any = None
    app_name: str = "koshi-link"
    conf: dict[str, str] = field(default_factory=dict)
    dialect: str = field(default="spark", init=False)

    def __post_init__(self) -> None:
        session_class = _import_pyspark()
        if self.session is None:
            self.session = session_class.getActiveSession()
        self._owns_session = self.session is None
        self._owns_jvm = False
        self._tmp: str | None = tempfile.mkdtemp(prefix="koshi-spark-")
        try:
            if self.session is None:
                find_java()
                self.session = self._start(session_class, self._tmp)
            self._setup(self._tmp)
        except BaseException:
            self.close()
            raise

    def _start(self, session_class: Any, tmp: str) -> Any:
        from pyspark import SparkContext
        from splink.backends.spark import similarity_jar_location

        self._owns_jvm = SparkContext._gateway is None

        log4j = Path(tmp) / "log4j2.properties"
        log4j.write_text(_LOG4J, encoding="utf-8")
        java_options = f"-Dlog4j2.configurationFile={log4j.as_uri()}"
        settings = {
            "spark.jars": similarity_jar_location(),
            "spark.driver.memory": self.driver_memory,
            "spark.sql.shuffle.partitions": str(self.partitions),
            "spark.default.parallelism": str(self.partitions),
            "spark.sql.session.timeZone": "UTC",
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.local.dir": tmp,
            **self.conf,
        }
        settings["spark.driver.extraJavaOptions"] = " ".join(
            filter(None, [java_options, self.conf.get("spark.driver.extraJavaOptions")])
        )
        builder = session_class.builder.master(self.master).appName(self.app_name)
        for key, value in settings.items():
            builder = builder.config(key, value)
        if not self.master.startswith("local"):
            return builder.getOrCreate()  # the cluster's workers run the Python it is configured with
        builder = builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        previous = os.environ.get("PYSPARK_PYTHON")
        os.environ["PYSPARK_PYTHON"] = sys.executable  # read once, when the context starts
        try:
            session = builder.getOrCreate()
        finally:
            if previous is None:
                del os.environ["PYSPARK_PYTHON"]
            else:
                os.environ["PYSPARK_PYTHON"] = previous
        return session

    def _setup(self, tmp: str) -> None:
        from pyspark.sql.pandas.functions import arrow_udf
        from pyspark.sql.types import DoubleType
        from splink.backends.spark import SparkAPI

        spark = self.session
        if self._owns_session:
            spark.sparkContext.setLogLevel("ERROR")
        current = spark._jsc.sc().getCheckpointDir()
        if self.checkpoint_dir is not None or not current.isDefined():  # else keep a running session's own
            self.checkpoint_dir = self.checkpoint_dir or str(Path(tmp) / "checkpoints")
            spark.sparkContext.setCheckpointDir(self.checkpoint_dir)
        else:
            self.checkpoint_dir = str(current.get())
        if self.break_lineage is None:
            self.break_lineage = "persist" if spark.sparkContext.master.startswith("local") else "parquet"
        api: Any = SparkAPI  # untyped in Splink
        self._api = api(
            spark_session=spark, break_lineage_method=self.break_lineage, num_partitions_on_repartition=self.partitions
        )
        scalar: Any = arrow_udf  # its stubs insist on the UDF type that it then warns about; the hints say it
        for name, function in _UDFS.items():  # after SparkAPI, which registers the jar's versions
            spark.udf.register(name, scalar(function, DoubleType()))

    @property
    def db_api(self) -> Any:
        """Splink's ``SparkAPI`` on the session."""
        return self._api

    def close(self) -> None:
        """Stop the session if this backend started it; remove the temporary files. Idempotent."""
        if self._owns_session and self.session is not None:
            self.session.stop()
            self.session = None
        if self._owns_jvm:
            self._owns_jvm = False
            _stop_jvm()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
