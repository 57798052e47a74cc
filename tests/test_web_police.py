"""Police pages: overstay lists, one person's stay and timeline, reasons, roles and CSRF (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from koshi.registry import stay
from koshi.store import overstays, registry_import
from koshi.store.cases import Actor
from koshi.store.db import transaction
from koshi.store.models import AuditRecord, User
from koshi.store.registry import TravelDocument
from koshi.web import police
from koshi.web.i18n import format_number
from tests.service import Api
from tests.test_web import csrf
from tests.test_web_officer import sign_in_as

_ids = itertools.count(1)
_names = itertools.count(1)
T = police.today()


def days(n: int) -> dt.date:
    """``n`` days from today in Kazakhstan (negative: before)."""
    return T + dt.timedelta(days=n)


def traveller(number: str, nationality: str, surname: str, given: str) -> dict[str, Any]:
    return {
        "doc_type": "P",
        "doc_country": nationality,
        "doc_number": number,
        "nationality": nationality,
        "surname": surname,
        "given_names": given,
        "birth_date": "1990-04-01",
        "sex": "M",
    }


def crossing(who: dict[str, Any], day: dt.date, direction: str, point: str = "ALA-AIR") -> dict[str, Any]:
    return {
        **who,
        "event_id": f"BE-{next(_ids)}",
        "crossing_point": point,
        "direction": direction,
        "occurred_at": f"{day.isoformat()}T10:00:00+05:00",
        "transport": "air",
    }


OVER = traveller("AB1234567", "UZB", "KARIMOV", "ALISHER")  # entered 34 days ago: 5 days over 30 per entry
SOON = traveller("U12345678", "TUR", "YILMAZ", "AHMET")  # entered 25 days ago: passes 30 days in 5 days
PAST = traveller("FA7654321", "UZB", "TOSHEVA", "MALIKA")  # stayed 41 days and left: 11 days over, in the past


def load(api: Api, kind: str, rows: list[dict[str, Any]]) -> None:
    with transaction(api.client.app.state.sessions) as session:
        report = registry_import.import_batch(
            session, kind, rows, f"web-police-{next(_ids)}", registry_import.SYSTEM, dt.datetime.now(dt.UTC), "test"
        )
    assert report.rejected == 0, report.errors


@dataclass
class Registry:
    api: Api
    over: int
    soon: int
    past: int


@pytest.fixture
def registry(api: Api) -> Registry:
    """Three travellers (overstaying now, soon, in the past) and the overstayer's other records."""
    load(
        api,
        "border_events",
        [
            crossing(OVER, days(-34), "entry"),
            crossing(SOON, days(-25), "entry", "NUR-AIR"),
            crossing(PAST, days(-100), "entry"),
            crossing(PAST, days(-60), "exit", "ZHANAOZEN"),
        ],
    )
    load(
        api,
        "authorizations",
        [
            {
                **OVER,
                "application_id": "QZ-0001",
                "kind": "eta",
                "purpose": "tourism",
                "applied_at": f"{days(-40).isoformat()}T09:00:00+05:00",
                "trip_from": days(-34).isoformat(),
                "trip_to": days(-10).isoformat(),
                "decision": "approved",
                "decided_at": f"{days(-39).isoformat()}T09:00:00+05:00",
                "valid_from": days(-39).isoformat(),
                "valid_to": days(60).isoformat(),
            }
        ],
    )
    load(
        api,
        "registrations",
        [
            {
                **OVER,
                "registration_id": "REG-0001",
                "host_kind": "individual",
                "host_id": "791028302728",
                "address": "Abay Ave 10, Almaty",
                "region_kato": "750000000",
                "arrival_date": days(-34).isoformat(),
                "registered_on": days(-33).isoformat(),
                "channel": "e_qonaq",
            }
        ],
    )
    with transaction(api.client.app.state.sessions) as session:
        ids = {d.doc_number: d.person_id for d in session.scalars(select(TravelDocument))}
    return Registry(api, ids[OVER["doc_number"]], ids[SOON["doc_number"]], ids[PAST["doc_number"]])


