"""Load on the case API over loopback, on a throwaway PostgreSQL server: case reads and submissions.

Run with ``make bench-api`` (or ``.venv/bin/python benchmarks/bench_api.py``).  It starts PostgreSQL
(``tests/pgserver.py``), migrates, files ``--seed-cases`` submitted cases through the service layer,
starts ``koshi serve --workers W``, then drives it with asyncio + httpx clients for ``--seconds``
per phase:

* **read**: officers GET ``/cases/{id}`` of random cases (each read is audited: one write per read);
* **submit**: applicants POST ``/cases`` with ``submit: true`` and a fresh ``Idempotency-Key``
  (validation, OpenFisca scoring, the case, its events, the audit record, the key: one transaction).

The load generator, the server and PostgreSQL share the machine; figures are for all three on it.
Results go to ``benchmarks/out/api.json``; docs/benchmarks.md records them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.factories import pr_profile
from tests.pgserver import PgServer

from koshi.store import cases, migrate
from koshi.store.db import make_engine, make_sessionmaker, transaction
from koshi.store.users import create_user

OUT = Path(__file__).parent / "out"
PASSWORD = "benchmark password"


def _profile(i: int) -> dict[str, Any]:
    p = pr_profile(family_size=1 + i % 6, experience_years=i % 30, kazakh_level=("a1", "a2", "b1")[i % 3])
    p.pop("id")
    return p


def _seed(url: str, n_cases: int, n_users: int) -> list[str]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    now = dt.datetime.now(dt.UTC)
    ids: list[str] = []
    with transaction(sessions) as s:
        for role in ("officer", "supervisor"):
            create_user(s, username=f"bench-{role}", password=PASSWORD, role=role, now=now)
        applicants = [
            create_user(s, username=f"bench-applicant-{i}", password=PASSWORD, role="applicant", now=now).id
            for i in range(n_users)
        ]
    for i in range(n_cases):
        with transaction(sessions) as s:
            actor = cases.Actor(applicants[i % n_users], "applicant")
            case = cases.create(
                s, actor, pack="kz.permanent_residence", profile=_profile(i), applicant_iin=None, now=now
            )
            ids.append(cases.submit(s, actor, case.id, now=now).id)
    engine.dispose()
    return ids


async def _token(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await http.post("/token", data={"username": username, "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def _phase(base: str, kind: str, clients: int, seconds: float, ids: list[str]) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        officer = await _token(http, "bench-officer")
        applicants = [await _token(http, f"bench-applicant-{i}") for i in range(clients)]
        deadline = time.perf_counter() + seconds
        rng = random.Random(7)

        async def worker(w: int) -> None:
            n = 0
            while time.perf_counter() < deadline:
                n += 1
                t0 = time.perf_counter()
                if kind == "read":
                    r = await http.get(f"/cases/{rng.choice(ids)}", headers=officer)
                    ok = r.status_code == 200
                else:
                    key = {"Idempotency-Key": f"bench-{w}-{n}-{time.time_ns()}", **applicants[w]}
                    body = {"pack": "kz.permanent_residence", "profile": _profile(n), "submit": True}
                    r = await http.post("/cases", json=body, headers=key)
                    ok = r.status_code == 201
                latencies.append(time.perf_counter() - t0)
                if not ok:
                    errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(clients)))
        elapsed = time.perf_counter() - t0
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {
        "phase": kind,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed-cases", type=int, default=1000)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with PgServer() as pg:
        url = pg.create_database("bench")
        t0 = time.perf_counter()
        ids = _seed(url, args.seed_cases, args.clients)
        seeding = time.perf_counter() - t0
        port = 8765
        env = {**os.environ, "KOSHI_DATABASE_URL": url, "KOSHI_ENV": "development"}
        log = (OUT / "api-server.log").open("wb")
        cmd = [sys.executable, "-m", "koshi", "serve", "--port", str(port), "--workers", str(args.workers)]
        server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            phases = [
                asyncio.run(_phase(base, "read", args.clients, args.seconds, ids)),
                asyncio.run(_phase(base, "submit", args.clients, args.seconds, ids)),
            ]
        finally:
            server.terminate()
            server.wait(30)
    figures = {
        "database": "postgresql (throwaway, fsync on)",
        "server": f"koshi serve --workers {args.workers} (uvicorn)",
        "seeded_cases": args.seed_cases,
        "seeding_seconds": round(seeding, 1),
        "phases": phases,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": dt.date.today().isoformat(),
    }
    (OUT / "api.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
