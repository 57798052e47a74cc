"""Private employment agency endpoints: notification, the registry, reports, complaints, inspections, sanctions.

The service is :mod:`koshi.store.agencies` (who sees what, the audit chain); these handlers
parse, open one transaction, call it and shape the answer. A refusal
(:class:`~koshi.store.agencies.AgencyError`) rolls the transaction back and is returned as
problem+json naming the field at fault (and, for a status change, the actions that are open).
Founders' IINs only ever leave masked. POSTs that create accept an ``Idempotency-Key``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from koshi.api.auth import Principal, current_principal
from koshi.api.problems import Problem
from koshi.store import agencies, idempotency
from koshi.store.cases import Actor
from koshi.store.db import transaction

router = APIRouter(prefix="/agencies", tags=["agencies"])
Me = Annotated[Principal, Depends(current_principal)]
IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=idempotency.MAX_KEY,
        description="Any unique string per intended request; a retry with the same key replays the first answer.",
    ),
]

ActivityIn = Literal["domestic", "abroad", "both"]
StatusName = Literal["notified", "active", "suspended", "revoked", "expired"]
ActionIn = Literal["activate", "suspend", "reinstate", "revoke", "expire"]
KindIn = Literal["fee_charged", "no_contract", "false_vacancy", "documents_withheld", "abroad_conditions", "other"]


def _sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor(p: Principal) -> Actor:
    return Actor(p.id, p.role)


@contextmanager
def _refusals() -> Iterator[None]:
    """An :class:`AgencyError` as problem+json: the field at fault, and the open actions on a status refusal."""
    try:
        yield
    except agencies.AgencyError as exc:
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
        extra: dict[str, Any] = {"allowed": list(exc.allowed)} if exc.allowed is not None else {}
        raise Problem(exc.status, exc.message, errors=errors, **extra) from None


def _created(
    request: Request,
    principal: Principal,
    key: str | None,
    body: Any,
    work: Callable[[Session, Actor, dt.datetime], Any],
) -> JSONResponse:
    """Run ``work`` once per idempotency key, in one transaction, and answer 201 with its view."""
    now = _now()
    actor = _actor(principal)
    digest = idempotency.request_digest(request.method, request.url.path, body)
    with _refusals(), transaction(_sessions(request)) as session:
        if key:
            idempotency.lock(session)
            try:
                hit = idempotency.replay(session, actor.id, key, digest)
            except idempotency.KeyReused as exc:
                raise Problem(422, str(exc), errors=[{"field": "Idempotency-Key", "message": str(exc)}]) from None
            if hit is not None:
                return JSONResponse(hit.body, hit.status_code, headers={"Idempotent-Replayed": "true"})
        view = work(session, actor, now)
        payload = _json(view)
        if key:
            agency_id = getattr(view, "agency_id", None) or getattr(view, "id", None)
            case_id = agency_id if isinstance(agency_id, str) and len(agency_id) == 36 else None
            idempotency.remember(session, actor.id, key, digest, 201, payload, case_id, now)
    return JSONResponse(payload, 201)


def _json(view: Any) -> dict[str, Any]:
    from fastapi.encoders import jsonable_encoder

    out: dict[str, Any] = jsonable_encoder(asdict(view))
    return out


# --- bodies ------------------------------------------------------------------------------------------


class FounderIn(BaseModel):
    """A founder: a person (IIN) or a company (BIN); the number is stored, and only ever shown masked."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=300)
    iin: str | None = Field(default=None, description="12-digit IIN (or BIN of a corporate founder)")
    share: float | None = Field(default=None, gt=0, le=100, description="Share in per cent")


class AddressIn(BaseModel):
    """A legal or office address with its region (KATO code)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["legal", "office"]
    address: str = Field(min_length=5, max_length=500)
    region_kato: str = Field(pattern=r"^\d{9}$", examples=["710000000"])


class NotifyIn(BaseModel):
    """An agency's notification: who it is, where, what it does, and who owns it."""

    model_config = ConfigDict(extra="forbid")

    bin: str = Field(description="12-digit BIN, check digit valid", examples=["971240001315"])
    name: str = Field(min_length=2, max_length=300)
    activity: ActivityIn
    region_kato: str = Field(pattern=r"^\d{9}$", examples=["710000000"])
    founders: list[FounderIn] = Field(min_length=1, max_length=50)
    addresses: list[AddressIn] = Field(min_length=1, max_length=20)


