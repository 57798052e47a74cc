"""The permit workflow as data: every allowed move, every refusal with the actions that are open."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koshi.accounts.roles import ROLES
from koshi.labour.workflow import (
    COUNTS_AGAINST_QUOTA,
    OPEN,
    RESERVED,
    RULES,
    PermitAction,
    PermitState,
    PermitTransitionError,
    allowed_actions,
    check,
    submitted,
)

S = PermitState
A = PermitAction
REASON = "the worker's documents are forged"


def test_an_application_lands_pending_or_checks_failed() -> None:
    assert submitted(True) is S.pending
    assert submitted(False) is S.checks_failed


@pytest.mark.parametrize(
    ("state", "action", "role", "kwargs", "after"),
    [
        (S.checks_failed, A.recheck, "employer", {"checks_passed": True}, S.pending),
        (S.checks_failed, A.recheck, "employer", {"checks_passed": False}, S.checks_failed),
        (S.pending, A.approve, "akimat", {"fee_tenge": 1000}, S.fee_due),
        (S.pending, A.approve, "akimat", {"fee_tenge": 0}, S.issued),
        (S.pending, A.refuse, "akimat", {"reason": REASON}, S.refused),
        (S.checks_failed, A.refuse, "akimat", {"reason": REASON}, S.refused),
        (S.fee_due, A.pay, "employer", {}, S.issued),
        (S.fee_due, A.pay, "akimat", {}, S.issued),
        (S.issued, A.revoke, "akimat", {"reason": REASON}, S.revoked),
        (S.pending, A.withdraw, "employer", {}, S.withdrawn),
        (S.fee_due, A.withdraw, "employer", {}, S.withdrawn),
        (S.issued, A.expire, "admin", {}, S.expired),
        (S.issued, A.expire, "akimat", {}, S.expired),
    ],
)
def test_allowed_moves(state: S, action: A, role: str, kwargs: dict[str, object], after: S) -> None:
    move = check(state, action, role, **kwargs)  # type: ignore[arg-type]
    assert (move.before, move.action, move.after) == (state, action, after)


def test_a_wrong_state_is_409_with_the_open_actions() -> None:
    with pytest.raises(PermitTransitionError) as info:
        check(S.issued, A.approve, "akimat")
    assert info.value.status == 409
    assert info.value.allowed == ("revoke", "expire")


def test_a_wrong_role_is_403() -> None:
    with pytest.raises(PermitTransitionError) as info:
        check(S.pending, A.approve, "employer")
    assert info.value.status == 403
    assert info.value.allowed == ("withdraw",)


@pytest.mark.parametrize("action", [A.refuse, A.revoke])
@pytest.mark.parametrize("reason", [None, "", "   short  ", "123456789"])
def test_refusal_and_revocation_need_a_reason_of_10_characters(action: A, reason: str | None) -> None:
    state = S.pending if action is A.refuse else S.issued
    with pytest.raises(PermitTransitionError) as info:
        check(state, action, "akimat", reason=reason)
    assert (info.value.status, info.value.field) == (422, "reason")
    assert check(state, action, "akimat", reason="1234567890").after in (S.refused, S.revoked)


def test_decided_permits_are_final() -> None:
    for state in (S.refused, S.withdrawn, S.revoked, S.expired):
        for role in ROLES:
            assert allowed_actions(state, role) == ()


def test_state_sets() -> None:
    assert RESERVED < COUNTS_AGAINST_QUOTA
    assert S.checks_failed not in COUNTS_AGAINST_QUOTA and S.refused not in COUNTS_AGAINST_QUOTA
    assert {S.checks_failed, S.pending, S.fee_due} == OPEN


@given(st.sampled_from(list(S)), st.sampled_from(list(A)), st.sampled_from(ROLES))
def test_check_agrees_with_allowed_actions(state: S, action: A, role: str) -> None:
    _, roles = RULES[action]
    allowed = action.value in allowed_actions(state, role)
    try:
        check(state, action, role, reason="a long enough reason", fee_tenge=1)
    except PermitTransitionError as exc:
        assert not allowed
        assert exc.status == (403 if role not in roles else 409)
    else:
        assert allowed
