"""kz.kandas_status: eligibility, priority points, and the dated 2025 and 2026 changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from koshi.rules.engine import score_profile
from koshi.rules.explain import Explanation
from koshi.rules.pack import PolicyPack
from tests.factories import ON, kandas_profile


def score(pack: PolicyPack, on: dt.date = ON, **changes: Any) -> Explanation:
    return score_profile(pack, kandas_profile(**changes), on)


def pts(ex: Explanation, key: str) -> float:
    return next(c.points for c in ex.criteria if c.key == key)


def fired(ex: Explanation) -> set[str]:
    return {g.key for g in ex.gates if g.fired}


def test_baseline_is_eligible_with_high_priority(kandas: PolicyPack) -> None:
    ex = score(kandas)
    # settlement 150 + age 37 → 60 + isced_4 20 + not in demand 0 + kazakh c1 30 + 1 working-age member 10
    assert ex.total == 150 + 60 + 20 + 0 + 30 + 10 == 270
    assert ex.decision == "eligible"
    assert ex.outputs["kz_kd_priority"] == "high"


@pytest.mark.parametrize(
    ("changes", "gate"),
    [
        ({"ethnic_kazakh": False}, "not_ethnic_kazakh"),
        ({"origin_evidence": "none"}, "no_evidence"),
        ({"former_kz_citizen": True}, "former_citizen"),
    ],
)
def test_eligibility_knockouts(kandas: PolicyPack, changes: dict[str, Any], gate: str) -> None:
    ex = score(kandas, **changes)
    assert gate in fired(ex)
    assert ex.decision == "refused"


def test_commission_evidence_and_criminal_record_go_to_an_officer(kandas: PolicyPack) -> None:
    assert score(kandas, origin_evidence="commission").decision == "manual_review"
    assert score(kandas, criminal_record=True).decision == "manual_review"


@pytest.mark.parametrize(
    ("members", "uncapped", "capped", "applied"), [(0, 0, 0, False), (4, 40, 40, False), (6, 60, 40, True)]
)
def test_family_points_are_capped(
    kandas: PolicyPack, members: int, uncapped: float, capped: float, applied: bool
) -> None:
    ex = score(kandas, working_age_members=members, family_size=members + 1)
    fam = next(c for c in ex.criteria if c.key == "family")
    assert fam.points == capped
    assert fam.cap is not None
    assert (fam.cap.uncapped, fam.cap.limit, fam.cap.applied) == (uncapped, 40, applied)


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        ("2008-03-02", 0),
        ("2008-03-01", 60),
        ("1981-03-02", 60),
        ("1981-03-01", 30),
        ("1963-03-02", 30),
        ("1963-03-01", 0),
    ],
)
def test_working_age_points(kandas: PolicyPack, birth: str, expected: float) -> None:
    assert pts(score(kandas, birth_date=birth), "age") == expected


def test_in_demand_needs_a_year_of_experience(kandas: PolicyPack) -> None:
    assert pts(score(kandas, occupation_isco="2211", experience_years=0.5), "in_demand") == 0
    assert pts(score(kandas, occupation_isco="2211", experience_years=1), "in_demand") == 50


def test_atyrau_becomes_a_kandas_settlement_region_on_2025_01_01(kandas: PolicyPack) -> None:
    before = score(kandas, dt.date(2024, 12, 31), settlement_region="230000000")
    after = score(kandas, dt.date(2025, 1, 1), settlement_region="230000000")
    assert pts(before, "settlement") == 0
    assert pts(after, "settlement") == 150
    assert before.parameters_hash != after.parameters_hash
    assert after.version_date == dt.date(2025, 1, 1)


def test_support_needs_a_social_contract_from_2026(kandas: PolicyPack) -> None:
    changes = {"support_requested": True, "social_contract_signed": False}
    before = score(kandas, dt.date(2025, 12, 31), **changes)
    after = score(kandas, dt.date(2026, 1, 1), **changes)
    assert before.outputs["kz_kd_support_eligible"] is True
    assert before.decision == "eligible"
    assert after.outputs["kz_kd_support_eligible"] is False
    assert "support_conditions" in fired(after)
    assert after.decision == "manual_review"
    signed = score(kandas, dt.date(2026, 1, 1), support_requested=True, social_contract_signed=True)
    assert signed.outputs["kz_kd_support_eligible"] is True


def test_support_outside_a_deficit_region_is_never_eligible(kandas: PolicyPack) -> None:
    ex = score(kandas, settlement_region="750000000", support_requested=True, social_contract_signed=True)
    assert ex.outputs["kz_kd_support_eligible"] is False
    assert pts(ex, "settlement") == 0


@pytest.mark.parametrize(
    ("total_changes", "band"),
    [
        ({}, "high"),
        ({"settlement_region": "750000000"}, "standard"),
        (
            {
                "settlement_region": "750000000",
                "kazakh_level": "c1",
                "education_level": "isced_7",
                "occupation_isco": "2211",
                "working_age_members": 0,
            },
            "medium",
        ),
    ],
)
def test_priority_bands(kandas: PolicyPack, total_changes: dict[str, Any], band: str) -> None:
    assert score(kandas, **total_changes).outputs["kz_kd_priority"] == band
