"""Accessibility checks in the browser with axe-core (vendored at ``tests/vendor/axe.min.js``).

``assert_accessible(page)`` runs every axe rule tagged WCAG 2.0/2.1/2.2 level A or
AA on the page as it is now and fails with each violation's rule id, impact,
help text and the CSS targets of the offending elements.  Nothing is ignored
silently: a rule can only be switched off by passing ``exclude={"rule-id": "why"}``
with a written reason, which is then part of the test.

How axe gets into a page without weakening its CSP.  The app's policy is
``script-src 'self'``, so ``page.add_script_tag(content=…)`` (an inline script)
is refused by the browser, exactly as it should be.  Instead of turning CSP off
for the whole context (``bypass_csp=True``, which would also hide CSP mistakes
in the pages under test), the test intercepts one request on the app's own
origin, ``/__browser-tests__/axe.min.js``, and answers it with the vendored file;
a ``<script src>`` from 'self' is allowed by the policy, so axe loads and the
page's real CSP stays in force during the check.  That URL exists only inside the
test browser (Playwright's ``page.route``), never on the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, Route

AXE_SOURCE = (Path(__file__).parents[1] / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_PATH = "/__browser-tests__/axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")  # axe has no separate 2.2 level-A tag

_RUN = """async ([tags, rules]) => {
  const result = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags},
    rules: rules,
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}"""


def inject(page: Page) -> None:
    """Load axe-core into ``page`` (once) as a same-origin script, so the page's CSP admits it."""
    if page.evaluate("() => typeof window.axe === 'object'"):
        return
    parts = urlsplit(page.url)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"axe runs on pages of the live server, not on {page.url!r}")
    url = f"{parts.scheme}://{parts.netloc}{AXE_PATH}"

    def serve(route: Route) -> None:
        route.fulfill(status=200, content_type="text/javascript; charset=utf-8", body=AXE_SOURCE)

    page.route(url, serve)
    try:
        page.add_script_tag(url=url)
    finally:
        page.unroute(url, serve)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        raise RuntimeError("axe-core did not load into the page")


def violations(page: Page, exclude: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """axe's WCAG A/AA violations on the page; ``exclude`` maps rule ids to the reason they are off."""
    exclude = dict(exclude or {})
    for rule, reason in exclude.items():
        if not reason.strip():
            raise ValueError(f"axe rule {rule!r} excluded without a reason")
    inject(page)
    rules = {rule: {"enabled": False} for rule in exclude}
    found: list[dict[str, Any]] = page.evaluate(_RUN, [list(WCAG_TAGS), rules])
    return found


def describe(found: list[dict[str, Any]]) -> str:
    """One paragraph per violation: id, impact, help, and each offending element."""
    lines = []
    for v in found:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:160]}")
            if node.get("summary"):
                lines.extend("      " + line for line in node["summary"].splitlines())
    return "\n".join(lines)


def assert_accessible(page: Page, exclude: Mapping[str, str] | None = None) -> None:
    """Fail with every WCAG 2 A/AA violation axe finds on the page as it is now."""
    found = violations(page, exclude)
    assert not found, f"axe-core found {len(found)} accessibility violation(s) on {page.url}:\n{describe(found)}"
