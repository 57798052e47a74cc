"""The registry API for the migration police: stay status per person, overstay lists, reasons, roles, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from koshi.store.db import make_sessionmaker, transaction
from koshi.store.models import AuditRecord
from tests.registry_data import crossing, load, permit, traveller
from tests.service import Api

d = dt.date
ON = d(2026, 3, 1)


@pytest.fixture
def registry(api: Api) -> Api:
    """Four travellers: an Uzbek overstaying since 31 Jan, a Russian about to pass 90 days, a Turk who
    overstayed and left, and a Kyrgyz worker under a permit."""
    uzb = traveller("AB1234567", "UZB")
    rus = traveller("751234567", "RUS", "IVANOV", "IVAN")
    tur = traveller("U12345678", "TUR", "YILMAZ", "AHMET")
    kgz = traveller("ID0012345", "KGZ", "ASANOV", "BAKYT")
    rows = [
        crossing(uzb, d(2026, 1, 1), "entry"),
        crossing(rus, d(2025, 12, 5), "entry"),
        crossing(tur, d(2025, 11, 1), "entry"),
        crossing(tur, d(2025, 12, 10), "exit"),  # 40 days: 10 over the 30 per entry
        crossing(kgz, d(2025, 9, 1), "entry"),
    ]
    assert load(api.engine, "border_events", rows).rejected == 0
    assert load(api.engine, "permits", [permit(kgz, d(2025, 9, 10), d(2026, 9, 9))]).rejected == 0
    return api


def refresh(api: Api, police: dict[str, str], on: dt.date = ON) -> dict[str, object]:
    r = api.client.post("/registry/stay-status/refresh", params={"on": on.isoformat()}, headers=police)
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def person_id(api: Api, police: dict[str, str], kind: str, number: str) -> int:
    r = api.client.get("/registry/overstays", params={"kind": kind}, headers=police)
    return next(i["person_id"] for i in r.json()["items"] if i["doc_number"] == number)


def test_refresh_and_the_three_lists(registry: Api) -> None:
    police = registry.user("police")
    report = refresh(registry, police)
    assert (report["people"], report["present"], report["overstaying"], report["soon"]) == (4, 3, 1, 1)

    now = registry.client.get("/registry/overstays", headers=police).json()
    assert now["total"] == 1 and now["as_of"] == ON.isoformat()
    (item,) = now["items"]
    assert (item["doc_country"], item["surname"]) == ("UZB", "KARIMOV")
    status = item["status"]
    assert (status["overstay_days"], status["overstay_since"], status["overstay_limit"]) == (
        30,
        "2026-01-31",
        "per_entry",
    )
    assert status["fine_band"] == "fine_and_expulsion"

    soon = registry.client.get("/registry/overstays", params={"kind": "soon", "soon_days": 10}, headers=police).json()
    assert [i["doc_number"] for i in soon["items"]] == ["751234567"]
    assert soon["items"][0]["status"]["exceeds_on"] == "2026-03-05"  # 5 Dec + 90 days

    past = registry.client.get("/registry/overstays", params={"kind": "past"}, headers=police).json()
    assert [(i["doc_number"], i["status"]["last_overstay_days"]) for i in past["items"]] == [("U12345678", 10)]

    only_rus = registry.client.get(
        "/registry/overstays", params={"kind": "soon", "nationality": "rus", "soon_days": 10}, headers=police
    )
    assert only_rus.json()["total"] == 1
    assert registry.client.get("/registry/overstays", params={"band": "warning"}, headers=police).json()["total"] == 0


def test_one_persons_stay_in_control_and_planning_modes(registry: Api) -> None:
    police = registry.user("police")
    refresh(registry, police)
    pid = person_id(registry, police, "past", "U12345678")
    r = registry.client.get(
        f"/registry/persons/{pid}/stay", params={"on": "2026-01-05", "entry": "2026-02-01"}, headers=police
    )
    assert r.status_code == 200, r.text
    body = r.json()
    control, plan = body["control"], body["plan"]
    assert control["present"] is False and control["past_overstays"][0]["days"] == 10
    assert control["fine"]["band"] == "higher_fine"
    # 40 days in the window on 1 Feb (from 5 Aug): 50 left, but at most 30 per entry
    assert (plan["latest_lawful_exit"], plan["lawful_days"], plan["limit"]) == ("2026-03-02", 30, "per_entry")
    inside = registry.client.get(
        f"/registry/persons/{pid}/stay", params={"on": "2026-01-05", "entry": "2025-11-20"}, headers=police
    )
    assert "inside a recorded stay" in inside.json()["plan_error"]

    worker = person_id(registry, police, "soon", "751234567")
    timeline = registry.client.get(f"/registry/persons/{worker}", headers=police).json()
    assert [e["kind"] for e in timeline["entries"]] == ["border_event"]
    assert timeline["documents"][0]["surname"] == "IVANOV"


def test_permit_holders_are_covered(registry: Api) -> None:
    police = registry.user("police")
    refresh(registry, police)
    r = registry.client.get("/registry/overstays", params={"kind": "soon", "soon_days": 90}, headers=police).json()
    assert "ID0012345" not in [i["doc_number"] for i in r["items"]]


def test_reasons_are_validated_recorded_and_audited(registry: Api) -> None:
    police = registry.user("police")
    refresh(registry, police)
    pid = person_id(registry, police, "current", "AB1234567")
    url = f"/registry/persons/{pid}/overstays/2026-01-01/reason"
    assert (
        registry.client.put(url, json={"code": "hospital", "note": "Clinic certificate"}, headers=police).status_code
        == 200
    )
    unknown = registry.client.put(url, json={"code": "bribe"}, headers=police)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "code"
    bare_other = registry.client.put(url, json={"code": "other", "note": "  "}, headers=police)
    assert bare_other.status_code == 422 and bare_other.json()["errors"][0]["field"] == "note"
    wrong_stay = registry.client.put(
        f"/registry/persons/{pid}/overstays/2025-12-01/reason", json={"code": "hospital"}, headers=police
    )
    assert wrong_stay.status_code == 422 and wrong_stay.json()["errors"][0]["field"] == "stay_entry"
    assert (
        registry.client.put(
            "/registry/persons/999999/overstays/2026-01-01/reason", json={"code": "hospital"}, headers=police
        ).status_code
        == 404
    )

    listed = registry.client.get("/registry/overstays", headers=police).json()["items"][0]
    assert (listed["reason"], listed["reason_note"]) == ("hospital", "Clinic certificate")
    stay = registry.client.get(f"/registry/persons/{pid}/stay", headers=police).json()
    assert [r["code"] for r in stay["reasons"]] == ["hospital"]

    with transaction(make_sessionmaker(registry.engine)) as session:
        actions = [a for (a,) in session.execute(select(AuditRecord.action).order_by(AuditRecord.seq))]
    assert {"registry.refresh", "registry.list", "registry.read", "registry.reason"} <= set(actions)
    assert actions.count("registry.reason") == 1  # refused changes leave no trace but the refusal


def test_only_police_and_supervisors_see_people(registry: Api) -> None:
    police = registry.user("police")
    refresh(registry, police)
    pid = person_id(registry, police, "current", "AB1234567")
    supervisor = registry.user("supervisor")
    assert registry.client.get("/registry/overstays", headers=supervisor).status_code == 200
    assert registry.client.get(f"/registry/persons/{pid}/stay", headers=supervisor).status_code == 200
    refused = registry.client.put(
        f"/registry/persons/{pid}/overstays/2026-01-01/reason", json={"code": "hospital"}, headers=supervisor
    )
    assert refused.status_code == 403
    for role in ("applicant", "officer", "analyst", "employer"):
        who = registry.user(role)
        assert registry.client.get("/registry/overstays", headers=who).status_code == 403, role
        assert registry.client.get(f"/registry/persons/{pid}", headers=who).status_code == 403, role
        assert registry.client.post("/registry/stay-status/refresh", headers=who).status_code == 403, role
    assert registry.client.get("/registry/overstays").status_code == 401
    assert registry.client.get("/registry/persons/999999/stay", headers=police).status_code == 404


def test_bad_dates_are_problems(registry: Api) -> None:
    police = registry.user("police")
    r = registry.client.get("/registry/persons/1/stay", params={"on": "2026-02-30"}, headers=police)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    early = registry.client.post("/registry/stay-status/refresh", params={"on": "2020-01-01"}, headers=police)
    assert early.status_code == 422 and "not in force" in early.json()["detail"]
