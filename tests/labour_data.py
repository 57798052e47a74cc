"""Helpers for the foreign-labour tests: valid BINs and IINs, accounts, an employer ready to apply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from koshi.documents.iin import check_digit
from koshi.labour.checks import Staff
from koshi.store import labour
from koshi.store.cases import Actor
from koshi.store.db import make_sessionmaker, transaction
from koshi.store.models import User

T = TypeVar("T")

NOW = dt.datetime(2026, 3, 10, 6, tzinfo=dt.UTC)  # a Tuesday
TODAY = dt.date(2026, 3, 10)
ASTANA, ALMATY = "710000000", "750000000"


def with_check_digit(first11: str) -> str:
    """``first11`` completed with its check digit (a valid IIN or BIN)."""
    digit = check_digit(first11)
    assert digit is not None, first11
    return first11 + str(digit)


def iin(n: int) -> str:
    """A valid IIN (born in 1985, serial ``n``)."""
    for tail in range(10):
        first = f"8503153{n % 1000:03d}{tail}"
        if check_digit(first) is not None:
            return with_check_digit(first)
    raise AssertionError(n)


def bin_(n: int, attribute: int = 0) -> str:
    """A valid BIN of a resident legal entity registered in Dec 1997 (``attribute`` 1: a branch)."""
    for serial in range(n * 10, n * 10 + 10):
        first = f"97124{attribute}{serial:05d}"
        if check_digit(first) is not None:
            return with_check_digit(first)
    raise AssertionError(n)


@dataclass
class World:
    """A migrated database with one account per role and an employer (staff, a vacancy, a quota)."""

    engine: Engine
    sessions: sessionmaker[Session]
    employer: Actor
    other_employer: Actor
    akimat: Actor
    admin: Actor
    supervisor: Actor
    analyst: Actor
    employer_id: int

    def do(self, fn: Callable[[Session], T]) -> T:
        with transaction(self.sessions) as session:
            return fn(session)

    def apply(self, actor: Actor | None = None, **changes: Any) -> labour.PermitView:
        kwargs: dict[str, Any] = {
            "employer_id": self.employer_id,
            "worker_iin": iin(1),
            "worker_surname": "Wang",
            "worker_given_names": "Li",
            "worker_nationality": "CHN",
            "category": "category_3",
            "isco": "2142",
            "region_kato": ASTANA,
            "valid_from": dt.date(2026, 4, 1),
            "valid_to": dt.date(2027, 3, 31),
            "applied_on": TODAY,
            "now": NOW,
        } | changes
        return self.do(lambda s: labour.apply(s, actor or self.employer, **kwargs))

    def act(self, permit_id: str, action: str, actor: Actor | None = None, **kwargs: Any) -> labour.PermitView:
        who = actor or (self.employer if action in ("recheck", "withdraw", "pay") else self.akimat)
        now = kwargs.pop("now", NOW)
        return self.do(lambda s: labour.act(s, who, permit_id, action, now=now, **kwargs))


ACCOUNTS = (
    ("employer", "employer"),
    ("other_employer", "employer"),
    ("akimat", "akimat"),
    ("admin", "admin"),
    ("supervisor", "supervisor"),
    ("analyst", "analyst"),
)


def make_world(engine: Engine) -> World:
    sessions = make_sessionmaker(engine)
    actors: dict[str, Actor] = {}
    with transaction(sessions) as session:
        for name, role in ACCOUNTS:
            user = User(username=name, full_name="", role=role, password_hash="x", created_at=NOW)
            session.add(user)
            session.flush()
            actors[name] = Actor(user.id, role)
    with transaction(sessions) as session:
        e = labour.register_employer(
            session,
            actors["employer"],
            bin=bin_(1),
            name="Astana Build LLP",
            oked_section="F",
            region_kato=ASTANA,
            now=NOW,
        )
        labour.set_staff(session, actors["employer"], e.id, Staff(10, 0, 90, 0, 0), TODAY, NOW)
        labour.post_vacancy(
            session,
            actors["employer"],
            e.id,
            isco="2142",
            region_kato=ASTANA,
            title="Civil engineer",
            wage=900_000,
            posted_on=TODAY - dt.timedelta(days=20),
            now=NOW,
        )
        labour.set_quota(
            session,
            actors["admin"],
            2026,
            {(ASTANA, c): 5 for c in ("category_1", "category_2", "category_3", "category_4", "seasonal")},
            NOW,
        )
    return World(
        engine,
        sessions,
        actors["employer"],
        actors["other_employer"],
        actors["akimat"],
        actors["admin"],
        actors["supervisor"],
        actors["analyst"],
        e.id,
    )
