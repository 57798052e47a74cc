"""Migrations on SQLite and PostgreSQL: empty → head, agreement with the models, downgrade, readiness."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, select, text

from koshi.api.app import create_app
from koshi.cases.audit import GENESIS
from koshi.settings import Settings
from koshi.store import migrate
from koshi.store.db import make_engine
from koshi.store.models import AuditHead, Base

TABLES = {
    "users",
    "cases",
    "case_events",
    "audit_log",
    "audit_head",
    "idempotency_keys",
    "migration_flows",
    "interregional_moves",
    "resettler_followups",
    "registry_persons",
    "travel_documents",
    "feed_batches",
    "authorizations",
    "border_events",
    "registrations",
    "permits",
    "stay_status",
    "overstay_reasons",
    "document_identities",
    "link_runs",
    "link_reviews",
    "link_decisions",
    "person_merges",
    "person_splits",
    "employers",
    "employer_staff",
    "vacancies",
    "quota_allocations",
    "work_permits",
    "permit_events",
    "akimat_regions",
    "agencies",
    "agency_founders",
    "agency_addresses",
    "agency_status_events",
    "agency_reports",
    "agency_complaints",
    "agency_inspections",
    "agency_violations",
    "agency_sanctions",
    "resettle_settlements",
    "resettle_vacancies",
    "resettle_housing",
    "resettle_families",
    "resettle_match_runs",
    "resettle_placements",
    "resettle_payments",
    "resettle_followups",
    "resettle_events",
}


@pytest.fixture
def empty(db_url: str) -> Iterator[Engine]:
    """The database behind ``db_url``, not migrated."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        return set(conn.execute(text(query)).scalars())


def append_only_function(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM pg_proc WHERE proname = 'koshi_append_only'")).scalar_one())


def expected_triggers(engine: Engine) -> set[str]:
    if engine.dialect.name == "postgresql":
        return {"audit_log_append_only"}
    return {"audit_log_no_update", "audit_log_no_delete"}


def downgrade(engine: Engine, revision: str = "base") -> None:
    cfg = migrate.config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def head_rows(engine: Engine) -> list[tuple[int, int, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(AuditHead.id, AuditHead.seq, AuditHead.hash))]


def test_upgrade_from_empty_to_head(empty: Engine) -> None:
    assert migrate.current(empty) is None
    assert tables(empty) == set()
    migrate.upgrade(empty)
    assert migrate.current(empty) == migrate.head()
    assert tables(empty) == TABLES
    assert triggers(empty) == expected_triggers(empty)
    assert head_rows(empty) == [(1, 0, GENESIS)]
    assert GENESIS == "0" * 64
    migrate.upgrade(empty)  # idempotent: no second head row, no error
    assert head_rows(empty) == [(1, 0, GENESIS)]


def test_models_and_migrations_agree(empty: Engine) -> None:
    migrate.upgrade(empty)
    with empty.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_a_model_the_migrations_lack_is_noticed(empty: Engine) -> None:
    """The comparison is not vacuous: a schema without one index differs from the models."""
    migrate.upgrade(empty)
    with empty.begin() as conn:
        conn.execute(text("DROP INDEX ix_cases_queue"))
    with empty.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d[0] for d in diffs] == ["add_index"]
    assert diffs[0][1].name == "ix_cases_queue"


def test_downgrade_to_base_and_upgrade_again(empty: Engine) -> None:
    migrate.upgrade(empty)
    downgrade(empty)
    assert migrate.current(empty) is None
    assert tables(empty) == set()
    assert triggers(empty) == set()
    if empty.dialect.name == "postgresql":
        assert not append_only_function(empty)
    migrate.upgrade(empty)
    assert migrate.current(empty) == migrate.head()
    assert tables(empty) == TABLES
    assert triggers(empty) == expected_triggers(empty)
    assert head_rows(empty) == [(1, 0, GENESIS)]
    if empty.dialect.name == "postgresql":
        assert append_only_function(empty)


def test_readyz_is_503_until_the_schema_is_current(empty: Engine) -> None:
    with TestClient(create_app(Settings(env="test"), empty)) as client:
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.headers["content-type"] == "application/problem+json"
        problem = r.json()
        assert problem["status"] == 503
        assert problem["title"] == "Not ready"
        assert "koshi db upgrade" in problem["detail"]
        assert f"expected {migrate.head()}" in problem["detail"]
        assert client.get("/healthz").status_code == 200  # alive, just not ready

        migrate.upgrade(empty)
        r = client.get("/readyz")
        assert r.status_code == 200
        assert r.json() == {"status": "ready", "database": empty.dialect.name, "schema": migrate.head()}
