"""Case endpoints: applicants apply and follow their own cases; officers work the queue and decide.

Handlers are thin: parse, open one transaction, call :mod:`koshi.store.cases`,
shape the answer.  A :class:`~koshi.store.cases.CaseError` leaves the transaction
(rolled back) and becomes problem+json in one handler, :func:`install`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from koshi.api.auth import Principal, current_principal
from koshi.api.problems import Problem, problem_response
from koshi.cases.states import Action, Status
from koshi.store import cases, idempotency
from koshi.store.db import transaction
from koshi.store.models import Case, CaseEvent

router = APIRouter(prefix="/cases", tags=["cases"])

IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=idempotency.MAX_KEY,
        description="Any unique string per intended submission; a retry with the same key replays the first answer.",
    ),
]


class CaseCreate(BaseModel):
    """A new application (a draft unless ``submit`` is true)."""

    model_config = ConfigDict(extra="forbid")

    pack: str = Field(description="kz.permanent_residence or kz.kandas_status", examples=["kz.permanent_residence"])
    profile: dict[str, Any] = Field(default_factory=dict, description="Inputs of the pack (see koshi policy schema)")
    applicant_iin: str | None = Field(default=None, description="12-digit IIN, if the applicant has one")
    submit: bool = Field(default=False, description="Submit (and score) at once")


class CaseUpdate(BaseModel):
    """Changes to a draft: the whole profile and/or the IIN."""

    model_config = ConfigDict(extra="forbid")

    profile: dict[str, Any] | None = None
    applicant_iin: str | None = None


class TransitionIn(BaseModel):
    """A workflow action with its written reason (and outcome for overrides and appeals)."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    reason: str | None = Field(default=None, max_length=5000)
    outcome: Literal["approved", "refused", "upheld", "overturned"] | None = None


class CaseOut(BaseModel):
    """A case as its owner or an officer sees it."""

    id: str
    pack: str
    status: Status
    applicant_id: int
    profile: dict[str, Any]
    applicant_iin: str | None
    region: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    as_of: dt.date | None
    version_date: dt.date | None
    parameters_hash: str | None
    total: float | None
    maximum: float | None
    pass_mark: float | None
    recommendation: str | None
    assigned_to: int | None
    outcome: str | None
    outcome_reason: str | None
    version: int
    allowed_actions: list[str]


class CasePage(BaseModel):
    """One page of a listing."""

    items: list[CaseOut]
    total: int
    page: int
    page_size: int


class EventOut(BaseModel):
    """One step of a case's history."""

    at: dt.datetime
    actor_id: int
    actor_role: str
    action: str
    from_status: str | None
    to_status: str
    reason: str | None
    data: dict[str, Any] | None


def _sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor(p: Principal) -> cases.Actor:
    return cases.Actor(p.id, p.role)


def _out(session: Session, actor: cases.Actor, case: Case) -> CaseOut:
    data = cases.state(case)
    data["allowed_actions"] = list(cases.allowed_for(session, actor, case))
    return CaseOut.model_validate(data)


def install(app: FastAPI) -> None:
    """Render the case service's refusals as problem+json (409s list the allowed actions)."""

    @app.exception_handler(cases.CaseError)
    async def _case_error(request: Request, exc: cases.CaseError) -> JSONResponse:
        extra: dict[str, Any] = {}
        if exc.allowed is not None:
            extra["allowed"] = list(exc.allowed)
        problem = Problem(exc.status, exc.message, errors=exc.errors, **extra)
        return problem_response(problem, request.url.path)


Me = Annotated[Principal, Depends(current_principal)]


def _idempotent(
    request: Request,
    principal: Principal,
    key: str | None,
    body: Any,
    status_code: int,
    work: Any,
) -> JSONResponse:
    """Run ``work(session, now) -> CaseOut`` once per idempotency key, in one transaction."""
    now = _now()
    actor = _actor(principal)
    digest = idempotency.request_digest(request.method, request.url.path, body)
    with transaction(_sessions(request)) as session:
        if key:
            idempotency.lock(session)
            try:
                hit = idempotency.replay(session, actor.id, key, digest)
            except idempotency.KeyReused as exc:
                errors = [{"field": "Idempotency-Key", "message": str(exc)}]
                raise Problem(422, str(exc), errors=errors) from None
            if hit is not None:
                return JSONResponse(hit.body, hit.status_code, headers={"Idempotent-Replayed": "true"})
        out: CaseOut = work(session, actor, now)
        payload = out.model_dump(mode="json")
        if key:
            idempotency.remember(session, actor.id, key, digest, status_code, payload, out.id, now)
    return JSONResponse(payload, status_code)


