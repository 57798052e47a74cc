"""Password hashing (Argon2id) and short-lived signed access tokens (JWT, HS256).

Pure functions apart from the hashing itself: the caller passes the time and the
signing key, so tokens are reproducible in tests and nothing here reads the clock
or the settings.  The one exception is :func:`decode_token` without ``now``,
which checks expiry against the wall clock (the convenient default for callers
that have no reason to pin the time).

Argon2 parameters are the library's defaults (RFC 9106 low-memory profile: 64 MiB,
3 passes), except when ``KOSHI_ENV=test``: then the ``CHEAPEST`` profile makes a
hash take microseconds so the test suite can create hundreds of users.  Hashes
carry their own parameters, so a test hash still verifies anywhere, and
:func:`needs_rehash` flags it for an upgrade at the next login.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import secrets
from dataclasses import dataclass
from typing import Any, cast

import jwt
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from koshi.accounts.roles import ROLES, Role

ISSUER = "koshi"
ALGORITHM = "HS256"
_REQUIRED = ["sub", "name", "role", "iat", "nbf", "exp", "jti", "iss"]

# HS256 keys shorter than the hash (32 bytes) are refused, not merely warned about.
_jwt = jwt.PyJWT(options={"enforce_minimum_key_length": True})


# --- passwords -----------------------------------------------------------------------------------


@functools.cache
def _hasher(cheap: bool) -> PasswordHasher:
    return PasswordHasher.from_parameters(profiles.CHEAPEST) if cheap else PasswordHasher()


def hasher() -> PasswordHasher:
    """The Argon2id hasher: library defaults, or the cheapest profile when ``KOSHI_ENV=test``.

    The variable is read on every call (not once at import) so a test can switch it;
    the two hashers themselves are built once.
    """
    return _hasher(os.environ.get("KOSHI_ENV") == "test")


def hash_password(password: str) -> str:
    """An encoded Argon2id hash (``$argon2id$v=19$m=…``) of ``password`` with a fresh salt."""
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; ``False`` (never an exception) otherwise.

    A malformed stored hash or an unencodable password also gives ``False``: to the
    caller, all of them mean "not authenticated".
    """
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError, ValueError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether ``password_hash`` was made with other parameters than the current hasher's."""
    try:
        return hasher().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


# --- tokens --------------------------------------------------------------------------------------


class InvalidToken(Exception):
    """A token that must not be accepted; ``reason`` says why (for logs, not for the client)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Claims:
    """What a valid token says: who, in which role, until when."""

    user_id: int
    username: str
    role: Role
    expires_at: dt.datetime


def _epoch(moment: dt.datetime, name: str) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (a naive time is ambiguous)")
    return int(moment.timestamp())


def create_token(*, user_id: int, username: str, role: str, now: dt.datetime, minutes: int, key: str) -> str:
    """A signed access token for the user, valid from ``now`` for ``minutes``.

    ``jti`` is random, so two tokens issued in the same second still differ.
    Raises ``ValueError`` for an unknown role, a non-positive lifetime or a naive
    ``now``; ``jwt.InvalidKeyError`` for a key shorter than 32 bytes.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if minutes <= 0:
        raise ValueError("a token must live at least one minute")
    issued = _epoch(now, "now")
    payload = {
        "iss": ISSUER,
        "sub": str(user_id),
        "name": username,
        "role": role,
        "iat": issued,
        "nbf": issued,
        "exp": issued + minutes * 60,
        "jti": secrets.token_urlsafe(16),
    }
    return _jwt.encode(payload, key, algorithm=ALGORITHM)


def _int_claim(payload: dict[str, Any], name: str) -> int:
    value = payload[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidToken(f"claim {name} is not an integer")
    return value


def decode_token(token: str, *, key: str, now: dt.datetime | None = None) -> Claims:
    """The claims of ``token`` if it is genuine, ours and current at ``now``; else :class:`InvalidToken`.

    ``now`` defaults to the wall clock (UTC).  There is no leeway: a token is
    rejected from the second its ``exp`` is reached.  Only HS256 is accepted (never
    ``none`` or an algorithm named by the token itself).
    """
    at = _epoch(now or dt.datetime.now(dt.UTC), "now")
    try:
        payload = _jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            # times are checked below against the caller's ``now``, not PyJWT's clock
            options={"require": _REQUIRED, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
        )
    except jwt.InvalidTokenError as exc:
        raise InvalidToken(f"{type(exc).__name__}: {exc}") from None
    except (ValueError, TypeError) as exc:  # e.g. a string that is not even encodable
        raise InvalidToken(f"malformed token: {type(exc).__name__}") from None
    exp, nbf = _int_claim(payload, "exp"), _int_claim(payload, "nbf")
    _int_claim(payload, "iat")
    if at >= exp:
        raise InvalidToken("expired")
    if at < nbf:
        raise InvalidToken("not yet valid")
    sub, name, role = payload["sub"], payload["name"], payload["role"]
    if not (isinstance(sub, str) and sub.isascii() and sub.isdigit() and len(sub) <= 18):
        raise InvalidToken("subject is not a user id")
    if not isinstance(name, str):
        raise InvalidToken("name is not a string")
    if role not in ROLES:
        raise InvalidToken(f"unknown role {role!r}")
    try:
        expires_at = dt.datetime.fromtimestamp(exp, dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidToken("expiry out of range") from None
    return Claims(user_id=int(sub), username=name, role=cast(Role, role), expires_at=expires_at)
