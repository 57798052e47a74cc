"""Foreign-labour pages: an employer registers, posts vacancies, applies; the akimat decides; the fee is paid.

Roles, CSRF and other employers' permits too (SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import select

from koshi.documents.iin import check_digit
from koshi.labour.checks import Application, Facts, Staff, evaluate
from koshi.labour.fees import RateTable, quote
from koshi.labour.policy import Category, policy
from koshi.store import labour as store
from koshi.store.cases import Actor
from koshi.store.db import transaction
from koshi.store.models import AuditRecord, User
from koshi.web import i18n, labour
from tests.service import Api
from tests.test_web import csrf
from tests.test_web_officer import sign_in_as

ALMATY = "750000000"
_names = itertools.count(1)
WORKER_IIN = "791028302728"  # a valid IIN (koshi.documents.iin's example)
T = labour.today()
START = T + dt.timedelta(days=30)
END = START + dt.timedelta(days=364)  # within 12 months


def with_check(first11: str) -> str:
    digit = check_digit(first11)
    assert digit is not None
    return first11 + str(digit)


def new_bin(serial: int) -> str:
    """A valid head-office BIN (registered March 2015, a resident legal entity)."""
    for n in itertools.count(serial * 10):
        if check_digit(f"150340{n:05d}") is not None:
            return with_check(f"150340{n:05d}")
    raise AssertionError("unreachable")


@contextmanager
def browser(api: Api, role: str) -> Iterator[TestClient]:
    """A web client with its own cookies, signed in as a new user with ``role``."""
    name = f"{role}-labour-web-{next(_names)}"
    api.user(role, name)
    with TestClient(api.client.app) as client:
        sign_in_as(client, name)
        yield client


def user_id(api: Api, prefix: str) -> int:
    with transaction(api.client.app.state.sessions) as session:
        uid = session.scalar(select(User.id).where(User.username.like(prefix + "%")).order_by(User.id.desc()))
    assert uid is not None
    return uid


def set_quota(api: Api, places: int = 2) -> None:
    """An administrator distributes ``places`` of category 3 in Almaty for the permits' year."""
    name = f"admin-labour-{next(_names)}"
    api.user("admin", name)
    with transaction(api.client.app.state.sessions) as session:
        store.set_quota(
            session,
            Actor(user_id(api, name), "admin"),
            START.year,
            {(ALMATY, "category_3"): places},
            dt.datetime.now(dt.UTC),
        )


