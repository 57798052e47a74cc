"""Officer and supervisor pages: the queue, the case page, decisions and the four-eyes rule (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from koshi.rules.engine import get_pack
from koshi.store import cases
from koshi.web import officer
from tests.service import PASSWORD, Api
from tests.test_web import csrf

LOW = {"experience_years": 1, "english_level": "none", "education_level": "isced_3", "russian_level": "b1"}  # 375
PAVLODAR, ASTANA = "550000000", "710000000"
CASE_LINK = re.compile(r'href="/queue/cases/([0-9a-f-]{36})"')


def sign_in_as(client: TestClient, username: str) -> None:
    form = client.get("/sign-in")
    r = client.post(
        "/sign-in",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


@contextmanager
def browser(api: Api, role: str) -> Iterator[TestClient]:
    """A separate web client (its own cookies) signed in as a new user with ``role``."""
    name = f"{role}-web-{next(_counter)}"
    api.user(role, name)
    with TestClient(api.client.app) as client:
        sign_in_as(client, name)
        yield client


_counter = iter(range(1, 10_000))


def listed(html: str) -> list[str]:
    """The case ids of the queue's rows, in order."""
    return CASE_LINK.findall(html)


def action_form(html: str, action: str) -> bool:
    return f'name="action" value="{action}"' in html


def post_action(client: TestClient, case_id: str, action: str, **fields: str) -> Any:
    page = client.get(f"/queue/cases/{case_id}?lang=en")
    data = {"csrf_token": csrf(page.text), "action": action, **fields}
    return client.post(f"/queue/cases/{case_id}/actions", data=data, follow_redirects=False)


# --- the queue -----------------------------------------------------------------------------------------


@pytest.fixture
def filed(api: Api) -> dict[str, dict[str, Any]]:
    """Four submitted cases of different packs, regions and scores, and one draft."""
    me = api.user("applicant")
    return {
        "top": api.apply(me, settlement_region=PAVLODAR),  # 630
        "astana": api.apply(me, settlement_region=ASTANA),  # 550
        "low": api.apply(me, **LOW),  # 375
        "kandas": api.apply(me, pack="kz.kandas_status"),  # 270
        "draft": api.apply(me, submit=False),
    }


def test_queue_lists_filters_and_sorts_cases(api: Api, filed: dict[str, dict[str, Any]]) -> None:
    ids = {k: v["id"] for k, v in filed.items()}
    with browser(api, "officer") as web:
        everything = web.get("/queue?lang=en")
        assert everything.status_code == 200
        assert set(listed(everything.text)) == set(ids.values())
        assert "4 cases" not in everything.text and "5 cases" in everything.text
        assert "Pavlodar Region" in everything.text and "Permanent residence permit" in everything.text

        scored = listed(web.get("/queue?status=scored").text)
        assert set(scored) == set(ids.values()) - {ids["draft"]}
        assert listed(web.get("/queue?pack=kz.kandas_status").text) == [ids["kandas"]]
        astana = web.get(f"/queue?region={ASTANA}")
        assert listed(astana.text) == [ids["astana"]]
        assert f'<option value="{ASTANA}" selected>' in astana.text  # the form keeps the choice
        assert set(listed(web.get("/queue?score_min=400&score_max=600").text)) == {ids["astana"]}
        assert set(listed(web.get("/queue?score_min=500").text)) == {ids["top"], ids["astana"]}

        by_score = web.get("/queue?status=scored&sort=-total&lang=en").text
        assert listed(by_score) == [ids["top"], ids["astana"], ids["low"], ids["kandas"]]
        assert re.search(
            r'aria-sort="descending"><a [^>]*href="/queue\?[^"]*sort=total', by_score
        )  # flips to ascending
        assert listed(web.get("/queue?status=scored&sort=total").text) == [
            ids["kandas"],
            ids["low"],
            ids["astana"],
            ids["top"],
        ]
        assert by_score.count('aria-sort="none"') == 2


def test_queue_pages_keep_the_filters(api: Api, filed: dict[str, dict[str, Any]], monkeypatch: Any) -> None:
    monkeypatch.setattr(officer, "PAGE_SIZE", 3)
    with browser(api, "supervisor") as web:
        first = web.get("/queue?status=scored&sort=-total&lang=en")
        assert len(listed(first.text)) == 3 and 'class="govuk-pagination"' in first.text
        assert 'aria-current="page">1</a>' in first.text
        link = re.search(r'href="(/queue\?[^"]*page=2[^"]*)"', first.text)
        assert link, "no link to page 2"
        second_url = link.group(1).replace("&amp;", "&")
        assert "status=scored" in second_url and "sort=-total" in second_url
        second = web.get(second_url)
        assert listed(second.text) == [filed["kandas"]["id"]]
        assert 'aria-current="page">2</a>' in second.text and 'rel="prev"' in second.text
        beyond = web.get("/queue?status=scored&sort=-total&page=9", follow_redirects=False)
        assert beyond.status_code == 303 and "page=2" in beyond.headers["location"]


