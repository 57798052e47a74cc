"""The /labour endpoints: an employer's application from registration to an issued permit, refusals as
problem+json naming the field, idempotent applications, masked IINs, roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.labour_data import ALMATY, ASTANA, bin_, iin
from tests.service import Api

TODAY = dt.date.today()
START = TODAY + dt.timedelta(days=10)
END = START + dt.timedelta(days=364)


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    return body


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def permit_body(**changes: Any) -> dict[str, Any]:
    return {
        "worker_iin": iin(1),
        "worker_surname": "Wang",
        "worker_given_names": "Li",
        "worker_nationality": "CHN",
        "category": "category_3",
        "isco": "2142",
        "region_kato": ASTANA,
        "valid_from": START.isoformat(),
        "valid_to": END.isoformat(),
    } | changes


def ready_employer(api: Api) -> tuple[dict[str, str], int]:
    """An employer with staff, a vacancy posted 20 days ago and a quota in its region."""
    me, admin = api.user("employer"), api.user("admin")
    e = ok(
        api.client.post(
            "/labour/employers",
            json={"bin": bin_(1), "name": "Astana Build", "oked_section": "F", "region_kato": ASTANA},
            headers=me,
        ),
        201,
    )
    staff = {"as_of": TODAY.isoformat(), "citizens_1_2": 5, "foreigners_1_2": 0, "citizens_3_4": 90}
    ok(api.client.put(f"/labour/employers/{e['id']}/staff", json=staff | {"foreigners_3_4": 0}, headers=me))
    vacancy = {"isco": "2142", "region_kato": ASTANA, "title": "Civil engineer", "wage": 900000}
    posted = (TODAY - dt.timedelta(days=20)).isoformat()
    ok(api.client.post("/labour/vacancies", json=vacancy | {"posted_on": posted}, headers=me), 201)
    for year in {START.year, END.year}:
        allocations = [{"region_kato": ASTANA, "category": "category_3", "allocated": 3}]
        ok(api.client.put(f"/labour/quota/{year}", json={"allocations": allocations}, headers=admin))
    return me, e["id"]


def test_from_registration_to_an_issued_permit(api: Api) -> None:
    me, employer_id = ready_employer(api)
    mine = ok(api.client.get("/labour/employers/me", headers=me))
    assert mine["id"] == employer_id and mine["sector_group"] == "c" and mine["staff"]["citizens_3_4"] == 90
    assert len(ok(api.client.get("/labour/vacancies", headers=me))) == 1
    r = api.client.post("/labour/permits", json=permit_body(), headers=me)
    p = ok(r, 201)
    assert p["state"] == "pending", [c for c in p["checks"] if not c["passed"]]
    assert iin(1) not in r.text and p["worker_iin_masked"].endswith(iin(1)[-2:])
    assert {c["key"] for c in p["checks"]} >= {"vacancy_posted", "quota_available", "local_content"}
    assert p["allowed_actions"] == ["withdraw"] and p["number"].startswith(f"WP-{TODAY.year}-")
    akimat = api.user("akimat")
    queue = ok(api.client.get("/labour/permits?state=pending", headers=akimat))
    assert queue["total"] == 1 and queue["items"][0]["employer_name"] == "Astana Build"
    approved = ok(api.client.post(f"/labour/permits/{p['id']}/actions/approve", headers=akimat))
    assert approved["state"] == "fee_due" and approved["fee"]["due_on"] and approved["fee"]["tenge"] > 0
    paid = ok(api.client.post(f"/labour/permits/{p['id']}/actions/pay", json={"payment_ref": "KASPI-1"}, headers=me))
    assert paid["state"] == "issued" and [h["action"] for h in paid["history"]] == ["apply", "approve", "pay"]
    usage = ok(api.client.get(f"/labour/quota?year={START.year}&region={ASTANA}", headers=api.user("analyst")))
    assert [(u["category"], u["issued"], u["left"]) for u in usage] == [("category_3", 1, 2)]
    report = ok(api.client.get(f"/labour/fees/report?year={START.year}", headers=api.user("analyst")))
    assert report == [
        {
            "region_kato": ASTANA,
            "sector_group": "c",
            "category": "category_3",
            "permits": 1,
            "fee_tenge": paid["fee"]["tenge"],
        }
    ]


def test_an_application_is_idempotent_by_key(api: Api) -> None:
    me, _ = ready_employer(api)
    key = {"Idempotency-Key": "permit-0001", **me}
    first = api.client.post("/labour/permits", json=permit_body(), headers=key)
    again = api.client.post("/labour/permits", json=permit_body(), headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again.headers["Idempotent-Replayed"] == "true"
    assert ok(api.client.get("/labour/permits", headers=me))["total"] == 1
    body = problem(api.client.post("/labour/permits", json=permit_body(worker_iin=iin(2)), headers=key), 422)
    assert body["errors"][0]["field"] == "Idempotency-Key"


def test_failed_checks_are_listed_and_refusals_name_the_field(api: Api) -> None:
    me, _ = ready_employer(api)
    p = ok(api.client.post("/labour/permits", json=permit_body(worker_iin=None, region_kato=ALMATY), headers=me), 201)
    assert p["state"] == "checks_failed"
    assert {c["key"] for c in p["checks"] if not c["passed"]} == {"worker_iin", "quota_available", "vacancy_posted"}
    assert all(c["reason"] for c in p["checks"])
    conflict = problem(api.client.post(f"/labour/permits/{p['id']}/actions/withdraw", headers=api.user("akimat")), 403)
    assert "withdraw" in conflict["detail"]
    wrong_state = problem(api.client.post(f"/labour/permits/{p['id']}/actions/pay", json={}, headers=me), 409)
    assert wrong_state["allowed"] == ["recheck", "withdraw"]
    body = problem(api.client.post("/labour/permits", json=permit_body(category="category_9"), headers=me), 422)
    assert body["errors"][0]["field"] == "category"
    bad_iin = iin(1)[:11] + str((int(iin(1)[11]) + 1) % 10)
    r = api.client.post("/labour/permits", json=permit_body(worker_iin=bad_iin), headers=me)
    checked = ok(r, 201)
    assert bad_iin not in r.text and not next(c for c in checked["checks"] if c["key"] == "worker_iin")["passed"]
    refusal = problem(
        api.client.post(
            f"/labour/permits/{p['id']}/actions/refuse", json={"reason": "short"}, headers=api.user("akimat")
        ),
        422,
    )
    assert refusal["errors"][0]["field"] == "reason"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bin": "971240001316"}, "bin"),
        ({"oked_section": "Z"}, "oked_section"),
        ({"region_kato": "123"}, "region_kato"),
    ],
)
def test_employer_registration_errors_name_the_field(api: Api, changes: dict[str, str], field: str) -> None:
    body = {"bin": bin_(1), "name": "X", "oked_section": "F", "region_kato": ASTANA} | changes
    r = api.client.post("/labour/employers", json=body, headers=api.user("employer"))
    assert problem(r, 422)["errors"][0]["field"] == field
    assert "971240001316" not in r.text


def test_roles_and_ownership(api: Api) -> None:
    me, employer_id = ready_employer(api)
    p = ok(api.client.post("/labour/permits", json=permit_body(), headers=me), 201)
    other = api.user("employer")
    problem(api.client.get(f"/labour/permits/{p['id']}", headers=other), 404)
    problem(api.client.get(f"/labour/employers/{employer_id}", headers=other), 404)
    problem(api.client.get("/labour/employers/me", headers=other), 404)
    problem(api.client.get("/labour/permits", headers=api.user("analyst")), 403)
    problem(api.client.get(f"/labour/fees/report?year={TODAY.year}", headers=me), 403)
    problem(api.client.put(f"/labour/quota/{TODAY.year}", json={"allocations": []}, headers=me), 403)
    problem(api.client.get(f"/labour/quota?year={TODAY.year}", headers=api.user("applicant")), 403)
    problem(api.client.post(f"/labour/permits/{p['id']}/actions/bless", headers=me), 404)
    assert ok(api.client.get(f"/labour/permits/{p['id']}", headers=api.user("supervisor")))["id"] == p["id"]


def test_quota_distribution_by_need(api: Api) -> None:
    admin = api.user("admin")
    out = ok(api.client.post("/labour/quota/2026/distribute", json={"needs": {ASTANA: 2, ALMATY: 1}}, headers=admin))
    cat1 = {a["region_kato"]: a["allocated"] for a in out if a["category"] == "category_1"}
    assert cat1 == {ASTANA: 484, ALMATY: 242}
    body = problem(api.client.post("/labour/quota/2025/distribute", json={"needs": {ASTANA: 1}}, headers=admin), 422)
    assert body["errors"][0]["field"] == "year"
    bad = problem(api.client.post("/labour/quota/2026/distribute", json={"needs": {"1": 1}}, headers=admin), 422)
    assert bad["errors"][0]["field"] == "needs"


def test_fee_quote_for_any_role(api: Api) -> None:
    body = {"category": "seasonal", "oked_section": "A", "valid_from": "2026-04-01", "valid_to": "2026-08-31"}
    q = ok(api.client.post("/labour/fees/quote", json=body, headers=api.user("applicant")))
    assert (q["mrp"], q["tenge"], q["band"], q["mrp_value"]) == (24.0, 103800, "up to 180 days", 4325)
    assert q["basis"]
    bad = body | {"category": "category_3", "oked_section": "Z"}
    assert problem(api.client.post("/labour/fees/quote", json=bad, headers=api.user("employer")), 422)["errors"]
    long = body | {"valid_to": "2027-06-30"}
    assert problem(api.client.post("/labour/fees/quote", json=long, headers=api.user("employer")), 422)["errors"]
    problem(api.client.post("/labour/fees/quote", json=body), 401)
