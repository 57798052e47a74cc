"""Record linkage on the registry: runs, stable person ids, merges, the review queue, decisions, splits, roles."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from sqlalchemy import Engine, select

from koshi.linkage import engine as link_engine
from koshi.registry.schema import RECORD_ID
from koshi.store import linkage
from koshi.store.cases import Actor
from koshi.store.db import make_sessionmaker, transaction
from koshi.store.linkage import LinkageError, LinkDecision, LinkReview, PersonMerge, PersonSplit
from koshi.store.models import AuditRecord, User
from koshi.store.registry import FEED_MODELS, RegistryPerson, TravelDocument
from tests.registry_data import LINKAGE_CASES, REVIEW_FROM, crossing, link_options, linkage_registry, load

NOW = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
POLICE = Actor(1, "police")


@pytest.fixture
def registry(engine: Engine) -> tuple[Engine, Any]:
    """Corrupted synthetic feeds of 400 travellers plus the hand-made cases, not linked yet; a police user."""
    with transaction(make_sessionmaker(engine)) as session:
        session.add(User(username="officer", full_name="", role="police", password_hash="x", created_at=NOW))
    return engine, linkage_registry(engine)


def run(engine: Engine, **kwargs: Any) -> linkage.RunReport:
    options = kwargs.pop("options", link_options())
    with transaction(make_sessionmaker(engine)) as session:
        return linkage.run(session, kwargs.pop("actor", None), NOW, options=options, **kwargs)


def persons(engine: Engine) -> dict[str, int]:
    """Each travel document number's person now."""
    with make_sessionmaker(engine)() as session:
        return dict(session.execute(select(TravelDocument.doc_number, TravelDocument.person_id)).all())


def person_of(engine: Engine, case: str) -> int:
    return persons(engine)[LINKAGE_CASES[case]["doc_number"]]


def open_review(engine: Engine, a: str, b: str) -> LinkReview:
    """The review of two hand-made cases' records."""
    with make_sessionmaker(engine)() as session:
        page = linkage.reviews(session, POLICE, per_page=500)
        numbers = {LINKAGE_CASES[a]["doc_number"], LINKAGE_CASES[b]["doc_number"]}
        (item,) = [i for i in page.items if {i.left.doc_number, i.right.doc_number} == numbers]
        found = session.get(LinkReview, item.id)
        assert found is not None
        return found


def decide(engine: Engine, review_id: int, decision: str, note: str | None = None) -> linkage.DecisionReport:
    with transaction(make_sessionmaker(engine)) as session:
        return linkage.decide(session, POLICE, review_id, decision, note, NOW)


def audit_details(engine: Engine) -> list[tuple[str, str | None]]:
    with make_sessionmaker(engine)() as session:
        return [(a, d) for a, d in session.execute(select(AuditRecord.action, AuditRecord.detail))]


