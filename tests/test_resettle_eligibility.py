"""Who may join the regional quota: each rule, its boundary, and the reason it gives."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koshi.reference.regions import BY_SLUG, KATO_CODES
from koshi.resettle.eligibility import CHECKS, Applicant, Check, eligible, evaluate
from koshi.resettle.policy import PolicyError, add_months, policy

K = {slug: r.kato for slug, r in BY_SLUG.items()}
ON = dt.date(2026, 3, 2)
P = policy(ON)

RESETTLER = Applicant(
    category="resettler",
    citizen=True,
    kandas_status=False,
    employment_status="unemployed",
    origin_kato="611010000",  # a settlement in Turkistan Region
    registered_since=dt.date(2024, 5, 1),
    graduate_programme=None,
    graduated_on=None,
    preferences=(K["north_kazakhstan"], K["pavlodar"]),
    size=4,
    able_bodied=2,
    applied_on=ON,
)
KANDAS = dataclasses.replace(
    RESETTLER,
    category="kandas",
    citizen=False,
    kandas_status=True,
    employment_status="none",
    origin_kato=None,
    registered_since=None,
    preferences=(K["atyrau"],),
)


def _by_key(a: Applicant, on: dt.date = ON) -> dict[str, Check]:
    return {c.key: c for c in evaluate(a, policy(on))}


def _failed(a: Applicant, on: dt.date = ON) -> set[str]:
    return {k for k, c in _by_key(a, on).items() if not c.passed}


def test_a_resettler_and_a_kandas_who_meet_every_rule() -> None:
    for a in (RESETTLER, KANDAS):
        checks = evaluate(a, P)
        assert tuple(c.key for c in checks) == CHECKS and eligible(checks), [c.reason for c in checks]
        assert all(c.basis for c in checks)
    applies = {c.key for c in evaluate(KANDAS, P) if c.applies}
    assert applies == {"status", "destination", "family", "contract"}


def test_the_reason_of_the_contract_example() -> None:
    a = dataclasses.replace(RESETTLER, registered_since=dt.date(2025, 6, 1), applied_on=dt.date(2026, 2, 1))
    c = _by_key(a, a.applied_on)["registration"]
    assert not c.passed and c.applies
    assert c.reason == (
        "registered in Turkistan Region since 2025-06-01, 8 months before the application; "
        "12 months are required (from 2026-06-01)"
    )


@given(st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2026, 12, 31)))
def test_registration_boundary_is_exactly_twelve_months(since: dt.date) -> None:
    on = add_months(since, 12)
    if on < dt.date(2024, 1, 2):
        return
    a = dataclasses.replace(RESETTLER, registered_since=since, applied_on=on)
    assert _by_key(a, on)["registration"].passed
    day_before = dataclasses.replace(a, applied_on=on - dt.timedelta(days=1))
    assert not _by_key(day_before, day_before.applied_on)["registration"].passed


def test_each_resettler_rule_can_fail_alone() -> None:
    cases = {
        "status": dataclasses.replace(RESETTLER, citizen=False),
        "job_seeker": dataclasses.replace(RESETTLER, employment_status="employed"),
        "origin": dataclasses.replace(RESETTLER, origin_kato=K["pavlodar"]),
        "registration": dataclasses.replace(RESETTLER, registered_since=None),
        "graduate": dataclasses.replace(RESETTLER, graduate_programme="bolashak", graduated_on=ON),
        "destination": dataclasses.replace(RESETTLER, preferences=(K["north_kazakhstan"], K["almaty"])),
        "family": dataclasses.replace(RESETTLER, able_bodied=0),
    }
    for key, a in cases.items():
        assert _failed(a) == {key}, (key, [c.reason for c in evaluate(a, P) if not c.passed])
        assert not eligible(evaluate(a, P))


def test_the_reasons_state_facts_and_rule() -> None:
    r = _by_key(dataclasses.replace(RESETTLER, employment_status="employed"))["job_seeker"].reason
    assert r == "employed; resettlers must be registered as unemployed or as job seekers"
    r = _by_key(dataclasses.replace(RESETTLER, origin_kato=K["pavlodar"]))["origin"].reason
    assert (
        r
        == "moves from Pavlodar Region, not a labour-surplus region; resettlers must come from a labour-surplus region"
    )
    r = _by_key(dataclasses.replace(RESETTLER, preferences=(K["almaty"],)))["destination"].reason
    assert r == "Almaty does not receive resettlers in 2026; every preferred region must receive resettlers in 2026"
    assert _by_key(KANDAS)["job_seeker"].reason == "does not apply to kandas"
    assert _by_key(dataclasses.replace(KANDAS, kandas_status=False))["status"].reason == (
        "does not hold kandas status; kandas must hold the status"
    )


def test_graduates_move_from_any_region_within_six_months() -> None:
    grad = dataclasses.replace(
        RESETTLER,
        origin_kato=K["pavlodar"],
        registered_since=None,
        employment_status="job_seeker",
        graduate_programme="serpin",
        graduated_on=dt.date(2025, 9, 2),
    )
    checks = _by_key(grad)
    assert eligible(tuple(checks.values()))
    assert not checks["origin"].applies and not checks["registration"].applies and checks["graduate"].applies
    assert checks["origin"].reason == "does not apply to graduates of Zharkyn Bolashak or Serpin"
    late = dataclasses.replace(grad, graduated_on=dt.date(2025, 9, 1))
    assert _failed(late) == {"graduate", "origin", "registration"}
    assert _by_key(late)["graduate"].reason.endswith("within 6 months of graduating (by 2026-03-01)")
    future = dataclasses.replace(grad, graduated_on=dt.date(2026, 6, 1))
    assert "after the application" in _by_key(future)["graduate"].reason


def test_destination_follows_the_years_lists() -> None:
    to_karaganda = (K["karaganda"],)
    assert "destination" in _failed(dataclasses.replace(KANDAS, preferences=to_karaganda))
    assert "destination" not in _failed(dataclasses.replace(RESETTLER, preferences=to_karaganda))
    atyrau_2024 = dataclasses.replace(KANDAS, applied_on=dt.date(2024, 6, 1))
    assert _failed(atyrau_2024, atyrau_2024.applied_on) == {"destination"}
    any_region = _by_key(dataclasses.replace(KANDAS, preferences=()))["destination"]
    assert any_region.passed and any_region.reason.startswith("any receiving region accepted; 8 regions")


def test_the_kandas_contract_check_from_2026() -> None:
    c26 = _by_key(KANDAS)["contract"]
    assert c26.applies and c26.passed and "5-year social contract" in c26.reason
    early = dataclasses.replace(KANDAS, preferences=(K["pavlodar"],), applied_on=dt.date(2025, 6, 1))
    c25 = _by_key(early, early.applied_on)["contract"]
    assert not c25.applies and c25.passed and "2025" in c25.reason
    assert not _by_key(RESETTLER)["contract"].applies


@pytest.mark.parametrize(
    ("size", "able", "ok"), [(1, 1, True), (20, 1, True), (21, 2, False), (3, 4, False), (0, 0, False)]
)
def test_family_bounds(size: int, able: int, ok: bool) -> None:
    assert _by_key(dataclasses.replace(RESETTLER, size=size, able_bodied=able))["family"].passed is ok


def test_an_unknown_category_is_refused() -> None:
    with pytest.raises(PolicyError):
        evaluate(dataclasses.replace(RESETTLER, category="tourist"), P)


REGIONS = st.sampled_from(KATO_CODES)
APPLICANTS = st.builds(
    Applicant,
    category=st.sampled_from(["resettler", "kandas"]),
    citizen=st.booleans(),
    kandas_status=st.booleans(),
    employment_status=st.sampled_from(["unemployed", "job_seeker", "employed", "none"]),
    origin_kato=st.none() | REGIONS,
    registered_since=st.none() | st.dates(dt.date(2020, 1, 1), dt.date(2027, 1, 1)),
    graduate_programme=st.none() | st.sampled_from(["serpin", "zharkyn_bolashak", "other"]),
    graduated_on=st.none() | st.dates(dt.date(2023, 1, 1), dt.date(2027, 1, 1)),
    preferences=st.lists(REGIONS, max_size=3).map(tuple),
    size=st.integers(0, 25),
    able_bodied=st.integers(0, 25),
    applied_on=st.dates(dt.date(2024, 1, 1), dt.date(2027, 6, 30)),
)
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


@given(APPLICANTS)
def test_eligible_iff_every_applicable_check_passes(a: Applicant) -> None:
    checks = evaluate(a, policy(a.applied_on))
    assert tuple(c.key for c in checks) == CHECKS
    assert all(c.passed for c in checks if not c.applies)
    assert eligible(checks) == all(c.passed for c in checks if c.applies) == all(c.passed for c in checks)
    for c in checks:
        assert c.reason and "\n" not in c.reason and c.reason == c.reason.strip()
        assert c.reason.startswith("does not apply") or "; " in c.reason
        for date in ISO.findall(c.reason):
            dt.date.fromisoformat(date)
    if a.category == "kandas":
        assert eligible(checks) == (a.kandas_status and 1 <= a.able_bodied <= a.size <= 20 and checks[5].passed)
