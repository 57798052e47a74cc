"""The agency endpoints on SQLite and PostgreSQL: shapes, roles, problem+json with the field, idempotency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from koshi.api.agencies import router
from koshi.store.agencies import KZ_TIME
from tests.service import Api

TODAY = dt.datetime.now(KZ_TIME).date()
BODY: dict[str, Any] = {
    "bin": "971240001315",
    "name": "Steppe Careers LLP",
    "activity": "abroad",
    "region_kato": "710000000",
    "founders": [{"name": "Aigul Sadyk", "iin": "791028302728", "share": 100}],
    "addresses": [{"kind": "legal", "address": "Abay ave 1, Astana", "region_kato": "710000000"}],
}
PROBLEM = "application/problem+json"


@pytest.fixture
def web(api: Api) -> Iterator[Api]:
    """The API with the agency router (included here until the app includes it)."""
    app: Any = api.client.app
    if not any(getattr(r, "path", "").startswith("/agencies") for r in app.routes):
        app.include_router(router)
    yield api


def field_of(response: Any) -> str:
    assert response.headers["content-type"].startswith(PROBLEM), response.text
    errors = response.json().get("errors") or [{}]
    return str(errors[0].get("field"))


def test_the_agency_flow_end_to_end(web: Api) -> None:
    c = web.client
    agency, inspector, seeker, analyst = (web.user(r) for r in ("agency", "inspector", "applicant", "analyst"))
    other_agency = web.user("agency")

    r = c.post("/agencies", json=BODY, headers={**agency, "Idempotency-Key": "notify-1"})
    assert r.status_code == 201, r.text
    view = r.json()
    aid = view["id"]
    assert (view["status"], view["founders"][0]["iin_masked"]) == ("notified", "**********28")
    assert "791028302728" not in r.text
    again = c.post("/agencies", json=BODY, headers={**agency, "Idempotency-Key": "notify-1"})
    assert (again.status_code, again.headers.get("Idempotent-Replayed"), again.json()["id"]) == (201, "true", aid)
    dup = c.post("/agencies", json=BODY, headers=inspector)
    assert (dup.status_code, field_of(dup)) == (409, "bin")

    assert c.get("/agencies/me", headers=agency).json()["id"] == aid
    assert c.get("/agencies/me", headers=other_agency).status_code == 404
    assert c.get(f"/agencies/{aid}", headers=other_agency).status_code == 403
    assert c.get("/agencies/nope", headers=inspector).status_code == 404

    refused = c.post(f"/agencies/{aid}/status/suspend", json={"reason": "documents withheld"}, headers=inspector)
    assert refused.status_code == 409
    assert refused.json()["allowed"] == ["activate", "revoke"]
    assert c.post(f"/agencies/{aid}/status/activate", headers=agency).status_code == 403
    r = c.post(f"/agencies/{aid}/status/activate", headers=inspector)
    assert (r.status_code, r.json()["status"]) == (200, "active")
    assert c.post(f"/agencies/{aid}/status/fly", headers=inspector).status_code == 422

    r = c.post(f"/agencies/{aid}/reports", json={"year": TODAY.year, "quarter": 1, "placed_domestic": 0,
               "placed_abroad": 3, "job_seekers_served": 5, "seeker_fees_tenge": 0}, headers=agency)  # fmt: skip
    assert r.status_code == 422 and field_of(r) == "quarter"  # notified today: that quarter ended before

    r = c.post(
        f"/agencies/{aid}/complaints",
        json={"kind": "fee_charged", "paid_amount_tenge": 50_000, "summary": "Paid a fee to be sent to Korea"},
        headers=seeker,
    )
    assert r.status_code == 201, r.text
    complaint = r.json()
    assert (complaint["fee_flag"], complaint["status"], complaint["received_on"]) == (True, "open", TODAY.isoformat())
    mine = c.get("/agencies/complaints/mine", headers=seeker).json()
    assert [x["id"] for x in mine] == [complaint["id"]]
    assert c.get("/agencies/complaints/mine", headers=web.user("applicant")).json() == []
    r = c.post(
        f"/agencies/complaints/{complaint['id']}/resolution", json={"status": "substantiated"}, headers=inspector
    )
    assert r.json()["status"] == "substantiated"
    assert c.post(f"/agencies/complaints/{complaint['id']}/resolution", json={"status": "maybe"},
                  headers=inspector).status_code == 422  # fmt: skip

    r = c.post(f"/agencies/{aid}/inspections", json={"planned_on": TODAY.isoformat(), "reason": "complaint"},
               headers=inspector)  # fmt: skip
    assert r.status_code == 201, r.text
    planned = r.json()
    done = {"done_on": TODAY.isoformat(), "outcome": "violations", "findings": "Fees taken", "reason": "complaint"}
    r = c.post(f"/agencies/{aid}/inspections", json={**done, "inspection_id": planned["id"]}, headers=inspector)
    assert (r.status_code, r.json()["id"], r.json()["outcome"]) == (201, planned["id"], "violations")
    r = c.post(f"/agencies/{aid}/inspections", json={"done_on": TODAY.isoformat()}, headers=inspector)
    assert (r.status_code, field_of(r)) == (422, "outcome")
    r = c.post(f"/agencies/{aid}/violations", json={"code": "seeker_fee", "found_on": TODAY.isoformat(),
               "description": "Took 50 000 tenge", "inspection_id": planned["id"]}, headers=inspector)  # fmt: skip
    assert r.status_code == 201, r.text
    vid = r.json()["id"]
    r = c.post(f"/agencies/violations/{vid}/sanctions", json={"kind": "fine"}, headers=inspector)
    assert (r.status_code, field_of(r)) == (422, "amount_mrp")
    until = (TODAY + dt.timedelta(days=90)).isoformat()
    r = c.post(f"/agencies/violations/{vid}/sanctions", json={"kind": "suspension", "until": until}, headers=inspector)
    assert r.status_code == 201, r.text

    detail = c.get(f"/agencies/{aid}", headers=inspector).json()
    assert detail["status"] == "suspended" and detail["fee_rule_flag"] is True
    codes = {x["code"]: x["points"] for x in detail["risk"]["reasons"]}
    assert codes["fee_complaint_substantiated"] == 25 and codes["recent_sanction"] == 12
    assert detail["risk"]["score"] == sum(codes.values())
    assert detail["allowed_actions"] == ["reinstate", "revoke", "expire"]

    page = c.get("/agencies", params={"order": "risk", "status": "suspended"}, headers=analyst).json()
    assert page["total"] == 1 and page["items"][0]["id"] == aid
    assert c.get(f"/agencies/{aid}", headers=analyst).status_code == 403
    ranking = c.get("/agencies/ranking", params={"on": TODAY.isoformat(), "limit": 5}, headers=analyst).json()
    assert ranking["items"][0]["reasons"] and ranking["on"] == TODAY.isoformat()
    assert c.get("/agencies/ranking", params={"on": "2015-01-01"}, headers=inspector).status_code == 422
    assert c.get("/agencies", headers=agency).status_code == 403
    assert c.get("/agencies", params={"region_kato": "7"}, headers=inspector).status_code == 422
    found = c.get("/agencies/directory", params={"q": "steppe"}, headers=seeker).json()
    assert [x["id"] for x in found] == [aid] and "risk" not in found[0]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"bin": "971240001316"}, "bin"),
        ({"activity": "moon"}, "activity"),
        ({"founders": []}, "founders"),
        ({"founders": [{"name": "A B", "iin": "791028302729"}]}, "founders[0].iin"),
        ({"addresses": [{"kind": "home", "address": "Abay ave 1", "region_kato": "710000000"}]}, "addresses.0.kind"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_notifications_are_problems_naming_the_field(web: Api, change: dict[str, Any], field: str) -> None:
    r = web.client.post("/agencies", json={**BODY, **change}, headers=web.user("agency"))
    assert r.status_code == 422
    assert field_of(r) == field
    assert "791028302729" not in r.text
