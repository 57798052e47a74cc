"""An agency's status as data: states, actions, who may take them, and which need a written reason.

Pure, like :mod:`koshi.labour.workflow`: the store asks :func:`check` before every change and
gets the next status or an :class:`AgencyTransitionError` naming the actions that *are* allowed.

An agency notifies the inspectorate of its activity (``notified``); an inspector checks the
notification and ``activate``s it. An active agency may be ``suspend``ed (and ``reinstate``d)
or have its right to place people ``revoke``d; one that closes or lets its registration lapse
is ``expire``d. Suspending, reinstating and revoking are sanctions or their end, so each needs
a written reason an agency can contest.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AgencyStatus(StrEnum):
    """Where an agency is in the registry."""

    notified = "notified"
    active = "active"
    suspended = "suspended"
    revoked = "revoked"
    expired = "expired"


class AgencyAction(StrEnum):
    """What an inspector can do to an agency's status."""

    activate = "activate"
    suspend = "suspend"
    reinstate = "reinstate"
    revoke = "revoke"
    expire = "expire"


class Activity(StrEnum):
    """Where an agency places job seekers."""

    domestic = "domestic"
    abroad = "abroad"
    both = "both"

    @property
    def places_abroad(self) -> bool:
        """Places people abroad (the activity a licence is planned for)."""
        return self is not Activity.domestic


S, A = AgencyStatus, AgencyAction

INSPECTORS = frozenset({"inspector"})

RULES: dict[AgencyAction, tuple[frozenset[AgencyStatus], AgencyStatus, frozenset[str]]] = {
    A.activate: (frozenset({S.notified}), S.active, INSPECTORS),
    A.suspend: (frozenset({S.active}), S.suspended, INSPECTORS),
    A.reinstate: (frozenset({S.suspended}), S.active, INSPECTORS),
    A.revoke: (frozenset({S.notified, S.active, S.suspended}), S.revoked, INSPECTORS),
    A.expire: (frozenset({S.active, S.suspended}), S.expired, INSPECTORS),
}
"""action -> (statuses it applies to, the status it leads to, roles that may take it)."""

REASON_REQUIRED = frozenset({A.suspend, A.reinstate, A.revoke})
MIN_REASON = 10
"""Characters: a suspension or revocation can be contested, so it needs a real reason."""

OPERATING = frozenset({S.notified, S.active, S.suspended})
"""Statuses still in the registry's working set: ranked for inspection, owing reports."""
FINAL = frozenset({S.revoked, S.expired})


class AgencyTransitionError(Exception):
    """A refused change: ``status`` is 409 (wrong status), 403 (wrong role) or 422 (no reason)."""

    def __init__(self, status: int, message: str, allowed: tuple[str, ...] = (), field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.allowed = allowed
        self.field = field


@dataclass(frozen=True, slots=True)
class Move:
    """The outcome of an allowed action: the next status."""

    action: AgencyAction
    before: AgencyStatus
    after: AgencyStatus


def allowed_actions(status: AgencyStatus, role: str) -> tuple[str, ...]:
    """Actions this role could take on an agency in ``status``.

    Examples:
        >>> allowed_actions(AgencyStatus.active, "inspector")
        ('suspend', 'revoke', 'expire')
        >>> allowed_actions(AgencyStatus.active, "agency")
        ()
    """
    return tuple(a.value for a, (states, _, roles) in RULES.items() if status in states and role in roles)


def check(status: AgencyStatus, action: AgencyAction, role: str, *, reason: str | None = None) -> Move:
    """The next status of ``action`` on an agency in ``status``, or why it cannot be taken.

    Raises:
        AgencyTransitionError: not for this role (403), not open in this status (409), or no reason (422).

    Examples:
        >>> check(AgencyStatus.notified, AgencyAction.activate, "inspector").after
        <AgencyStatus.active: 'active'>
        >>> check(AgencyStatus.revoked, AgencyAction.activate, "inspector")
        Traceback (most recent call last):
        ...
        koshi.agencies.lifecycle.AgencyTransitionError: an agency that is revoked cannot be activated
    """
    states, after, roles = RULES[action]
    if role not in roles:
        raise AgencyTransitionError(403, f"a {role} may not {action.value} an agency", allowed_actions(status, role))
    if status not in states:
        raise AgencyTransitionError(
            409, f"an agency that is {status.value} cannot be {_past(action)}", allowed_actions(status, role)
        )
    if action in REASON_REQUIRED and len((reason or "").strip()) < MIN_REASON:
        raise AgencyTransitionError(
            422, f"a reason of at least {MIN_REASON} characters is required to {action.value}", (), "reason"
        )
    return Move(action, status, after)


def _past(action: AgencyAction) -> str:
    return {
        A.activate: "activated",
        A.suspend: "suspended",
        A.reinstate: "reinstated",
        A.revoke: "revoked",
        A.expire: "expired",
    }[action]
