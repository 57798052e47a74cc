"""The checks before a work permit: every check passes and fails on the boundaries the rules set."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from koshi.labour.checks import CHECKS, Application, Check, Facts, Staff, evaluate, passed
from koshi.labour.policy import Category, policy
from koshi.labour.quota import distribute

D = dt.date
IIN = "791028302728"
AFTER = D(2026, 3, 2)  # 15-day rule, branches up to 10 staff exempt


def app(**changes: Any) -> Application:
    base = Application(
        category=Category.category_3,
        isco="2142",
        region_kato="710000000",
        valid_from=D(2026, 4, 1),
        valid_to=D(2027, 3, 31),
        applied_on=AFTER,
        worker_iin=IIN,
    )
    return dataclasses.replace(base, **changes)


def facts(**changes: Any) -> Facts:
    base = Facts(
        employer_active=True,
        employer_branch=False,
        vacancy_posted_on=AFTER - dt.timedelta(days=20),
        quota_allocated=100,
        quota_used=10,
        staff=Staff(citizens_1_2=10, foreigners_1_2=0, citizens_3_4=90, foreigners_3_4=0),
        worker_found=True,
    )
    return dataclasses.replace(base, **changes)


def run(a: Application | None = None, f: Facts | None = None) -> dict[str, Check]:
    a = a or app()
    return {c.key: c for c in evaluate(a, f or facts(), policy(a.applied_on))}


def one(key: str, a: Application | None = None, f: Facts | None = None) -> Check:
    return run(a, f)[key]


def test_a_clean_application_passes_every_check_in_order() -> None:
    checks = evaluate(app(), facts(), policy(AFTER))
    assert tuple(c.key for c in checks) == CHECKS
    assert passed(checks), [c.reason for c in checks if not c.passed]
    assert all(c.parameters for c in checks if c.key != "employer" and c.key != "worker_no_violation")


# --- employer ----------------------------------------------------------------------------------------


def test_employer_active_passes_inactive_fails() -> None:
    assert one("employer").passed
    c = one("employer", f=facts(employer_active=False))
    assert not c.passed and "not active" in c.reason


# --- vacancy posting: 30 days before 1 Sep 2025, 15 since ----------------------------------------------


def test_vacancy_posted_15_days_before_passes_14_fails() -> None:
    ok = one("vacancy_posted", f=facts(vacancy_posted_on=AFTER - dt.timedelta(days=15)))
    short = one("vacancy_posted", f=facts(vacancy_posted_on=AFTER - dt.timedelta(days=14)))
    assert ok.passed
    assert not short.passed
    assert "14 days before" in short.reason and "15 calendar days" in short.reason
    assert f"apply from {(AFTER + dt.timedelta(days=1)).isoformat()}" in short.reason


def test_before_1_september_2025_the_vacancy_needs_30_days() -> None:
    day = D(2025, 8, 31)
    a = app(applied_on=day, valid_from=D(2025, 9, 15), valid_to=D(2026, 9, 14))
    assert not one("vacancy_posted", a, facts(vacancy_posted_on=day - dt.timedelta(days=29))).passed
    c = one("vacancy_posted", a, facts(vacancy_posted_on=day - dt.timedelta(days=15)))
    assert not c.passed and "30 calendar days" in c.reason
    assert one("vacancy_posted", a, facts(vacancy_posted_on=day - dt.timedelta(days=30))).passed
    after = app(applied_on=D(2025, 9, 1))
    assert one("vacancy_posted", after, facts(vacancy_posted_on=D(2025, 8, 17))).passed


def test_no_vacancy_fails_and_names_the_occupation() -> None:
    c = one("vacancy_posted", f=facts(vacancy_posted_on=None))
    assert not c.passed and "2142" in c.reason


def test_no_vacancy_test_for_transfers_and_extensions() -> None:
    for a in (app(category=Category.ict), app(extension=True)):
        c = one("vacancy_posted", a, facts(vacancy_posted_on=None))
        assert c.passed and not c.applies


# --- quota -------------------------------------------------------------------------------------------


def test_quota_with_a_place_left_passes() -> None:
    c = one("quota_available", f=facts(quota_allocated=10, quota_used=9))
    assert c.passed and "1 of 10" in c.reason


def test_quota_exhausted_fails() -> None:
    c = one("quota_available", f=facts(quota_allocated=10, quota_used=10))
    assert not c.passed and "exhausted" in c.reason and "10 of 10" in c.reason
    assert not one("quota_available", f=facts(quota_allocated=0, quota_used=0)).passed


def test_quota_not_distributed_fails() -> None:
    c = one("quota_available", f=facts(quota_allocated=None))
    assert not c.passed and "no quota" in c.reason and "2026" in c.reason


def test_intra_corporate_transfers_are_outside_the_quota() -> None:
    c = one("quota_available", app(category=Category.ict), facts(quota_allocated=None, quota_used=999))
    assert c.passed and not c.applies


# --- local content -----------------------------------------------------------------------------------


def test_categories_1_2_need_70_percent_citizens() -> None:
    a = app(category=Category.category_1)
    # 7 citizens, 2 foreigners + this permit = 70.0%
    ok = one("local_content", a, facts(staff=Staff(citizens_1_2=7, foreigners_1_2=2, citizens_3_4=100)))
    assert ok.passed, ok.reason
    low = one("local_content", a, facts(staff=Staff(citizens_1_2=6, foreigners_1_2=2, citizens_3_4=100)))
    assert not low.passed
    assert "66.7%" in low.reason and "70%" in low.reason and "7 citizens for 3 foreign workers" in low.reason


def test_categories_3_4_need_90_percent_citizens() -> None:
    a = app(category=Category.category_4)
    ok = one("local_content", a, facts(staff=Staff(citizens_3_4=18, foreigners_3_4=1)))
    assert ok.passed, ok.reason
    low = one("local_content", a, facts(staff=Staff(citizens_3_4=17, foreigners_3_4=1)))
    assert not low.passed and "89.5%" in low.reason and "18 citizens for 2" in low.reason


def test_a_branch_with_up_to_10_staff_is_exempt_and_with_11_is_not() -> None:
    small = Staff(citizens_3_4=2, foreigners_3_4=8)
    big = Staff(citizens_3_4=3, foreigners_3_4=8)
    c = one("local_content", f=facts(employer_branch=True, staff=small))
    assert c.passed and "exempt" in c.reason
    assert not one("local_content", f=facts(employer_branch=True, staff=big)).passed
    assert not one("local_content", f=facts(employer_branch=False, staff=small)).passed  # a head office is not


def test_before_july_2023_branches_with_up_to_30_staff_were_exempt() -> None:
    a = app(applied_on=D(2023, 6, 1), valid_from=D(2023, 7, 1), valid_to=D(2024, 6, 30))
    assert one("local_content", a, facts(employer_branch=True, staff=Staff(citizens_3_4=0, foreigners_3_4=30))).passed
    assert not one(
        "local_content", a, facts(employer_branch=True, staff=Staff(citizens_3_4=1, foreigners_3_4=30))
    ).passed
    later = app(applied_on=D(2023, 7, 1))
    assert not one(
        "local_content", later, facts(employer_branch=True, staff=Staff(citizens_3_4=0, foreigners_3_4=30))
    ).passed


def test_transfers_at_most_half_of_the_citizens() -> None:
    a = app(category=Category.ict, valid_to=D(2029, 3, 31))
    assert one("local_content", a, facts(staff=Staff(citizens_1_2=2, citizens_3_4=2, ict=1))).passed
    c = one("local_content", a, facts(staff=Staff(citizens_1_2=2, citizens_3_4=1, ict=1)))
    assert not c.passed and "intra-corporate" in c.reason


def test_seasonal_work_is_not_measured_against_the_shares() -> None:
    a = app(category=Category.seasonal, valid_to=D(2026, 8, 31))
    c = one("local_content", a, facts(staff=Staff()))
    assert c.passed and not c.applies


@given(
    citizens=st.integers(0, 400),
    foreigners=st.integers(0, 100),
    group=st.sampled_from([Category.category_2, Category.category_3]),
)
def test_local_content_passes_exactly_when_the_share_is_reached(
    citizens: int, foreigners: int, group: Category
) -> None:
    p = policy(AFTER)
    if group is Category.category_2:
        staff, least = Staff(citizens_1_2=citizens, foreigners_1_2=foreigners), p.share_1_2
    else:
        staff, least = Staff(citizens_3_4=citizens, foreigners_3_4=foreigners), p.share_3_4
    c = one("local_content", app(category=group), facts(staff=staff))
    share = citizens / (citizens + foreigners + 1)
    assert c.passed == (share >= least - 1e-12)
    if not c.passed:  # the reason says how many citizens would be enough, and that is the least such number
        need = int(c.reason.rsplit("i.e. ", 1)[1].split(" ")[0])
        assert need / (need + foreigners + 1) >= least - 1e-12
        assert need == 0 or (need - 1) / (need - 1 + foreigners + 1) < least - 1e-12


# --- the worker --------------------------------------------------------------------------------------


def test_the_worker_needs_an_iin() -> None:
    assert one("worker_iin").passed
    c = one("worker_iin", app(worker_iin=None))
    assert not c.passed and "no IIN" in c.reason


def test_an_invalid_iin_fails_without_showing_it() -> None:
    bad = IIN[:11] + str((int(IIN[11]) + 1) % 10)
    c = one("worker_iin", app(worker_iin=bad))
    assert not c.passed and "not valid" in c.reason and bad not in c.reason
    assert not one("worker_iin", app(worker_iin="12345")).passed


def test_an_open_violation_fails_with_its_description() -> None:
    c = one("worker_no_violation", f=facts(open_violations=("overstay of 12 days since 2026-02-01",)))
    assert not c.passed and "overstay of 12 days since 2026-02-01" in c.reason


def test_a_worker_unknown_to_the_registry_passes() -> None:
    c = one("worker_no_violation", f=facts(worker_found=False))
    assert c.passed and "not in the migration police registry" in c.reason
    assert one("worker_no_violation").passed


# --- terms and extensions ----------------------------------------------------------------------------


def test_a_category_3_permit_runs_at_most_a_year() -> None:
    assert one("term").passed
    c = one("term", app(valid_to=D(2027, 5, 31)))
    assert not c.passed and "12 months" in c.reason


def test_category_1_runs_three_years_since_april_2018() -> None:
    three = app(category=Category.category_1, valid_to=D(2029, 3, 31))
    assert one("term", three).passed
    old = dataclasses.replace(three, applied_on=D(2018, 1, 10))
    assert not one("term", old).passed


def test_a_permit_cannot_end_before_it_starts() -> None:
    c = one("term", app(valid_to=D(2026, 3, 1)))
    assert not c.passed and "ends before it starts" in c.reason


def test_fee_based_permits_extend_twice() -> None:
    second = app(extension=True, extensions_so_far=1)
    assert one("term", second).passed
    c = one("term", app(extension=True, extensions_so_far=2))
    assert not c.passed and "already extended 2 time(s); the limit is 2" in c.reason


def test_an_extension_runs_at_most_12_months() -> None:
    c = one("term", app(extension=True, valid_to=D(2027, 6, 30)))
    assert not c.passed and "12 months" in c.reason


def test_transfers_extend_once_and_seasonal_permits_never() -> None:
    ict = app(category=Category.ict, extension=True)
    assert one("term", ict).passed
    assert not one("term", dataclasses.replace(ict, extensions_so_far=1)).passed
    seasonal = app(category=Category.seasonal, extension=True, valid_to=D(2026, 8, 31))
    assert not one("term", seasonal).passed


# --- quota distribution ------------------------------------------------------------------------------


@given(
    total=st.integers(0, 10_000),
    needs=st.dictionaries(
        st.text("0123456789", min_size=9, max_size=9), st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=20
    ).filter(lambda d: sum(d.values()) > 0),
)
def test_distribution_adds_up_to_the_total_and_stays_within_one_of_the_exact_share(
    total: int, needs: dict[str, float]
) -> None:
    shares = distribute(total, needs)
    assert set(shares) == set(needs)
    assert sum(shares.values()) == total
    weight = sum(needs.values())
    for k, n in shares.items():
        exact = total * needs[k] / weight
        assert exact - 1 < n < exact + 1
        assert n >= 0
