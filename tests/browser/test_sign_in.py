"""Sign-in in a real browser: three languages, accessibility (axe), keyboard order, errors, CSP.

Also writes screenshots ``sign-in-<lang>.png`` (test artifacts; see ``screenshot_dir`` in conftest).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error, Page, expect

from tests.browser.axe import assert_accessible, violations
from tests.browser.conftest import screenshot_dir

if TYPE_CHECKING:
    from tests.browser.conftest import Account, Console, SignIn

pytestmark = pytest.mark.browser

SCREENSHOTS = screenshot_dir()

TEXT = {
    "kk": {
        "heading": "Кіру",
        "username": "Пайдаланушы аты",
        "password": "Құпиясөз",
        "welcome": "Қош келдіңіз, {name}",
        "skip": "Негізгі мазмұнға өту",
        "problem": "Қате бар",
        "wrong": "Пайдаланушы аты немесе құпиясөз қате",
    },
    "ru": {
        "heading": "Войти",
        "username": "Имя пользователя",
        "password": "Пароль",
        "welcome": "Добро пожаловать, {name}",
        "skip": "Перейти к основному содержанию",
        "problem": "Возникла проблема",
        "wrong": "Неверное имя пользователя или пароль",
    },
    "en": {
        "heading": "Sign in",
        "username": "Username",
        "password": "Password",
        "welcome": "Welcome, {name}",
        "skip": "Skip to main content",
        "problem": "There is a problem",
        "wrong": "Wrong username or password",
    },
}
LANGS = list(TEXT)


def focused(page: Page) -> str:
    """The focused element, as ``#id``, ``a[href]`` or ``tag.class``."""
    return str(
        page.evaluate(
            """() => {
              const e = document.activeElement;
              if (!e || e === document.body) return "body";
              if (e.id) return "#" + e.id;
              if (e.tagName === "A") return "a[" + e.getAttribute("href") + "]";
              return e.tagName.toLowerCase() + (e.className ? "." + e.className.split(" ")[0] : "");
            }"""
        )
    )


@pytest.mark.parametrize("lang", LANGS)
def test_sign_in_in_each_language(page: Page, console: Console, users: dict[str, Account], lang: str) -> None:
    text, applicant = TEXT[lang], users["applicant"]
    response = page.goto(f"/sign-in?lang={lang}")
    assert response is not None and response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(text["heading"])
    assert page.title().startswith(f"{text['heading']} – "), page.title()
    # the GOV.UK Frontend module (a same-origin <script type=module>) ran under the CSP
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    page.screenshot(path=str(SCREENSHOTS / f"sign-in-{lang}.png"))
    assert_accessible(page)
    console.assert_clean()

    # labels are tied to their fields: fill them by the visible label text of this language
    page.get_by_label(text["username"], exact=True).fill(applicant.username)
    page.get_by_label(text["password"], exact=True).fill(applicant.password)
    with page.expect_navigation():
        page.get_by_role("button", name=text["heading"], exact=True).click()
    assert urlsplit(page.url).path == "/"
    expect(page.locator("html")).to_have_attribute("lang", lang)  # the choice is remembered
    expect(page.locator("h1")).to_have_text(text["welcome"].format(name=applicant.full_name))
    assert_accessible(page)
    console.assert_clean()