class ReasonIn(BaseModel):
    """A written reason (at least 10 characters to suspend, reinstate or revoke)."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=2000)


class ReportIn(BaseModel):
    """A quarterly placement report; ``filed_on`` (inspectors only, for a paper report) defaults to today."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)
    placed_domestic: int = Field(ge=0)
    placed_abroad: int = Field(ge=0)
    job_seekers_served: int = Field(ge=0)
    seeker_fees_tenge: int = Field(ge=0, description="Fees taken from job seekers; anything above 0 is flagged")
    filed_on: dt.date | None = None


class ComplaintIn(BaseModel):
    """A job seeker's complaint; a job seeker's own is received today (``received_on`` is for inspectors)."""

    model_config = ConfigDict(extra="forbid")

    received_on: dt.date | None = None
    kind: KindIn
    paid_amount_tenge: int | None = Field(default=None, ge=0, description="What the job seeker paid the agency")
    summary: str = Field(min_length=10, max_length=2000)


class ResolutionIn(BaseModel):
    """An inspector's finding on a complaint (``open`` reopens it)."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "substantiated", "unfounded"]


class InspectionIn(BaseModel):
    """Plan an inspection (``planned_on``) or record one done (``done_on`` and ``outcome``; ``inspection_id``
    completes a planned one)."""

    model_config = ConfigDict(extra="forbid")

    reason: Literal["risk", "complaint", "scheduled"] = "scheduled"
    planned_on: dt.date | None = None
    done_on: dt.date | None = None
    outcome: Literal["compliant", "violations", "not_found"] | None = None
    findings: str | None = Field(default=None, max_length=2000)
    inspection_id: int | None = None


class ViolationIn(BaseModel):
    """A violation found, optionally at one of the agency's inspections."""

    model_config = ConfigDict(extra="forbid")

    code: Literal[tuple(agencies.VIOLATION_CODES)]  # type: ignore[valid-type]
    found_on: dt.date
    description: str = Field(min_length=10, max_length=2000)
    inspection_id: int | None = None


class RemedyIn(BaseModel):
    """The day a violation was put right."""

    model_config = ConfigDict(extra="forbid")

    remedied_on: dt.date


class SanctionIn(BaseModel):
    """A sanction: a fine needs ``amount_mrp``, a suspension ``until``."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["warning", "fine", "suspension", "revocation"]
    amount_mrp: int | None = Field(default=None, gt=0)
    until: dt.date | None = None


class AgencyPage(BaseModel):
    """A page of the registry."""

    items: list[agencies.AgencySummary]
    total: int
    limit: int
    offset: int


class Ranking(BaseModel):
    """Agencies to inspect first on ``on``, highest risk first, each with its reasons."""

    on: dt.date
    items: list[agencies.AgencySummary]


# --- routes (fixed paths before /{agency_id}) --------------------------------------------------------


@router.post("", status_code=201, response_model=agencies.AgencyView, summary="Notify an agency (agency, inspector)")
def post_agency(request: Request, body: NotifyIn, principal: Me, idempotency_key: IdempotencyHeader = None) -> Any:
    """Enter an agency in the registry as ``notified``; an agency account is bound to the agency it notifies."""

    def work(session: Session, actor: Actor, now: dt.datetime) -> agencies.AgencyView:
        data = body.model_dump()
        return agencies.notify(session, actor, **data, now=now)

    return _created(request, principal, idempotency_key, body.model_dump(mode="json"), work)


@router.get("", summary="The registry (inspector, supervisor, analyst)")
def get_agencies(
    request: Request,
    principal: Me,
    status: StatusName | None = None,
    activity: ActivityIn | None = None,
    region_kato: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
    order: Literal["risk", "name"] = "risk",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AgencyPage:
    """Agencies with their risk score and top reason, highest risk first (or by name)."""
    with _refusals(), transaction(_sessions(request)) as session:
        items, total = agencies.agencies(
            session,
            _actor(principal),
            status=status,
            activity=activity,
            region_kato=region_kato,
            order=order,
            limit=limit,
            offset=offset,
            now=_now(),
        )
    return AgencyPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/me", summary="The caller's own agency (agency)")
def get_mine(request: Request, principal: Me) -> agencies.AgencyView:
    with _refusals(), transaction(_sessions(request)) as session:
        view = agencies.my_agency(session, _actor(principal), _now())
    if view is None:
        raise Problem(404, "this account has not notified an agency yet: POST /agencies")
    return view


@router.get("/ranking", summary="Agencies to inspect first, by risk (inspector, supervisor, analyst)")
def get_ranking(
    request: Request,
    principal: Me,
    on: dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> Ranking:
    """The risk on ``on`` (default today) of every agency still operating, reasons listed with their points."""
    now = _now()
    day = on or agencies.today(now)
    with _refusals(), transaction(_sessions(request)) as session:
        items = agencies.inspection_ranking(session, _actor(principal), day, limit, now)
    return Ranking(on=day, items=items)


@router.get("/directory", summary="Find an agency by BIN or name (anyone signed in)")
def get_directory(
    request: Request,
    principal: Me,
    q: Annotated[str | None, Query(max_length=100)] = None,
    status: StatusName | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> list[agencies.AgencyBrief]:
    """The registry's public part (name, BIN, activity, status, region), to find the agency to complain of."""
    with _refusals(), transaction(_sessions(request)) as session:
        return agencies.find(session, _actor(principal), q=q, status=status, limit=limit)


