"""Page rendering: one Jinja2 environment, and a context with the request's language and user."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from koshi import __version__
from koshi.web import i18n
from koshi.web.security import csrf_token

env = Environment(
    loader=PackageLoader("koshi.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    extensions=["jinja2.ext.i18n"],
)


def locale_of(request: Request) -> str:
    """The page language (query, cookie, browser), stored on the request by the language middleware."""
    value = getattr(request.state, "locale", None)
    return value if isinstance(value, str) else i18n.DEFAULT


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` in the request's language."""
    locale = locale_of(request)
    t = i18n.translations(locale)
    ctx: dict[str, Any] = {
        "request": request,
        "locale": locale,
        "locales": i18n.LOCALES,
        "locale_names": i18n.NAMES,
        "_": t.gettext,
        "ngettext": t.ngettext,
        "csrf_token": csrf_token(request),
        "user": getattr(request.state, "user", None),
        "version": __version__,
        "fmt_date": lambda v: i18n.format_date(v, locale),
        "fmt_datetime": lambda v: i18n.format_datetime(v, locale),
        "fmt_number": lambda v, d=0: i18n.format_number(v, locale, d),
        "fmt_percent": lambda v: i18n.format_percent(v, locale),
        "lang_url": lambda code: _with_lang(request, code),
    }
    ctx.update(context)
    return HTMLResponse(env.get_template(template).render(ctx), status_code=status_code)


def _with_lang(request: Request, code: str) -> str:
    """This page's address in another language, keeping its other query parameters (filters, page)."""
    url = request.url.include_query_params(lang=code)
    return f"{url.path}?{url.query}"
