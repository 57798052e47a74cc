"""Case operations, each one database transaction: create, edit, submit (scores), read, decide, verify.

Every function takes the caller's :class:`~koshi.cases.states.Actor` and the time
``now`` (the API reads the clock, nothing here does), checks access, changes the
case, records a :class:`CaseEvent` and appends to the audit chain — or raises and
writes nothing, because the caller's transaction rolls back.

Access: an applicant reaches only their own cases (any other id is "not found",
so ids cannot be probed); officers and supervisors reach all; other roles none.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from koshi.cases.states import Action, CaseFacts, Command, Status, TransitionError, allowed_actions, check
from koshi.documents.iin import InvalidIin, validate_iin
from koshi.rules.engine import InvalidProfile, UnknownPack, get_pack, score_profile
from koshi.rules.provenance import PolicyNotInForce
from koshi.store import audit
from koshi.store.models import Case, CaseEvent

CASE_ROLES = frozenset({"applicant", "officer", "supervisor"})
STAFF = frozenset({"officer", "supervisor"})
PACKS_WITH_CASES = ("kz.permanent_residence", "kz.kandas_status")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a user id and role (from a verified token)."""

    id: int
    role: str


class CaseError(Exception):
    """A request the case service refuses: ``status`` is the HTTP status it maps to."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        allowed: Sequence[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.errors = errors if errors is not None else ([{"field": field, "message": message}] if field else None)
        self.allowed = tuple(allowed) if allowed is not None else None


def not_found(case_id: str) -> CaseError:
    return CaseError(404, f"no case {case_id}")


def state(case: Case) -> dict[str, Any]:
    """The case as JSON-able data: what the audit digests and the API shows."""
    return {
        "id": case.id,
        "pack": case.pack,
        "applicant_id": case.applicant_id,
        "status": case.status,
        "profile": case.profile,
        "applicant_iin": case.applicant_iin,
        "region": case.region,
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
        "submitted_at": _iso(case.submitted_at),
        "as_of": _iso(case.as_of),
        "version_date": _iso(case.version_date),
        "parameters_hash": case.parameters_hash,
        "total": case.total,
        "maximum": case.maximum,
        "pass_mark": case.pass_mark,
        "recommendation": case.recommendation,
        "assigned_to": case.assigned_to,
        "refusal_proposed_by": case.refusal_proposed_by,
        "outcome": case.outcome,
        "outcome_reason": case.outcome_reason,
        "version": case.version,
    }


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _check_role(actor: Actor) -> None:
    if actor.role not in CASE_ROLES:
        raise CaseError(403, f"role {actor.role} has no access to cases")


def _load(session: Session, actor: Actor, case_id: str, *, lock: bool = False) -> Case:
    _check_role(actor)
    try:
        uuid.UUID(case_id)
    except ValueError:
        raise not_found(case_id) from None
    query = select(Case).where(Case.id == case_id)
    if lock:
        query = query.with_for_update()
    case = session.execute(query).scalar_one_or_none()
    if case is None or (actor.role == "applicant" and case.applicant_id != actor.id):
        raise not_found(case_id)
    return case


def _event(
    session: Session,
    case: Case,
    actor: Actor,
    action: str,
    before: str | None,
    now: dt.datetime,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            actor_id=actor.id,
            actor_role=actor.role,
            action=action,
            from_status=before,
            to_status=case.status,
            reason=reason,
            data=data,
        )
    )


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    now: dt.datetime,
    case_id: str | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    detail: str | None = None,
) -> None:
    audit.append(
        session,
        at=now,
        actor_id=actor.id,
        actor_role=actor.role,
        action=action,
        case_id=case_id,
        before=before,
        after=after,
        detail=detail,
    )


def _valid_iin(iin: str | None) -> str | None:
    if iin is None or iin == "":
        return None
    try:
        return validate_iin(iin).value
    except InvalidIin as exc:
        raise CaseError(422, str(exc), field="applicant_iin") from None


def _valid_pack(pack_id: str) -> None:
    if pack_id not in PACKS_WITH_CASES:
        known = ", ".join(PACKS_WITH_CASES)
        raise CaseError(422, f"no application procedure for pack {pack_id!r} (known: {known})", field="pack")
    try:
        get_pack(pack_id)
    except UnknownPack:
        raise CaseError(422, f"unknown pack {pack_id!r}", field="pack") from None


def _region(profile: Mapping[str, Any]) -> str | None:
    value = profile.get("settlement_region")
    return str(value) if value is not None else None


def create(
    session: Session,
    actor: Actor,
    *,
    pack: str,
    profile: dict[str, Any],
    applicant_iin: str | None,
    now: dt.datetime,
) -> Case:
    """A new draft owned by the applicant; the profile may be incomplete until submission."""
    if actor.role != "applicant":
        raise CaseError(403, "only applicants create applications")
    _valid_pack(pack)
    case = Case(
        id=str(uuid.uuid4()),
        pack=pack,
        applicant_id=actor.id,
        status=Status.draft.value,
        profile=dict(profile),
        applicant_iin=_valid_iin(applicant_iin),
        region=_region(profile),
        created_at=now,
        updated_at=now,
        version=1,
    )
    session.add(case)
    session.flush()
    _event(session, case, actor, "create", None, now)
    _audit(session, actor, "case.create", now, case.id, None, state(case))
    return case


def update_draft(
    session: Session,
    actor: Actor,
    case_id: str,
    *,
    profile: dict[str, Any] | None,
    applicant_iin: str | None,
    now: dt.datetime,
) -> Case:
    """Replace the draft's profile (and IIN); only the owner, only while a draft."""
    case = _load(session, actor, case_id, lock=True)
    if actor.role != "applicant":
        raise CaseError(403, "only the applicant edits a draft")
    if case.status != Status.draft.value:
        raise CaseError(
            409, f"only a draft can be edited; this case is {case.status}", allowed=allowed_for(session, actor, case)
        )
    before = state(case)
    if profile is not None:
        case.profile = dict(profile)
        case.region = _region(profile)
    if applicant_iin is not None:
        case.applicant_iin = _valid_iin(applicant_iin)
    case.updated_at = now
    case.version += 1
    _event(session, case, actor, "edit", case.status, now)
    _audit(session, actor, "case.edit", now, case.id, before, state(case))
    return case


