"""The work-permit workflow as data: states, actions, who may take them, and what a change needs.

Pure, like :mod:`koshi.cases.states`: the store asks :func:`check` before every change and gets
the next state or a :class:`PermitTransitionError` naming the actions that *are* allowed.

An employer submits; the checks run at once (:mod:`koshi.labour.checks`) and the permit is either
``checks_failed`` (every failed check listed; fix and ``recheck``, or withdraw) or ``pending``
with a place reserved in the region's quota. The akimat approves (a fee notice: ``fee_due``;
intra-corporate transfers are free and go straight to ``issued``) or refuses with a reason. The
fee paid, the permit is ``issued``; the akimat may revoke it with a reason; past its end it is
``expired``. An extension is a new permit that names the one it extends and goes the same way,
without the vacancy test.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PermitState(StrEnum):
    """Where a permit is."""

    checks_failed = "checks_failed"
    pending = "pending"
    fee_due = "fee_due"
    issued = "issued"
    refused = "refused"
    withdrawn = "withdrawn"
    revoked = "revoked"
    expired = "expired"


class PermitAction(StrEnum):
    """What someone can do to a permit."""

    recheck = "recheck"
    approve = "approve"
    refuse = "refuse"
    pay = "pay"
    revoke = "revoke"
    withdraw = "withdraw"
    expire = "expire"


S, A = PermitState, PermitAction

RULES: dict[PermitAction, tuple[frozenset[PermitState], frozenset[str]]] = {
    A.recheck: (frozenset({S.checks_failed}), frozenset({"employer"})),
    A.approve: (frozenset({S.pending}), frozenset({"akimat"})),
    A.refuse: (frozenset({S.pending, S.checks_failed}), frozenset({"akimat"})),
    A.pay: (frozenset({S.fee_due}), frozenset({"employer", "akimat"})),
    A.revoke: (frozenset({S.issued}), frozenset({"akimat"})),
    A.withdraw: (frozenset({S.checks_failed, S.pending, S.fee_due}), frozenset({"employer"})),
    A.expire: (frozenset({S.issued}), frozenset({"akimat", "admin"})),
}
"""action -> (states it applies to, roles that may take it)."""

REASON_REQUIRED = frozenset({A.refuse, A.revoke})
MIN_REASON = 10
"""Characters: a refusal or revocation is appealable, so it needs a real reason."""

COUNTS_AGAINST_QUOTA = frozenset({S.pending, S.fee_due, S.issued, S.expired, S.revoked})
"""States that hold a place in the year's quota: reserved (pending, fee due) or used (issued since)."""
RESERVED = frozenset({S.pending, S.fee_due})
LIVE = frozenset({S.issued})
OPEN = frozenset({S.checks_failed, S.pending, S.fee_due})
"""Not yet decided: an employer may still act on these."""


class PermitTransitionError(Exception):
    """A refused change: ``status`` is 409 (wrong state), 403 (wrong role or employer) or 422 (bad input)."""

    def __init__(self, status: int, message: str, allowed: tuple[str, ...] = (), field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.allowed = allowed
        self.field = field


@dataclass(frozen=True, slots=True)
class Move:
    """The outcome of an allowed action: the next state."""

    action: PermitAction
    before: PermitState
    after: PermitState


def allowed_actions(state: PermitState, role: str) -> tuple[str, ...]:
    """Actions this role could take on a permit in ``state``."""
    return tuple(a.value for a, (states, roles) in RULES.items() if state in states and role in roles)


def check(
    state: PermitState,
    action: PermitAction,
    role: str,
    *,
    reason: str | None = None,
    fee_tenge: int = 0,
    checks_passed: bool = True,
) -> Move:
    """The next state of ``action`` on a permit in ``state``, or why it cannot be taken.

    ``checks_passed`` is the outcome of a re-check; ``fee_tenge`` decides whether approval
    waits for a payment.

    Raises:
        PermitTransitionError: the action is not open in this state (409), not for this role (403),
            or lacks a reason (422).
    """
    states, roles = RULES[action]
    if role not in roles:
        raise PermitTransitionError(403, f"a {role} may not {action.value} a permit", allowed_actions(state, role))
    if state not in states:
        raise PermitTransitionError(
            409, f"a permit that is {state.value} cannot be {action.value}", allowed_actions(state, role)
        )
    if action in REASON_REQUIRED and len((reason or "").strip()) < MIN_REASON:
        raise PermitTransitionError(
            422, f"a reason of at least {MIN_REASON} characters is required to {action.value}", (), "reason"
        )
    after = {
        A.recheck: S.pending if checks_passed else S.checks_failed,
        A.approve: S.fee_due if fee_tenge > 0 else S.issued,
        A.refuse: S.refused,
        A.pay: S.issued,
        A.revoke: S.revoked,
        A.withdraw: S.withdrawn,
        A.expire: S.expired,
    }[action]
    return Move(action, state, after)


def submitted(checks_passed: bool) -> PermitState:
    """The state a new application lands in."""
    return S.pending if checks_passed else S.checks_failed
