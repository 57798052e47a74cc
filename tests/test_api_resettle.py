"""The /resettle endpoints: an akimat's programme data, a family from application to a 3-month follow-up,
matching, payments and the analyst's summaries; refusals as problem+json naming the field, roles,
ownership, the quota, idempotent applications and masked IINs."""

from __future__ import annotations

from typing import Any

import pytest

from koshi.api import resettle
from tests.labour_data import bin_, iin
from tests.service import Api

YEAR = 2026
PAVLODAR, KARAGANDA, TURKISTAN = "550000000", "350000000", "610000000"
PAVLODAR_CITY, KARAGANDA_CITY = "551010000", "351010000"


@pytest.fixture(autouse=True)
def _mounted(api: Api) -> None:
    """Mount the router when the app does not include it yet (the lead adds it to ``koshi.api.app``)."""
    app: Any = api.client.app
    if not any(getattr(route, "path", "").startswith("/resettle/") for route in app.routes):
        app.include_router(resettle.router)


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    return body


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def act(api: Api, who: dict[str, str], family_id: str, action: str, **extra: Any) -> Any:
    """POST a workflow action; returns the response."""
    return api.client.post(f"/resettle/families/{family_id}/actions", json={"action": action, **extra}, headers=who)


def family_body(n: int = 1, **changes: Any) -> dict[str, Any]:
    """A resettler family from Turkistan that passes every check in 2026."""
    return {
        "category": "resettler",
        "head_iin": iin(n),
        "head_surname": "Sadykov",
        "head_given_names": "Aidos",
        "employment_status": "job_seeker",
        "origin_kato": TURKISTAN,
        "registered_since": "2024-05-01",
        "size": 4,
        "able_bodied": 2,
        "isco": "7233",
        "preferences": [PAVLODAR],
        "applied_on": f"{YEAR}-03-02",
    } | changes


def programme(api: Api, akimat: dict[str, str]) -> dict[str, Any]:
    """A settlement in Pavlodar with a mechanic's job and employer housing for six."""
    c = api.client
    ok(
        c.post(
            "/resettle/settlements", json={"kato": PAVLODAR_CITY, "name": "Pavlodar", "rent_mrp": 20}, headers=akimat
        ),
        201,
    )
    housing = {"ref": "H-1", "settlement_kato": PAVLODAR_CITY, "capacity": 6, "kind": "employer"}
    h = ok(c.post("/resettle/housing", json=housing, headers=akimat), 201)
    vacancy = {
        "ref": "V-1",
        "employer_bin": bin_(1),
        "employer_name": "Pavlodar Agro",
        "isco": "7233",
        "title": "Agricultural machinery mechanic",
        "wage": 350000,
        "settlement_kato": PAVLODAR_CITY,
        "housing_ref": "H-1",
        "posted_on": f"{YEAR}-02-01",
    }
    v: dict[str, Any] = ok(c.post("/resettle/vacancies", json=vacancy, headers=akimat), 201)
    assert v["region_kato"] == PAVLODAR and v["housing"]["id"] == h["id"] and v["filled"] is False
    return v