def test_bad_filters_are_reported_next_to_the_field(api: Api, filed: dict[str, dict[str, Any]]) -> None:
    with browser(api, "officer") as web:
        r = web.get("/queue?score_min=lots&region=999&lang=en")
        assert r.status_code == 200  # the listing still works, without the filters it cannot use
        assert 'id="score_min-error"' in r.text and "Enter a score as a number, 0 or more" in r.text
        assert 'id="region-error"' in r.text and 'href="#score_min"' in r.text
        assert len(listed(r.text)) == 5  # the bad filters are ignored, not applied
        ru = web.get("/queue?score_min=1%C2%A0000,5&lang=en")  # a Russian-style number
        assert ru.status_code == 200 and listed(ru.text) == []


def test_queue_is_for_staff_only(api: Api, filed: dict[str, dict[str, Any]]) -> None:
    case_id = filed["top"]["id"]
    assert api.client.get("/queue", follow_redirects=False).headers["location"] == "/sign-in"
    assert api.client.get(f"/queue/cases/{case_id}", follow_redirects=False).status_code == 303
    for role in ("applicant", "analyst"):
        with browser(api, role) as web:
            for path in ("/queue", f"/queue/cases/{case_id}"):
                r = web.get(path + "?lang=en")
                assert r.status_code == 403 and "for officers and supervisors" in r.text
                # nothing of the case is shown: only the language links repeat the address that was asked for
                assert case_id not in re.sub(r'<nav class="koshi-header__nav".*?</nav>', "", r.text, flags=re.S)


# --- the case page and decisions ------------------------------------------------------------------------


def test_case_page_shows_answers_explanation_checks_and_history(api: Api) -> None:
    me = api.user("applicant")
    case = api.apply(me, criminal_record=True)  # a knock-out fires
    with browser(api, "officer") as web:
        r = web.get(f"/queue/cases/{case['id']}?lang=en")
        assert r.status_code == 200
        html = r.text
        assert "Unexpunged criminal record" in html and "Medical clearance obtained" in html  # pack descriptions
        assert "Pavlodar Region (550000000)" in html
        assert 'id="checks-knockouts"' in html and 'href="#check-' in html
        assert "Points by criterion" in html  # the explanation include
        assert "Application scored" in html and "applicant #" in html  # history: what and who
        assert action_form(html, "take") and not action_form(html, "approve")  # exactly what allowed_for says
        assert web.get("/queue/cases/00000000-0000-0000-0000-000000000000?lang=en").status_code == 404
        assert web.get("/queue/cases/not-a-case").status_code == 404


def test_four_eyes_refusal_needs_a_second_officer(api: Api) -> None:
    me = api.user("applicant")
    case_id = api.apply(me)["id"]
    why = "Documents of the work experience are forged."
    with browser(api, "officer") as first, browser(api, "officer") as second:
        taken = post_action(first, case_id, "take")
        assert taken.status_code == 303 and taken.headers["location"] == f"/queue/cases/{case_id}?done=take"
        proposed = post_action(first, case_id, "propose_refusal", reason=why)
        assert proposed.status_code == 303
        mine = first.get(proposed.headers["location"] + "&lang=en").text
        assert "Refusal proposed — waiting for a second officer to confirm it" in mine
        assert "Refusal waiting for a second officer" in mine and why in mine
        assert 'id="four-eyes-own"' in mine and not action_form(mine, "confirm_refusal")
        assert action_form(mine, "return_to_review")

        forged = post_action(first, case_id, "confirm_refusal", reason="I confirm my own refusal.")
        assert forged.status_code == 403
        assert "A refusal must be confirmed by a second officer, not the one who proposed it" in forged.text
        assert 'class="govuk-error-summary"' in forged.text and 'id="action-error"' in forged.text

        theirs = second.get(f"/queue/cases/{case_id}?lang=en").text
        assert action_form(theirs, "confirm_refusal") and 'id="four-eyes-second"' in theirs
        confirmed = post_action(second, case_id, "confirm_refusal", reason="Agreed: the documents are forged.")
        assert confirmed.status_code == 303
        final = second.get(confirmed.headers["location"] + "&lang=en").text
        assert "Refusal confirmed — the case is refused" in final
        assert re.search(r'id="case-status"><strong class="govuk-tag [^"]*">Refused<', final)
        history = final[final.index('id="history"') :]
        assert "Refusal proposed" in history and "Refusal confirmed" in history
        assert why in history and "Agreed: the documents are forged." in history
        officers = set(re.findall(r"officer #(\d+)", history))
        assert len(officers) == 2  # two different people decided
    assert api.client.get(f"/cases/{case_id}", headers=me).json()["status"] == "refused"


