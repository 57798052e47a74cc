"""A fee reform on a year of permits (koshi.labour.simulate): the vectorised fees are quote()'s, sums add up."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import yaml

from koshi.labour.fees import RateTable, parse_reform, quote
from koshi.labour.policy import SECTIONS, Category, policy
from koshi.labour.simulate import (
    BREAKDOWNS,
    FeeInputError,
    Simulation,
    check_permits,
    permit_fees,
    simulate,
)
from koshi.reference.regions import REGIONS
from koshi.synth.labour import generate_labour

D = dt.date
NOW = RateTable.of(policy(D(2026, 1, 1)))
EXAMPLE = Path(__file__).resolve().parents[1] / "src/koshi/labour/reforms/example_2027.yaml"
CATEGORIES = [c.value for c in Category]


def random_permits(n: int, seed: int) -> pa.Table:
    """Permits of every category, section and length (leap days included), starting 2017-2028, as CSV strings."""
    rng = np.random.default_rng(seed)
    category = rng.choice(CATEGORIES, n)
    section = rng.choice(list(SECTIONS), n).astype(object)
    no_section = np.isin(category, ["seasonal", "ict"]) & (rng.random(n) < 0.3)
    section[no_section] = None
    start = D(2017, 1, 1) + np.array([dt.timedelta(days=int(d)) for d in rng.integers(0, 12 * 365, n)])
    longest = np.where(category == "seasonal", 365, np.where(np.isin(category, ["category_1", "ict"]), 1200, 400))
    days = 1 + (rng.random(n) * longest).astype(int)
    end = [s + dt.timedelta(days=int(d) - 1) for s, d in zip(start, days, strict=True)]
    region = rng.choice([r.kato for r in REGIONS], n)
    return pa.table(
        {
            "category": category.tolist(),
            "oked_section": [None if s is None else (s.lower() if i % 7 == 0 else s) for i, s in enumerate(section)],
            "region_kato": region.tolist(),
            "valid_from": [s.isoformat() for s in start],
            "valid_to": [e.isoformat() for e in end],
        }
    )


REFORMS = {
    "in force": NOW,
    "example 2027": NOW.changed(parse_reform(yaml.safe_load(EXAMPLE.read_text()))),
    "odd": NOW.changed(
        parse_reform(
            {
                "sector_rates": {"a": {"category_1": 133.33}, "c": {"category_3": 0.5}},
                "seasonal": {90: 12.5, 270: 37.123},
                "sector_group": {"F": "a", "J": "c"},
                "category_1_per_year": 0.85,
            }
        )
    ),
}


@pytest.mark.parametrize("name", list(REFORMS))
def test_the_vectorised_fees_are_quote_s_for_every_permit(name: str) -> None:
    rates = REFORMS[name]
    raw = random_permits(3000, seed=len(name))
    checked = check_permits(raw, (rates,))
    assert checked.errors == () and checked.table.num_rows == 3000
    fees = permit_fees(checked.table, rates)
    rows = checked.table.to_pylist()
    groups = fees.group.to_pylist()
    mismatches = []
    for i, row in enumerate(rows):
        mrp = policy(row["valid_from"]).mrp
        q = quote(Category(row["category"]), row["oked_section"] or "", row["valid_from"], row["valid_to"], rates, mrp)
        if (q.mrp, q.tenge, q.group) != (fees.mrp[i], fees.tenge[i], groups[i]):
            mismatches.append((i, q, fees.mrp[i], fees.tenge[i], groups[i]))
    assert mismatches == []
    assert {r["category"] for r in rows} == set(CATEGORIES)


def test_a_half_tenge_rounds_to_even_as_python_does() -> None:
    # 12.5 MRP x 4 325 = 54 062.5 -> 54 062 (half to even), and 0.5 x 4 325 = 2 162.5 -> 2 162
    rates = NOW.changed({"seasonal": {90: 12.5}, "sector_rates": {"c": {"category_3": 0.5}}})
    raw = pa.table(
        {
            "category": ["seasonal", "category_3"],
            "oked_section": [None, "F"],
            "region_kato": ["710000000"] * 2,
            "valid_from": ["2026-04-01"] * 2,
            "valid_to": ["2026-05-01", "2027-03-31"],
        }
    )
    fees = permit_fees(check_permits(raw, (rates,)).table, rates)
    assert fees.tenge.tolist() == [54062, 2162]
    assert round(12.5 * 4325) == 54062


# --- a synthetic year ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def year() -> pa.Table:
    data = generate_labour(300, 6000, seed=5, year=2026, all_states=True)
    return data.permits.join(data.employers.select(["bin", "oked_section"]), "bin").sort_by("number")


def lines(result: Simulation, name: str) -> dict[str, tuple[int, float, int, int]]:
    return {
        line.key: (line.permits_before, line.permits_after, line.tenge_before, line.tenge_after)
        for line in result.breakdowns[name]
    }


def test_every_breakdown_adds_up_to_the_total_and_the_total_to_the_quotes(year: pa.Table) -> None:
    after = REFORMS["example 2027"]
    result = simulate(year, NOW, after, year=2026)
    total = result.total
    for name in BREAKDOWNS:
        ls = result.breakdowns[name]
        assert sum(line.permits_before for line in ls) == total.permits_before == result.counted, name
        assert sum(line.tenge_before for line in ls) == total.tenge_before, name
        assert sum(line.tenge_after for line in ls) == total.tenge_after, name
        assert sum(line.mrp_after for line in ls) == pytest.approx(total.mrp_after), name
    paid = [r for r in year.to_pylist() if r["state"] in {"issued", "expired", "revoked"}]
    assert result.counted == len(paid) and result.unpaid == year.num_rows - len(paid)
    expected_before = expected_after = 0
    for r in paid:
        mrp = policy(r["valid_from"]).mrp
        args = (Category(r["category"]), r["oked_section"], r["valid_from"], r["valid_to"])
        expected_before += quote(*args, NOW, mrp).tenge
        expected_after += quote(*args, after, mrp).tenge
    assert (total.tenge_before, total.tenge_after) == (expected_before, expected_after)
    assert total.tenge_change == expected_after - expected_before > 0
    assert total.tenge_change_pct == pytest.approx(100 * (expected_after - expected_before) / expected_before)


def test_a_reform_changes_only_what_it_names(year: pa.Table) -> None:
    result = simulate(year, NOW, NOW.changed(parse_reform({"seasonal": {90: 15}})), year=2026)
    for key, (_, _, before, after) in lines(result, "category").items():
        assert (after > before) if key == "seasonal" else (after == before), key
    for key, (_, _, before, after) in lines(result, "group").items():
        assert (after > before) if key == "-" else (after == before), key
    unchanged = simulate(year, NOW, NOW, year=2026)
    assert unchanged.total.tenge_change == 0
    assert all(line.tenge_change == 0 for ls in unchanged.breakdowns.values() for line in ls)


def test_moving_a_section_moves_its_permits_between_groups(year: pa.Table) -> None:
    result = simulate(year, NOW, NOW.changed(parse_reform({"sector_group": {"F": "a"}})), year=2026)
    groups = {line.key: line for line in result.breakdowns["group"]}
    f = next(line for line in result.breakdowns["section"] if line.key == "F")
    assert (f.group_before, f.group_after) == ("c", "a")
    assert f.tenge_after < f.tenge_before
    moved = sum(
        1
        for r in year.to_pylist()
        if r["oked_section"] == "F"
        and r["category"].startswith("category_")
        and r["state"] in {"issued", "expired", "revoked"}
    )
    assert 0 < moved < f.permits_before  # seasonal and transfers in construction have no group
    assert groups["a"].permits_after == groups["a"].permits_before + moved
    assert groups["c"].permits_after == groups["c"].permits_before - moved
    assert sum(g.permits_after for g in groups.values()) == result.total.permits_before


def test_the_year_and_the_state_decide_what_counts() -> None:
    base = {
        "category": ["category_3"] * 5,
        "oked_section": ["F"] * 5,
        "region_kato": ["710000000"] * 5,
        "valid_from": ["2026-03-01", "2026-03-01", "2025-12-31", "2026-03-01", "2026-03-01"],
        "valid_to": ["2027-02-28"] * 5,
        "state": ["issued", "expired", "issued", "fee_due", "refused"],
    }
    result = simulate(pa.table(base), NOW, NOW, year=2026)
    assert (result.counted, result.outside_year, result.unpaid) == (2, 1, 2)
    assert result.total.tenge_before == 2 * 224 * 4325
    no_state = simulate(pa.table({k: v for k, v in base.items() if k != "state"}), NOW, NOW)
    assert (no_state.counted, no_state.outside_year, no_state.unpaid) == (5, 0, 0)
    mrp_2025 = 224 * policy(D(2025, 12, 31)).mrp  # each permit at the MRP of its first day
    assert no_state.total.tenge_before == 4 * 224 * 4325 + mrp_2025


def test_the_behavioural_response_is_an_assumption_applied_per_permit(year: pa.Table) -> None:
    after = REFORMS["example 2027"]
    static = simulate(year, NOW, after, year=2026)
    assert all(line.permits_after == line.permits_before for line in static.breakdowns["category"])
    elastic = simulate(year, NOW, after, year=2026, elasticity=-1.0)
    groups = {line.key: line for line in elastic.breakdowns["group"]}
    assert groups["a"].permits_after == pytest.approx(groups["a"].permits_before)  # group A unchanged
    assert groups["b"].permits_after == pytest.approx(groups["b"].permits_before / 1.2)  # +20% fee, E = -1
    assert groups["b"].tenge_after == pytest.approx(groups["b"].tenge_before, abs=len(year))  # revenue flat at E = -1
    cats = {line.key: line for line in elastic.breakdowns["category"]}
    assert cats["ict"].permits_after == cats["ict"].permits_before  # free: no response
    assert elastic.total.tenge_after < static.total.tenge_after
    for bad in (0.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="zero or negative"):
            simulate(year, NOW, after, elasticity=bad)


def test_sections_can_come_from_the_employers_file() -> None:
    data = generate_labour(50, 800, seed=9, year=2026)
    joined = data.permits.join(data.employers.select(["bin", "oked_section"]), "bin")
    a = simulate(joined, NOW, REFORMS["example 2027"], year=2026)
    b = simulate(data.permits, NOW, REFORMS["example 2027"], year=2026, employers=data.employers)
    assert a.total == b.total and a.breakdowns == b.breakdowns
    twice = pa.concat_tables([data.employers, data.employers.slice(0, 2)])
    with pytest.raises(FeeInputError, match="2 BIN"):
        check_permits(data.permits, (NOW,), twice)
    unknown = check_permits(data.permits, (NOW,), data.employers.slice(1))
    lost = data.employers.column("bin")[0].as_py()
    fee_based = [
        i + 1
        for i, r in enumerate(data.permits.to_pylist())
        if r["bin"] == lost and r["category"] not in {"seasonal", "ict"}
    ]
    assert [e.row for e in unknown.errors] == fee_based
    assert {(e.field, e.reason) for e in unknown.errors} <= {
        ("oked_section", "no employer with this BIN in the employers file")
    }


def test_typed_parquet_columns_give_the_same_result(tmp_path: Path) -> None:
    raw = random_permits(500, seed=3)
    typed = raw.set_column(3, "valid_from", pa.array([D.fromisoformat(v) for v in raw["valid_from"].to_pylist()]))
    typed = typed.set_column(4, "valid_to", pa.array([D.fromisoformat(v) for v in raw["valid_to"].to_pylist()]))
    assert simulate(raw, NOW, REFORMS["odd"]).total == simulate(typed, NOW, REFORMS["odd"]).total


# --- bad rows -----------------------------------------------------------------------------------


def test_bad_rows_are_reported_by_row_and_field_never_dropped_silently() -> None:
    rows = [
        ("category_3", "F", "710000000", "2026-03-01", "2027-02-28", "issued"),  # 1 good
        ("category_9", "F", "710000000", "2026-03-01", "2027-02-28", "issued"),  # 2 category
        ("category_2", "Z", "710000000", "2026-03-01", "2027-02-28", "issued"),  # 3 section
        ("category_2", None, "710000000", "2026-03-01", "2027-02-28", "issued"),  # 4 section missing
        ("seasonal", None, "710000000", "2026-03-01", "2026-05-01", "issued"),  # 5 good: no section needed
        ("ict", "F", "123", "2026-03-01", "2027-02-28", "issued"),  # 6 region
        ("category_4", "F", "710000000", "2026-02-30", "2027-02-28", "issued"),  # 7 valid_from not a date
        ("category_4", "F", "710000000", "2026-03-01", "2026-02-28", "issued"),  # 8 reversed
        ("seasonal", "A", "710000000", "2026-03-01", "2027-03-01", "issued"),  # 9 seasonal too long
        ("category_1", "F", "710000000", "2016-12-31", "2017-12-30", "issued"),  # 10 before the fee
        ("category_1", "F", "710000000", "2026-03-01", "2027-02-28", "granted"),  # 11 state
        (None, "F", None, None, "2027-02-28", "issued"),  # 12 three missing
        (" Category_3 ", " f ", " 710000000 ", " 2026-03-01 ", "2027-02-28", " ISSUED "),  # 13 good, untidy
    ]
    names = ["category", "oked_section", "region_kato", "valid_from", "valid_to", "state"]
    table = pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})
    checked = check_permits(table, (NOW,))
    got = [(e.row, e.field) for e in checked.errors]
    assert got == [
        (2, "category"),
        (3, "oked_section"),
        (4, "oked_section"),
        (6, "region_kato"),
        (7, "valid_from"),
        (8, "valid_to"),
        (9, "valid_to"),
        (10, "valid_from"),
        (11, "state"),
        (12, "category"),
        (12, "region_kato"),
        (12, "valid_from"),
    ]
    reasons = {(e.row, e.field): e.reason for e in checked.errors}
    assert reasons[(8, "valid_to")] == "the permit ends before it starts"
    assert "366 days" in reasons[(9, "valid_to")]
    assert reasons[(7, "valid_from")] == "not a date in the form YYYY-MM-DD"
    assert reasons[(12, "valid_from")] == "missing"
    assert checked.table.column("row").to_pylist() == [1, 5, 13]
    assert checked.rejected == 10 and checked.total == 13
    assert checked.table.slice(2).to_pylist()[0]["category"] == "category_3"
    with pytest.raises(FeeInputError, match="10 row"):
        simulate(table, NOW, NOW)
    result = simulate(table, NOW, NOW, checked=checked)
    assert result.rejected == 10 and result.counted == 3
    assert str(checked.errors[0]) == "row 2, field 'category': expected one of " + ", ".join(CATEGORIES)


def test_a_missing_column_is_named() -> None:
    with pytest.raises(FeeInputError, match=r"missing column.*valid_to, oked_section"):
        check_permits(pa.table({"category": ["ict"], "region_kato": ["710000000"], "valid_from": ["2026-01-01"]}))


def test_an_unknown_breakdown_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown breakdown 'nationality'"):
        simulate(random_permits(3, 1), NOW, NOW, breakdowns=("nationality",))


def test_the_output_table_has_every_line() -> None:
    result = simulate(random_permits(400, seed=4), NOW, REFORMS["example 2027"])
    table = result.table()
    counts = Counter(table.column("breakdown").to_pylist())
    assert counts["total"] == 1
    assert all(counts[name] == len(result.breakdowns[name]) for name in BREAKDOWNS)
    total = table.filter(pa.compute.equal(table["breakdown"], "total")).to_pylist()[0]
    assert total["tenge_change"] == total["tenge_after"] - total["tenge_before"] == result.total.tenge_change
