"""The case service over HTTP, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from koshi.store import migrate
from koshi.store.db import make_sessionmaker
from koshi.store.models import AuditRecord, Case
from tests.service import Api

PROBLEM = "application/problem+json"
VALID_IIN = "791028302728"


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_health_and_readiness(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["schema"] == migrate.head()
    assert "/cases/{case_id}/transitions" in api.client.get("/openapi.json").json()["paths"]


def test_draft_edit_submit_scores_with_policy_in_force(api: Api) -> None:
    me = api.user("applicant")
    draft = api.apply(me, submit=False, kazakh_level="a1")
    assert draft["status"] == "draft" and draft["total"] is None and "submit" in draft["allowed_actions"]
    profile = {**draft["profile"], "kazakh_level": "a2"}
    edited = api.client.patch(f"/cases/{draft['id']}", json={"profile": profile}, headers=me).json()
    assert edited["profile"]["kazakh_level"] == "a2" and edited["version"] == 2
    r = api.client.post(f"/cases/{draft['id']}/submit", headers=me)
    case = r.json()
    assert r.status_code == 200, r.text
    assert case["status"] == "scored"
    assert case["total"] == 630 and case["recommendation"] == "eligible" and case["pass_mark"] == 400
    assert case["parameters_hash"].startswith("sha256:") and case["version_date"] == "2026-02-13"
    explanation = api.client.get(f"/cases/{case['id']}/explanation", headers=me).json()
    assert explanation["total"] == 630 and explanation["pack"] == "kz.permanent_residence"
    assert {c["key"] for c in explanation["criteria"]} >= {"age", "kazakh", "education"}
    history = api.client.get(f"/cases/{case['id']}/history", headers=me).json()
    assert [h["action"] for h in history] == ["create", "edit", "submit", "score"]
    assert [h["to_status"] for h in history][-2:] == ["submitted", "scored"]


def test_invalid_profile_is_422_naming_the_field_and_writes_nothing(api: Api) -> None:
    me = api.user("applicant")
    draft = api.apply(me, submit=False, kazakh_level="Z9", family_size=0)
    before = (api.count(AuditRecord), api.count(Case))
    body = problem(api.client.post(f"/cases/{draft['id']}/submit", headers=me), 422)
    assert {e["field"] for e in body["errors"]} == {"profile.kazakh_level", "profile.family_size"}
    assert (api.count(AuditRecord), api.count(Case)) == before
    assert api.client.get(f"/cases/{draft['id']}", headers=me).json()["status"] == "draft"


def test_bad_requests_are_problems_with_the_field(api: Api) -> None:
    me = api.user("applicant")
    body = problem(api.client.post("/cases", json={"pack": "kz.permanent_residence", "colour": 1}, headers=me), 422)
    assert body["errors"][0]["field"] == "colour"
    body = problem(api.client.post("/cases", json={"pack": "xx.nothing"}, headers=me), 422)
    assert body["errors"][0]["field"] == "pack"
    bad_iin = VALID_IIN[:-1] + "9"
    body = problem(
        api.client.post("/cases", json={"pack": "kz.kandas_status", "applicant_iin": bad_iin}, headers=me), 422
    )
    assert body["errors"][0]["field"] == "applicant_iin" and bad_iin not in body["detail"]
    ok = api.client.post("/cases", json={"pack": "kz.kandas_status", "applicant_iin": VALID_IIN}, headers=me)
    assert ok.status_code == 201 and ok.json()["applicant_iin"] == VALID_IIN
    problem(api.client.get("/cases?page=0", headers=me), 422)
    problem(api.client.get("/cases?sort=colour", headers=me), 422)
    problem(api.client.get(f"/cases/{uuid.uuid4()}", headers=me), 404)
    problem(api.client.get("/cases/not-a-uuid", headers=me), 404)
    problem(api.client.get("/cases"), 401)


def test_idempotent_submission_never_duplicates(api: Api) -> None:
    me = api.user("applicant")
    body = {"pack": "kz.permanent_residence", "profile": api.apply(me, submit=False)["profile"], "submit": True}
    key = {"Idempotency-Key": "submission-0001", **me}
    first = api.client.post("/cases", json=body, headers=key)
    again = api.client.post("/cases", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers["Idempotent-Replayed"] == "true"
    cases = api.client.get("/cases?status=scored", headers=me).json()
    assert cases["total"] == 1
    changed = {**body, "profile": {**body["profile"], "family_size": 5}}
    problem(api.client.post("/cases", json=changed, headers=key), 422)
    other = api.user("applicant")  # keys are per user: the same key is new for someone else
    assert (
        api.client.post("/cases", json=body, headers={"Idempotency-Key": "submission-0001", **other}).json()["id"]
        != first.json()["id"]
    )


def test_illegal_transition_is_409_with_allowed_actions(api: Api) -> None:
    me, officer = api.user("applicant"), api.user("officer")
    case = api.apply(me)
    body = problem(api.act(officer, case["id"], "approve", "looks right to me"), 409)
    assert body["allowed"] == ["take", "withdraw", "override"]
    problem(api.act(me, case["id"], "take"), 403)


def test_refusal_needs_reasons_and_four_eyes_then_appeal(api: Api) -> None:
    me, first, second, boss = api.user("applicant"), api.user("officer"), api.user("officer"), api.user("supervisor")
    case = api.apply(me, kaztest_reading_pct=20)  # KAZTEST knock-out: the engine recommends refusal
    assert case["recommendation"] == "refused"
    cid = case["id"]
    assert api.act(first, cid, "take").json()["status"] == "in_review"
    body = problem(api.act(first, cid, "propose_refusal", "no"), 422)
    assert body["errors"][0]["field"] == "reason"
    assert api.act(first, cid, "propose_refusal", "KAZTEST reading block below 30%").json()["status"] == (
        "refusal_proposed"
    )
    body = problem(api.act(first, cid, "confirm_refusal", "I still think so, really"), 403)
    assert "second officer" in body["detail"]
    refused = api.act(second, cid, "confirm_refusal", "Agreed: the test result is below the minimum").json()
    assert refused["status"] == "refused" and refused["outcome"] == "refused"
    assert api.act(me, cid, "appeal", "My certificate shows 45% in reading").json()["status"] == "appealed"
    problem(api.act(second, cid, "decide_appeal", "The refusal stands on review", outcome="upheld"), 403)
    problem(api.act(boss, cid, "decide_appeal", "Certificate checked and valid"), 422)
    decided = api.act(boss, cid, "decide_appeal", "Certificate checked and valid", outcome="overturned").json()
    assert decided["status"] == "appeal_decided" and decided["outcome"] == "approved"
    actions = [h["action"] for h in api.client.get(f"/cases/{cid}/history", headers=me).json()]
    assert actions == ["create", "submit", "score", "take", "propose_refusal", "confirm_refusal", "appeal",
                       "decide_appeal"]  # fmt: skip


def test_approving_below_the_pass_mark_needs_a_reason(api: Api) -> None:
    me, officer = api.user("applicant"), api.user("officer")
    case = api.apply(me, education_level="isced_3", experience_years=1, english_level="none", russian_level="a1")
    assert case["total"] < 400 and case["recommendation"] != "eligible"
    api.act(officer, case["id"], "take")
    assert problem(api.act(officer, case["id"], "approve"), 422)["errors"][0]["field"] == "reason"
    approved = api.act(officer, case["id"], "approve", "Exceptional humanitarian grounds, file 12/4").json()
    assert approved["status"] == "approved"
    eligible = api.apply(me)
    api.act(officer, eligible["id"], "take")
    assert api.act(officer, eligible["id"], "approve").json()["status"] == "approved"  # recommended: no reason


def test_supervisor_overrides_and_applicant_withdraws(api: Api) -> None:
    me, boss, officer = api.user("applicant"), api.user("supervisor"), api.user("officer")
    case = api.apply(me)
    problem(api.act(officer, case["id"], "override", "I want to", outcome="refused"), 403)
    over = api.act(boss, case["id"], "override", "Security service objection 44-1", outcome="refused").json()
    assert over["status"] == "refused" and over["outcome_reason"] == "Security service objection 44-1"
    other = api.apply(me)
    assert api.act(me, other["id"], "withdraw").json()["status"] == "withdrawn"
    problem(api.act(me, other["id"], "withdraw"), 409)


def _case_routes(api: Api) -> list[tuple[str, str]]:
    """Every (method, path) with a case id, from the app's own OpenAPI document: new endpoints are covered too."""
    paths = api.client.get("/openapi.json").json()["paths"]
    return sorted((method.upper(), path) for path, ops in paths.items() if "{case_id}" in path for method in ops)