def test_a_full_run_links_the_registry_into_persons(registry: tuple[Engine, Any]) -> None:
    engine, feeds = registry
    before = persons(engine)
    report = run(engine)
    assert report.mode == "full"
    counts = report.counts
    assert counts["records"] == counts["new_records"] > 700
    assert counts["merges"] > 10 and counts["queued"] >= 1 and counts["conflicts"] == 0

    after = persons(engine)
    cases = {k: after[v["doc_number"]] for k, v in LINKAGE_CASES.items()}
    assert cases["passport"] == cases["id_card"]  # another document and transliteration, the same woman
    assert cases["scanned"] == cases["mistyped"]  # the hotel's typo made another document: linked back
    assert cases["rustam"] != cases["ruslan"]  # brothers stay apart
    assert cases["parviz"] != cases["swapped"]  # uncertain: queued, not linked
    # the oldest id survives a merge: the passport came first, so its person is kept
    assert cases["passport"] == before["751234567"] < before["4510123456"]
    assert set(after.values()) <= set(before.values())  # a run never makes up a person

    with make_sessionmaker(engine)() as session:
        merges = list(session.scalars(select(PersonMerge).order_by(PersonMerge.id)))
        card = session.scalars(select(PersonMerge).where(PersonMerge.from_person_id == before["4510123456"])).one()
        gone = session.get(RegistryPerson, before["4510123456"])
        assert gone is not None and gone.merged_into == cases["passport"]
        assert linkage.resolve_person(session, before["4510123456"]) == cases["passport"]
        assert linkage.resolve_person(session, 10**9) is None
        unlinked = session.scalars(
            select(linkage.DocumentIdentity).where(linkage.DocumentIdentity.linked_run_id.is_(None))
        ).all()
    assert len(merges) == counts["merges"]
    assert {m.reason for m in merges} == {"model"} and {m.run_id for m in merges} == {report.run_id}
    assert card.into_person_id == cases["passport"] and card.actor_id is None
    assert card.evidence is not None and card.evidence["match_probability"] >= 0.6
    assert card.evidence["identity_l"] < card.evidence["identity_r"]
    assert unlinked == []

    # the synthetic travellers: each registry person is one true person, and each true person one registry person
    truth = {(r["feed"], r["record_id"]): r["person_id"] for r in feeds.records.to_pylist()}
    true_of: dict[int, set[int]] = defaultdict(set)
    with make_sessionmaker(engine)() as session:
        for kind, model in FEED_MODELS.items():
            for record, document in session.execute(select(getattr(model, RECORD_ID[kind]), model.document_id)):
                if (kind.value, record) in truth:
                    true_of[document].add(truth[(kind.value, record)])
        person = dict(session.execute(select(TravelDocument.id, TravelDocument.person_id)).all())
    assert all(len(t) == 1 for t in true_of.values())
    wrong = [
        (a, b) for a, b in itertools.combinations(true_of, 2) if (true_of[a] == true_of[b]) != (person[a] == person[b])
    ]
    assert wrong == []
    assert len({person[d] for d in true_of}) == feeds.persons.num_rows

    actions = audit_details(engine)
    runs = [d for a, d in actions if a == "linkage.run"]
    assert len(runs) == 1 and '"merges": ' in (runs[0] or "")

    # a person holding a pair an officer said differs (here written behind decide's back) is split by the next run
    with transaction(make_sessionmaker(engine)) as session:
        pair = sorted(
            session.scalars(
                select(linkage.DocumentIdentity.id)
                .join(TravelDocument, TravelDocument.id == linkage.DocumentIdentity.document_id)
                .where(TravelDocument.doc_number.in_(["751234567", "4510123456"]))
            )
        )
        session.add(LinkDecision(identity_l=pair[0], identity_r=pair[1], decision="different", actor_id=1, at=NOW))
    split = run(engine, full=True)
    assert split.counts["splits"] == 1 and split.counts["persons_created"] == 1
    now = persons(engine)
    assert now["751234567"] == cases["passport"] and now["4510123456"] > max(before.values())
    with make_sessionmaker(engine)() as session:
        (row,) = session.scalars(select(PersonSplit)).all()
    assert (row.reason, row.from_person_id, row.new_person_id) == ("model", cases["passport"], now["4510123456"])
    for _, detail in actions:  # counts and ids only, never a name or a number
        for case in LINKAGE_CASES.values():
            assert case["surname"] not in (detail or "") and case["doc_number"] not in (detail or "")