@router.get("/complaints/mine", summary="The complaints the caller filed (job seeker)")
def get_my_complaints(request: Request, principal: Me) -> list[agencies.ComplaintView]:
    with _refusals(), transaction(_sessions(request)) as session:
        return agencies.my_complaints(session, _actor(principal), _now())


@router.get("/complaints/{complaint_id}", summary="One complaint (its filer, the agency, inspectors)")
def get_complaint(request: Request, complaint_id: int, principal: Me) -> agencies.ComplaintView:
    with _refusals(), transaction(_sessions(request)) as session:
        return agencies.complaint(session, _actor(principal), complaint_id, _now())


@router.post("/complaints/{complaint_id}/resolution", summary="Find a complaint substantiated or unfounded (inspector)")
def post_resolution(request: Request, complaint_id: int, body: ResolutionIn, principal: Me) -> agencies.ComplaintView:
    with _refusals(), transaction(_sessions(request)) as session:
        return agencies.resolve_complaint(session, _actor(principal), complaint_id, status=body.status, now=_now())


@router.post("/violations/{violation_id}/remedy", summary="Mark a violation remedied (inspector)")
def post_remedy(request: Request, violation_id: int, body: RemedyIn, principal: Me) -> agencies.ViolationView:
    with _refusals(), transaction(_sessions(request)) as session:
        return agencies.remedy_violation(
            session, _actor(principal), violation_id, remedied_on=body.remedied_on, now=_now()
        )


@router.post(
    "/violations/{violation_id}/sanctions",
    status_code=201,
    response_model=agencies.SanctionView,
    summary="Impose a sanction for a violation (inspector)",
)
def post_sanction(
    request: Request, violation_id: int, body: SanctionIn, principal: Me, idempotency_key: IdempotencyHeader = None
) -> Any:
    """A suspension or revocation also changes the agency's status (409 with the open actions if it cannot)."""

    def work(session: Session, actor: Actor, now: dt.datetime) -> agencies.SanctionView:
        return agencies.impose_sanction(
            session, actor, violation_id, kind=body.kind, amount_mrp=body.amount_mrp, until=body.until, now=now
        )

    return _created(request, principal, idempotency_key, body.model_dump(mode="json"), work)


@router.get("/{agency_id}", summary="One agency with its records and risk (inspector, supervisor, its own account)")
def get_agency(request: Request, agency_id: str, principal: Me) -> agencies.AgencyView:
    with _refusals(), transaction(_sessions(request)) as session:
        return agencies.agency(session, _actor(principal), agency_id, _now())