def text(html: str) -> str:
    """The page's words, tags removed (for sentences split by markup)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def check_row(html: str, key: str) -> str:
    match = re.search(rf'<tr class="govuk-table__row[^"]*" id="check-{key}"[^>]*>(.*?)</tr>', html, flags=re.S)
    assert match, f"no check {key} on the page"
    return match.group(0)


def register(web: TestClient, serial: int, name: str = "Tau Build LLP") -> None:
    home = web.get("/employer?lang=en")
    assert home.status_code == 200 and 'id="register-form"' in home.text
    done = web.post(
        "/employer/register",
        data={
            "csrf_token": csrf(home.text),
            "bin": new_bin(serial),
            "name": name,
            "oked_section": "F",
            "region_kato": ALMATY,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/employer", done.text


def application(token: str, isco: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "intent": "apply",
        "worker_iin": WORKER_IIN,
        "worker_surname": "WANG",
        "worker_given_names": "LEI",
        "worker_nationality": "chn",
        "category": "category_3",
        "isco": isco,
        "region_kato": ALMATY,
        "valid_from": START.isoformat(),
        "valid_to": END.isoformat(),
        **changes,
    }


def apply(web: TestClient, isco: str) -> str:
    form = web.get("/employer/permits/new?lang=en")
    made = web.post("/employer/permits/new", data=application(csrf(form.text), isco), follow_redirects=False)
    assert made.status_code == 303, made.text
    match = re.fullmatch(r"/employer/permits/([0-9a-f-]{36})", made.headers["location"])
    assert match, made.headers["location"]
    return match.group(1)


# --- the journey -----------------------------------------------------------------------------------


def test_employer_applies_akimat_approves_employer_pays(api: Api) -> None:
    set_quota(api)
    rules = policy(START)
    fee = quote(Category.category_3, "F", START, END, RateTable.of(rules), rules.mrp)
    with browser(api, "employer") as web, browser(api, "akimat") as akimat:
        assert web.get("/employer/permits/new", follow_redirects=False).headers["location"] == "/employer"
        home = web.get("/employer?lang=en")
        token = csrf(home.text)
        bad = web.post(
            "/employer/register",
            data={"csrf_token": token, "bin": "150340000001", "name": "", "oked_section": "Z", "region_kato": "1"},
        )
        assert bad.status_code == 422
        for field in ("bin", "name", "oked_section", "region_kato"):
            assert f'id="{field}-error"' in bad.text and f'href="#{field}"' in bad.text, field
        assert bad.text.count("govuk-error-summary__list") == 1
        wrong_digit = new_bin(1)[:-1] + str((int(new_bin(1)[-1]) + 1) % 10)
        checksum = web.post(
            "/employer/register",
            data={"csrf_token": token, "bin": wrong_digit, "name": "X", "oked_section": "F", "region_kato": ALMATY},
        )
        assert checksum.status_code == 422 and 'id="bin-error"' in checksum.text  # the service's refusal
        register(web, 1)
        company = web.get("/employer?lang=en")
        assert "Tau Build LLP" in company.text and 'id="done-message"' in company.text
        assert "Construction" in company.text and 'id="register-form"' not in company.text

        # staff: 90 citizens in categories 3-4, so one foreign specialist keeps 90 % (98.9 % with one)
        staff = web.post(
            "/employer/staff",
            data={
                "csrf_token": token,
                "as_of": T.isoformat(),
                "citizens_1_2": "5",
                "foreigners_1_2": "0",
                "citizens_3_4": "90",
                "foreigners_3_4": "x",
                "ict": "0",
            },
        )
        assert staff.status_code == 422 and 'id="foreigners_3_4-error"' in staff.text
        assert 'value="90"' in staff.text  # the form keeps what was typed
        saved = web.post(
            "/employer/staff",
            data={"csrf_token": token, "as_of": T.isoformat(), "citizens_1_2": "5", "foreigners_1_2": "0"}
            | {"citizens_3_4": "90", "foreigners_3_4": "0", "ict": "0"},
            follow_redirects=False,
        )
        assert saved.status_code == 303
        assert 'id="staff-citizens_3_4">90<' in web.get("/employer").text

        # vacancies: one posted 20 days ago (the check passes), one 3 days ago (it fails), one in the future
        def vacancy(isco: str, posted: dt.date) -> int:
            return web.post(
                "/employer/vacancies",
                data={"csrf_token": token, "isco": isco, "title": f"Job {isco}", "wage": "450 000"}
                | {"region_kato": ALMATY, "posted_on": posted.isoformat()},
                follow_redirects=False,
            ).status_code

        assert vacancy("2142", T - dt.timedelta(days=20)) == 303
        assert vacancy("7212", T - dt.timedelta(days=3)) == 303
        future = web.post(
            "/employer/vacancies",
            data={"csrf_token": token, "isco": "2142", "title": "Later", "wage": "1", "region_kato": ALMATY}
            | {"posted_on": (T + dt.timedelta(days=10)).isoformat()},
        )
        assert future.status_code == 422 and 'id="vacancy-posted_on-error"' in future.text
        assert "The posting date cannot be in the future" in future.text
        listed = web.get("/employer?lang=en").text
        assert listed.count("data-vacancy=") == 2 and "Job 2142" in listed and "450,000" in listed

        # the fee estimate, then an application missing its fields
        form = web.get("/employer/permits/new?lang=en")
        assert form.status_code == 200 and f'value="{ALMATY}" selected' in form.text
        estimate = web.post(
            "/employer/permits/new",
            data={"csrf_token": token, "intent": "estimate", "category": "category_3"}
            | {"valid_from": START.isoformat(), "valid_to": END.isoformat()},
        )
        assert estimate.status_code == 200 and 'id="fee-estimate"' in estimate.text
        amount = text(estimate.text.split('id="fee-amount">')[1].split("</p>")[0])
        assert amount.strip() == f"{i18n.format_number(fee.mrp, 'en')} MRP, {i18n.format_number(fee.tenge, 'en')} tenge"
        missing = web.post(
            "/employer/permits/new", data=application(token, "21", worker_surname="", valid_to="2020-01-01")
        )
        assert missing.status_code == 422
        for field in ("worker_surname", "isco", "valid_to"):
            assert f'id="{field}-error"' in missing.text, field
        assert 'id="worker_iin-error"' not in missing.text and 'value="LEI"' in missing.text

        # two applications: one passes every check, one fails the vacancy test
        good = apply(web, "2142")
        shown = web.get(f"/employer/permits/{good}?lang=en")
        assert shown.status_code == 200 and "The application is submitted and checked" in shown.text
        assert 'data-passed="yes"' in check_row(shown.text, "vacancy_posted")
        assert "at least 15 calendar days before the application" in check_row(shown.text, "vacancy_posted")
        assert "Waiting for the akimat" in shown.text and "Every check passed." in shown.text
        assert WORKER_IIN not in shown.text and "**********28" in shown.text  # masked
        assert "Legal basis" in check_row(shown.text, "vacancy_posted") and "govuk-details" in shown.text
        assert 'id="button-withdraw"' in shown.text and 'id="button-approve"' not in shown.text

        bad_app = apply(web, "7212")
        failed = web.get(f"/employer/permits/{bad_app}?lang=en")
        row = check_row(failed.text, "vacancy_posted")
        assert 'data-passed="no"' in row and "Failed" in row and "15 calendar days are required" in row
        assert 'data-passed="yes"' in check_row(failed.text, "local_content")
        assert "1 of 7 checks failed." in text(failed.text) and "Checks failed" in failed.text
        assert 'id="button-recheck"' in failed.text
        mine = web.get("/employer?lang=en").text
        assert mine.count("data-permit=") == 2

        # the akimat's queue: the pending permit only, by default
        queue = akimat.get("/akimat/permits?lang=en")
        assert queue.status_code == 200
        assert f'data-permit="{good}"' in queue.text and f'data-permit="{bad_app}"' not in queue.text
        everything = akimat.get(f"/akimat/permits?state=all&region={ALMATY}&year={START.year}")
        assert f'data-permit="{bad_app}"' in everything.text
        page = akimat.get(f"/akimat/permits/{good}?lang=en")
        assert 'id="button-approve"' in page.text and 'id="reason-refuse"' in page.text
        atoken = csrf(page.text)
        short = akimat.post(
            f"/akimat/permits/{good}/actions", data={"csrf_token": atoken, "action": "refuse", "reason": "no"}
        )
        assert short.status_code == 422 and 'id="reason-refuse-error"' in short.text
        assert 'href="#reason-refuse"' in short.text
        approved = akimat.post(
            f"/akimat/permits/{good}/actions", data={"csrf_token": atoken, "action": "approve"}, follow_redirects=False
        )
        assert approved.status_code == 303 and approved.headers["location"] == f"/akimat/permits/{good}"
        due = akimat.get(approved.headers["location"] + "?lang=en")
        assert "Fee due" in due.text and 'id="button-pay"' in due.text
        stale = akimat.post(f"/akimat/permits/{good}/actions", data={"csrf_token": atoken, "action": "approve"})
        assert stale.status_code == 409 and 'id="action-approve"' in stale.text

        # the employer sees the fee and pays it
        owed = web.get(f"/employer/permits/{good}?lang=en")
        assert f"{i18n.format_number(fee.tenge, 'en')} tenge" in owed.text
        fee_due = text(owed.text.split('id="fee-due">')[1].split("</dd>")[0]).strip()
        assert fee_due and fee_due != "Set when the akimat approves the permit"
        nothing = web.post(f"/employer/permits/{good}/actions", data={"csrf_token": token, "action": "pay"})
        assert nothing.status_code == 422 and 'id="payment_ref-error"' in nothing.text
        paid = web.post(
            f"/employer/permits/{good}/actions",
            data={"csrf_token": token, "action": "pay", "payment_ref": "KZ-PAY-0001"},
            follow_redirects=False,
        )
        assert paid.status_code == 303
        issued = web.get(f"/employer/permits/{good}?lang=en")
        assert "Issued" in issued.text and "Paid, reference KZ-PAY-0001" in issued.text
        history = issued.text.split('id="history-table"')[1]
        assert re.findall(r'data-event="(\w+)"', history) == ["apply", "approve", "pay"]

        # an extension: the same worker and job from the day after, without the vacancy test
        assert 'id="extend-link"' in issued.text
        form = web.get(f"/employer/permits/new?extends={good}&lang=en")
        assert f'name="extends_id" value="{good}"' in form.text and 'value="WANG"' in form.text
        assert f'value="{(END + dt.timedelta(days=1)).isoformat()}"' in form.text and 'id="extension-note"' in form.text
        fields = dict(
            re.findall(r'<input class="govuk-input[^"]*" id="[^"]+" name="(\w+)" type="\w+" value="([^"]*)"', form.text)
        )
        other_worker = web.post(
            "/employer/permits/new",
            data=application(token, "2142", worker_iin="", extends_id=good)
            | {k: fields[k] for k in ("valid_from", "valid_to")},
        )
        assert other_worker.status_code == 422 and 'id="worker_iin-error"' in other_worker.text
        assert "Enter the IIN of the worker on the permit you extend" in other_worker.text
        extended = web.post(
            "/employer/permits/new",
            data=application(token, "2142", extends_id=good) | {k: fields[k] for k in ("valid_from", "valid_to")},
            follow_redirects=False,
        )
        assert extended.status_code == 303, extended.text
        extension = web.get(extended.headers["location"] + "?lang=en").text
        assert "Extension 1 of an earlier permit" in extension and f'href="/employer/permits/{good}"' in extension
        assert "Not required for extensions." in check_row(extension, "vacancy_posted")
        assert "Not applicable" in check_row(extension, "vacancy_posted")

        # the quota shows the issued permit
        quota = web.get(f"/labour/quota-usage?year={START.year}&lang=en")
        assert quota.status_code == 200
        quota_row = re.search(rf'data-region="{ALMATY}" data-category="category_3">(.*?)</tr>', quota.text, re.S)
        assert quota_row, "no Almaty category 3 row"
        cells = re.findall(r'numeric">([^<]*)<', quota_row.group(1))
        assert cells[:4] == ["2", "1", "0", "1"] and "koshi-labour-w10" in quota_row.group(1)

    with transaction(api.client.app.state.sessions) as session:
        reads = session.scalars(select(AuditRecord.case_id).where(AuditRecord.action == "permit.read")).all()
    assert good in reads and bad_app in reads


def test_fee_report_and_calculator_for_analysts(api: Api) -> None:
    set_quota(api)
    with browser(api, "employer") as web, browser(api, "akimat") as akimat:
        register(web, 2)
        token = csrf(web.get("/employer").text)
        web.post(
            "/employer/vacancies",
            data={"csrf_token": token, "isco": "2142", "title": "Engineer", "wage": "500000"}
            | {"region_kato": ALMATY, "posted_on": (T - dt.timedelta(days=30)).isoformat()},
        )
        web.post(
            "/employer/staff",
            data={"csrf_token": token, "as_of": T.isoformat(), "citizens_1_2": "1", "foreigners_1_2": "0"}
            | {"citizens_3_4": "50", "foreigners_3_4": "0", "ict": "0"},
        )
        permit_id = apply(web, "2142")
        atoken = csrf(akimat.get(f"/akimat/permits/{permit_id}").text)
        akimat.post(f"/akimat/permits/{permit_id}/actions", data={"csrf_token": atoken, "action": "approve"})
        web.post(
            f"/employer/permits/{permit_id}/actions",
            data={"csrf_token": token, "action": "pay", "payment_ref": "REF-1"},
        )
        assert web.get("/labour/fees").status_code == 403  # the revenue report is for analysts

    rules = policy(START)
    fee = quote(Category.category_3, "F", START, END, RateTable.of(rules), rules.mrp)
    with browser(api, "analyst") as analyst:
        report = analyst.get(f"/labour/fees?year={START.year}&lang=en")
        assert report.status_code == 200
        assert f'id="total-fee">{i18n.format_number(fee.tenge, "en")}<' in report.text
        assert 'id="total-permits">1<' in report.text and "Group C" in report.text  # construction is group c
        calc = analyst.get(
            f"/labour/fees?year={START.year}&calculate=1&category=seasonal&section=A"
            f"&valid_from=2026-04-01&valid_to=2026-08-31&lang=en"
        )
        assert 'id="calculated"' in calc.text and "24 MRP, 103,800 tenge" in calc.text
        assert "up to 180 days" in calc.text and 'id="calc-basis"' in calc.text
        wrong = analyst.get("/labour/fees?calculate=1&category=nope&section=F&valid_from=x&valid_to=&lang=en")
        assert (
            wrong.status_code == 200 and 'id="category-error"' in wrong.text and 'id="valid_from-error"' in wrong.text
        )
        assert analyst.get("/labour/quota-usage").status_code == 200
        assert analyst.get("/akimat/permits").status_code == 403  # analysts get aggregates, not lists of people
        assert analyst.get(f"/akimat/permits/{permit_id}").status_code == 403
        assert analyst.get("/employer").status_code == 403


# --- access ----------------------------------------------------------------------------------------


def test_roles_other_employers_sign_in_and_csrf(api: Api) -> None:
    assert api.client.get("/employer", follow_redirects=False).headers["location"] == "/sign-in"
    assert api.client.get("/akimat/permits", follow_redirects=False).status_code == 303
    set_quota(api)
    with browser(api, "employer") as web:
        register(web, 3)
        token = csrf(web.get("/employer").text)
        permit_id = apply(web, "2142")  # no vacancy: checks fail, but it exists
        assert web.post("/employer/staff", data={"as_of": T.isoformat()}).status_code == 400
        assert (
            web.post(
                f"/employer/permits/{permit_id}/actions", data={"csrf_token": "forged", "action": "withdraw"}
            ).status_code
            == 400
        )
        assert web.post("/employer/permits/new", data=application("forged", "2142")).status_code == 400
        assert web.get("/akimat/permits", follow_redirects=False).headers["location"] == "/employer#permits"
        # the akimat's actions are not the employer's: refused by the service
        assert (
            web.post(
                f"/employer/permits/{permit_id}/actions",
                data={"csrf_token": token, "action": "refuse", "reason": "x" * 20},
            ).status_code
            == 403
        )

    with browser(api, "employer") as other:
        register(other, 4, "Other LLP")
        assert other.get(f"/employer/permits/{permit_id}?lang=en").status_code == 404
        assert other.get(f"/akimat/permits/{permit_id}").status_code == 404
        assert other.get("/employer/permits/not-an-id").status_code == 404
        otoken = csrf(other.get("/employer").text)
        assert (
            other.post(
                f"/employer/permits/{permit_id}/actions", data={"csrf_token": otoken, "action": "withdraw"}
            ).status_code
            == 404
        )
        assert f'data-permit="{permit_id}"' not in other.get("/employer").text

    for role in ("applicant", "officer", "police"):
        with browser(api, role) as web:
            refused = web.get("/employer?lang=en")
            assert refused.status_code == 403 and 'id="forbidden"' in refused.text, role
            assert web.get("/akimat/permits").status_code == 403, role
            assert web.get(f"/akimat/permits/{permit_id}").status_code == 403, role
            assert web.get("/employer/permits/new").status_code == 403, role
            assert web.get("/labour/fees").status_code == 403, role
    with browser(api, "applicant") as web:
        assert web.get("/labour/quota-usage").status_code == 403

    with browser(api, "supervisor") as web:  # reads everything, acts on nothing
        queue = web.get("/akimat/permits?state=all")
        assert queue.status_code == 200 and f'data-permit="{permit_id}"' in queue.text
        page = web.get(f"/akimat/permits/{permit_id}?lang=en")
        assert page.status_code == 200 and 'id="no-actions"' in page.text
        assert (
            web.post(
                f"/akimat/permits/{permit_id}/actions",
                data={"csrf_token": csrf(page.text), "action": "refuse"} | {"reason": "a reason long enough"},
            ).status_code
            == 403
        )


def test_pages_render_in_kazakh_and_russian(api: Api) -> None:
    """The structure of every page in kk and ru (the words are the lead's catalogues' business)."""
    set_quota(api)
    with browser(api, "employer") as web, browser(api, "akimat") as akimat, browser(api, "analyst") as analyst:
        register(web, 5)
        permit_id = apply(web, "2142")
        pages = [
            (web, "/employer"),
            (web, "/employer/permits/new"),
            (web, f"/employer/permits/{permit_id}"),
            (web, "/labour/quota-usage"),
            (akimat, "/akimat/permits?state=all"),
            (akimat, f"/akimat/permits/{permit_id}"),
            (analyst, "/labour/fees?calculate=1&category=seasonal&section=A&valid_from=2026-04-01&valid_to=2026-08-31"),
        ]
        for lang in ("kk", "ru"):
            for client, url in pages:
                r = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
                assert r.status_code == 200, url
                assert f'<html lang="{lang}"' in r.text and r.text.count("<h1") == 1, url
            permit = web.get(f"/employer/permits/{permit_id}?lang={lang}")
            assert permit.text.count('data-check="') == 7
            region = labour.region_name(ALMATY, lang)
            assert region in permit.text and region != labour.region_name(ALMATY, "en")


# --- the rules' sentences --------------------------------------------------------------------------


def test_every_check_reason_and_fee_band_has_a_sentence_to_translate() -> None:
    """Each reason the checks give (pass and fail) and each fee band matches a message of the page, so the
    catalogues can translate it; a new sentence in the rules fails here rather than showing in English."""
    rules, rates = policy(START), RateTable.of(policy(START))
    seen: set[str] = set()
    for category, (extension, so_far), posted, (allocated, used), (staff, branch), (
        iin,
        violations,
    ), end in itertools.product(
        Category,
        ((False, 0), (True, 0), (True, 9)),
        (None, T - dt.timedelta(days=3), T - dt.timedelta(days=30)),
        ((None, 0), (5, 5), (5, 1)),
        ((Staff(), False), (Staff(10, 0, 90, 0, 0), False), (Staff(1, 0, 1, 0), True)),
        ((None, ()), ("123", ()), (WORKER_IIN, ("overstay of 3 days since 2026-03-01",))),
        (END, START + dt.timedelta(days=2000), START - dt.timedelta(days=1)),
    ):
        app = Application(category, "2142", ALMATY, START, end, T, iin, extension, so_far)
        facts = Facts(not branch, branch, posted, allocated, used, staff, iin is not None, violations)
        seen.update(c.reason for c in evaluate(app, facts, rules))
    for days in (30, 100, 200, 300):
        seen.add(quote(Category.seasonal, "A", START, START + dt.timedelta(days=days), rates, 1).band)
    for years in (1, 3):
        seen.add(quote(Category.category_1, "F", START, START + dt.timedelta(days=365 * years - 1), rates, 1).band)
    seen.add(quote(Category.ict, "F", START, END, rates, 1).band)
    assert sorted(r for r in seen if labour.reason_text(r, "ru").lang == "en") == []
    assert len(seen) > 25
    iin_reason = labour.reason_text("the worker's IIN is not valid: the check digit is wrong", "en")
    assert (iin_reason.text, iin_reason.detail) == ("The worker's IIN is not valid.", "the check digit is wrong")
