"""The three main journeys in a real browser, each in all three languages, against the live server.

* an applicant fills the permanent-residence form step by step, meets a
  validation message next to a field, corrects it, checks the answers, submits and
  reads the per-criterion explanation with its legal sources;
* two officers refuse a case the rules refuse: the first takes it and proposes
  the refusal, cannot confirm it himself, the second confirms it in another browser;
* an analyst reads the KPI dashboard (cards, drawn charts, tables), filters it
  by year and region, and downloads the filtered workbook.

Each journey runs in kk, ru and en (its original language first: kk, ru and en respectively).
Each main page is checked with axe-core and for console errors and CSP violations.
Also writes screenshots of the pages, named by language (test artifacts; see ``screenshot_dir`` in conftest).

Expected words come from the app's own catalogues (:func:`tr`), which also fails when
a word the test relies on is not translated, so the pages are checked to be in the
language asked for without copying the translations into the test.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from babel.dates import format_date
from babel.numbers import parse_decimal
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect

from koshi.cases.states import MIN_REASON
from koshi.reference.regions import BY_KATO
from koshi.rules.engine import get_pack
from koshi.store import cases
from koshi.store.db import transaction
from koshi.store.monitoring import seed_monitoring
from koshi.store.users import get_by_username
from koshi.web import i18n
from koshi.web.applicant import CHOICE_LABELS, FIELD_TEXT, STEP_PLAN
from tests.browser.axe import assert_accessible
from tests.browser.conftest import _CSP_RECORDER, VIEWPORT, Console, screenshot_dir
from tests.factories import pr_profile

if TYPE_CHECKING:
    from tests.browser.conftest import Account, LiveServer, SignIn

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()
PR = "kz.permanent_residence"


def tr(lang: str, msgid: str, **values: Any) -> str:
    """``msgid`` as the app shows it in ``lang``; fails when it has no translation there."""
    text = i18n.translations(lang).gettext(msgid)
    if lang != "en":
        assert text != msgid, f"{msgid!r} is not translated into {lang}"
    return text % values if values else text


def region_in(lang: str, kato: str) -> str:
    """The region's name as the pages in ``lang`` show it."""
    region = BY_KATO[kato]
    return {"kk": region.name_kk, "ru": region.name_ru, "en": region.name_en}[lang]


def number(text: str, lang: str) -> float:
    """A number as a page in ``lang`` shows it (its grouping and decimal marks, a leading + or minus sign)."""
    return float(parse_decimal(text.strip().removeprefix("+").replace("\u2212", "-"), locale=lang))


def only_status_error(console: Console, status: int, url: str) -> None:
    """The page came with an error status: Chromium logs exactly that, and nothing else may be logged."""
    reason = {400: "Bad Request", 403: "Forbidden", 409: "Conflict", 422: "Unprocessable Entity"}[status]
    assert console.errors == [
        f"Failed to load resource: the server responded with a status of {status} ({reason}) [{url}]"
    ]
    assert console.csp_violations() == []
    console.errors.clear()


def watch(page: Page) -> Console:
    """What the ``console`` fixture does, for a page of a second browser context."""
    seen = Console(page)
    page.add_init_script(_CSP_RECORDER)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            seen.errors.append(f"{message.text} [{message.location.get('url', '')}]")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: seen.errors.append(f"uncaught: {exc}"))
    return seen


def checked_page(page: Page, console: Console) -> None:
    """The page as it is now passes axe and logged nothing."""
    assert_accessible(page)
    console.assert_clean()


# --- 1. the applicant (first in Kazakh) ----------------------------------------------------------------


def answer(page: Page, lang: str, column: str, value: Any) -> None:
    """Answer one question the way a person does: by its label, its options' labels, or the region list."""
    kind = next(f.kind for f in get_pack(PR).fields if f.column == column)
    question = tr(lang, FIELD_TEXT[column][0])
    group = page.locator(f"#{column}-group")
    if kind == "bool" or (kind == "enum" and column != "settlement_region"):
        expect(group.locator("legend")).to_have_text(question)
        option = ("Yes" if value else "No") if kind == "bool" else CHOICE_LABELS[column][value]
        group.get_by_label(tr(lang, option), exact=True).check()
    elif column == "settlement_region":
        page.get_by_label(question, exact=True).select_option(str(value))
    else:
        page.get_by_label(question, exact=True).fill(str(value))


