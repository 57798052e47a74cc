"""Idempotency keys: a retried submission returns the first response and never creates a second case.

The key is scoped to the user.  The lookup runs after the audit-chain head is
locked, so two concurrent requests with one key are serialised: the second sees
the first's committed row and replays it.  A key reused with a different body is
a client error (422), as in the IETF Idempotency-Key draft.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from koshi.store.models import AuditHead, IdempotencyKey

MAX_KEY = 200


@dataclass(frozen=True, slots=True)
class Replay:
    """The stored outcome of the first request with this key."""

    status_code: int
    body: dict[str, Any]


class KeyReused(ValueError):
    """The key was used before with a different request."""


def request_digest(method: str, path: str, body: Any) -> str:
    """SHA-256 of the request that the key stands for."""
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def lock(session: Session) -> None:
    """Serialise with every other writer (PostgreSQL row lock; SQLite already holds BEGIN IMMEDIATE)."""
    session.execute(select(AuditHead.id).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()


def replay(session: Session, user_id: int, key: str, digest: str) -> Replay | None:
    """The stored response for ``key``, None if it is new, :class:`KeyReused` if the body differs."""
    row = session.get(IdempotencyKey, (user_id, key))
    if row is None:
        return None
    if row.request_digest != digest:
        raise KeyReused("this Idempotency-Key was already used with a different request")
    return Replay(row.status_code, row.response)


def remember(
    session: Session,
    user_id: int,
    key: str,
    digest: str,
    status_code: int,
    body: dict[str, Any],
    case_id: str | None,
    now: dt.datetime,
) -> None:
    """Store the response under ``key`` in the same transaction as the work it answers."""
    session.add(
        IdempotencyKey(
            user_id=user_id,
            key=key,
            request_digest=digest,
            status_code=status_code,
            response=body,
            case_id=case_id,
            created_at=now,
        )
    )
