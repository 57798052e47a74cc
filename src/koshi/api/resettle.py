"""Resettlement endpoints: settlements, vacancies and housing, families and their workflow, matching, support,
follow-up, and an eligibility check that stores nothing.

Handlers are thin: parse, open one transaction, call :mod:`koshi.store.resettle` (which checks roles,
akimat regions and writes the audit chain), shape the answer. A
:class:`~koshi.store.resettle.ResettleError` rolls the transaction back and becomes problem+json naming
the field (a 409 lists the actions that are open) through this router's own route class, so the app needs
no extra handler. The head of a family's IIN is accepted once, at application, and only ever returned
masked. ``POST /resettle/families`` accepts an ``Idempotency-Key``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.orm import Session, sessionmaker

from koshi.api.auth import Principal, current_principal, require_roles
from koshi.api.problems import Problem
from koshi.resettle import eligibility
from koshi.resettle.policy import PolicyError, policy
from koshi.rules.provenance import PolicyNotInForce
from koshi.store import idempotency
from koshi.store import resettle as store
from koshi.store.cases import Actor
from koshi.store.db import transaction
from koshi.store.labour import today


def problem_of(exc: store.ResettleError) -> Problem:
    """The problem+json of a refusal: ``errors`` names the field, ``allowed`` the open actions (409)."""
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
    extra: dict[str, Any] = {"allowed": list(exc.allowed)} if exc.status == 409 else {}
    return Problem(exc.status, exc.message, errors=errors, **extra)


class _ResettleRoute(APIRoute):
    """Turns the store's refusals into problems, for this router only."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except store.ResettleError as exc:
                raise problem_of(exc) from None

        return route


router = APIRouter(prefix="/resettle", tags=["resettlement"], route_class=_ResettleRoute)
Me = Annotated[Principal, Depends(current_principal)]
Akimat = Annotated[Principal, Depends(require_roles("akimat", "admin"))]
Caseworker = Annotated[Principal, Depends(require_roles("applicant", "officer", "supervisor", "akimat", "admin"))]
Applicant = Annotated[Principal, Depends(require_roles("applicant", "officer", "admin"))]
Fieldwork = Annotated[Principal, Depends(require_roles("akimat", "officer", "admin"))]
Payer = Annotated[Principal, Depends(require_roles("officer", "akimat", "admin"))]
Matcher = Annotated[Principal, Depends(require_roles("officer", "supervisor", "admin"))]
Reporter = Annotated[Principal, Depends(require_roles("officer", "supervisor", "analyst", "akimat", "admin"))]
IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=idempotency.MAX_KEY,
        description="Any unique string per intended application; a retry with the same key replays the first answer.",
    ),
]

KATO = r"^\d{9}$"
KatoStr = Annotated[str, StringConstraints(pattern=KATO)]
KatoQuery = Annotated[str | None, Query(pattern=KATO, description="KATO code of the region, e.g. 550000000")]
YearQuery = Annotated[int | None, Query(ge=2024, le=2100, description="Programme year")]
CategoryIn = Literal["resettler", "kandas"]
EmploymentIn = Literal["unemployed", "job_seeker", "employed", "none"]
FollowupStatusIn = Literal["employed", "unemployed", "not_working_age", "returned", "moved_on"]
ActionName = Literal["approve", "refuse", "recheck", "place", "confirm", "decline", "arrive", "leave", "withdraw"]


def _sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor(p: Principal) -> Actor:
    return Actor(p.id, p.role)


# --- programme data: shapes --------------------------------------------------------------------------


class SettlementIn(BaseModel):
    """A receiving settlement approved by the akimat, with its monthly rent subsidy."""

    model_config = ConfigDict(extra="forbid")

    kato: str = Field(pattern=KATO, description="9-digit KATO of the settlement", examples=["551010000"])
    name: str = Field(min_length=1, max_length=200, examples=["Pavlodar"])
    rent_mrp: int = Field(ge=15, le=30, description="Monthly rent the rent subsidy pays there, MRP (15-30)")


class SettlementOut(BaseModel):
    """A receiving settlement."""

    kato: str
    region_kato: str
    name: str
    rent_mrp: int


