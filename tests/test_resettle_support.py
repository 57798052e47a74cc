"""The support plan: each line in MRP and tenge, the 2026 contract condition, repayment on early departure."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koshi.resettle.policy import EFFECTIVE_FROM, PolicyError, ResettlePolicy, policy
from koshi.resettle.support import SupportPlan, plan, repayment

P26, P25, P24 = (policy(dt.date(y, 6, 1)) for y in (2026, 2025, 2024))


def _plan(p: ResettlePolicy = P26, **kw: object) -> SupportPlan:
    args: dict[str, object] = {
        "category": "resettler",
        "size": 1,
        "rent_mrp": None,
        "employer_helped": False,
        "housing_certificate": False,
        "contract_signed": False,
    }
    args.update(kw)
    return plan(p=p, **args)  # type: ignore[arg-type]


def _line(s: SupportPlan, item: str) -> tuple[int, int]:
    (line,) = (x for x in s.lines if x.item == item)
    return line.mrp, line.tenge


def test_relocation_is_70_mrp_per_member() -> None:
    assert _line(_plan(P26), "relocation") == (70, 302_750)
    assert _line(_plan(P25), "relocation") == (70, 275_240)
    assert _line(_plan(P26, size=4), "relocation") == (280, 1_211_000)


def test_the_housing_certificate_rose_in_2026() -> None:
    assert _line(_plan(P26, housing_certificate=True), "housing_certificate") == (1625, 7_028_125)
    assert _line(_plan(P25, housing_certificate=True), "housing_certificate") == (1160, 4_561_120)
    assert not any(line.item == "housing_certificate" for line in _plan(P26).lines)


def test_rent_and_employer_lines() -> None:
    s = _plan(rent_mrp=15, employer_helped=True, size=3)
    assert _line(s, "rent") == (180, 778_500)
    assert _line(s, "employer") == (400, 1_730_000)
    assert {line.item: line.payee for line in s.lines} == {
        "relocation": "family",
        "rent": "family",
        "employer": "employer",
    }
    assert s.employer_tenge == 1_730_000 and s.family_tenge == s.total_tenge - 1_730_000
    assert s.lines[1].reason == (
        "rent subsidy of 15 MRP a month for 12 months (range 15 to 30 MRP): 180 MRP at 4325 tenge per MRP in 2026 "
        "= 778500 tenge"
    )
    assert all(line.basis for line in s.lines)


@pytest.mark.parametrize("rent", [14, 31, 0, -5])
def test_rent_outside_the_range_is_refused(rent: int) -> None:
    with pytest.raises(PolicyError, match="outside the range of 15 to 30 MRP"):
        _plan(rent_mrp=rent)


def test_a_family_has_a_head() -> None:
    with pytest.raises(PolicyError, match="below 1"):
        _plan(size=0)
    with pytest.raises(PolicyError):
        _plan(category="tourist")


def test_a_kandas_without_a_contract_gets_nothing_from_2026() -> None:
    withheld = _plan(P26, category="kandas", size=3, rent_mrp=20, housing_certificate=True)
    assert withheld.lines == () and withheld.total_tenge == 0
    assert withheld.withheld_reason is not None and "5-year social contract" in withheld.withheld_reason
    signed = _plan(P26, category="kandas", size=3, rent_mrp=20, contract_signed=True)
    assert signed.withheld_reason is None and signed.contract_years == 5 and signed.total_mrp == 210 + 240
    before = _plan(P25, category="kandas", size=3, rent_mrp=20)
    assert before.withheld_reason is None and before.contract_years is None and before.total_mrp == 450
    assert _plan(P26, size=3).contract_years is None  # resettlers sign no contract
    assert signed.policy_version == P26.version_date and signed.parameters_hash == P26.parameters_hash


PLANS = st.fixed_dictionaries(
    {
        "category": st.sampled_from(["resettler", "kandas"]),
        "size": st.integers(1, 20),
        "rent_mrp": st.none() | st.integers(15, 30),
        "employer_helped": st.booleans(),
        "housing_certificate": st.booleans(),
        "contract_signed": st.booleans(),
    }
)


@given(PLANS, st.dates(EFFECTIVE_FROM, dt.date(2027, 12, 31)))
def test_totals_are_the_sum_of_the_lines(args: dict[str, object], on: dt.date) -> None:
    p = policy(on)
    s = plan(p=p, **args)  # type: ignore[arg-type]
    assert s.total_mrp == sum(line.mrp for line in s.lines)
    assert s.total_tenge == sum(line.tenge for line in s.lines) == s.family_tenge + s.employer_tenge
    for line in s.lines:
        assert line.tenge == line.mrp * p.mrp and line.reason.endswith(f"= {line.tenge} tenge")
    assert (s.withheld_reason is None) != (s.lines == ())


@given(st.integers(1, 10), st.integers(1, 10), st.dates(EFFECTIVE_FROM, dt.date(2027, 12, 31)))
def test_relocation_is_linear_in_size(a: int, b: int, on: dt.date) -> None:
    p = policy(on)
    mrp = {n: _line(_plan(p, size=n), "relocation")[0] for n in (a, b, a + b)}
    assert mrp[a + b] == mrp[a] + mrp[b] == p.relocation_per_member_mrp * (a + b)


@given(st.integers(15, 30), st.integers(15, 30))
def test_rent_grows_with_the_settlements_amount(low: int, high: int) -> None:
    low, high = sorted((low, high))
    assert _line(_plan(rent_mrp=low), "rent")[0] <= _line(_plan(rent_mrp=high), "rent")[0] == high * 12


SIGNED = dt.date(2026, 3, 1)


def test_leaving_before_the_contract_ends_repays_everything() -> None:
    owed, reason = repayment(
        paid_tenge=1_513_750, category="kandas", contract_signed_on=SIGNED, left_on=dt.date(2027, 5, 1), p=P26
    )
    assert owed == 1_513_750
    assert reason == (
        "left the region on 2027-05-01, the 5-year social contract signed on 2026-03-01 ends on 2031-03-01; "
        "100% of the 1513750 tenge paid is repaid: 1513750 tenge"
    )
    assert (
        repayment(paid_tenge=10, category="kandas", contract_signed_on=SIGNED, left_on=dt.date(2031, 3, 1), p=P26)[0]
        == 0
    )
    owed, reason = repayment(paid_tenge=10, category="resettler", contract_signed_on=None, left_on=SIGNED, p=P26)
    assert owed == 0 and "without a social contract" in reason
    with pytest.raises(PolicyError):
        repayment(paid_tenge=-1, category="kandas", contract_signed_on=SIGNED, left_on=SIGNED, p=P26)


@given(st.integers(0, 10_000_000), st.dates(SIGNED, dt.date(2032, 12, 31)))
def test_repayment_is_all_or_nothing_around_the_contract_end(paid: int, left: dt.date) -> None:
    owed, _ = repayment(paid_tenge=paid, category="kandas", contract_signed_on=SIGNED, left_on=left, p=P26)
    assert owed == (paid if left < dt.date(2031, 3, 1) else 0)