@router.post("", status_code=201, response_model=CaseOut, summary="Create an application (applicant)")
def create_case(request: Request, body: CaseCreate, principal: Me, idempotency_key: IdempotencyHeader = None) -> Any:
    def work(session: Session, actor: cases.Actor, now: dt.datetime) -> CaseOut:
        case = cases.create(
            session, actor, pack=body.pack, profile=body.profile, applicant_iin=body.applicant_iin, now=now
        )
        if body.submit:
            case = cases.submit(session, actor, case.id, now=now)
        return _out(session, actor, case)

    return _idempotent(request, principal, idempotency_key, body.model_dump(mode="json"), 201, work)


@router.post("/{case_id}/submit", response_model=CaseOut, summary="Submit a draft: it is scored at once")
def submit_case(request: Request, case_id: str, principal: Me, idempotency_key: IdempotencyHeader = None) -> Any:
    def work(session: Session, actor: cases.Actor, now: dt.datetime) -> CaseOut:
        return _out(session, actor, cases.submit(session, actor, case_id, now=now))

    return _idempotent(request, principal, idempotency_key, None, 200, work)


@router.get("", response_model=CasePage, summary="Applicants: own cases. Officers: the queue")
def list_cases(
    request: Request,
    principal: Me,
    status: Annotated[Status | None, Query()] = None,
    pack: Annotated[str | None, Query(max_length=64)] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{9}$", description="KATO code")] = None,
    score_min: Annotated[float | None, Query(ge=0)] = None,
    score_max: Annotated[float | None, Query(ge=0)] = None,
    sort: Annotated[str, Query(description="submitted_at, total or updated_at; '-' for descending")] = "submitted_at",
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CasePage:
    f = cases.QueueFilter(
        status=status.value if status else None,
        pack=pack,
        region=region,
        score_min=score_min,
        score_max=score_max,
        sort=sort,
        page=page,
        page_size=page_size,
    )
    actor = _actor(principal)
    with transaction(_sessions(request)) as session:
        items, total = cases.listing(session, actor, f, now=_now())
        out = [_out(session, actor, c) for c in items]
    return CasePage(items=out, total=total, page=page, page_size=page_size)


@router.get("/{case_id}", response_model=CaseOut, summary="One case")
def get_case(request: Request, case_id: str, principal: Me) -> CaseOut:
    actor = _actor(principal)
    with transaction(_sessions(request)) as session:
        return _out(session, actor, cases.read(session, actor, case_id, now=_now()))


@router.patch("/{case_id}", response_model=CaseOut, summary="Edit a draft (applicant)")
def edit_case(request: Request, case_id: str, body: CaseUpdate, principal: Me) -> CaseOut:
    actor = _actor(principal)
    with transaction(_sessions(request)) as session:
        case = cases.update_draft(
            session, actor, case_id, profile=body.profile, applicant_iin=body.applicant_iin, now=_now()
        )
        return _out(session, actor, case)


@router.get("/{case_id}/explanation", summary="The stored explanation of the score (schema v1)")
def get_explanation(request: Request, case_id: str, principal: Me) -> dict[str, Any]:
    actor = _actor(principal)
    with transaction(_sessions(request)) as session:
        case = cases.read(session, actor, case_id, now=_now(), what="case.explanation")
        if case.explanation is None:
            raise Problem(404, "this case has not been scored yet (submit it first)")
        return dict(case.explanation)


@router.get("/{case_id}/history", response_model=list[EventOut], summary="Who did what to the case, and why")
def get_history(request: Request, case_id: str, principal: Me) -> list[EventOut]:
    actor = _actor(principal)
    with transaction(_sessions(request)) as session:
        rows: list[CaseEvent] = cases.events(session, actor, case_id, now=_now())
        return [EventOut.model_validate(e, from_attributes=True) for e in rows]


@router.post("/{case_id}/transitions", response_model=CaseOut, summary="Take a workflow action")
def transition(request: Request, case_id: str, body: TransitionIn, principal: Me) -> CaseOut:
    actor = _actor(principal)
    with transaction(_sessions(request)) as session:
        case = cases.transition(
            session, actor, case_id, action=body.action, reason=body.reason, outcome=body.outcome, now=_now()
        )
        return _out(session, actor, case)
