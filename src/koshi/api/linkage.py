"""Record linkage endpoints for the migration police: runs, the clerical review queue, decisions, a person's links.

The service is :mod:`koshi.store.linkage` (roles, audit, what a decision does); these
endpoints add the HTTP shapes. A run or a decision that changes persons is followed, in
the same transaction, by a refresh of everyone's stay status, since the overstay lists
name persons. Refusals are problem+json (the registry's handler renders
:class:`~koshi.store.linkage.LinkageError`); an IIN is only ever returned masked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from koshi.api.auth import Principal, current_principal
from koshi.documents.iin import mask
from koshi.registry import stay
from koshi.store import linkage, overstays
from koshi.store.cases import Actor
from koshi.store.db import transaction

router = APIRouter(prefix="/registry", tags=["linkage"])
Me = Annotated[Principal, Depends(current_principal)]


def _sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor(p: Principal) -> Actor:
    return Actor(p.id, p.role)


def _refresh(session: Session, actor: Actor, now: dt.datetime) -> None:
    """Recompute everyone's stay status (the lists name persons, which the linkage just changed)."""
    overstays.refresh(session, actor, (now + stay.KZ_OFFSET).date(), now)


# --- runs --------------------------------------------------------------------------------------------


class RunIn(BaseModel):
    """How to run: ``full`` scores every record again (default: only those new since the last run);
    ``retrain`` estimates the model again (default: the last run's)."""

    model_config = ConfigDict(extra="forbid")

    retrain: bool = False
    full: bool = False


class RunOut(BaseModel):
    """What a run did."""

    run_id: int
    mode: str
    counts: dict[str, int] = Field(
        description="records, new_records, pairs, links, clusters, merges, splits, persons_created, queued, "
        "superseded, conflicts"
    )
    seconds: dict[str, float]
    stay_refreshed: bool = Field(description="Whether everyone's stay status was recomputed after it")


@router.post("/linkage/runs", summary="Link the registry's records into persons (police, admin)")
def post_run(request: Request, principal: Me, body: RunIn | None = None) -> RunOut:
    """Score the records new since the last run (or all, ``full``), merge persons, queue uncertain pairs."""
    body = body or RunIn()
    now = _now()
    actor = _actor(principal)
    with transaction(_sessions(request)) as session:
        report = linkage.run(session, actor, now, retrain=body.retrain, full=body.full)
        changed = bool(
            report.counts.get("merges") or report.counts.get("splits") or report.counts.get("persons_created")
        )
        if changed:
            _refresh(session, actor, now)
    return RunOut.model_validate({**asdict(report), "stay_refreshed": changed})


class RunSummaryOut(BaseModel):
    """A past run (without its model)."""

    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    actor_id: int | None
    mode: str
    backend: str
    threshold: float
    review_from: float
    counts: dict[str, Any]
    seconds: dict[str, Any]


class RunPage(BaseModel):
    """Past runs, newest first."""

    items: list[RunSummaryOut]
    total: int


