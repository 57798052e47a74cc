"""What happened to a family after it arrived: the 3-, 6- and 12-month observations and contract breaches.

The programme is judged on whether families work and stay; the follow-up calendar and the
statuses are fixed here so the store, the imports and the dashboard count the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from koshi.resettle.policy import add_months
from koshi.resettle.policy import category as parse_category

MONTHS: tuple[int, ...] = (3, 6, 12)
"""Months after arrival at which a family is observed."""


class Status(StrEnum):
    """A family's situation at an observation."""

    employed = "employed"  # in the receiving region, at least one member working
    unemployed = "unemployed"  # in the receiving region, nobody working
    not_working_age = "not_working_age"  # in the receiving region, nobody of working age
    returned = "returned"  # back in the origin region
    moved_on = "moved_on"  # left the receiving region for another one


LEFT = frozenset({Status.returned, Status.moved_on})


class FollowupError(ValueError):
    """An observation that cannot be true; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def due_dates(arrived_on: dt.date) -> dict[int, dt.date]:
    """When each observation is due: 3, 6 and 12 calendar months after arrival (clamped to month end).

    Examples:
        >>> due_dates(dt.date(2025, 11, 30))
        {3: datetime.date(2026, 2, 28), 6: datetime.date(2026, 5, 30), 12: datetime.date(2026, 11, 30)}
    """
    return {m: add_months(arrived_on, m) for m in MONTHS}


@dataclass(frozen=True, slots=True)
class Observation:
    """One follow-up of one family: its status and how many able-bodied members work."""

    month: int
    observed_on: dt.date
    status: str
    able_bodied: int
    employed: int

    def validate(self, arrived_on: dt.date | None = None, size: int | None = None) -> Observation:
        """This observation, when it is possible (for a family that arrived on ``arrived_on``, of ``size``).

        Raises:
            FollowupError: (a ValueError) naming the field: a month not in MONTHS, an unknown status,
                negative or inconsistent counts, an observation before the arrival.

        Examples:
            >>> Observation(6, dt.date(2026, 3, 1), "employed", 2, 3).validate()
            Traceback (most recent call last):
            ...
            koshi.resettle.followup.FollowupError: employed: 3 employed exceeds 2 able-bodied
        """
        if self.month not in MONTHS:
            raise FollowupError("month", f"{self.month} is not a follow-up month (3, 6 or 12)")
        if self.status not in set(Status):
            raise FollowupError("status", f"unknown status {self.status!r}: expected one of {', '.join(Status)}")
        if self.able_bodied < 0:
            raise FollowupError("able_bodied", f"{self.able_bodied} is negative")
        if self.employed < 0:
            raise FollowupError("employed", f"{self.employed} is negative")
        if self.employed > self.able_bodied:
            raise FollowupError("employed", f"{self.employed} employed exceeds {self.able_bodied} able-bodied")
        if size is not None and self.able_bodied > size:
            raise FollowupError("able_bodied", f"{self.able_bodied} able-bodied exceeds the family of {size}")
        if arrived_on is not None and self.observed_on < arrived_on:
            raise FollowupError(
                "observed_on", f"{self.observed_on.isoformat()} is before the arrival on {arrived_on.isoformat()}"
            )
        return self


def left_region(status: str) -> bool:
    """True when the family is no longer in the receiving region (returned or moved on).

    Examples:
        >>> left_region("returned"), left_region("unemployed")
        (True, False)
    """
    return status in LEFT


def contract_end(signed_on: dt.date, years: int) -> dt.date:
    """The day a social contract of ``years`` signed on ``signed_on`` ends (clamped for 29 February).

    Examples:
        >>> contract_end(dt.date(2028, 2, 29), 5)
        datetime.date(2033, 2, 28)
    """
    return add_months(signed_on, 12 * years)


def breach(*, category: str, contract_signed_on: dt.date | None, contract_years: int | None, left_on: dt.date) -> bool:
    """True when a family under a social contract left the region before the contract ended.

    Without a signed contract (resettlers, kandas before 2026) leaving is no breach.

    Raises:
        koshi.resettle.policy.PolicyError: an unknown category.

    Examples:
        >>> signed = dt.date(2026, 3, 1)
        >>> breach(category="kandas", contract_signed_on=signed, contract_years=5, left_on=dt.date(2031, 2, 28))
        True
        >>> breach(category="kandas", contract_signed_on=signed, contract_years=5, left_on=dt.date(2031, 3, 1))
        False
    """
    parse_category(category)
    if contract_signed_on is None or contract_years is None:
        return False
    return left_on < contract_end(contract_signed_on, contract_years)