def continue_to(page: Page, lang: str, path: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=tr(lang, "Continue"), exact=True).click()
    assert urlsplit(page.url).path == path, page.url


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_applicant_fills_the_form_submits_and_reads_the_explanation(
    page: Page, console: Console, sign_in: SignIn, lang: str
) -> None:
    profile = {k: v for k, v in pr_profile().items() if k != "id"}
    sign_in(page, "applicant", lang=lang)

    page.goto("/my/cases")
    expect(page.locator("h1")).to_have_text(tr(lang, "Your applications"))
    checked_page(page, console)
    page.get_by_role("button", name=tr(lang, "Start a new application")).click()
    page.wait_for_url("**/my/cases/new")
    page.get_by_label(tr(lang, "Permanent residence permit"), exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name=tr(lang, "Continue"), exact=True).click()
    found = re.fullmatch(r"/my/cases/([0-9a-f-]{36})/steps/1", urlsplit(page.url).path)
    assert found, page.url
    case = f"/my/cases/{found.group(1)}"

    plan = STEP_PLAN[PR]
    for number_, (title, columns) in enumerate(plan, start=1):
        expect(page.locator("h1")).to_have_text(tr(lang, title))
        expect(page.locator(".govuk-caption-l")).to_contain_text(
            tr(lang, "Step %(n)s of %(total)s", n=number_, total=len(plan))
        )
        if number_ == 1:
            checked_page(page, console)
        first_try = {c: 150 if c == "kaztest_reading_pct" else profile[c] for c in columns}
        for column in columns:
            answer(page, lang, column, first_try[column])
        if "kaztest_reading_pct" in columns:
            # a wrong value: the page comes back with the message next to the field and in the summary
            with page.expect_navigation() as navigation:
                page.get_by_role("button", name=tr(lang, "Continue"), exact=True).click()
            assert navigation.value is not None and navigation.value.status == 422
            assert urlsplit(page.url).path == f"{case}/steps/{number_}"
            message = tr(lang, "Enter a number no greater than %(n)s", n="100")
            group = page.locator("#kaztest_reading_pct-group")
            expect(group).to_have_class(re.compile(r"\bgovuk-form-group--error\b"))
            expect(group.locator("#kaztest_reading_pct-error")).to_contain_text(message)
            field = page.locator("#kaztest_reading_pct")
            expect(field).to_have_value("150")  # what was typed is kept, to be corrected
            expect(field).to_have_attribute("aria-describedby", re.compile(r"\bkaztest_reading_pct-error\b"))
            expect(page.locator(".govuk-form-group--error")).to_have_count(1)  # the other answers were fine
            expect(page.locator("#kaztest_listening_pct")).to_have_value(str(profile["kaztest_listening_pct"]))
            summary = page.locator(".govuk-error-summary")
            expect(summary).to_be_focused()
            expect(summary).to_contain_text(tr(lang, "There is a problem"))
            link = summary.get_by_role("link")
            expect(link).to_have_count(1)
            expect(link).to_have_attribute("href", "#kaztest_reading_pct")
            expect(link).to_contain_text(message)
            assert page.title().startswith(tr(lang, "Error:")), page.title()
            page.screenshot(path=str(SCREENSHOTS / f"applicant-step-error-{lang}.png"), full_page=True)
            assert_accessible(page)
            only_status_error(console, 422, page.url)
            link.click()
            expect(field).to_be_focused()
            answer(page, lang, "kaztest_reading_pct", profile["kaztest_reading_pct"])
        last = number_ == len(plan)
        continue_to(page, lang, f"{case}/review" if last else f"{case}/steps/{number_ + 1}")

    # check the answers: the corrected value and a translated choice are there
    expect(page.locator("h1")).to_have_text(tr(lang, "Check your answers before you submit"))
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    answers = page.locator("#answer-kaztest_reading_pct .govuk-summary-list__value")
    expect(answers).to_have_text(str(profile["kaztest_reading_pct"]))
    expect(page.locator("#answer-settlement_region .govuk-summary-list__value")).to_have_text(
        region_in(lang, profile["settlement_region"])
    )
    expect(page.locator("#answer-education_level .govuk-summary-list__value")).to_have_text(
        tr(lang, CHOICE_LABELS["education_level"][profile["education_level"]])
    )
    expect(page.get_by_text(tr(lang, "Not answered"), exact=True)).to_have_count(1)  # only the optional IIN
    checked_page(page, console)
    with page.expect_navigation():
        page.get_by_role("button", name=tr(lang, "Submit application"), exact=True).click()
    assert urlsplit(page.url).path == case and "done=submitted" in page.url, page.url

    # the case: status, score, and the explanation by criterion with its legal sources
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        tr(lang, "Your application has been submitted and scored.")
    )
    expect(page.locator("#case-status")).to_have_text(tr(lang, "Scored"))
    score = page.locator("#case-score")
    expect(score).to_contain_text(re.compile(r"\d"))
    expect(page.locator("#explanation")).to_have_text(tr(lang, "How your application was scored"))
    table = page.locator("table.koshi-explanation__criteria")
    expect(table.locator("caption")).to_have_text(tr(lang, "Points by criterion"))
    criteria = get_pack(PR).criteria
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(criteria))
    points = 0.0
    for criterion in criteria:
        row = table.locator(f"#criterion-{criterion.key}")
        expect(row.locator("th")).to_have_text(tr(lang, criterion.label))
        points += number(row.locator("td").first.inner_text(), lang)
    total, maximum = (number(t, lang) for t in table.locator("tfoot td").all_inner_texts()[:2])
    assert points == pytest.approx(total), "the criteria's points do not add up to the total"
    expect(score).to_contain_text(
        tr(
            lang,
            "%(points)s of %(maximum)s",
            points=i18n.format_number(total, lang),
            maximum=i18n.format_number(maximum, lang),
        )
    )
    age = table.locator("#criterion-age")
    expect(age).to_contain_text(i18n.format_date(dt.date.fromisoformat(profile["birth_date"]), lang))
    cited = age.locator("a[href^='#source-']")
    assert cited.count() >= 1, "the age criterion cites no source"
    target = cited.first.get_attribute("href")
    sources = page.locator("ol.koshi-explanation__sources")
    legal = sources.locator(f"li{target} a[href^='http']")
    expect(legal).to_have_count(1)  # the cited source is a link to the legal text
    assert "external" in (legal.get_attribute("rel") or "").split(), legal.get_attribute("rel")
    expect(page.locator("#history + ol")).to_contain_text(tr(lang, "Application submitted"))
    page.screenshot(path=str(SCREENSHOTS / f"applicant-case-{lang}.png"), full_page=True)
    checked_page(page, console)

    # and the list of applications shows it, submitted and scored
    page.goto("/my/cases")
    row = page.locator(f"tr:has(a[href='{case}'])")
    expect(row).to_contain_text(tr(lang, "Scored"))
    checked_page(page, console)


