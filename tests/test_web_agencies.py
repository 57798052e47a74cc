"""Agency pages: notification, reports, job seekers' complaints, the ranking, inspections and sanctions,
roles and CSRF (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from koshi.documents.iin import check_digit
from koshi.store import agencies as store
from koshi.store.cases import Actor
from koshi.store.db import transaction
from koshi.store.models import AuditRecord, User
from koshi.web import agencies as web
from koshi.web.police import today
from tests.service import Api
from tests.test_web import csrf
from tests.test_web_officer import sign_in_as

_names = itertools.count(1)
_bins = itertools.count(1)
FOUNDER_IIN = "791028302728"  # a valid IIN: shown masked, never whole
ALMATY = "750000000"
LONG_AGO = dt.date(2024, 1, 15)  # notified long before the last quarters ended: reports are due


def new_bin() -> str:
    """A valid BIN (resident head office) no other test uses."""
    while True:
        first = f"2401400{next(_bins) + 5000:04d}"
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)


def text(html: str) -> str:
    """The page's words, tags removed, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def section(html: str, marker: str) -> str:
    """The table row (or ranking item) carrying ``marker`` (a data attribute), as words."""
    match = re.search(rf"<(tr|li)[^>]*{re.escape(marker)}[^>]*>(.*?)</\1>", html, flags=re.S)
    assert match, f"{marker} is not on the page"
    return text(match.group(2))


@contextmanager
def browser(api: Api, role: str) -> Iterator[tuple[TestClient, int]]:
    """A web client with its own cookies, signed in as a new user with ``role``; and the user's id."""
    name = f"{role}-agencies-web-{next(_names)}"
    api.user(role, name)
    with transaction(api.client.app.state.sessions) as session:
        uid = session.scalar(select(User.id).where(User.username == name))
    assert uid is not None
    with TestClient(api.client.app) as client:
        sign_in_as(client, name)
        yield client, uid


def inspector(api: Api) -> Actor:
    name = f"inspector-seed-{next(_names)}"
    api.user("inspector", name)
    with transaction(api.client.app.state.sessions) as session:
        uid = session.scalar(select(User.id).where(User.username == name))
    assert uid is not None
    return Actor(uid, "inspector")


@dataclass
class Seeded:
    id: str
    bin: str
    name: str


def seed(
    api: Api,
    name: str,
    *,
    activity: str = "domestic",
    active: bool = True,
    owner: int | None = None,
    fee_complaint: bool = False,
) -> Seeded:
    """An agency notified long ago (as an import would), activated, optionally bound to an agency account."""
    actor = inspector(api)
    number = new_bin()
    now = dt.datetime.now(dt.UTC)
    with transaction(api.client.app.state.sessions) as session:
        view = store.notify(
            session,
            None,
            bin=number,
            name=name,
            activity=activity,
            region_kato=ALMATY,
            founders=[{"name": "Aigul Sarsenova", "iin": FOUNDER_IIN, "share": 60}, {"name": "Marat Ospanov"}],
            addresses=[{"kind": "legal", "address": "Abay Ave 10, Almaty", "region_kato": ALMATY}],
            now=now,
            notified_on=LONG_AGO,
        )
        if active:
            store.change_status(session, actor, view.id, "activate", now=now)
        if owner is not None:
            store.bind_owner(session, actor, view.id, owner, now)
        if fee_complaint:
            store.add_complaint(
                session,
                actor,
                view.id,
                received_on=today(),
                kind="fee_charged",
                paid_amount_tenge=150_000,
                summary="Took 150,000 tenge for a job in Korea that never came.",
                now=now,
            )
    return Seeded(view.id, number, name)


NOTIFY = {
    "bin": "",
    "name": "Жұмыс Әлемі ЖШС",
    "activity": "both",
    "region": ALMATY,
    "founder-name-1": "Aigul Sarsenova",
    "founder-iin-1": FOUNDER_IIN,
    "founder-share-1": "60",
    "founder-name-2": "Marat Ospanov",
    "founder-share-2": "40",
    "address-kind-1": "legal",
    "address-text-1": "Abay Ave 10, Almaty",
    "address-region-1": ALMATY,
    "address-kind-2": "office",
    "address-text-2": "Tole Bi 55, office 3, Almaty",
    "address-region-2": ALMATY,
}


# --- the agency's own page ---------------------------------------------------------------------------