def test_keyboard_reaches_skip_link_languages_and_form_in_order(page: Page) -> None:
    page.goto("/sign-in?lang=kk")
    expected = [
        "a[#main-content]",  # the skip link comes first
        "a[/]",  # the service name in the header
        "a[/sign-in?lang=ru]",
        "a[/sign-in?lang=en]",  # the other languages (the current one is not a link)
        "#username",
        "#password",
        "button.govuk-button",
    ]
    seen = []
    for _ in expected:
        page.keyboard.press("Tab")
        seen.append(focused(page))
    assert seen == expected
    expect(page.locator("button.govuk-button")).to_be_focused()

    # the skip link is visible when focused, and Enter moves focus to the main content
    page.goto("/sign-in?lang=kk")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=TEXT["kk"]["skip"])
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 10, box  # not the 1px clipped state
    page.keyboard.press("Enter")
    assert focused(page) == "#main-content"

    # the form is submitted from the keyboard: Enter in the password field
    page.locator("#username").fill("nobody")
    page.locator("#password").fill("wrong password")
    with page.expect_navigation():
        page.locator("#password").press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def test_wrong_password_shows_a_focused_linked_error_summary(
    page: Page, console: Console, users: dict[str, Account]
) -> None:
    lang = "ru"
    text, applicant = TEXT[lang], users["applicant"]
    page.goto(f"/sign-in?lang={lang}")
    page.get_by_label(text["username"], exact=True).fill(applicant.username)
    page.get_by_label(text["password"], exact=True).fill("not the password")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=text["heading"], exact=True).click()
    assert navigation.value is not None and navigation.value.status == 401

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend's ErrorSummary moves focus to it on load
    expect(summary.get_by_role("alert")).to_contain_text(text["problem"])
    link = summary.get_by_role("link", name=text["wrong"])
    expect(link).to_have_attribute("href", "#username")
    expect(page.locator("#username")).to_have_value(applicant.username)  # what was typed is kept
    expect(page.locator("#password")).to_have_value("")  # the password is not echoed back
    expect(page.locator(".govuk-form-group--error")).to_have_count(2)
    assert_accessible(page)
    link.click()
    expect(page.locator("#username")).to_be_focused()  # the summary link leads to the field
    # the only console error is Chromium's note that the document came with 401, as it should
    assert console.errors == [
        f"Failed to load resource: the server responded with a status of 401 (Unauthorized) [{navigation.value.url}]"
    ]
    assert console.csp_violations() == []


def test_csp_blocks_an_injected_inline_script(page: Page, console: Console) -> None:
    """The real browser enforces ``script-src 'self'``, and the test's CSP watch notices it."""
    page.goto("/sign-in?lang=en")
    console.assert_clean()
    with pytest.raises(Error, match="violates the following Content Security Policy directive 'script-src 'self''"):
        page.add_script_tag(content="window.__inlineRan = true;")
    assert page.evaluate("() => window.__inlineRan === undefined"), "an inline script ran despite the CSP"
    blocked = console.csp_violations()
    assert [v["directive"] for v in blocked] == ["script-src-elem"], blocked
    assert any("Content Security Policy" in e for e in console.errors), console.errors


def test_the_tab_has_an_icon(page: Page) -> None:
    page.goto("/sign-in?lang=en")
    icons = page.locator("link[rel~=icon]")
    href = icons.first.get_attribute("href") if icons.count() else None
    response = page.request.get(href or "/favicon.ico")
    assert response.ok, f"{href or '/favicon.ico'}: {response.status}"


@pytest.mark.parametrize(
    ("who", "home"),
    [("applicant", "/my/cases"), ("officer", "/queue"), ("supervisor", "/queue"), ("analyst", "/dashboard")],
)
def test_each_role_lands_on_its_home_and_signs_out(
    page: Page, sign_in: SignIn, users: dict[str, Account], who: str, home: str
) -> None:
    sign_in(page, who, lang="en")
    expect(page.locator("h1")).to_have_text(f"Welcome, {users[who].full_name}")
    expect(page.get_by_role("link", name="Continue to your work")).to_have_attribute("href", home)
    expect(page.locator("header")).to_contain_text(f"{users[who].full_name} ({who})")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert urlsplit(page.url).path == "/sign-in"
    page.goto("/")
    assert urlsplit(page.url).path == "/sign-in", "still signed in after signing out"


def test_axe_reports_a_broken_page(page: Page) -> None:
    """The accessibility check can fail: remove the username label and axe names the field."""
    page.goto("/sign-in?lang=en")
    page.locator("label[for=username]").evaluate("label => label.remove()")
    found = violations(page)
    assert "label" in {v["id"] for v in found}, found
    with pytest.raises(AssertionError, match=r"(?s)label \((critical|serious)\).*at #username"):
        assert_accessible(page)
