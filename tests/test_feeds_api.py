"""Feed batches over HTTP on SQLite and PostgreSQL: roles, reports, replays, conflicts, limits."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from koshi.api import feeds as feeds_api
from koshi.store.db import make_sessionmaker
from koshi.store.models import AuditRecord
from koshi.store.registry import BorderEvent
from tests.service import Api
from tests.test_feeds import sample

PROBLEM = "application/problem+json"


def events(*changes: dict[str, Any]) -> list[dict[str, Any]]:
    return [sample("border_events", event_id=f"BE-{i}", **c) for i, c in enumerate(changes, start=1)]


def post(
    api: Api, who: dict[str, str], rows: list[dict[str, Any]], key: str = "k-1", kind: str = "border_events"
) -> Any:
    return api.client.post(f"/registry/feeds/{kind}", json={"batch_key": key, "rows": rows}, headers=who)


def test_police_import_a_batch_and_get_every_rejected_row(api: Api) -> None:
    police = api.user("police", "police-sender")
    r = post(api, police, events({}, {"direction": "sideways", "doc_number": "AB-1"}, {"sex": "F"}))
    assert r.status_code == 200, r.text
    body = r.json()
    assert {k: body[k] for k in ("kind", "batch_key", "source", "replayed")} == {
        "kind": "border_events",
        "batch_key": "k-1",
        "source": "api:police-sender",
        "replayed": False,
    }
    assert {k: body[k] for k in ("total", "accepted", "inserted", "updated", "unchanged", "rejected")} == {
        "total": 3,
        "accepted": 2,
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
    }
    assert body["errors"] == [
        {"row": 2, "field": "doc_number", "reason": "must be 1-20 letters A-Z or digits (no spaces or '<')"},
        {"row": 2, "field": "direction", "reason": "is not one of entry, exit"},
    ]
    with make_sessionmaker(api.engine)() as session:
        assert sorted(session.execute(select(BorderEvent.event_id)).scalars()) == ["BE-1", "BE-3"]
        audit = session.execute(select(AuditRecord).where(AuditRecord.action == "feeds.import")).scalar_one()
    assert audit.actor_role == "police"
    assert audit.actor_id is not None
    assert "AB1234567" not in (audit.detail or "") and "IVANOV" not in (audit.detail or "")


def test_a_retry_replays_the_report_and_other_rows_under_the_key_conflict(api: Api) -> None:
    admin = api.user("admin")
    rows = events({}, {"sex": "?"})
    first = post(api, admin, rows)
    again = post(api, admin, rows)
    assert again.status_code == 200
    assert again.json() == {**first.json(), "replayed": True}
    conflict = post(api, admin, events({"direction": "exit"}))
    assert conflict.status_code == 409
    assert conflict.headers["content-type"] == PROBLEM
    assert "batch key 'k-1' was already used" in conflict.json()["detail"]
    assert api.count(AuditRecord) == 1


@pytest.mark.parametrize("role", ["officer", "analyst", "supervisor", "applicant", "employer"])
def test_only_police_and_admins_send_batches(api: Api, role: str) -> None:
    r = post(api, api.user(role), events({}))
    assert r.status_code == 403
    assert r.headers["content-type"] == PROBLEM
    assert post(api, {}, events({})).status_code == 401


def test_batch_level_problems_are_problem_documents(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    police = api.user("police")
    row = sample("border_events")
    del row["occurred_at"]
    missing = post(api, police, [row])
    assert missing.status_code == 422
    assert missing.headers["content-type"] == PROBLEM
    assert missing.json()["detail"] == "border_events: missing required column(s): occurred_at"
    assert post(api, police, []).status_code == 422
    unknown = post(api, police, events({}), kind="visas")
    assert unknown.status_code == 404
    assert "unknown feed 'visas'" in unknown.json()["detail"]
    not_objects = api.client.post(
        "/registry/feeds/border_events", json={"batch_key": "k", "rows": ["a,b,c"]}, headers=police
    )
    assert not_objects.status_code == 422
    no_key = api.client.post("/registry/feeds/border_events", json={"rows": events({})}, headers=police)
    assert no_key.status_code == 422
    monkeypatch.setattr(feeds_api, "MAX_ROWS", 2)
    too_many = post(api, police, events({}, {}, {}))
    assert too_many.status_code == 413
    assert too_many.headers["content-type"] == PROBLEM
    assert too_many.json()["detail"] == "a batch holds at most 2 rows, this one has 3: split it into several"
    assert api.count(AuditRecord) == 0


def test_stored_batches_are_listed_and_read(api: Api) -> None:
    police = api.user("police")
    first = post(api, police, events({}, {"sex": "?"})).json()
    second = post(api, police, [sample("permits")], key="p-1", kind="permits").json()
    for role in ("police", "admin", "supervisor", "analyst"):
        who = api.user(role)
        listing = api.client.get("/registry/feeds/batches", headers=who)
        assert listing.status_code == 200, (role, listing.text)
        page = listing.json()
        assert page["total"] == 2
        assert [b["batch_id"] for b in page["items"]] == [second["batch_id"], first["batch_id"]]
        assert page["items"][1]["errors"] is None
    only = api.client.get("/registry/feeds/batches", params={"kind": "permits"}, headers=police).json()
    assert [b["batch_id"] for b in only["items"]] == [second["batch_id"]]
    one = api.client.get(f"/registry/feeds/batches/{first['batch_id']}", headers=police)
    assert one.status_code == 200
    assert one.json() == first
    assert api.client.get("/registry/feeds/batches/999", headers=police).status_code == 404
    assert api.client.get("/registry/feeds/batches", headers=api.user("officer")).status_code == 403
    assert api.client.get("/registry/feeds/batches", params={"kind": "visas"}, headers=police).status_code == 422