# --- 2. four eyes (first in Russian) -------------------------------------------------------------------


@pytest.fixture
def refused_case(live_server: LiveServer, users: dict[str, Account]) -> str:
    """A submitted case the rules refuse (KAZTEST reading 20 %: A1 not passed), filed through the service."""
    profile = {k: v for k, v in pr_profile(kaztest_reading_pct=20).items() if k != "id"}
    now = dt.datetime.now(dt.UTC)
    with transaction(live_server.app.state.sessions) as session:
        owner = get_by_username(session, users["applicant"].username)
        assert owner is not None
        actor = cases.Actor(owner.id, "applicant")
        case = cases.create(session, actor, pack=PR, profile=profile, applicant_iin=None, now=now)
        case = cases.submit(session, actor, case.id, now=now)
        assert case.recommendation == "refused", case.recommendation
        return case.id


def user_id(live_server: LiveServer, username: str) -> int:
    with transaction(live_server.app.state.sessions) as session:
        user = get_by_username(session, username)
        assert user is not None
        return user.id


def act(page: Page, lang: str, action: str, button: str, reason: str | None = None) -> None:
    """Fill the action's reason (if any) and press its button; the page comes back after POST-redirect-GET."""
    section = page.locator(f"#action-{action}")
    if reason is not None:
        section.locator(f"#reason-{action}").fill(reason)
    with page.expect_navigation():
        section.get_by_role("button", name=tr(lang, button), exact=True).click()


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_a_refusal_needs_a_second_officer(
    page: Page,
    console: Console,
    browser: Browser,
    live_url: str,
    live_server: LiveServer,
    sign_in: SignIn,
    users: dict[str, Account],
    refused_case: str,
    lang: str,
) -> None:
    url = f"/queue/cases/{refused_case}"
    first_id = user_id(live_server, users["officer"].username)
    second_id = user_id(live_server, users["officer2"].username)
    sign_in(page, "officer", lang=lang)

    # the queue: filter scored permanent-residence cases, newest submission first
    page.goto("/queue")
    expect(page.locator("h1")).to_have_text(tr(lang, "Case queue"))
    page.get_by_label(tr(lang, "Status"), exact=True).select_option("scored")
    page.get_by_label(tr(lang, "Procedure"), exact=True).select_option(PR)
    with page.expect_navigation():
        page.get_by_role("button", name=tr(lang, "Apply filters"), exact=True).click()
    query = parse_qs(urlsplit(page.url).query)
    assert query["status"] == ["scored"] and query["pack"] == [PR], page.url
    submitted = page.locator("th[aria-sort]", has=page.locator("a", has_text=tr(lang, "Submitted")))
    with page.expect_navigation():
        submitted.locator("a").click()
    expect(submitted).to_have_attribute("aria-sort", "descending")
    rows = page.locator("table.koshi-queue tbody tr")
    expect(rows.first).to_be_visible()
    for tag in rows.locator(".govuk-tag").all():  # the filter holds: every case shown is scored
        expect(tag).to_have_text(tr(lang, "Scored"))
    ours = page.locator(f"table.koshi-queue tbody tr:has(a[href='{url}'])")
    expect(ours).to_have_count(1)
    expect(ours).to_contain_text(tr(lang, "Not eligible"))
    expect(ours).to_contain_text(region_in(lang, pr_profile()["settlement_region"]))
    page.screenshot(path=str(SCREENSHOTS / f"queue-{lang}.png"), full_page=True)
    checked_page(page, console)

    # the case: the knock-out check that applies is named; take it
    with page.expect_navigation():
        ours.get_by_role("link", name=re.compile(re.escape(tr(lang, "Open")))).click()
    assert urlsplit(page.url).path == url
    expect(page.locator("#case-status")).to_have_text(tr(lang, "Scored"))
    expect(page.locator("#case-recommendation")).to_have_text(tr(lang, "Not eligible"))
    expect(page.locator("#checks-knockouts")).to_contain_text(tr(lang, "KAZTEST A1 not passed"))
    checked_page(page, console)
    act(page, lang, "take", "Take the case for review")
    expect(page.locator("#done-message")).to_have_text(tr(lang, "Case taken — it is now in review with you"))
    expect(page.locator("#case-status")).to_have_text(tr(lang, "In review"))

    # a refusal without a reason is refused, next to the reason field
    act(page, lang, "propose_refusal", "Propose refusal", reason="")
    message = tr(lang, "Enter a reason of at least %(n)s characters", n=MIN_REASON)
    expect(page.locator("#reason-propose_refusal-error")).to_contain_text(message)
    expect(page.locator(".govuk-error-summary a")).to_have_attribute("href", "#reason-propose_refusal")
    expect(page.locator("#case-status")).to_have_text(tr(lang, "In review"))
    assert_accessible(page)
    only_status_error(console, 422, f"{live_url}{url}/actions")

    reason = "Чтение KAZTEST 20 %: уровень A1 не подтверждён, порог по закону не пройден."
    act(page, lang, "propose_refusal", "Propose refusal", reason=reason)
    expect(page.locator("#done-message")).to_have_text(
        tr(lang, "Refusal proposed — waiting for a second officer to confirm it")
    )
    expect(page.locator("#case-status")).to_have_text(tr(lang, "Refusal proposed"))
    expect(page.locator("#proposal-reason")).to_have_text(reason)
    # four eyes: the proposer is told so, and has no confirm button
    expect(page.locator("#four-eyes-own")).to_contain_text(
        tr(
            lang,
            "You proposed this refusal, so you cannot confirm it. A second officer or a supervisor must "
            "confirm it or return the case to review.",
        )
    )
    expect(page.locator("#action-confirm_refusal")).to_have_count(0)
    expect(page.get_by_role("button", name=tr(lang, "Confirm refusal"))).to_have_count(0)
    checked_page(page, console)

    # a second officer, in a browser of their own, confirms
    other = browser.new_context(base_url=live_url, viewport=VIEWPORT)
    try:
        other.set_default_timeout(10_000)
        second = other.new_page()
        second_console = watch(second)
        sign_in(second, "officer2", lang=lang)
        second.goto(f"/queue?status=refusal_proposed&pack={PR}&sort=-updated_at")
        with second.expect_navigation():
            second.locator(f"a[href='{url}']").click()
        expect(second.locator("#case-status")).to_have_text(tr(lang, "Refusal proposed"))
        expect(second.locator("#four-eyes-second")).to_be_visible()
        expect(second.locator("#four-eyes-own")).to_have_count(0)
        expect(second.locator("#proposal-reason")).to_have_text(reason)
        checked_page(second, second_console)
        confirmation = "Согласен: отказ обоснован результатом KAZTEST."
        act(second, lang, "confirm_refusal", "Confirm refusal", reason=confirmation)
        expect(second.locator("#done-message")).to_have_text(tr(lang, "Refusal confirmed — the case is refused"))
        expect(second.locator("#case-status")).to_have_text(tr(lang, "Refused"))
        expect(second.locator("#case-outcome")).to_contain_text(tr(lang, "Refused"))
        expect(second.locator("#case-outcome")).to_contain_text(confirmation)

        # the history lists both officers' steps, newest first
        items = second.locator(".koshi-history__item")
        titles = [t.strip() for t in items.locator(".koshi-history__title").all_inner_texts()]
        assert titles[:3] == [
            tr(lang, "Refusal confirmed"),
            tr(lang, "Refusal proposed"),
            tr(lang, "Taken for review by an officer"),
        ], titles
        officer = tr(lang, "officer")
        who = {n: tr(lang, "%(role)s #%(id)s", role=officer, id=n) for n in (first_id, second_id)}
        expect(items.nth(0).locator(".koshi-history__meta")).to_contain_text(who[second_id])
        expect(items.nth(0).locator(".koshi-you")).to_have_count(1)
        expect(items.nth(0)).to_contain_text(confirmation)
        expect(items.nth(1).locator(".koshi-history__meta")).to_contain_text(who[first_id])
        expect(items.nth(1).locator(".koshi-you")).to_have_count(0)
        expect(items.nth(1)).to_contain_text(reason)
        second.screenshot(path=str(SCREENSHOTS / f"officer-case-{lang}.png"), full_page=True)
        checked_page(second, second_console)
    finally:
        other.close()

    # the first officer now sees the final refusal and nothing left to do
    page.reload()
    expect(page.locator("#case-status")).to_have_text(tr(lang, "Refused"))
    expect(page.locator("#no-actions")).to_be_visible()
    checked_page(page, console)


