"""The foreign-labour parameters as law: dated values, provenance, references, the unpublished fee table marked."""

from __future__ import annotations

import datetime as dt

import pytest

from koshi.labour.policy import EFFECTIVE_FROM, ROOTS, Category, PolicyError, basis, policy
from koshi.rules import provenance


def test_every_labour_parameter_has_a_reference_and_a_provenance() -> None:
    snap = provenance.snapshot_roots("kz.labour", ROOTS, EFFECTIVE_FROM, dt.date(2026, 6, 1))
    assert len(snap.leaves) > 50
    for leaf in snap.leaves:
        assert provenance.references(leaf.path), leaf.path
        assert leaf.provenance in {"official", "designed", "secondary"}, leaf.path


def test_the_sector_table_is_marked_as_the_latest_published_one() -> None:
    provenance.snapshot_roots("kz.labour", ROOTS, EFFECTIVE_FROM, dt.date(2026, 6, 1))  # links metadata parents
    node = provenance.node("kz.labour.fees.sector_rates")
    assert node.metadata["superseded_unknown"] is True
    assert "2017" in node.metadata["published_table"]
    assert provenance.value("kz.labour.fees.sector_rates.group_c.category_4", dt.date(2026, 6, 1)) == 250


def test_2026_values_are_those_of_the_issue() -> None:
    p = policy(dt.date(2026, 6, 1))
    assert p.mrp == 4325 and policy(dt.date(2023, 6, 1)).mrp == 3450 and policy(dt.date(2024, 6, 1)).mrp == 3692
    assert policy(dt.date(2025, 6, 1)).mrp == 3932
    assert p.quota_share == 0.0025
    assert p.quota_by_category == {
        "category_1": 726,
        "category_2": 3402,
        "category_3": 5893,
        "category_4": 3131,
        "seasonal": 4994,
    }
    assert p.seasonal_rates == {90: 12, 180: 24, 270: 36, 365: 48}
    assert (p.share_1_2, p.share_3_4, p.exempt_branch_max_staff) == (0.7, 0.9, 10)
    assert p.vacancy_posting_days == 15


def test_values_change_on_their_dates() -> None:
    assert policy(dt.date(2025, 8, 31)).vacancy_posting_days == 30
    assert policy(dt.date(2025, 9, 1)).vacancy_posting_days == 15
    assert policy(dt.date(2023, 6, 30)).exempt_branch_max_staff == 30
    assert policy(dt.date(2023, 7, 1)).exempt_branch_max_staff == 10
    assert policy(dt.date(2020, 6, 1)).seasonal_rates == {90: 24, 180: 24, 270: 24, 365: 24}
    assert policy(dt.date(2018, 1, 1)).max_months["category_1"] == 12
    assert policy(dt.date(2018, 4, 16)).max_months["category_1"] == 36
    assert policy(dt.date(2025, 6, 1)).quota_by_category == {}  # the 2025 order set only the share
    a, b = policy(dt.date(2026, 3, 1)), policy(dt.date(2025, 3, 1))
    assert a.parameters_hash != b.parameters_hash and a.version_date > b.version_date


def test_before_the_rules_there_is_no_policy() -> None:
    with pytest.raises(provenance.PolicyNotInForce):
        policy(dt.date(2016, 12, 31))


def test_sections_map_to_groups_and_unknown_ones_are_refused() -> None:
    p = policy(dt.date(2026, 6, 1))
    assert (p.group_of("B"), p.group_of("g"), p.group_of("F"), p.group_of("J")) == ("b", "b", "c", "a")
    for bad in ("Z", "", "AB", "1"):
        with pytest.raises(PolicyError):
            p.group_of(bad)


def test_categories_say_what_applies() -> None:
    assert Category.category_3.fee_based and Category.category_3.in_quota
    assert not Category.seasonal.fee_based and Category.seasonal.in_quota
    assert not Category.ict.fee_based and not Category.ict.in_quota


def test_basis_names_the_order() -> None:
    refs = basis("kz.labour.terms.vacancy_posting_days")
    assert any("No. 93" in r and "http" in r for r in refs)