class HousingIn(BaseModel):
    """Housing offered in a settlement (employer, service or rental housing)."""

    model_config = ConfigDict(extra="forbid")

    ref: str = Field(min_length=1, max_length=64, description="The akimat's reference; the same ref updates")
    settlement_kato: str = Field(pattern=KATO, examples=["551010000"])
    capacity: int = Field(ge=1, le=50, description="Persons it takes")
    kind: Literal["employer", "service", "rental"]


class HousingOut(BaseModel):
    """Housing and whether a family has it."""

    id: int
    ref: str
    settlement_kato: str
    region_kato: str
    capacity: int
    kind: str
    vacancy_id: int | None
    taken: bool


class VacancyIn(BaseModel):
    """A vacancy in a receiving settlement, optionally with the employer's housing (by its ref)."""

    model_config = ConfigDict(extra="forbid")

    ref: str = Field(min_length=1, max_length=64, description="The akimat's reference; the same ref updates")
    employer_bin: str = Field(pattern=r"^\d{12}$", description="12-digit BIN", examples=["971240001315"])
    employer_name: str = Field(min_length=1, max_length=200)
    isco: str = Field(pattern=r"^\d{4}$", description="ISCO-08 unit group", examples=["7233"])
    title: str = Field(min_length=1, max_length=200, examples=["Agricultural machinery mechanic"])
    wage: int = Field(gt=0, description="Monthly wage, tenge", examples=[350000])
    settlement_kato: str = Field(pattern=KATO, examples=["551010000"])
    housing_ref: str | None = Field(default=None, max_length=64, description="Housing that comes with the job")
    posted_on: dt.date


class VacancyOut(BaseModel):
    """A vacancy, its housing and whether it is filled."""

    id: int
    ref: str
    employer_bin: str
    employer_name: str
    isco: str
    title: str
    wage: int
    region_kato: str
    settlement_kato: str
    housing: HousingOut | None
    posted_on: dt.date
    filled: bool


# --- families: shapes --------------------------------------------------------------------------------


class _ApplicantFacts(BaseModel):
    """What eligibility is decided on (shared by an application and a dry-run check)."""

    model_config = ConfigDict(extra="forbid")

    category: CategoryIn
    citizen: bool | None = Field(default=None, description="Citizen of Kazakhstan (default: true for a resettler)")
    kandas_status: bool | None = Field(default=None, description="Holds kandas status (default: true for a kandas)")
    employment_status: EmploymentIn = Field(default="none", description="At the employment centre")
    origin_kato: str | None = Field(default=None, pattern=KATO, description="Origin region", examples=["610000000"])
    registered_since: dt.date | None = Field(default=None, description="Registered at an address in the origin")
    graduate_programme: str | None = Field(default=None, max_length=40, examples=["serpin"])
    graduated_on: dt.date | None = None
    size: int = Field(ge=1, le=50, description="Family members, head included")
    able_bodied: int = Field(ge=0, le=50, description="Members of working age able to work")
    preferences: list[KatoStr] = Field(
        default_factory=list, max_length=20, description="Receiving regions, best first; empty = any"
    )
    applied_on: dt.date | None = Field(default=None, description="Default: today")

    def flags(self) -> tuple[bool, bool]:
        """Citizenship and kandas status, defaulted from the category."""
        citizen = self.citizen if self.citizen is not None else self.category == "resettler"
        kandas = self.kandas_status if self.kandas_status is not None else self.category == "kandas"
        return citizen, kandas


