"""Pages every user meets: sign in, sign out, the home page for each role, the language switch.

Pages authenticate with the session cookie; the user's role is read from the
database on every request, exactly as the API does for tokens.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.middleware.base import BaseHTTPMiddleware

from koshi.store.db import transaction
from koshi.store.models import User
from koshi.store.users import authenticate
from koshi.web import i18n
from koshi.web.labels import N_
from koshi.web.render import locale_of, page
from koshi.web.security import csrf_ok

router = APIRouter(include_in_schema=False)
SESSION_USER = "uid"
LANG_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True, slots=True)
class WebUser:
    """The signed-in user of a page request."""

    id: int
    username: str
    full_name: str
    role: str


class PageContext(BaseHTTPMiddleware):
    """Resolves the page language (and remembers a ``?lang=`` choice) and the signed-in user."""

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        query = request.query_params.get("lang")
        request.state.locale = i18n.negotiate(
            query, request.cookies.get(i18n.COOKIE), request.headers.get("accept-language")
        )
        request.state.user = _user(request) if "session" in request.scope else None
        response = await call_next(request)
        if query in i18n.LOCALES:
            response.set_cookie(i18n.COOKIE, query, max_age=LANG_MAX_AGE, httponly=True, samesite="lax")
        response.headers.setdefault("Content-Language", request.state.locale)
        return response


def _user(request: Request) -> WebUser | None:
    uid = request.session.get(SESSION_USER)
    if not isinstance(uid, int):
        return None
    with transaction(request.app.state.sessions) as session:
        row = session.execute(
            select(User.id, User.username, User.full_name, User.role).where(User.id == uid, User.active.is_(True))
        ).one_or_none()
    if row is None:
        request.session.pop(SESSION_USER, None)
        return None
    return WebUser(row.id, row.username, row.full_name, row.role)


class Stop(Exception):
    """A response that ends a page request early (sign in, refused, not found); routes return it."""

    def __init__(self, response: Response) -> None:
        self.response = response


def signed_in(request: Request, roles: Collection[str], forbidden: Callable[[], Response]) -> WebUser:
    """The page's user if their role is in ``roles``; else :class:`Stop` with sign-in or ``forbidden()``."""
    user: WebUser | None = request.state.user
    if user is None:
        raise Stop(RedirectResponse("/sign-in", status_code=303))
    if user.role not in roles:
        raise Stop(forbidden())
    return user


HOME = {
    "applicant": "/my/cases",
    "officer": "/queue",
    "supervisor": "/queue",
    "analyst": "/dashboard",
    "police": "/police/overstays",
    "employer": "/employer",
    "akimat": "/akimat/permits",
    "agency": "/agency",
    "inspector": "/inspector/ranking",
}

MORE: dict[str, tuple[tuple[str, str], ...]] = {
    "applicant": ((N_("Complaints about private employment agencies"), "/complaints"),),
    "officer": (
        (N_("Resettlement applications"), "/resettlement/families"),
        (N_("Resettlement matching"), "/resettlement/matching"),
    ),
    "analyst": (
        (N_("Work-permit quota by region"), "/labour/quota-usage"),
        (N_("Fees for foreign labour"), "/labour/fees"),
        (N_("Private employment agencies"), "/inspector/agencies"),
        (N_("Agencies ranked for inspection"), "/inspector/ranking"),
        (N_("Resettlement: quotas, support and follow-up"), "/resettlement/analysis"),
    ),
    "supervisor": (
        (N_("Work permits"), "/akimat/permits?state=all"),
        (N_("Work-permit quota by region"), "/labour/quota-usage"),
        (N_("Private employment agencies"), "/inspector/agencies"),
        (N_("Resettlement applications"), "/resettlement/families"),
        (N_("Resettlement matching"), "/resettlement/matching"),
        (N_("Resettlement: quotas, support and follow-up"), "/resettlement/analysis"),
    ),
    "employer": ((N_("Work-permit quota by region"), "/labour/quota-usage"),),
    "akimat": (
        (N_("Resettlement in the region"), "/resettlement/region"),
        (N_("Work-permit quota by region"), "/labour/quota-usage"),
    ),
    "inspector": ((N_("Registry of private employment agencies"), "/inspector/agencies"),),
}
"""Further areas a role works in, listed under the main one on the home page."""


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico on their own; answer with the packaged icon."""
    icon = resources.files("koshi.web") / "static" / "favicon.svg"
    return Response(icon.read_bytes(), media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


@router.get("/")
def home(request: Request) -> Response:
    user: WebUser | None = request.state.user
    if user is None:
        return RedirectResponse("/sign-in", status_code=303)
    return page(request, "home.html", destination=HOME.get(user.role), more=MORE.get(user.role, ()))


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    return page(request, "sign_in.html", error=None, username="")


@router.post("/sign-in")
def sign_in(
    request: Request,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    if not csrf_ok(request, csrf_token):
        return page(request, "sign_in.html", status_code=400, error="csrf", username=username)
    with transaction(request.app.state.sessions) as session:
        user = authenticate(session, username, password)
        uid = user.id if user else None
    if uid is None:
        return page(request, "sign_in.html", status_code=401, error="credentials", username=username)
    request.session.clear()  # a new session on sign-in: no fixation
    request.session[SESSION_USER] = uid
    return RedirectResponse("/", status_code=303)


@router.post("/sign-out")
def sign_out(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    if csrf_ok(request, csrf_token):
        request.session.clear()
    return RedirectResponse("/sign-in", status_code=303)


__all__ = ["PageContext", "Stop", "WebUser", "locale_of", "router", "signed_in"]
