"""An agency's risk score: a list of reasons, each with its points; the score is their plain sum.

The score ranks agencies for inspection. It is meant to be checked by hand: every reason
says what it counted and how (``2 x 25 = 50``, capped where a cap applies), and the score
is nothing but the sum of the points listed, so an inspector (or the agency) can recompute
it and contest a fact rather than a formula. The weights and caps are dated parameters
(:mod:`koshi.agencies.policy`).

Only facts known on the ranking date count (a complaint received later does not), so a
ranking can be redone for a past date; a complaint's status is its status now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from koshi.agencies import rules
from koshi.agencies.policy import AgencyPolicy


@dataclass(frozen=True, slots=True)
class RiskReason:
    """One reason: a stable code, its points, and what it counted, in words."""

    code: str
    points: float
    text: str


@dataclass(frozen=True, slots=True)
class RiskView:
    """The score on ``as_of`` (the sum of the reasons' points) and the parameters it used."""

    score: float
    reasons: tuple[RiskReason, ...]
    as_of: dt.date
    version_date: dt.date | None = None
    parameters_hash: str | None = None


@dataclass(frozen=True, slots=True)
class ComplaintFact:
    """A complaint as the score sees it."""

    received_on: dt.date
    kind: str
    status: str
    paid_amount_tenge: int | None


@dataclass(frozen=True, slots=True)
class ReportFact:
    """A quarterly report as the score sees it."""

    year: int
    quarter: int
    filed_on: dt.date
    placed_domestic: int
    placed_abroad: int
    seeker_fees_tenge: int


@dataclass(frozen=True, slots=True)
class ViolationFact:
    """A violation: found on a day, open until remedied (``remedied_on``)."""

    found_on: dt.date
    remedied_on: dt.date | None


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the score reads about one agency."""

    notified_on: dt.date
    activity: str
    complaints: tuple[ComplaintFact, ...] = ()
    reports: tuple[ReportFact, ...] = ()
    violations: tuple[ViolationFact, ...] = ()
    sanctions: tuple[dt.date, ...] = ()  # imposed on
    inspections: tuple[dt.date, ...] = ()  # done on


def _counted(code: str, n: int, what: str, p: AgencyPolicy) -> RiskReason | None:
    if n <= 0:
        return None
    each = p.points[code]
    raw = n * each
    cap = p.caps.get(code)
    points = min(raw, cap) if cap is not None else raw
    text = f"{n} {what} x {_num(each)} = {_num(raw)}"
    if points < raw:
        text += f", capped at {_num(points)}"
    return RiskReason(code, points, text)


def _num(x: float) -> str:
    return f"{x:g}"


def _years_before(on: dt.date, years: int) -> dt.date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def _months_before(on: dt.date, months: int) -> dt.date:
    y, m = divmod(on.year * 12 + on.month - 1 - months, 12)
    day = min(on.day, 28) if (m + 1) == 2 else min(on.day, 30 if m + 1 in (4, 6, 9, 11) else 31)
    return dt.date(y, m + 1, day)


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def score(facts: Facts, on: dt.date, p: AgencyPolicy) -> RiskView:
    """The reasons and score of one agency on ``on``, under the parameters ``p``.

    Examples:
        >>> from koshi.agencies.policy import policy
        >>> p = policy(dt.date(2026, 6, 1))
        >>> fee = ComplaintFact(dt.date(2026, 3, 2), "fee_charged", "substantiated", 40000)
        >>> view = score(Facts(dt.date(2020, 1, 10), "abroad", complaints=(fee,)), dt.date(2026, 6, 1), p)
        >>> [(r.code, r.points) for r in view.reasons]
        [('fee_complaint_substantiated', 25.0), ('missing_report', 24.0), ('no_inspection', 8.0)]
        >>> view.score == sum(r.points for r in view.reasons)
        True
    """
    known = [c for c in facts.complaints if c.received_on <= on]
    reports = [r for r in facts.reports if r.filed_on <= on]
    reasons: list[RiskReason | None] = []

    fee = sum(
        1
        for c in known
        if c.status == rules.ComplaintStatus.substantiated
        and rules.fee_flag(c.kind, c.paid_amount_tenge, p.max_seeker_fee_tenge)
    )
    reasons.append(
        _counted(
            "fee_complaint_substantiated",
            fee,
            _plural(fee, "substantiated complaint", "substantiated complaints") + " of a fee taken from a job seeker",
            p,
        )
    )
    n_open = sum(1 for c in known if c.status == rules.ComplaintStatus.open)
    reasons.append(_counted("open_complaint", n_open, _plural(n_open, "open complaint", "open complaints"), p))

    due = rules.due_quarters(facts.notified_on, on, p.report_due_days, p.report_window_quarters)
    by_quarter = {(r.year, r.quarter): r for r in reports}
    late = [q for q in due if q in by_quarter and rules.is_late(q, by_quarter[q].filed_on, p.report_due_days)]
    gone = rules.missing(due, by_quarter)
    reasons.append(
        _counted(
            "late_report",
            len(late),
            _plural(len(late), "late report", "late reports") + f" ({', '.join(rules.label(q) for q in late)})",
            p,
        )
    )
    reasons.append(
        _counted(
            "missing_report",
            len(gone),
            _plural(len(gone), "missing report", "missing reports") + f" ({', '.join(rules.label(q) for q in gone)})",
            p,
        )
    )

    n_viol = sum(1 for v in facts.violations if v.found_on <= on and (v.remedied_on is None or v.remedied_on > on))
    reasons.append(_counted("open_violation", n_viol, _plural(n_viol, "open violation", "open violations"), p))

    since = _years_before(on, p.sanction_years)
    n_sanc = sum(1 for d in facts.sanctions if since < d <= on)
    reasons.append(
        _counted(
            "recent_sanction",
            n_sanc,
            _plural(n_sanc, "sanction", "sanctions") + f" in the last {p.sanction_years} years",
            p,
        )
    )

    window = [by_quarter[q] for q in due if q in by_quarter]
    placed = sum(r.placed_domestic + r.placed_abroad for r in window)
    abroad = sum(r.placed_abroad for r in window)
    if abroad > 0 and placed > 0:
        share = abroad / placed
        each = p.points["abroad_share"]
        points = round(each * share, 1)
        reasons.append(
            RiskReason(
                "abroad_share",
                points,
                f"{abroad} of {placed} placements abroad in the last {len(window)} reports "
                f"({share:.0%}) x {_num(each)} = {_num(points)}",
            )
        )

    fees = [r for r in window if rules.report_fee_flag(r.seeker_fees_tenge, p.max_seeker_fee_tenge)]
    reasons.append(
        _counted(
            "seeker_fees_declared",
            len(fees),
            _plural(len(fees), "report declares", "reports declare") + " fees taken from job seekers",
            p,
        )
    )

    if facts.notified_on > _months_before(on, p.new_agency_months):
        reasons.append(
            RiskReason(
                "new_agency",
                p.points["new_agency"],
                f"notified {facts.notified_on.isoformat()}, less than {p.new_agency_months} months ago: "
                f"no track record = {_num(p.points['new_agency'])}",
            )
        )

    done = [d for d in facts.inspections if d <= on]
    stale = _years_before(on, p.no_inspection_years)
    last = max(done, default=None)
    if (last is None and facts.notified_on < stale) or (last is not None and last < stale):
        when = "never inspected" if last is None else f"last inspected {last.isoformat()}"
        reasons.append(
            RiskReason(
                "no_inspection",
                p.points["no_inspection"],
                f"{when}, more than {p.no_inspection_years} years ago = {_num(p.points['no_inspection'])}",
            )
        )

    listed = sorted((r for r in reasons if r is not None and r.points > 0), key=lambda r: (-r.points, r.code))
    return RiskView(
        score=total(listed),
        reasons=tuple(listed),
        as_of=on,
        version_date=p.version_date,
        parameters_hash=p.parameters_hash,
    )


def total(reasons: list[RiskReason] | tuple[RiskReason, ...]) -> float:
    """The score: the plain sum of the points, rounded to one decimal (the points have at most one).

    Examples:
        >>> total([RiskReason("a", 0.1, ""), RiskReason("b", 0.2, "")])
        0.3
    """
    return round(sum(r.points for r in reasons), 1)