def test_an_incremental_run_keeps_every_id_and_scores_only_the_new_records(
    registry: tuple[Engine, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = registry
    first = run(engine)
    linked = persons(engine)
    renewed = {**LINKAGE_CASES["passport"], "doc_number": "759999999"}  # her new passport
    stranger = {**LINKAGE_CASES["rustam"], "doc_number": "400555555", "given_names": "FARRUKH", "birth_date": None}
    day = dt.date(2026, 2, 20)
    assert load(engine, "border_events", [crossing(renewed, day, "entry"), crossing(stranger, day, "entry")]).inserted

    scored: list[tuple[int, pa.Table]] = []
    score = link_engine.score

    def spy(feats: pa.Table, *args: Any, **kwargs: Any) -> pa.Table:
        pairs = score(feats, *args, **kwargs)
        new = kwargs["new"]
        assert new is not None
        fresh = np.asarray(new.to_numpy(zero_copy_only=False), dtype=bool)
        scored.append((int(fresh.sum()), pairs))
        touches = fresh[np.asarray(pairs["unique_id_l"])] | fresh[np.asarray(pairs["unique_id_r"])]
        assert touches.all()  # nothing old is scored again
        return pairs

    monkeypatch.setattr(link_engine, "score", spy)
    second = run(engine)
    assert second.mode == "incremental" and second.run_id == first.run_id + 1
    assert second.counts["new_records"] == 2 and second.counts["records"] == first.counts["records"] + 2
    assert [n for n, _ in scored] == [2]
    after = persons(engine)
    assert {n: after[n] for n in linked} == linked  # every existing id kept
    assert after["759999999"] == linked["751234567"]  # the renewed passport joined her
    assert after["400555555"] not in linked.values()  # a new person keeps the id its import gave it

    with make_sessionmaker(engine)() as session:
        run_row = session.get(linkage.LinkRun, second.run_id)
        first_row = session.get(linkage.LinkRun, first.run_id)
        assert run_row is not None and first_row is not None
        assert run_row.model == first_row.model  # the model of the full run, not trained again
    nothing = run(engine)
    assert nothing.mode == "incremental" and nothing.counts["new_records"] == 0 and nothing.counts["merges"] == 0


def test_decisions_merge_split_and_override_every_later_run(registry: tuple[Engine, Any]) -> None:
    engine, _ = registry
    run(engine)
    review = open_review(engine, "parviz", "swapped")
    left, right = person_of(engine, "parviz"), person_of(engine, "swapped")
    assert left != right

    with transaction(make_sessionmaker(engine)) as session:  # reads are audited: commit them
        detail = linkage.review(session, POLICE, review.id, NOW)
    assert {detail.left.person_id, detail.right.person_id} == {left, right} and not detail.same_person
    assert [c.comparison for c in detail.comparisons] == ["name", "dob", "sex", "nationality", "document", "iin"]
    levels = {c.comparison: c.level for c in detail.comparisons}
    assert levels["name"] == "same names, another order" and levels["iin"] == linkage.NOT_KNOWN
    assert levels["dob"] == "one digit off or two swapped" and levels["document"] == "another document"
    total = detail.prior_weight + sum(c.match_weight for c in detail.comparisons) + detail.tf_adjustment
    assert total == pytest.approx(detail.final_weight, abs=1e-6)
    assert REVIEW_FROM <= detail.match_probability < 0.6 and detail.history == ()

    for decision, note, field in (("perhaps", None, "decision"), ("same", "x" * (linkage.MAX_NOTE + 1), "note")):
        with pytest.raises(LinkageError) as bad, transaction(make_sessionmaker(engine)) as session:
            linkage.decide(session, POLICE, review.id, decision, note, NOW)
        assert (bad.value.status, bad.value.field) == (422, field)
    with pytest.raises(LinkageError) as missing, transaction(make_sessionmaker(engine)) as session:
        linkage.decide(session, POLICE, review.id + 1000, "same", None, NOW)
    assert missing.value.status == 404
    with make_sessionmaker(engine)() as session:  # refused decisions leave no trace
        assert session.scalars(select(LinkDecision)).all() == []
        assert session.scalars(select(LinkReview.status).where(LinkReview.id == review.id)).one() == "open"

    accepted = decide(engine, review.id, "same", "Same man: the hotel swapped the fields")
    assert (accepted.outcome, accepted.from_person, accepted.into_person) == (
        "merged",
        max(left, right),
        min(left, right),
    )
    assert person_of(engine, "parviz") == person_of(engine, "swapped") == min(left, right)
    with make_sessionmaker(engine)() as session:
        merge = session.scalars(select(PersonMerge).where(PersonMerge.reason == "review")).one()
        assert (merge.actor_id, merge.decision_id, merge.run_id) == (POLICE.id, accepted.decision_id, None)
        again = linkage.review(session, POLICE, review.id, NOW)
        assert again.status == "accepted" and again.same_person and [h.decision for h in again.history] == ["same"]

    # a later run, whose model alone would not link the pair, keeps the accepted pair together
    run(engine, full=True, options=link_options(threshold=0.999, review_from=0.5))
    assert person_of(engine, "parviz") == person_of(engine, "swapped") == min(left, right)

    rejected = decide(engine, review.id, "different", "The birth certificates differ")  # deciding again replaces
    assert rejected.outcome == "split" and rejected.from_person == min(left, right)
    (new_id,) = rejected.new_persons
    assert new_id > max(left, right)  # a new id, never an old one brought back
    assert {person_of(engine, "parviz"), person_of(engine, "swapped")} == {min(left, right), new_id}
    with transaction(make_sessionmaker(engine)) as session:
        split = session.scalars(select(PersonSplit)).one()
        moved = session.scalars(select(TravelDocument.id).where(TravelDocument.person_id == new_id)).all()
        history = linkage.history(session, POLICE, min(left, right), NOW)
        decisions = session.scalars(select(LinkDecision.decision).order_by(LinkDecision.id)).all()
    assert (split.from_person_id, split.new_person_id, split.actor_id) == (min(left, right), new_id, POLICE.id)
    assert split.documents == list(moved) and split.decision_id == rejected.decision_id
    assert [m.reason for m in history.merges] == ["review"] and [s.new_person_id for s in history.splits] == [new_id]
    assert history.current == min(left, right) and decisions == ["same", "different"]

    # a later run whose threshold would link the pair keeps it apart, and does not queue it again
    below = detail.match_probability * 0.9
    full = run(engine, full=True, options=link_options(threshold=below, review_from=below / 2, floor=below / 2))
    assert full.mode == "full" and full.counts["conflicts"] == 0
    apart = {person_of(engine, "parviz"), person_of(engine, "swapped")}
    assert len(apart) == 2
    with make_sessionmaker(engine)() as session:
        reviews = session.scalars(select(LinkReview)).all()
    queued = [{person_of_identity(engine, r.identity_l), person_of_identity(engine, r.identity_r)} for r in reviews]
    assert queued.count(apart) == 1  # only the decided review

    actions = [a for a, _ in audit_details(engine)]
    assert actions.count("linkage.decision") == 2 and "linkage.review" in actions and "linkage.history" in actions
    for action, detail in audit_details(engine):
        assert "birth certificates" not in (detail or "") and "ODINAEV" not in (detail or ""), action


def person_of_identity(engine: Engine, identity_id: int) -> int:
    with make_sessionmaker(engine)() as session:
        found = session.scalar(
            select(TravelDocument.person_id)
            .join(linkage.DocumentIdentity, linkage.DocumentIdentity.document_id == TravelDocument.id)
            .where(linkage.DocumentIdentity.id == identity_id)
        )
    assert found is not None
    return int(found)


def test_roles_and_bad_requests(engine: Engine) -> None:
    with transaction(make_sessionmaker(engine)) as session:
        with pytest.raises(LinkageError, match="no records to link") as empty:
            linkage.run(session, None, NOW)
        assert empty.value.status == 422
        with pytest.raises(LinkageError, match="unknown linkage backend") as backend:
            linkage.run(session, POLICE, NOW, backend="oracle")
        assert backend.value.status == 422
    assert load(engine, "border_events", [crossing(LINKAGE_CASES["passport"], dt.date(2026, 1, 5), "entry")]).inserted
    with pytest.raises(LinkageError) as tiny, transaction(make_sessionmaker(engine)) as session:
        linkage.run(session, None, NOW, options=link_options())
    assert tiny.value.status == 422 and "cannot be estimated from 1 records" in tiny.value.message
    forbidden = {
        "run": lambda s, who: linkage.run(s, who, NOW),
        "reviews": lambda s, who: linkage.reviews(s, who),
        "review": lambda s, who: linkage.review(s, who, 1, NOW),
        "decide": lambda s, who: linkage.decide(s, who, 1, "same", None, NOW),
        "history": lambda s, who: linkage.history(s, who, 1, NOW),
        "runs": lambda s, who: linkage.runs(s, who),
    }
    allowed = {
        "supervisor": {"reviews", "review", "history", "runs"},
        "admin": {"run", "runs"},
        "police": set(forbidden),
    }
    for role in ("applicant", "officer", "analyst", "employer", "supervisor", "admin", "police"):
        for name, call in forbidden.items():
            with make_sessionmaker(engine)() as session:
                try:
                    call(session, Actor(2, role))
                except LinkageError as exc:
                    assert (exc.status == 403) == (name not in allowed.get(role, set())), (role, name, exc.message)
                else:
                    assert name in allowed.get(role, set()), (role, name)
    with make_sessionmaker(engine)() as session:
        for call in (lambda: linkage.review(session, POLICE, 999), lambda: linkage.history(session, POLICE, 999)):
            with pytest.raises(LinkageError) as missing:
                call()
            assert missing.value.status == 404
        with pytest.raises(LinkageError) as bad_status:
            linkage.reviews(session, POLICE, status="maybe")
        assert bad_status.value.status == 422 and bad_status.value.field == "status"
