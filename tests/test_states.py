"""The case workflow as pure rules: who may do what in which status, four eyes, reasons and outcomes."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from koshi.accounts.roles import ROLES
from koshi.cases.states import (
    APPEAL_OUTCOMES,
    MIN_REASON,
    OUTCOMES,
    REASON_REQUIRED,
    RULES,
    Action,
    CaseFacts,
    Command,
    Status,
    TransitionError,
    allowed_actions,
    allowed_actions_any,
    check,
)

S, A = Status, Action
APPLICANT, OFFICER, OFFICER_2, SUPERVISOR, SUPERVISOR_2, OTHER_APPLICANT, ANALYST = 1, 2, 3, 4, 5, 6, 7
REASON = "the documents contradict each other"
STAFF = frozenset({"officer", "supervisor"})
TERMINAL = frozenset({S.withdrawn, S.appeal_decided})

# The workflow as specified, written out independently of RULES: a change to RULES must change this too.
EXPECTED: dict[Action, tuple[set[Status], set[str], Status | None]] = {
    A.submit: ({S.draft}, {"applicant"}, S.scored),
    A.take: ({S.scored}, set(STAFF), S.in_review),
    A.approve: ({S.in_review}, set(STAFF), S.approved),
    A.propose_refusal: ({S.in_review}, set(STAFF), S.refusal_proposed),
    A.confirm_refusal: ({S.refusal_proposed}, set(STAFF), S.refused),
    A.return_to_review: ({S.refusal_proposed}, set(STAFF), S.in_review),
    A.appeal: ({S.refused}, {"applicant"}, S.appealed),
    A.decide_appeal: ({S.appealed}, set(STAFF), S.appeal_decided),
    A.withdraw: ({S.draft, S.scored, S.in_review, S.refusal_proposed}, {"applicant"}, S.withdrawn),
    A.override: ({S.scored, S.in_review, S.refusal_proposed, S.approved, S.refused}, {"supervisor"}, None),
}
OUTCOME_FOR = {A.override: "approved", A.decide_appeal: "upheld"}
ROLE_IDS = {"applicant": APPLICANT, "officer": OFFICER_2, "supervisor": SUPERVISOR_2}


def facts(
    status: Status,
    *,
    recommendation: str | None = "eligible",
    proposed_by: int | None = None,
    deciders: frozenset[int] = frozenset(),
) -> CaseFacts:
    return CaseFacts(status, APPLICANT, recommendation, proposed_by, deciders)


def cmd(action: Action, actor: int, role: str, reason: str | None = REASON, outcome: str | None = None) -> Command:
    return Command(action, actor, role, reason, outcome)


def refused_with(exc: pytest.ExceptionInfo[TransitionError], status: int) -> TransitionError:
    assert exc.value.status == status, exc.value.message
    return exc.value


# --- the table ---------------------------------------------------------------------------------------


def test_rules_are_the_specified_workflow() -> None:
    assert set(RULES) == set(Action)
    for action, (statuses, roles, _) in EXPECTED.items():
        assert RULES[action] == (frozenset(statuses), frozenset(roles)), action
    assert {A.propose_refusal, A.confirm_refusal, A.return_to_review, A.appeal, A.decide_appeal, A.override} == (
        REASON_REQUIRED
    )


def test_terminal_statuses() -> None:
    """withdrawn and appeal_decided end a case; submitted is transient; approved can only be overridden."""
    assert {s for s in Status if not allowed_actions_any(facts(s))} == {S.submitted, S.withdrawn, S.appeal_decided}
    assert allowed_actions_any(facts(S.approved)) == ("override",)
    assert set(allowed_actions_any(facts(S.refused))) == {"appeal", "override"}
    assert set(allowed_actions_any(facts(S.draft))) == {"submit", "withdraw"}


@pytest.mark.parametrize(
    ("action", "status", "role"),
    list(itertools.product(Action, Status, [*ROLES, "nobody"])),
    ids=lambda v: str(v),
)
def test_check_follows_the_table(action: Action, status: Status, role: str) -> None:
    """Every (action, status, role): the target status, else 409 (wrong status) before 403 (wrong role)."""
    statuses, roles, target = EXPECTED[action]
    actor = ROLE_IDS.get(role, 99)
    f = facts(status, proposed_by=OFFICER if status is S.refusal_proposed else None, deciders=frozenset({OFFICER}))
    command = cmd(action, actor, role, outcome=OUTCOME_FOR.get(action))
    if status in statuses and role in roles:
        expected = target if target is not None else S.approved
        assert check(f, command) is expected
        assert action.value in allowed_actions(f, actor, role)
        return
    with pytest.raises(TransitionError) as exc:
        check(f, command)
    if status not in statuses:
        err = refused_with(exc, 409)
        assert err.allowed == allowed_actions_any(f)
        assert action.value not in err.allowed
        assert status.value in err.message
    else:
        err = refused_with(exc, 403)
        assert err.allowed == allowed_actions(f, actor, role)
    assert action.value not in allowed_actions(f, actor, role)


def test_409_lists_what_anyone_could_do() -> None:
    with pytest.raises(TransitionError) as exc:
        check(facts(S.draft), cmd(A.approve, OFFICER, "officer"))
    err = refused_with(exc, 409)
    assert err.allowed == ("submit", "withdraw")  # though an officer could do neither
    assert err.message == "cannot approve a case that is draft"
    with pytest.raises(TransitionError) as exc:
        check(facts(S.withdrawn), cmd(A.withdraw, APPLICANT, "applicant"))
    assert refused_with(exc, 409).allowed == ()


# --- the right person ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["analyst", "police", "admin", "applicant"])
def test_wrong_role_is_403(role: str) -> None:
    with pytest.raises(TransitionError) as exc:
        check(facts(S.scored), cmd(A.take, ANALYST, role))
    err = refused_with(exc, 403)
    assert err.message == f"role {role} may not take a case"


def test_officer_may_not_override() -> None:
    with pytest.raises(TransitionError) as exc:
        check(facts(S.approved), cmd(A.override, OFFICER, "officer", outcome="refused"))
    assert refused_with(exc, 403).allowed == ()


@pytest.mark.parametrize(
    ("status", "action"),
    [(S.draft, A.submit), (S.draft, A.withdraw), (S.in_review, A.withdraw), (S.refused, A.appeal)],
)
def test_an_applicant_cannot_act_on_someone_elses_case(status: Status, action: Action) -> None:
    assert check(facts(status), cmd(action, APPLICANT, "applicant")) in set(Status)  # the owner can
    with pytest.raises(TransitionError) as exc:
        check(facts(status), cmd(action, OTHER_APPLICANT, "applicant"))
    err = refused_with(exc, 403)
    assert err.message == "only the applicant may do this"
    assert err.allowed == ()
    assert allowed_actions(facts(status), OTHER_APPLICANT, "applicant") == ()


# --- four eyes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("proposer", "role"), [(OFFICER, "officer"), (SUPERVISOR, "supervisor")])
def test_the_proposer_cannot_confirm_a_refusal(proposer: int, role: str) -> None:
    f = facts(S.refusal_proposed, proposed_by=proposer)
    with pytest.raises(TransitionError) as exc:
        check(f, cmd(A.confirm_refusal, proposer, role))
    err = refused_with(exc, 403)
    assert "second officer" in err.message
    assert "confirm_refusal" not in err.allowed
    assert "return_to_review" in err.allowed  # the proposer may still take it back
    assert check(f, cmd(A.confirm_refusal, OFFICER_2, "officer")) is S.refused
    assert check(f, cmd(A.confirm_refusal, SUPERVISOR_2, "supervisor")) is S.refused


@pytest.mark.parametrize("decider", [OFFICER, SUPERVISOR])
def test_refusal_deciders_cannot_decide_the_appeal(decider: int) -> None:
    f = facts(S.appealed, proposed_by=OFFICER, deciders=frozenset({OFFICER, SUPERVISOR}))
    for role in STAFF:
        with pytest.raises(TransitionError) as exc:
            check(f, cmd(A.decide_appeal, decider, role, outcome="overturned"))
        err = refused_with(exc, 403)
        assert "took no part in the refusal" in err.message
        assert err.allowed == ()
    assert check(f, cmd(A.decide_appeal, OFFICER_2, "officer", outcome="overturned")) is S.appeal_decided


# --- reasons -----------------------------------------------------------------------------------------


SHORT = [None, "", "   ", "ok", "x" * (MIN_REASON - 1), " " * 20 + "x" * (MIN_REASON - 1) + "\n\t"]


def _ready(action: Action) -> tuple[CaseFacts, int, str]:
    """Facts, actor and role for which ``action`` passes every guard but the reason."""
    statuses, roles, _ = EXPECTED[action]
    status = sorted(statuses)[0]
    role = sorted(roles)[-1]  # supervisor where staff (so override works too)
    return facts(status, proposed_by=OFFICER, deciders=frozenset({OFFICER})), ROLE_IDS[role], role


@pytest.mark.parametrize("action", sorted(REASON_REQUIRED))
@pytest.mark.parametrize("reason", SHORT)
def test_reasons_are_required(action: Action, reason: str | None) -> None:
    f, actor, role = _ready(action)
    with pytest.raises(TransitionError) as exc:
        check(f, cmd(action, actor, role, reason=reason, outcome=OUTCOME_FOR.get(action)))
    err = refused_with(exc, 422)
    assert err.field == "reason"
    assert f"at least {MIN_REASON} characters" in err.message
    assert action.value in err.allowed  # allowed, given a reason
    assert check(f, cmd(action, actor, role, reason="x" * MIN_REASON, outcome=OUTCOME_FOR.get(action))) in set(Status)


@pytest.mark.parametrize("action", sorted(set(Action) - REASON_REQUIRED - {A.approve}))
def test_routine_actions_need_no_reason(action: Action) -> None:
    f, actor, role = _ready(action)
    assert check(f, cmd(action, actor, role, reason=None)) is EXPECTED[action][2]


@pytest.mark.parametrize("recommendation", ["manual_review", "refused"])
def test_approving_against_the_engine_needs_a_reason(recommendation: str) -> None:
    f = facts(S.in_review, recommendation=recommendation)
    for reason in SHORT:
        with pytest.raises(TransitionError) as exc:
            check(f, cmd(A.approve, OFFICER, "officer", reason=reason))
        err = refused_with(exc, 422)
        assert err.field == "reason"
        assert "did not recommend" in err.message
    assert check(f, cmd(A.approve, OFFICER, "officer", reason="interview settled the doubt")) is S.approved


@pytest.mark.parametrize("recommendation", ["eligible", None])
def test_approving_what_the_engine_recommends_needs_no_reason(recommendation: str | None) -> None:
    f = facts(S.in_review, recommendation=recommendation)
    assert check(f, cmd(A.approve, OFFICER, "officer", reason=None)) is S.approved


# --- outcomes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status", "valid"),
    [
        (A.override, S.approved, {"approved": S.approved, "refused": S.refused}),
        (A.override, S.refused, {"approved": S.approved, "refused": S.refused}),
        (A.override, S.scored, {"approved": S.approved, "refused": S.refused}),
        (A.decide_appeal, S.appealed, dict.fromkeys(APPEAL_OUTCOMES, S.appeal_decided)),
    ],
)
def test_outcomes_must_be_valid(action: Action, status: Status, valid: dict[str, Status]) -> None:
    f = facts(status, deciders=frozenset({OFFICER}))
    for outcome, expected in valid.items():
        assert check(f, cmd(action, SUPERVISOR, "supervisor", outcome=outcome)) is expected
    wrong = [None, "", "APPROVED", "maybe", *(set(OUTCOMES) | set(APPEAL_OUTCOMES)) - set(valid)]
    for outcome in wrong:
        with pytest.raises(TransitionError) as exc:
            check(f, cmd(action, SUPERVISOR, "supervisor", outcome=outcome))
        assert refused_with(exc, 422).field == "outcome", outcome


def test_the_reason_is_checked_before_the_outcome() -> None:
    with pytest.raises(TransitionError) as exc:
        check(facts(S.approved), cmd(A.override, SUPERVISOR, "supervisor", reason=None, outcome="bogus"))
    assert refused_with(exc, 422).field == "reason"


# --- random walks --------------------------------------------------------------------------------------

PEOPLE = {
    APPLICANT: "applicant",
    OTHER_APPLICANT: "applicant",
    OFFICER: "officer",
    OFFICER_2: "officer",
    SUPERVISOR: "supervisor",
    SUPERVISOR_2: "supervisor",
    ANALYST: "analyst",
}
REASONS = st.sampled_from([REASON, REASON, REASON, "   padded reason   ", None, "", "ok", "x" * (MIN_REASON - 1)])
VALID_OUTCOMES = {A.override: OUTCOMES, A.decide_appeal: APPEAL_OUTCOMES}
PERSON = st.sampled_from(sorted(PEOPLE))
OUTCOME_VALUES = st.sampled_from(["approved", "refused", "upheld", "overturned", None, "", "bogus"])


class Workflow(RuleBasedStateMachine):
    """A case driven by random commands from draft, its facts kept as :mod:`koshi.store.cases` keeps them."""

    @initialize()
    def start(self) -> None:
        self.status = S.draft
        self.recommendation: str | None = None
        self.proposed_by: int | None = None
        self.proposer_role: str | None = None
        self.deciders: set[int] = set()

    def facts(self) -> CaseFacts:
        deciders = frozenset(self.deciders) if self.status is S.appealed else frozenset()
        return CaseFacts(self.status, APPLICANT, self.recommendation, self.proposed_by, deciders)

    @rule(data=st.data(), recommendation=st.sampled_from(["eligible", "manual_review", "refused"]))
    def act(self, data: st.DataObject, recommendation: str) -> None:
        f = self.facts()
        if self.status in TERMINAL:  # final: anything anyone tries is a 409 listing nothing
            action, actor, role = data.draw(st.tuples(st.sampled_from(Action), PERSON, st.sampled_from(ROLES)))
            with pytest.raises(TransitionError) as exc:
                check(f, Command(action, actor, role, REASON, "approved"))
            assert (exc.value.status, exc.value.allowed) == (409, ())
            return
        applicable = [a for a in Action if self.status in RULES[a][0]]
        onward = [a for a in applicable if a not in (A.withdraw, A.override)] or applicable
        onward += [a for a in onward if a in (A.propose_refusal, A.confirm_refusal)]  # the four-eyes path, twice
        pick = data.draw(st.integers(0, 9))  # mostly onward, some override/withdraw, some not applicable
        action = data.draw(st.sampled_from(onward if pick > 1 else applicable if pick else list(Action)))
        # mostly someone who may act, or who must not (took part in the refusal), sometimes anyone
        able = {p for p, r in PEOPLE.items() if action.value in allowed_actions(f, p, r)}
        involved = {p for p in (self.proposed_by, *self.deciders) if p is not None}
        people = (
            st.sampled_from(sorted(able | involved)) if (able or involved) and data.draw(st.integers(0, 3)) else PERSON
        )
        actor = data.draw(people)
        role = PEOPLE[actor] if data.draw(st.integers(0, 9)) else data.draw(st.sampled_from(ROLES))
        fitting = st.sampled_from(VALID_OUTCOMES.get(action, (None,)))
        outcome = data.draw(fitting if data.draw(st.integers(0, 3)) else OUTCOME_VALUES)
        command = Command(action, actor, role, data.draw(REASONS), outcome)
        before = self.status
        try:
            target = check(f, command)
        except TransitionError as exc:
            assert self.status is before
            assert exc.status in (403, 409, 422)
            assert action.value not in exc.allowed or exc.status == 422
            if exc.status == 409:
                assert before not in RULES[action][0]
                assert exc.allowed == allowed_actions_any(f)
            elif exc.status == 403:
                assert before in RULES[action][0]
            else:
                assert before in RULES[action][0] and role in RULES[action][1]
                assert exc.field in ("reason", "outcome")
            return
        # success: the action applies here, the role may take it, and the target is the declared one
        statuses, roles, declared = EXPECTED[action]
        assert before in statuses and role in roles
        assert action.value in allowed_actions(f, actor, role)
        assert target is (declared or (S.approved if command.outcome == "approved" else S.refused))
        assert target is not S.submitted
        if role == "applicant":
            assert actor == APPLICANT
        if action in REASON_REQUIRED or (action is A.approve and self.recommendation != "eligible"):
            assert len((command.reason or "").strip()) >= MIN_REASON
        if action is A.decide_appeal:
            assert actor not in self.deciders
        self._apply(command, target, recommendation)

    def _apply(self, command: Command, target: Status, recommendation: str) -> None:
        """What the service stores besides the status (koshi.store.cases.submit and .transition)."""
        if command.action is A.submit:
            self.recommendation = recommendation
        elif command.action is A.propose_refusal:
            self.proposed_by, self.proposer_role = command.actor_id, command.role
            self.deciders.add(command.actor_id)
        elif command.action is A.return_to_review:
            self.proposed_by = self.proposer_role = None
        elif command.action is A.confirm_refusal:
            self.deciders.add(command.actor_id)
        if target is S.refused:
            if command.action is A.override:
                assert command.role == "supervisor"
                event("refused by override")
            else:  # four eyes: two different staff ids, the proposal not withdrawn since
                assert command.action is A.confirm_refusal
                assert command.role in STAFF and self.proposer_role in STAFF
                assert self.proposed_by is not None and self.proposed_by != command.actor_id
                event("refused by four eyes")
        self.status = target
        event(f"reached {target.value}")

    @invariant()
    def approved_can_only_be_overridden(self) -> None:
        if self.status is S.approved:
            f = self.facts()
            assert allowed_actions(f, SUPERVISOR, "supervisor") == ("override",)
            assert all(allowed_actions(f, p, r) == () for p, r in PEOPLE.items() if r != "supervisor")

    @invariant()
    def never_the_transient_status(self) -> None:
        assert self.status is not S.submitted


Workflow.TestCase.settings = settings(
    max_examples=100, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestWorkflow = Workflow.TestCase
