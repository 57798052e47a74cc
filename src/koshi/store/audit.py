"""The audit chain in the database: append a record inside the caller's transaction, verify the chain.

Appenders serialise on the head row (``audit_head``, id 1): PostgreSQL locks it
with ``SELECT … FOR UPDATE``, SQLite already holds the write lock from ``BEGIN
IMMEDIATE``.  So seqs have no gaps and every record links to the one before,
and a rolled-back request leaves neither a record nor a moved head.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from koshi.cases.audit import AuditEntry, ChainReport, digest, link, verify_chain
from koshi.redact import redact
from koshi.settings import settings
from koshi.store.models import AuditHead, AuditRecord

HEAD_ID = 1
HEAD_MISSING = "audit head missing: run `koshi db upgrade`"

# Built once: constructing the statement costs more than running it.  populate_existing,
# because a head this session cached in an earlier transaction is stale.
_LOCK_HEAD = (
    select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update().execution_options(populate_existing=True)
)


def _digest_key() -> bytes:
    """The digest key: the service's signing secret, so digests of personal data cannot be brute-forced."""
    return settings().signing_key().encode()


def _redact(detail: str | None) -> str | None:
    """``detail`` without IINs or passport numbers: the log is kept for years and cannot be cleaned later."""
    return None if detail is None else redact(detail)


def append(
    session: Session,
    *,
    at: dt.datetime,
    actor_id: int | None,
    actor_role: str,
    action: str,
    case_id: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    detail: str | None = None,
) -> AuditRecord:
    """Chain one record after the head, in the caller's transaction (which commits or rolls back both).

    ``before``/``after`` are the case state (JSON-able) and are stored only as
    digests; ``detail`` is redacted.  ``at`` must be timezone-aware and is stored
    in UTC, since SQLite keeps no offset and the hash covers the UTC time.
    """
    if at.tzinfo is None:
        raise ValueError("audit time must be timezone-aware")
    key = _digest_key()
    before_digest = digest(before, key)
    after_digest = before_digest if after is before else digest(after, key)  # a read: one state, one digest
    head = session.execute(_LOCK_HEAD).scalar_one_or_none()  # lock as late as possible: it serialises writers
    if head is None:
        raise RuntimeError(HEAD_MISSING)
    entry = AuditEntry(
        seq=head.seq + 1,
        at=at.astimezone(dt.UTC),
        actor_id=actor_id,
        actor_role=actor_role,
        action=action,
        case_id=case_id,
        before_digest=before_digest,
        after_digest=after_digest,
        detail=_redact(detail),
    )
    record = AuditRecord(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_role=entry.actor_role,
        action=entry.action,
        case_id=entry.case_id,
        before_digest=entry.before_digest,
        after_digest=entry.after_digest,
        detail=entry.detail,
        prev_hash=head.hash,
        hash=link(head.hash, entry),
    )
    session.add(record)
    head.seq, head.hash = record.seq, record.hash
    return record


def verify(session: Session, batch: int = 5000) -> ChainReport:
    """Check the whole chain against the head, streaming ``batch`` records at a time.

    Only records up to the head read first are walked, so appends committed during
    the walk (PostgreSQL, READ COMMITTED) do not look like tampering.  Afterwards a
    record beyond the *current* head can only have been written around the chain.
    """
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)).one_or_none()
    if head is None:
        return ChainReport(ok=False, checked=0, reason=HEAD_MISSING)
    result = session.execute(
        select(AuditRecord)
        .where(AuditRecord.seq <= head.seq)
        .order_by(AuditRecord.seq)
        .execution_options(yield_per=batch, populate_existing=True)  # the database's rows, not cached objects
    ).scalars()
    try:
        report = verify_chain(result, (head.seq, head.hash))
    finally:
        result.close()
    if not report.ok:
        return report
    # Max first, head second: a legitimate record visible to the first query has its head visible to the second.
    last = session.execute(select(func.max(AuditRecord.seq))).scalar_one()
    if last is None or last <= head.seq:
        return report
    head_now = session.execute(select(AuditHead.seq).where(AuditHead.id == HEAD_ID)).scalar_one()
    if last <= head_now:
        return report
    stray = session.execute(select(func.min(AuditRecord.seq)).where(AuditRecord.seq > head_now)).scalar_one()
    return ChainReport(
        ok=False,
        checked=report.checked,
        first_bad_seq=stray,
        reason=f"record {stray} lies past the head ({head_now}): it was written around the chain",
    )