def submit(session: Session, actor: Actor, case_id: str, *, now: dt.datetime) -> Case:
    """Validate and score the profile with the policy in force on the submission date; store it all."""
    case = _load(session, actor, case_id, lock=True)
    before = state(case)
    _transition_check(session, case, Command(Action.submit, actor.id, actor.role))
    on = now.date()
    pack = get_pack(case.pack)
    try:
        explanation = score_profile(pack, case.profile, on)
    except InvalidProfile as exc:
        errors = [{"field": f"profile.{e.field}", "message": e.reason} for e in exc.errors]
        raise CaseError(422, f"the profile cannot be scored: {exc}", errors=errors) from None
    except PolicyNotInForce as exc:
        raise CaseError(422, str(exc), field="pack") from None
    case.status = Status.submitted.value
    case.submitted_at = now
    _event(session, case, actor, "submit", Status.draft.value, now)
    case.status = Status.scored.value
    case.as_of = on
    case.version_date = explanation.version_date
    case.parameters_hash = explanation.parameters_hash
    case.total = explanation.total
    case.maximum = explanation.maximum
    case.pass_mark = explanation.pass_mark
    case.recommendation = explanation.decision
    case.explanation = explanation.model_dump(mode="json")
    case.updated_at = now
    case.version += 1
    _event(
        session,
        case,
        actor,
        "score",
        Status.submitted.value,
        now,
        data={"total": case.total, "recommendation": case.recommendation, "parameters_hash": case.parameters_hash},
    )
    _audit(session, actor, "case.submit", now, case.id, before, state(case))
    return case


def read(session: Session, actor: Actor, case_id: str, *, now: dt.datetime, what: str = "case.read") -> Case:
    """One case, for its owner or staff; the read itself is audited."""
    case = _load(session, actor, case_id)
    digest_state = state(case)
    _audit(session, actor, what, now, case.id, digest_state, digest_state)
    return case


def events(session: Session, actor: Actor, case_id: str, *, now: dt.datetime) -> list[CaseEvent]:
    """The case's history, oldest first (an audited read)."""
    case = read(session, actor, case_id, now=now, what="case.history")
    query = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    return list(session.execute(query).scalars())


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """The officers' queue: filters, sort and page."""

    status: str | None = None
    pack: str | None = None
    region: str | None = None
    score_min: float | None = None
    score_max: float | None = None
    sort: str = "submitted_at"  # submitted_at | -submitted_at | total | -total | updated_at | -updated_at
    page: int = 1
    page_size: int = 50


SORTS = {"submitted_at": Case.submitted_at, "total": Case.total, "updated_at": Case.updated_at}


def _filtered(actor: Actor, f: QueueFilter) -> Select[Case]:
    query = select(Case)
    if actor.role == "applicant":
        query = query.where(Case.applicant_id == actor.id)
    if f.status is not None:
        query = query.where(Case.status == f.status)
    if f.pack is not None:
        query = query.where(Case.pack == f.pack)
    if f.region is not None:
        query = query.where(Case.region == f.region)
    if f.score_min is not None:
        query = query.where(Case.total >= f.score_min)
    if f.score_max is not None:
        query = query.where(Case.total <= f.score_max)
    return query


def listing(session: Session, actor: Actor, f: QueueFilter, *, now: dt.datetime) -> tuple[list[Case], int]:
    """A page of cases (applicants: their own) and the total count; audited as one read of the page."""
    _check_role(actor)
    key = f.sort.removeprefix("-")
    if key not in SORTS:
        raise CaseError(422, f"cannot sort by {f.sort!r} (use {', '.join(SORTS)}, '-' for descending)", field="sort")
    column = SORTS[key]
    order = column.desc() if f.sort.startswith("-") else column.asc()
    query = _filtered(actor, f)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = list(
        session.execute(
            query.order_by(order.nulls_last(), Case.id).offset((f.page - 1) * f.page_size).limit(f.page_size)
        ).scalars()
    )
    ids = {"cases": [c.id for c in page]}
    _audit(session, actor, "case.list", now, None, None, ids, detail=f"{len(page)} of {total}")
    return page, total


