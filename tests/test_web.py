"""Web pages: sign-in with a session cookie, CSRF, languages, security headers (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from babel.messages.pofile import read_po

from koshi.web import i18n
from tests.service import PASSWORD, Api


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


def sign_in(api: Api, username: str) -> None:
    form = api.client.get("/sign-in")
    r = api.client.post(
        "/sign-in",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def test_home_sends_strangers_to_sign_in(api: Api) -> None:
    r = api.client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in"


def test_sign_in_sets_a_safe_session_cookie_and_signs_out(api: Api) -> None:
    api.user("officer", "aigerim")
    form = api.client.get("/sign-in")
    r = api.client.post(
        "/sign-in",
        data={"username": "aigerim", "password": PASSWORD, "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "koshi_session=" in cookie and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    home = api.client.get("/?lang=en")
    assert "Welcome, aigerim" in home.text and 'href="/queue"' in home.text
    api.client.post("/sign-out", data={"csrf_token": csrf(home.text)})
    assert api.client.get("/", follow_redirects=False).headers["location"] == "/sign-in"


def test_wrong_password_and_missing_csrf_are_refused(api: Api) -> None:
    api.user("officer", "dana")
    form = api.client.get("/sign-in?lang=en")
    bad = api.client.post("/sign-in", data={"username": "dana", "password": "nope", "csrf_token": csrf(form.text)})
    assert bad.status_code == 401 and "Wrong username or password" in bad.text
    forged = api.client.post("/sign-in", data={"username": "dana", "password": PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 400 and "session expired" in forged.text
    assert api.client.get("/", follow_redirects=False).headers["location"] == "/sign-in"


@pytest.mark.parametrize(
    ("lang", "expected"), [("kk", "Кіру"), ("ru", "Войти"), ("en", "Sign in")], ids=["kk", "ru", "en"]
)
def test_every_language_and_the_choice_is_remembered(api: Api, lang: str, expected: str) -> None:
    first = api.client.get(f"/sign-in?lang={lang}")
    assert f'<html lang="{lang}"' in first.text and f">{expected}</h1>" in first.text
    assert "koshi_lang=" + lang in first.headers["set-cookie"]
    again = api.client.get("/sign-in")  # no ?lang: the cookie decides
    assert f'<html lang="{lang}"' in again.text and again.headers["content-language"] == lang


def test_browser_language_is_used_when_nothing_was_chosen(api: Api) -> None:
    r = api.client.get("/sign-in", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"})
    assert '<html lang="ru"' in r.text
    assert '<html lang="kk"' in api.client.get("/sign-in", headers={"Accept-Language": "de"}).text


def test_security_headers_on_pages_and_api(api: Api) -> None:
    for path in ("/sign-in", "/healthz"):
        headers = api.client.get(path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    docs = api.client.get("/docs").headers["content-security-policy"]
    script_src = next(d for d in docs.split(";") if d.strip().startswith("script-src"))
    assert "'sha256-" in script_src and "unsafe-inline" not in script_src


def test_pages_have_no_inline_script_and_load_only_local_assets(api: Api) -> None:
    html = api.client.get("/sign-in").text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script has a src
    for src in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert api.client.get(src).status_code == 200, src
    assert "http://" not in html and "https://" not in html


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_catalogues_translate_every_message(lang: str) -> None:
    folder = resources.files("koshi.web") / "translations"
    with (folder / "messages.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    with (folder / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = {m.id: m.string for m in read_po(f, locale=lang) if m.id}
    assert template <= set(catalog), sorted(template - set(catalog))
    assert not [m for m in template if not catalog[m]], "untranslated messages"


def test_numbers_and_dates_follow_the_locale() -> None:
    import datetime as dt

    assert i18n.format_number(1234567, "en") == "1,234,567"
    assert i18n.format_number(1234567, "ru").replace("\xa0", " ") == "1 234 567"
    assert i18n.format_percent(0.953, "en") == "95.3%"
    assert "2026" in i18n.format_date(dt.date(2026, 3, 1), "kk")
    assert i18n.format_date(dt.date(2026, 3, 1), "ru") != i18n.format_date(dt.date(2026, 3, 1), "en")


def test_language_links_keep_the_other_query_parameters(api: Api) -> None:
    html = api.client.get("/sign-in?lang=en&next=%2Fqueue&page=2").text
    links = re.findall(r'href="([^"]*lang=(?:kk|ru)[^"]*)"', html)
    assert links and all("page=2" in link and "next=%2Fqueue" in link for link in links)
