"""What the stay rules read about people: three Arrow tables, from the database or from feed files.

Keeping this the only interface means the same SQL runs on a registry export, on
synthetic feeds and in the benchmark.

- ``persons``: ``person_id`` int64, ``nationality`` string (ICAO three-letter code).
- ``events``: ``person_id`` int64, ``occurred_at`` timestamp[us, tz=UTC], ``direction`` string
  (``entry`` / ``exit``). The stay rules count days in Kazakhstan time (UTC+5).
- ``covers``: ``person_id`` int64, ``kind`` string (``permit`` or ``visa``), ``valid_from`` date32,
  ``valid_to`` date32 (null = no end, e.g. permanent residence). Days under a ``permit`` are lawful
  and do not count towards the 90/180 limit; a ``visa`` is what makes a visa national's days lawful.
  Revoked permits and refused authorizations are not covers (the exporter leaves them out, or
  ends a revoked permit on the day it was revoked).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

PERSONS = pa.schema([("person_id", pa.int64()), ("nationality", pa.string())])
EVENTS = pa.schema(
    [("person_id", pa.int64()), ("occurred_at", pa.timestamp("us", tz="UTC")), ("direction", pa.string())]
)
COVERS = pa.schema(
    [
        ("person_id", pa.int64()),
        ("kind", pa.string()),
        ("valid_from", pa.date32()),
        ("valid_to", pa.date32()),
    ]
)


@dataclass(frozen=True, slots=True)
class StayInputs:
    """The three tables the stay rules read (schemas above)."""

    persons: pa.Table
    events: pa.Table
    covers: pa.Table

    def __post_init__(self) -> None:
        for name, table, schema in (
            ("persons", self.persons, PERSONS),
            ("events", self.events, EVENTS),
            ("covers", self.covers, COVERS),
        ):
            missing = [f.name for f in schema if f.name not in table.column_names]
            if missing:
                raise ValueError(f"stay inputs: table {name!r} lacks column(s) {', '.join(missing)}")