@router.post("/{agency_id}/status/{action}", summary="Activate, suspend, reinstate, revoke or expire (inspector)")
def post_status(
    request: Request, agency_id: str, action: ActionIn, principal: Me, body: ReasonIn | None = None
) -> agencies.AgencyView:
    """A refused change is 409 with ``allowed``: the actions open in the agency's status."""
    reason = body.reason if body else None
    with _refusals(), transaction(_sessions(request)) as session:
        return agencies.change_status(session, _actor(principal), agency_id, action, reason=reason, now=_now())


@router.post(
    "/{agency_id}/reports",
    status_code=201,
    response_model=agencies.ReportView,
    summary="File a quarterly placement report (agency for its own, inspector)",
)
def post_report(
    request: Request, agency_id: str, body: ReportIn, principal: Me, idempotency_key: IdempotencyHeader = None
) -> Any:
    def work(session: Session, actor: Actor, now: dt.datetime) -> agencies.ReportView:
        return agencies.file_report(session, actor, agency_id, **body.model_dump(), now=now)

    return _created(request, principal, idempotency_key, body.model_dump(mode="json"), work)


@router.post(
    "/{agency_id}/complaints",
    status_code=201,
    response_model=agencies.ComplaintView,
    summary="Complain about an agency (job seeker) or record a complaint received (inspector)",
)
def post_complaint(
    request: Request, agency_id: str, body: ComplaintIn, principal: Me, idempotency_key: IdempotencyHeader = None
) -> Any:
    """A fee paid for placement is flagged (agencies may not charge job seekers)."""

    def work(session: Session, actor: Actor, now: dt.datetime) -> agencies.ComplaintView:
        return agencies.add_complaint(
            session,
            actor,
            agency_id,
            received_on=body.received_on or agencies.today(now),
            kind=body.kind,
            paid_amount_tenge=body.paid_amount_tenge,
            summary=body.summary,
            now=now,
        )

    return _created(request, principal, idempotency_key, body.model_dump(mode="json"), work)


@router.post(
    "/{agency_id}/inspections",
    status_code=201,
    response_model=agencies.InspectionView,
    summary="Plan an inspection, or record one done (inspector)",
)
def post_inspection(
    request: Request, agency_id: str, body: InspectionIn, principal: Me, idempotency_key: IdempotencyHeader = None
) -> Any:
    """With ``done_on``: recorded as done (``outcome`` required); else planned for ``planned_on``."""
    if body.done_on is not None and body.outcome is None:
        raise Problem(422, "an inspection done needs its outcome", errors=[{"field": "outcome", "message": "required"}])
    if body.done_on is None and body.planned_on is None:
        raise Problem(
            422,
            "give planned_on to plan an inspection, or done_on to record one",
            errors=[{"field": "planned_on", "message": "planned_on or done_on is required"}],
        )

    def work(session: Session, actor: Actor, now: dt.datetime) -> agencies.InspectionView:
        if body.done_on is not None and body.outcome is not None:
            return agencies.record_inspection(
                session,
                actor,
                agency_id,
                done_on=body.done_on,
                outcome=body.outcome,
                findings=body.findings,
                reason=body.reason,
                inspection_id=body.inspection_id,
                now=now,
            )
        assert body.planned_on is not None
        return agencies.plan_inspection(
            session, actor, agency_id, planned_on=body.planned_on, reason=body.reason, now=now
        )

    return _created(request, principal, idempotency_key, body.model_dump(mode="json"), work)


@router.post(
    "/{agency_id}/violations",
    status_code=201,
    response_model=agencies.ViolationView,
    summary="Record a violation (inspector)",
)
def post_violation(
    request: Request, agency_id: str, body: ViolationIn, principal: Me, idempotency_key: IdempotencyHeader = None
) -> Any:
    def work(session: Session, actor: Actor, now: dt.datetime) -> agencies.ViolationView:
        return agencies.add_violation(
            session,
            actor,
            agency_id,
            code=body.code,
            found_on=body.found_on,
            description=body.description,
            inspection_id=body.inspection_id,
            now=now,
        )

    return _created(request, principal, idempotency_key, body.model_dump(mode="json"), work)
