"""A work permit in a real browser, against the live server: the employer applies, the akimat approves,
the employer sees the fee.

An employer registers its company (a BIN of this run's own), enters its staff, records a vacancy
posted 20 days ago, estimates the fee and applies for a category 3 permit in Almaty; every check
passes (the vacancy test among them).  The akimat, in a browser of its own, finds the permit in its
queue and approves it; the employer's permit page then shows the fee due.  Each page is checked
with axe-core and for console errors and CSP violations; screenshots ``labour-*.png`` go where
:func:`~tests.browser.conftest.screenshot_dir` says.

The live database is shared by the whole browser session: the run's accounts, BIN and permit are
its own, found by id, never by position or count.  English only until the lead's catalogues carry
the labour pages' words (the flow's words are then easy to check with ``tr`` as the police test does).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from koshi.documents.iin import check_digit
from koshi.labour.fees import RateTable, quote
from koshi.labour.policy import Category, policy
from koshi.store import labour as store
from koshi.store.db import transaction
from koshi.web import i18n, labour
from tests.browser.axe import assert_accessible
from tests.browser.conftest import VIEWPORT, Account, Console, ensure_account, screenshot_dir
from tests.service import PASSWORD

if TYPE_CHECKING:
    from tests.browser.conftest import LiveServer, SignIn

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()
ALMATY = "750000000"
WORKER_IIN = "791028302728"


def checked_page(page: Page, console: Console) -> None:
    """The page as it is now passes axe and logged nothing."""
    assert_accessible(page)
    console.assert_clean()


def unique_bin() -> str:
    """A valid head-office BIN no other run uses."""
    while True:
        first11 = "150340" + f"{uuid.uuid4().int % 100_000:05d}"
        digit = check_digit(first11)
        if digit is not None:
            return first11 + str(digit)


def watch(page: Page) -> Console:
    """Console errors of a page opened outside the ``console`` fixture."""
    seen = Console(page)
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: seen.errors.append(f"uncaught: {exc}"))
    return seen


def test_employer_applies_akimat_approves_employer_sees_the_fee(
    page: Page,
    console: Console,
    browser: Browser,
    live_url: str,
    live_server: LiveServer,
    sign_in: SignIn,
) -> None:
    run = uuid.uuid4().hex[:8]
    employer = ensure_account(live_server, Account(f"employer-{run}", PASSWORD, "employer", "Айгүл Серікова"))
    akimat = ensure_account(live_server, Account(f"akimat-{run}", PASSWORD, "akimat", "Алматы әкімдігі"))
    today = labour.today()
    start = today + dt.timedelta(days=30)
    end = start + dt.timedelta(days=364)
    with transaction(live_server.app.state.sessions) as session:  # the quota the administrator set
        store.put_quota(session, None, start.year, {(ALMATY, "category_3"): 500}, dt.datetime.now(dt.UTC))
    rules = policy(start)
    fee = quote(Category.category_3, "F", start, end, RateTable.of(rules), rules.mrp)
    amount = f"{i18n.format_number(fee.mrp, 'en')} MRP, {i18n.format_number(fee.tenge, 'en')} tenge"
    company = f"Tau Build {run}"

    # the employer registers its company
    sign_in(page, employer)
    page.goto("/employer")
    expect(page.locator("h1")).to_have_text("Your company and work permits")
    checked_page(page, console)
    page.locator("#bin").fill(unique_bin())
    page.locator("#name").fill(company)
    page.locator("#oked_section").select_option("F")
    page.locator("#region_kato").select_option(ALMATY)
    with page.expect_navigation():
        page.get_by_role("button", name="Register the company", exact=True).click()
    expect(page.locator("#done-message")).to_have_text("The company is registered")
    expect(page.locator("#company")).to_have_text(company)

    # its staff (the details open), and a vacancy posted 20 days ago
    page.get_by_text("Update the staff figures", exact=True).click()
    page.locator("#citizens_3_4").fill("90")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the staff figures", exact=True).click()
    expect(page.locator("#staff-citizens_3_4")).to_have_text("90")
    page.locator("#vacancy-title").fill("Civil engineer")
    page.locator("#vacancy-isco").fill("2142")
    page.locator("#vacancy-wage").fill("650000")
    page.locator("#vacancy-posted_on").fill((today - dt.timedelta(days=20)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Record the vacancy", exact=True).click()
    expect(page.locator("#done-message")).to_have_text("The vacancy is recorded")
    expect(page.locator("#vacancies-table tbody tr")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / "labour-employer-en.png"), full_page=True)
    checked_page(page, console)

    # the application: the fee estimate first, then the checks
    with page.expect_navigation():
        page.locator("#apply-link").click()
    assert urlsplit(page.url).path == "/employer/permits/new", page.url
    page.locator("#worker_iin").fill(WORKER_IIN)
    page.locator("#worker_surname").fill("WANG")
    page.locator("#worker_given_names").fill("LEI")
    page.locator("#worker_nationality").fill("CHN")
    page.locator("#category-category_3").check()
    page.locator("#isco").fill("2142")
    page.locator("#valid_from").fill(start.isoformat())
    page.locator("#valid_to").fill(end.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Estimate the fee", exact=True).click()
    expect(page.locator("#fee-amount")).to_have_text(amount)
    expect(page.locator("#worker_surname")).to_have_value("WANG")  # kept
    checked_page(page, console)
    with page.expect_navigation():
        page.get_by_role("button", name="Apply and run the checks", exact=True).click()
    match = re.fullmatch(r"/employer/permits/([0-9a-f-]{36})", urlsplit(page.url).path)
    assert match, page.url
    permit_id = match.group(1)
    expect(page.locator("#permit-state")).to_contain_text("Waiting for the akimat")
    expect(page.locator("#checks-summary")).to_have_text("Every check passed.")
    expect(page.locator("#check-vacancy_posted")).to_have_attribute("data-passed", "yes")
    expect(page.locator("#worker-iin")).to_have_text("**********28")
    page.locator("#check-vacancy_posted summary").click()
    expect(page.locator("#basis-vacancy_posted")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "labour-permit-en.png"), full_page=True)
    checked_page(page, console)

    # the akimat, in a browser of its own, approves
    other = browser.new_context(base_url=live_url, viewport=VIEWPORT)
    try:
        other.set_default_timeout(10_000)
        second = other.new_page()
        second_console = watch(second)
        sign_in(second, akimat)
        second.goto(f"/akimat/permits?region={ALMATY}")
        row = second.locator(f"#queue tbody tr[data-permit='{permit_id}']")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(company)
        checked_page(second, second_console)
        with second.expect_navigation():
            row.locator("a").click()
        expect(second.locator("#permit-title")).to_contain_text("Work permit WP-")
        with second.expect_navigation():
            second.get_by_role("button", name="Approve the permit", exact=True).click()
        expect(second.locator("#done-message")).to_have_text("Approved: Fee due")
        expect(second.locator("#permit-state")).to_contain_text("Fee due")
        checked_page(second, second_console)
    finally:
        other.close()

    # the employer sees the fee due
    page.reload()
    expect(page.locator("#permit-state")).to_contain_text("Fee due")
    expect(page.locator("#fee-amount")).to_have_text(amount)
    expect(page.locator("#fee-due")).not_to_have_text("Set when the akimat approves the permit")
    expect(page.locator("#button-pay")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "labour-fee-due-en.png"), full_page=True)
    checked_page(page, console)

    # the quota's usage counts the permit (reserved: its fee is not paid yet)
    page.goto(f"/labour/quota-usage?year={start.year}&region={ALMATY}")
    row = page.locator(f"#quota-table tbody tr[data-region='{ALMATY}'][data-category='category_3']")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(3)).not_to_have_text("0")  # reserved
    page.screenshot(path=str(SCREENSHOTS / "labour-quota-en.png"), full_page=True)
    checked_page(page, console)


def test_analyst_reads_the_fee_report_and_calculates_a_fee(page: Page, console: Console, sign_in: SignIn) -> None:
    sign_in(page, "analyst")
    page.goto("/labour/fees")
    expect(page.locator("h1")).to_contain_text("Fee for foreign labour")
    page.locator("#category").select_option("seasonal")
    page.locator("#section").select_option("A")
    page.locator("#valid_from").fill("2026-04-01")
    page.locator("#valid_to").fill("2026-08-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Calculate the fee", exact=True).click()
    expect(page.locator("#calc-amount")).to_have_text("24 MRP, 103,800 tenge")
    expect(page.locator("#calc-band")).to_contain_text("up to 180 days")
    checked_page(page, console)