@router.get("/linkage/runs", summary="Past linkage runs, newest first")
def get_runs(
    request: Request,
    principal: Me,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> RunPage:
    with transaction(_sessions(request)) as session:
        items, total = linkage.runs(session, _actor(principal), limit=limit, offset=offset)
    return RunPage(items=[RunSummaryOut.model_validate(i, from_attributes=True) for i in items], total=total)


# --- reviews -----------------------------------------------------------------------------------------


class IdentityOut(BaseModel):
    """One record of a pair: the identity as its feed first stated it, its document and its person now."""

    identity_id: int
    feed: str
    document_id: int
    doc_type: str
    doc_country: str
    doc_number: str
    nationality: str
    surname: str
    given_names: str | None
    birth_date: dt.date | None
    sex: str | None
    iin: str | None = Field(description="Masked: the last two digits only")
    person_id: int


def _identity(i: linkage.Identity) -> IdentityOut:
    return IdentityOut.model_validate({**asdict(i), "iin": mask(i.iin) if i.iin else None})


def _pair(x: linkage.ReviewItem | linkage.ReviewDetail) -> dict[str, Any]:
    """A pair's fields, its two sides as :class:`IdentityOut` (so their IINs masked)."""
    return {**asdict(x), "left": _identity(x.left), "right": _identity(x.right)}


class ReviewItemOut(BaseModel):
    """A pair in the queue."""

    id: int
    status: str
    match_probability: float
    match_weight: float
    run_id: int
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: int | None
    left: IdentityOut
    right: IdentityOut


class ReviewPageOut(BaseModel):
    """A page of the review queue."""

    items: list[ReviewItemOut]
    total: int
    page: int
    pages: int


Statuses = Literal["open", "accepted", "rejected", "superseded"]


@router.get("/linkage/reviews", summary="The clerical review queue (police, supervisors)")
def get_reviews(
    request: Request,
    principal: Me,
    status: Statuses = "open",
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ReviewPageOut:
    """Open pairs oldest first; decided ones latest decided first."""
    with transaction(_sessions(request)) as session:
        found = linkage.reviews(session, _actor(principal), status=status, page=page, per_page=per_page, now=_now())
    return ReviewPageOut(
        items=[ReviewItemOut.model_validate(_pair(i)) for i in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


class ComparisonOut(BaseModel):
    """A comparison of the pair: the level it reached and the match weight (log2 Bayes factor) it added."""

    comparison: str
    level: str
    gamma: int = Field(description="Level index: -1 a value missing on a side, 0 the lowest level")
    match_weight: float


class DocumentRefOut(BaseModel):
    """A document of a side's person."""

    id: int
    doc_type: str
    doc_country: str
    doc_number: str


class DecisionOut(BaseModel):
    """A decision on the pair."""

    id: int
    decision: str
    note: str | None
    review_id: int | None
    actor_id: int
    at: dt.datetime


class ReviewOut(BaseModel):
    """One pair side by side with the evidence behind its score: prior + comparisons + name frequency = final."""

    id: int
    status: str
    run_id: int
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: int | None
    left: IdentityOut
    right: IdentityOut
    left_documents: list[DocumentRefOut]
    right_documents: list[DocumentRefOut]
    comparisons: list[ComparisonOut]
    prior_weight: float
    tf_adjustment: float
    final_weight: float
    match_probability: float
    history: list[DecisionOut]


@router.get("/linkage/reviews/{review_id}", summary="One pair side by side, with the comparisons behind its score")
def get_review(request: Request, review_id: int, principal: Me) -> ReviewOut:
    with transaction(_sessions(request)) as session:
        r = linkage.review(session, _actor(principal), review_id, _now())
    return ReviewOut.model_validate(_pair(r))


class DecisionIn(BaseModel):
    """An officer's decision: the two records are the ``same`` person, or ``different`` people."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["same", "different"]
    note: str | None = Field(default=None, max_length=linkage.MAX_NOTE)


class DecisionReportOut(BaseModel):
    """What the decision did: merged two persons, split one, or left them as they were."""

    review_id: int
    decision_id: int
    decision: str
    status: str
    outcome: Literal["merged", "split", "unchanged"]
    from_person: int | None
    into_person: int | None
    new_persons: list[int]
    stay_refreshed: bool


@router.post(
    "/linkage/reviews/{review_id}/decision",
    summary="Decide a pair (police): it overrides the model from now on",
    responses={409: {"description": "The decision contradicts another one"}},
)
def post_decision(request: Request, review_id: int, body: DecisionIn, principal: Me) -> DecisionReportOut:
    now = _now()
    actor = _actor(principal)
    with transaction(_sessions(request)) as session:
        report = linkage.decide(session, actor, review_id, body.decision, body.note, now)
        changed = report.outcome != "unchanged"
        if changed:
            _refresh(session, actor, now)
    return DecisionReportOut.model_validate({**asdict(report), "stay_refreshed": changed})


# --- a person's links --------------------------------------------------------------------------------


class MergeOut(BaseModel):
    """A merge touching the person: ``reason`` model (a run) or review (an officer's decision)."""

    id: int
    from_person_id: int
    into_person_id: int
    reason: str
    run_id: int | None
    decision_id: int | None
    actor_id: int | None
    at: dt.datetime
    evidence: dict[str, Any] | None


class SplitOut(BaseModel):
    """A split touching the person: the documents moved to the new person."""

    id: int
    from_person_id: int
    new_person_id: int
    reason: str
    decision_id: int | None
    actor_id: int | None
    at: dt.datetime
    documents: list[int]


class PersonLinksOut(BaseModel):
    """A person's merges and splits; ``current`` is the id the person lives on as (itself unless merged)."""

    person_id: int
    merged_into: int | None
    current: int
    merges: list[MergeOut]
    splits: list[SplitOut]


@router.get("/persons/{person_id}/links", summary="A person's merges and splits")
def get_links(request: Request, person_id: int, principal: Me) -> PersonLinksOut:
    with transaction(_sessions(request)) as session:
        found = linkage.history(session, _actor(principal), person_id, _now())
    return PersonLinksOut.model_validate(asdict(found))
