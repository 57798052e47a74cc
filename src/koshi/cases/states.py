"""The application workflow as data: statuses, actions, who may take them, and the guards.

Pure: no database, no clock.  The service asks :func:`check` before every change
and gets either the next status or a :class:`TransitionError` that says which
actions *are* allowed (the API turns that into a 409 listing them).

Decisions follow the four-eyes rule: an officer proposes a refusal with a written
reason, a *different* officer (or a supervisor) confirms it.  Approving a case the
engine did not recommend (a score below the pass mark, a review trigger or a
knock-out) also needs a written reason.  Appeals are decided by someone who took
no part in the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """Where a case is."""

    draft = "draft"
    submitted = "submitted"  # transient: submission scores in the same transaction
    scored = "scored"
    in_review = "in_review"
    refusal_proposed = "refusal_proposed"
    approved = "approved"
    refused = "refused"
    appealed = "appealed"
    appeal_decided = "appeal_decided"
    withdrawn = "withdrawn"


class Action(StrEnum):
    """What someone can do to a case."""

    submit = "submit"
    take = "take"
    approve = "approve"
    propose_refusal = "propose_refusal"
    confirm_refusal = "confirm_refusal"
    return_to_review = "return_to_review"
    appeal = "appeal"
    decide_appeal = "decide_appeal"
    withdraw = "withdraw"
    override = "override"


S, A = Status, Action

# action → (statuses it applies to, roles that may take it)
RULES: dict[Action, tuple[frozenset[Status], frozenset[str]]] = {
    A.submit: (frozenset({S.draft}), frozenset({"applicant"})),
    A.take: (frozenset({S.scored}), frozenset({"officer", "supervisor"})),
    A.approve: (frozenset({S.in_review}), frozenset({"officer", "supervisor"})),
    A.propose_refusal: (frozenset({S.in_review}), frozenset({"officer", "supervisor"})),
    A.confirm_refusal: (frozenset({S.refusal_proposed}), frozenset({"officer", "supervisor"})),
    A.return_to_review: (frozenset({S.refusal_proposed}), frozenset({"officer", "supervisor"})),
    A.appeal: (frozenset({S.refused}), frozenset({"applicant"})),
    A.decide_appeal: (frozenset({S.appealed}), frozenset({"officer", "supervisor"})),
    A.withdraw: (
        frozenset({S.draft, S.scored, S.in_review, S.refusal_proposed}),
        frozenset({"applicant"}),
    ),
    A.override: (
        frozenset({S.scored, S.in_review, S.refusal_proposed, S.approved, S.refused}),
        frozenset({"supervisor"}),
    ),
}

REASON_REQUIRED = frozenset(
    {A.propose_refusal, A.confirm_refusal, A.return_to_review, A.appeal, A.decide_appeal, A.override}
)
OUTCOMES = ("approved", "refused")  # of an override
APPEAL_OUTCOMES = ("upheld", "overturned")  # an overturned refusal is approved
MIN_REASON = 10  # characters: "ok" is not a reason


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the guards need to know about a case."""

    status: Status
    applicant_id: int
    recommendation: str | None  # the engine's: eligible / manual_review / refused
    refusal_proposed_by: int | None
    refusal_deciders: frozenset[int]  # who proposed or confirmed the refusal under appeal


@dataclass(frozen=True, slots=True)
class Command:
    """Who wants to do what, with which reason and outcome."""

    action: Action
    actor_id: int
    role: str
    reason: str | None = None
    outcome: str | None = None


class TransitionError(Exception):
    """A refused transition: ``status`` is 409 (wrong state), 403 (wrong person) or 422 (bad input)."""

    def __init__(self, status: int, message: str, allowed: tuple[str, ...], field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.allowed = allowed
        self.field = field


def allowed_actions(facts: CaseFacts, actor_id: int, role: str) -> tuple[str, ...]:
    """Actions this person could take on this case now (ignoring reasons)."""
    out = []
    for action, (statuses, roles) in RULES.items():
        if facts.status in statuses and role in roles and _person_ok(action, facts, actor_id, role) is None:
            out.append(action.value)
    return tuple(out)


def _person_ok(action: Action, facts: CaseFacts, actor_id: int, role: str) -> str | None:
    if role == "applicant" and facts.applicant_id != actor_id:
        return "only the applicant may do this"
    if action is A.confirm_refusal and facts.refusal_proposed_by == actor_id:
        return "a refusal must be confirmed by a second officer, not the one who proposed it"
    if action is A.decide_appeal and actor_id in facts.refusal_deciders:
        return "an appeal must be decided by someone who took no part in the refusal"
    return None


def check(facts: CaseFacts, req: Command) -> Status:
    """The status after ``req``, or a :class:`TransitionError` saying why not and what is allowed."""
    allowed = allowed_actions(facts, req.actor_id, req.role)
    statuses, roles = RULES[req.action]
    if facts.status not in statuses:
        raise TransitionError(
            409, f"cannot {req.action.value} a case that is {facts.status.value}", allowed_actions_any(facts)
        )
    if req.role not in roles:
        raise TransitionError(403, f"role {req.role} may not {req.action.value} a case", allowed)
    person = _person_ok(req.action, facts, req.actor_id, req.role)
    if person is not None:
        raise TransitionError(403, person, allowed)
    reason = (req.reason or "").strip()
    needs_reason = req.action in REASON_REQUIRED or (
        req.action is A.approve and facts.recommendation not in (None, "eligible")
    )
    if needs_reason and len(reason) < MIN_REASON:
        why = (
            "approving a case the engine did not recommend needs a written reason"
            if req.action is A.approve
            else f"{req.action.value} needs a written reason"
        )
        raise TransitionError(422, f"{why} (at least {MIN_REASON} characters)", allowed, field="reason")
    return _target(facts, req)


def allowed_actions_any(facts: CaseFacts) -> tuple[str, ...]:
    """Actions that apply to the case's status, for anyone (what a 409 lists)."""
    return tuple(a.value for a, (statuses, _) in RULES.items() if facts.status in statuses)


def _target(facts: CaseFacts, req: Command) -> Status:
    if req.action is A.override:
        if req.outcome not in OUTCOMES:
            raise TransitionError(422, "override needs outcome approved or refused", (), field="outcome")
        return S.approved if req.outcome == "approved" else S.refused
    if req.action is A.decide_appeal:
        if req.outcome not in APPEAL_OUTCOMES:
            raise TransitionError(422, "an appeal decision needs outcome upheld or overturned", (), field="outcome")
        return S.appeal_decided
    return {
        A.submit: S.scored,
        A.take: S.in_review,
        A.approve: S.approved,
        A.propose_refusal: S.refusal_proposed,
        A.confirm_refusal: S.refused,
        A.return_to_review: S.in_review,
        A.appeal: S.appealed,
        A.withdraw: S.withdrawn,
    }[req.action]
