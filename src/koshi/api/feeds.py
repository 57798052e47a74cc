"""Feed batches over HTTP: the sending systems post rows, police and administrators read the reports.

``POST /registry/feeds/{kind}`` takes ``{"batch_key": ..., "rows": [...]}`` and
answers 200 with the batch report, rejected rows included (row numbers count
from 1 in ``rows``).  A retry with the same key and rows replays the stored
report (``replayed: true``); the same key with other rows is a 409.  A batch
that cannot be read at all (a required column absent from every row) is a 422,
more than :data:`MAX_ROWS` rows a 413: both problem+json, nothing imported.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from koshi.api.auth import Principal, require_roles
from koshi.api.problems import Problem
from koshi.registry.feeds import FeedError, feed_kind
from koshi.registry.schema import FeedKind
from koshi.store.db import transaction
from koshi.store.registry_import import (
    MAX_KEY,
    Actor,
    BatchConflict,
    ImportReport,
    get_batch,
    import_batch,
    list_batches,
)

router = APIRouter(prefix="/registry/feeds", tags=["feeds"])

MAX_ROWS = 10_000
"""Rows per request: larger batches go through ``koshi feeds import`` or several requests."""

Senders = Annotated[Principal, Depends(require_roles("police", "admin"))]
Readers = Annotated[Principal, Depends(require_roles("police", "admin", "supervisor", "analyst"))]
"""Batch reports hold counts and reasons, never values: readable by whoever follows the registry's health."""


class BatchIn(BaseModel):
    """A batch of one feed's rows; each row an object keyed by column name (see ``docs/registry.md``)."""

    model_config = ConfigDict(extra="forbid")

    batch_key: str = Field(
        min_length=1,
        max_length=MAX_KEY,
        description="Names the batch; resend the same rows under the same key to retry safely",
        examples=["berkut-2026-03-01-0001"],
    )
    rows: list[dict[str, Any]] = Field(description=f"At most {MAX_ROWS:,} rows")


class RowErrorOut(BaseModel):
    """A rejected value: row (from 1 in the request's rows), field and why (never the value)."""

    row: int
    field: str
    reason: str


class BatchOut(BaseModel):
    """A batch's report."""

    batch_id: int
    kind: FeedKind
    batch_key: str
    source: str
    received_at: dt.datetime
    replayed: bool = Field(description="True when this batch had been imported before: nothing changed")
    total: int
    accepted: int = Field(description="Records written: inserted + updated")
    inserted: int
    updated: int = Field(description="Records stored before with other content, now replaced (last write wins)")
    unchanged: int = Field(description="Records stored before with the same content")
    rejected: int = Field(description="Rows with at least one bad value: not imported")
    errors: list[RowErrorOut] | None = None


class BatchPage(BaseModel):
    """Stored batches, newest first (without their errors)."""

    items: list[BatchOut]
    total: int


def _sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def _out(report: ImportReport, *, with_errors: bool = True) -> BatchOut:
    return BatchOut.model_validate(report.as_dict(with_errors=with_errors))


def _feed(kind: str) -> FeedKind:
    try:
        return feed_kind(kind)
    except FeedError as exc:
        raise Problem(404, str(exc)) from None


@router.post(
    "/{kind}",
    summary="Import a batch of feed rows",
    responses={
        409: {"description": "The batch key was used for other rows"},
        413: {"description": "Too many rows"},
        422: {"description": "The batch cannot be read (a required column is missing)"},
    },
)
def post_batch(kind: str, body: BatchIn, request: Request, who: Senders) -> BatchOut:
    """Validate and import the rows in one transaction; rejected rows are listed, the good ones kept."""
    feed = _feed(kind)
    if len(body.rows) > MAX_ROWS:
        raise Problem(
            413,
            f"a batch holds at most {MAX_ROWS:,} rows, this one has {len(body.rows):,}: split it into several",
            slug="batch-too-large",
            title="Batch too large",
        )
    if not body.rows:
        raise Problem(
            422, "a batch needs at least one row", slug="empty-batch", errors=[{"field": "rows", "message": "empty"}]
        )
    now = dt.datetime.now(dt.UTC)
    try:
        with transaction(_sessions(request)) as session:
            report = import_batch(
                session, feed, body.rows, body.batch_key, Actor(who.id, who.role), now, f"api:{who.username}"
            )
    except FeedError as exc:
        raise Problem(422, str(exc), slug="unreadable-batch", title="Batch cannot be read") from None
    except BatchConflict as exc:
        raise Problem(409, str(exc), slug="batch-key-reused") from None
    return _out(report)


@router.get("/batches", summary="List stored batches, newest first")
def get_batches(
    request: Request,
    who: Readers,
    kind: Annotated[FeedKind | None, Query(description="Only this feed")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> BatchPage:
    """Batches with their counts; a batch's rejected rows are at ``/registry/feeds/batches/{id}``."""
    with transaction(_sessions(request)) as session:
        reports, total = list_batches(session, kind=None if kind is None else kind.value, limit=limit, offset=offset)
    return BatchPage(items=[_out(r, with_errors=False) for r in reports], total=total)


@router.get("/batches/{batch_id}", summary="One batch's report with its rejected rows")
def get_one_batch(batch_id: int, request: Request, who: Readers) -> BatchOut:
    """The stored report, as the sender received it."""
    with transaction(_sessions(request)) as session:
        report = get_batch(session, batch_id)
    if report is None:
        raise Problem(404, f"no feed batch {batch_id}")
    return _out(report)
