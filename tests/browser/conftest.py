"""Browser test fixtures: a live Koshi server in a thread, Debian's Chromium driven by Playwright.

* ``live_url`` — the app on a migrated SQLite database, served by uvicorn on a free
  127.0.0.1 port for the whole session; ``users`` — one account per demo role
  (two officers, for four eyes), all with :data:`PASSWORD`.  The database lives for the
  whole session and every test adds to it: never assume an empty queue; to seed data
  directly use ``live_server.app.state.sessions`` (or file cases through the pages).
* ``browser`` — headless Chromium from ``/usr/bin/chromium`` (Debian's package,
  installed by ``make test``).  Playwright never downloads a browser here: a missing
  Chromium FAILS the tests, it does not skip them.
* ``sign_in(page, "officer2", lang="ru")`` signs in through the form; ``console``
  collects console errors and CSP violations (``console.assert_clean()``);
  ``tests.browser.axe.assert_accessible(page)`` runs axe-core.
* ``page`` — a fresh browser context per test (no cookies shared between tests),
  1280x900.  When a test fails its page is saved as a screenshot under
  ``<pytest basetemp>/test-artifacts/`` and the path is added to the report.

Every test under ``tests/browser`` gets the ``browser`` marker (``-m "not browser"``
leaves them out of a quick run; ``make test`` runs them).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, ViewportSize, sync_playwright

from koshi.api.app import create_app
from koshi.settings import Settings
from koshi.store import migrate
from koshi.store.db import make_engine, make_sessionmaker, transaction
from koshi.store.users import create_user, get_by_username
from tests.service import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = ViewportSize(width=1280, height=900)
HERE = Path(__file__).parent
STARTUP_TIMEOUT = 30.0  # seconds: the app builds the OpenFisca system before it serves


@dataclass(frozen=True)
class Account:
    """A user of the live server."""

    username: str
    password: str
    role: str
    full_name: str


ACCOUNTS = {
    "applicant": Account("asel", PASSWORD, "applicant", "Әсел Нұрланқызы"),
    "officer": Account("officer-aigerim", PASSWORD, "officer", "Айгерим Сапарова"),
    "officer2": Account("officer-daniyar", PASSWORD, "officer", "Данияр Ахметов"),
    "supervisor": Account("supervisor-gulnara", PASSWORD, "supervisor", "Гульнара Омарова"),
    "analyst": Account("analyst-timur", PASSWORD, "analyst", "Тимур Ким"),
}


# --- markers and screenshots -------------------------------------------------------------------------


def screenshot_dir() -> Path:
    """Where the page screenshots go: ``test-artifacts/screenshots`` (not in git), or ``$KOSHI_SCREENSHOTS``.

    ``make screenshots`` points it at ``docs/screenshots`` to refresh the copies the README links to; a
    normal test run never rewrites tracked files.
    """
    target = Path(os.environ.get("KOSHI_SCREENSHOTS", Path(__file__).parents[2] / "test-artifacts" / "screenshots"))
    target.mkdir(parents=True, exist_ok=True)
    return target


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Debian's Chromium against a live server (tests/browser)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    report = yield
    assert isinstance(report, pytest.TestReport)
    funcargs = getattr(item, "funcargs", {})
    page, artifacts = funcargs.get("page"), funcargs.get("artifacts_dir")
    if report.when == "call" and report.failed and isinstance(page, Page) and isinstance(artifacts, Path):
        target = artifacts / (re.sub(r"[^\w.-]+", "_", item.nodeid) + ".png")
        try:
            page.screenshot(path=str(target), full_page=True)
            report.sections.append(("browser", f"screenshot of the failing page: {target}\nURL: {page.url}"))
        except Exception as exc:  # the page may be broken in the way the test found: report, do not mask
            report.sections.append(("browser", f"no screenshot ({type(exc).__name__}: {exc})"))
    return report


# --- the live server ----------------------------------------------------------------------------------


class LiveServer:
    """uvicorn serving ``app`` in a background thread, on a socket bound before the thread starts."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))  # the kernel picks a free port: no race with other runs
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_config=None,  # leave logging to pytest (no dictConfig of uvicorn's loggers in the test process)
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        # uvicorn 0.54 installs signal handlers only in the main thread (Server.capture_signals), so a
        # server in a thread leaves Ctrl-C to pytest; it stops when ``should_exit`` is set.
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self.server.started:
            if not self.thread.is_alive():  # lifespan start-up failed (uvicorn exits the thread)
                raise RuntimeError("the live server did not start: see the captured log above")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the live server did not start within {STARTUP_TIMEOUT:.0f} s")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True  # main_loop notices within 0.1 s, closes connections, runs lifespan shutdown
        self.thread.join(timeout=15)
        self.socket.close()
        if self.thread.is_alive():
            raise RuntimeError("the live server did not stop within 15 s")


