"""Stay rules for one person, day by day: the reference that the DuckDB SQL must agree with.

What counts (Resolution No. 148 as amended from 27 Jan 2023; parameters under ``kz.stay``):

- A **day of stay** is a calendar day in Kazakhstan time (UTC+5) on which the person was in the
  country; the entry day and the exit day both count. A day shared by an exit and the next entry
  counts once.
- Days under a **permit** (residence or work permit, long-stay visa) are lawful and are not
  counted; days after it ends are counted again.
- **EAEU citizens**: at most 90 counted days in any 180-day window. **Visa-free nationals**: the
  same, and at most 30 (or 14) counted days per entry. **Visa nationals**: a day is lawful only
  under a visa or a permit.
- A day breaking a limit is **unlawful** (an overstay day); unlawful days still count, so a past
  overstay shortens later stays.
- Border records are imperfect. An entry followed by another entry has a **missing exit**: the
  first stay is presumed to last until the day before the next entry (the state cannot show the
  person left), and is flagged so an officer can check it. An exit with no entry before it is
  counted as that one day and flagged as a **missing entry**. The last entry without an exit
  means the person is still in the country.

Two modes, as the EU short-stay calculator has: :func:`control` (on date D: days used, overstay
and since when, the day the limit will be passed) and :func:`plan` (from an entry date: the
latest lawful exit, and the earliest date a full stay is possible again). Both still answer after
a past overstay. Everything here is pure; :mod:`koshi.registry.stay_sql` computes the same for
millions of people.

Example: a Russian citizen (EAEU) who spent 80 days and returns 30 days later may stay 10 more days:

    >>> d = dt.date
    >>> history = [Stay(d(2026, 1, 1), d(2026, 3, 21))]
    >>> p = plan(history, [], "RUS", entry=d(2026, 4, 20), today=d(2026, 4, 1))
    >>> p.latest_lawful_exit, p.lawful_days
    (datetime.date(2026, 4, 29), 10)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from koshi.rules import provenance

KZ_OFFSET = dt.timedelta(hours=5)
"""Kazakhstan has one time zone, UTC+5, since 1 March 2024; days of stay are counted in it."""

HORIZON_DAYS = 400
"""How far ahead a projection looks for the day a limit is passed (beyond it: "no limit in sight")."""

EFFECTIVE_FROM = dt.date(2023, 1, 27)
ROOTS = ("kz.stay", "kz.common.mrp")

ICAO_ALIASES = {"D": "DEU"}
"""ICAO 9303 codes that are not the ISO alpha-3 code of the same state (Germany prints ``D``)."""

Regime = Literal["eaeu", "visa_free", "visa"]
Limit = Literal["per_entry", "window", "no_visa"]
CoverKind = Literal["permit", "visa"]


@dataclass(frozen=True, slots=True)
class StayPolicy:
    """The stay rules in force on one date (from the ``kz.stay`` parameters)."""

    as_of: dt.date
    version_date: dt.date
    parameters_hash: str
    window_days: int
    window_limit: int
    eaeu: frozenset[str]
    per_entry: dict[str, int]  # visa-free nationality -> days per entry
    host_notice_working_days: int
    online_days: int | None
    holidays: frozenset[str]  # "MM-DD"
    warning_max_days: int
    fine_max_days: int
    fine_mrp: int
    higher_max_days: int
    mrp: int

    def regime(self, nationality: str) -> Regime:
        """The stay regime of a nationality (ICAO or ISO code)."""
        nationality = ICAO_ALIASES.get(nationality, nationality)
        if nationality in self.eaeu:
            return "eaeu"
        return "visa_free" if nationality in self.per_entry else "visa"

    def per_entry_days(self, nationality: str) -> int | None:
        """Days allowed per entry, or None when only the 90/180 window (or a visa) limits the stay."""
        return self.per_entry.get(ICAO_ALIASES.get(nationality, nationality))


def policy(on: dt.date) -> StayPolicy:
    """The stay rules in force on ``on``.

    Raises:
        koshi.rules.provenance.PolicyNotInForce: before 27 Jan 2023.
    """
    return _policy(on)


@functools.lru_cache(maxsize=512)
def _policy(on: dt.date) -> StayPolicy:
    snap = provenance.snapshot_roots("kz.stay", ROOTS, EFFECTIVE_FROM, on)
    v = {leaf.path.removeprefix("kz.stay."): leaf.value for leaf in snap.leaves}
    per_entry = {c: int(v["per_entry.visa_free_30"]) for c in v["regimes.visa_free_30"]}
    per_entry.update({c: int(v["per_entry.visa_free_14"]) for c in v["regimes.visa_free_14"]})
    return StayPolicy(
        as_of=on,
        version_date=snap.version_date,
        parameters_hash=snap.parameters_hash,
        window_days=int(v["window.days"]),
        window_limit=int(v["window.limit"]),
        eaeu=frozenset(v["regimes.eaeu"]),
        per_entry=per_entry,
        host_notice_working_days=int(v["registration.host_notice_working_days"]),
        online_days=None if v.get("registration.online_days") is None else int(v["registration.online_days"]),
        holidays=frozenset(v["registration.holidays"]),
        warning_max_days=int(v["fines.warning_max_days"]),
        fine_max_days=int(v["fines.fine_max_days"]),
        fine_mrp=int(v["fines.fine_mrp"]),
        higher_max_days=int(v["fines.higher_max_days"]),
        mrp=int(v["kz.common.mrp"]),
    )


# --- inputs ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stay:
    """One stay: entry day to exit day, both counted; ``exit`` None means still in the country."""

    entry: dt.date
    exit: dt.date | None
    missing_exit: bool = False
    missing_entry: bool = False


@dataclass(frozen=True, slots=True)
class Cover:
    """A permit (lawful, not counted) or a visa (lawful for visa nationals); ``end`` None = no end."""

    kind: CoverKind
    start: dt.date
    end: dt.date | None


def local_day(at: dt.datetime) -> dt.date:
    """The calendar day in Kazakhstan of an aware timestamp."""
    if at.tzinfo is None:
        raise ValueError("border event times must carry a UTC offset")
    return (at.astimezone(dt.UTC) + KZ_OFFSET).date()


def stays_from_events(events: Iterable[tuple[dt.datetime, str]]) -> list[Stay]:
    """Pair entries and exits into stays (see the module docstring for missing records).

    >>> t = lambda day: dt.datetime(2026, 5, day, 12, tzinfo=dt.UTC)
    >>> stays_from_events([(t(1), "entry"), (t(3), "exit"), (t(10), "entry"), (t(20), "entry")])
    [Stay(entry=datetime.date(2026, 5, 1), exit=datetime.date(2026, 5, 3), missing_exit=False, missing_entry=False), \
Stay(entry=datetime.date(2026, 5, 10), exit=datetime.date(2026, 5, 19), missing_exit=True, missing_entry=False), \
Stay(entry=datetime.date(2026, 5, 20), exit=None, missing_exit=False, missing_entry=False)]
    """
    stays: list[Stay] = []
    open_entry: dt.date | None = None
    for at, direction in sorted(events, key=lambda e: (e[0], e[1])):
        day = local_day(at)
        if direction == "entry":
            if open_entry is not None:
                stays.append(Stay(open_entry, max(open_entry, day - dt.timedelta(days=1)), missing_exit=True))
            open_entry = day
        elif direction == "exit":
            if open_entry is None:
                stays.append(Stay(day, day, missing_entry=True))
            else:
                stays.append(Stay(open_entry, day))
                open_entry = None
        else:
            raise ValueError(f"direction must be 'entry' or 'exit', not {direction!r}")
    if open_entry is not None:
        stays.append(Stay(open_entry, None))
    return stays


def stays_known_on(events: Iterable[tuple[dt.datetime, str]], on: dt.date) -> list[Stay]:
    """The stays as the records up to ``on`` show them (a later entry cannot close an earlier stay yet)."""
    return stays_from_events(e for e in events if local_day(e[0]) <= on)


# --- results -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FineBand:
    """The sanction band of KoAP art. 517 part 3 for a number of overstay days."""

    band: Literal["none", "warning", "fine", "higher_fine", "fine_and_expulsion"]
    fine_mrp: int | None  # None where the amount is not public
    fine_kzt: int | None
    article: str = "KoAP RK art. 517 part 3"


@dataclass(frozen=True, slots=True)
class Overstay:
    """Unlawful days of one stay: from ``start`` to ``end`` (``days`` of them)."""

    entry: dt.date
    start: dt.date
    end: dt.date
    days: int
    limit: Limit


@dataclass(frozen=True, slots=True)
class Registration:
    """A registration at the place of stay: the day the person arrived there and the day it was made."""

    arrival: dt.date
    registered_on: dt.date


@dataclass(frozen=True, slots=True)
class LateRegistration:
    """A host notification made after its deadline (KoAP art. 518 for the host)."""

    arrival: dt.date
    registered_on: dt.date
    deadline: dt.date


@dataclass(frozen=True, slots=True)
class Control:
    """Control mode: where a person stands on date ``on``."""

    on: dt.date
    regime: Regime
    per_entry_days: int | None
    window_limit: int | None
    present: bool
    current_entry: dt.date | None
    days_used: int  # counted days in the 180-day window ending on ``on``
    days_left: int | None  # what the window still allows (None for visa nationals)
    stay_days: int | None  # counted days of the current stay so far
    overstay_days: int  # unlawful days of the current stay up to ``on``
    overstay_since: dt.date | None
    overstay_limit: Limit | None  # the rule the first unlawful day broke
    exceeds_on: dt.date | None  # still lawful: the first unlawful day if the person stays on
    under_permit: bool  # a permit covers ``on``
    covered_until: dt.date | None  # under a permit today: the last day of the unbroken run (None: no end, or none)
    fine: FineBand
    past_overstays: tuple[Overstay, ...]
    missing_exits: int
    missing_entries: int
    registration_deadline: dt.date | None = None
    registration_missing: bool = False
    late_registrations: tuple[LateRegistration, ...] = ()
    version_date: dt.date | None = None
    parameters_hash: str | None = None
    basis: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Plan:
    """Planning mode: what an entry on ``entry`` allows, given the history before it."""

    entry: dt.date
    regime: Regime
    latest_lawful_exit: dt.date | None  # None: no lawful day at all on that entry, or no limit in sight
    lawful_days: int | None  # days the person may stay from ``entry``; None = no limit in sight
    limit: Limit | None  # what ends the lawful stay
    earliest_full_stay: dt.date | None  # first entry date from ``entry`` on allowing a full stay
    full_stay_days: int | None  # what a full stay is (30 / 14 per entry, 90 for EAEU); None for visa nationals
    version_date: dt.date | None = None
    parameters_hash: str | None = None


# --- the day-by-day model ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Timeline:
    """Per-day arrays over ``[lo, hi]`` (ordinals): presence, counted days and the stay each day belongs to."""

    lo: int
    hi: int
    counted: list[bool]
    permit: list[bool]
    visa: list[bool]
    owner: list[int]  # index of the stay a day is assigned to (-1: absent); a shared day goes to the earlier stay
    stays: list[tuple[int, int]]  # (entry, last day) as ordinals, last day clipped to ``hi``

    def i(self, day: int) -> int:
        return day - self.lo


def _covered(covers: Sequence[Cover], kind: CoverKind, lo: int, hi: int) -> list[bool]:
    out = [False] * (hi - lo + 1)
    for c in covers:
        if c.kind != kind:
            continue
        start = max(c.start.toordinal(), lo)
        end = min(hi, c.end.toordinal() if c.end else hi)
        for d in range(start, end + 1):
            out[d - lo] = True
    return out


def _timeline(
    stays: Sequence[Stay], covers: Sequence[Cover], hi: int, window: int, first: int | None = None
) -> _Timeline:
    """Lay stays (open ones run to ``hi``) and covers out day by day, from a window before the first
    stay (or ``first``) to ``hi``; days after ``hi`` are dropped."""
    starts = [s.entry.toordinal() for s in stays if s.entry.toordinal() <= hi]
    lo = min([*starts, hi if first is None else first]) - window
    n = hi - lo + 1
    permit = _covered(covers, "permit", lo, hi)
    visa = _covered(covers, "visa", lo, hi)
    present = [False] * n
    owner = [-1] * n
    spans: list[tuple[int, int]] = []
    for k, s in enumerate(stays):
        a = s.entry.toordinal()
        b = min(hi, s.exit.toordinal() if s.exit else hi)
        if a > hi:
            break
        spans.append((a, b))
        for d in range(a, b + 1):
            if not present[d - lo]:
                present[d - lo] = True
                owner[d - lo] = k
    counted = [p and not q for p, q in zip(present, permit, strict=True)]
    return _Timeline(lo, hi, counted, permit, visa, owner, spans)


def _unlawful(t: _Timeline, regime: Regime, per_entry: int | None, window: int, limit: int) -> list[Limit | None]:
    """For every day: None if lawful or absent, else the rule it breaks (per entry first, then the window)."""
    n = t.hi - t.lo + 1
    out: list[Limit | None] = [None] * n
    prefix = [0] * (n + 1)
    for j in range(n):
        prefix[j + 1] = prefix[j] + t.counted[j]
    for k, (a, b) in enumerate(t.stays):
        used = 0  # counted days of this stay so far, its shared entry day included
        for d in range(a, b + 1):
            j = t.i(d)
            if t.permit[j]:
                continue
            used += 1
            if t.owner[j] != k:
                continue  # a day shared with the previous stay is judged there
            if regime == "visa":
                if not t.visa[j]:
                    out[j] = "no_visa"
                continue
            if per_entry is not None and used > per_entry:
                out[j] = "per_entry"
            elif prefix[j + 1] - prefix[max(0, j + 1 - window)] > limit:
                out[j] = "window"
    return out


def _window_count(t: _Timeline, day: int, window: int) -> int:
    j = t.i(day)
    return sum(t.counted[max(0, j - window + 1) : j + 1])


def add_working_days(start: dt.date, days: int, holidays: frozenset[str]) -> dt.date:
    """The ``days``-th working day after ``start`` (weekends and listed holidays skipped).

    >>> add_working_days(dt.date(2026, 3, 19), 3, frozenset({"03-21", "03-22", "03-23"}))
    datetime.date(2026, 3, 25)
    """
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day.strftime("%m-%d") not in holidays:
            left -= 1
    return day


def fine_band(days: int, rules: StayPolicy) -> FineBand:
    """The art. 517 part 3 band for ``days`` of overstay (amounts the law does not publish are None).

    >>> rules = policy(dt.date(2026, 5, 1))
    >>> [fine_band(n, rules).band for n in (0, 3, 4, 5, 6, 10, 11)]
    ['none', 'warning', 'fine', 'fine', 'higher_fine', 'higher_fine', 'fine_and_expulsion']
    >>> fine_band(4, rules).fine_kzt
    43250
    """
    if days <= 0:
        return FineBand("none", None, None)
    if days <= rules.warning_max_days:
        return FineBand("warning", 0, 0)
    if days <= rules.fine_max_days:
        return FineBand("fine", rules.fine_mrp, rules.fine_mrp * rules.mrp)
    if days <= rules.higher_max_days:
        return FineBand("higher_fine", None, None)
    return FineBand("fine_and_expulsion", None, None)


def _basis(rules: StayPolicy, regime: Regime, per_entry: int | None) -> tuple[str, ...]:
    """The rules applied, in words, with the parameter each comes from."""
    if regime == "visa":
        return ("a visa or a permit must cover every day of stay (kz.stay.regimes: not a visa-free nationality)",)
    out = [f"at most {rules.window_limit} days in any {rules.window_days} (kz.stay.window)"]
    if per_entry is not None:
        out.append(f"at most {per_entry} days per entry (kz.stay.per_entry)")
    out.append("days under a residence or work permit do not count (Resolution No. 148)")
    return tuple(out)


def _first_unlawful(
    stays: Sequence[Stay], covers: Sequence[Cover], regime: Regime, per_entry: int | None, rules: StayPolicy, hi: int
) -> tuple[_Timeline, list[Limit | None]]:
    t = _timeline(stays, covers, hi, rules.window_days)
    return t, _unlawful(t, regime, per_entry, rules.window_days, rules.window_limit)


def control(
    stays: Sequence[Stay],
    covers: Sequence[Cover],
    nationality: str,
    on: dt.date,
    registrations: Sequence[Registration] = (),
    rules: StayPolicy | None = None,
) -> Control:
    """Control mode on ``on``, from the stays known on that day (:func:`stays_known_on`), in time order.

    Stays that began later are ignored and one that ended later is still going on.

    >>> d = dt.date
    >>> c = control([Stay(d(2026, 1, 1), None)], [], "UZB", on=d(2026, 2, 5))
    >>> c.days_used, c.overstay_days, c.overstay_since, c.overstay_limit, c.fine.band
    (36, 6, datetime.date(2026, 1, 31), 'per_entry', 'higher_fine')
    """
    rules = rules or policy(on)
    regime = rules.regime(nationality)
    per_entry = rules.per_entry_days(nationality)
    day = on.toordinal()
    known = [s if s.exit is None or s.exit <= on else Stay(s.entry, None) for s in stays if s.entry <= on]
    open_stay = known[-1] if known and known[-1].exit is None else None
    horizon = day + HORIZON_DAYS if open_stay else day
    t, bad = _first_unlawful(known, covers, regime, per_entry, rules, horizon)

    past: list[Overstay] = []
    current: Overstay | None = None
    exceeds_on: dt.date | None = None
    for k, (a, b) in enumerate(t.stays):
        days = [d for d in range(a, min(b, day) + 1) if t.owner[t.i(d)] == k and bad[t.i(d)]]
        if known[k] is open_stay:
            future = [d for d in range(day + 1, b + 1) if bad[t.i(d)]]
            if days:
                current = Overstay(known[k].entry, _date(days[0]), on, len(days), bad[t.i(days[0])] or "window")
            elif future:
                exceeds_on = _date(future[0])
        elif days:
            past.append(
                Overstay(known[k].entry, _date(days[0]), _date(days[-1]), len(days), bad[t.i(days[0])] or "window")
            )

    stay_days = None
    if open_stay:
        a = open_stay.entry.toordinal()
        stay_days = sum(1 for d in range(a, day + 1) if not t.permit[t.i(d)])
    used = _window_count(t, day, rules.window_days) if t.lo <= day else 0
    under_permit, covered_until = _permit_run(covers, on)

    deadline, missing = _registration_due(open_stay, registrations, regime, on)
    late = tuple(
        LateRegistration(r.arrival, r.registered_on, dl)
        for r in registrations
        if r.registered_on <= on
        and r.registered_on > (dl := add_working_days(r.arrival, rules.host_notice_working_days, rules.holidays))
    )
    fine_days = current.days if current else (past[-1].days if past else 0)
    return Control(
        on=on,
        regime=regime,
        per_entry_days=per_entry,
        window_limit=None if regime == "visa" else rules.window_limit,
        present=open_stay is not None,
        current_entry=open_stay.entry if open_stay else None,
        days_used=used,
        days_left=None if regime == "visa" else max(0, rules.window_limit - used),
        stay_days=stay_days,
        overstay_days=current.days if current else 0,
        overstay_since=current.start if current else None,
        overstay_limit=current.limit if current else None,
        exceeds_on=exceeds_on,
        under_permit=under_permit,
        covered_until=covered_until,
        fine=fine_band(fine_days, rules),
        past_overstays=tuple(past),
        missing_exits=sum(s.missing_exit for s in known),
        missing_entries=sum(s.missing_entry for s in known),
        registration_deadline=deadline,
        registration_missing=missing,
        late_registrations=late,
        version_date=rules.version_date,
        parameters_hash=rules.parameters_hash,
        basis=_basis(rules, regime, per_entry),
    )


def _permit_run(covers: Sequence[Cover], on: dt.date) -> tuple[bool, dt.date | None]:
    """Whether a permit covers ``on``, and the last day of the unbroken run of permits holding it (None: no end)."""
    runs: list[list[dt.date | None]] = []
    for c in sorted((c for c in covers if c.kind == "permit"), key=lambda c: c.start):
        last = runs[-1][1] if runs else None
        if runs and (last is None or c.start.toordinal() <= last.toordinal() + 1):
            runs[-1][1] = None if (last is None or c.end is None) else max(last, c.end)
        else:
            runs.append([c.start, c.end])
    for start, end in runs:
        assert start is not None
        if start <= on and (end is None or on <= end):
            return True, end
    return False, None


def _registration_due(
    open_stay: Stay | None, registrations: Sequence[Registration], regime: Regime, on: dt.date
) -> tuple[dt.date | None, bool]:
    """From 1 Jul 2026 an EAEU citizen still here must be registered within 30 days of crossing the border."""
    if open_stay is None or regime != "eaeu":
        return None, False
    days = policy(on).online_days
    if days is None:
        return None, False
    deadline = open_stay.entry + dt.timedelta(days=days)
    if policy(deadline).online_days is None:
        return None, False
    done = any(r.arrival >= open_stay.entry and r.registered_on <= on for r in registrations)
    return deadline, (on > deadline and not done)


def plan(
    history: Sequence[Stay],
    covers: Sequence[Cover],
    nationality: str,
    entry: dt.date,
    today: dt.date,
    rules: StayPolicy | None = None,
) -> Plan:
    """Planning mode: the latest lawful exit for an entry on ``entry``, and the earliest full stay.

    ``history`` is what is known on ``today``. A person in the country on ``today`` who plans from
    their current entry gets that stay's answer; one planning a later entry is presumed to leave
    on ``today``.

    Raises:
        ValueError: ``entry`` falls inside a recorded stay or while the person is still here.
    """
    rules = rules or policy(entry)
    regime = rules.regime(nationality)
    per_entry = rules.per_entry_days(nationality)
    known = [s if s.exit is None or s.exit <= today else Stay(s.entry, None) for s in history if s.entry <= today]
    before: list[Stay] = []
    for s in known:
        if s.exit is None:
            if s.entry == entry:
                break
            if entry <= today:
                raise ValueError(f"on {entry.isoformat()} the person is in the country (entered {s.entry.isoformat()})")
            s = Stay(s.entry, today, s.missing_exit, s.missing_entry)
        elif s.exit >= entry and s.entry < entry:
            raise ValueError(
                f"{entry.isoformat()} falls inside a recorded stay ({s.entry.isoformat()} to {s.exit.isoformat()})"
            )
        elif s.entry >= entry:
            break
        before.append(s)
    hi = entry.toordinal() + HORIZON_DAYS
    t, bad = _first_unlawful([*before, Stay(entry, None)], covers, regime, per_entry, rules, hi)
    k = len(t.stays) - 1
    first = next((d for d in range(entry.toordinal(), hi + 1) if t.owner[t.i(d)] == k and bad[t.i(d)]), None)
    if first is None:
        latest, lawful, limit = None, None, None
    else:
        latest = None if first == entry.toordinal() else _date(first - 1)
        lawful, limit = first - entry.toordinal(), bad[t.i(first)]
    full = None if regime == "visa" else (per_entry if per_entry is not None else rules.window_limit)
    earliest = None if full is None else _earliest_full_stay(before, covers, entry, full, rules)
    return Plan(entry, regime, latest, lawful, limit, earliest, full, rules.version_date, rules.parameters_hash)


def _earliest_full_stay(
    before: Sequence[Stay], covers: Sequence[Cover], start: dt.date, full: int, rules: StayPolicy
) -> dt.date | None:
    """First day from ``start`` on where ``full`` consecutive days can be spent lawfully."""
    hi = start.toordinal() + HORIZON_DAYS + full
    t = _timeline(before, covers, hi, rules.window_days, first=start.toordinal())
    hist = t.counted
    n = len(hist)
    prefix = [0] * (n + 1)
    for j in range(n):
        prefix[j + 1] = prefix[j] + hist[j]
    w = rules.window_days
    for f in range(start.toordinal(), start.toordinal() + HORIZON_DAYS + 1):
        ok = True
        own = 0
        for d in range(f, f + full):
            j = t.i(d)
            if not t.permit[j] and not hist[j]:
                own += 1  # a day already counted in history is not counted twice
            past = prefix[j + 1] - prefix[max(0, j + 1 - w)]
            if past + own > rules.window_limit:
                ok = False
                break
        if ok:
            return _date(f)
    return None


def _date(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)
