"""Helpers for service tests: an API client on a migrated database, with accounts per role."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from koshi.api.app import create_app
from koshi.settings import Settings
from koshi.store.db import make_sessionmaker, transaction
from koshi.store.models import AuditRecord, Case
from koshi.store.users import create_user
from tests.factories import kandas_profile, pr_profile

PASSWORD = "correct horse battery"
_names = itertools.count(1)


@dataclass
class Api:
    """A TestClient plus helpers to make users and cases."""

    engine: Engine
    client: TestClient
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def user(self, role: str, name: str | None = None) -> dict[str, str]:
        """Authorization headers of a new user with ``role``."""
        username = name or f"{role}-{next(_names)}"
        with transaction(make_sessionmaker(self.engine)) as session:
            create_user(session, username=username, password=PASSWORD, role=role, now=dt.datetime.now(dt.UTC))
        r = self.client.post("/token", data={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def apply(
        self, who: dict[str, str], *, submit: bool = True, pack: str = "kz.permanent_residence", **changes: Any
    ) -> dict[str, Any]:
        """File an application (submitted by default) and return the case."""
        profile = pr_profile(**changes) if pack == "kz.permanent_residence" else kandas_profile(**changes)
        profile.pop("id", None)
        r = self.client.post("/cases", json={"pack": pack, "profile": profile, "submit": submit}, headers=who)
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    def act(self, who: dict[str, str], case_id: str, action: str, reason: str | None = None, **extra: Any) -> Any:
        """POST a transition; returns the response."""
        return self.client.post(
            f"/cases/{case_id}/transitions", json={"action": action, "reason": reason, **extra}, headers=who
        )

    def count(self, model: type[Case] | type[AuditRecord]) -> int:
        with make_sessionmaker(self.engine)() as session:
            return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def make_api(engine: Engine) -> Api:
    app = create_app(Settings(env="test"), engine)
    return Api(engine, TestClient(app))
