"""The record linkage API: runs, the review queue, a pair side by side, decisions, a person's links; roles, audit."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import select

from koshi.linkage import run as link_run
from koshi.store.db import make_sessionmaker
from koshi.store.models import AuditRecord
from koshi.store.overstays import StayStatus
from tests.registry_data import LINKAGE_CASES, REVIEW_FROM, link_options, linkage_registry
from tests.service import Api

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def small_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """The thresholds and small training of the store's tests, for every run the API starts."""
    defaults = link_options()
    monkeypatch.setattr(link_run, "Options", lambda **kw: dataclasses.replace(defaults, **kw))


def the_pair(api: Api, who: dict[str, str]) -> dict[str, Any]:
    """The queued review of the hand-made pair with swapped names."""
    r = api.client.get("/registry/linkage/reviews", params={"per_page": 500}, headers=who)
    assert r.status_code == 200, r.text
    numbers = {LINKAGE_CASES["parviz"]["doc_number"], LINKAGE_CASES["swapped"]["doc_number"]}
    (item,) = [i for i in r.json()["items"] if {i["left"]["doc_number"], i["right"]["doc_number"]} == numbers]
    return item


def test_run_review_decide_and_read_a_persons_links(api: Api) -> None:
    police, supervisor = api.user("police"), api.user("supervisor")
    empty = api.client.post("/registry/linkage/runs", json={}, headers=police)
    assert empty.status_code == 422 and empty.headers["content-type"] == PROBLEM
    assert "no records to link" in empty.json()["detail"]

    linkage_registry(api.engine)
    r = api.client.post("/registry/linkage/runs", headers=police)  # no body: the defaults
    assert r.status_code == 200, r.text
    run = r.json()
    assert run["mode"] == "full" and run["counts"]["merges"] > 10 and run["counts"]["queued"] >= 1
    assert run["stay_refreshed"] is True
    runs = api.client.get("/registry/linkage/runs", headers=supervisor).json()
    assert runs["total"] == 1 and runs["items"][0]["id"] == run["run_id"] and "model" not in runs["items"][0]
    again = api.client.post("/registry/linkage/runs", json={"full": False}, headers=police).json()
    assert again["mode"] == "incremental" and again["counts"]["new_records"] == 0 and again["stay_refreshed"] is False

    item = the_pair(api, supervisor)
    assert item["status"] == "open" and REVIEW_FROM <= item["match_probability"] < 0.6
    sides = {s["doc_number"]: s for s in (item["left"], item["right"])}
    assert sides["JJ9998887"]["iin"] == "**********31"  # never in full
    detail = api.client.get(f"/registry/linkage/reviews/{item['id']}", headers=supervisor)
    assert detail.status_code == 200, detail.text
    pair = detail.json()
    assert [c["comparison"] for c in pair["comparisons"]] == ["name", "dob", "sex", "nationality", "document", "iin"]
    assert pair["comparisons"][0]["level"] == "same names, another order"
    weights = pair["prior_weight"] + sum(c["match_weight"] for c in pair["comparisons"]) + pair["tf_adjustment"]
    assert weights == pytest.approx(pair["final_weight"], abs=1e-6)
    assert len(pair["left_documents"]) == len(pair["right_documents"]) == 1 and pair["history"] == []

    url = f"/registry/linkage/reviews/{item['id']}/decision"
    assert api.client.post(url, json={"decision": "same"}, headers=supervisor).status_code == 403
    bad = api.client.post(url, json={"decision": "maybe"}, headers=police)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "decision"
    long = api.client.post(url, json={"decision": "same", "note": "x" * 2001}, headers=police)
    assert long.status_code == 422 and long.json()["errors"][0]["field"] == "note"
    missing = api.client.post("/registry/linkage/reviews/99999/decision", json={"decision": "same"}, headers=police)
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM

    merged = api.client.post(url, json={"decision": "same", "note": "Passport copy checked"}, headers=police)
    assert merged.status_code == 200, merged.text
    outcome = merged.json()
    assert outcome["outcome"] == "merged" and outcome["status"] == "accepted" and outcome["stay_refreshed"]
    gone, into = outcome["from_person"], outcome["into_person"]
    assert gone > into
    links = api.client.get(f"/registry/persons/{gone}/links", headers=supervisor).json()
    assert (links["merged_into"], links["current"]) == (into, into)
    assert [(m["reason"], m["into_person_id"], m["decision_id"]) for m in links["merges"]] == [
        ("review", into, outcome["decision_id"])
    ]
    with make_sessionmaker(api.engine)() as session:  # the merged-away person has no stay of its own any more
        assert session.get(StayStatus, gone) is None and session.get(StayStatus, into) is not None

    split = api.client.post(url, json={"decision": "different"}, headers=police).json()
    assert split["outcome"] == "split" and split["from_person"] == into and len(split["new_persons"]) == 1
    links = api.client.get(f"/registry/persons/{into}/links", headers=police).json()
    assert [s["new_person_id"] for s in links["splits"]] == split["new_persons"]
    decided = api.client.get("/registry/linkage/reviews", params={"status": "rejected"}, headers=police).json()
    assert [i["id"] for i in decided["items"]] == [item["id"]]
    history = api.client.get(f"/registry/linkage/reviews/{item['id']}", headers=police).json()["history"]
    assert [h["decision"] for h in history] == ["same", "different"]
    assert history[0]["note"] == "Passport copy checked"

    assert api.client.get("/registry/persons/999999/links", headers=police).status_code == 404
    with make_sessionmaker(api.engine)() as session:
        audit = list(session.execute(select(AuditRecord.action, AuditRecord.detail)))
    actions = [a for a, _ in audit]
    for action in ("linkage.run", "linkage.reviews", "linkage.review", "linkage.decision", "linkage.history"):
        assert action in actions, action
    assert actions.count("linkage.decision") == 2 and "registry.refresh" in actions
    for _, text in audit:
        for case in LINKAGE_CASES.values():
            assert case["surname"] not in (text or "") and case["doc_number"] not in (text or "")
        assert "Passport copy" not in (text or "")


