"""SIGKILL the API server in the middle of a stream of submissions: nothing acknowledged is lost, nothing doubles.

A real ``koshi serve`` process on the throwaway PostgreSQL server (and on SQLite),
four clients submitting with Idempotency-Keys, ``kill -9`` after some answers,
a restart, and every key retried.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from koshi.store import migrate
from koshi.store.audit import verify
from koshi.store.db import make_engine, make_sessionmaker, transaction
from koshi.store.models import Case, IdempotencyKey
from koshi.store.users import create_user
from tests.factories import pr_profile
from tests.pgserver import PgServer

PASSWORD = "durable password"
KILL_AFTER = 40  # acknowledged submissions before the kill


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """``python -m koshi serve`` as a child process."""

    def __init__(self, url: str, log: Path) -> None:
        self.port = _port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "KOSHI_DATABASE_URL": url, "KOSHI_ENV": "test"}
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "koshi", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert self.proc.poll() is None, self.log.read_text()[-2000:]
            time.sleep(0.2)
        raise AssertionError("server did not become ready:\n" + self.log.read_text()[-2000:])

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgresql":
        server: PgServer = request.getfixturevalue("pg_server")
        yield server.create_database()
    else:
        yield f"sqlite:///{tmp_path}/durable.db"


def _token(base: str) -> dict[str, str]:
    r = httpx.post(f"{base}/token", data={"username": "durable", "password": PASSWORD}, timeout=10)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _body(i: int) -> dict[str, Any]:
    profile = pr_profile(family_size=1 + i % 7)
    profile.pop("id")
    return {"pack": "kz.permanent_residence", "profile": profile, "submit": True}


def test_sigkill_mid_stream_loses_nothing_acknowledged(database: str, tmp_path: Path) -> None:
    engine = make_engine(database)
    migrate.upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        create_user(session, username="durable", password=PASSWORD, role="applicant", now=dt.datetime.now(dt.UTC))
    server = Server(database, tmp_path / "server.log")
    server.start()
    auth = _token(server.base)
    sent: dict[str, int] = {}
    acked: dict[str, str] = {}
    lock = threading.Lock()
    stop = threading.Event()
    counter = iter(range(10_000))

    def client() -> None:
        with httpx.Client(base_url=server.base, timeout=10) as http:
            while not stop.is_set():
                with lock:
                    i = next(counter)
                    key = f"stream-{i:05d}"
                    sent[key] = i
                try:
                    r = http.post("/cases", json=_body(i), headers={"Idempotency-Key": key, **auth})
                except httpx.HTTPError:
                    return  # the server is gone
                assert r.status_code == 201, r.text
                with lock:
                    acked[key] = r.json()["id"]
                    if len(acked) >= KILL_AFTER and not stop.is_set():
                        stop.set()
                        server.kill()

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert len(acked) >= KILL_AFTER
        assert len(sent) > len(acked)  # some submissions were in flight when the server died
        server.start()  # restart on the same database
        auth = _token(server.base)
        with httpx.Client(base_url=server.base, timeout=10) as http:
            for key, i in sorted(sent.items()):
                r = http.post("/cases", json=_body(i), headers={"Idempotency-Key": key, **auth})
                assert r.status_code == 201, r.text
                if key in acked:
                    assert r.json()["id"] == acked[key]  # same case, replayed
                    assert r.headers.get("Idempotent-Replayed") == "true"
    finally:
        server.stop()
    with make_sessionmaker(engine)() as session:
        ids = set(session.execute(select(Case.id)).scalars())
        n_cases = session.execute(select(func.count()).select_from(Case)).scalar_one()
        n_keys = session.execute(select(func.count()).select_from(IdempotencyKey)).scalar_one()
        chain = verify(session)
    engine.dispose()
    assert set(acked.values()) <= ids  # every acknowledged submission survived the kill
    assert n_cases == n_keys == len(sent)  # one case per key: no duplicate after the retries
    assert chain.ok, chain.reason
