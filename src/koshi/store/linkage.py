"""Record linkage on the registry: one stable person id per human, clerical review, merges and splits.

A linkage record is a **document identity**: a travel document as one feed first stated it
(:class:`DocumentIdentity`, written at import by :mod:`koshi.store.registry_import`). A
run (:func:`run`) exports them (:func:`records`), links them with
:func:`koshi.linkage.run.link` and gives every cluster a person id with
:func:`koshi.linkage.ids.assign`, so ids never change under a new batch: a cluster keeps
the oldest person id it holds, the other persons are *merged* into it (recorded in
``person_merges`` with the pair that linked them), and a person's records stay together
(only an officer splits a person). The first run scores everything; later runs score only
the identities that arrived since (``incremental``) with the model the last run trained.

Pairs in the review band go to ``link_reviews``. An officer's decision (:func:`decide`) is
appended to ``link_decisions``, acts at once (``same`` merges the two persons; ``different``
splits the person holding both records, re-clustered without the rejected link) and
overrides the model in every later run: accepted pairs are must-links, rejected ones
cannot-links.

Roles: police run, read and decide; supervisors read; administrators may run. Every run,
read of a review and decision is in the audit chain, with ids and counts only: never a
name or a number. Migration ``0005_linkage`` creates the tables.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from koshi.linkage import ids
from koshi.store import audit, idempotency
from koshi.store.models import Base, Json, Timestamp
from koshi.store.overstays import OverstayReason, RegistryError, StayStatus
from koshi.store.registry import RegistryPerson, TravelDocument, _stream, _utc

if TYPE_CHECKING:
    from koshi.linkage.run import Linked, Options  # Splink loads when a run starts, not with the store
    from koshi.store.cases import Actor  # the case service imports the models, which import this module

READERS = frozenset({"police", "supervisor"})
"""Roles that see reviews, runs and a person's merges and splits."""
DECIDERS = frozenset({"police"})
"""Roles that decide reviews."""
RUNNERS = frozenset({"police", "admin"})
"""Roles that start a run (the command line runs as the system)."""
STATUSES = ("open", "accepted", "rejected", "superseded")
DECISIONS = ("same", "different")
MAX_NOTE = 2000
"""The longest note on a decision."""
CHUNK = 5_000
"""Rows per UPDATE statement."""

Progress = Callable[[str], None]


class LinkageError(RegistryError):
    """A linkage request refused (``status``: the HTTP status; rendered as problem+json like the registry's)."""


# --- tables ------------------------------------------------------------------------------------------


class DocumentIdentity(Base):
    """A travel document's identity as one feed first sent it: what linkage compares.

    One row per (document, feed), never overwritten: another feed's spelling is another
    row. ``linked_run_id`` is the run that first linked it (null: not linked yet).
    """

    __tablename__ = "document_identities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("travel_documents.id"))
    feed: Mapped[str] = mapped_column(String(20))
    doc_type: Mapped[str] = mapped_column(String(2))
    nationality: Mapped[str] = mapped_column(String(3))
    surname: Mapped[str] = mapped_column(String(80))
    given_names: Mapped[str | None] = mapped_column(String(80), nullable=True)
    birth_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    sex: Mapped[str | None] = mapped_column(String(1), nullable=True)
    iin: Mapped[str | None] = mapped_column(String(12), nullable=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("feed_batches.id"))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    linked_run_id: Mapped[int | None] = mapped_column(ForeignKey("link_runs.id"), nullable=True)

    __table_args__ = (
        UniqueConstraint("document_id", "feed"),
        Index("ix_document_identities_linked", "linked_run_id"),
    )


class LinkRun(Base):
    """One linkage run: its mode, the model it used (Splink settings with m and u), thresholds and counts."""

    __tablename__ = "link_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    finished_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    mode: Mapped[str] = mapped_column(String(12))
    backend: Mapped[str] = mapped_column(String(12))
    model: Mapped[dict[str, Any]] = mapped_column(Json)
    threshold: Mapped[float] = mapped_column(Float)
    review_from: Mapped[float] = mapped_column(Float)
    counts: Mapped[dict[str, Any]] = mapped_column(Json)
    seconds: Mapped[dict[str, Any]] = mapped_column(Json)


class LinkDecision(Base):
    """An officer's decision on a pair of identities (append-only; the latest per pair applies)."""

    __tablename__ = "link_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identity_l: Mapped[int] = mapped_column(ForeignKey("document_identities.id"))
    identity_r: Mapped[int] = mapped_column(ForeignKey("document_identities.id"))
    decision: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("link_reviews.id"), nullable=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (Index("ix_link_decisions_pair", "identity_l", "identity_r", "id"),)


class LinkReview(Base):
    """A pair in the review band, with the comparison levels and weights that gave its score."""

    __tablename__ = "link_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identity_l: Mapped[int] = mapped_column(ForeignKey("document_identities.id"))
    identity_r: Mapped[int] = mapped_column(ForeignKey("document_identities.id"))
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    comparisons: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    tf_adjustment: Mapped[float] = mapped_column(Float)
    run_id: Mapped[int] = mapped_column(ForeignKey("link_runs.id"))
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    decided_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    __table_args__ = (
        Index("ix_link_reviews_status", "status", "id"),
        Index("ix_link_reviews_pair", "identity_l", "identity_r"),
    )


