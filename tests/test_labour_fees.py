"""The fee for foreign labour of one permit (koshi.labour.fees.quote), reform files and rate tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshi.labour.fees import RateTable, parse_reform, quote, term_years
from koshi.labour.policy import SECTIONS, Category, PolicyError, policy

D = dt.date
P2026 = policy(D(2026, 3, 1))
NOW = RateTable.of(P2026)
MRP = P2026.mrp  # 4 325
YEAR = (D(2026, 2, 1), D(2027, 1, 31))  # 365 days


def days_from(start: dt.date, days: int) -> tuple[dt.date, dt.date]:
    return start, start + dt.timedelta(days=days - 1)


# --- categories 1-4: sector group x category ------------------------------------------------------

TABLE_2017 = {
    "a": {"category_1": 137, "category_2": 158, "category_3": 179, "category_4": 200},
    "b": {"category_1": 154, "category_2": 178, "category_3": 202, "category_4": 225},
    "c": {"category_1": 171, "category_2": 198, "category_3": 224, "category_4": 250},
}


@pytest.mark.parametrize("section, group", [("A", "a"), ("J", "a"), ("B", "b"), ("G", "b"), ("C", "c"), ("F", "c")])
@pytest.mark.parametrize("category", ["category_1", "category_2", "category_3", "category_4"])
def test_a_one_year_permit_pays_its_group_and_category_rate(section: str, group: str, category: str) -> None:
    q = quote(Category(category), section, *YEAR, NOW, MRP)
    assert q.mrp == TABLE_2017[group][category]
    assert q.tenge == TABLE_2017[group][category] * 4325
    assert q.group == group and q.band == f"1 year, group {group}"
    assert q.parameters == (
        f"kz.labour.fees.sector_rates.group_{group}.{category}",
        f"kz.labour.sector_group.{section.lower()}",
    )


def test_section_letters_are_read_loosely() -> None:
    assert quote(Category.category_3, " f ", *YEAR, NOW, MRP).group == "c"
    assert quote(Category.category_3, "f", *YEAR, NOW, MRP).mrp == 224


def test_a_shorter_permit_of_categories_2_to_4_pays_the_full_year() -> None:
    assert quote(Category.category_4, "F", *days_from(D(2026, 5, 1), 120), NOW, MRP).mrp == 250


@pytest.mark.parametrize("section", ["Z", "", "FF", "1", "V"])
def test_an_unknown_section_is_refused_for_a_fee_based_permit(section: str) -> None:
    with pytest.raises(PolicyError, match="unknown OKED section"):
        quote(Category.category_2, section, *YEAR, NOW, MRP)


# --- category 1: two and three years ----------------------------------------------------------------


def test_category_1_for_two_and_three_years_pays_each_year() -> None:
    assert quote(Category.category_1, "F", D(2029, 1, 1), D(2030, 12, 31), NOW, MRP).mrp == 2 * 171  # 730 days
    q3 = quote(Category.category_1, "F", D(2029, 1, 1), D(2031, 12, 31), NOW, MRP)  # 1 095 days
    assert q3.mrp == 3 * 171 and q3.tenge == 3 * 171 * 4325 and q3.band == "3 years, group c"
    assert "kz.labour.fees.category_1_years.per_year" in q3.parameters
    thirteen_months = quote(Category.category_1, "A", D(2026, 1, 1), D(2027, 1, 31), NOW, MRP)
    assert thirteen_months.mrp == 2 * 137 and thirteen_months.band == "2 years, group a"


def test_the_multi_year_multiplier_comes_from_the_rates() -> None:
    half = NOW.changed({"category_1_per_year": 0.5})
    assert quote(Category.category_1, "B", D(2029, 1, 1), D(2031, 12, 31), half, MRP).mrp == 154 * 2  # 1 + 2 x 0.5
    assert quote(Category.category_1, "B", *YEAR, half, MRP).mrp == 154  # one year: the rate alone
    assert quote(Category.category_2, "B", D(2029, 1, 1), D(2029, 12, 31), half, MRP).mrp == 178


@pytest.mark.parametrize(
    "start, end, years",
    [(D(2028, 1, 1), D(2028, 12, 31), 1), (D(2027, 1, 1), D(2028, 12, 31), 2), (D(2026, 1, 1), D(2028, 12, 31), 3)],
)
def test_a_leap_day_does_not_add_a_year(start: dt.date, end: dt.date, years: int) -> None:
    assert term_years(start, end) == years


# --- seasonal work ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days, up_to, rate",
    [(1, 90, 12), (90, 90, 12), (91, 180, 24), (180, 180, 24), (181, 270, 36), (270, 270, 36), (271, 365, 48),
     (365, 365, 48)],
)  # fmt: skip
def test_seasonal_bands_at_their_boundaries(days: int, up_to: int, rate: int) -> None:
    q = quote(Category.seasonal, "A", *days_from(D(2026, 3, 1), days), NOW, MRP)
    assert (q.mrp, q.tenge, q.band, q.group) == (rate, rate * 4325, f"up to {up_to} days", None)
    assert q.parameters == (f"kz.labour.fees.seasonal.up_to_{up_to}_days",)


def test_a_seasonal_permit_longer_than_365_days_has_no_rate() -> None:
    with pytest.raises(PolicyError, match="366 days is longer than the longest rate"):
        quote(Category.seasonal, "A", *days_from(D(2026, 3, 1), 366), NOW, MRP)


def test_seasonal_rates_2020_were_flat_and_2026_are_by_length() -> None:
    p2020 = policy(D(2020, 6, 1))
    old = RateTable.of(p2020)
    assert p2020.mrp == 2778
    for days in (60, 150, 250, 365):
        q = quote(Category.seasonal, "A", *days_from(D(2020, 4, 1), days), old, p2020.mrp)
        assert (q.mrp, q.tenge) == (24, 24 * 2778)
    now = [quote(Category.seasonal, "A", *days_from(D(2026, 4, 1), d), NOW, MRP).mrp for d in (60, 150, 250, 365)]
    assert now == [12, 24, 36, 48]


def test_a_section_is_not_needed_for_seasonal_work_or_transfers() -> None:
    assert quote(Category.seasonal, "", *days_from(D(2026, 4, 1), 30), NOW, MRP).mrp == 12
    assert quote(Category.ict, "", *YEAR, NOW, MRP).mrp == 0


# --- intra-corporate transfers, bad terms --------------------------------------------------------


@pytest.mark.parametrize("days", [1, 365, 1096])
def test_intra_corporate_transfers_are_free(days: int) -> None:
    q = quote(Category.ict, "B", *days_from(D(2026, 1, 10), days), NOW, MRP)
    assert (q.mrp, q.tenge, q.group) == (0, 0, None)
    assert q.band == "free: intra-corporate transfer"


@pytest.mark.parametrize("category", list(Category))
def test_a_permit_that_ends_before_it_starts_is_refused(category: Category) -> None:
    with pytest.raises(PolicyError, match="ends before it starts"):
        quote(category, "F", D(2026, 5, 2), D(2026, 5, 1), NOW, MRP)


def test_a_one_day_permit_is_a_term() -> None:
    assert quote(Category.category_3, "F", D(2026, 5, 1), D(2026, 5, 1), NOW, MRP).mrp == 224


# --- reform files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, where",
    [
        ({"rates": {}}, "unknown key 'rates'"),
        ({"sector_rates": {"d": {"category_1": 1}}}, "sector_rates.d:"),
        ({"sector_rates": {"a": {"category_5": 1}}}, "sector_rates.a.category_5:"),
        ({"sector_rates": {"a": {"category_1": -1}}}, "sector_rates.a.category_1:"),
        ({"sector_rates": {"b": {"3": "many"}}}, "sector_rates.b.3:"),
        ({"sector_rates": ["a"]}, "sector_rates must map"),
        ({"seasonal": {100: 10}}, "seasonal.100:"),
        ({"seasonal": {90: True}}, "seasonal.90:"),
        ({"seasonal": {"up_to_180_days": float("nan")}}, "seasonal.up_to_180_days:"),
        ({"seasonal": [12, 24]}, "seasonal must map"),
        ({"sector_group": {"Z": "a"}}, "sector_group.Z:"),
        ({"sector_group": {"F": "d"}}, "sector_group.F:"),
        ({"sector_group": {"FF": "a"}}, "sector_group.FF:"),
        ({"category_1_per_year": "x"}, "category_1_per_year:"),
        ({}, "expected a mapping"),
        (["sector_rates"], "expected a mapping"),
        (None, "expected a mapping"),
    ],
)
def test_a_bad_reform_is_refused_naming_the_key(data: Any, where: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_reform(data, source="r.yaml")
    message = str(info.value)
    assert message.startswith("r.yaml: ") and where in message
    assert "\n" not in message


@pytest.mark.parametrize("groups", [["F"], "F"])
def test_a_sector_group_that_is_not_a_mapping_is_refused_naming_the_key(groups: Any) -> None:
    with pytest.raises(PolicyError, match="sector_group"):
        parse_reform({"sector_group": groups})


def test_a_reform_accepts_the_parameters_spellings() -> None:
    parsed = parse_reform(
        {
            "title": "t",
            "description": "d",
            "sector_rates": {"group_b": {"3": 210, "category_4": 230.5}},
            "seasonal": {"up_to_90_days": 15, 180: 30},
            "sector_group": {"f": "A"},
            "category_1_per_year": 0.8,
        }
    )
    assert parsed == {
        "sector_rates": {"b": {"category_3": 210.0, "category_4": 230.5}},
        "seasonal": {90: 15.0, 180: 30.0},
        "sector_group": {"F": "a"},
        "category_1_per_year": 0.8,
    }


# --- RateTable.changed ----------------------------------------------------------------------------


def test_a_changed_table_changes_only_what_the_reform_names_and_leaves_the_original_alone() -> None:
    after = NOW.changed(parse_reform({"sector_rates": {"b": {"category_3": 250}}, "seasonal": {90: 15}}))
    assert after.sector["b"]["category_3"] == 250 and NOW.sector["b"]["category_3"] == 202
    for g in "abc":
        for c in ("category_1", "category_2", "category_3", "category_4"):
            if (g, c) != ("b", "category_3"):
                assert after.sector[g][c] == NOW.sector[g][c]
    assert after.seasonal == {90: 15, 180: 24, 270: 36, 365: 48} and list(after.seasonal) == [90, 180, 270, 365]
    assert after.sector_group == NOW.sector_group and after.category_1_per_year == NOW.category_1_per_year
    assert quote(Category.category_3, "G", *YEAR, after, MRP).mrp == 250
    assert quote(Category.category_3, "B", *YEAR, after, MRP).mrp == 250
    assert quote(Category.category_3, "F", *YEAR, after, MRP).mrp == 224


def test_moving_a_section_to_another_group_changes_its_fee() -> None:
    after = NOW.changed(parse_reform({"sector_group": {"F": "a"}}))
    q = quote(Category.category_4, "F", *YEAR, after, MRP)
    assert (q.group, q.mrp) == ("a", 200)
    assert NOW.sector_group["F"] == "c"
    assert all(after.sector_group[s] == NOW.sector_group[s] for s in SECTIONS if s != "F")


# --- properties -----------------------------------------------------------------------------------

starts = st.dates(min_value=D(2017, 1, 1), max_value=D(2027, 12, 31))


@settings(max_examples=150, deadline=None)
@given(start=starts, d1=st.integers(1, 365), d2=st.integers(1, 365))
def test_a_seasonal_fee_never_falls_as_the_term_grows(start: dt.date, d1: int, d2: int) -> None:
    p = policy(start)
    rates = RateTable.of(p)
    short, long = sorted((d1, d2))
    a = quote(Category.seasonal, "A", *days_from(start, short), rates, p.mrp)
    b = quote(Category.seasonal, "A", *days_from(start, long), rates, p.mrp)
    assert a.mrp <= b.mrp and a.tenge <= b.tenge


@settings(max_examples=150, deadline=None)
@given(
    start=starts,
    days=st.integers(1, 1200),
    category=st.sampled_from(list(Category)),
    section=st.sampled_from(SECTIONS),
    factor=st.floats(0.5, 2.0),
)
def test_tenge_is_the_mrp_amount_at_the_year_s_mrp_rounded(
    start: dt.date, days: int, category: Category, section: str, factor: float
) -> None:
    p = policy(start)
    rates = RateTable.of(p).changed(
        {"seasonal": {90: 12 * factor}, "sector_rates": {"c": {"category_1": 171 * factor}}}
    )
    if category is Category.seasonal:
        days = min(days, 365)
    q = quote(category, section, *days_from(start, days), rates, p.mrp)
    assert q.tenge == round(q.mrp * p.mrp)
    assert q.mrp >= 0 and (q.mrp == 0) == (category is Category.ict)