def test_an_applicant_never_reaches_another_applicants_case(api: Api) -> None:
    owner, stranger = api.user("applicant"), api.user("applicant")
    case = api.apply(owner)
    routes = _case_routes(api)
    assert len(routes) >= 6  # every case endpoint, found from the app itself
    bodies = {"PATCH": {"profile": {}}, "POST": {"action": "withdraw"}}
    for method, path in routes:
        url = path.replace("{case_id}", case["id"])
        r = api.client.request(method, url, json=bodies.get(method), headers=stranger)
        problem(r, 404)
        assert case["id"] not in r.text or "no case" in r.json()["detail"]
    assert api.client.get("/cases", headers=stranger).json()["total"] == 0
    assert api.client.get(f"/cases/{case['id']}", headers=owner).status_code == 200


@pytest.mark.parametrize("role", ["analyst", "police", "employer", "agency", "akimat", "admin"])
def test_other_roles_have_no_access_to_cases(api: Api, role: str) -> None:
    case = api.apply(api.user("applicant"))
    who = api.user(role)
    problem(api.client.get("/cases", headers=who), 403)
    problem(api.client.get(f"/cases/{case['id']}", headers=who), 403)


def test_officer_queue_filters_sorts_and_pages(api: Api) -> None:
    me, officer = api.user("applicant"), api.user("officer")
    low = api.apply(me, english_level="none", experience_years=1)
    high = api.apply(me, settlement_region="590000000")
    api.apply(me, submit=False)
    api.apply(me, pack="kz.kandas_status")
    q = api.client.get("/cases?status=scored&pack=kz.permanent_residence&sort=-total", headers=officer).json()
    assert [c["id"] for c in q["items"]] == [high["id"], low["id"]] and q["total"] == 2
    band = api.client.get(f"/cases?score_min={low['total']}&score_max={low['total']}", headers=officer).json()
    assert [c["id"] for c in band["items"]] == [low["id"]]
    north = api.client.get("/cases?region=590000000", headers=officer).json()
    assert [c["id"] for c in north["items"]] == [high["id"]]
    page = api.client.get("/cases?page=2&page_size=3&sort=submitted_at", headers=officer).json()
    assert page["total"] == 4 and len(page["items"]) == 1 and page["page"] == 2