def test_from_application_to_follow_up(api: Api) -> None:
    c = api.client
    akimat, officer, analyst = api.user("akimat"), api.user("officer"), api.user("analyst")
    applicant = api.user("applicant")
    vacancy = programme(api, akimat)
    assert [s["kato"] for s in ok(c.get(f"/resettle/settlements?region_kato={PAVLODAR}", headers=officer))] == [
        PAVLODAR_CITY
    ]
    assert [v["ref"] for v in ok(c.get("/resettle/vacancies?open_only=true", headers=officer))] == ["V-1"]
    assert [h["ref"] for h in ok(c.get("/resettle/housing", headers=akimat))] == ["H-1"]

    r = c.post("/resettle/families", json=family_body(), headers=applicant)
    f = ok(r, 201)
    assert iin(1) not in r.text and f["head_iin_masked"] and f["head_iin_masked"].endswith(iin(1)[-2:])
    assert f["state"] == "submitted" and f["eligible"], [ch for ch in f["checks"] if not ch["passed"]]
    assert f["number"].startswith(f"RS-{YEAR}-") and f["year"] == YEAR
    assert all(ch["reason"] for ch in f["checks"]) and "withdraw" in f["allowed_actions"]
    mine = ok(c.get("/resettle/families", headers=applicant))
    assert mine["total"] == 1 and mine["items"][0]["id"] == f["id"]

    approved = ok(act(api, officer, f["id"], "approve"))
    assert approved["state"] == "approved"
    run = ok(c.post("/resettle/match-runs", json={"year": YEAR, "apply": True}, headers=officer), 201)
    assert (run["placed_families"], run["placed_persons"], run["applied"]) == (1, 4, True)
    assert run["objective"] >= run["greedy_objective"] > 0
    assert (run["greedy_families"], run["first_choice_share"], run["greedy_first_choice_share"]) == (1, 1.0, 1.0)
    assert [m["id"] for m in ok(c.get(f"/resettle/match-runs?year={YEAR}", headers=analyst))] == [run["id"]]
    assert ok(c.get(f"/resettle/match-runs/{run['id']}/unmatched", headers=analyst)) == []

    proposed = ok(c.get(f"/resettle/families/{f['id']}", headers=akimat))
    assert proposed["state"] == "proposed" and proposed["placement"]["vacancy"]["id"] == vacancy["id"]
    assert proposed["placement"]["region_kato"] == PAVLODAR and proposed["placement"]["run_id"] == run["id"]
    confirmed = ok(act(api, akimat, f["id"], "confirm"))
    assert confirmed["state"] == "confirmed"
    items = {line["item"]: line for line in confirmed["support"]}
    assert items["relocation"]["mrp"] == 70 * 4 and items["relocation"]["payee"] == "family"
    assert all(line["basis"] and line["state"] == "due" for line in confirmed["support"])
    assert confirmed["support_total_tenge"] == sum(line["tenge"] for line in confirmed["support"])

    arrive = {"action": "arrive", "on": f"{YEAR}-04-01"}
    arrived = ok(c.post(f"/resettle/families/{f['id']}/actions", json=arrive, headers=akimat))
    assert arrived["state"] == "arrived" and arrived["placement"]["arrived_on"] == f"{YEAR}-04-01"
    assert [u["month"] for u in arrived["followups"]] == [3, 6, 12]
    seen = {"month": 3, "observed_on": f"{YEAR}-07-03", "status": "employed", "able_bodied": 2, "employed": 2}
    followed = ok(c.post(f"/resettle/families/{f['id']}/followups", json=seen, headers=akimat))
    assert followed["followups"][0]["status"] == "employed" and followed["followups"][0]["employed"] == 2

    line = items["relocation"]["id"]
    paid = ok(c.post(f"/resettle/payments/{line}/pay", json={"paid_on": f"{YEAR}-04-05"}, headers=officer))
    assert paid["state"] == "paid" and paid["paid_on"] == f"{YEAR}-04-05"
    again = ok(c.get(f"/resettle/families/{f['id']}", headers=officer))
    assert [e["action"] for e in again["history"]][:2] == ["apply", "approve"] and iin(1) not in str(again)

    quota = ok(c.get(f"/resettle/quota?year={YEAR}", headers=analyst))
    mine_quota = next(q for q in quota if (q["region_kato"], q["category"]) == (PAVLODAR, "resettler"))
    assert mine_quota["used"] == 4 and mine_quota["left"] == mine_quota["quota"] - 4
    support = ok(c.get(f"/resettle/support?year={YEAR}", headers=analyst))
    relocation = next(s for s in support if s["item"] == "relocation")
    assert (relocation["region_kato"], relocation["families"], relocation["mrp"]) == (PAVLODAR, 1, 280)
    assert relocation["paid_tenge"] == relocation["tenge"] == items["relocation"]["tenge"]
    followups = ok(c.get(f"/resettle/followups?year={YEAR}", headers=analyst))
    three = next(s for s in followups if s["month"] == 3)
    assert (three["region_kato"], three["recorded"], three["able_bodied"], three["employed"]) == (PAVLODAR, 1, 2, 2)


