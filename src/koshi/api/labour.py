"""Foreign-labour endpoints: employers, vacancies, the quota, work permits and their workflow, fees.

Handlers are thin: parse, open one transaction, call :mod:`koshi.store.labour`, shape the answer.
A :class:`~koshi.store.labour.LabourError` rolls the transaction back and becomes problem+json
(naming the field; a 409 lists the actions that are open) through this router's own route class,
so the app needs no extra handler. A worker's IIN is only ever returned masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from koshi.api.auth import Principal, current_principal, require_roles
from koshi.api.problems import Problem
from koshi.labour.checks import Staff
from koshi.labour.fees import RateTable, quote
from koshi.labour.policy import Category, PolicyError, basis, policy
from koshi.rules.provenance import PolicyNotInForce
from koshi.store import idempotency
from koshi.store import labour as store
from koshi.store.cases import Actor
from koshi.store.db import transaction


def problem_of(exc: store.LabourError) -> Problem:
    """The problem+json of a refusal: ``errors`` names the field, ``allowed`` the open actions (409)."""
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
    extra: dict[str, Any] = {"allowed": list(exc.allowed)} if exc.status == 409 else {}
    return Problem(exc.status, exc.message, errors=errors, **extra)


class _LabourRoute(APIRoute):
    """Turns the store's refusals into problems, for this router only."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except store.LabourError as exc:
                raise problem_of(exc) from None

        return route


router = APIRouter(prefix="/labour", tags=["labour"], route_class=_LabourRoute)
Me = Annotated[Principal, Depends(current_principal)]
Admin = Annotated[Principal, Depends(require_roles("admin"))]
Reporter = Annotated[Principal, Depends(require_roles("analyst", "supervisor", "admin"))]
IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=idempotency.MAX_KEY,
        description="Any unique string per intended application; a retry with the same key replays the first answer.",
    ),
]
Kato = Field(pattern=r"^\d{9}$", description="KATO code of the region, e.g. 710000000 (Astana)")


def _sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor(p: Principal) -> Actor:
    return Actor(p.id, p.role)


def _own(session: Session, actor: Actor, employer_id: int | None) -> int:
    """The employer an employer acts for (its own), or the one named (other roles)."""
    if employer_id is not None:
        return employer_id
    mine = store.my_employer(session, actor)
    if mine is None:
        field = "employer_id"
        if actor.role == "employer":
            raise Problem(404, "register your company first", errors=[{"field": field, "message": "no employer yet"}])
        raise Problem(422, "employer_id is required", errors=[{"field": field, "message": "required"}])
    return mine.id


# --- shapes ------------------------------------------------------------------------------------------


class EmployerIn(BaseModel):
    """A company to register (an employer registers its own)."""

    model_config = ConfigDict(extra="forbid")

    bin: str = Field(min_length=12, max_length=12, description="12-digit BIN", examples=["971240001315"])
    name: str = Field(min_length=1, max_length=200)
    oked_section: str = Field(min_length=1, max_length=1, description="OKED section letter A-U", examples=["F"])
    region_kato: str = Kato


class StaffOut(BaseModel):
    """Staff by category group (workers on Koshi's permits not included)."""

    as_of: dt.date
    citizens_1_2: int
    foreigners_1_2: int
    citizens_3_4: int
    foreigners_3_4: int
    ict: int


class EmployerOut(BaseModel):
    """An employer."""

    id: int
    bin: str
    name: str
    oked_section: str
    sector_group: str | None = Field(description="Fee group (a, b, c) of the OKED section")
    region_kato: str
    branch: bool = Field(description="A branch or representative office (BIN attribute 1 or 2)")
    active: bool
    staff: StaffOut | None
    account_id: int | None


class StaffIn(BaseModel):
    """Staff figures from the labour-contract system, without workers on Koshi's permits."""

    model_config = ConfigDict(extra="forbid")

    as_of: dt.date
    citizens_1_2: int = Field(ge=0)
    foreigners_1_2: int = Field(ge=0)
    citizens_3_4: int = Field(ge=0)
    foreigners_3_4: int = Field(ge=0)
    ict: int = Field(default=0, ge=0)


class VacancyIn(BaseModel):
    """A vacancy posted on the labour exchange (enbek.kz)."""

    model_config = ConfigDict(extra="forbid")

    employer_id: int | None = Field(default=None, description="Default: the caller's own company")
    isco: str = Field(pattern=r"^\d{4}$", description="ISCO-08 unit group", examples=["2142"])
    region_kato: str = Kato
    title: str = Field(min_length=1, max_length=200)
    wage: int = Field(gt=0, description="Monthly wage, tenge")
    posted_on: dt.date


class VacancyOut(BaseModel):
    """A vacancy."""

    id: int
    employer_id: int
    isco: str
    region_kato: str
    title: str
    wage: int
    posted_on: dt.date
    closed_on: dt.date | None


