"""Tables: users, cases with their event history, the audit chain and idempotency keys.

One schema for SQLite (the embedded default) and PostgreSQL (production); Alembic
migrations in ``store/migrations`` create it, and a test checks that they agree
with these models.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = JSON().with_variant(JSONB(), "postgresql")
Timestamp = DateTime(timezone=True)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (so migrations are reproducible)."""

    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """An account; ``role`` is one of :data:`koshi.accounts.roles.ROLES`."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class Case(Base):
    """An application: the applicant's profile, its status and the stored scoring result.

    The result columns (``as_of`` … ``explanation``) are written once, at submission,
    and never recomputed in place: ``koshi cases verify`` re-scores and compares.
    """

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID: not guessable, not a count
    pack: Mapped[str] = mapped_column(String(64))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20))
    profile: Mapped[dict[str, Any]] = mapped_column(Json)
    applicant_iin: Mapped[str | None] = mapped_column(String(12), nullable=True)
    region: Mapped[str | None] = mapped_column(String(9), nullable=True)  # KATO code, for the queue filter
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    as_of: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    version_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    parameters_hash: Mapped[str | None] = mapped_column(String(80), nullable=True)
    total: Mapped[float | None] = mapped_column(Float, nullable=True)
    maximum: Mapped[float | None] = mapped_column(Float, nullable=True)
    pass_mark: Mapped[float | None] = mapped_column(Float, nullable=True)
    recommendation: Mapped[str | None] = mapped_column(String(20), nullable=True)
    explanation: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    refusal_proposed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)  # approved / refused after decisions
    outcome_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        Index("ix_cases_queue", "status", "pack", "submitted_at"),
        Index("ix_cases_applicant", "applicant_id", "created_at"),
    )


class CaseEvent(Base):
    """One step of a case's history: who moved it from which status to which, and why."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(Timestamp)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)


class AuditRecord(Base):
    """An append-only audit entry, chained: ``hash = sha256(prev_hash + canonical record)``.

    ``before``/``after`` are digests of the case state, never the state itself, so the
    log holds no personal data.
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(Timestamp)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    before_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    after_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The chain's tip (one row): locked by every appender, so the chain stays a single line."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class IdempotencyKey(Base):
    """A submission's ``Idempotency-Key``: a retry gets the stored response, never a second case."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_digest: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(Json)
    case_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)


# The monitoring tables live in their own module; importing it here registers them on Base.metadata,
# so Alembic (and the model/migration comparison test) sees every table.
import koshi.store.monitoring  # noqa: E402, F401
from koshi.store import registry as _registry  # noqa: E402, F401
