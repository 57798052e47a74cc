"""Registry endpoints for the migration police: stay status of one person, overstay lists, reasons.

People's data: police and supervisors only (see :mod:`koshi.store.overstays`); every read and
change is in the audit chain. Errors are problem+json.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session, sessionmaker

from koshi.api.auth import Principal, current_principal
from koshi.api.problems import Problem, problem_response
from koshi.registry import stay
from koshi.store import overstays
from koshi.store.cases import Actor
from koshi.store.db import transaction

router = APIRouter(prefix="/registry", tags=["registry"])
Me = Annotated[Principal, Depends(current_principal)]


def install(app: FastAPI) -> None:
    """Render the registry's refusals as problem+json."""

    @app.exception_handler(overstays.RegistryError)
    async def _registry_error(request: Request, exc: overstays.RegistryError) -> JSONResponse:
        errors = [{"field": exc.field, "message": exc.message}] if exc.field else None
        return problem_response(Problem(exc.status, exc.message, errors=errors), request.url.path)


def _sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _today() -> dt.date:
    return (_now() + stay.KZ_OFFSET).date()


def _actor(p: Principal) -> Actor:
    return Actor(p.id, p.role)


class RefreshOut(BaseModel):
    """What a refresh of everyone's stay status computed."""

    as_of: dt.date
    people: int
    present: int
    overstaying: int
    soon: int
    seconds: float


@router.post("/stay-status/refresh", response_model=RefreshOut, summary="Recompute everyone's stay status")
def refresh(
    request: Request,
    principal: Me,
    on: Annotated[dt.date | None, Query(description="Control date; default today (Kazakhstan time).")] = None,
) -> RefreshOut:
    with transaction(_sessions(request)) as session:
        report = overstays.refresh(session, _actor(principal), on or _today(), _now())
    return RefreshOut.model_validate(dataclasses.asdict(report))


class ListedOut(BaseModel):
    """A person on an overstay list."""

    person_id: int
    doc_country: str
    doc_number: str
    surname: str
    given_names: str | None
    status: dict[str, Any]
    reason: str | None
    reason_note: str | None


class ListingOut(BaseModel):
    """A page of an overstay list."""

    kind: str
    as_of: dt.date | None
    total: int
    page: int
    size: int
    items: list[ListedOut]


@router.get("/overstays", response_model=ListingOut, summary="Overstaying now, soon, or in the past")
def list_overstays(
    request: Request,
    principal: Me,
    kind: Literal["current", "soon", "past"] = "current",
    soon_days: Annotated[int, Query(ge=1, le=90)] = 7,
    nationality: Annotated[str | None, Query(pattern="^[A-Za-z]{3}$")] = None,
    band: Literal["warning", "fine", "higher_fine", "fine_and_expulsion"] | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ListingOut:
    with transaction(_sessions(request)) as session:
        found = overstays.listing(
            session,
            _actor(principal),
            _now(),
            kind=kind,
            soon_days=soon_days,
            nationality=nationality,
            band=band,
            page=page,
            size=size,
        )
    return ListingOut(
        kind=found.kind,
        as_of=found.as_of,
        total=found.total,
        page=found.page,
        size=found.size,
        items=[
            ListedOut(
                person_id=i.status["person_id"],
                doc_country=i.doc_country,
                doc_number=i.doc_number,
                surname=i.surname,
                given_names=i.given_names,
                status=i.status,
                reason=i.reason,
                reason_note=i.reason_note,
            )
            for i in found.items
        ],
    )


class PersonStayOut(BaseModel):
    """One person's stay on a date: control mode, and planning mode when an entry date is asked for."""

    person_id: int
    nationality: str
    control: dict[str, Any]
    plan: dict[str, Any] | None
    plan_error: str | None
    reasons: list[dict[str, Any]]


def _reason(r: overstays.OverstayReason) -> dict[str, Any]:
    return {"stay_entry": r.stay_entry, "code": r.code, "note": r.note, "set_by": r.set_by, "set_at": r.set_at}


@router.get("/persons/{person_id}/stay", response_model=PersonStayOut, summary="One person's stay status")
def person_stay(
    request: Request,
    person_id: int,
    principal: Me,
    on: Annotated[dt.date | None, Query(description="Control date; default today.")] = None,
    entry: Annotated[dt.date | None, Query(description="Plan an entry on this date.")] = None,
) -> PersonStayOut:
    with transaction(_sessions(request)) as session:
        found = overstays.person(session, _actor(principal), person_id, on or _today(), _now(), entry)
    return PersonStayOut(
        person_id=found.person_id,
        nationality=found.nationality,
        control=dataclasses.asdict(found.control),
        plan=dataclasses.asdict(found.plan) if found.plan else None,
        plan_error=found.plan_error,
        reasons=[_reason(r) for r in found.reasons],
    )


class TimelineOut(BaseModel):
    """A person's documents and every record naming them, oldest first."""

    person_id: int
    documents: list[dict[str, Any]]
    entries: list[dict[str, Any]]


@router.get("/persons/{person_id}", response_model=TimelineOut, summary="One person's documents and records")
def person_timeline(request: Request, person_id: int, principal: Me) -> TimelineOut:
    with transaction(_sessions(request)) as session:
        found = overstays.person(session, _actor(principal), person_id, _today(), _now())
    t = found.timeline
    return TimelineOut(
        person_id=person_id,
        documents=[dataclasses.asdict(d) for d in t.documents],
        entries=[dataclasses.asdict(e) for e in t.entries],
    )


class ReasonIn(BaseModel):
    """Why an overstay happened."""

    code: str = Field(description=", ".join(overstays.REASONS))
    note: str | None = Field(default=None, max_length=2000)


@router.put(
    "/persons/{person_id}/overstays/{stay_entry}/reason",
    summary="Record why an overstay happened (police)",
)
def set_reason(request: Request, person_id: int, stay_entry: dt.date, body: ReasonIn, principal: Me) -> dict[str, Any]:
    with transaction(_sessions(request)) as session:
        row = overstays.set_reason(session, _actor(principal), person_id, stay_entry, body.code, body.note, _now())
        return _reason(row)


@router.get("/overstay-reasons", summary="The reason codes an officer can set")
def reason_codes() -> dict[str, str]:
    return dict(overstays.REASONS)
