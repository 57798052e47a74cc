"""Sign-in (OAuth2 password flow) and the dependencies that say who is calling and in which role.

``POST /token`` trades a username and password for a short-lived bearer token.
Every protected route depends on :func:`current_principal` (or on a
:func:`require_roles` guard built on it).  This is the adapter edge, so it reads
the clock and the app's settings; :mod:`koshi.accounts.security` stays pure.

The app must set ``app.state.sessions`` (a ``sessionmaker[Session]``) and
``app.state.settings`` (:class:`koshi.settings.Settings`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from koshi.accounts.roles import ROLES
from koshi.accounts.security import InvalidToken, create_token, decode_token
from koshi.api.problems import Problem
from koshi.settings import Settings
from koshi.store.db import transaction
from koshi.store.models import User
from koshi.store.users import authenticate

log = logging.getLogger("koshi.api.auth")

router = APIRouter(tags=["auth"])

# auto_error=False: a missing token becomes our own problem+json 401, not FastAPI's plain one.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)

_CHALLENGE = {"WWW-Authenticate": "Bearer"}
# RFC 6750 §3: a token that was sent but is not acceptable says so in the challenge.
_INVALID = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a user id, username and (current) role."""

    id: int
    username: str
    role: str


class TokenOut(BaseModel):
    """An access token (RFC 6749 §5.1) plus the role, so a client can choose its screens."""

    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the token expires")
    role: str


def _sessions(request: Request) -> sessionmaker[Session]:
    sessions: sessionmaker[Session] = request.app.state.sessions
    return sessions


def _settings(request: Request) -> Settings:
    config: Settings = request.app.state.settings
    return config


@router.post("/token", summary="Sign in: trade username and password for a bearer token")
def issue_token(
    request: Request, response: Response, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenOut:
    """OAuth2 password flow; the token lives ``KOSHI_TOKEN_MINUTES`` (15 by default)."""
    config = _settings(request)
    now = dt.datetime.now(dt.UTC)
    with transaction(_sessions(request)) as session:  # a transaction: a login may rehash the password
        user = authenticate(session, form.username, form.password)
        if user is None:
            raise Problem(401, "wrong username or password", headers=_CHALLENGE)
        uid, username, role = user.id, user.username, user.role
    token = create_token(
        user_id=uid, username=username, role=role, now=now, minutes=config.token_minutes, key=config.signing_key()
    )
    response.headers["Cache-Control"] = "no-store"  # RFC 6749 §5.1: tokens are never cached
    response.headers["Pragma"] = "no-cache"
    return TokenOut(access_token=token, expires_in=config.token_minutes * 60, role=role)


def current_principal(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Principal:
    """The caller behind the bearer token; 401 if it is missing, invalid, expired or its user is gone.

    The role comes from the database, not the token, so a demotion or a
    deactivation takes effect at once rather than when the token expires.
    """
    if not token:
        raise Problem(401, "sign in first: send 'Authorization: Bearer <token>'", headers=_CHALLENGE)
    try:
        claims = decode_token(token, key=_settings(request).signing_key(), now=dt.datetime.now(dt.UTC))
    except InvalidToken as exc:
        log.info("rejected token: %s", exc.reason)
        raise Problem(401, "invalid or expired token: sign in again", headers=_INVALID) from None
    with transaction(_sessions(request)) as session:
        row = session.execute(
            select(User.username, User.role).where(User.id == claims.user_id, User.active.is_(True))
        ).one_or_none()
    if row is None:
        raise Problem(401, "this account no longer exists or is disabled", headers=_INVALID)
    return Principal(id=claims.user_id, username=row.username, role=row.role)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency admitting only callers in ``roles`` (403 otherwise); returns the principal.

    Unknown role names fail at import time, so a typo cannot silently lock a route.
    """
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        raise ValueError(f"require_roles needs known roles, got {roles!r}")
    allowed = frozenset(roles)

    def guard(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise Problem(403, f"role {principal.role} may not use this endpoint (allowed: {', '.join(roles)})")
        return principal

    return guard