class FamilyIn(_ApplicantFacts):
    """An application for a place in the regional quota (an applicant files for their own family)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "category": "resettler",
                    "head_iin": "900101300123",
                    "head_surname": "Sadykov",
                    "head_given_names": "Aidos",
                    "employment_status": "job_seeker",
                    "origin_kato": "610000000",
                    "registered_since": "2023-05-01",
                    "size": 4,
                    "able_bodied": 2,
                    "isco": "7233",
                    "preferences": ["590000000", "550000000"],
                }
            ]
        },
    )

    ref: str | None = Field(default=None, max_length=64, description="The caller's reference; sent again, same family")
    head_iin: str = Field(pattern=r"^\d{12}$", description="IIN of the head of the family (stored; shown masked)")
    head_surname: str = Field(min_length=1, max_length=80)
    head_given_names: str | None = Field(default=None, max_length=80)
    isco: str = Field(pattern=r"^\d{4}$", description="The head's occupation, ISCO-08 unit group")
    housing_certificate: bool = Field(default=False, description="Asks for the housing certificate")


class CheckOut(BaseModel):
    """One eligibility check: passed or not, why, and the legal basis."""

    key: str
    passed: bool
    applies: bool
    reason: str
    basis: list[str]


class SupportLineOut(BaseModel):
    """One support payment: what, to whom, how much, why, and whether it is paid."""

    id: int
    item: str
    payee: str
    mrp: int
    tenge: int
    reason: str
    basis: list[str]
    state: str
    paid_on: dt.date | None


class FollowupOut(BaseModel):
    """A follow-up due (and, once recorded, what was found)."""

    month: int
    due_on: dt.date
    observed_on: dt.date | None
    status: str | None
    able_bodied: int
    employed: int


class PlacementOut(BaseModel):
    """Where a family is placed: the vacancy, housing, score and its terms."""

    id: int
    vacancy: VacancyOut
    housing: HousingOut | None
    region_kato: str
    settlement_kato: str
    score: int
    parts: dict[str, int]
    state: str
    run_id: int | None
    arrived_on: dt.date | None


class EventOut(BaseModel):
    """One step of a family's history."""

    at: dt.datetime
    actor_role: str
    action: str
    before: str | None
    after: str
    reason: str | None


class FamilyOut(BaseModel):
    """A family's application: checks, placement, support, follow-ups, the actions open to the caller, history."""

    id: str
    number: str = Field(examples=["RS-2026-000123"])
    ref: str | None
    category: str
    head_iin_masked: str = Field(description="The head's IIN, masked", examples=["**********23"])
    head_surname: str
    head_given_names: str | None
    size: int
    able_bodied: int
    isco: str
    origin_kato: str | None
    preferences: list[str]
    employment_status: str
    applied_on: dt.date
    year: int
    state: str
    checks: list[CheckOut]
    eligible: bool
    placement: PlacementOut | None
    support: list[SupportLineOut]
    support_total_tenge: int
    withheld_reason: str | None
    contract_signed_on: dt.date | None
    contract_end: dt.date | None
    followups: list[FollowupOut]
    repayment_tenge: int
    allowed_actions: list[str]
    history: list[EventOut]
    decision_reason: str | None
    policy_version: dt.date
    parameters_hash: str


class FamilySummaryOut(BaseModel):
    """A row of a family list."""

    id: str
    number: str
    category: str
    size: int
    origin_kato: str | None
    region_kato: str | None
    state: str
    applied_on: dt.date
    failed_checks: int


class FamilyPage(BaseModel):
    """A page of families."""

    items: list[FamilySummaryOut]
    total: int
    limit: int
    offset: int


class ActionIn(BaseModel):
    """A workflow action with what it needs: ``reason`` (refuse, decline, withdraw), ``vacancy_id`` (place),
    ``housing_id`` (confirm, when the vacancy offers none), ``on`` (arrive, leave), ``contract_signed`` (confirm)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"action": "confirm", "contract_signed": True}]}
    )

    action: ActionName
    reason: str | None = Field(default=None, max_length=5000)
    vacancy_id: int | None = Field(default=None, ge=1)
    housing_id: int | None = Field(default=None, ge=1)
    on: dt.date | None = None
    contract_signed: bool = False


class FollowupIn(BaseModel):
    """What was found at the 3-, 6- or 12-month follow-up (returned or moved on = the family left the region)."""

    model_config = ConfigDict(extra="forbid")

    month: Literal[3, 6, 12]
    observed_on: dt.date
    status: FollowupStatusIn
    able_bodied: int = Field(ge=0, le=50)
    employed: int = Field(ge=0, le=50)


class PayIn(BaseModel):
    """The day a support payment was made (default: today)."""

    model_config = ConfigDict(extra="forbid")

    paid_on: dt.date | None = None


# --- quota, matching, reports: shapes ----------------------------------------------------------------


class QuotaUseOut(BaseModel):
    """Persons in a region's quota for a category and year, and how many are taken."""

    year: int
    region_kato: str
    category: str
    quota: int
    used: int = Field(description="Persons of families arrived, settled or left")
    reserved: int = Field(description="Persons of families proposed or confirmed")
    left: int