def test_roles_and_bad_input(api: Api) -> None:
    for role in ("applicant", "officer", "analyst", "employer"):
        who = api.user(role)
        assert api.client.post("/registry/linkage/runs", headers=who).status_code == 403, role
        assert api.client.get("/registry/linkage/reviews", headers=who).status_code == 403, role
        assert api.client.get("/registry/linkage/reviews/1", headers=who).status_code == 403, role
        assert api.client.get("/registry/linkage/runs", headers=who).status_code == 403, role
        assert api.client.get("/registry/persons/1/links", headers=who).status_code == 403, role
        decision = api.client.post("/registry/linkage/reviews/1/decision", json={"decision": "same"}, headers=who)
        assert decision.status_code == 403, role
    supervisor, admin, police = api.user("supervisor"), api.user("admin"), api.user("police")
    assert api.client.post("/registry/linkage/runs", headers=supervisor).status_code == 403
    assert api.client.get("/registry/linkage/reviews", headers=admin).status_code == 403
    assert api.client.post("/registry/linkage/runs", headers=admin).status_code == 422  # may run: nothing to link
    assert api.client.get("/registry/linkage/reviews").status_code == 401
    assert api.client.get("/registry/linkage/reviews/1", headers=police).status_code == 404
    status = api.client.get("/registry/linkage/reviews", params={"status": "maybe"}, headers=police)
    assert status.status_code == 422 and status.headers["content-type"] == PROBLEM
    extra = api.client.post("/registry/linkage/runs", json={"full": True, "threshold": 0.1}, headers=police)
    assert extra.status_code == 422 and extra.json()["errors"][0]["field"] == "threshold"
    page = api.client.get("/registry/linkage/reviews", headers=police).json()
    assert (page["items"], page["total"], page["page"], page["pages"]) == ([], 0, 1, 1)