class PersonMerge(Base):
    """A person merged into another: by a run (``model``) or an officer's decision (``review``)."""

    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    from_person_id: Mapped[int] = mapped_column(ForeignKey("registry_persons.id"))
    into_person_id: Mapped[int] = mapped_column(ForeignKey("registry_persons.id"))
    reason: Mapped[str] = mapped_column(String(10))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("link_runs.id"), nullable=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("link_decisions.id"), nullable=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(Timestamp)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)

    __table_args__ = (
        Index("ix_person_merges_from", "from_person_id"),
        Index("ix_person_merges_into", "into_person_id"),
    )


class PersonSplit(Base):
    """Documents split off a person under a new id: after an officer decided two of its records differ
    (``review``), or by a run honouring such a decision the person still broke (``model``)."""

    __tablename__ = "person_splits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    from_person_id: Mapped[int] = mapped_column(ForeignKey("registry_persons.id"))
    new_person_id: Mapped[int] = mapped_column(ForeignKey("registry_persons.id"))
    reason: Mapped[str] = mapped_column(String(10))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("link_decisions.id"), nullable=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(Timestamp)
    documents: Mapped[list[int]] = mapped_column(Json)

    __table_args__ = (
        Index("ix_person_splits_from", "from_person_id"),
        Index("ix_person_splits_new", "new_person_id"),
    )


IDENTITY_COLUMNS = ("doc_type", "nationality", "surname", "given_names", "birth_date", "sex", "iin")
"""The traveller fields an identity keeps (the document's state and number are on the document)."""


# --- helpers -----------------------------------------------------------------------------------------


def _check(actor: Actor | None, roles: frozenset[str]) -> None:
    if actor is not None and actor.role not in roles:
        raise LinkageError(403, f"the {actor.role} role has no access to record linkage")