class MatchRunIn(BaseModel):
    """Match the year's approved families to open vacancies; ``apply`` proposes the optimal placements."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2024, le=2100)
    apply: bool = False
    time_limit: float = Field(default=60.0, gt=0, le=600, description="Seconds the solver may take")


class MatchRunOut(BaseModel):
    """A matching run: the optimal result beside the greedy baseline on the same data."""

    id: int
    year: int
    at: dt.datetime
    method: str
    families: int
    vacancies: int
    pairs: int
    placed_families: int
    placed_persons: int
    objective: int
    greedy_objective: int
    greedy_persons: int
    bound: int | None
    gap: float | None
    seconds: float
    unmatched: dict[str, int] = Field(description="Reason → families left unmatched for it")
    applied: bool
    greedy_families: int | None = Field(None, description="Families the greedy queue placed on the same data")
    first_choice_share: float | None = Field(
        None, description="Share of placed families in their first-preference region (any region when none named)"
    )
    greedy_first_choice_share: float | None = None
    exact_occupation_share: float | None = Field(
        None, description="Share of placed families whose job is in the head's own 4-digit ISCO occupation"
    )
    greedy_exact_occupation_share: float | None = None


class UnmatchedOut(BaseModel):
    """A family left unmatched and why (the number is withheld from analysts)."""

    family: str | None
    reason: str


class SupportTotalOut(BaseModel):
    """Support in one region, year, category and item."""

    year: int
    region_kato: str
    category: str
    item: str
    families: int
    mrp: int
    tenge: int
    paid_tenge: int


class FollowupSummaryOut(BaseModel):
    """Follow-up results in one region, year and month after arrival."""

    year: int
    region_kato: str
    month: int
    due: int
    recorded: int
    able_bodied: int
    employed: int
    returned: int
    moved_on: int
    breaches: int


class EligibilityIn(_ApplicantFacts):
    """An applicant to check; nothing is stored and no identity is asked."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "category": "kandas",
                    "size": 3,
                    "able_bodied": 2,
                    "preferences": ["550000000"],
                    "applied_on": "2026-03-01",
                }
            ]
        },
    )


class EligibilityOut(BaseModel):
    """Every check, in order, with the policy it was decided on."""

    eligible: bool
    checks: list[CheckOut]
    policy_version: dt.date
    parameters_hash: str


def _family_out(view: store.FamilyView) -> FamilyOut:
    return FamilyOut.model_validate(asdict(view))


# --- programme data ----------------------------------------------------------------------------------


@router.post("/settlements", status_code=201, summary="Add or update a receiving settlement (akimat, admin)")
def post_settlement(request: Request, body: SettlementIn, principal: Akimat) -> SettlementOut:
    with transaction(_sessions(request)) as session:
        view = store.put_settlement(
            session, _actor(principal), kato=body.kato, name=body.name, rent_mrp=body.rent_mrp, now=_now()
        )
    return SettlementOut.model_validate(asdict(view))


@router.get("/settlements", summary="Receiving settlements (staff)")
def get_settlements(request: Request, principal: Me, region_kato: KatoQuery = None) -> list[SettlementOut]:
    with transaction(_sessions(request)) as session:
        views = store.settlements(session, _actor(principal), region_kato=region_kato)
    return [SettlementOut.model_validate(asdict(v)) for v in views]


@router.post("/housing", status_code=201, summary="Add or update housing offered in a settlement (akimat, admin)")
def post_housing(request: Request, body: HousingIn, principal: Akimat) -> HousingOut:
    with transaction(_sessions(request)) as session:
        view = store.put_housing(
            session,
            _actor(principal),
            ref=body.ref,
            settlement_kato=body.settlement_kato,
            capacity=body.capacity,
            kind=body.kind,
            now=_now(),
        )
    return HousingOut.model_validate(asdict(view))


@router.get("/housing", summary="Housing (staff); ``open_only`` leaves out what is taken")
def get_housing(
    request: Request, principal: Me, region_kato: KatoQuery = None, open_only: bool = False
) -> list[HousingOut]:
    with transaction(_sessions(request)) as session:
        views = store.housing(session, _actor(principal), region_kato=region_kato, open_only=open_only)
    return [HousingOut.model_validate(asdict(v)) for v in views]


@router.post("/vacancies", status_code=201, summary="Add or update a vacancy in a receiving settlement (akimat, admin)")
def post_vacancy(request: Request, body: VacancyIn, principal: Akimat) -> VacancyOut:
    with transaction(_sessions(request)) as session:
        view = store.put_vacancy(session, _actor(principal), **body.model_dump(), now=_now())
    return VacancyOut.model_validate(asdict(view))


