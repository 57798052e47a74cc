"""kz.permanent_residence: every criterion's boundaries, gates and the decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from koshi.rules.engine import score_profile
from koshi.rules.explain import Explanation
from koshi.rules.pack import PolicyPack
from tests.factories import ON, pr_profile


def points(ex: Explanation, key: str) -> float:
    return next(c.points for c in ex.criteria if c.key == key)


def fired(ex: Explanation) -> set[str]:
    return {g.key for g in ex.gates if g.fired}


def score(pack: PolicyPack, on: dt.date = ON, **changes: Any) -> Explanation:
    return score_profile(pack, pr_profile(**changes), on)


def test_baseline_profile_is_eligible_with_630_points(pr: PolicyPack) -> None:
    ex = score(pr)
    assert ex.total == 90 + 110 + 70 + 120 + 50 + 60 + 50 + 0 + 80 == 630
    assert ex.decision == "eligible"
    assert ex.pass_mark == 400
    assert ex.maximum == 100 + 150 + 100 + 120 + 150 + 70 + 70 + 50 + 80
    assert fired(ex) == set()


@pytest.mark.parametrize(
    ("birth_date", "expected"),
    [
        ("2008-03-02", 0),  # 17 on 2026-03-01
        ("2008-03-01", 100),  # 18 on the day
        ("1996-03-02", 100),  # 29
        ("1996-03-01", 90),  # 30
        ("1991-03-02", 90),  # 34
        ("1991-03-01", 75),  # 35
        ("1986-03-01", 55),  # 40
        ("1981-03-01", 35),  # 45
        ("1976-03-01", 15),  # 50
        ("1971-03-02", 15),  # 54
        ("1971-03-01", 0),  # 55
    ],
)
def test_age_points_at_each_band_boundary(pr: PolicyPack, birth_date: str, expected: float) -> None:
    assert points(score(pr, birth_date=birth_date), "age") == expected


def test_minor_principal_is_knocked_out(pr: PolicyPack) -> None:
    ex = score(pr, birth_date="2008-03-02")
    assert "minor" in fired(ex)
    assert ex.decision == "refused"
    assert "minor" not in fired(score(pr, birth_date="2008-03-01"))


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("isced_0", 0),
        ("isced_1", 0),
        ("isced_2", 10),
        ("isced_3", 40),
        ("isced_4", 60),
        ("isced_5", 80),
        ("isced_6", 110),
        ("isced_7", 130),
        ("isced_8", 150),
    ],
)
def test_education_points(pr: PolicyPack, level: str, expected: float) -> None:
    assert points(score(pr, education_level=level), "education") == expected


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        (0, 0),
        (0.99, 0),
        (1, 20),
        (1.99, 20),
        (2, 35),
        (3, 50),
        (4.99, 50),
        (5, 70),
        (7.99, 70),
        (8, 90),
        (9.99, 90),
        (10, 100),
        (45, 100),
    ],
)
def test_experience_points(pr: PolicyPack, years: float, expected: float) -> None:
    assert points(score(pr, experience_years=years, occupation_isco="9411"), "experience") == expected


@pytest.mark.parametrize(
    ("isco", "years", "expected"),
    [("2512", 1.99, 60), ("2512", 2, 120), ("2212", 10, 120), ("9411", 10, 0), ("2513", 10, 0)],
)
def test_in_demand_occupation(pr: PolicyPack, isco: str, years: float, expected: float) -> None:
    assert points(score(pr, occupation_isco=isco, experience_years=years), "in_demand") == expected


@pytest.mark.parametrize(
    ("criterion", "field", "table"),
    [
        ("kazakh", "kazakh_level", {"none": 0, "a1": 30, "a2": 50, "b1": 80, "b2": 110, "c1": 130, "c2": 150}),
        ("russian", "russian_level", {"none": 0, "a1": 10, "a2": 20, "b1": 35, "b2": 50, "c1": 60, "c2": 70}),
        ("english", "english_level", {"none": 0, "a1": 10, "a2": 20, "b1": 35, "b2": 50, "c1": 60, "c2": 70}),
    ],
)
def test_language_points_for_every_level(pr: PolicyPack, criterion: str, field: str, table: dict[str, int]) -> None:
    for level, expected in table.items():
        assert points(score(pr, **{field: level.upper()}), criterion) == expected


def test_family_ties_and_settlement(pr: PolicyPack) -> None:
    assert points(score(pr, family_ties_kz=True), "family_ties") == 50
    assert points(score(pr, settlement_region="750000000"), "settlement") == 0  # Almaty city
    assert points(score(pr, settlement_region="230000000"), "settlement") == 80  # Atyrau, deficit since 2025


@pytest.mark.parametrize(("listening", "reading", "ko"), [(30, 30, False), (29.9, 90, True), (90, 29.9, True)])
def test_kaztest_needs_30_percent_in_each_block(pr: PolicyPack, listening: float, reading: float, ko: bool) -> None:
    ex = score(pr, kaztest_listening_pct=listening, kaztest_reading_pct=reading)
    assert ("kaztest" in fired(ex)) is ko
    assert (ex.decision == "refused") is ko


def test_funds_threshold_is_1320_mrp_of_the_year(pr: PolicyPack) -> None:
    threshold = 1320 * 4325  # MRP 2026
    assert "funds" in fired(score(pr, proof_of_funds_kzt=threshold - 1))
    ex = score(pr, proof_of_funds_kzt=threshold)
    assert "funds" not in fired(ex)
    assert ex.outputs["kz_pr_funds_threshold_kzt"] == threshold


def test_review_triggers_send_to_officer_and_knockouts_win(pr: PolicyPack) -> None:
    assert score(pr, health_clearance=False).decision == "manual_review"
    both = score(pr, health_clearance=False, criminal_record=True)
    assert both.decision == "refused"
    assert {"health", "criminal_record"} <= fired(both)
    assert score(pr, prior_deportation=True).decision == "refused"


@pytest.mark.parametrize(
    ("english", "expected_total", "decision"),
    # baseline 630 minus in-demand 120, settlement 80, and English 50 replaced: 380 + english
    [("none", 380, "manual_review"), ("a1", 390, "manual_review"), ("a2", 400, "eligible")],
)
def test_pass_mark_and_borderline_band(pr: PolicyPack, english: str, expected_total: float, decision: str) -> None:
    ex = score(pr, occupation_isco="9411", settlement_region="750000000", english_level=english)
    assert ex.total == expected_total
    assert ex.decision == decision


def test_below_the_band_is_a_refusal_recommendation(pr: PolicyPack) -> None:
    ex = score(pr, occupation_isco="9411", settlement_region="750000000", english_level="none", russian_level="b2")
    assert ex.total == 370
    assert ex.decision == "refused"
    assert fired(ex) == set()


def test_explanation_names_inputs_maximum_and_legal_basis(pr: PolicyPack) -> None:
    ex = score(pr)
    age = next(c for c in ex.criteria if c.key == "age")
    assert age.inputs == {"birth_date": "1992-05-01"}
    assert age.maximum == 100
    assert age.references and age.references[0].href is not None
    assert "kz.permanent_residence.points.age" in age.parameters
    assert ex.parameters_hash.startswith("sha256:")
    assert ex.version_date == dt.date(2026, 2, 13)