def test_an_application_is_idempotent_by_key(api: Api) -> None:
    applicant = api.user("applicant")
    key = {"Idempotency-Key": "family-0001", **applicant}
    first = api.client.post("/resettle/families", json=family_body(), headers=key)
    again = api.client.post("/resettle/families", json=family_body(), headers=key)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json() == again.json() and again.headers["Idempotent-Replayed"] == "true"
    assert ok(api.client.get("/resettle/families", headers=applicant))["total"] == 1
    body = problem(api.client.post("/resettle/families", json=family_body(size=5), headers=key), 422)
    assert body["errors"][0]["field"] == "Idempotency-Key"


BAD_APPLICATIONS = (
    ({"origin_kato": "61000"}, "origin_kato"),
    ({"preferences": ["55000000X"]}, "preferences.0"),
    ({"size": 0}, "size"),
    ({"category": "refugee"}, "category"),
    ({"applied_on": f"{YEAR}-02-30"}, "applied_on"),
    ({"isco": "72"}, "isco"),
    ({"head_iin": "12345"}, "head_iin"),
)


def test_bad_applications_name_the_field(api: Api) -> None:
    """One database for every case (each case against a fresh one would cost a migration)."""
    officer = api.user("officer")
    for changes, field in BAD_APPLICATIONS:
        r = api.client.post("/resettle/families", json=family_body(**changes), headers=officer)
        body = problem(r, 422)
        assert field in [e["field"] for e in body["errors"]] and field in body["detail"], changes
        assert iin(1) not in r.text
    assert ok(api.client.get("/resettle/families", headers=officer))["total"] == 0


def test_bad_programme_data_and_actions_name_the_field(api: Api) -> None:
    akimat, c = api.user("akimat"), api.client
    bad = {"kato": "5510", "name": "Pavlodar", "rent_mrp": 20}
    assert problem(c.post("/resettle/settlements", json=bad, headers=akimat), 422)["errors"][0]["field"] == "kato"
    rent = {"kato": PAVLODAR_CITY, "name": "Pavlodar", "rent_mrp": 45}
    assert problem(c.post("/resettle/settlements", json=rent, headers=akimat), 422)["errors"][0]["field"] == "rent_mrp"
    housing = {"ref": "H-9", "settlement_kato": PAVLODAR_CITY, "capacity": 4, "kind": "tent"}
    assert problem(c.post("/resettle/housing", json=housing, headers=akimat), 422)["errors"][0]["field"] == "kind"
    f = ok(c.post("/resettle/families", json=family_body(), headers=api.user("applicant")), 201)
    bad_day = problem(act(api, akimat, f["id"], "arrive", on=f"{YEAR}-13-01"), 422)
    assert [e["field"] for e in bad_day["errors"]] == ["on"]
    unknown = problem(act(api, akimat, f["id"], "fly"), 422)
    assert [e["field"] for e in unknown["errors"]] == ["action"]
    run = problem(c.post("/resettle/match-runs", json={"year": 1999}, headers=api.user("officer")), 422)
    assert run["errors"][0]["field"] == "year"


def test_roles_ownership_and_open_actions(api: Api) -> None:
    c = api.client
    me, other, officer, analyst = api.user("applicant"), api.user("applicant"), api.user("officer"), api.user("analyst")
    f = ok(c.post("/resettle/families", json=family_body(), headers=me), 201)
    url = f"/resettle/families/{f['id']}"
    assert ok(c.get(url, headers=me))["id"] == f["id"]
    problem(c.get(url, headers=analyst), 403)
    problem(c.get(url, headers=other), 404)
    problem(c.get("/resettle/families/00000000-0000-0000-0000-000000000000", headers=officer), 404)
    assert ok(c.get("/resettle/families", headers=other))["total"] == 0
    problem(c.post(f"{url}/actions", json={"action": "approve"}, headers=me), 403)
    problem(c.post(f"{url}/actions", json={"action": "withdraw", "reason": "changed our plans"}, headers=other), 404)
    problem(c.post("/resettle/settlements", json={"kato": PAVLODAR_CITY, "name": "P", "rent_mrp": 20}, headers=me), 403)
    problem(c.post("/resettle/match-runs", json={"year": YEAR}, headers=analyst), 403)
    problem(c.post("/resettle/families", json=family_body(2), headers=analyst), 403)
    problem(c.get(f"/resettle/support?year={YEAR}", headers=me), 403)
    conflict = problem(c.post(f"{url}/actions", json={"action": "place", "vacancy_id": 1}, headers=officer), 409)
    assert conflict["allowed"] == ["approve", "refuse", "recheck", "withdraw"]
    assert conflict["errors"][0]["field"] == "action" and "submitted" in conflict["detail"]
    withdrawn = ok(c.post(f"{url}/actions", json={"action": "withdraw", "reason": "changed our plans"}, headers=me))
    assert withdrawn["state"] == "withdrawn"
    assert problem(c.post(f"{url}/actions", json={"action": "approve"}, headers=officer), 409)["allowed"] == []


