"""Stay rules, day by day: the cases a migration officer would check by hand, and planning against control."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshi.registry.stay import (
    Cover,
    Registration,
    Stay,
    add_working_days,
    control,
    fine_band,
    plan,
    policy,
    stays_from_events,
    stays_known_on,
)
from koshi.rules.provenance import PolicyNotInForce

d = dt.date
ON = d(2026, 6, 1)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def test_eaeu_ninety_days_are_lawful_and_the_ninety_first_is_not() -> None:
    entry = d(2026, 1, 1)
    ok = control([Stay(entry, None)], [], "RUS", on=entry + days(89))
    assert (ok.days_used, ok.days_left, ok.overstay_days, ok.exceeds_on) == (90, 0, 0, entry + days(90))
    over = control([Stay(entry, None)], [], "RUS", on=entry + days(95))
    assert (over.overstay_days, over.overstay_since, over.overstay_limit) == (6, entry + days(90), "window")
    assert over.fine.band == "higher_fine"


def test_visa_free_thirty_days_per_entry() -> None:
    entry = d(2026, 3, 1)
    c = control([Stay(entry, None)], [], "UZB", on=entry + days(30))
    assert (c.stay_days, c.overstay_days, c.overstay_since, c.overstay_limit) == (31, 1, entry + days(30), "per_entry")
    assert c.fine.band == "warning"
    assert control([Stay(entry, None)], [], "CHN", on=entry + days(14)).overstay_since == entry + days(14)


def test_leaving_and_coming_back_does_not_reset_the_ninety_days() -> None:
    a = d(2026, 1, 1)
    history = [Stay(a, a + days(29)), Stay(a + days(31), a + days(60)), Stay(a + days(62), a + days(91))]
    assert control(history, [], "UZB", on=a + days(92)).past_overstays == ()
    fourth = control([*history, Stay(a + days(93), None)], [], "UZB", on=a + days(93))
    assert (fourth.days_used, fourth.overstay_days, fourth.overstay_limit) == (91, 1, "window")


def test_entry_and_exit_days_count_and_a_shared_day_counts_once() -> None:
    a = d(2026, 2, 1)
    assert control([Stay(a, a)], [], "RUS", on=a).days_used == 1
    back_same_day = [Stay(a, a + days(9)), Stay(a + days(9), a + days(19))]
    assert control(back_same_day, [], "RUS", on=a + days(30)).days_used == 20


def test_the_shared_day_counts_for_the_new_entry_too() -> None:
    a = d(2026, 2, 1)
    c = control([Stay(a, a + days(9)), Stay(a + days(9), None)], [], "UZB", on=a + days(39))
    assert c.stay_days == 31 and c.overstay_since == a + days(39) and c.overstay_limit == "per_entry"


def test_days_under_a_permit_do_not_count() -> None:
    a = d(2026, 1, 1)
    permit = Cover("permit", d(2026, 2, 1), d(2026, 6, 30))
    c = control([Stay(a, None)], [permit], "RUS", on=d(2026, 8, 15))
    # counted: Jan 1-31 fall out of the window; Jul 1 - Aug 15 = 46 days
    assert (c.days_used, c.overstay_days, c.covered_until) == (46, 0, None)
    assert c.exceeds_on == d(2026, 7, 1) + days(90)  # the 91st counted day
    under = control([Stay(a, None)], [permit], "RUS", on=d(2026, 3, 1))
    assert under.covered_until == d(2026, 6, 30) and under.stay_days == 31


def test_adjacent_permits_make_one_cover() -> None:
    covers = [Cover("permit", d(2026, 1, 1), d(2026, 3, 31)), Cover("permit", d(2026, 4, 1), d(2026, 12, 31))]
    assert control([Stay(d(2026, 1, 5), None)], covers, "RUS", on=d(2026, 3, 1)).covered_until == d(2026, 12, 31)
    forever = [*covers, Cover("permit", d(2026, 12, 1), None)]
    assert control([Stay(d(2026, 1, 5), None)], forever, "RUS", on=d(2026, 3, 1)).covered_until is None


def test_visa_nationals_are_lawful_only_under_a_visa() -> None:
    visa = Cover("visa", d(2026, 1, 1), d(2026, 1, 30))
    c = control([Stay(d(2026, 1, 5), None)], [visa], "AFG", on=d(2026, 2, 5))
    assert (c.regime, c.days_left, c.overstay_days, c.overstay_since, c.overstay_limit) == (
        "visa",
        None,
        6,
        d(2026, 1, 31),
        "no_visa",
    )
    lawful = control([Stay(d(2026, 1, 5), None)], [visa], "AFG", on=d(2026, 1, 20))
    assert lawful.overstay_days == 0 and lawful.exceeds_on == d(2026, 1, 31)
    no_visa = control([Stay(d(2026, 1, 5), None)], [], "AFG", on=d(2026, 1, 5))
    assert no_visa.overstay_since == d(2026, 1, 5)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def test_missing_records_are_presumed_and_flagged() -> None:
    events = [(at(d(2026, 1, 1)), "entry"), (at(d(2026, 3, 1)), "entry"), (at(d(2026, 3, 5)), "exit")]
    stays = stays_from_events(events)
    assert stays[0] == Stay(d(2026, 1, 1), d(2026, 2, 28), missing_exit=True)
    c = control(stays, [], "RUS", on=d(2026, 3, 10))
    assert c.missing_exits == 1 and c.past_overstays == ()
    assert c.days_used == 59 + 5
    orphan = stays_from_events([(at(d(2026, 4, 2)), "exit")])
    assert orphan == [Stay(d(2026, 4, 2), d(2026, 4, 2), missing_entry=True)]


def test_days_are_counted_in_kazakhstan_time() -> None:
    late_evening_utc = dt.datetime(2026, 1, 1, 20, 0, tzinfo=dt.UTC)  # 01:00 on 2 January in Almaty
    assert stays_from_events([(late_evening_utc, "entry")])[0].entry == d(2026, 1, 2)
    with pytest.raises(ValueError, match="UTC offset"):
        stays_from_events([(dt.datetime(2026, 1, 1, 20, 0), "entry")])


def test_records_after_the_control_date_are_not_known_yet() -> None:
    events = [(at(d(2026, 1, 1)), "entry"), (at(d(2026, 1, 20)), "entry")]
    c = control(stays_known_on(events, d(2026, 1, 10)), [], "RUS", on=d(2026, 1, 10))
    assert c.present and c.missing_exits == 0 and c.current_entry == d(2026, 1, 1)


def test_a_past_overstay_is_reported_and_still_counts() -> None:
    a = d(2026, 1, 1)
    overstayed = Stay(a, a + days(99))  # 100 days: 10 unlawful
    c = control([overstayed], [], "RUS", on=a + days(120))
    assert not c.present and c.overstay_days == 0
    (past,) = c.past_overstays
    assert (past.start, past.end, past.days, past.limit) == (a + days(90), a + days(99), 10, "window")
    assert c.fine.band == "higher_fine"
    p = plan([overstayed], [], "RUS", entry=a + days(120), today=a + days(110))
    assert p.latest_lawful_exit is None and p.lawful_days == 0 and p.limit == "window"
    assert p.earliest_full_stay is not None and p.earliest_full_stay > p.entry


def test_planning_a_visa_free_trip() -> None:
    a = d(2026, 1, 1)
    history = [Stay(a, a + days(29)), Stay(a + days(40), a + days(69))]  # 60 days used
    p = plan(history, [], "UZB", entry=a + days(80), today=a + days(75))
    assert (p.latest_lawful_exit, p.lawful_days, p.limit) == (a + days(109), 30, "per_entry")
    p2 = plan([*history, Stay(a + days(80), a + days(109))], [], "UZB", entry=a + days(115), today=a + days(112))
    assert p2.lawful_days == 0 and p2.latest_lawful_exit is None and p2.full_stay_days == 30
    assert p2.earliest_full_stay == a + days(180)  # from then on, a day of January leaves the window each day


def test_planning_while_in_the_country() -> None:
    entry = d(2026, 5, 1)
    p = plan([Stay(entry, None)], [], "RUS", entry=entry, today=d(2026, 5, 20))
    assert p.latest_lawful_exit == entry + days(89)
    with pytest.raises(ValueError, match="in the country"):
        plan([Stay(entry, None)], [], "RUS", entry=d(2026, 5, 10), today=d(2026, 5, 20))
    with pytest.raises(ValueError, match="inside a recorded stay"):
        plan([Stay(entry, d(2026, 5, 9))], [], "RUS", entry=d(2026, 5, 5), today=d(2026, 5, 20))


def test_visa_nationals_have_no_full_stay_to_plan() -> None:
    visa = Cover("visa", d(2026, 1, 1), d(2026, 3, 31))
    p = plan([], [visa], "AFG", entry=d(2026, 3, 1), today=d(2026, 2, 1))
    assert (p.latest_lawful_exit, p.lawful_days, p.earliest_full_stay) == (d(2026, 3, 31), 31, None)


def test_registration_deadlines() -> None:
    rules = policy(d(2026, 3, 20))
    assert add_working_days(d(2026, 3, 20), 3, rules.holidays) == d(2026, 3, 26)  # Fri; 21-23 March Nauryz
    late = control(
        [Stay(d(2026, 3, 20), None)],
        [],
        "RUS",
        on=d(2026, 3, 30),
        registrations=[Registration(d(2026, 3, 20), d(2026, 3, 27))],
    )
    assert [(r.deadline, r.registered_on) for r in late.late_registrations] == [(d(2026, 3, 26), d(2026, 3, 27))]
    assert late.registration_deadline is None  # online registration starts 1 July 2026
    entry = d(2026, 7, 1)
    missing = control([Stay(entry, None)], [], "KGZ", on=d(2026, 8, 5))
    assert missing.registration_deadline == d(2026, 7, 31) and missing.registration_missing
    done = control(
        [Stay(entry, None)], [], "KGZ", on=d(2026, 8, 5), registrations=[Registration(entry, d(2026, 7, 20))]
    )
    assert not done.registration_missing
    assert control([Stay(entry, None)], [], "UZB", on=d(2026, 8, 5)).registration_deadline is None


def test_fine_bands_follow_article_517() -> None:
    rules = policy(d(2026, 5, 1))
    bands = {n: fine_band(n, rules) for n in (1, 3, 4, 5, 6, 10, 11, 400)}
    assert [b.band for b in bands.values()] == [
        "warning",
        "warning",
        "fine",
        "fine",
        "higher_fine",
        "higher_fine",
        "fine_and_expulsion",
        "fine_and_expulsion",
    ]
    assert bands[4].fine_mrp == 10 and bands[4].fine_kzt == 10 * 4325
    assert fine_band(4, policy(d(2025, 5, 1))).fine_kzt == 10 * 3932  # the MRP of the year
    assert bands[6].fine_mrp is None  # the amount is not public


def test_rules_are_dated() -> None:
    with pytest.raises(PolicyNotInForce):
        policy(d(2022, 12, 31))
    before, after = policy(d(2026, 6, 30)), policy(d(2026, 7, 1))
    assert before.online_days is None and after.online_days == 30
    assert before.parameters_hash != after.parameters_hash and after.version_date == d(2026, 7, 1)
    assert policy(ON).regime("RUS") == "eaeu" and policy(ON).regime("TUR") == "visa_free"
    assert policy(ON).regime("AFG") == "visa"
    assert policy(ON).regime("D") == "visa_free" and policy(ON).per_entry_days("D") == 30  # Germany's ICAO code


# --- planning agrees with control ----------------------------------------------------------------------

NATIONS = st.sampled_from(["RUS", "UZB", "CHN", "KGZ"])


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Stay], dt.date]:
    day = d(2025, 6, 1)
    stays = []
    for _ in range(draw(st.integers(0, 5))):
        day += days(draw(st.integers(0, 60)))
        length = draw(st.integers(0, 100))
        stays.append(Stay(day, day + days(length)))
        day += days(length)
    return stays, day + days(draw(st.integers(1, 30)))


@settings(max_examples=60, deadline=None)
@given(histories(), NATIONS)
def test_latest_lawful_exit_is_lawful_and_a_day_more_is_not(history: tuple[list[Stay], dt.date], nat: str) -> None:
    stays, entry = history
    p = plan(stays, [], nat, entry=entry, today=entry - days(1))
    if p.latest_lawful_exit is None:
        assert p.lawful_days == 0
        assert control([*stays, Stay(entry, entry)], [], nat, on=entry + days(1)).past_overstays[-1].start == entry
        return
    trip = [*stays, Stay(entry, p.latest_lawful_exit)]
    after = p.latest_lawful_exit + days(1)
    assert all(o.entry != entry for o in control(trip, [], nat, on=after).past_overstays)
    longer = control([*stays, Stay(entry, after)], [], nat, on=after + days(1))
    assert longer.past_overstays[-1].start == after


@settings(max_examples=40, deadline=None)
@given(histories(), NATIONS)
def test_earliest_full_stay_is_the_first_day_a_full_stay_is_lawful(
    history: tuple[list[Stay], dt.date], nat: str
) -> None:
    stays, entry = history
    p = plan(stays, [], nat, entry=entry, today=entry - days(1))
    assert p.earliest_full_stay is not None and p.full_stay_days is not None
    first = p.earliest_full_stay
    full = days(p.full_stay_days - 1)

    def lawful(start: dt.date) -> bool:
        c = control([*stays, Stay(start, start + full)], [], nat, on=start + full + days(1))
        return all(o.entry != start for o in c.past_overstays)

    assert lawful(first)
    if first > entry:
        assert not lawful(first - days(1))
