"""The throwaway PostgreSQL server the storage tests run against (tests/pgserver.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, NullPool, create_engine, text

from tests.pgserver import PgServer, PgServerError, pg_bin_dir

# ``pg_server`` (session-scoped PgServer) comes from conftest.py: pytest.fixture(scope="session")(postgres_server).


@pytest.fixture
def fresh_engine(pg_server: PgServer) -> Iterator[Engine]:
    """An engine on a fresh database of the shared server."""
    eng = create_engine(pg_server.create_database())
    yield eng
    eng.dispose()


def test_table_roundtrip(fresh_engine: Engine) -> None:
    with fresh_engine.begin() as conn:
        conn.execute(text("CREATE TABLE applicant (id serial PRIMARY KEY, name text NOT NULL, score numeric)"))
        conn.execute(
            text("INSERT INTO applicant (name, score) VALUES (:name, :score)"),
            [{"name": "Айгерим", "score": 81.5}, {"name": "Jean", "score": 67}],
        )
    with fresh_engine.connect() as conn:
        rows = conn.execute(text("SELECT name, score FROM applicant ORDER BY id")).all()
    assert [(name, float(score)) for name, score in rows] == [("Айгерим", 81.5), ("Jean", 67.0)]


def test_default_database_and_settings(pg_server: PgServer) -> None:
    eng = create_engine(pg_server.url, poolclass=NullPool)
    with eng.connect() as conn:
        assert conn.execute(text("SELECT current_database(), current_user")).one() == ("koshi", "koshi")
        settings: dict[str, str] = dict(
            conn.execute(
                text(
                    "SELECT name, setting FROM pg_settings WHERE name IN "
                    "('fsync', 'synchronous_commit', 'max_connections', 'listen_addresses', 'server_encoding')"
                )
            ).all()
        )
    assert settings == {
        "fsync": "on",
        "synchronous_commit": "on",
        "max_connections": "200",
        "listen_addresses": "127.0.0.1",
        "server_encoding": "UTF8",
    }
    assert pg_server.admin_url.endswith("/postgres")


def test_databases_are_isolated(pg_server: PgServer) -> None:
    first, second = (create_engine(pg_server.create_database(), poolclass=NullPool) for _ in range(2))
    for eng, value in ((first, "one"), (second, "two")):
        with eng.begin() as conn:
            conn.execute(text("CREATE TABLE t (v text)"))
            conn.execute(text("INSERT INTO t VALUES (:v)"), {"v": value})
    for eng, value in ((first, "one"), (second, "two")):
        with eng.connect() as conn:
            assert conn.execute(text("SELECT v FROM t")).scalars().all() == [value]


def test_create_and_drop_named_database(pg_server: PgServer) -> None:
    url = pg_server.create_database("Named-DB")
    assert url == pg_server.database_url("Named-DB")
    with psycopg.connect(pg_server.dsn("Named-DB")) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("Named-DB",)
    with pytest.raises(psycopg.errors.DuplicateDatabase):
        pg_server.create_database("Named-DB")
    pg_server.drop_database("Named-DB")
    pg_server.create_database("Named-DB")  # gone, so the name is free again
    pg_server.drop_database("Named-DB")


def test_committed_rows_survive_a_crash_restart_and_stop_cleans_up() -> None:
    with PgServer() as server:  # its own server: restarting the shared one would break other tests' pools
        eng = create_engine(server.url, poolclass=NullPool)
        with eng.begin() as conn:
            conn.execute(text("CREATE TABLE ledger (v int)"))
            conn.execute(text("INSERT INTO ledger VALUES (1)"))
        pending = psycopg.connect(server.dsn())
        pending.execute("INSERT INTO ledger VALUES (2)")  # never committed
        port, root = server.port, server.root
        server.restart()  # pg_ctl -m immediate: a crash, then WAL recovery
        pending.close()
        with eng.connect() as conn:
            assert conn.execute(text("SELECT v FROM ledger")).scalars().all() == [1]
        assert server.port == port
    assert root is not None
    assert not root.exists()
    assert server.root is None
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    server.stop()  # idempotent


def test_pg_bin_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert (pg_bin_dir() / "pg_ctl").is_file()
    monkeypatch.setenv("KOSHI_PG_BIN_DIR", str(tmp_path))
    with pytest.raises(PgServerError, match="postgresql package"):
        pg_bin_dir()
