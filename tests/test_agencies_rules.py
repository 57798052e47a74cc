"""Private employment agencies, pure rules: status lifecycle, the fee rule, report deadlines, the risk score."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshi.agencies import lifecycle, rules
from koshi.agencies.lifecycle import AgencyAction, AgencyStatus, AgencyTransitionError
from koshi.agencies.policy import EFFECTIVE_FROM, REASONS, policy
from koshi.agencies.risk import ComplaintFact, Facts, ReportFact, ViolationFact, score, total
from koshi.rules import provenance

ON = dt.date(2026, 6, 1)
P = policy(ON)
OLD = dt.date(2020, 1, 10)  # notified long ago: no "new agency" points

# --- parameters ----------------------------------------------------------------------------------------


def test_parameters_are_dated_marked_and_referenced() -> None:
    snap = provenance.snapshot_roots("kz.agencies", ("kz.agencies",), EFFECTIVE_FROM, ON)
    assert snap.leaves
    for leaf in snap.leaves:
        assert leaf.provenance in {"designed", "secondary"}, leaf.path
        assert provenance.references(leaf.path), leaf.path
    by_path = {leaf.path: leaf for leaf in snap.leaves}
    assert by_path["kz.agencies.seeker_fees.max_tenge"].provenance == "secondary"
    assert by_path["kz.agencies.risk.points.open_complaint"].provenance == "designed"
    assert set(P.points) == set(REASONS)
    assert P.parameters_hash.startswith("sha256:")


def test_rules_before_2016_are_refused() -> None:
    with pytest.raises(provenance.PolicyNotInForce, match="starts 2016-04-06"):
        policy(dt.date(2016, 4, 5))
    assert policy(EFFECTIVE_FROM).report_due_days == 20


# --- lifecycle ---------------------------------------------------------------------------------------

ALLOWED = {
    (AgencyStatus.notified, AgencyAction.activate): AgencyStatus.active,
    (AgencyStatus.active, AgencyAction.suspend): AgencyStatus.suspended,
    (AgencyStatus.suspended, AgencyAction.reinstate): AgencyStatus.active,
    (AgencyStatus.notified, AgencyAction.revoke): AgencyStatus.revoked,
    (AgencyStatus.active, AgencyAction.revoke): AgencyStatus.revoked,
    (AgencyStatus.suspended, AgencyAction.revoke): AgencyStatus.revoked,
    (AgencyStatus.active, AgencyAction.expire): AgencyStatus.expired,
    (AgencyStatus.suspended, AgencyAction.expire): AgencyStatus.expired,
}
REASON = "repeated fees taken from job seekers"


@pytest.mark.parametrize(("status", "action"), list(itertools.product(AgencyStatus, AgencyAction)))
def test_every_transition_is_allowed_or_refused_as_the_contract_says(
    status: AgencyStatus, action: AgencyAction
) -> None:
    if (status, action) in ALLOWED:
        move = lifecycle.check(status, action, "inspector", reason=REASON)
        assert move.after == ALLOWED[(status, action)]
        assert action.value in lifecycle.allowed_actions(status, "inspector")
    else:
        with pytest.raises(AgencyTransitionError) as err:
            lifecycle.check(status, action, "inspector", reason=REASON)
        assert err.value.status == 409
        assert action.value not in err.value.allowed
        assert set(err.value.allowed) == {a for (s, a) in ALLOWED if s == status}


@pytest.mark.parametrize("role", ["agency", "applicant", "analyst", "supervisor", "officer", "admin"])
def test_only_inspectors_change_status(role: str) -> None:
    with pytest.raises(AgencyTransitionError) as err:
        lifecycle.check(AgencyStatus.notified, AgencyAction.activate, role)
    assert err.value.status == 403
    assert lifecycle.allowed_actions(AgencyStatus.active, role) == ()


@pytest.mark.parametrize("action", [AgencyAction.suspend, AgencyAction.revoke])
@pytest.mark.parametrize("reason", [None, "", "   ", "too short"])
def test_sanctions_need_a_real_reason(action: AgencyAction, reason: str | None) -> None:
    with pytest.raises(AgencyTransitionError) as err:
        lifecycle.check(AgencyStatus.active, action, "inspector", reason=reason)
    assert (err.value.status, err.value.field) == (422, "reason")


def test_activation_and_expiry_need_no_reason() -> None:
    assert lifecycle.check(AgencyStatus.notified, AgencyAction.activate, "inspector").after is AgencyStatus.active
    assert lifecycle.check(AgencyStatus.active, AgencyAction.expire, "inspector").after is AgencyStatus.expired
    with pytest.raises(AgencyTransitionError):
        lifecycle.check(AgencyStatus.suspended, AgencyAction.reinstate, "inspector")


# --- the fee rule --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "paid", "flag"),
    [
        ("fee_charged", None, True),
        ("fee_charged", 0, True),
        ("fee_charged", 25_000, True),
        ("false_vacancy", 1, True),
        ("abroad_conditions", 300_000, True),
        ("no_contract", None, False),
        ("no_contract", 0, False),
        ("documents_withheld", None, False),
        ("other", 0, False),
    ],
)
def test_fee_flag_on_complaints(kind: str, paid: int | None, flag: bool) -> None:
    assert rules.fee_flag(kind, paid, P.max_seeker_fee_tenge) is flag


def test_fee_flag_follows_the_limit() -> None:
    assert rules.fee_flag("other", 5000, 5000) is False
    assert rules.fee_flag("other", 5001, 5000) is True
    assert rules.report_fee_flag(0, 0) is False
    assert rules.report_fee_flag(1, 0) is True


# --- report deadlines ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "due"),
    [((2026, 1), dt.date(2026, 4, 20)), ((2026, 2), dt.date(2026, 7, 20)), ((2025, 4), dt.date(2026, 1, 20))],
)
def test_report_is_late_only_after_the_due_day(q: rules.Quarter, due: dt.date) -> None:
    assert rules.due_on(q, P.report_due_days) == due
    assert not rules.is_late(q, due, P.report_due_days)
    assert not rules.is_late(q, due - dt.timedelta(days=1), P.report_due_days)
    assert rules.is_late(q, due + dt.timedelta(days=1), P.report_due_days)


def test_a_running_quarter_cannot_be_reported() -> None:
    assert not rules.can_file((2026, 2), dt.date(2026, 6, 30))
    assert rules.can_file((2026, 2), dt.date(2026, 7, 1))


def test_due_quarters_start_with_the_notification_and_stop_at_the_window() -> None:
    assert rules.due_quarters(dt.date(2026, 3, 31), dt.date(2026, 4, 21), 20, 4) == [(2026, 1)]
    assert rules.due_quarters(dt.date(2026, 4, 1), dt.date(2026, 7, 21), 20, 4) == [(2026, 2)]
    assert rules.due_quarters(OLD, ON, 20, 4) == [(2025, 2), (2025, 3), (2025, 4), (2026, 1)]
    assert list(rules.quarters((2025, 3), (2026, 2))) == [(2025, 3), (2025, 4), (2026, 1), (2026, 2)]


# --- the risk score ------------------------------------------------------------------------------------


def _report(q: rules.Quarter, late_days: int = 0, domestic: int = 10, abroad: int = 0, fees: int = 0) -> ReportFact:
    filed = rules.due_on(q, P.report_due_days) + dt.timedelta(days=late_days)
    return ReportFact(q[0], q[1], filed, domestic, abroad, fees)


ON_TIME = tuple(_report(q) for q in [(2025, 2), (2025, 3), (2025, 4), (2026, 1)])


def test_a_clean_agency_scores_zero() -> None:
    view = score(Facts(OLD, "domestic", reports=ON_TIME, inspections=(dt.date(2025, 1, 1),)), ON, P)
    assert view.score == 0
    assert view.reasons == ()
    assert view.parameters_hash == P.parameters_hash


def test_every_reason_with_its_points_and_the_sum() -> None:
    reports = (
        _report((2025, 2), fees=5000),
        _report((2025, 3), late_days=1, domestic=0, abroad=10),
        _report((2025, 4), late_days=30),
    )  # 2026-Q1 missing
    complaints = (
        ComplaintFact(dt.date(2026, 1, 5), "fee_charged", "substantiated", 40_000),
        ComplaintFact(dt.date(2026, 2, 5), "false_vacancy", "substantiated", 10_000),
        ComplaintFact(dt.date(2026, 3, 5), "no_contract", "substantiated", None),  # not a fee
        ComplaintFact(dt.date(2026, 4, 5), "other", "open", None),
        ComplaintFact(dt.date(2026, 5, 5), "fee_charged", "unfounded", None),
        ComplaintFact(dt.date(2026, 7, 5), "fee_charged", "open", None),  # after the ranking day: ignored
    )
    facts = Facts(
        OLD,
        "both",
        complaints=complaints,
        reports=reports,
        violations=(ViolationFact(dt.date(2026, 2, 1), None), ViolationFact(dt.date(2025, 2, 1), dt.date(2025, 3, 1))),
        sanctions=(dt.date(2026, 2, 10), dt.date(2024, 5, 31)),  # the second is more than 2 years before
        inspections=(dt.date(2022, 5, 1),),
    )
    view = score(facts, ON, P)
    got = {r.code: r.points for r in view.reasons}
    assert got == {
        "fee_complaint_substantiated": 50.0,  # 2 x 25
        "open_complaint": 5.0,
        "late_report": 8.0,  # 2 x 4
        "missing_report": 8.0,
        "open_violation": 10.0,
        "recent_sanction": 12.0,
        "abroad_share": 5.0,  # 10 of 30 placed abroad: 15 x 1/3
        "seeker_fees_declared": 20.0,
        "no_inspection": 8.0,  # last 2022-05-01, more than 3 years before
    }
    assert view.score == 126.0 == sum(got.values())
    assert [r.points for r in view.reasons] == sorted((r.points for r in view.reasons), reverse=True)
    texts = {r.code: r.text for r in view.reasons}
    assert texts["fee_complaint_substantiated"].endswith("x 25 = 50")
    assert texts["late_report"] == "2 late reports (2025-Q3, 2025-Q4) x 4 = 8"
    assert texts["missing_report"] == "1 missing report (2026-Q1) x 8 = 8"
    assert "10 of 30 placements abroad" in texts["abroad_share"]


def test_caps_hold_and_say_so() -> None:
    complaints = tuple(ComplaintFact(dt.date(2026, 1, d), "fee_charged", "substantiated", 1) for d in range(1, 6))
    view = score(Facts(OLD, "domestic", complaints=complaints, reports=ON_TIME, inspections=(ON,)), ON, P)
    (reason,) = view.reasons
    assert reason.points == P.caps["fee_complaint_substantiated"] == 50
    assert reason.text == "5 substantiated complaints of a fee taken from a job seeker x 25 = 125, capped at 50"


def test_a_new_agency_gets_the_new_agency_points_and_owes_no_old_reports() -> None:
    view = score(Facts(dt.date(2026, 2, 1), "domestic"), ON, P)
    codes = {r.code for r in view.reasons}
    assert codes == {"new_agency", "missing_report"}  # 2026-Q1 was due on 20 April
    assert score(Facts(dt.date(2025, 6, 2), "domestic"), ON, P).reasons[-1].code == "new_agency"
    assert "new_agency" not in {r.code for r in score(Facts(dt.date(2025, 6, 1), "domestic"), ON, P).reasons}


def test_no_inspection_at_the_boundary() -> None:
    def codes(inspected: dt.date) -> set[str]:
        return {r.code for r in score(Facts(OLD, "domestic", reports=ON_TIME, inspections=(inspected,)), ON, P).reasons}

    assert "no_inspection" not in codes(dt.date(2023, 6, 1))  # exactly three years: not more
    assert "no_inspection" in codes(dt.date(2023, 5, 31))
    never = score(Facts(OLD, "domestic", reports=ON_TIME), ON, P)
    assert [r.text for r in never.reasons] == ["never inspected, more than 3 years ago = 8"]


# --- properties ----------------------------------------------------------------------------------------

days = st.dates(min_value=dt.date(2019, 1, 1), max_value=ON)
complaint_facts = st.builds(
    ComplaintFact,
    days,
    st.sampled_from([k.value for k in rules.ComplaintKind]),
    st.sampled_from([s.value for s in rules.ComplaintStatus]),
    st.none() | st.integers(0, 500_000),
)
report_facts = st.builds(
    lambda q, late, d, a, f: _report(q, late, d, a, f),
    st.tuples(st.integers(2020, 2026), st.integers(1, 4)).filter(lambda q: q <= (2026, 1)),
    st.integers(-20, 200),
    st.integers(0, 500),
    st.integers(0, 500),
    st.integers(0, 50_000) | st.just(0),
)
facts = st.builds(
    Facts,
    notified_on=st.dates(min_value=dt.date(2017, 1, 1), max_value=ON),
    activity=st.sampled_from(["domestic", "abroad", "both"]),
    complaints=st.lists(complaint_facts, max_size=12).map(tuple),
    reports=st.lists(report_facts, max_size=8, unique_by=lambda r: (r.year, r.quarter)).map(tuple),
    violations=st.lists(st.builds(ViolationFact, days, st.none() | days), max_size=5).map(tuple),
    sanctions=st.lists(days, max_size=4).map(tuple),
    inspections=st.lists(days, max_size=3).map(tuple),
)


@settings(max_examples=200, deadline=None)
@given(facts)
def test_the_score_is_the_plain_sum_of_the_listed_points(f: Facts) -> None:
    view = score(f, ON, P)
    assert view.score == total(view.reasons) == round(sum(r.points for r in view.reasons), 1)
    assert all(r.points > 0 for r in view.reasons)
    assert len({r.code for r in view.reasons}) == len(view.reasons)
    assert {r.code for r in view.reasons} <= set(REASONS)
    assert all(r.points <= P.caps.get(r.code, P.points[r.code]) for r in view.reasons)


@settings(max_examples=200, deadline=None)
@given(facts, complaint_facts)
def test_another_complaint_never_lowers_the_score(f: Facts, extra: ComplaintFact) -> None:
    more = Facts(f.notified_on, f.activity, (*f.complaints, extra), f.reports, f.violations, f.sanctions, f.inspections)
    assert score(more, ON, P).score >= score(f, ON, P).score


@settings(max_examples=100, deadline=None)
@given(facts, st.sampled_from(["fee_charged", "false_vacancy"]))
def test_a_substantiated_fee_complaint_raises_the_score_below_the_cap(f: Facts, kind: str) -> None:
    fee = ComplaintFact(ON, kind, "substantiated", 1000)
    before = score(f, ON, P)
    after = score(
        Facts(f.notified_on, f.activity, (*f.complaints, fee), f.reports, f.violations, f.sanctions, f.inspections),
        ON,
        P,
    )
    got = next((r.points for r in before.reasons if r.code == "fee_complaint_substantiated"), 0.0)
    if got < P.caps["fee_complaint_substantiated"]:
        assert after.score > before.score