# --- 3. the analyst's dashboard (first in English) -----------------------------------------------------


@pytest.fixture(scope="module")
def monitoring(live_server: LiveServer) -> Iterator[int]:
    """Synthetic monitoring data 2022 … this year and a year of decided applications; yields this year."""
    now = dt.datetime.now(dt.UTC)
    seed_monitoring(live_server.app.state.sessions, seed=1, year=now.year, now=now, cases=20)
    yield now.year


def table_rows(table: Locator) -> list[list[str]]:
    """The body rows of a table as text, cell by cell."""
    return [[c.strip() for c in row.locator("th, td").all_inner_texts()] for row in table.locator("tbody tr").all()]


def kpi_table(page: Page, caption: str) -> Locator:
    return page.locator("table.koshi-kpi-table", has=page.locator("caption", has_text=caption))


def charts_drawn(page: Page) -> dict[str, dict[str, Any]]:
    """Each chart canvas's Chart.js instance: its labels, dataset count and drawn size."""
    page.wait_for_function("() => window.Chart !== undefined")
    found: dict[str, dict[str, Any]] = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("canvas[data-chart]")].map((c) => {
             const chart = window.Chart.getChart(c);
             return [c.dataset.chart, chart ? {
               labels: chart.data.labels, datasets: chart.data.datasets.length,
               width: c.width, height: c.height,
               points: chart.data.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null).length, 0),
             } : null];
           }))"""
    )
    return found


@pytest.mark.parametrize("lang", ["en", "kk", "ru"])
def test_analyst_filters_the_dashboard_and_downloads_the_workbook(
    page: Page, console: Console, sign_in: SignIn, monitoring: int, tmp_path: Path, lang: str
) -> None:
    this_year = monitoring
    year, region = this_year - 1, "550000000"  # a whole year of data; Pavlodar, a labour-deficit region
    name = region_in(lang, region)
    sign_in(page, "analyst", lang=lang)
    page.goto("/dashboard")
    expect(page.locator("h1")).to_have_text(tr(lang, "KPI dashboard"))
    expect(page.locator("#year")).to_have_value(str(this_year))  # the newest year with data by default
    everywhere = re.escape(tr(lang, "All regions"))
    expect(page.locator(".govuk-body-l").first).to_have_text(re.compile(rf"^\s*{this_year}\s*·\s*{everywhere}\s*$"))
    cards = page.locator(".koshi-kpi-card")
    expect(cards).to_have_count(5)
    for card in cards.all():
        expect(card.locator(".koshi-kpi-card__value")).to_have_text(re.compile(r"\d"))  # a figure, not "–"
    drawn = charts_drawn(page)
    assert set(drawn) == {"chart-net", "chart-qualified", "chart-north", "chart-employment", "chart-applications"}
    for key, chart in drawn.items():
        assert chart is not None, f"{key}: no Chart.js chart on the canvas"
        assert chart["width"] > 0 and chart["height"] > 0 and chart["datasets"] > 0 and chart["points"] > 0, (
            key,
            chart,
        )
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{lang}.png"), full_page=True)  # this year: every chart has data
    checked_page(page, console)

    # the year alone: the national figures of that year, by month
    page.get_by_label(tr(lang, "Year"), exact=True).select_option(str(year))
    with page.expect_navigation():
        page.get_by_role("button", name=tr(lang, "Apply filters"), exact=True).click()
    net_caption = f"{tr(lang, 'Net external migration')} ({tr(lang, 'by month')})"
    national = table_rows(kpi_table(page, net_caption))
    # each month's abbreviated name and the year, as Babel writes them in the page's language
    months = [format_date(dt.date(year, m, 1), "LLL y", locale=lang) for m in range(1, 13)]
    assert [r[0] for r in national] == months, national

    # and a region: the same months, the region's smaller flows
    page.get_by_label(tr(lang, "Region"), exact=True).select_option(region)
    with page.expect_navigation():
        page.get_by_role("button", name=tr(lang, "Apply filters"), exact=True).click()
    assert parse_qs(urlsplit(page.url).query) == {"year": [str(year)], "region": [region]}, page.url
    expect(page.locator("#year")).to_have_value(str(year))
    expect(page.locator("#region")).to_have_value(region)
    expect(page.locator(".govuk-body-l").first).to_have_text(re.compile(rf"^\s*{year}\s*·\s*{re.escape(name)}\s*$"))
    regional = table_rows(kpi_table(page, net_caption))
    assert [r[0] for r in regional] == months, regional
    arrivals = [number(r[1], lang) for r in regional]
    assert all(number(n[1], lang) >= a for n, a in zip(national, arrivals, strict=True)), (national, regional)
    assert sum(arrivals) < sum(number(n[1], lang) for n in national), "the region's table shows the national flows"
    drawn = charts_drawn(page)
    assert drawn["chart-net"] is not None and drawn["chart-net"]["labels"] == months, drawn["chart-net"]
    checked_page(page, console)

    # the workbook holds the filtered figures
    with page.expect_download() as download:
        page.get_by_role("link", name=tr(lang, "Download all tables (Excel, XLSX)"), exact=True).click()
    assert download.value.suggested_filename == f"koshi-kpi-{year}-{region}.xlsx"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    workbook = openpyxl.load_workbook(saved, read_only=True)
    expected_sheets = [
        tr(lang, title)
        for title in (
            "Filters",
            "Net migration",
            "Qualified arrivals",
            "To labour-deficit regions",
            "Employment",
            "Applications by month",
            "Applications by region",
            "Official figures",
        )
    ]
    assert workbook.sheetnames == expected_sheets, workbook.sheetnames
    filters = {row[0]: row[1] for row in workbook[tr(lang, "Filters")].iter_rows(values_only=True) if len(row) > 1}
    assert filters[tr(lang, "Year")] == year and filters[tr(lang, "Region")] == name, filters
    sheet = list(workbook[tr(lang, "Net migration")].iter_rows(values_only=True))
    headers = tuple(tr(lang, h) for h in ("Month", "Arrivals", "Departures", "Net migration"))
    assert sheet[0][:4] == headers, sheet[0]
    assert [r[0] for r in sheet[1:]] == [f"{year}-{m:02d}" for m in range(1, 13)], sheet[1:]
    assert [r[1] for r in sheet[1:]] == arrivals, "the workbook's arrivals are not the page's"
    workbook.close()
    console.assert_clean()
