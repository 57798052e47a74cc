"""The resettlement parameters as law: the yearly quota orders, receiving and origin lists, support amounts."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koshi.reference.regions import BY_SLUG, KATO_CODES
from koshi.resettle.policy import (
    EFFECTIVE_FROM,
    ROOTS,
    Category,
    PolicyError,
    add_months,
    basis,
    category,
    months_between,
    policy,
)
from koshi.rules import provenance

PAVLODAR, NORTH, KOSTANAY = BY_SLUG["pavlodar"].kato, BY_SLUG["north_kazakhstan"].kato, BY_SLUG["kostanay"].kato
ATYRAU, AKMOLA, KARAGANDA = BY_SLUG["atyrau"].kato, BY_SLUG["akmola"].kato, BY_SLUG["karaganda"].kato
TURKISTAN = BY_SLUG["turkistan"].kato
DATES = st.dates(min_value=EFFECTIVE_FROM, max_value=dt.date(2027, 12, 31))


def _leaves(on: dt.date) -> dict[str, provenance.LeafValue]:
    snap = provenance.snapshot_roots("kz.resettlement", ROOTS, EFFECTIVE_FROM, on)
    return {leaf.path: leaf for leaf in snap.leaves}


def test_every_parameter_has_a_reference_and_an_honest_provenance() -> None:
    leaves = _leaves(dt.date(2026, 6, 1))
    assert len(leaves) > 40
    for path, leaf in leaves.items():
        assert provenance.references(path), path
        assert leaf.provenance in {"official", "designed", "secondary"}, path
    assert leaves["kz.resettlement.quota.kandas.pavlodar"].provenance == "official"
    assert leaves["kz.resettlement.support.housing_certificate"].provenance == "official"
    assert leaves["kz.resettlement.origin.turkistan"].provenance == "secondary"
    assert leaves["kz.resettlement.support.repay_share"].provenance == "designed"
    assert leaves["kz.resettlement.eligibility.max_family_size"].provenance == "designed"
    assert all(str(r).startswith("https://") for r in (x.href for x in provenance.references("kz.resettlement.quota")))


def test_the_2026_order() -> None:
    p = policy(dt.date(2026, 6, 1))
    assert p.year == 2026 and p.version_date == dt.date(2026, 1, 1)
    assert p.quota_for(PAVLODAR, "kandas") == 977 and p.quota_for(PAVLODAR, Category.resettler) == 1655
    assert p.quota_for(NORTH, "resettler") == 2820 and p.quota_for(ATYRAU, "kandas") == 125
    assert p.quota_total == {"kandas": 2281, "resettler": 5997}
    for c in Category:  # the 2026 split is complete
        assert sum(n for (_, cat), n in p.quota.items() if cat == c) == p.quota_total[c]
    assert p.quota_for(TURKISTAN, "resettler") == 0 and p.quota_for(KARAGANDA, "kandas") == 0


def test_the_2025_order_is_split_only_in_part() -> None:
    p = policy(dt.date(2025, 6, 1))
    assert p.quota_total == {"kandas": 2309, "resettler": 7344}
    assert sum(n for (_, c), n in p.quota.items() if c == "kandas") == 2309
    listed = {r for (r, c) in p.quota if c == "resettler"}
    assert listed == {PAVLODAR, NORTH, KOSTANAY}
    assert sum(p.quota_for(r, "resettler") for r in listed) == 6554 < 7344
    assert p.quota_for(PAVLODAR, "kandas") == 1056


def test_the_2024_orders_give_totals_and_change_on_24_august() -> None:
    before, after = policy(dt.date(2024, 8, 23)), policy(dt.date(2024, 8, 24))
    assert before.quota_total == {"kandas": 2433, "resettler": 7050}
    assert after.quota_total == {"kandas": 3033, "resettler": 6450}
    assert before.quota == {} and before.parameters_hash != after.parameters_hash


def test_receiving_regions_change_with_the_years() -> None:
    p24, p25, p26 = (policy(dt.date(y, 6, 1)) for y in (2024, 2025, 2026))
    assert ATYRAU not in p24.receiving["kandas"] and ATYRAU in p25.receiving["kandas"]
    assert len(p26.receiving["kandas"]) == 8
    assert AKMOLA in p24.receiving["resettler"] and AKMOLA not in p25.receiving["resettler"]
    assert KARAGANDA in p26.receiving["resettler"] and KARAGANDA not in p26.receiving["kandas"]
    assert TURKISTAN in p26.origin_regions


@given(DATES)
def test_the_lists_agree_on_any_date(on: dt.date) -> None:
    p = policy(on)
    assert p.year == on.year and p.as_of == on
    for (region, c), n in p.quota.items():
        assert n > 0 and region in p.receiving[c] and region in KATO_CODES
    for c in Category:
        assert not p.origin_regions & p.receiving[c]
        assert sum(n for (_, cat), n in p.quota.items() if cat == c) <= p.quota_total[c]
    assert p.quota_for("999999999", "kandas") == 0


def test_money_in_mrp_and_tenge() -> None:
    p26, p25, p24 = (policy(dt.date(y, 3, 1)) for y in (2026, 2025, 2024))
    assert (p26.mrp, p26.tenge(p26.relocation_per_member_mrp)) == (4325, 302_750)
    assert p25.tenge(70) == 275_240 and p24.tenge(70) == 258_440
    assert p26.housing_certificate_mrp == 1625 and p26.tenge(1625) == 7_028_125
    assert p25.housing_certificate_mrp == 1160
    assert (p26.rent_min_mrp, p26.rent_max_mrp, p26.rent_months) == (15, 30, 12)
    assert (p26.tenge(15), p26.tenge(30)) == (64_875, 129_750)
    assert p26.tenge(p26.employer_subsidy_mrp) == 1_730_000 and p25.tenge(400) == 1_572_800


def test_the_kandas_contract_starts_in_2026() -> None:
    p25, p26 = policy(dt.date(2025, 12, 31)), policy(dt.date(2026, 1, 1))
    assert (p25.kandas_contract_required, p25.contract_years) == (False, None)
    assert (p26.kandas_contract_required, p26.contract_years, p26.repay_share) == (True, 5, 1.0)


def test_eligibility_parameters() -> None:
    p = policy(dt.date(2026, 6, 1))
    assert p.min_registration_months == 12 and p.graduate_window_months == 6
    assert p.seeker_statuses == {"unemployed", "job_seeker"}
    assert p.graduate_programmes == {"zharkyn_bolashak", "serpin"}


def test_before_the_first_order_there_is_no_policy() -> None:
    with pytest.raises(provenance.PolicyNotInForce, match="2024-01-01"):
        policy(dt.date(2023, 12, 31))
    with pytest.raises(PolicyError):
        policy(dt.date(2023, 12, 31))


def test_categories() -> None:
    assert category("kandas") is Category.kandas
    with pytest.raises(PolicyError, match="resettler or kandas"):
        category("oralman")


def test_basis_names_the_sources() -> None:
    assert any("2026" in b and "https://" in b for b in basis("kz.resettlement.quota.kandas.pavlodar"))
    assert any("V1600013334" in b for b in basis("kz.resettlement"))
    assert any("1 625" in b for b in basis("kz.resettlement.support.housing_certificate"))


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)), st.integers(0, 120))
def test_month_arithmetic(day: dt.date, n: int) -> None:
    later = add_months(day, n)
    assert later.day <= day.day and months_between(day, later) == n
    assert add_months(day, n) <= add_months(day, n + 1)


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)),
)
def test_months_between_counts_whole_months(start: dt.date, end: dt.date) -> None:
    m = months_between(start, end)
    if end >= start:
        assert add_months(start, m) <= end < add_months(start, m + 1)
    else:
        assert m == -months_between(end, start)
