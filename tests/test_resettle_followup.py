"""Follow-ups after arrival: when they are due, which observations are possible, what counts as a breach."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koshi.resettle.followup import (
    MONTHS,
    FollowupError,
    Observation,
    Status,
    breach,
    contract_end,
    due_dates,
    left_region,
)
from koshi.resettle.policy import PolicyError

ARRIVED = dt.date(2025, 8, 31)


def test_due_dates_clamp_to_the_month_end() -> None:
    assert due_dates(ARRIVED) == {3: dt.date(2025, 11, 30), 6: dt.date(2026, 2, 28), 12: dt.date(2026, 8, 31)}
    assert due_dates(dt.date(2024, 2, 29))[12] == dt.date(2025, 2, 28)


@given(st.dates(dt.date(2000, 1, 1), dt.date(2090, 1, 1)))
def test_due_dates_follow_the_arrival(arrived: dt.date) -> None:
    due = due_dates(arrived)
    assert tuple(due) == MONTHS == (3, 6, 12)
    assert arrived < due[3] < due[6] < due[12]
    assert all(d.day <= arrived.day for d in due.values())
    assert 365 <= (due[12] - arrived).days <= 366


def test_a_possible_observation_is_returned() -> None:
    o = Observation(3, dt.date(2025, 12, 1), "employed", 2, 1)
    assert o.validate(ARRIVED, size=4) is o


@pytest.mark.parametrize(
    ("obs", "field"),
    [
        (Observation(4, dt.date(2025, 12, 1), "employed", 2, 1), "month"),
        (Observation(3, dt.date(2025, 12, 1), "retired", 2, 1), "status"),
        (Observation(3, dt.date(2025, 12, 1), "employed", -1, 0), "able_bodied"),
        (Observation(3, dt.date(2025, 12, 1), "employed", 2, -1), "employed"),
        (Observation(3, dt.date(2025, 12, 1), "employed", 2, 3), "employed"),
        (Observation(3, dt.date(2025, 12, 1), "employed", 5, 1), "able_bodied"),
        (Observation(3, dt.date(2025, 8, 30), "employed", 2, 1), "observed_on"),
    ],
)
def test_impossible_observations_name_the_field(obs: Observation, field: str) -> None:
    with pytest.raises(FollowupError) as err:
        obs.validate(ARRIVED, size=4)
    assert err.value.field == field and str(err.value).startswith(f"{field}: ")
    assert isinstance(err.value, ValueError)


def test_who_has_left() -> None:
    assert {s for s in Status if left_region(s)} == {Status.returned, Status.moved_on}
    assert not left_region("employed")


def test_breach_needs_a_contract() -> None:
    assert not breach(category="resettler", contract_signed_on=None, contract_years=None, left_on=ARRIVED)
    assert not breach(category="kandas", contract_signed_on=ARRIVED, contract_years=None, left_on=ARRIVED)
    with pytest.raises(PolicyError):
        breach(category="x", contract_signed_on=None, contract_years=None, left_on=ARRIVED)


@given(st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31)), st.integers(1, 10), st.integers(-5, 5))
def test_breach_boundary_is_the_contract_end(signed: dt.date, years: int, offset: int) -> None:
    end = contract_end(signed, years)
    left = end + dt.timedelta(days=offset)
    assert breach(category="kandas", contract_signed_on=signed, contract_years=years, left_on=left) is (offset < 0)
