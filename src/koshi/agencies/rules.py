"""The two rules an agency's records are checked against: job seekers pay nothing, and reports come on time.

Pure functions of dates, kinds and amounts; the limits (the largest fee a job seeker may
pay, the days after a quarter a report is due) come from :mod:`koshi.agencies.policy`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from enum import StrEnum

Quarter = tuple[int, int]
"""(year, quarter 1-4)."""


class ComplaintKind(StrEnum):
    """What a job seeker complains about."""

    fee_charged = "fee_charged"  # the agency took money for placement
    no_contract = "no_contract"  # placed without a written contract
    false_vacancy = "false_vacancy"  # the job did not exist or was not as advertised
    documents_withheld = "documents_withheld"  # passport or papers kept by the agency
    abroad_conditions = "abroad_conditions"  # work abroad not as promised (visa, pay, housing)
    other = "other"


class ComplaintStatus(StrEnum):
    """Where a complaint is: open until an inspector finds it substantiated or unfounded."""

    open = "open"
    substantiated = "substantiated"
    unfounded = "unfounded"


def fee_flag(kind: str, paid_amount_tenge: int | None, max_tenge: int) -> bool:
    """A complaint alleges a fee taken from a job seeker: its kind says so, or it names an amount paid above the limit.

    Any kind counts when an amount is given (a false vacancy for which the seeker paid is
    also a fee taken), so the rule does not hang on the kind the clerk picked.

    Examples:
        >>> fee_flag("fee_charged", None, 0), fee_flag("false_vacancy", 15000, 0), fee_flag("no_contract", 0, 0)
        (True, True, False)
    """
    return kind == ComplaintKind.fee_charged or (paid_amount_tenge is not None and paid_amount_tenge > max_tenge)


def report_fee_flag(seeker_fees_tenge: int, max_tenge: int) -> bool:
    """A report declares fees taken from job seekers above the limit: the agency says it broke the rule.

    Examples:
        >>> report_fee_flag(0, 0), report_fee_flag(5000, 0)
        (False, True)
    """
    return seeker_fees_tenge > max_tenge


def quarter_of(day: dt.date) -> Quarter:
    """The quarter a day falls in.

    Examples:
        >>> quarter_of(dt.date(2026, 3, 31)), quarter_of(dt.date(2026, 4, 1))
        ((2026, 1), (2026, 2))
    """
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(q: Quarter) -> dt.date:
    """The first day of a quarter."""
    return dt.date(q[0], 3 * q[1] - 2, 1)


def quarter_end(q: Quarter) -> dt.date:
    """The last day of a quarter.

    Examples:
        >>> quarter_end((2026, 1)), quarter_end((2026, 4))
        (datetime.date(2026, 3, 31), datetime.date(2026, 12, 31))
    """
    year, quarter = q
    return (
        dt.date(year + 1, 1, 1) - dt.timedelta(days=1)
        if quarter == 4
        else quarter_start((year, quarter + 1)) - dt.timedelta(days=1)
    )


def previous(q: Quarter) -> Quarter:
    """The quarter before."""
    return (q[0] - 1, 4) if q[1] == 1 else (q[0], q[1] - 1)


def label(q: Quarter) -> str:
    """``2026-Q2``."""
    return f"{q[0]}-Q{q[1]}"


def due_on(q: Quarter, due_days: int) -> dt.date:
    """The last day a quarter's report is on time.

    Examples:
        >>> due_on((2026, 1), 20)
        datetime.date(2026, 4, 20)
    """
    return quarter_end(q) + dt.timedelta(days=due_days)


def is_late(q: Quarter, filed_on: dt.date, due_days: int) -> bool:
    """Filed after the due day (a report filed on the due day is on time).

    Examples:
        >>> is_late((2026, 1), dt.date(2026, 4, 20), 20), is_late((2026, 1), dt.date(2026, 4, 21), 20)
        (False, True)
    """
    return filed_on > due_on(q, due_days)


def can_file(q: Quarter, filed_on: dt.date) -> bool:
    """A quarter's report can be filed once the quarter has ended (not for a quarter still running).

    Examples:
        >>> can_file((2026, 2), dt.date(2026, 6, 30)), can_file((2026, 2), dt.date(2026, 7, 1))
        (False, True)
    """
    return filed_on > quarter_end(q)


def due_quarters(notified_on: dt.date, on: dt.date, due_days: int, window: int) -> list[Quarter]:
    """The latest ``window`` quarters whose report was due by ``on``, oldest first.

    A quarter owes a report when the agency was notified before it ended and its due day
    has passed (``on`` after the due day: until then the report is not yet late).

    Examples:
        >>> due_quarters(dt.date(2025, 5, 10), dt.date(2026, 4, 21), 20, 4)
        [(2025, 2), (2025, 3), (2025, 4), (2026, 1)]
        >>> due_quarters(dt.date(2025, 5, 10), dt.date(2026, 4, 20), 20, 4)
        [(2025, 2), (2025, 3), (2025, 4)]
        >>> due_quarters(dt.date(2026, 4, 1), dt.date(2026, 4, 21), 20, 4)
        []
    """
    out: list[Quarter] = []
    q = previous(quarter_of(on))
    while len(out) < window and quarter_end(q) >= notified_on:
        if on > due_on(q, due_days):
            out.append(q)
        q = previous(q)
    return out[::-1]


def quarters(since: Quarter, until: Quarter) -> Iterator[Quarter]:
    """Every quarter from ``since`` to ``until``, both included."""
    q = since
    while q <= until:
        yield q
        q = (q[0] + 1, 1) if q[1] == 4 else (q[0], q[1] + 1)


def missing(due: Iterable[Quarter], filed: Iterable[Quarter]) -> list[Quarter]:
    """Quarters due with no report filed."""
    have = set(filed)
    return [q for q in due if q not in have]