def test_an_agency_notifies_itself_and_sees_its_record(api: Api) -> None:
    with browser(api, "agency") as (client, _uid):
        form = client.get("/agency?lang=en")
        assert form.status_code == 200 and "Notify your agency" in form.text
        token = csrf(form.text)

        # everything wrong at once: each error next to its field, and in the summary
        bad = {**NOTIFY, "bin": "123", "founder-share-1": "lots", "address-region-2": "nowhere", "csrf_token": token}
        refused = client.post("/agency?lang=en", data=bad)
        assert refused.status_code == 422
        assert 'id="founder-share-1-error"' in refused.text
        assert "Enter a share in per cent, above 0 and at most 100" in refused.text
        assert 'id="address-region-2-error"' in refused.text
        assert 'href="#founder-share-1"' in refused.text  # the summary links to the field
        assert 'value="Aigul Sarsenova"' in refused.text  # what was typed is kept

        # the BIN is checked by the service: its refusal comes back next to the BIN
        wrong_bin = client.post("/agency?lang=en", data={**NOTIFY, "bin": "123", "csrf_token": token})
        assert wrong_bin.status_code == 422 and 'id="bin-error"' in wrong_bin.text

        number = new_bin()
        done = client.post("/agency", data={**NOTIFY, "bin": number, "csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/agency?done=notified"

        mine = client.get("/agency?done=notified&lang=en")
        assert mine.status_code == 200
        page = text(mine.text)
        assert "Your agency is notified" in page
        assert "Жұмыс Әлемі ЖШС" in page and number in page
        assert "Notified" in page and "Placement in Kazakhstan and abroad" in page
        assert FOUNDER_IIN not in mine.text  # masked
        assert "share 60%" in page and "Tole Bi 55, office 3, Almaty" in page
        assert "New agency, no track record" in page  # its own risk, with the reason
        # notified today: no quarter ended since, so no report can be filed yet
        report = client.post(
            "/agency/reports?lang=en",
            data={
                "csrf_token": token,
                "report-year": "2024",
                "report-quarter": "1",
                "report-placed-domestic": "1",
                "report-placed-abroad": "0",
                "report-served": "2",
                "report-fees": "0",
            },
        )
        assert report.status_code == 422
        assert "2024-Q1 ended before the agency was notified" in report.text
        assert 'id="report-quarter-error"' in report.text

        # one agency per account
        again = client.post("/agency?lang=en", data={**NOTIFY, "bin": new_bin(), "csrf_token": token})
        assert again.status_code == 422 and "Your account already has an agency registered" in again.text

        # the same page in Kazakh and Russian
        assert client.get("/agency?lang=kk").status_code == 200
        assert client.get("/agency?lang=ru").status_code == 200


def test_an_agency_files_its_quarterly_report(api: Api) -> None:
    with browser(api, "agency") as (client, uid):
        agency = seed(api, "Kadr Service LLP", owner=uid, fee_complaint=True)
        mine = client.get("/agency?lang=en")
        assert mine.status_code == 200 and "Kadr Service LLP" in mine.text
        assert 'id="fee-warning"' in mine.text  # the complaint of a fee, flagged to the agency too
        assert "Took 150,000 tenge" not in mine.text  # but what the job seeker wrote is for inspectors
        year, quarter = web.next_quarter([], today())
        assert f'<option value="{quarter}" selected>' in mine.text  # the quarter owed is proposed
        assert "Missing quarterly reports" in mine.text  # reports due since LONG_AGO are missing
        token = csrf(mine.text)
        data = {
            "csrf_token": token,
            "report-year": str(year),
            "report-quarter": str(quarter),
            "report-placed-domestic": "12",
            "report-placed-abroad": "3",
            "report-served": "40",
            "report-fees": "5000",
        }
        not_a_number = client.post("/agency/reports?lang=en", data={**data, "report-served": "forty"})
        assert not_a_number.status_code == 422
        assert (
            'id="report-served-error"' in not_a_number.text and "Enter a whole number, 0 or more" in not_a_number.text
        )
        filed = client.post("/agency/reports", data=data, follow_redirects=False)
        assert filed.status_code == 303 and filed.headers["location"] == "/agency?done=report#reports"
        label = f"{year}-Q{quarter}"
        row = section(client.get("/agency?lang=en").text, f'data-report="{label}"')
        assert row.startswith(label) and "12 3 40 5,000" in row
        assert "Fee taken from a job seeker" in row  # fees declared break the rule: flagged
        twice = client.post("/agency/reports?lang=en", data=data)
        assert twice.status_code == 422 and f"The report for {label} is already filed" in twice.text
        # another agency's page: refused, and the inspectors' pages are not for agencies
        other = seed(api, "Other Agency LLP")
        assert client.get(f"/inspector/agencies/{other.id}").status_code == 403
        assert client.get(f"/inspector/agencies/{agency.id}").status_code == 200  # its own
        assert client.get("/inspector/agencies").status_code == 403
        assert client.get("/inspector/ranking").status_code == 403


# --- job seekers ---------------------------------------------------------------------------------------


def test_a_job_seeker_complains_of_a_fee_and_the_flag_is_shown(api: Api) -> None:
    active = seed(api, "Abroad Jobs LLP", activity="abroad")
    waiting = seed(api, "Not Yet Active LLP", active=False)
    with browser(api, "applicant") as (seeker, _uid):
        form = seeker.get("/complaints/new?lang=en")
        assert form.status_code == 200
        assert f'value="{active.id}"' in form.text and f"Abroad Jobs LLP, BIN {active.bin}" in form.text
        assert waiting.id not in form.text  # only active agencies
        token = csrf(form.text)
        empty = seeker.post("/complaints/new?lang=en", data={"csrf_token": token, "summary": "short"})
        assert empty.status_code == 422
        for key in ("agency", "kind", "summary"):
            assert f'id="{key}-error"' in empty.text, key
        filed = seeker.post(
            "/complaints/new",
            data={
                "csrf_token": token,
                "agency": active.id,
                "kind": "false_vacancy",
                "paid": "80 000",
                "summary": "I paid 80,000 tenge for a job in Poland; there was no job.",
            },
            follow_redirects=False,
        )
        assert filed.status_code == 303 and filed.headers["location"] == "/complaints?done=filed"
        mine = seeker.get("/complaints?done=filed&lang=en")
        assert "Your complaint is filed" in mine.text
        row = text(mine.text.split("<tbody", 1)[1])
        assert "Abroad Jobs LLP" in row and "80,000" in row
        assert "Fee taken from a job seeker" in row  # an amount paid flags any kind
        assert "Under consideration" in row
        # a job seeker sees no agency records
        assert seeker.get(f"/inspector/agencies/{active.id}").status_code == 403
        assert seeker.get("/agency").status_code == 403

    with browser(api, "inspector") as (inspector_web, _uid):
        page = inspector_web.get(f"/inspector/agencies/{active.id}?lang=en").text
        assert 'id="fee-rule-flag"' in page
        complaint = re.search(r'data-complaint="(\d+)"', page)
        assert complaint
        row = section(page, f'data-complaint="{complaint.group(1)}"')
        assert "Fee taken from a job seeker" in row and "80,000" in row
        resolved = inspector_web.post(
            f"/inspector/agencies/{active.id}/complaints/{complaint.group(1)}",
            data={"csrf_token": csrf(page), f"resolve-{complaint.group(1)}": "substantiated"},
            follow_redirects=False,
        )
        assert resolved.status_code == 303
        after = inspector_web.get(f"/inspector/agencies/{active.id}?lang=en").text
        assert "Substantiated" in section(after, f'data-complaint="{complaint.group(1)}"')
        assert 'data-reason="fee_complaint_substantiated"' in after  # now it weighs on the score


# --- inspectors ---------------------------------------------------------------------------------------


def reasons_and_sum(item: str) -> tuple[list[float], float, float]:
    """A ranking item's reason points, the total shown under them, and the score shown."""

    def number(value: str) -> float:
        return float(value.replace(",", ""))

    points = [number(p) for p in re.findall(r'data-reason="[^"]+">.*?numeric">([\d.,]+)</td>', item, flags=re.S)]
    total = re.search(r'koshi-agencies-sum">([\d.,]+)<', item)
    score = re.search(r"data-score>([\d.,]+)<", item)
    assert total and score, item
    return points, number(total.group(1)), number(score.group(1))


def ranked(html: str) -> list[str]:
    return re.findall(r'<li class="koshi-agencies-ranked" data-agency="([^"]+)">', html)


def test_an_inspector_ranks_inspects_and_suspends(api: Api) -> None:
    risky = seed(api, "Risky Abroad LLP", activity="abroad", fee_complaint=True)
    calm = seed(api, "Calm Domestic LLP")
    with browser(api, "inspector") as (client, _uid):
        ranking = client.get("/inspector/ranking?lang=en")
        assert ranking.status_code == 200
        order = ranked(ranking.text)
        assert order.index(risky.id) < order.index(calm.id)
        item = re.search(rf'data-agency="{risky.id}">(.*?)</li>', ranking.text, flags=re.S)
        assert item
        points, total, score = reasons_and_sum(item.group(1))
        assert len(points) >= 2 and "Open complaints" in item.group(1)
        assert sum(points) == pytest.approx(total) == pytest.approx(score)  # the score is the visible sum
        assert "1 × 5 = 5" in text(item.group(1))  # one open complaint, 5 points each
        bad_date = client.get("/inspector/ranking?on=2026-13-40&lang=en")
        assert bad_date.status_code == 200 and 'id="on-error"' in bad_date.text
        before_rules = client.get("/inspector/ranking?on=2010-01-01&lang=en")
        assert "The agency rules apply from" in before_rules.text

        # the registry: highest risk first, filters
        registry = client.get("/inspector/agencies?lang=en").text
        rows = re.findall(r'data-agency="([^"]+)"', registry)
        assert rows.index(risky.id) < rows.index(calm.id)
        assert "Missing quarterly reports: 24 points" in section(registry, f'data-agency="{risky.id}"')
        abroad = client.get("/inspector/agencies?activity=abroad").text
        assert risky.id in abroad and calm.id not in abroad
        assert 'id="status-error"' in client.get("/inspector/agencies?status=gone&lang=en").text

        # the agency: founders masked
        page = client.get(f"/inspector/agencies/{risky.id}?lang=en")
        assert page.status_code == 200
        assert FOUNDER_IIN not in page.text and "Aigul Sarsenova" in page.text
        token = csrf(page.text)
        base = f"/inspector/agencies/{risky.id}"

        # an inspection done today, and a violation found in it
        recorded = client.post(
            f"{base}/inspections",
            data={
                "csrf_token": token,
                "kind": "record",
                "record-on": today().isoformat(),
                "record-reason": "complaint",
                "record-outcome": "violations",
                "record-findings": "Receipts for placement fees found.",
            },
            follow_redirects=False,
        )
        assert recorded.status_code == 303, recorded.text
        planned_past = client.post(
            f"{base}/inspections?lang=en",
            data={"csrf_token": token, "kind": "plan", "plan-on": "2020-01-01", "plan-reason": "risk"},
        )
        assert planned_past.status_code == 422 and "Enter today&#39;s date or a later one" in planned_past.text
        page = client.get(f"{base}?lang=en").text
        inspection = re.search(r'data-inspection="(\d+)"', page)
        assert inspection and "Violations found" in section(page, f'data-inspection="{inspection.group(1)}"')
        violation = client.post(
            f"{base}/violations",
            data={
                "csrf_token": token,
                "violation-code": "seeker_fee",
                "violation-found-on": today().isoformat(),
                "violation-inspection": inspection.group(1),
                "violation-description": "Charged 150,000 tenge to a job seeker for placement in Korea.",
            },
            follow_redirects=False,
        )
        assert violation.status_code == 303
        page = client.get(f"{base}?lang=en").text
        found = re.search(r'data-violation="(\d+)"', page)
        assert found and "Fee taken from a job seeker for placement" in section(
            page, f'data-violation="{found.group(1)}"'
        )
        vid = found.group(1)

        # a suspension needs its end; with it, the agency is suspended
        no_end = client.post(
            f"{base}/violations/{vid}/sanctions?lang=en",
            data={"csrf_token": token, f"sanction-kind-{vid}": "suspension"},
        )
        assert no_end.status_code == 422, no_end.text
        assert f'id="sanction-until-{vid}-error"' in no_end.text
        assert "Enter the day the suspension ends" in no_end.text
        until = (today() + dt.timedelta(days=90)).isoformat()
        suspended = client.post(
            f"{base}/violations/{vid}/sanctions",
            data={"csrf_token": token, f"sanction-kind-{vid}": "suspension", f"sanction-until-{vid}": until},
            follow_redirects=False,
        )
        assert suspended.status_code == 303
        page = client.get(f"{base}?lang=en").text
        assert "Suspended" in text(page.split('id="agency-headline"', 1)[1].split("</p>", 1)[0])
        assert 'data-sanction="suspension"' in page
        assert "sanction for violation" in page  # the history gives the reason
        assert "Reinstate" in page  # the actions open now
        for lang in ("kk", "ru"):  # the same pages in the other languages
            for path in (base, "/inspector/ranking", "/inspector/agencies"):
                assert client.get(f"{path}?lang={lang}").status_code == 200, (path, lang)
        listed = client.get("/inspector/agencies?status=suspended").text
        assert risky.id in listed and calm.id not in listed


def test_a_status_change_needs_a_reason(api: Api) -> None:
    agency = seed(api, "Reason Needed LLP")
    with browser(api, "inspector") as (client, _uid):
        base = f"/inspector/agencies/{agency.id}"
        token = csrf(client.get(base).text)
        bare = client.post(f"{base}/status?lang=en", data={"csrf_token": token, "status-action": "suspend"})
        assert bare.status_code == 422
        assert 'id="status-reason-error"' in bare.text and "Enter a reason of at least 10 characters" in bare.text
        assert 'value="suspend" checked' in bare.text
        wrong = client.post(
            f"{base}/status?lang=en",
            data={"csrf_token": token, "status-action": "reinstate", "status-reason": "Nothing to reinstate from."},
        )
        assert wrong.status_code == 422 and "This change of status is not open to the agency now" in wrong.text
        done = client.post(
            f"{base}/status",
            data={"csrf_token": token, "status-action": "suspend", "status-reason": "Inspection obstructed twice."},
            follow_redirects=False,
        )
        assert done.status_code == 303 and done.headers["location"] == f"{base}?done=status#status"
        page = client.get(f"{base}?done=status&lang=en").text
        assert "Status changed" in page and "Inspection obstructed twice." in page
    with transaction(api.client.app.state.sessions) as session:
        actions = set(session.scalars(select(AuditRecord.action).where(AuditRecord.case_id == agency.id)))
    assert {"agency.read", "agency.suspend"} <= actions  # every read and change is audited


# --- roles and CSRF -----------------------------------------------------------------------------------


def test_roles_as_the_registry_decides(api: Api) -> None:
    agency = seed(api, "Roles LLP")
    with browser(api, "analyst") as (analyst, _uid):
        assert analyst.get("/inspector/agencies").status_code == 200
        ranking = analyst.get("/inspector/ranking?lang=en")
        assert ranking.status_code == 200 and f'href="/inspector/agencies/{agency.id}"' not in ranking.text
        assert analyst.get(f"/inspector/agencies/{agency.id}").status_code == 403  # the list, not the records
    with browser(api, "supervisor") as (supervisor, _uid):
        page = supervisor.get(f"/inspector/agencies/{agency.id}?lang=en")
        assert page.status_code == 200 and 'id="status-form"' not in page.text  # reads, does not act
        refused = supervisor.post(
            f"/inspector/agencies/{agency.id}/status",
            data={"csrf_token": csrf(page.text), "status-action": "expire"},
        )
        assert refused.status_code == 403 and 'id="forbidden"' in refused.text
    with browser(api, "officer") as (officer, _uid):
        assert officer.get("/inspector/agencies").status_code == 403
        assert officer.get("/complaints").status_code == 403
    with browser(api, "inspector") as (client, _uid):
        missing = client.get("/inspector/agencies/00000000-0000-0000-0000-000000000000?lang=en")
        assert missing.status_code == 404 and 'id="not-found"' in missing.text
        assert client.get("/agency").status_code == 403  # an inspector has no agency of its own
    anonymous = TestClient(api.client.app)
    for path in ("/agency", "/inspector/agencies", "/inspector/ranking", "/complaints", "/complaints/new"):
        response = anonymous.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/sign-in", path


def test_forms_without_the_csrf_token_are_refused(api: Api) -> None:
    agency = seed(api, "Csrf LLP")
    with browser(api, "inspector") as (client, _uid):
        base = f"/inspector/agencies/{agency.id}"
        for path, data in (
            (f"{base}/status", {"status-action": "suspend", "status-reason": "A reason long enough."}),
            (f"{base}/inspections", {"kind": "plan", "plan-on": today().isoformat(), "plan-reason": "risk"}),
            (f"{base}/violations", {"violation-code": "other", "violation-found-on": today().isoformat()}),
            (f"{base}/violations/1/sanctions", {"sanction-kind-1": "warning"}),
            (f"{base}/complaints/1", {"resolve-1": "unfounded"}),
        ):
            response = client.post(path, data={**data, "csrf_token": "forged"})
            assert response.status_code == 400, path
        after = client.get(f"{base}?lang=en").text  # nothing was changed
        assert "Active" in text(after.split('id="agency-headline"', 1)[1].split("</p>", 1)[0])
        assert 'id="inspections-none"' in after and 'id="violations-none"' in after
    with browser(api, "agency") as (agency_web, _uid):
        assert agency_web.post("/agency", data={**NOTIFY, "bin": new_bin()}).status_code == 400
        assert agency_web.get("/agency?lang=en").text.count("Notify your agency") >= 1  # nothing registered
        assert agency_web.post("/agency/reports", data={"report-year": "2025"}).status_code == 400
    with browser(api, "applicant") as (seeker, _uid):
        assert seeker.post("/complaints/new", data={"agency": agency.id, "kind": "other"}).status_code == 400