def refresh(api: Api) -> None:
    """Recompute the stay status as a police user would (through the service)."""
    api.user("police", name := f"police-refresher-{next(_names)}")
    with transaction(api.client.app.state.sessions) as session:
        uid = session.scalar(select(User.id).where(User.username == name))
        assert uid is not None
        overstays.refresh(session, Actor(uid, "police"), T, dt.datetime.now(dt.UTC))


@contextmanager
def browser(api: Api, role: str) -> Iterator[TestClient]:
    """A web client with its own cookies, signed in as a new user with ``role``."""
    name = f"{role}-police-web-{next(_names)}"
    api.user(role, name)
    with TestClient(api.client.app) as client:
        sign_in_as(client, name)
        yield client


def people(html: str) -> list[int]:
    """The person ids of a list's rows, in order."""
    return [int(n) for n in re.findall(r'<tr class="govuk-table__row" data-person="(\d+)">', html)]


def row(html: str, person_id: int) -> str:
    match = re.search(rf'data-person="{person_id}">(.*?)</tr>', html, flags=re.S)
    assert match, f"person {person_id} is not listed"
    return re.sub(r"\s+", " ", match.group(1))


def text(html: str) -> str:
    """The page's words, tags removed (for sentences split by markup)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def reason_url(person_id: int, entry: dt.date) -> str:
    return f"/police/persons/{person_id}/overstays/{entry.isoformat()}/reason"


# --- lists -----------------------------------------------------------------------------------------


def test_lists_show_who_overstays_now_soon_and_before(registry: Registry) -> None:
    api = registry.api
    with browser(api, "police") as web:
        empty = web.get("/police/overstays?lang=en")
        assert empty.status_code == 200 and "has not been computed yet" in empty.text
        recompute = web.post(
            "/police/overstays/refresh",
            data={"csrf_token": csrf(empty.text), "back": "/police/overstays?kind=soon", "days": "7"},
            follow_redirects=False,
        )
        assert recompute.status_code == 303 and recompute.headers["location"] == "/police/overstays?kind=soon"
        banner = web.get("/police/overstays?kind=soon&lang=en")
        counts = text(banner.text)
        assert "Stay status recomputed as of" in counts
        assert "3 people in the registry" in counts and "2 in the country" in counts
        assert "1 overstaying now" in counts and "1 will overstay within 7 days" in counts
        assert "Stay status recomputed" not in web.get("/police/overstays?lang=en").text  # shown once

        now = web.get("/police/overstays?lang=en")
        assert people(now.text) == [registry.over]
        over = row(now.text, registry.over)
        assert "KARIMOV, ALISHER" in over and "UZB AB1234567" in over
        assert f'href="/police/persons/{registry.over}"' in over
        assert "Visa-free" in over and "Days per entry" in over
        assert re.search(r'numeric">\s*5\s*</td>', over), over  # 5 days over the 30 per entry
        assert "Fine: 10 MRP" in over and "Not set" in over
        assert "art. 517 part 3" in now.text and "as of" in now.text

        soon = web.get("/police/overstays?kind=soon&lang=en")
        assert people(soon.text) == [registry.soon]
        soon_row = row(soon.text, registry.soon)
        assert "YILMAZ" in soon_row and re.search(r'numeric">\s*5\s*</td>', soon_row)  # 5 days to go
        assert people(web.get("/police/overstays?kind=soon&days=3").text) == []
        assert people(web.get("/police/overstays?kind=soon&days=30").text) == [registry.soon]

        past = web.get("/police/overstays?kind=past&lang=en")
        assert people(past.text) == [registry.past]
        past_row = row(past.text, registry.past)
        assert re.search(r'numeric">\s*11\s*</td>', past_row) and "Fine and expulsion" in past_row

        assert people(web.get("/police/overstays?nationality=uzb&band=fine").text) == [registry.over]
        assert people(web.get("/police/overstays?nationality=TUR").text) == []
        assert people(web.get("/police/overstays?band=warning").text) == []
        bad = web.get("/police/overstays?nationality=U2&band=loud&lang=en")
        assert bad.status_code == 200 and people(bad.text) == [registry.over]  # wrong filters are ignored
        assert 'id="nationality-error"' in bad.text and 'id="band-error"' in bad.text
        assert 'href="#nationality"' in bad.text and bad.text.count("govuk-error-summary__list") == 1


def test_lists_are_paginated(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    refresh(registry.api)
    monkeypatch.setattr(police, "PAGE_SIZE", 1)
    load(
        registry.api,
        "border_events",
        [crossing(traveller("ZZ0000001", "UZB", "AKHMEDOV", "BOBUR"), days(-40), "entry")],
    )
    refresh(registry.api)
    with browser(registry.api, "police") as web:
        first = web.get("/police/overstays?nationality=UZB&lang=en")
        assert len(people(first.text)) == 1 and 'class="govuk-pagination"' in first.text
        link = re.search(r'href="(/police/overstays\?[^"]*page=2[^"]*)"', first.text)
        assert link, "no link to page 2"
        second = web.get(link.group(1).replace("&amp;", "&"))
        assert "nationality=UZB" in link.group(1) and people(second.text) == [registry.over]
        assert people(first.text) != people(second.text)  # the longest overstay (11 days) first
        beyond = web.get("/police/overstays?nationality=UZB&page=9", follow_redirects=False)
        assert beyond.status_code == 303 and "page=2" in beyond.headers["location"]


# --- one person ------------------------------------------------------------------------------------


def test_person_page_shows_control_plan_and_timeline(registry: Registry) -> None:
    rules = stay.policy(T)
    with browser(registry.api, "police") as web:
        r = web.get(f"/police/persons/{registry.over}?lang=en")
        assert r.status_code == 200
        page = text(r.text)
        assert "KARIMOV, ALISHER" in page and "AB1234567" in page and "Passport" in page
        figures = text(r.text.split('id="control-figures"')[1].split("</dl>")[0])
        assert "Yes, entered on" in figures
        assert f"35 of {rules.window_limit}" in figures  # the 34 days before today and today
        assert "5 days over the limit" in figures and "Rule broken: Days per entry" in figures
        assert f"10 MRP, {format_number(10 * rules.mrp, 'en')} tenge" in figures
        assert f"At most {rules.window_limit} days in any {rules.window_days} days" in page
        assert "At most 30 days per entry" in page
        # the timeline: every record, with its kind, in date order
        timeline = r.text.split('id="timeline-table"')[1]
        kinds = re.findall(
            r'<td class="govuk-table__cell">(Travel authorization|Border crossing|Registration[^<]*)</td>', timeline
        )
        assert kinds[0] == "Travel authorization"  # applied for 6 days before the entry
        assert sorted(kinds[1:]) == ["Border crossing", "Registration at the place of stay"]  # the day of entry
        assert "ALA-AIR" in timeline and "Abay Ave 10, Almaty" in timeline and "E-Qonaq" in timeline
        assert "10:00" in timeline  # crossing time in Kazakhstan time

        before = text(web.get(f"/police/persons/{registry.over}?on={days(-10).isoformat()}&lang=en").text)
        assert "No overstay on this date" in before and "Will exceed the limit on" in before

        past = web.get(f"/police/persons/{registry.past}?entry={days(10).isoformat()}&lang=en")
        plan = text(past.text.split('id="plan"')[1].split("</dl>")[0])
        assert "Lawful days from that entry" in plan and "Latest lawful exit" in plan
        assert "Earliest entry for a full stay of 30 days" in plan
        overstayed = text(past.text.split('id="overstays-table"')[1].split("</table>")[0])
        assert "11" in overstayed and "Fine and expulsion" in overstayed

        inside = web.get(f"/police/persons/{registry.past}?entry={days(-80).isoformat()}&lang=en")
        assert 'id="plan-error"' in inside.text and "falls inside a recorded stay" in inside.text

        wrong = web.get(f"/police/persons/{registry.over}?on=2026-02-30&entry=soon&lang=en")
        assert wrong.status_code == 200 and 'id="on-error"' in wrong.text and 'id="entry-error"' in wrong.text
        early = web.get(f"/police/persons/{registry.over}?on=2020-01-01&lang=en")
        assert 'id="on-error"' in early.text and "The stay rules are not in force" in early.text

        assert web.get("/police/persons/999999?lang=en").status_code == 404
        assert web.get("/police/persons/nobody").status_code == 404


# --- reasons ---------------------------------------------------------------------------------------


def test_reasons_are_validated_recorded_listed_and_audited(registry: Registry) -> None:
    refresh(registry.api)
    entry = days(-34)
    with browser(registry.api, "police") as web:
        page = web.get(f"/police/persons/{registry.over}?lang=en")
        token = csrf(page.text)
        key = entry.isoformat()
        assert f'id="code-{key}"' in page.text and f'id="note-{key}"' in page.text

        bare_other = web.post(
            reason_url(registry.over, entry), data={"csrf_token": token, "code": "other", "note": " "}
        )
        assert bare_other.status_code == 422
        assert f'id="note-{key}-error"' in bare_other.text and f'href="#note-{key}"' in bare_other.text
        assert '<option value="other" selected>' in bare_other.text  # the form keeps the choice
        no_code = web.post(reason_url(registry.over, entry), data={"csrf_token": token, "code": "", "note": ""})
        assert no_code.status_code == 422 and f'id="code-{key}-error"' in no_code.text
        wrong_stay = web.post(reason_url(registry.over, days(-20)), data={"csrf_token": token, "code": "hospital"})
        assert wrong_stay.status_code == 422 and 'id="reason-error"' in wrong_stay.text

        done = web.post(
            reason_url(registry.over, entry),
            data={"csrf_token": token, "code": "hospital", "note": "Clinic certificate no. 12"},
            follow_redirects=False,
        )
        assert done.status_code == 303 and done.headers["location"].startswith(f"/police/persons/{registry.over}?")
        shown = web.get(done.headers["location"] + "&lang=en")
        assert 'id="done-message"' in shown.text and "Reason recorded" in shown.text
        history = text(shown.text.split('id="reason-history"')[1].split("</table>")[0])
        assert "In hospital or too ill to travel" in history and "Clinic certificate no. 12" in history
        assert "(you)" in history

        listed = row(web.get("/police/overstays?lang=en").text, registry.over)
        assert "In hospital or too ill to travel" in listed and "Clinic certificate" in listed

        past_entry = days(-100)
        assert (
            web.post(
                reason_url(registry.past, past_entry),
                data={"csrf_token": token, "code": "departed"},
                follow_redirects=False,
            ).status_code
            == 303
        )
        assert "Departed; the exit is not in the border feed" in row(
            web.get("/police/overstays?kind=past&lang=en").text, registry.past
        )

    with transaction(registry.api.client.app.state.sessions) as session:
        actions = list(session.scalars(select(AuditRecord.action).where(AuditRecord.action == "registry.reason")))
    assert len(actions) == 2  # the refused ones left no reason behind


# --- access ----------------------------------------------------------------------------------------


def test_roles_sign_in_and_csrf(registry: Registry) -> None:
    api = registry.api
    refresh(api)
    entry = days(-34)
    assert api.client.get("/police/overstays", follow_redirects=False).headers["location"] == "/sign-in"
    assert api.client.get(f"/police/persons/{registry.over}", follow_redirects=False).status_code == 303
    for role in ("officer", "applicant"):
        with browser(api, role) as web:
            refused = web.get("/police/overstays?lang=en")
            assert refused.status_code == 403 and 'id="forbidden"' in refused.text, role
            assert web.get(f"/police/persons/{registry.over}").status_code == 403, role
            assert web.get("/police/persons/999999").status_code == 403, role  # no probing for who exists
            token = csrf(refused.text)
            assert (
                web.post(reason_url(registry.over, entry), data={"csrf_token": token, "code": "hospital"}).status_code
                == 403
            )
            assert web.post("/police/overstays/refresh", data={"csrf_token": token}).status_code == 403

    with browser(api, "supervisor") as web:
        listing = web.get("/police/overstays?lang=en")
        assert listing.status_code == 200 and people(listing.text) == [registry.over]
        assert "Recompute now" not in listing.text
        person = web.get(f"/police/persons/{registry.over}?lang=en")
        assert person.status_code == 200 and 'name="code"' not in person.text and 'id="reasons-readonly"' in person.text
        token = csrf(person.text)
        assert (
            web.post(reason_url(registry.over, entry), data={"csrf_token": token, "code": "hospital"}).status_code
            == 403
        )
        assert web.post("/police/overstays/refresh", data={"csrf_token": token}).status_code == 403

    with browser(api, "police") as web:
        page = web.get(f"/police/persons/{registry.over}")
        forged = web.post(reason_url(registry.over, entry), data={"csrf_token": "forged", "code": "hospital"})
        assert forged.status_code == 400
        assert web.post(reason_url(registry.over, entry), data={"code": "hospital"}).status_code == 400
        assert web.post("/police/overstays/refresh", data={"csrf_token": "forged"}).status_code == 400
        assert "Recompute now" in web.get("/police/overstays?lang=en").text and csrf(page.text)
    with transaction(api.client.app.state.sessions) as session:
        assert session.scalars(select(overstays.OverstayReason)).first() is None
        refreshes = list(session.scalars(select(AuditRecord.action).where(AuditRecord.action == "registry.refresh")))
    assert len(refreshes) == 1  # only the fixture's


@pytest.mark.parametrize(
    ("lang", "word"), [("kk", "Шығу"), ("ru", "Выйти"), ("en", "Sign out")], ids=["kk", "ru", "en"]
)
def test_pages_render_in_every_language(registry: Registry, lang: str, word: str) -> None:
    refresh(registry.api)
    with browser(registry.api, "police") as web:
        for url in (
            f"/police/overstays?lang={lang}",
            f"/police/overstays?kind=soon&lang={lang}",
            f"/police/overstays?kind=past&lang={lang}",
            f"/police/persons/{registry.over}?entry={days(30).isoformat()}&lang={lang}",
            f"/police/persons/{registry.past}?lang={lang}",
        ):
            r = web.get(url)
            assert r.status_code == 200, url
            assert f'<html lang="{lang}"' in r.text and word in r.text, url


# --- without a database ------------------------------------------------------------------------------


def test_reason_labels_are_the_services_codes() -> None:
    assert police.REASON_LABELS == overstays.REASONS


@pytest.mark.parametrize("nationality", ["RUS", "UZB", "CHN", "NGA"])
def test_every_rule_basis_has_a_translated_sentence(nationality: str) -> None:
    control = stay.control([stay.Stay(days(-5), None)], [], nationality, T)
    assert control.basis
    for line in control.basis:
        assert police.message(line, "ru").lang is None, line


def test_plan_refusals_are_translated() -> None:
    history = [stay.Stay(days(-60), days(-40))]
    with pytest.raises(ValueError) as inside:
        stay.plan(history, [], "UZB", entry=days(-50), today=T)
    shown = police.message(str(inside.value), "en")
    assert shown.lang is None and "falls inside a recorded stay" in shown.text
    with pytest.raises(ValueError) as present:
        stay.plan([stay.Stay(days(-5), None)], [], "UZB", entry=days(-2), today=T)
    assert police.message(str(present.value), "en").lang is None