class UsageOut(BaseModel):
    """One region's quota for a category and year, and how much is taken."""

    year: int
    region_kato: str
    category: str
    allocated: int
    issued: int = Field(description="Issued since (issued, expired or revoked)")
    reserved: int = Field(description="Pending or fee due")
    left: int
    used_share: float


class AllocationIn(BaseModel):
    """Places for one region and category."""

    model_config = ConfigDict(extra="forbid")

    region_kato: str = Kato
    category: Category
    allocated: int = Field(ge=0)


class QuotaIn(BaseModel):
    """A year's allocations (each replaces the one for its region and category)."""

    model_config = ConfigDict(extra="forbid")

    allocations: list[AllocationIn] = Field(min_length=1)


class NeedsIn(BaseModel):
    """Each region's declared need (any positive weights): the national quota is split in proportion."""

    model_config = ConfigDict(extra="forbid")

    needs: dict[str, float] = Field(min_length=1, examples=[{"710000000": 120, "750000000": 300}])


class AllocationOut(BaseModel):
    """Places set for one region and category."""

    region_kato: str
    category: str
    allocated: int


class PermitIn(BaseModel):
    """An application for a work permit (or an extension: name the issued permit it extends)."""

    model_config = ConfigDict(extra="forbid")

    employer_id: int | None = Field(default=None, description="Default: the caller's own company")
    worker_iin: str | None = Field(default=None, max_length=12, description="The worker's 12-digit IIN")
    worker_surname: str = Field(min_length=1, max_length=80)
    worker_given_names: str | None = Field(default=None, max_length=80)
    worker_nationality: str = Field(min_length=3, max_length=3, description="ICAO code", examples=["CHN"])
    category: Category
    isco: str = Field(pattern=r"^\d{4}$", description="ISCO-08 unit group")
    region_kato: str = Kato
    valid_from: dt.date
    valid_to: dt.date
    applied_on: dt.date | None = Field(default=None, description="Default: today")
    extends_id: str | None = Field(default=None, max_length=36)


class CheckOut(BaseModel):
    """One check: passed or not, why, and the legal basis."""

    key: str
    passed: bool
    applies: bool
    reason: str
    basis: list[str]


class FeeOut(BaseModel):
    """A permit's fee."""

    mrp: float
    tenge: int
    band: str
    group: str | None
    due_on: dt.date | None
    paid_ref: str | None
    basis: list[str]


class EventOut(BaseModel):
    """One step of a permit's history."""

    at: dt.datetime
    actor_role: str
    action: str
    before: str | None
    after: str
    reason: str | None


class PermitOut(BaseModel):
    """A permit: the request, every check, the fee, the actions open to the caller and the history."""

    id: str
    number: str
    employer: EmployerOut
    worker_iin_masked: str | None = Field(description="The worker's IIN, masked")
    worker_surname: str
    worker_given_names: str | None
    worker_nationality: str
    category: str
    isco: str
    region_kato: str
    valid_from: dt.date
    valid_to: dt.date
    applied_on: dt.date
    state: str
    extension_no: int
    extends_id: str | None
    fee: FeeOut
    checks: list[CheckOut]
    policy_version: dt.date
    parameters_hash: str
    allowed_actions: list[str]
    history: list[EventOut]
    decision_reason: str | None


class PermitSummaryOut(BaseModel):
    """A row of a permit list."""

    id: str
    number: str
    employer_name: str
    category: str
    isco: str
    region_kato: str
    valid_from: dt.date
    valid_to: dt.date
    state: str
    failed_checks: int
    fee_tenge: int


class PermitPage(BaseModel):
    """A page of permits."""

    items: list[PermitSummaryOut]
    total: int
    limit: int
    offset: int


