"""From feed tables (validated files or synthetic feeds) to the stay-rule inputs, in DuckDB.

Before record linkage, a person is a travel document: issuing state + number. Covers come from
the permits feed (a revoked or annulled permit ends the day before it was revoked) and from
approved e-visas in the authorizations feed (an ETA is not a visa and changes no limit).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from koshi.registry import stay_sql

KEYS = "stay_keys"

PERSONS_SQL = """
CREATE OR REPLACE TEMP TABLE stay_keys AS
WITH docs AS (
    SELECT doc_country, doc_number, nationality, occurred_at AS seen FROM {events}
    UNION ALL
    SELECT doc_country, doc_number, nationality, CAST(issued_on AS TIMESTAMPTZ) FROM {permits}
    UNION ALL
    SELECT doc_country, doc_number, nationality, applied_at FROM {authorizations}
)
SELECT CAST(row_number() OVER (ORDER BY doc_country, doc_number) AS BIGINT) AS person_id,
       doc_country, doc_number, nationality
FROM (SELECT doc_country, doc_number, arg_max(nationality, seen) AS nationality FROM docs
      GROUP BY doc_country, doc_number)
"""

EVENTS_SQL = """
SELECT k.person_id, e.occurred_at, e.direction
FROM {events} e JOIN stay_keys k USING (doc_country, doc_number)
"""

COVERS_SQL = """
SELECT k.person_id, 'permit' AS kind, p.valid_from,
       CASE WHEN p.status IN ('revoked', 'annulled') AND p.revoked_on IS NOT NULL
            THEN least(coalesce(p.valid_to, p.revoked_on - 1), p.revoked_on - 1)
            ELSE p.valid_to END AS valid_to
FROM {permits} p JOIN stay_keys k USING (doc_country, doc_number)
WHERE p.status = 'valid' OR (p.revoked_on IS NOT NULL AND p.revoked_on > p.valid_from)
UNION ALL
SELECT k.person_id, 'visa', a.valid_from, a.valid_to
FROM {authorizations} a JOIN stay_keys k USING (doc_country, doc_number)
WHERE a.kind = 'evisa' AND a.decision = 'approved' AND a.valid_from IS NOT NULL
"""


def prepare(con: duckdb.DuckDBPyConnection, events: str, permits: str, authorizations: str) -> None:
    """Define the stay inputs in ``con`` from three feed relations (names of tables or views).

    Creates the table ``stay_keys`` (``person_id`` for each document) and the views that
    :func:`koshi.registry.stay_sql.status` reads. The relations need the feed columns
    (:mod:`koshi.registry.schema`) with typed values, as :func:`koshi.registry.feeds.validate`
    returns them or as Parquet feeds hold them.
    """
    names = {"events": events, "permits": permits, "authorizations": authorizations}
    con.execute(PERSONS_SQL.format(**names))
    con.execute(f"CREATE OR REPLACE TEMP VIEW {stay_sql.PERSONS} AS SELECT person_id, nationality FROM {KEYS}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {stay_sql.EVENTS} AS {EVENTS_SQL.format(**names)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {stay_sql.COVERS} AS {COVERS_SQL.format(**names)}")


def status_with_documents(con: duckdb.DuckDBPyConnection, on: dt.date) -> pa.Table:
    """Stay status of everyone in the prepared feeds, each row with its document."""
    status = stay_sql.status(con, on)
    con.register("stay_status_result", status)
    return con.sql(
        "SELECT k.doc_country, k.doc_number, s.* FROM stay_status_result s JOIN stay_keys k USING (person_id) "
        "ORDER BY s.person_id"
    ).to_arrow_table()