@pytest.fixture(scope="session")
def users() -> dict[str, Account]:
    """The accounts of the live server, by key: applicant, officer, officer2, supervisor, analyst."""
    return dict(ACCOUNTS)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, users: dict[str, Account]) -> Iterator[LiveServer]:
    """The Koshi app (pages and API) on a fresh migrated SQLite database, with :data:`ACCOUNTS`."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('browser-db')}/koshi.db")
    migrate.upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    with transaction(make_sessionmaker(engine)) as session:
        for account in users.values():
            create_user(
                session,
                username=account.username,
                password=account.password,
                role=account.role,
                full_name=account.full_name,
                now=now,
            )
    server = LiveServer(create_app(Settings(env="test"), engine))
    server.start()
    yield server
    server.stop()  # the app's lifespan disposes of the engine


def ensure_account(live_server: LiveServer, account: Account) -> Account:
    """Create ``account`` on the live server unless it exists (for roles the session's accounts lack)."""
    with transaction(live_server.app.state.sessions) as session:
        if get_by_username(session, account.username) is None:
            create_user(
                session,
                username=account.username,
                password=account.password,
                role=account.role,
                full_name=account.full_name,
                now=dt.datetime.now(dt.UTC),
            )
    return account


@pytest.fixture(scope="session")
def live_url(live_server: LiveServer) -> str:
    """Base URL of the live server, e.g. ``http://127.0.0.1:41234`` (no trailing slash)."""
    return live_server.url


# --- the browser --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium; fails (never skips) when it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (installs Debian's chromium)", pytrace=False)
    # Chromium's sandbox needs user namespaces that root in a container does not get.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where failing tests leave a screenshot: ``<pytest basetemp>/test-artifacts``."""
    path = tmp_path_factory.getbasetemp() / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def context(browser: Browser, live_url: str) -> Iterator[BrowserContext]:
    """A fresh context per test (own cookies and storage) with ``base_url`` set to the live server."""
    ctx = browser.new_context(base_url=live_url, viewport=VIEWPORT)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, artifacts_dir: Path) -> Page:
    """A new tab of :func:`context`; ``page.goto("/sign-in")`` works thanks to ``base_url``."""
    return context.new_page()


# --- what a page logs --------------------------------------------------------------------------------

# Records CSP violations as the browser reports them to the page (runs before any page script,
# injected by Playwright through the DevTools protocol, so the page's own CSP does not apply to it).
_CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push({directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample});
});
"""


@dataclass
class Console:
    """Console errors, uncaught page errors and CSP violations seen by one page."""

    page: Page
    errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.page.evaluate("() => window.__cspViolations || []")
        return found

    def assert_clean(self) -> None:
        assert self.errors == [], f"console errors on {self.page.url}: {self.errors}"
        assert self.csp_violations() == [], f"CSP violations on {self.page.url}: {self.csp_violations()}"


@pytest.fixture
def console(page: Page) -> Console:
    """Watches ``page`` from its first navigation: ``console.assert_clean()`` after the steps to check."""
    watch = Console(page)
    page.add_init_script(_CSP_RECORDER)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            watch.errors.append(f"{message.text} [{where}]" if where else message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: watch.errors.append(f"uncaught: {exc}"))
    return watch


SignIn = Callable[..., None]


@pytest.fixture
def sign_in(users: dict[str, Account]) -> SignIn:
    """``sign_in(page, "applicant", lang="en")``: sign in through the form and wait for the home page.

    Fields are found by id, so it works in every language; the language choice is
    remembered (cookie) for the rest of the test.
    """

    def _sign_in(page: Page, who: str | Account, lang: str = "en") -> None:
        account = users[who] if isinstance(who, str) else who
        page.goto(f"/sign-in?lang={lang}")
        page.locator("#username").fill(account.username)
        page.locator("#password").fill(account.password)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert urlsplit(page.url).path == "/", f"{account.username} was not signed in: still on {page.url}"

    return _sign_in