@router.get("/vacancies", summary="Vacancies (staff); ``open_only`` leaves out filled ones")
def get_vacancies(
    request: Request, principal: Me, region_kato: KatoQuery = None, open_only: bool = False
) -> list[VacancyOut]:
    with transaction(_sessions(request)) as session:
        views = store.vacancies(session, _actor(principal), region_kato=region_kato, open_only=open_only)
    return [VacancyOut.model_validate(asdict(v)) for v in views]


# --- families ----------------------------------------------------------------------------------------


@router.post(
    "/families", status_code=201, response_model=FamilyOut, summary="Apply for resettlement (applicant, officer)"
)
def post_family(
    request: Request, body: FamilyIn, principal: Applicant, idempotency_key: IdempotencyHeader = None
) -> Any:
    """Every eligibility check runs at once: the family is ``submitted`` or ``checks_failed`` with each
    failure's reason. A retry with the same ``Idempotency-Key`` replays the first answer."""
    now = _now()
    actor = _actor(principal)
    digest = idempotency.request_digest(request.method, request.url.path, body.model_dump(mode="json"))
    citizen, kandas_status = body.flags()
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
            ref=body.ref,
            category=body.category,
            head_iin=body.head_iin,
            head_surname=body.head_surname,
            head_given_names=body.head_given_names,
            citizen=citizen,
            kandas_status=kandas_status,
            employment_status=body.employment_status,
            origin_kato=body.origin_kato,
            registered_since=body.registered_since,
            graduate_programme=body.graduate_programme,
            graduated_on=body.graduated_on,
            size=body.size,
            able_bodied=body.able_bodied,
            isco=body.isco,
            preferences=tuple(body.preferences),
            housing_certificate=body.housing_certificate,
            applied_on=body.applied_on or today(now),
            now=now,
        )
        payload = _family_out(view).model_dump(mode="json")
        if idempotency_key:
            idempotency.remember(session, actor.id, idempotency_key, digest, 201, payload, view.id, now)
    return JSONResponse(payload, 201)


