"""Service commands: ``koshi db``, ``koshi users``, ``koshi cases``, ``koshi audit``, ``koshi serve``, ``koshi demo``.

They work on the database of ``KOSHI_DATABASE_URL`` (default ``sqlite:///var/koshi.db``).
Exit codes as everywhere: 0 ok, 1 a check failed, 2 bad input.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine, func, select

from koshi.cli_io import err, fail, out
from koshi.settings import settings
from koshi.store import migrate
from koshi.store.db import make_engine, make_sessionmaker, transaction

db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
cases_app = typer.Typer(help="Applications: reproduce stored results.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data: accounts per role and sample cases (never in production).")


JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _engine(*, read_only: bool = False) -> Engine:
    return make_engine(settings().database_url, read_only=read_only)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the newest revision."""
    engine = _engine()
    migrate.upgrade(engine)
    out.print(f"database {engine.url.render_as_string(hide_password=True)} at revision {migrate.current(engine)}")


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument(help="Login name: lowercase letters, digits, . _ -")],
    role: Annotated[str, typer.Option("--role", help="applicant, officer, supervisor, analyst, …")],
    full_name: Annotated[str, typer.Option("--name", help="Full name")] = "",
    password: Annotated[
        str | None, typer.Option("--password", help="Password (prompted when omitted; at least 10 characters)")
    ] = None,
) -> None:
    """Create a user account."""
    from koshi.store.users import UserError, create_user

    secret = password or typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction(make_sessionmaker(_engine())) as session:
            user = create_user(session, username=username, password=secret, role=role, full_name=full_name, now=_now())
            uid = user.id
    except UserError as exc:
        fail(f"{exc.field}: {exc}")
    out.print(f"created user {username} (id {uid}, role {role})")


@cases_app.command("verify")
def cases_verify(as_json: JsonOpt = False) -> None:
    """Re-score every stored case from its inputs and date; exit 1 if any result differs."""
    from koshi.store.cases import verify
    from koshi.store.models import Case

    sessions = make_sessionmaker(_engine(read_only=True))
    bad: list[dict[str, str]] = []
    checked = 0
    with sessions() as session:
        total = session.execute(select(func.count()).where(Case.explanation.is_not(None))).scalar_one()
        with Progress(console=err, transient=True, disable=as_json) as progress:
            task = progress.add_task("re-scoring cases", total=total)
            for r in verify(session):
                checked += 1
                if not r.ok:
                    bad.append({"case": r.case_id, "detail": r.detail})
                progress.advance(task)
    if as_json:
        sys.stdout.write(json.dumps({"checked": checked, "mismatches": bad}) + "\n")
    else:
        for b in bad:
            out.print(f"[red]case {b['case']}[/]: {b['detail']}")
        out.print(f"{checked:,} cases re-scored, {len(bad):,} differ")
    if bad:
        raise typer.Exit(1)


@audit_app.command("verify")
def audit_verify(as_json: JsonOpt = False) -> None:
    """Check the whole audit chain; name the first edited, deleted or reordered record (exit 1)."""
    from koshi.store.audit import verify

    with make_sessionmaker(_engine(read_only=True))() as session:
        report = verify(session)
    if as_json:
        doc = {"ok": report.ok, "checked": report.checked, "first_bad": report.first_bad_seq, "reason": report.reason}
        sys.stdout.write(json.dumps(doc) + "\n")
    elif report.ok:
        out.print(f"audit chain intact: {report.checked:,} records")
    else:
        out.print(f"[bold red]audit chain broken[/] at record {report.first_bad_seq}: {report.reason}")
    if not report.ok:
        raise typer.Exit(1)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Run the HTTP API (OpenAPI at /docs) on the configured database."""
    import uvicorn

    engine = _engine()
    if migrate.current(engine) != migrate.head():
        fail("the database schema is not current: run `koshi db upgrade` first")
    engine.dispose()
    uvicorn.run("koshi.api.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


@demo_app.command("seed")
def demo_seed(
    cases: Annotated[int, typer.Option("--cases", help="Synthetic applications to file")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Random seed")] = 42,
    history_cases: Annotated[
        int, typer.Option("--history-cases", help="Applications filed and decided over the year, for the dashboard")
    ] = 360,
) -> None:
    """Create one documented demo account per role, applications at every stage, a year of decisions (idempotent)."""
    from koshi.accounts.roles import ROLES
    from koshi.demo import DEMO_PASSWORD, seed_demo
    from koshi.store.monitoring import seed_monitoring

    if settings().env == "production":
        fail("demo accounts are never created when KOSHI_ENV=production")
    engine = _engine()
    migrate.upgrade(engine)
    now = _now()
    sessions = make_sessionmaker(engine)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("filing demo applications", total=cases)
        summary = seed_demo(sessions, cases=cases, seed=seed, now=now, progress=progress, task=task)
        history = progress.add_task(f"a year of decisions ({now.year}) and monitoring data", total=history_cases)
        summary |= seed_monitoring(
            sessions,
            seed=seed,
            year=now.year,
            now=now,
            cases=history_cases,
            progress=lambda n: progress.update(history, completed=n),
        )
    t = Table(title="demo accounts (development only)")
    t.add_column("username")
    t.add_column("role")
    t.add_column("password")
    for role in ROLES:
        t.add_row(f"demo-{role}", role, DEMO_PASSWORD.format(role=role))
    out.print(t)
    out.print(", ".join(f"{k} {v:,}" for k, v in summary.items()))