def _facts(session: Session, case: Case) -> CaseFacts:
    deciders: frozenset[int] = frozenset()
    if case.status == Status.appealed.value:  # only deciding an appeal asks who refused
        rows = session.execute(
            select(CaseEvent.actor_id, CaseEvent.action, CaseEvent.data).where(
                CaseEvent.case_id == case.id,
                CaseEvent.action.in_(
                    (Action.propose_refusal.value, Action.confirm_refusal.value, Action.override.value)
                ),
            )
        ).all()
        # an override to "refused" is a refusal too; an override to "approved" is not
        deciders = frozenset(
            actor
            for actor, action, data in rows
            if action != Action.override.value or (data or {}).get("outcome") == "refused"
        )
    return CaseFacts(
        status=Status(case.status),
        applicant_id=case.applicant_id,
        recommendation=case.recommendation,
        refusal_proposed_by=case.refusal_proposed_by,
        refusal_deciders=deciders,
    )


def _transition_check(session: Session, case: Case, command: Command) -> Status:
    try:
        return check(_facts(session, case), command)
    except TransitionError as exc:
        raise CaseError(exc.status, exc.message, field=exc.field, allowed=exc.allowed) from None


def transition(
    session: Session,
    actor: Actor,
    case_id: str,
    *,
    action: Action,
    reason: str | None,
    outcome: str | None,
    now: dt.datetime,
) -> Case:
    """Take a workflow action (everything but submit), after the guards of :mod:`koshi.cases.states`."""
    if action is Action.submit:
        return submit(session, actor, case_id, now=now)
    case = _load(session, actor, case_id, lock=True)
    before = state(case)
    target = _transition_check(session, case, Command(action, actor.id, actor.role, reason, outcome))
    previous = case.status
    case.status = target.value
    clean = reason.strip() if reason else None
    if action is Action.take:
        case.assigned_to = actor.id
    elif action is Action.propose_refusal:
        case.refusal_proposed_by = actor.id
    elif action is Action.return_to_review:
        case.refusal_proposed_by = None
    elif action in (Action.approve, Action.confirm_refusal, Action.override):
        case.outcome = target.value
        case.outcome_reason = clean
    elif action is Action.decide_appeal:
        case.outcome = "approved" if outcome == "overturned" else "refused"
        case.outcome_reason = clean
    case.updated_at = now
    case.version += 1
    data = {"outcome": outcome} if outcome else None
    _event(session, case, actor, action.value, previous, now, reason=clean, data=data)
    _audit(session, actor, f"case.{action.value}", now, case.id, before, state(case))
    return case


def allowed_for(session: Session, actor: Actor, case: Case) -> tuple[str, ...]:
    """What ``actor`` may do next with ``case`` (shown with the case)."""
    return allowed_actions(_facts(session, case), actor.id, actor.role)


@dataclass(frozen=True, slots=True)
class Reproduction:
    """The outcome of re-scoring one stored case."""

    case_id: str
    ok: bool
    detail: str


def verify(session: Session, *, batch: int = 500) -> Iterator[Reproduction]:
    """Re-score every scored case from its stored inputs and date; compare with what was stored.

    The ``engine`` block (library versions) is reported but not compared: an
    upgrade that changes no result is not a failure.
    """
    query = (
        select(Case)
        .where(Case.explanation.is_not(None))
        .order_by(Case.submitted_at, Case.id)
        .execution_options(yield_per=batch)
    )
    for case in session.execute(query).scalars():
        yield _reproduce(case)


def _reproduce(case: Case) -> Reproduction:
    stored = dict(case.explanation or {})
    if case.as_of is None:
        return Reproduction(case.id, False, "cannot re-score: the evaluation date (as_of) is missing")
    try:
        again = score_profile(get_pack(case.pack), case.profile, case.as_of)
    except (InvalidProfile, PolicyNotInForce, UnknownPack) as exc:
        return Reproduction(case.id, False, f"cannot re-score: {exc}")
    fresh = again.model_dump(mode="json")
    stored.pop("engine", None)
    fresh.pop("engine", None)
    changed = sorted(k for k in set(stored) | set(fresh) if stored.get(k) != fresh.get(k))
    # the columns the queue filters and shows must agree with the result too
    columns = {
        "total": (case.total, again.total),
        "maximum": (case.maximum, again.maximum),
        "pass_mark": (case.pass_mark, again.pass_mark),
        "recommendation": (case.recommendation, again.decision),
        "parameters_hash": (case.parameters_hash, again.parameters_hash),
        "version_date": (case.version_date, again.version_date),
    }
    changed += [f"column {name}" for name, (kept, now) in columns.items() if kept != now]
    if changed:
        return Reproduction(case.id, False, "differs in: " + ", ".join(changed))
    return Reproduction(case.id, True, f"total {case.total:g}, {case.recommendation}, {case.parameters_hash}")