def test_every_read_and_change_is_audited(api: Api) -> None:
    me = api.user("applicant")
    start = api.count(AuditRecord)
    case = api.apply(me)  # create + submit
    api.client.get(f"/cases/{case['id']}", headers=me)
    api.client.get(f"/cases/{case['id']}/explanation", headers=me)
    api.client.get(f"/cases/{case['id']}/history", headers=me)
    api.client.get("/cases", headers=me)
    with make_sessionmaker(api.engine)() as session:
        rows = session.execute(select(AuditRecord).where(AuditRecord.seq > start).order_by(AuditRecord.seq)).scalars()
        actions = [r.action for r in rows]
    assert actions == ["case.create", "case.submit", "case.read", "case.explanation", "case.history", "case.list"]


def test_identifiers_never_reach_the_logs(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    me = api.user("applicant")
    r = api.client.post("/cases", json={"pack": "kz.kandas_status", "applicant_iin": VALID_IIN}, headers=me)
    api.client.get(f"/cases/{r.json()['id']}", headers=me)
    api.client.post("/cases", json={"pack": "kz.kandas_status", "applicant_iin": VALID_IIN[:-1] + "0"}, headers=me)
    logging.getLogger("koshi.test").warning("applicant %s passport N12345678", VALID_IIN)
    assert caplog.records  # the capture saw the application's logs
    assert VALID_IIN not in caplog.text and "N12345678" not in caplog.text
    with make_sessionmaker(api.engine)() as session:
        details = " ".join(str(d) for d in session.execute(select(AuditRecord.detail)).scalars())
    assert VALID_IIN not in details


def test_api_docs_load_nothing_from_the_internet(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    assert "cdn" not in page.text.lower()
    for asset in ("/static/swagger/swagger-ui-bundle.js", "/static/swagger/swagger-ui.css"):
        assert asset in page.text and api.client.get(asset).status_code == 200
    assert api.client.get("/redoc").status_code == 404  # ReDoc would load from a CDN: not served


def test_submitting_a_draft_with_missing_fields_names_each_one(api: Api) -> None:
    me = api.user("applicant")
    r = api.client.post("/cases", json={"pack": "kz.permanent_residence", "profile": {"family_size": 2}}, headers=me)
    body = problem(api.client.post(f"/cases/{r.json()['id']}/submit", headers=me), 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"profile.birth_date", "profile.kazakh_level", "profile.settlement_region"} <= fields
    assert "profile.family_size" not in fields
