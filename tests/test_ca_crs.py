"""ca.crs: hand-computed profiles against the grid in shared/domain/points-systems.md §1.

Every expected total below is worked out by hand from the published tables, term by term, in the
comment or the arithmetic of the assertion; none is copied from the engine's output.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from koshi.rules.engine import score_profile, score_table
from koshi.rules.explain import Explanation
from koshi.rules.pack import PolicyPack
from tests.factories import ON, crs_profile

BEFORE_2025 = dt.date(2025, 3, 24)  # last day with arranged-employment points
FROM_2025 = dt.date(2025, 3, 25)

# IELTS General Training scores giving the same CLB in all four abilities (L, R, W, S).
IELTS = {
    10: (8.5, 8.0, 7.5, 7.5),
    9: (8.0, 7.0, 7.0, 7.0),
    8: (7.5, 6.5, 6.5, 6.5),
    7: (6.0, 6.0, 6.0, 6.0),
    5: (5.0, 4.0, 5.0, 5.0),
    4: (4.5, 3.5, 4.0, 4.0),
}
ABILITIES = ("listening", "reading", "writing", "speaking")


def lang(prefix: str, test: str, scores: tuple[float, float, float, float]) -> dict[str, Any]:
    return {f"{prefix}_test": test} | {f"{prefix}_{a}": s for a, s in zip(ABILITIES, scores, strict=True)}


def spouse(education: str, test: str, scores: tuple[float, ...], canadian_work_years: float) -> dict[str, Any]:
    return {
        "spouse_accompanying": True,
        "spouse_education": education,
        "spouse_first_language_test": test,
        "spouse_canadian_work_years": canadian_work_years,
    } | {f"spouse_first_language_{a}": s for a, s in zip(ABILITIES, scores, strict=True)}


def score(pack: PolicyPack, on: dt.date = ON, **changes: Any) -> Explanation:
    return score_profile(pack, crs_profile(**changes), on)


def pts(ex: Explanation, key: str) -> float:
    return next(c.points for c in ex.criteria if c.key == key)


def fired(ex: Explanation) -> set[str]:
    return {g.key for g in ex.gates if g.fired}


# (id, changes, on, core, spouse, transferability, additional, total)
CASES: list[tuple[str, dict[str, Any], dt.date, float, float, float, float, float]] = [
    (
        # age 29: 110; bachelor's 120; CLB 9 ×4: 31×4 = 124 → A 354.
        # C: bachelor's × CLB 9 = 25; 3 yrs abroad × CLB 9 = 50 → 75.
        "01 single baseline",
        {},
        ON,
        110 + 120 + 124,
        0,
        25 + 50,
        0,
        429,
    ),
    (
        # with spouse: age 100; bachelor's 112; 29×4 = 116 → A 328.
        # B: master's 10; spouse IELTS CLB 8 ×4: 3×4 = 12; no Canadian work → 22. C unchanged 75.
        "02 accompanying spouse",
        spouse("masters", "ielts", IELTS[8], 0),
        ON,
        100 + 112 + 116,
        10 + 12,
        75,
        0,
        425,
    ),
    (
        # spouse details present but the spouse does not accompany: scored as single, spouse ignored.
        "03 stale spouse fields ignored",
        spouse("masters", "ielts", IELTS[8], 5) | {"spouse_accompanying": False},
        ON,
        354,
        0,
        75,
        0,
        429,
    ),
    (
        # age 30 (born 1996-03-01, birthday on the evaluation date): 105.
        "04 age 30 on the day",
        {"birth_date": "1996-03-01"},
        ON,
        105 + 120 + 124,
        0,
        75,
        0,
        424,
    ),
    (
        # PhD 150; 2 yrs Canadian 53; A = 110+150+124+53 = 437.
        # C: PhD×CLB9 50 + PhD×Cdn2 50 = 100 → 50; abroad 3×CLB9 50 + 3×Cdn2 50 = 100 → 50;
        # trade certificate × CLB≥7 = 50; C = 150 → capped at 100.
        "05 every transferability cap binds",
        {"education": "doctoral", "canadian_work_years": 2, "certificate_of_qualification": True},
        ON,
        110 + 150 + 124 + 53,
        0,
        100,
        0,
        537,
    ),
    (
        # age 35: 77; two-year 98; CLB 7 ×4: 17×4 = 68; 1 yr Canadian 40 → A 283.
        # C: two-year×CLB7 13 + two-year×Cdn1 13 = 26; 1 yr abroad×CLB7 13 + ×Cdn1 13 = 26 → 52.
        "06 middle tiers everywhere",
        {
            "birth_date": "1990-06-01",
            "education": "two_year",
            "canadian_work_years": 1,
            "foreign_work_years": 1,
            **lang("first_language", "ielts", IELTS[7]),
        },
        ON,
        77 + 98 + 68 + 40,
        0,
        26 + 26,
        0,
        335,
    ),
    (
        # IELTS L8.5 R8.0 W7.5 S6.5 → CLB 10,10,10,8: 34+34+34+23 = 125; master's 135; age 27 110.
        # C uses the lowest ability (CLB 8: middle): master's 25; 2 yrs abroad 13 → 38.
        "07 lowest ability sets the transferability tier",
        {
            "birth_date": "1998-06-01",
            "education": "masters",
            "foreign_work_years": 2,
            **lang("first_language", "ielts", (8.5, 8.0, 7.5, 6.5)),
        },
        ON,
        110 + 135 + 125,
        0,
        25 + 13,
        0,
        408,
    ),
    (
        # CELPIP 12,10,9,7 → CLB 10,10,9,7: 34+34+31+17 = 116; secondary 30; age 24 110.
        # C: secondary × language 0; no work abroad 0; trade certificate × CLB min 7 = 50.
        "08 CELPIP and a trade certificate",
        {
            "birth_date": "2001-06-01",
            "education": "secondary",
            "foreign_work_years": 0,
            "certificate_of_qualification": True,
            **lang("first_language", "celpip", (12, 10, 9, 7)),
        },
        ON,
        110 + 30 + 116,
        0,
        50,
        0,
        306,
    ),
    (
        # IELTS L5.0 R4.0 W5.0 S5.5 → CLB 5,5,5,6: 6+6+6+9 = 27; one-year 90; age 40 50.
        # C: language below CLB 7 gives no education or work combination; certificate × CLB 5–6 = 25.
        "09 certificate at CLB 5",
        {
            "birth_date": "1985-06-01",
            "education": "one_year",
            "foreign_work_years": 5,
            "certificate_of_qualification": True,
            **lang("first_language", "ielts", (5.0, 4.0, 5.0, 5.5)),
        },
        ON,
        50 + 90 + 27,
        0,
        25,
        0,
        192,
    ),
    (
        # TEF L434 R434 W428 S456 → NCLC 7 ×4: 17×4 = 68; age 32 94; bachelor's 120.
        # C: bachelor's × CLB 7 = 13; no work abroad. D: French NCLC 7+, no English test → 25.
        "10 French only",
        {
            "birth_date": "1993-06-01",
            "foreign_work_years": 0,
            **lang("first_language", "tef", (434, 434, 428, 456)),
        },
        ON,
        94 + 120 + 68,
        0,
        13,
        25,
        320,
    ),
    (
        # TCF L523 R524 W14 S14 → NCLC 9 ×4: 124; IELTS second CLB 5 ×4: 1×4 = 4; master's 135.
        # C: master's × NCLC 9 = 50. D: French NCLC 7+ and English CLB 5+ → 50.
        "11 French first, English second",
        {
            "education": "masters",
            "foreign_work_years": 0,
            **lang("first_language", "tcf", (523, 524, 14, 14)),
            **lang("second_language", "ielts", IELTS[5]),
        },
        ON,
        110 + 135 + 124 + 4,
        0,
        50,
        50,
        473,
    ),
    (
        # Second language TEF NCLC 9 ×4 (L503 R503 W512 S518): 6×4 = 24 (cap 24 single). D: bilingual 50.
        "12 English first, French second",
        lang("second_language", "tef", (503, 503, 512, 518)),
        ON,
        354 + 24,
        0,
        75,
        50,
        503,
    ),
    (
        # As 12 with a spouse: age 100, bachelor's 112, 29×4 = 116, second language 24 → capped 22.
        # B: secondary 2; CELPIP 5 ×4 → 1×4 = 4; 1 yr Canadian 5 → 11.
        "13 second-language cap with spouse",
        lang("second_language", "tef", (503, 503, 512, 518)) | spouse("secondary", "celpip", (5, 5, 5, 5), 1),
        ON,
        100 + 112 + 116 + 22,
        2 + 4 + 5,
        75,
        50,
        486,
    ),
    (
        # spouse at CLB 4 in every ability earns nothing for language (≤ CLB 4 = 0); PhD spouse 10;
        # 5+ yrs Canadian 10. Principal as 02: A 328.
        "14 spouse language at CLB 4 scores 0",
        spouse("doctoral", "ielts", IELTS[4], 6),
        ON,
        328,
        10 + 0 + 10,
        75,
        0,
        423,
    ),
    (
        # D: nomination 600 + sibling 15 + Canadian 3-yr credential 30 = 645 → capped at 600.
        "15 additional points cap",
        {"provincial_nomination": True, "sibling_in_canada": True, "canadian_education": "three_year_or_more"},
        ON,
        354,
        0,
        75,
        600,
        1029,
    ),
    (
        # The arranged-employment points on their last day: NOC 00 job offer 200.
        "16 job offer NOC 00 on 2025-03-24",
        {"arranged_employment": "teer_0_major_group_00"},
        BEFORE_2025,
        354,
        0,
        75,
        200,
        629,
    ),
    (
        "17 job offer TEER 1-3 on 2025-03-24",
        {"arranged_employment": "teer_1_3_or_other"},
        BEFORE_2025,
        354,
        0,
        75,
        50,
        479,
    ),
    (
        # ... and none from 2025-03-25.
        "18 job offer on 2025-03-25",
        {"arranged_employment": "teer_0_major_group_00"},
        FROM_2025,
        354,
        0,
        75,
        0,
        429,
    ),
    (
        # Every section at its maximum: age 25 110, PhD 150, CLB 10 ×4 136, French NCLC 9+ ×4 24,
        # 5 yrs Canadian 80 = 500; C 100; D 600 + 50 + 30 + 15 → 600. Total 1,200.
        "19 maximum 1200",
        {
            "birth_date": "2000-06-01",
            "education": "doctoral",
            "canadian_work_years": 5,
            "canadian_education": "three_year_or_more",
            "provincial_nomination": True,
            "sibling_in_canada": True,
            **lang("first_language", "ielts", IELTS[10]),
            **lang("second_language", "tcf", (549, 549, 16, 16)),
        },
        ON,
        110 + 150 + 136 + 24 + 80,
        0,
        100,
        600,
        1200,
    ),
    (
        # PTE Core L89 R88 W90 S89 → CLB 10 ×4: 136; age 44 with no spouse 6; bachelor's 120.
        "20 PTE Core at CLB 10, age 44",
        {"birth_date": "1981-06-01", **lang("first_language", "pte", (89, 88, 90, 89))},
        ON,
        6 + 120 + 136,
        0,
        25 + 50,
        0,
        337,
    ),
]


@pytest.mark.parametrize(
    ("changes", "on", "core", "spouse_pts", "transfer", "additional", "total"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_hand_computed_profile(
    crs: PolicyPack,
    changes: dict[str, Any],
    on: dt.date,
    core: float,
    spouse_pts: float,
    transfer: float,
    additional: float,
    total: float,
) -> None:
    assert core + spouse_pts + transfer + additional == total  # the case itself adds up
    ex = score(crs, on, **changes)
    assert (pts(ex, "core"), pts(ex, "spouse"), pts(ex, "transferability"), pts(ex, "additional")) == (
        core,
        spouse_pts,
        transfer,
        additional,
    )
    assert ex.total == total
    assert ex.maximum == 1200


def test_at_least_fifteen_hand_computed_profiles() -> None:
    assert len(CASES) >= 15


def test_caps_are_explained_with_the_uncapped_value(crs: PolicyPack) -> None:
    ex = score(crs, education="doctoral", canadian_work_years=2, certificate_of_qualification=True)
    caps = {c.key: c.cap for c in ex.criteria if c.cap is not None}
    assert (caps["education_transferability"].uncapped, caps["education_transferability"].applied) == (100, True)
    assert (caps["foreign_work_transferability"].uncapped, caps["foreign_work_transferability"].limit) == (100, 50)
    assert (caps["transferability"].uncapped, caps["transferability"].limit) == (150, 100)
    assert caps["transferability"].applied
    assert not caps["additional"].applied


@pytest.mark.parametrize(
    ("test", "scores", "levels"),
    [
        ("ielts", (4.5, 3.5, 4.0, 4.0), (4, 4, 4, 4)),
        ("ielts", (4.0, 3.0, 3.5, 3.5), (0, 0, 0, 0)),
        ("ielts", (5.5, 5.0, 5.5, 5.5), (6, 6, 6, 6)),
        ("ielts", (9.0, 9.0, 9.0, 9.0), (10, 10, 10, 10)),
        ("celpip", (3, 4, 11, 12), (0, 4, 10, 10)),
        ("pte", (88, 87, 89, 88), (9, 9, 9, 9)),
        ("pte", (28, 33, 41, 42), (4, 4, 4, 4)),
        ("tef", (545, 545, 557, 555), (9, 9, 9, 9)),
        ("tef", (305, 305, 267, 327), (0, 0, 0, 0)),
        ("tcf", (458, 453, 10, 10), (7, 7, 7, 7)),
        ("tcf", (457, 452, 9, 9), (6, 6, 6, 6)),
    ],
)
def test_clb_conversion_boundaries(
    crs: PolicyPack, test: str, scores: tuple[float, float, float, float], levels: tuple[int, ...]
) -> None:
    ex = score(crs, **lang("first_language", test, scores))
    got = tuple(ex.outputs[f"ca_crs_first_language_clb_{a}"] for a in ABILITIES)
    assert got == levels


def test_below_clb_4_goes_to_review_with_zero_points_for_that_ability(crs: PolicyPack) -> None:
    # IELTS listening 4.0 < 4.5: CLB 0 → 0 + 31×3 = 93; no language combination in C.
    ex = score(crs, **lang("first_language", "ielts", (4.0, 7.0, 7.0, 7.0)))
    assert pts(ex, "first_language") == 93
    assert pts(ex, "transferability") == 0
    assert ex.total == 110 + 120 + 93
    assert fired(ex) == {"low_language"}
    assert ex.decision == "manual_review"


def test_second_test_in_the_same_language_is_not_scored_and_reviewed(crs: PolicyPack) -> None:
    ex = score(crs, **lang("second_language", "celpip", (9, 9, 9, 9)))
    assert pts(ex, "second_language") == 0
    assert pts(ex, "french") == 0
    assert ex.total == 429
    assert fired(ex) == {"same_language"}
    assert ex.decision == "manual_review"


def test_minor_principal_is_refused(crs: PolicyPack) -> None:
    ex = score(crs, birth_date="2008-03-02")  # 17 on 2026-03-01
    assert pts(ex, "age") == 0
    assert "minor" in fired(ex)
    assert ex.decision == "refused"


def test_age_points_drop_on_the_birthday(crs: PolicyPack) -> None:
    born = "1996-06-01"
    assert pts(score(crs, dt.date(2026, 5, 31), birth_date=born), "age") == 110  # 29
    assert pts(score(crs, dt.date(2026, 6, 1), birth_date=born), "age") == 105  # 30
    assert pts(score(crs, dt.date(2027, 6, 1), birth_date=born), "age") == 99  # 31


def test_french_bonus_needs_every_french_ability_at_nclc_7(crs: PolicyPack) -> None:
    # speaking 455 < 456 → NCLC 6 in one ability: no French points.
    ex = score(crs, **lang("second_language", "tef", (503, 503, 512, 455)))
    assert pts(ex, "french") == 0


def test_version_and_hash_change_when_job_offer_points_end(crs: PolicyPack) -> None:
    before, after = score(crs, BEFORE_2025), score(crs, FROM_2025)
    assert before.version_date < after.version_date == FROM_2025
    assert before.parameters_hash != after.parameters_hash
    assert score(crs, ON).parameters_hash == after.parameters_hash


def test_every_criterion_cites_a_legal_source(crs: PolicyPack) -> None:
    ex = score(crs)
    for c in ex.criteria:
        if c.group == "component":
            assert c.references, c.key
    assert "Ministerial Instructions" in ex.legal_basis


def test_score_above_its_tests_scale_is_a_row_error(crs: PolicyPack) -> None:
    rows = [
        crs_profile(id="ok"),
        crs_profile(id="typo", first_language_writing=65),  # IELTS 6.5 typed as 65
        crs_profile(id="tcf", **lang("first_language", "tcf", (500, 500, 21, 14))),
        crs_profile(id="stale", spouse_first_language_test="ielts", spouse_first_language_reading=70),
    ]
    result = score_table(crs, pa.Table.from_pylist(rows), ON)
    assert [(e.row, e.field) for e in result.errors] == [(2, "first_language_writing"), (3, "first_language_writing")]
    assert "scale" in result.errors[0].reason and result.errors[0].value == "65"
    assert result.table.column("id").to_pylist() == ["ok", "stale"]
