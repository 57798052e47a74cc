"""What the police pages (overstays, record linkage) share: the clock, the database, who is signed in.

One place, so that both sets of pages read the user and open sessions the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from koshi.store.cases import Actor
from koshi.web.pages import WebUser


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def sessions_of(request: Request) -> Any:
    return request.app.state.sessions


def user_of(request: Request) -> WebUser | None:
    """The signed-in user (None: nobody, the page sends to sign-in)."""
    user: WebUser | None = request.state.user
    return user


def actor_of(user: WebUser) -> Actor:
    return Actor(user.id, user.role)


def to_sign_in() -> Response:
    return RedirectResponse("/sign-in", status_code=303)
