"""The DuckDB SQL gives every person the same stay status as the day-by-day reference."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koshi.registry import stay, stay_sql
from koshi.registry.inputs import COVERS, EVENTS, PERSONS, StayInputs

START = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)
Person = tuple[str, list[tuple[dt.datetime, str]], list[stay.Cover]]


@st.composite
def people(draw: st.DrawFn) -> Person:
    nationality = draw(st.sampled_from(["RUS", "KGZ", "UZB", "TUR", "CHN", "AFG", "PAK", "D"]))
    t = START + dt.timedelta(hours=draw(st.integers(0, 200)))
    events: list[tuple[dt.datetime, str]] = []
    for _ in range(draw(st.integers(0, 9))):
        t += dt.timedelta(hours=draw(st.integers(1, 24 * draw(st.sampled_from([1, 3, 10, 30, 60, 100])))))
        alternate = bool(events) and draw(st.integers(0, 99)) < 85  # mostly clean, sometimes a record is missing
        direction = (
            ("exit" if events[-1][1] == "entry" else "entry") if alternate else draw(st.sampled_from(["entry", "exit"]))
        )
        events.append((t, direction))
    covers = []
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3]))):
        start = START.date() + dt.timedelta(days=draw(st.integers(-30, 400)))
        end = None if draw(st.integers(0, 9)) == 0 else start + dt.timedelta(days=draw(st.integers(0, 120)))
        covers.append(stay.Cover(draw(st.sampled_from(["permit", "visa"])), start, end))
    return nationality, events, covers


def inputs(population: list[Person]) -> StayInputs:
    return StayInputs(
        persons=pa.table(
            {"person_id": list(range(len(population))), "nationality": [p[0] for p in population]}, schema=PERSONS
        ),
        events=pa.table(
            {
                "person_id": [i for i, p in enumerate(population) for _ in p[1]],
                "occurred_at": [e[0] for p in population for e in p[1]],
                "direction": [e[1] for p in population for e in p[1]],
            },
            schema=EVENTS,
        ),
        covers=pa.table(
            {
                "person_id": [i for i, p in enumerate(population) for _ in p[2]],
                "kind": [c.kind for p in population for c in p[2]],
                "valid_from": [c.start for p in population for c in p[2]],
                "valid_to": [c.end for p in population for c in p[2]],
            },
            schema=COVERS,
        ),
    )


def expected(person: Person, on: dt.date) -> dict[str, Any]:
    nationality, events, covers = person
    c = stay.control(stay.stays_known_on(events, on), covers, nationality, on)
    last = c.past_overstays[-1] if c.past_overstays else None
    return {
        "regime": c.regime,
        "per_entry": c.per_entry_days,
        "present": c.present,
        "current_entry": c.current_entry,
        "days_used": c.days_used,
        "days_left": c.days_left,
        "stay_days": c.stay_days,
        "overstay_days": c.overstay_days,
        "overstay_since": c.overstay_since,
        "overstay_limit": c.overstay_limit,
        "exceeds_on": c.exceeds_on,
        "under_permit": c.under_permit,
        "covered_until": c.covered_until,
        "past_overstays": len(c.past_overstays),
        "last_overstay_entry": last.entry if last else None,
        "last_overstay_start": last.start if last else None,
        "last_overstay_end": last.end if last else None,
        "last_overstay_days": last.days if last else None,
        "last_overstay_limit": last.limit if last else None,
        "missing_exits": c.missing_exits,
        "missing_entries": c.missing_entries,
    }


def sql_status(population: list[Person], on: dt.date) -> list[dict[str, Any]]:
    con = duckdb.connect()
    stay_sql.register(con, inputs(population))
    return stay_sql.status(con, on).to_pylist()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(people(), min_size=1, max_size=25), st.integers(0, 420))
def test_sql_agrees_with_the_reference(population: list[Person], offset: int) -> None:
    on = START.date() + dt.timedelta(days=offset)
    rows = sql_status(population, on)
    assert [r["person_id"] for r in rows] == list(range(len(population)))
    for person, row in zip(population, rows, strict=True):
        want = expected(person, on)
        got = {
            k: (int(row[k]) if isinstance(row[k], int | float) and not isinstance(row[k], bool) else row[k])
            for k in want
        }
        assert got == want, person


def test_a_person_without_records_is_listed_with_nothing_used() -> None:
    (row,) = sql_status([("UZB", [], [])], dt.date(2026, 1, 1))
    assert (row["present"], row["days_used"], row["days_left"], row["overstay_days"]) == (False, 0, 90, 0)


def test_overstayers_and_soon_to_overstay_on_a_known_case() -> None:
    day = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    overstayer = ("UZB", [(day, "entry")], [])
    soon = ("RUS", [(day + dt.timedelta(days=40), "entry")], [])
    rows = sql_status([overstayer, soon], dt.date(2026, 3, 1))
    assert rows[0]["overstay_since"] == dt.date(2026, 1, 31) and rows[0]["overstay_days"] == 30
    assert rows[0]["overstay_limit"] == "per_entry"
    assert rows[1]["overstay_days"] == 0 and rows[1]["exceeds_on"] == dt.date(2026, 2, 10) + dt.timedelta(days=90)
