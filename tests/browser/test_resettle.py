"""Resettlement in a real browser: an officer approves a family and matches it to a vacancy, the akimat of
the receiving region confirms the placement — in Kazakh, Russian and English.

Per language the run seeds a vacancy of its own (with employer housing) in Pavlodar and a resettler
family from Turkistan that passes every check; the officer opens the family in the queue, approves it,
runs the matching (comparing first, then proposing the optimal placements); the akimat, bound to
Pavlodar, in a browser of its own, finds the proposal on its region page and confirms it; the family's
page then shows the support plan.  Elements are found by id (the words are the catalogues'), the page's
``lang`` is checked, and every page passes axe-core with no console errors or CSP violations.
Screenshots ``resettle-*-<lang>.png`` go where :func:`~tests.browser.conftest.screenshot_dir` says.

The live database is shared by the whole browser session: the run's accounts, vacancy and family are
its own, found by id.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from koshi.store import labour
from koshi.store import resettle as store
from koshi.store.cases import Actor
from koshi.store.db import transaction
from koshi.store.users import get_by_username
from koshi.web import i18n
from koshi.web.labour import today as kz_today
from tests.browser.axe import assert_accessible
from tests.browser.conftest import VIEWPORT, Account, Console, ensure_account, screenshot_dir
from tests.labour_data import bin_, iin
from tests.service import PASSWORD

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, SignIn

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()
PAVLODAR, TURKISTAN, PAVLODAR_CITY = "550000000", "610000000", "551010000"
LANGS = ["kk", "ru", "en"]


def checked_page(page: Page, console: Console, lang: str) -> None:
    """The page as it is now is in ``lang``, passes axe and logged nothing."""
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert_accessible(page)
    console.assert_clean()


def watch(page: Page) -> Console:
    seen = Console(page)
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: seen.errors.append(f"uncaught: {exc}"))
    return seen


def seed(live_server: LiveServer, run: str, n: int) -> tuple[str, int]:
    """A vacancy with housing for six in Pavlodar and a family of four that passes every check: their ids."""
    now = dt.datetime.now(dt.UTC)
    today = kz_today()
    with transaction(live_server.app.state.sessions) as session:
        admin_user = get_by_username(session, f"admin-{run}")
        assert admin_user is not None
        admin = Actor(admin_user.id, "admin")
        store.put_settlement(session, admin, kato=PAVLODAR_CITY, name="Pavlodar", rent_mrp=20, now=now)
        store.put_housing(
            session, admin, ref=f"H-{run}-{n}", settlement_kato=PAVLODAR_CITY, capacity=6, kind="employer", now=now
        )
        vacancy = store.put_vacancy(
            session,
            admin,
            ref=f"V-{run}-{n}",
            employer_bin=bin_(n),
            employer_name="Pavlodar Agro",
            isco="7233",
            title="Agricultural machinery mechanic",
            wage=350000,
            settlement_kato=PAVLODAR_CITY,
            housing_ref=f"H-{run}-{n}",
            posted_on=today - dt.timedelta(days=20),
            now=now,
        )
        family = store.apply(
            session,
            admin,
            category="resettler",
            head_iin=iin(n),
            head_surname="Sadykov",
            head_given_names="Aidos",
            citizen=True,
            kandas_status=False,
            employment_status="job_seeker",
            origin_kato=TURKISTAN,
            registered_since=today - dt.timedelta(days=800),
            graduate_programme=None,
            graduated_on=None,
            size=4,
            able_bodied=2,
            isco="7233",
            preferences=(PAVLODAR,),
            housing_certificate=False,
            applied_on=today,
            now=now,
        )
    assert family.state == "submitted"
    return family.id, vacancy.id


@pytest.mark.parametrize("lang", LANGS)
def test_officer_approves_and_matches_akimat_confirms(
    page: Page,
    console: Console,
    browser: Browser,
    live_url: str,
    live_server: LiveServer,
    sign_in: SignIn,
    lang: str,
) -> None:
    run = uuid.uuid4().hex[:8]
    ensure_account(live_server, Account(f"admin-{run}", PASSWORD, "admin", "Әкімші"))
    akimat = ensure_account(live_server, Account(f"akimat-{run}", PASSWORD, "akimat", "Павлодар облысының әкімдігі"))
    with transaction(live_server.app.state.sessions) as session:
        user = get_by_username(session, akimat.username)
        assert user is not None
        labour.bind_akimat(session, None, user.id, PAVLODAR, dt.datetime.now(dt.UTC))
    family_id, _ = seed(live_server, run, LANGS.index(lang) + 1)
    year = kz_today().year

    # the officer finds the family in the queue and approves it
    sign_in(page, "officer", lang=lang)
    page.goto("/resettlement/families")
    row = page.locator(f"#queue tbody tr[data-family='{family_id}']")
    expect(row).to_have_count(1)
    checked_page(page, console, lang)
    with page.expect_navigation():
        row.locator("a").click()
    expect(page.locator("#family-state .govuk-tag")).to_have_text(
        i18n.translations(lang).gettext("Waiting for the officer")
    )
    expect(page.locator("#checks-table tbody tr[data-passed='yes']")).to_have_count(8)
    page.locator("#check-registration summary").click()
    expect(page.locator("#basis-registration")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"resettle-family-{lang}.png"), full_page=True)
    checked_page(page, console, lang)
    with page.expect_navigation():
        page.locator("#button-approve").click()
    expect(page.locator("#done-message")).to_be_visible()
    expect(page.locator("#form-place")).to_be_visible()
    checked_page(page, console, lang)

    # the matching: compare, then propose the optimal placements
    page.goto(f"/resettlement/matching?year={year}")
    checked_page(page, console, lang)
    with page.expect_navigation():
        page.locator("#button-run").click()
    expect(page.locator("#comparison tbody tr[data-measure='objective']")).to_have_count(1)
    expect(page.locator("#comparison tbody tr[data-measure='persons'] td[data-method='optimal']")).not_to_have_text("0")
    with page.expect_navigation():
        page.locator("#button-apply").click()
    match = re.search(r"run=(\d+)", urlsplit(page.url).query)
    assert match, page.url
    expect(page.locator(f"#runs tbody tr[data-run='{match.group(1)}']")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / f"resettle-matching-{lang}.png"), full_page=True)
    checked_page(page, console, lang)
    page.goto(f"/resettlement/families/{family_id}")
    expect(page.locator("#placement-details")).to_be_visible()
    expect(page.locator("#family-state")).to_contain_text(i18n.translations(lang).gettext("Placement proposed"))

    # the akimat of Pavlodar, in a browser of its own, confirms
    other = browser.new_context(base_url=live_url, viewport=VIEWPORT)
    try:
        other.set_default_timeout(10_000)
        second = other.new_page()
        second_console = watch(second)
        sign_in(second, akimat, lang=lang)
        second.goto("/resettlement/region")
        proposal = second.locator(f"#proposal-{family_id}")
        expect(proposal).to_have_count(1)
        expect(
            second.locator(f"#quota-table tbody tr[data-region='{PAVLODAR}'][data-category='resettler']")
        ).to_have_count(1)
        second.screenshot(path=str(SCREENSHOTS / f"resettle-region-{lang}.png"), full_page=True)
        checked_page(second, second_console, lang)
        with second.expect_navigation():
            second.locator(f"#confirm-{family_id}").click()
        expect(second.locator("#done-message")).to_be_visible()
        expect(second.locator(f"#proposal-{family_id}")).to_have_count(0)
        expect(second.locator(f"#arrive-{family_id}")).to_be_visible()
        checked_page(second, second_console, lang)
        second.goto(f"/resettlement/families/{family_id}")
        expect(second.locator("#support-table tbody tr[data-item='relocation']")).to_have_attribute("data-state", "due")
        expect(second.locator("#placement-job")).to_contain_text("Agricultural machinery mechanic")
        second.screenshot(path=str(SCREENSHOTS / f"resettle-confirmed-{lang}.png"), full_page=True)
        checked_page(second, second_console, lang)
    finally:
        other.close()

    # the analyst's figures count the reserved persons and show the latest matching
    page.context.clear_cookies()
    sign_in(page, "analyst", lang=lang)
    page.goto(f"/resettlement/analysis?year={year}")
    row = page.locator(f"#quota-table tbody tr[data-region='{PAVLODAR}'][data-category='resettler']")
    expect(row.locator("td").nth(3)).not_to_have_text("0")  # reserved
    expect(page.locator("#comparison tbody tr[data-measure='objective']")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / f"resettle-analysis-{lang}.png"), full_page=True)
    checked_page(page, console, lang)