def _audit(
    session: Session,
    actor: Actor | None,
    now: dt.datetime,
    action: str,
    detail: Mapping[str, Any],
    *,
    case_id: str | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    audit.append(
        session,
        at=now,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else "system",
        action=action,
        case_id=case_id,
        after=after,
        detail=json.dumps(detail, sort_keys=True, default=str),
    )


def _aware(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(dt.UTC)


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def prior_weight(trained: Mapping[str, Any]) -> float:
    """The model's prior as a match weight: log2 of the odds that two random records match.

    >>> round(prior_weight({"probability_two_random_records_match": 0.2}), 3)
    -2.0
    """
    p = float(trained["probability_two_random_records_match"])
    return math.log2(p / (1.0 - p))


def level_labels(trained: Mapping[str, Any]) -> dict[str, list[str]]:
    """Each comparison's level labels by gamma: ``labels[c][gamma]`` (gamma 0 is the last, "else", level).

    Splink numbers a comparison's non-null levels from the top: with k of them the first
    is k-1 and the else level 0; the null level is -1.

    >>> level_labels({"comparisons": [{"output_column_name": "sex", "comparison_levels": [
    ...     {"is_null_level": True, "label_for_charts": "null"},
    ...     {"label_for_charts": "same sex"}, {"label_for_charts": "different sex"}]}]})
    {'sex': ['different sex', 'same sex']}
    """
    out: dict[str, list[str]] = {}
    for comparison in trained["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        out[comparison["output_column_name"]] = [str(lv.get("label_for_charts", "")) for lv in reversed(levels)]
    return out


NOT_KNOWN = "not known on one side"
"""The label of a comparison whose value is missing on a side (its null level: no evidence)."""


def _comparisons(row: Mapping[str, Any], labels: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    """A scored pair's levels and weights per comparison, in model order."""
    out: list[dict[str, Any]] = []
    for name, names in labels.items():
        gamma = int(row.get(f"gamma_{name}", -1))
        weight = float(row.get(f"mw_{name}") or 0.0)
        label = names[gamma] if 0 <= gamma < len(names) else NOT_KNOWN
        out.append({"comparison": name, "level": label, "gamma": gamma, "match_weight": weight})
    return out


# --- the records ------------------------------------------------------------------------------------

RECORDS = pa.schema(
    [
        ("identity_id", pa.int64()),
        ("source", pa.string()),
        ("doc_type", pa.string()),
        ("doc_country", pa.string()),
        ("doc_number", pa.string()),
        ("nationality", pa.string()),
        ("surname", pa.string()),
        ("given_names", pa.string()),
        ("birth_date", pa.date32()),
        ("sex", pa.string()),
        ("iin", pa.string()),
        ("document_id", pa.int64()),
        ("person_id", pa.int64()),
        ("linked_run_id", pa.int64()),
    ]
)


def records(session: Session, *, person_id: int | None = None) -> pa.Table:
    """Every identity (or one person's) as a linkage record (:data:`koshi.linkage.records.RECORD`,
    ``record_id`` the identity id, ``source`` the feed), with ``identity_id``, ``document_id``,
    ``person_id`` and ``linked``; by id."""
    i, d = DocumentIdentity, TravelDocument
    stmt = (
        select(
            i.id,
            i.feed,
            i.doc_type,
            d.doc_country,
            d.doc_number,
            i.nationality,
            i.surname,
            i.given_names,
            i.birth_date,
            i.sex,
            i.iin,
            i.document_id,
            d.person_id,
            i.linked_run_id,
        )
        .join(d, d.id == i.document_id)
        .where(*([] if person_id is None else [d.person_id == person_id]))
        .order_by(i.id)
    )
    table = _stream(session, stmt, RECORDS, 100_000)
    table = table.add_column(0, "record_id", pc.cast(table["identity_id"], pa.string()))
    linked = pc.is_valid(table["linked_run_id"])
    return table.drop_columns(["linked_run_id"]).append_column("linked", linked)


# --- runs --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunReport:
    """What a run did: its id, mode (``full`` or ``incremental``), counts and seconds per step."""

    run_id: int
    mode: str
    counts: dict[str, int]
    seconds: dict[str, float]


def _latest_run(session: Session) -> LinkRun | None:
    return session.scalars(select(LinkRun).order_by(LinkRun.id.desc()).limit(1)).first()


def _latest_decisions(session: Session) -> dict[tuple[int, int], LinkDecision]:
    """The latest decision per identity pair."""
    latest: dict[tuple[int, int], LinkDecision] = {}
    for row in session.scalars(select(LinkDecision).order_by(LinkDecision.id)):
        latest[(row.identity_l, row.identity_r)] = row
    return latest


def _new_persons(session: Session, n: int, now: dt.datetime) -> list[int]:
    rows = [RegistryPerson(created_at=now) for _ in range(n)]
    session.add_all(rows)
    session.flush()
    return [r.id for r in rows]


def _parts(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    return (items[start : start + size] for start in range(0, len(items), size))


def _bulk_update(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Update rows by primary key (each dict: ``id`` and the new values), a chunk per statement."""
    for part in _parts(rows):
        session.execute(update(model), list(part))


def _move_documents(session: Session, moves: Mapping[int, int]) -> None:
    """Give each document (id → person id) its new person."""
    _bulk_update(session, TravelDocument, [{"id": d, "person_id": p} for d, p in sorted(moves.items())])


def _merge(
    session: Session,
    merges: Sequence[tuple[int, int]],
    now: dt.datetime,
    *,
    reason: str,
    actor: Actor | None,
    run_id: int | None = None,
    decision_id: int | None = None,
    evidence: Mapping[tuple[int, int], dict[str, Any]] | None = None,
) -> None:
    """Record merges whose documents have moved already: ``merged_into``, the merge rows, the reasons of
    overstays (they follow the person), and the stay status of the merged-away person (it has no
    documents left: the next refresh computes the survivor's)."""
    if not merges:
        return
    into = dict(merges)
    gone = sorted(into)
    _bulk_update(session, RegistryPerson, [{"id": f, "merged_into": into[f]} for f in gone])
    reasons = [
        {"id": r, "person_id": into[p]}
        for part in _parts(gone)
        for r, p in session.execute(
            select(OverstayReason.id, OverstayReason.person_id).where(OverstayReason.person_id.in_(part))
        )
    ]
    _bulk_update(session, OverstayReason, reasons)
    rows = [
        {
            "from_person_id": f,
            "into_person_id": i,
            "reason": reason,
            "run_id": run_id,
            "decision_id": decision_id,
            "actor_id": actor.id if actor else None,
            "at": now,
            "evidence": (evidence or {}).get((f, i)),
        }
        for f, i in merges
    ]
    for part in _parts(rows):
        session.execute(insert(PersonMerge), list(part))
    for part in _parts(gone):
        session.execute(delete(StayStatus).where(StayStatus.person_id.in_(part)))


def _merge_evidence(
    links: pa.Table, identity: np.ndarray[Any, Any], current: np.ndarray[Any, Any], merges: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], dict[str, Any]]:
    """For each merge, the strongest link between a record of the merged-away person and one of another
    person in its new cluster (the survivor's when there is one)."""
    wanted = dict(merges)
    best: dict[tuple[int, int], tuple[int, float, int, int]] = {}
    left = np.asarray(links["unique_id_l"], dtype=np.int64)
    right = np.asarray(links["unique_id_r"], dtype=np.int64)
    prob = np.asarray(links["match_probability"], dtype=np.float64)
    crossing = np.flatnonzero(current[left] != current[right])
    for k in crossing.tolist():
        a, b = int(left[k]), int(right[k])
        for this, other in ((a, b), (b, a)):
            into = wanted.get(int(current[this]))
            if into is None:
                continue
            rank = (1 if int(current[other]) == into else 0, float(prob[k]))
            key = (int(current[this]), into)
            if key not in best or rank > best[key][:2]:
                best[key] = (*rank, int(identity[this]), int(identity[other]))
    return {
        key: {"identity_l": min(i, j), "identity_r": max(i, j), "match_probability": round(p, 6)}
        for key, (_, p, i, j) in best.items()
    }


def run(
    session: Session,
    actor: Actor | None,
    now: dt.datetime,
    *,
    backend: str | None = None,
    retrain: bool = False,
    full: bool = False,
    options: Options | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Link the registry in the caller's transaction (``actor`` None: the system, as ``koshi link run``).

    The first run, or ``full``, scores every identity; later runs only those not linked yet,
    with the last run's model unless ``retrain``. Imports wait until the transaction ends.

    Raises:
        LinkageError: 403 for a role that may not run; 422 for an empty registry, bad
            options or an unknown backend.
    """
    from koshi.linkage import engine
    from koshi.linkage.records import LinkInputError
    from koshi.linkage.run import Options, link

    _check(actor, RUNNERS)
    now = _aware(now)
    options = options or Options()
    name = (backend or os.environ.get(engine.ENV_BACKEND) or "duckdb").strip().lower()
    if name not in engine.BACKENDS:
        raise LinkageError(422, f"unknown linkage backend {name!r}: use one of {', '.join(engine.BACKENDS)}", "backend")
    step = progress or (lambda _: None)
    idempotency.lock(session)  # one writer: no batch may arrive between the export and the write-back
    step("exporting the registry's identities")
    table = records(session)
    if table.num_rows == 0:
        raise LinkageError(422, "the registry holds no records to link yet: import feed batches first")
    last = _latest_run(session)
    trained = None if retrain or last is None else last.model
    incremental = not full and last is not None
    linked_mask = np.asarray(table["linked"].to_numpy(zero_copy_only=False), dtype=bool)
    fresh = int((~linked_mask).sum())
    started = dt.datetime.now(dt.UTC)
    seconds: dict[str, float] = {}
    linked = None
    try:
        if trained is None:
            clock = time.perf_counter()
            trained = _train(table, options, step)
            seconds["training"] = round(time.perf_counter() - clock, 3)
        if incremental and fresh == 0:
            step("nothing new to link")
        else:
            identity = np.asarray(table["identity_id"], dtype=np.int64)
            index = {int(v): k for k, v in enumerate(identity.tolist())}
            must, cannot = _overrides(_latest_decisions(session), index)
            with engine.opened(name) as chosen:
                linked = link(
                    table,
                    chosen,
                    trained=trained,
                    options=options,
                    new=pa.array(~linked_mask) if incremental else None,
                    together=("doc_key", "person_id"),
                    must=must,
                    cannot=cannot,
                    progress=step,
                )
            seconds.update(linked.seconds)
    except LinkInputError as exc:
        raise LinkageError(422, str(exc)) from None
    step("writing persons, merges and reviews")
    row = LinkRun(
        started_at=now,
        actor_id=actor.id if actor else None,
        mode="incremental" if incremental else "full",
        backend=name,
        model=trained,
        threshold=options.threshold,
        review_from=options.review_from,
        counts={},
        seconds={},
    )
    session.add(row)
    session.flush()
    return _finish(session, row, actor, now, started, table, fresh, linked, seconds)


def _train(table: pa.Table, options: Options, step: Progress) -> dict[str, Any]:
    """The model estimated on the registry's records; a registry too small to estimate it is a clear 422."""
    from splink.internals.exceptions import SplinkException

    from koshi.linkage import engine
    from koshi.linkage.records import check_records, features

    feats = features(check_records(table))
    try:
        return engine.train(feats, options.training, progress=step)
    except (SplinkException, ValueError, ArithmeticError) as exc:  # a level never seen, no pairs to learn from
        raise LinkageError(
            422,
            f"the linkage model cannot be estimated from {table.num_rows:,} records: too few of them agree "
            f"for expectation maximisation to learn from ({type(exc).__name__}); import more feeds first",
        ) from None


def _overrides(
    decisions: Mapping[tuple[int, int], LinkDecision], index: Mapping[int, int]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Officers' latest decisions as record-row pairs: must-links (same) and cannot-links (different)."""
    must: list[tuple[int, int]] = []
    cannot: list[tuple[int, int]] = []
    for (left, right), d in decisions.items():
        if left in index and right in index:
            (must if d.decision == "same" else cannot).append((index[left], index[right]))
    return must, cannot


def _finish(
    session: Session,
    row: LinkRun,
    actor: Actor | None,
    now: dt.datetime,
    started: dt.datetime,
    table: pa.Table,
    fresh: int,
    linked: Linked | None,
    seconds: dict[str, float],
) -> RunReport:
    """Write a run's outcome back: persons, merges, reviews, identities linked, the run row's counts, the audit."""
    counts = {
        "records": table.num_rows,
        "new_records": fresh,
        "pairs": 0,
        "links": 0,
        "clusters": 0,
        "merges": 0,
        "splits": 0,
        "persons_created": 0,
        "queued": 0,
        "superseded": 0,
        "conflicts": 0,
    }
    if linked is not None:
        current = np.asarray(table["person_id"], dtype=np.int64)
        identity = np.asarray(table["identity_id"], dtype=np.int64)
        top = int(session.scalar(select(func.max(RegistryPerson.id))) or 0)
        assigned = ids.assign(linked.clusters.label, current, next_id=top + 1)
        person = assigned.person.copy()
        if assigned.created:
            real = _new_persons(session, assigned.created, now)
            fresh_ids = person > top
            person[fresh_ids] = np.asarray(real, dtype=np.int64)[person[fresh_ids] - top - 1]
        documents = np.asarray(table["document_id"], dtype=np.int64)
        changed = np.flatnonzero(person != current)
        _move_documents(session, {int(documents[k]): int(person[k]) for k in changed.tolist()})
        links = linked.pairs.filter(pc.greater_equal(linked.pairs["match_probability"], row.threshold))
        evidence = _merge_evidence(links, identity, current, assigned.merges)
        _merge(session, assigned.merges, now, reason="model", actor=actor, run_id=row.id, evidence=evidence)
        for from_id, new_id in assigned.splits:  # only when decisions left a person holding a rejected pair
            real_new = int(person[np.flatnonzero(assigned.person == new_id)[0]]) if new_id > top else new_id
            moved = np.flatnonzero((current == from_id) & (person == real_new))
            session.add(
                PersonSplit(
                    from_person_id=from_id,
                    new_person_id=real_new,
                    reason="model",
                    actor_id=actor.id if actor else None,
                    at=now,
                    documents=sorted({int(documents[k]) for k in moved.tolist()}),
                )
            )
        queued = _queue(session, linked.review, identity, person, row.model, row.id, now)
        counts.update(
            pairs=linked.pairs.num_rows,
            links=links.num_rows,
            clusters=linked.clusters.count,
            merges=len(assigned.merges),
            splits=len(assigned.splits),
            persons_created=assigned.created,
            queued=queued,
            superseded=_supersede(session),
            conflicts=len(linked.clusters.conflicts),
        )
    session.execute(
        update(DocumentIdentity).where(DocumentIdentity.linked_run_id.is_(None)).values(linked_run_id=row.id),
        execution_options={"synchronize_session": False},
    )
    seconds["total"] = round((dt.datetime.now(dt.UTC) - started).total_seconds(), 3)
    row.counts = counts
    row.seconds = seconds
    row.finished_at = now + (dt.datetime.now(dt.UTC) - started)
    session.flush()
    _audit(session, actor, now, "linkage.run", {"run": row.id, "mode": row.mode, **counts}, case_id=f"run:{row.id}")
    return RunReport(row.id, row.mode, counts, seconds)


def _queue(
    session: Session,
    review: pa.Table,
    identity: np.ndarray[Any, Any],
    person: np.ndarray[Any, Any],
    trained: Mapping[str, Any],
    run_id: int,
    now: dt.datetime,
) -> int:
    """Queue the review band's pairs: the strongest pair per two persons, unless those two persons
    already have an open review or an officer decided one of their pairs."""
    if review.num_rows == 0:
        return 0
    person_of_identity = {int(i): int(p) for i, p in zip(identity.tolist(), person.tolist(), strict=True)}

    def persons(a: int, b: int) -> tuple[int, int]:
        return _pair(person_of_identity[a], person_of_identity[b])

    open_pairs = session.execute(
        select(LinkReview.identity_l, LinkReview.identity_r).where(LinkReview.status == "open")
    ).all()
    taken = {persons(a, b) for a, b in open_pairs}
    taken |= {persons(a, b) for a, b in _latest_decisions(session)}
    labels = level_labels(trained)
    best: dict[tuple[int, int], dict[str, Any]] = {}
    for pair in review.to_pylist():
        a, b = int(identity[pair["unique_id_l"]]), int(identity[pair["unique_id_r"]])
        key = _pair(int(person[pair["unique_id_l"]]), int(person[pair["unique_id_r"]]))
        if key[0] == key[1] or key in taken:
            continue
        if key not in best or pair["match_probability"] > best[key]["match_probability"]:
            best[key] = {**pair, "_l": min(a, b), "_r": max(a, b)}
    for pair in sorted(best.values(), key=lambda p: (p["_l"], p["_r"])):
        session.add(
            LinkReview(
                identity_l=pair["_l"],
                identity_r=pair["_r"],
                match_probability=float(pair["match_probability"]),
                match_weight=float(pair["match_weight"]),
                comparisons=_comparisons(pair, labels),
                tf_adjustment=float(pair.get("mw_tf_adj_name") or 0.0),
                run_id=run_id,
                status="open",
                created_at=now,
            )
        )
    session.flush()
    return len(best)


def _supersede(session: Session) -> int:
    """Close the open reviews whose two records are one person now (linked through other records)."""
    left, right = aliased(DocumentIdentity), aliased(DocumentIdentity)
    doc_l, doc_r = aliased(TravelDocument), aliased(TravelDocument)
    stale = list(
        session.scalars(
            select(LinkReview.id)
            .join(left, left.id == LinkReview.identity_l)
            .join(right, right.id == LinkReview.identity_r)
            .join(doc_l, doc_l.id == left.document_id)
            .join(doc_r, doc_r.id == right.document_id)
            .where(LinkReview.status == "open", doc_l.person_id == doc_r.person_id)
        )
    )
    if stale:
        session.execute(
            update(LinkReview).where(LinkReview.id.in_(stale)).values(status="superseded"),
            execution_options={"synchronize_session": "fetch"},
        )
    return len(stale)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """A past run, without its model."""

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


def runs(session: Session, actor: Actor, *, limit: int = 50, offset: int = 0) -> tuple[list[RunSummary], int]:
    """Past runs, newest first, and how many there are."""
    _check(actor, READERS | RUNNERS)
    r = LinkRun
    found = session.execute(
        select(
            r.id,
            r.started_at,
            r.finished_at,
            r.actor_id,
            r.mode,
            r.backend,
            r.threshold,
            r.review_from,
            r.counts,
            r.seconds,
        )
        .order_by(r.id.desc())
        .limit(limit)
        .offset(offset)
    )
    items = [
        RunSummary(
            id=x.id,
            started_at=_utc(x.started_at),
            finished_at=_utc(x.finished_at) if x.finished_at else None,
            actor_id=x.actor_id,
            mode=x.mode,
            backend=x.backend,
            threshold=x.threshold,
            review_from=x.review_from,
            counts=dict(x.counts),
            seconds=dict(x.seconds),
        )
        for x in found
    ]
    return items, int(session.scalar(select(func.count()).select_from(r)) or 0)


# --- reviews -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Identity:
    """One side of a pair: the identity as its feed stated it, on its document, and its person now.

    Personal data (for authorised pages only); ``iin`` is in full: pages show its mask.
    """

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
    iin: str | None
    person_id: int

    @property
    def name(self) -> str:
        """Surname and given names, as the feed wrote them."""
        return f"{self.surname} {self.given_names}" if self.given_names else self.surname

    @property
    def document(self) -> str:
        """Issuing state and number."""
        return f"{self.doc_country} {self.doc_number}"


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A row of the review queue."""

    id: int
    status: str
    match_probability: float
    match_weight: float
    run_id: int
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: int | None
    left: Identity
    right: Identity

    @property
    def probability(self) -> float:
        return self.match_probability


@dataclass(frozen=True, slots=True)
class ReviewPage:
    """A page of the queue."""

    items: tuple[ReviewItem, ...]
    total: int
    page: int
    pages: int
    status: str = "open"
    per_page: int = 50


def _identities(session: Session, wanted: Iterable[int]) -> dict[int, Identity]:
    keys = sorted(set(wanted))
    if not keys:
        return {}
    i, d = DocumentIdentity, TravelDocument
    rows = session.execute(
        select(i, d.doc_country, d.doc_number, d.person_id).join(d, d.id == i.document_id).where(i.id.in_(keys))
    )
    return {
        x.id: Identity(
            identity_id=x.id,
            feed=x.feed,
            document_id=x.document_id,
            doc_type=x.doc_type,
            doc_country=country,
            doc_number=number,
            nationality=x.nationality,
            surname=x.surname,
            given_names=x.given_names,
            birth_date=x.birth_date,
            sex=x.sex,
            iin=x.iin,
            person_id=person,
        )
        for x, country, number, person in rows
    }


def _item(r: LinkReview, found: Mapping[int, Identity]) -> ReviewItem:
    return ReviewItem(
        id=r.id,
        status=r.status,
        match_probability=r.match_probability,
        match_weight=r.match_weight,
        run_id=r.run_id,
        created_at=_utc(r.created_at),
        decided_at=_utc(r.decided_at) if r.decided_at else None,
        decided_by=r.decided_by,
        left=found[r.identity_l],
        right=found[r.identity_r],
    )


def reviews(
    session: Session,
    actor: Actor,
    *,
    status: str = "open",
    page: int = 1,
    per_page: int = 50,
    now: dt.datetime | None = None,
) -> ReviewPage:
    """A page of reviews with ``status``: open ones oldest first, decided ones latest decided first."""
    _check(actor, READERS)
    if status not in STATUSES:
        raise LinkageError(422, f"unknown review status {status!r}; known: {', '.join(STATUSES)}", field="status")
    if page < 1 or not 1 <= per_page <= 500:
        raise LinkageError(422, "page must be 1 or more and per_page between 1 and 500", field="page")
    stmt = select(LinkReview).where(LinkReview.status == status)
    if status == "open":
        stmt = stmt.order_by(LinkReview.id)
    else:
        stmt = stmt.order_by(LinkReview.decided_at.desc(), LinkReview.id.desc())
    total = int(session.scalar(select(func.count()).select_from(LinkReview).where(LinkReview.status == status)) or 0)
    rows = list(session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)))
    found = _identities(session, [x for r in rows for x in (r.identity_l, r.identity_r)])
    items = tuple(_item(r, found) for r in rows)
    _audit(
        session,
        actor,
        _aware(now or dt.datetime.now(dt.UTC)),
        "linkage.reviews",
        {"status": status, "page": page, "shown": len(items), "total": total},
    )
    return ReviewPage(items, total, page, max(1, math.ceil(total / per_page)), status, per_page)


@dataclass(frozen=True, slots=True)
class Comparison:
    """One comparison of a pair: the level it reached (its label; gamma -1: a value missing) and its weight."""

    comparison: str
    level: str
    gamma: int
    match_weight: float


@dataclass(frozen=True, slots=True)
class PersonDocumentRef:
    """Another document of a side's person (for the officer to see what a decision would join or split)."""

    id: int
    doc_type: str
    doc_country: str
    doc_number: str


@dataclass(frozen=True, slots=True)
class DecisionEntry:
    """A decision on the pair, as recorded."""

    id: int
    decision: str
    note: str | None
    review_id: int | None
    actor_id: int
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class ReviewDetail:
    """One pair side by side and the evidence behind its score (the waterfall: prior, each comparison's
    weight, the name-frequency adjustment, the final weight)."""

    id: int
    status: str
    run_id: int
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: int | None
    left: Identity
    right: Identity
    left_documents: tuple[PersonDocumentRef, ...]
    right_documents: tuple[PersonDocumentRef, ...]
    comparisons: tuple[Comparison, ...]
    prior_weight: float
    tf_adjustment: float
    final_weight: float
    match_probability: float
    history: tuple[DecisionEntry, ...] = field(default=())

    @property
    def match_weight(self) -> float:
        return self.final_weight

    @property
    def same_person(self) -> bool:
        """Whether the two records belong to one person now."""
        return self.left.person_id == self.right.person_id


def _get_review(session: Session, review_id: int) -> LinkReview:
    found = session.get(LinkReview, review_id)
    if found is None:
        raise LinkageError(404, f"no review {review_id}")
    return found


def _documents_of(session: Session, person_id: int) -> tuple[PersonDocumentRef, ...]:
    d = TravelDocument
    rows = session.execute(
        select(d.id, d.doc_type, d.doc_country, d.doc_number).where(d.person_id == person_id).order_by(d.id)
    )
    return tuple(PersonDocumentRef(*x) for x in rows)


def _history(session: Session, left: int, right: int) -> tuple[DecisionEntry, ...]:
    rows = session.scalars(
        select(LinkDecision)
        .where(LinkDecision.identity_l == left, LinkDecision.identity_r == right)
        .order_by(LinkDecision.id)
    )
    return tuple(DecisionEntry(r.id, r.decision, r.note, r.review_id, r.actor_id, _utc(r.at)) for r in rows)


def review(session: Session, actor: Actor, review_id: int, now: dt.datetime | None = None) -> ReviewDetail:
    """One review with both records, their persons' documents, the comparisons and the decisions so far."""
    _check(actor, READERS)
    r = _get_review(session, review_id)
    found = _identities(session, (r.identity_l, r.identity_r))
    left, right = found[r.identity_l], found[r.identity_r]
    model = session.scalar(select(LinkRun.model).where(LinkRun.id == r.run_id)) or {}
    prior = prior_weight(model) if model else 0.0
    detail = ReviewDetail(
        id=r.id,
        status=r.status,
        run_id=r.run_id,
        created_at=_utc(r.created_at),
        decided_at=_utc(r.decided_at) if r.decided_at else None,
        decided_by=r.decided_by,
        left=left,
        right=right,
        left_documents=_documents_of(session, left.person_id),
        right_documents=_documents_of(session, right.person_id),
        comparisons=tuple(
            Comparison(c["comparison"], c["level"], int(c["gamma"]), float(c["match_weight"])) for c in r.comparisons
        ),
        prior_weight=prior,
        tf_adjustment=r.tf_adjustment,
        final_weight=r.match_weight,
        match_probability=r.match_probability,
        history=_history(session, r.identity_l, r.identity_r),
    )
    _audit(
        session,
        actor,
        _aware(now or dt.datetime.now(dt.UTC)),
        "linkage.review",
        {"review": r.id, "identities": [r.identity_l, r.identity_r], "persons": [left.person_id, right.person_id]},
        case_id=f"review:{r.id}",
    )
    return detail


# --- decisions ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecisionReport:
    """What a decision did: ``merged`` (from_person into into_person), ``split`` (from_person lost the
    records now under new_persons) or ``unchanged`` (the persons were already as decided)."""

    review_id: int
    decision_id: int
    decision: str
    outcome: Literal["merged", "split", "unchanged"]
    status: str
    from_person: int | None = None
    into_person: int | None = None
    new_persons: tuple[int, ...] = ()


def _person_of(session: Session, identity_id: int) -> int:
    found = session.scalar(
        select(TravelDocument.person_id)
        .join(DocumentIdentity, DocumentIdentity.document_id == TravelDocument.id)
        .where(DocumentIdentity.id == identity_id)
    )
    assert found is not None
    return int(found)


def _rejected_between(session: Session, a: int, b: int, pair: tuple[int, int]) -> LinkDecision | None:
    """A standing 'different' decision between a record of person ``a`` and one of person ``b`` (other than
    on ``pair``, the one being decided again)."""
    owner = dict(
        session.execute(
            select(DocumentIdentity.id, TravelDocument.person_id)
            .join(TravelDocument, TravelDocument.id == DocumentIdentity.document_id)
            .where(TravelDocument.person_id.in_([a, b]))
        ).all()
    )
    for (left, right), d in _latest_decisions(session).items():
        if d.decision != "different" or (left, right) == pair:
            continue
        if left in owner and right in owner and owner[left] != owner[right]:
            return d
    return None


def decide(
    session: Session,
    actor: Actor,
    review_id: int,
    decision: str,
    note: str | None,
    now: dt.datetime,
    *,
    backend: str | None = None,
) -> DecisionReport:
    """Record an officer's decision on a review and apply it at once (see the module's description).

    Deciding a review again replaces the earlier decision (the latest applies).

    Raises:
        LinkageError: 403 role; 404 unknown review; 422 a bad decision or a note too long;
            409 an acceptance that would join records an officer decided are different people.
    """
    _check(actor, DECIDERS)
    now = _aware(now)
    r = _get_review(session, review_id)
    if decision not in DECISIONS:
        raise LinkageError(422, f"decision must be one of {', '.join(DECISIONS)}", field="decision")
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise LinkageError(422, f"the note is longer than {MAX_NOTE:,} characters", field="note")
    idempotency.lock(session)
    p_left, p_right = _person_of(session, r.identity_l), _person_of(session, r.identity_r)
    if decision == "same" and p_left != p_right:
        clash = _rejected_between(session, p_left, p_right, (r.identity_l, r.identity_r))
        if clash is not None:
            raise LinkageError(
                409,
                f"the two persons hold records an officer decided are different people (decision {clash.id}); "
                "decide that pair again first",
            )
    row = LinkDecision(
        identity_l=r.identity_l,
        identity_r=r.identity_r,
        decision=decision,
        note=note,
        review_id=r.id,
        actor_id=actor.id,
        at=now,
    )
    session.add(row)
    r.status = "accepted" if decision == "same" else "rejected"
    r.decided_at = now
    r.decided_by = actor.id
    session.flush()
    report = DecisionReport(r.id, row.id, decision, "unchanged", r.status)
    if decision == "same" and p_left != p_right:
        into, gone = min(p_left, p_right), max(p_left, p_right)
        moved = list(session.scalars(select(TravelDocument.id).where(TravelDocument.person_id == gone)))
        _move_documents(session, dict.fromkeys(moved, into))
        evidence = {
            "identity_l": r.identity_l,
            "identity_r": r.identity_r,
            "match_probability": round(r.match_probability, 6),
        }
        _merge(
            session,
            [(gone, into)],
            now,
            reason="review",
            actor=actor,
            decision_id=row.id,
            evidence={(gone, into): evidence},
        )
        _supersede(session)
        report = DecisionReport(r.id, row.id, decision, "merged", r.status, gone, into)
    elif decision == "different" and p_left == p_right:
        report = _split(session, actor, r, row, p_left, now, backend)
    _audit(
        session,
        actor,
        now,
        "linkage.decision",
        {
            "review": r.id,
            "decision": decision,
            "outcome": report.outcome,
            "from": report.from_person,
            "into": report.into_person,
            "new": list(report.new_persons),
        },
        case_id=f"review:{r.id}",
        after={"decision": decision, "note": note},
    )
    return report


def _split(
    session: Session,
    actor: Actor,
    r: LinkReview,
    decision: LinkDecision,
    person_id: int,
    now: dt.datetime,
    backend: str | None,
) -> DecisionReport:
    """Split ``person_id`` after a 'different' decision: re-cluster its records with the latest model
    (must: same document and accepted pairs; cannot: rejected pairs); the largest part keeps the id."""
    from koshi.linkage import engine
    from koshi.linkage.run import Options, link

    mine = records(session, person_id=person_id)
    identity = np.asarray(mine["identity_id"], dtype=np.int64)
    index = {int(v): k for k, v in enumerate(identity.tolist())}
    must, cannot = _overrides(_latest_decisions(session), index)
    last = _latest_run(session)
    default = Options()
    threshold = last.threshold if last else default.threshold  # the thresholds the person was linked with
    review_from = min(last.review_from if last else default.review_from, threshold)
    options = Options(threshold=threshold, review_from=review_from, floor=min(default.floor, review_from))
    with engine.opened(backend or "duckdb") as chosen:
        linked = link(
            mine.drop_columns(["person_id"]),
            chosen,
            trained=last.model if last else None,
            options=options,
            together=("doc_key",),
            must=must,
            cannot=cannot,
        )
    if linked.clusters.conflicts:
        raise LinkageError(
            409, "the decisions on this person's records contradict each other: review its other decisions first"
        )
    top = int(session.scalar(select(func.max(RegistryPerson.id))) or 0)
    assigned = ids.assign(linked.clusters.label, np.full(len(identity), person_id, dtype=np.int64), next_id=top + 1)
    if not assigned.created:
        return DecisionReport(r.id, decision.id, decision.decision, "unchanged", r.status)
    real = _new_persons(session, assigned.created, now)
    person = assigned.person.copy()
    fresh = person > top
    person[fresh] = np.asarray(real, dtype=np.int64)[person[fresh] - top - 1]
    documents = np.asarray(mine["document_id"], dtype=np.int64)
    moves = {int(documents[k]): int(person[k]) for k in np.flatnonzero(fresh).tolist()}
    _move_documents(session, moves)
    for new_id in real:
        session.add(
            PersonSplit(
                from_person_id=person_id,
                new_person_id=new_id,
                reason="review",
                decision_id=decision.id,
                actor_id=actor.id,
                at=now,
                documents=sorted({d for d, p in moves.items() if p == new_id}),
            )
        )
    session.execute(delete(StayStatus).where(StayStatus.person_id == person_id))
    session.flush()
    return DecisionReport(r.id, decision.id, decision.decision, "split", r.status, person_id, None, tuple(real))


# --- a person's links --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MergeEntry:
    """A merge touching the person."""

    id: int
    from_person_id: int
    into_person_id: int
    reason: str
    run_id: int | None
    decision_id: int | None
    actor_id: int | None
    at: dt.datetime
    evidence: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class SplitEntry:
    """A split touching the person."""

    id: int
    from_person_id: int
    new_person_id: int
    reason: str
    decision_id: int | None
    actor_id: int | None
    at: dt.datetime
    documents: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PersonLinks:
    """A person's merges and splits, and where the id lives on when it was merged away."""

    person_id: int
    merged_into: int | None
    current: int
    merges: tuple[MergeEntry, ...]
    splits: tuple[SplitEntry, ...]


def resolve_person(session: Session, person_id: int) -> int | None:
    """The surviving id of ``person_id`` (itself unless merged away; chains followed); None if unknown."""
    seen: set[int] = set()
    current = person_id
    while True:
        found = session.execute(
            select(RegistryPerson.id, RegistryPerson.merged_into).where(RegistryPerson.id == current)
        ).first()
        if found is None:
            return None if current == person_id else current
        if found.merged_into is None or found.merged_into in seen:
            return current
        seen.add(current)
        current = int(found.merged_into)


def history(session: Session, actor: Actor, person_id: int, now: dt.datetime | None = None) -> PersonLinks:
    """Merges and splits that touched ``person_id``, oldest first."""
    _check(actor, READERS)
    current = resolve_person(session, person_id)
    if current is None:
        raise LinkageError(404, "no such person in the registry")
    merged_into = session.scalar(select(RegistryPerson.merged_into).where(RegistryPerson.id == person_id))
    merges = tuple(
        MergeEntry(
            m.id,
            m.from_person_id,
            m.into_person_id,
            m.reason,
            m.run_id,
            m.decision_id,
            m.actor_id,
            _utc(m.at),
            m.evidence,
        )
        for m in session.scalars(
            select(PersonMerge)
            .where(or_(PersonMerge.from_person_id == person_id, PersonMerge.into_person_id == person_id))
            .order_by(PersonMerge.id)
        )
    )
    splits = tuple(
        SplitEntry(
            s.id, s.from_person_id, s.new_person_id, s.reason, s.decision_id, s.actor_id, _utc(s.at), tuple(s.documents)
        )
        for s in session.scalars(
            select(PersonSplit)
            .where(or_(PersonSplit.from_person_id == person_id, PersonSplit.new_person_id == person_id))
            .order_by(PersonSplit.id)
        )
    )
    _audit(
        session,
        actor,
        _aware(now or dt.datetime.now(dt.UTC)),
        "linkage.history",
        {"merges": len(merges), "splits": len(splits)},
        case_id=f"person:{person_id}",
    )
    return PersonLinks(person_id, merged_into, current, merges, splits)


# The foreign-labour store reads the registry, stay status and linkage; registering it (and the agencies) from
# here, the end of the chain models -> registry -> overstays -> linkage, lets any store module be imported first.
import koshi.store.agencies  # noqa: E402
import koshi.store.labour  # noqa: E402
import koshi.store.resettle  # noqa: E402, F401
