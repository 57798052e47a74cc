"""``koshi link run --db`` and ``koshi link review list|show|decide`` on a registry (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from koshi.cli import app
from koshi.settings import settings
from koshi.store import linkage as store_linkage
from koshi.store import users
from koshi.store.db import make_sessionmaker, transaction
from koshi.store.models import AuditRecord
from tests.registry_data import link_options, linkage_registry

runner = CliRunner()
PASSWORD = "correct horse battery staple 9"


@pytest.fixture
def registry(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A linked registry with reviews, the CLI pointed at it, and two users."""
    monkeypatch.setenv("KOSHI_DATABASE_URL", db_url)
    monkeypatch.setenv("KOSHI_ENV", "test")
    settings.cache_clear()
    linkage_registry(engine)
    now = dt.datetime.now(dt.UTC)
    with transaction(make_sessionmaker(engine)) as session:
        store_linkage.run(session, None, now, options=link_options())
        users.create_user(session, username="olzhas", password=PASSWORD, role="police", now=now)
        users.create_user(session, username="clerk", password=PASSWORD, role="officer", now=now)
    yield engine
    settings.cache_clear()


def test_list_show_and_decide_a_review(registry: Engine) -> None:
    listed = runner.invoke(app, ["link", "review", "list", "--as", "olzhas", "--json"])
    assert listed.exit_code == 0, listed.output
    page = json.loads(listed.stdout)
    assert page["total"] >= 1
    first = page["items"][0]
    shown = runner.invoke(app, ["link", "review", "show", str(first["id"]), "--as", "olzhas"])
    assert shown.exit_code == 0, shown.output
    assert "prior" in shown.stdout and "final" in shown.stdout and "name" in shown.stdout
    decided = runner.invoke(app, ["link", "review", "decide", str(first["id"]), "same", "--as", "olzhas"])
    assert decided.exit_code == 0, decided.output
    assert "merged into person" in decided.stdout or "already" in decided.stdout
    with make_sessionmaker(registry)() as session:
        actions = dict(session.execute(select(AuditRecord.action, func.count()).group_by(AuditRecord.action)).all())
    assert actions.get("linkage.decision") == 1 and actions.get("linkage.review", 0) >= 1
    after = json.loads(runner.invoke(app, ["link", "review", "list", "--as", "olzhas", "--json"]).stdout)
    assert after["total"] < page["total"]


def test_names_are_masked_unless_revealed(registry: Engine) -> None:
    listed = runner.invoke(app, ["link", "review", "list", "--as", "olzhas", "--json"])
    rid = json.loads(listed.stdout)["items"][0]["id"]
    with make_sessionmaker(registry)() as session:
        detail = store_linkage.review(session, store_linkage_actor(session, "olzhas"), rid)
    masked = runner.invoke(app, ["link", "review", "show", str(rid), "--as", "olzhas"]).stdout
    assert detail.left.surname not in masked
    revealed = runner.invoke(app, ["link", "review", "show", str(rid), "--as", "olzhas", "--reveal"]).stdout
    assert detail.left.surname in revealed


def store_linkage_actor(session: object, username: str) -> object:
    from koshi.store.cases import Actor

    user = users.get_by_username(session, username)  # type: ignore[arg-type]
    assert user is not None
    return Actor(user.id, user.role)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["link", "review", "list", "--as", "nobody"], 2, "no active user"),
        (["link", "review", "list", "--as", "clerk"], 1, ""),
        (["link", "review", "show", "999999", "--as", "olzhas"], 2, "999999"),
        (["link", "review", "decide", "1", "maybe", "--as", "olzhas"], 2, "decision must be one of"),
    ],
)
def test_bad_review_commands(registry: Engine, args: list[str], code: int, message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    assert message in result.output


def test_run_db_links_new_records_incrementally(registry: Engine) -> None:
    result = runner.invoke(app, ["link", "run", "--db", "--quiet", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["mode"] == "incremental" and report["new_records"] == 0