class ActionIn(BaseModel):
    """A workflow action's reason (refuse, revoke: at least 10 characters) or payment reference (pay)."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=5000)
    payment_ref: str | None = Field(default=None, max_length=64)


class QuoteIn(BaseModel):
    """A permit to price."""

    model_config = ConfigDict(extra="forbid")

    category: Category
    oked_section: str = Field(min_length=1, max_length=1, examples=["F"])
    valid_from: dt.date
    valid_to: dt.date


class QuoteOut(BaseModel):
    """The fee, with the rates and MRP of the first day and their legal basis."""

    mrp: float = Field(description="Fee in MRP")
    tenge: int
    band: str
    group: str | None
    mrp_value: int = Field(description="Tenge per MRP in the year of the first day")
    policy_version: dt.date
    parameters_hash: str
    basis: list[str]


class FeeRowOut(BaseModel):
    """Fee revenue of issued permits in one region, sector group and category."""

    region_kato: str
    sector_group: str | None
    category: str
    permits: int
    fee_tenge: int


def _permit_out(view: store.PermitView) -> PermitOut:
    return PermitOut.model_validate(asdict(view))


def _employer_out(view: store.EmployerView) -> EmployerOut:
    return EmployerOut.model_validate(asdict(view))


def _usage_out(u: store.Usage) -> UsageOut:
    return UsageOut.model_validate({**asdict(u), "left": u.left, "used_share": u.used_share})


# --- employers ---------------------------------------------------------------------------------------


@router.post("/employers", status_code=201, summary="Register a company (employer: its own; akimat, admin)")
def post_employer(request: Request, body: EmployerIn, principal: Me) -> EmployerOut:
    with transaction(_sessions(request)) as session:
        view = store.register_employer(
            session,
            _actor(principal),
            bin=body.bin,
            name=body.name,
            oked_section=body.oked_section,
            region_kato=body.region_kato,
            now=_now(),
        )
    return _employer_out(view)


@router.get("/employers/me", summary="The caller's own company (employer)")
def get_my_employer(request: Request, principal: Me) -> EmployerOut:
    with transaction(_sessions(request)) as session:
        view = store.my_employer(session, _actor(principal))
    if view is None:
        raise Problem(404, "no company is registered for this account")
    return _employer_out(view)


@router.get("/employers/{employer_id}", summary="One employer (an employer sees only its own)")
def get_employer(request: Request, employer_id: int, principal: Me) -> EmployerOut:
    with transaction(_sessions(request)) as session:
        return _employer_out(store.employer(session, _actor(principal), employer_id, _now()))


@router.put("/employers/{employer_id}/staff", summary="Replace the staff figures (the employer, admin)")
def put_staff(request: Request, employer_id: int, body: StaffIn, principal: Me) -> EmployerOut:
    staff = Staff(body.citizens_1_2, body.foreigners_1_2, body.citizens_3_4, body.foreigners_3_4, body.ict)
    with transaction(_sessions(request)) as session:
        view = store.set_staff(session, _actor(principal), employer_id, staff, body.as_of, _now())
    return _employer_out(view)


# --- vacancies ---------------------------------------------------------------------------------------


@router.post("/vacancies", status_code=201, summary="Record a vacancy posted on the labour exchange")
def post_vacancy(request: Request, body: VacancyIn, principal: Me) -> VacancyOut:
    actor = _actor(principal)
    with transaction(_sessions(request)) as session:
        view = store.post_vacancy(
            session,
            actor,
            _own(session, actor, body.employer_id),
            isco=body.isco,
            region_kato=body.region_kato,
            title=body.title,
            wage=body.wage,
            posted_on=body.posted_on,
            now=_now(),
        )
    return VacancyOut.model_validate(asdict(view))


@router.get("/vacancies", summary="An employer's vacancies, newest first")
def get_vacancies(
    request: Request, principal: Me, employer_id: Annotated[int | None, Query(ge=1)] = None
) -> list[VacancyOut]:
    actor = _actor(principal)
    with transaction(_sessions(request)) as session:
        views = store.vacancies(session, actor, _own(session, actor, employer_id))
    return [VacancyOut.model_validate(asdict(v)) for v in views]


# --- quota -------------------------------------------------------------------------------------------


@router.get("/quota", summary="Quota usage per region and category for a year")
def get_quota(
    request: Request,
    principal: Me,
    year: Annotated[int, Query(ge=2017, le=2100)],
    region: Annotated[str | None, Query(pattern=r"^\d{9}$", description="KATO code")] = None,
) -> list[UsageOut]:
    with transaction(_sessions(request)) as session:
        rows = store.quota_usage(session, _actor(principal), year, region)
    return [_usage_out(u) for u in rows]


@router.put("/quota/{year}", summary="Set a year's allocations (admin)")
def put_quota(request: Request, year: int, body: QuotaIn, principal: Admin) -> list[AllocationOut]:
    allocations = {(a.region_kato, a.category.value): a.allocated for a in body.allocations}
    with transaction(_sessions(request)) as session:
        store.set_quota(session, _actor(principal), year, allocations, _now())
    return [AllocationOut(region_kato=r, category=c, allocated=n) for (r, c), n in sorted(allocations.items())]


@router.post("/quota/{year}/distribute", summary="Split the national quota among regions by need (admin)")
def post_distribute(request: Request, year: int, body: NeedsIn, principal: Admin) -> list[AllocationOut]:
    with transaction(_sessions(request)) as session:
        out = store.distribute_quota(session, _actor(principal), year, body.needs, _now())
    return [AllocationOut(region_kato=r, category=c, allocated=n) for (r, c), n in sorted(out.items())]


# --- permits -----------------------------------------------------------------------------------------


@router.post("/permits", status_code=201, response_model=PermitOut, summary="Apply for a work permit (employer)")
def post_permit(request: Request, body: PermitIn, principal: Me, idempotency_key: IdempotencyHeader = None) -> Any:
    """Every check runs at once: the permit is ``pending`` (a quota place reserved) or ``checks_failed``
    with each failure's reason. A retry with the same ``Idempotency-Key`` replays the first answer."""
    now = _now()
    actor = _actor(principal)
    digest = idempotency.request_digest(request.method, request.url.path, body.model_dump(mode="json"))
    with transaction(_sessions(request)) as session:
        if idempotency_key:
            idempotency.lock(session)
            try:
                hit = idempotency.replay(session, actor.id, idempotency_key, digest)
            except idempotency.KeyReused as exc:
                raise Problem(422, str(exc), errors=[{"field": "Idempotency-Key", "message": str(exc)}]) from None
            if hit is not None:
                return JSONResponse(hit.body, hit.status_code, headers={"Idempotent-Replayed": "true"})
        view = store.apply(
            session,
            actor,
            employer_id=_own(session, actor, body.employer_id),
            worker_iin=body.worker_iin,
            worker_surname=body.worker_surname,
            worker_given_names=body.worker_given_names,
            worker_nationality=body.worker_nationality,
            category=body.category.value,
            isco=body.isco,
            region_kato=body.region_kato,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            applied_on=body.applied_on or store.today(now),
            extends_id=body.extends_id,
            now=now,
        )
        payload = _permit_out(view).model_dump(mode="json")
        if idempotency_key:
            idempotency.remember(session, actor.id, idempotency_key, digest, 201, payload, view.id, now)
    return JSONResponse(payload, 201)


