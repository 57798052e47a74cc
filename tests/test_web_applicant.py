"""Applicant pages: the multi-step application, errors next to fields, submission, explanation, appeal (both DBs)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from koshi.reference.regions import BY_KATO
from koshi.rules.engine import get_pack, score_profile
from koshi.store.models import Case
from koshi.web.applicant import CHOICE_LABELS, FIELD_TEXT, RULE_LABELS, steps_for
from tests.factories import kandas_profile, pr_profile
from tests.service import PASSWORD, Api
from tests.test_web import csrf, sign_in

CONTROLS = {"csrf_token", "back", "later"}
VALID_IIN = "791028302728"


def clean(page: str) -> str:
    """The page, after checking it obeys the CSP: no inline style or script."""
    assert 'style="' not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " onclick=" not in page
    return page


def form_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def group(page: str, column: str) -> str:
    """The HTML of one field's form group."""
    own = f'id="{column}-group"'
    at = page.index(own)
    end = page.find('-group"', at + len(own))
    return page[page.rindex("<div", 0, at) : end if end != -1 else len(page)]


def token_for(api: Api, username: str) -> dict[str, str]:
    r = api.client.post("/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def start(client: TestClient, pack: str = "kz.permanent_residence") -> str:
    """Choose the procedure; returns the new draft's id."""
    form = client.get("/my/cases/new?lang=en")
    assert form.status_code == 200
    r = client.post("/my/cases/new", data={"pack": pack, "csrf_token": csrf(clean(form.text))}, follow_redirects=False)
    assert r.status_code == 303, r.text
    match = re.fullmatch(r"/my/cases/([0-9a-f-]{36})/steps/1", r.headers["location"])
    assert match, r.headers["location"]
    return match.group(1)


def fill_all(client: TestClient, case_id: str, profile: dict[str, Any], iin: str = "") -> list[list[str]]:
    """Answer every step from ``profile``; returns the field names asked on each step."""
    url, asked = f"/my/cases/{case_id}/steps/1", []
    while True:
        step = client.get(url)
        assert step.status_code == 200, step.text
        form = clean(step.text).split(f'action="{url}"')[1].split("</form>")[0]
        names = [n for n in dict.fromkeys(re.findall(r'name="(\w+)"', form)) if n not in CONTROLS]
        asked.append(names)
        data = {n: (iin if n == "applicant_iin" else form_text(profile[n])) for n in names}
        r = client.post(url, data={**data, "csrf_token": csrf(step.text)}, follow_redirects=False)
        assert r.status_code == 303, r.text
        url = r.headers["location"]
        if url.endswith("/review"):
            return asked


@pytest.mark.parametrize(
    ("pack", "make"),
    [("kz.permanent_residence", pr_profile), ("kz.kandas_status", kandas_profile)],
    ids=["pr", "kandas"],
)
def test_an_applicant_fills_every_step_submits_and_sees_the_explanation(
    api: Api, pack: str, make: Callable[[], dict[str, Any]]
) -> None:
    profile = make()
    profile.pop("id")
    api.user("applicant", "asel")
    token = token_for(api, "asel")
    sign_in(api, "asel")
    listing = api.client.get("/my/cases?lang=en")
    assert listing.status_code == 200 and "Start a new application" in clean(listing.text)
    assert "You have no applications yet." in listing.text

    case_id = start(api.client, pack)
    asked = fill_all(api.client, case_id, profile, iin=VALID_IIN)
    # every input of the pack is asked exactly once, on 3 or 4 pages; the IIN on the first
    fields = [n for names in asked for n in names if n != "applicant_iin"]
    assert sorted(fields) == sorted(f.column for f in get_pack(pack).fields) and len(set(fields)) == len(fields)
    assert 3 <= len(asked) <= 4 and asked[0][0] == "applicant_iin"
    draft = api.client.get(f"/cases/{case_id}", headers=token).json()  # saved step by step, as typed values
    assert draft["status"] == "draft" and draft["profile"] == profile and draft["applicant_iin"] == VALID_IIN

    review = clean(api.client.get(f"/my/cases/{case_id}/review").text)
    assert "Check your answers before you submit" in review
    assert BY_KATO[profile["settlement_region"]].name_en in review
    assert f'href="/my/cases/{case_id}/steps/1?back=review#birth_date"' in review
    assert "Not answered" not in review

    r = api.client.post(f"/my/cases/{case_id}/submit", data={"csrf_token": csrf(review)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/my/cases/{case_id}?done=submitted"
    shown = clean(api.client.get(r.headers["location"]).text)
    expected = score_profile(get_pack(pack), profile, dt.datetime.now(dt.UTC).date())
    status = re.search(r'id="case-status">(.*?)</dd>', shown, re.S)
    assert status and "Scored" in status.group(1)
    total = f"{expected.total:,.0f} of {expected.maximum:,.0f}"
    assert total in re.search(r'id="case-score">(.*?)</dd>', shown, re.S).group(1)  # type: ignore[union-attr]
    assert f'koshi-explanation__total">{total}<' in shown
    for criterion in expected.criteria:
        row = re.search(rf'id="criterion-{criterion.key}">(.*?)</tr>', shown, re.S)
        assert row and criterion.label in row.group(1), criterion.key
        assert f">{criterion.points:,.0f}<" in row.group(1)
    reference = expected.criteria[0].references[0]
    assert html.escape(reference.title) in shown and f'href="{html.escape(reference.href or "")}"' in shown
    assert expected.parameters_hash in shown and expected.pack in shown
    assert "Application submitted" in shown and "Application scored" in shown
    assert "Withdraw application" in shown  # a scored case can still be withdrawn
    listing = clean(api.client.get("/my/cases").text)
    assert f'href="/my/cases/{case_id}"' in listing and "Scored" in listing and total in listing


def test_errors_are_shown_next_to_their_fields_with_what_was_typed(api: Api) -> None:
    api.user("applicant", "bolat")
    token = token_for(api, "bolat")
    sign_in(api, "bolat")
    case_id = start(api.client)
    for missing in ("5", "0", "x"):  # four steps for this pack
        assert api.client.get(f"/my/cases/{case_id}/steps/{missing}").status_code == 404
    languages = f"/my/cases/{case_id}/steps/3"
    form = clean(api.client.get(languages).text)
    assert "Languages" in form
    typed = {"kazakh_level": "a2", "russian_level": "c1", "english_level": "", "kaztest_listening_pct": "55"}
    r = api.client.post(languages, data={**typed, "kaztest_reading_pct": "150", "csrf_token": csrf(form)})
    assert r.status_code == 422
    page = clean(r.text)
    summary = page[page.index("govuk-error-summary") : page.index("</ul>", page.index("govuk-error-summary"))]
    assert 'href="#kaztest_reading_pct"' in summary and 'href="#english_level"' in summary
    assert 'href="#kaztest_listening_pct"' not in summary
    reading = group(page, "kaztest_reading_pct")
    assert "govuk-form-group--error" in reading and "Enter a number no greater than 100" in reading
    assert 'value="150"' in reading and "govuk-input--error" in reading
    assert "Select an answer" in group(page, "english_level")
    listening = group(page, "kaztest_listening_pct")
    assert "govuk-error-message" not in listening and 'value="55"' in listening
    assert 'value="c1" checked' in group(page, "russian_level")
    # the valid answers were saved, the invalid ones were not
    saved = api.client.get(f"/cases/{case_id}", headers=token).json()["profile"]
    assert saved == {"kazakh_level": "a2", "russian_level": "c1", "kaztest_listening_pct": 55}

    about = f"/my/cases/{case_id}/steps/1"
    bad = {"birth_date": "1990-02-30", "settlement_region": "550000000", "family_size": "2.5", "family_ties_kz": ""}
    r = api.client.post(about, data={**bad, "applicant_iin": "123", "csrf_token": csrf(form)})
    assert r.status_code == 422
    page = clean(r.text)
    assert "Enter a real date in the format YYYY-MM-DD" in group(page, "birth_date")
    assert 'value="1990-02-30"' in group(page, "birth_date")
    assert "Enter a whole number" in group(page, "family_size")
    assert "Select an answer" in group(page, "family_ties_kz")
    assert "Enter a valid IIN" in group(page, "applicant_iin") and 'value="123"' in group(page, "applicant_iin")
    assert "govuk-error-message" not in group(page, "settlement_region")
    assert 'value="550000000" selected' in page
    # a corrected step moves on to the next one
    good = {**bad, "birth_date": "1990-02-28", "family_size": "2", "family_ties_kz": "false", "applicant_iin": ""}
    r = api.client.post(about, data={**good, "csrf_token": csrf(form)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/my/cases/{case_id}/steps/2"


def test_submitting_an_incomplete_application_links_each_error_to_its_step(api: Api) -> None:
    api.user("applicant", "dina")
    sign_in(api, "dina")
    case_id = start(api.client)
    profile = pr_profile()
    step = api.client.get(f"/my/cases/{case_id}/steps/1")
    data = {k: form_text(profile[k]) for k in ("birth_date", "settlement_region", "family_size", "family_ties_kz")}
    r = api.client.post(f"/my/cases/{case_id}/steps/1", data={**data, "csrf_token": csrf(step.text)})
    assert r.status_code == 200 and "Education and work" in r.text  # followed to step 2
    review = clean(api.client.get(f"/my/cases/{case_id}/review?lang=en").text)
    assert "Not answered" in review
    r = api.client.post(f"/my/cases/{case_id}/submit", data={"csrf_token": csrf(review)})
    assert r.status_code == 422
    page = clean(r.text)
    assert f'href="/my/cases/{case_id}/steps/2?back=review#education_level"' in page
    assert f'href="/my/cases/{case_id}/steps/3?back=review#kaztest_reading_pct"' in page
    assert "Highest completed level of education – Select an answer" in page
    # Change from the review comes back to the review
    change = api.client.get(f"/my/cases/{case_id}/steps/2?back=review")
    assert f'href="/my/cases/{case_id}/review" class="govuk-back-link"' in change.text
    answers = {k: form_text(profile[k]) for k in ("education_level", "experience_years", "occupation_isco")}
    r = api.client.post(
        f"/my/cases/{case_id}/steps/2",
        data={**answers, "proof_of_funds_kzt": "6000000", "back": "review", "csrf_token": csrf(change.text)},
        follow_redirects=False,
    )
    assert r.headers["location"] == f"/my/cases/{case_id}/review"


def test_a_refused_applicant_sees_why_and_appeals(api: Api) -> None:
    me = api.user("applicant", "erlan")
    first, second = api.user("officer"), api.user("officer")
    case = api.apply(me, kaztest_reading_pct=20)  # KAZTEST knock-out
    cid = case["id"]
    assert api.act(first, cid, "take").status_code == 200
    assert api.act(first, cid, "propose_refusal", "KAZTEST reading block below 30%").status_code == 200
    assert api.act(second, cid, "confirm_refusal", "Agreed: the reading score is below the minimum").status_code == 200

    sign_in(api, "erlan")
    page = clean(api.client.get(f"/my/cases/{cid}?lang=en").text)
    assert "Refused" in re.search(r'id="case-status">(.*?)</dd>', page, re.S).group(1)  # type: ignore[union-attr]
    knockout = re.search(r'id="check-kaztest">(.*?)</tr>', page, re.S)
    assert knockout and "KAZTEST A1 not passed" in knockout.group(1) and ">Applies<" in knockout.group(1)
    assert "Agreed: the reading score is below the minimum" in page  # the decision's reason
    assert "KAZTEST reading block below 30%" not in page  # the internal proposal is not shown
    assert f'action="/my/cases/{cid}/appeal"' in page and "Withdraw application" not in page

    short = api.client.post(f"/my/cases/{cid}/appeal", data={"reason": "unfair", "csrf_token": csrf(page)})
    assert short.status_code == 422
    field = clean(short.text)
    assert 'href="#reason"' in field and "govuk-textarea--error" in field
    assert "Explain why you appeal, in at least 10 characters" in field and ">unfair</textarea>" in field
    forged = api.client.post(f"/my/cases/{cid}/appeal", data={"reason": "My certificate shows 45% in reading"})
    assert forged.status_code == 400
    r = api.client.post(
        f"/my/cases/{cid}/appeal",
        data={"reason": "My certificate shows 45% in reading", "csrf_token": csrf(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    after = clean(api.client.get(r.headers["location"]).text)
    assert "Appealed" in re.search(r'id="case-status">(.*?)</dd>', after, re.S).group(1)  # type: ignore[union-attr]
    assert "Appeal lodged" in after and "My certificate shows 45% in reading" in after
    assert f'action="/my/cases/{cid}/appeal"' not in after
    assert api.client.get(f"/cases/{cid}", headers=me).json()["status"] == "appealed"


def test_an_applicant_withdraws_after_confirming(api: Api) -> None:
    me = api.user("applicant", "gulnar")
    cid = api.apply(me)["id"]
    sign_in(api, "gulnar")
    confirm = clean(api.client.get(f"/my/cases/{cid}/withdraw?lang=en").text)
    assert "Are you sure you want to withdraw your application?" in confirm
    r = api.client.post(f"/my/cases/{cid}/withdraw", data={"csrf_token": csrf(confirm)}, follow_redirects=False)
    assert r.status_code == 303
    assert "Withdrawn" in api.client.get(r.headers["location"]).text
    assert api.client.get(f"/cases/{cid}", headers=me).json()["status"] == "withdrawn"
    # nothing left to withdraw: the confirmation page sends back to the case
    assert api.client.get(f"/my/cases/{cid}/withdraw", follow_redirects=False).status_code == 303


def test_other_applicants_cases_are_not_found_and_other_roles_are_refused(api: Api) -> None:
    owner = api.user("applicant", "owner")
    cid = api.apply(owner)["id"]
    draft = api.apply(owner, submit=False)["id"]
    api.user("applicant", "stranger")
    api.user("officer", "olzhas")
    assert api.client.get("/my/cases", follow_redirects=False).headers["location"] == "/sign-in"
    sign_in(api, "stranger")
    for path in (f"/my/cases/{cid}", f"/my/cases/{draft}/steps/1", f"/my/cases/{draft}/review", "/my/cases/nope"):
        r = api.client.get(path + "?lang=en")
        assert r.status_code == 404 and "Page not found" in clean(r.text), path
    token = csrf(api.client.get("/my/cases").text)
    r = api.client.post(f"/my/cases/{draft}/steps/1", data={"birth_date": "1990-01-01", "csrf_token": token})
    assert r.status_code == 404
    assert api.client.post(f"/my/cases/{draft}/submit", data={"csrf_token": token}).status_code == 404
    assert cid not in api.client.get("/my/cases").text
    with TestClient(api.client.app) as officer:
        form = officer.get("/sign-in")
        officer.post("/sign-in", data={"username": "olzhas", "password": PASSWORD, "csrf_token": csrf(form.text)})
        for path in ("/my/cases", "/my/cases/new", f"/my/cases/{cid}"):
            r = officer.get(path + "?lang=en")
            assert r.status_code == 403 and "These pages are for applicants" in clean(r.text), path


def test_forms_without_the_csrf_token_change_nothing(api: Api) -> None:
    me = api.user("applicant", "hanna")
    draft = api.apply(me, submit=False)["id"]
    sign_in(api, "hanna")
    before = api.count(Case)
    assert api.client.post("/my/cases/new", data={"pack": "kz.permanent_residence"}).status_code == 400
    assert api.client.post(f"/my/cases/{draft}/submit", data={"csrf_token": "forged"}).status_code == 400
    r = api.client.post(f"/my/cases/{draft}/steps/1", data={"birth_date": "1980-01-01"})
    assert r.status_code == 400
    assert api.count(Case) == before
    assert api.client.get(f"/cases/{draft}", headers=me).json()["status"] == "draft"


def test_pages_render_in_russian_and_kazakh(api: Api) -> None:
    me = api.user("applicant", "irina")
    cid = api.apply(me)["id"]
    sign_in(api, "irina")
    draft = start(api.client)
    for lang, region in (("ru", "Павлодарская область"), ("kk", "Павлодар облысы")):
        for path in ("/my/cases", "/my/cases/new", f"/my/cases/{draft}/steps/1", f"/my/cases/{draft}/review"):
            r = api.client.get(f"{path}?lang={lang}")
            assert r.status_code == 200 and f'<html lang="{lang}"' in clean(r.text), path
        assert f'<option value="550000000">{region}</option>' in api.client.get(f"/my/cases/{draft}/steps/1").text
        case = clean(api.client.get(f"/my/cases/{cid}?lang={lang}").text)
        assert f'<html lang="{lang}"' in case and region in case  # the explanation names the region
    assert "Pavlodar Region" in api.client.get(f"/my/cases/{cid}?lang=en").text


def test_steps_and_labels_cover_every_field_and_rule() -> None:
    for pack_id in ("kz.permanent_residence", "kz.kandas_status"):
        pack = get_pack(pack_id)
        steps = steps_for(pack)
        columns = [f.column for s in steps for f in s.fields]
        assert sorted(columns) == sorted(f.column for f in pack.fields) and 3 <= len(steps) <= 4
        assert {f.column for f in pack.fields} <= set(FIELD_TEXT)
        labels = {c.label for c in pack.criteria} | {g.label for g in pack.knockouts + pack.reviews} | {pack.title}
        assert labels <= set(RULE_LABELS), labels - set(RULE_LABELS)
        for f in pack.fields:
            if f.kind == "enum" and f.column != "settlement_region":
                assert set(f.choices or ()) <= set(CHOICE_LABELS[f.column]), f.column
    other = get_pack("ca.crs")  # no plan: five questions a page, none lost
    steps = steps_for(other)
    assert all(1 <= len(s.fields) <= 5 for s in steps)
    assert sorted(f.column for s in steps for f in s.fields) == sorted(f.column for f in other.fields)
