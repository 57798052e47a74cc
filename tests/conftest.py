import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from koshi.rules.engine import get_pack
from koshi.rules.pack import PolicyPack
from koshi.store import migrate
from koshi.store.db import make_engine
from tests.pgserver import PgServer, postgres_server
from tests.service import Api, make_api


@pytest.fixture(scope="session")
def pr() -> PolicyPack:
    return get_pack("kz.permanent_residence")


@pytest.fixture(scope="session")
def kandas() -> PolicyPack:
    return get_pack("kz.kandas_status")


@pytest.fixture(scope="session")
def crs() -> PolicyPack:
    return get_pack("ca.crs")


# --- service: databases, the app, users ------------------------------------------------------------

os.environ.setdefault("KOSHI_ENV", "test")  # cheap Argon2 parameters; never in production

pg_server = pytest.fixture(scope="session")(postgres_server)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: an SQLite file, then a database on the throwaway PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/koshi.db"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.create_database()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """The migrated database behind ``db_url``."""
    eng = make_engine(db_url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def api(engine: Engine) -> Iterator[Api]:
    """The HTTP API on a migrated database (SQLite and PostgreSQL)."""
    service = make_api(engine)
    with service.client:
        yield service