def test_quota_exhausted_and_housing_too_small(api: Api) -> None:
    """Karaganda takes 37 resettlers in 2026: a second family of 20 does not fit; a family of 7 does not fit
    housing for 4."""
    c, akimat, officer = api.client, api.user("akimat"), api.user("officer")
    town = {"kato": KARAGANDA_CITY, "name": "Karaganda", "rent_mrp": 25}
    ok(c.post("/resettle/settlements", json=town, headers=akimat), 201)
    small_flat = {"ref": "H-S", "settlement_kato": KARAGANDA_CITY, "capacity": 4, "kind": "employer"}
    ok(c.post("/resettle/housing", json=small_flat, headers=akimat), 201)
    vacancies = []
    for n, housing in ((1, None), (2, None), (3, "H-S")):
        vacancy = {
            "ref": f"K-{n}",
            "employer_bin": bin_(2),
            "employer_name": "Karaganda Mining",
            "isco": "8111",
            "title": "Miner",
            "wage": 420000,
            "settlement_kato": KARAGANDA_CITY,
            "housing_ref": housing,
            "posted_on": f"{YEAR}-02-01",
        }
        vacancies.append(ok(c.post("/resettle/vacancies", json=vacancy, headers=akimat), 201)["id"])
    families = []
    for n, size in ((11, 20), (12, 20), (13, 7)):
        body = family_body(n, size=size, able_bodied=2, isco="8111", preferences=[KARAGANDA])
        f = ok(c.post("/resettle/families", json=body, headers=officer), 201)
        assert ok(act(api, officer, f["id"], "approve"))["state"] == "approved"
        families.append(f["id"])
    assert ok(act(api, officer, families[0], "place", vacancy_id=vacancies[0]))["state"] == "proposed"
    full = problem(act(api, officer, families[1], "place", vacancy_id=vacancies[1]), 409)
    assert "quota exhausted" in full["detail"] and "17" in full["detail"] and "20" in full["detail"]
    small = problem(act(api, officer, families[2], "place", vacancy_id=vacancies[2]), 409)
    assert "family of 7" in small["detail"] and "4" in small["detail"]
    quota = ok(c.get(f"/resettle/quota?year={YEAR}", headers=akimat))
    karaganda = next(q for q in quota if (q["region_kato"], q["category"]) == (KARAGANDA, "resettler"))
    assert (karaganda["quota"], karaganda["reserved"], karaganda["left"]) == (37, 20, 17)


def test_eligibility_without_storing(api: Api) -> None:
    c, officer = api.client, api.user("officer")
    body = {k: v for k, v in family_body().items() if not k.startswith("head_") and k != "isco"}
    good = ok(c.post("/resettle/eligibility", json=body, headers=officer))
    assert good["eligible"] and [ch["key"] for ch in good["checks"]][:2] == ["status", "job_seeker"]
    assert good["parameters_hash"] and all(ch["basis"] for ch in good["checks"] if ch["applies"])
    late = ok(c.post("/resettle/eligibility", json=body | {"registered_since": f"{YEAR}-01-01"}, headers=officer))
    failed = [ch for ch in late["checks"] if not ch["passed"]]
    assert not late["eligible"] and [ch["key"] for ch in failed] == ["registration"]
    assert "12 months" in failed[0]["reason"]
    old = problem(c.post("/resettle/eligibility", json=body | {"applied_on": "2019-05-01"}, headers=officer), 422)
    assert old["errors"][0]["field"] == "applied_on"
    assert ok(c.get("/resettle/families", headers=officer))["total"] == 0
