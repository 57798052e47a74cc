"""User accounts: create them with checked fields, find them, and check a password.

Functions take the caller's session and never commit: the caller's transaction
(``koshi.store.db.transaction``) decides, so creating a user can be part of a
larger unit of work (the demo seed, a test fixture).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from koshi.accounts.roles import ROLES
from koshi.accounts.security import hash_password, hasher, needs_rehash, verify_password
from koshi.store.models import User

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # far beyond any passphrase; longer input is a mistake, not a password
MAX_FULL_NAME = 200  # the column's width


class UserError(ValueError):
    """A field of a new account is not acceptable; ``field`` names it (CLI and API report it)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _check(username: str, password: str, role: str, full_name: str) -> None:
    if not USERNAME.fullmatch(username):
        raise UserError("username", "must be 3-64 lowercase letters, digits, '.', '_' or '-', starting with no symbol")
    if len(password) < MIN_PASSWORD:
        raise UserError("password", f"must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError("password", f"must be at most {MAX_PASSWORD} characters")
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise UserError("password", "must be valid text") from None
    if role not in ROLES:
        raise UserError("role", f"must be one of {', '.join(ROLES)}")
    if len(full_name) > MAX_FULL_NAME:
        raise UserError("full_name", f"must be at most {MAX_FULL_NAME} characters")


def create_user(
    session: Session, *, username: str, password: str, role: str, full_name: str = "", now: dt.datetime
) -> User:
    """A new active account (flushed, so ``id`` is set); :class:`UserError` names the first bad field.

    The duplicate check runs first for a clear message; a concurrent insert of the
    same name is still caught by the unique index (inside a savepoint, so the
    caller's transaction stays usable).
    """
    _check(username, password, role, full_name)
    if get_by_username(session, username) is not None:
        raise UserError("username", "already exists")
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        password_hash=hash_password(password),
        active=True,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise UserError("username", "already exists") from None
    return user


def get_by_username(session: Session, username: str) -> User | None:
    """The account called ``username`` (exact match), active or not."""
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


@functools.cache
def _dummy_hash(ph: PasswordHasher) -> str:
    return ph.hash("koshi: no such user")


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, else ``None``.

    An unknown or deactivated user still costs one Argon2 verification (against a
    dummy hash made with the same parameters), so response time does not reveal
    which usernames exist.  A correct password stored with outdated parameters is
    rehashed in the caller's transaction.
    """
    user = get_by_username(session, username)
    if user is None or not user.active:
        verify_password(_dummy_hash(hasher()), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