@router.get("/families", summary="Families the caller may see (applicant: own; akimat: placed in its region)")
def get_families(
    request: Request,
    principal: Caseworker,
    year: YearQuery = None,
    state: Annotated[str | None, Query(max_length=20)] = None,
    region_kato: KatoQuery = None,
    category: CategoryIn | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> FamilyPage:
    with transaction(_sessions(request)) as session:
        items, total = store.families(
            session,
            _actor(principal),
            year=year,
            state=state,
            region_kato=region_kato,
            category=category,
            limit=limit,
            offset=offset,
        )
    return FamilyPage(
        items=[FamilySummaryOut.model_validate(asdict(i)) for i in items], total=total, limit=limit, offset=offset
    )


@router.get("/families/{family_id}", summary="One family, with checks, placement, support and history")
def get_family(request: Request, family_id: str, principal: Caseworker) -> FamilyOut:
    with transaction(_sessions(request)) as session:
        return _family_out(store.family(session, _actor(principal), family_id, now=_now()))


@router.post(
    "/families/{family_id}/actions",
    summary="approve, refuse, recheck, place, confirm, decline, arrive, leave, withdraw",
)
def post_action(request: Request, family_id: str, body: ActionIn, principal: Caseworker) -> FamilyOut:
    with transaction(_sessions(request)) as session:
        view = store.act(
            session,
            _actor(principal),
            family_id,
            body.action,
            reason=body.reason,
            vacancy_id=body.vacancy_id,
            housing_id=body.housing_id,
            on=body.on,
            contract_signed=body.contract_signed,
            now=_now(),
        )
    return _family_out(view)


@router.post("/families/{family_id}/followups", summary="Record a 3-, 6- or 12-month follow-up (akimat, officer)")
def post_followup(request: Request, family_id: str, body: FollowupIn, principal: Fieldwork) -> FamilyOut:
    with transaction(_sessions(request)) as session:
        view = store.record_followup(
            session,
            _actor(principal),
            family_id,
            month=body.month,
            observed_on=body.observed_on,
            status=body.status,
            able_bodied=body.able_bodied,
            employed=body.employed,
            now=_now(),
        )
    return _family_out(view)


@router.post("/payments/{line_id}/pay", summary="Record a support payment as made (officer, akimat)")
def post_pay(request: Request, line_id: int, principal: Payer, body: PayIn | None = None) -> SupportLineOut:
    now = _now()
    paid_on = (body.paid_on if body else None) or today(now)
    with transaction(_sessions(request)) as session:
        view = store.pay(session, _actor(principal), line_id, paid_on=paid_on, now=now)
    return SupportLineOut.model_validate(asdict(view))


# --- quota, matching, reports ------------------------------------------------------------------------


@router.get("/quota", summary="Quota usage in persons per region and category (default: this year)")
def get_quota(request: Request, principal: Me, year: YearQuery = None) -> list[QuotaUseOut]:
    with transaction(_sessions(request)) as session:
        rows = store.quota_usage(session, _actor(principal), year=year or today(_now()).year)
    return [QuotaUseOut.model_validate(asdict(u)) for u in rows]


@router.post("/match-runs", status_code=201, summary="Match approved families to vacancies (officer, supervisor)")
def post_match_run(request: Request, body: MatchRunIn, principal: Matcher) -> MatchRunOut:
    """The optimal matching and the greedy baseline on the same data; ``apply`` proposes the optimal placements."""
    with transaction(_sessions(request)) as session:
        view = store.run_matching(
            session, _actor(principal), year=body.year, apply=body.apply, now=_now(), time_limit=body.time_limit
        )
    return MatchRunOut.model_validate(asdict(view))


@router.get("/match-runs", summary="Matching runs, newest first")
def get_match_runs(request: Request, principal: Me, year: YearQuery = None) -> list[MatchRunOut]:
    with transaction(_sessions(request)) as session:
        views = store.match_runs(session, _actor(principal), year=year)
    return [MatchRunOut.model_validate(asdict(v)) for v in views]


@router.get("/match-runs/{run_id}/unmatched", summary="Families a run left unmatched, with the reason")
def get_unmatched(request: Request, run_id: int, principal: Me) -> list[UnmatchedOut]:
    with transaction(_sessions(request)) as session:
        rows = store.unmatched(session, _actor(principal), run_id)
    return [UnmatchedOut(family=number or None, reason=reason) for number, reason in rows]


@router.get("/support", summary="Support by region, year, category and item, in MRP and tenge")
def get_support(request: Request, principal: Reporter, year: YearQuery = None) -> list[SupportTotalOut]:
    with transaction(_sessions(request)) as session:
        rows = store.support_totals(session, _actor(principal), year=year)
    return [SupportTotalOut.model_validate(asdict(r)) for r in rows]


@router.get("/followups", summary="Employment at 3, 6 and 12 months, returns and contract breaches by region")
def get_followups(request: Request, principal: Reporter, year: YearQuery = None) -> list[FollowupSummaryOut]:
    with transaction(_sessions(request)) as session:
        rows = store.followup_summary(session, _actor(principal), year=year)
    return [FollowupSummaryOut.model_validate(asdict(r)) for r in rows]


@router.post("/eligibility", summary="Check an applicant against the rules without storing anything (any role)")
def post_eligibility(body: EligibilityIn, principal: Me) -> EligibilityOut:
    """Pure: the policy in force on ``applied_on`` (default today); no identity is asked, nothing is kept."""
    applied_on = body.applied_on or today(_now())
    try:
        p = policy(applied_on)
    except PolicyNotInForce as exc:
        raise Problem(422, str(exc), errors=[{"field": "applied_on", "message": str(exc)}]) from None
    citizen, kandas_status = body.flags()
    applicant = eligibility.Applicant(
        category=body.category,
        citizen=citizen,
        kandas_status=kandas_status,
        employment_status=body.employment_status,
        origin_kato=body.origin_kato,
        registered_since=body.registered_since,
        graduate_programme=body.graduate_programme,
        graduated_on=body.graduated_on,
        preferences=tuple(body.preferences),
        size=body.size,
        able_bodied=body.able_bodied,
        applied_on=applied_on,
    )
    try:
        checks = eligibility.evaluate(applicant, p)
    except PolicyError as exc:
        raise Problem(422, str(exc), errors=[{"field": "applied_on", "message": str(exc)}]) from None
    return EligibilityOut(
        eligible=eligibility.eligible(checks),
        checks=[CheckOut.model_validate(asdict(c)) for c in checks],
        policy_version=p.version_date,
        parameters_hash=p.parameters_hash,
    )