def test_a_missing_reason_is_shown_next_to_the_field_and_the_text_is_kept(api: Api) -> None:
    case_id = api.apply(api.user("applicant"))["id"]
    with browser(api, "officer") as web:
        post_action(web, case_id, "take")
        r = post_action(web, case_id, "propose_refusal", reason="<i>x</i>")
        assert r.status_code == 422
        assert 'id="reason-propose_refusal-error"' in r.text and 'href="#reason-propose_refusal"' in r.text
        assert "Enter a reason of at least 10 characters" in r.text
        assert re.search(r'id="reason-propose_refusal"[^>]*>&lt;i&gt;x&lt;/i&gt;</textarea>', r.text)  # kept, escaped
        assert 'govuk-textarea--error" id="reason-propose_refusal"' in r.text
        assert re.search(r'id="case-status"><strong class="govuk-tag [^"]*">In review<', r.text)
        again = web.get(f"/queue/cases/{case_id}/actions?lang=ru", follow_redirects=False)  # reload, language switch
        assert again.status_code == 303 and again.headers["location"] == f"/queue/cases/{case_id}?lang=ru"


def test_approving_against_the_recommendation_needs_a_reason(api: Api) -> None:
    low = api.apply(api.user("applicant"), **LOW)
    assert low["recommendation"] == "refused"
    with browser(api, "officer") as web:
        post_action(web, low["id"], "take")
        page = web.get(f"/queue/cases/{low['id']}?lang=en").text
        assert "The rules do not recommend approval, so approving needs a written reason." in page
        r = post_action(web, low["id"], "approve", reason="")
        assert r.status_code == 422 and 'id="reason-approve-error"' in r.text
        assert "Approving a case the rules do not recommend needs a written reason" in r.text
        ok = post_action(web, low["id"], "approve", reason="Experience confirmed by the employer in writing.")
        assert ok.status_code == 303
        assert "Case approved" in web.get(ok.headers["location"] + "&lang=en").text


def test_supervisor_override_needs_an_outcome(api: Api) -> None:
    case_id = api.apply(api.user("applicant"))["id"]
    with browser(api, "officer") as officer_web, browser(api, "supervisor") as web:
        assert not action_form(officer_web.get(f"/queue/cases/{case_id}").text, "override")
        page = web.get(f"/queue/cases/{case_id}?lang=en").text
        assert action_form(page, "override") and 'id="outcome-override"' in page
        r = post_action(web, case_id, "override", reason="Ministerial instruction no. 12.")
        assert r.status_code == 422 and 'id="outcome-override-error"' in r.text and "Select an outcome" in r.text
        assert 'href="#outcome-override"' in r.text and "Ministerial instruction no. 12.</textarea>" in r.text
        done = post_action(web, case_id, "override", reason="Ministerial instruction no. 12.", outcome="approved")
        assert done.status_code == 303
        final = web.get(done.headers["location"] + "&lang=en").text
        assert "Decision overridden" in final and 'id="case-outcome">Approved' in final


def test_a_post_without_csrf_is_refused_and_changes_nothing(api: Api) -> None:
    case_id = api.apply(api.user("applicant"))["id"]
    with browser(api, "officer") as web:
        r = web.post(f"/queue/cases/{case_id}/actions?lang=en", data={"action": "take"})
        assert r.status_code == 400 and "Your session expired" in r.text
        forged = web.post(f"/queue/cases/{case_id}/actions", data={"action": "take", "csrf_token": "forged"})
        assert forged.status_code == 400
        assert 'id="case-status"><strong class="govuk-tag govuk-tag--blue">' in web.get(f"/queue/cases/{case_id}").text
    anonymous = api.client.post(f"/queue/cases/{case_id}/actions", data={"action": "take"}, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/sign-in"


def test_pages_render_in_kazakh_without_inline_style_or_script(api: Api) -> None:
    case_id = api.apply(api.user("applicant"))["id"]
    with browser(api, "officer") as web:
        pages = {"/queue?lang=kk": 200, f"/queue/cases/{case_id}?lang=kk": 200, "/queue?score_min=x": 200}
        for path, status in pages.items():
            r = web.get(path)
            assert r.status_code == status
            html = r.text
            assert '<html lang="kk"' in html  # remembered after the first page
            assert "Павлодар облысы" in html  # region names in the page language
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
            assert not re.search(r"\sstyle=", html), "inline style"
            assert not re.search(r"\son[a-z]+=", html), "inline event handler"
            for src in set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html)):
                assert web.get(src).status_code == 200, src


def test_every_profile_field_has_a_translatable_label() -> None:
    for pack in cases.PACKS_WITH_CASES:
        missing = {f.description for f in get_pack(pack).fields} - set(officer.FIELD_DESCRIPTIONS)
        assert not missing, missing


def test_service_refusals_become_translated_messages() -> None:
    err = cases.CaseError(403, "a refusal must be confirmed by a second officer, not the one who proposed it")
    kk = officer.action_error(err, officer.Action.confirm_refusal, "en", "refusal_proposed")
    assert kk.message.startswith("A refusal must be confirmed") and kk.field == "reason"
    stale = officer.action_error(cases.CaseError(409, "cannot approve"), officer.Action.approve, "en", "refused")
    assert "“Refused”" in stale.message
    role = officer.action_error(
        cases.CaseError(403, "role officer may not override"), officer.Action.override, "en", None
    )
    assert role.message == "Your role may not take this action"