@router.get("/permits", summary="Permits the caller may see (employer: own; akimat: its region)")
def get_permits(
    request: Request,
    principal: Me,
    state: Annotated[str | None, Query(max_length=20)] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{9}$", description="KATO code")] = None,
    employer_id: Annotated[int | None, Query(ge=1)] = None,
    year: Annotated[int | None, Query(ge=2017, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PermitPage:
    with transaction(_sessions(request)) as session:
        items, total = store.permits(
            session,
            _actor(principal),
            state=state,
            region_kato=region,
            employer_id=employer_id,
            year=year,
            limit=limit,
            offset=offset,
            now=_now(),
        )
    return PermitPage(
        items=[PermitSummaryOut.model_validate(asdict(i)) for i in items], total=total, limit=limit, offset=offset
    )


@router.get("/permits/{permit_id}", summary="One permit, with its checks, fee and history")
def get_permit(request: Request, permit_id: str, principal: Me) -> PermitOut:
    with transaction(_sessions(request)) as session:
        return _permit_out(store.permit(session, _actor(principal), permit_id, _now()))


@router.post("/permits/{permit_id}/actions/{action}", summary="recheck, approve, refuse, pay, revoke, withdraw, expire")
def post_action(
    request: Request, permit_id: str, action: str, principal: Me, body: ActionIn | None = None
) -> PermitOut:
    body = body or ActionIn()
    with transaction(_sessions(request)) as session:
        view = store.act(
            session,
            _actor(principal),
            permit_id,
            action,
            reason=body.reason,
            payment_ref=body.payment_ref,
            now=_now(),
        )
    return _permit_out(view)


# --- fees --------------------------------------------------------------------------------------------


@router.post("/fees/quote", summary="The fee of a permit (any signed-in role)")
def post_quote(body: QuoteIn, principal: Me) -> QuoteOut:
    """Pure: the rates in force on the first day and that year's MRP; nothing is stored."""
    try:
        p = policy(body.valid_from)
        q = quote(body.category, body.oked_section, body.valid_from, body.valid_to, RateTable.of(p), p.mrp)
    except PolicyNotInForce as exc:
        raise Problem(422, str(exc), errors=[{"field": "valid_from", "message": str(exc)}]) from None
    except PolicyError as exc:
        field = "oked_section" if "section" in str(exc) else "valid_to"
        raise Problem(422, str(exc), errors=[{"field": field, "message": str(exc)}]) from None
    refs: list[str] = []
    for path in q.parameters:
        refs.extend(r for r in basis(path) if r not in refs)
    return QuoteOut(
        mrp=q.mrp,
        tenge=q.tenge,
        band=q.band,
        group=q.group,
        mrp_value=p.mrp,
        policy_version=p.version_date,
        parameters_hash=p.parameters_hash,
        basis=refs,
    )


@router.get("/fees/report", summary="Fee revenue of issued permits by region, sector group and category")
def get_fee_report(
    request: Request, principal: Reporter, year: Annotated[int, Query(ge=2017, le=2100)]
) -> list[FeeRowOut]:
    with transaction(_sessions(request)) as session:
        rows = store.fee_report(session, _actor(principal), year)
    return [FeeRowOut.model_validate(asdict(r)) for r in rows]
