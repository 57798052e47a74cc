"""The audit chain as pure functions: digests of case state, record hashes and the chain check.

Each record's hash is ``sha256(prev_hash + canonical(record))``, so editing, deleting
or reordering any record breaks the link to the next one, and the chain's head (the
last seq and hash, kept apart) catches records cut from the end.  The log stores
digests of the case state, never the state, so it holds no personal data.

No I/O and no clock: the repository (:mod:`koshi.store.audit`) passes the time in
and feeds stored records to :func:`verify_chain`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

GENESIS = "0" * 64
"""``prev_hash`` of the first record (and the hash of the empty chain's head)."""


# --- digests of case state ---------------------------------------------------------------------------


def _number(value: int | float | Decimal) -> str:
    """One spelling per number: ``1``, ``1.0`` and ``Decimal("1.00")`` all give ``1``.

    A value that round-trips through a database (float column, JSON, NUMERIC) then
    keeps its digest.  Floats use Python's shortest round-trip ``repr``.
    """
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot digest the non-finite number {value!r}")
        return str(int(value)) if value.is_integer() else repr(value)
    if not value.is_finite():
        raise ValueError(f"cannot digest the non-finite number {value!r}")
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 text kept as is; dates as ISO strings (aware ones in UTC)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        moment = value.astimezone(dt.UTC) if value.tzinfo is not None else value
        return json.dumps(moment.isoformat())
    if isinstance(value, dt.date):
        return json.dumps(value.isoformat())
    if isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise TypeError(f"cannot digest a mapping with the non-string key {key!r}")
        items = (json.dumps(k, ensure_ascii=False) + ":" + _canonical_json(value[k]) for k in sorted(value))
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canonical_json(v) for v in value) + "]"
    raise TypeError(f"cannot digest a value of type {type(value).__name__}")


def digest(state: Mapping[str, Any] | None, key: bytes | None = None) -> str | None:
    """SHA-256 (hex) of the canonical JSON of ``state``; ``None`` stays ``None`` (no state).

    Key order and number spelling do not matter; any other change of a value does.
    With ``key`` it is an HMAC: a state holding an IIN (about 10^6 candidates per
    birth date) cannot be recovered from its digest by trying them all.

    Examples:
        >>> digest({"b": 1, "a": [1.0, "x"]}) == digest({"a": [1, "x"], "b": 1})
        True
        >>> digest({"a": 1}) == digest({"a": 2}), digest(None)
        (False, None)
    """
    if state is None:
        return None
    data = _canonical_json(state).encode("utf-8")
    if key is not None:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


# --- records and their hashes ------------------------------------------------------------------------


class EntryLike(Protocol):
    """The hashed fields of an audit record (an :class:`AuditEntry` or a stored row)."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> dt.datetime: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def actor_role(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def case_id(self) -> str | None: ...
    @property
    def before_digest(self) -> str | None: ...
    @property
    def after_digest(self) -> str | None: ...
    @property
    def detail(self) -> str | None: ...


class StoredLike(EntryLike, Protocol):
    """A stored record: the fields plus its link (``koshi.store.models.AuditRecord`` is one)."""

    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit record before it is chained: who did what to which case, and when."""

    seq: int
    at: dt.datetime
    actor_id: int | None
    actor_role: str
    action: str
    case_id: str | None
    before_digest: str | None
    after_digest: str | None
    detail: str | None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("an audit entry's time must be timezone-aware")


def _utc_iso(at: dt.datetime) -> str:
    """``at`` in UTC with microseconds; a naive time is taken as UTC (SQLite returns times naive)."""
    moment = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    return moment.isoformat(timespec="microseconds")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one instance: verify calls it per record


def canonical(entry: EntryLike) -> bytes:
    """The bytes that are hashed: every field, in a fixed order, as a compact JSON array."""
    fields = [
        entry.seq,
        _utc_iso(entry.at),
        entry.actor_id,
        entry.actor_role,
        entry.action,
        entry.case_id,
        entry.before_digest,
        entry.after_digest,
        entry.detail,
    ]
    return _ENCODER.encode(fields).encode("utf-8")


def link(prev_hash: str, entry: EntryLike) -> str:
    """The hash of ``entry`` chained after ``prev_hash``: ``sha256(prev_hash + canonical(entry))``."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(entry)).hexdigest()


# --- checking the chain ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of a chain check: ``checked`` counts the records found intact before any problem."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None


def _broken(checked: int, seq: int | None, reason: str) -> ChainReport:
    return ChainReport(ok=False, checked=checked, first_bad_seq=seq, reason=reason)


def verify_chain(records: Iterable[StoredLike], head: tuple[int, str] | None) -> ChainReport:
    """Walk ``records`` (in seq order, streamed) and stop at the first one that breaks the chain.

    Checks, per record: its seq is the next one (else a record was deleted), its
    ``prev_hash`` is the previous record's hash (else records were reordered or one
    before it removed), its hash matches its content (else it was edited).  Then the
    last record must be the ``head`` ``(seq, hash)``, which catches records cut from
    the end; ``head=None`` skips that check.  Keeps only the previous hash: O(1) memory.
    """
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    for record in records:
        seq = record.seq
        if seq != expected_seq:
            if seq > expected_seq:
                return _broken(checked, expected_seq, f"record {expected_seq} is missing (deleted) — found {seq}")
            return _broken(checked, seq, f"record {seq} is out of order (expected record {expected_seq})")
        if record.prev_hash != prev_hash:
            if seq == 1:
                return _broken(checked, seq, "record 1 does not start the chain (its prev_hash is not the genesis)")
            return _broken(
                checked,
                seq,
                f"record {seq} does not follow record {seq - 1} (prev_hash mismatch: reordered, a record before "
                f"it was removed, or record {seq - 1} was rewritten with a recomputed hash)",
            )
        if link(prev_hash, record) != record.hash:
            return _broken(checked, seq, f"record {seq} was edited (its hash does not match its content)")
        prev_hash = record.hash
        expected_seq += 1
        checked += 1
    if head is None:
        return ChainReport(ok=True, checked=checked)
    last = expected_seq - 1
    head_seq, head_hash = head
    if last < head_seq:
        reason = f"the chain ends at {last} but the head says {head_seq} (records deleted from the end)"
        return _broken(checked, last + 1, reason)
    if last > head_seq:
        reason = f"the chain ends at {last} but the head says {head_seq} (records added past the head)"
        return _broken(checked, head_seq + 1, reason)
    if prev_hash != head_hash:
        return _broken(
            checked,
            last or None,
            f"record {last}'s hash differs from the head's (the last record was rewritten with a recomputed hash, "
            "or the head was altered)",
        )
    return ChainReport(ok=True, checked=checked)
