"""Service commands on SQLite and PostgreSQL: db upgrade, users create, cases verify, audit verify, demo seed."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from koshi.accounts.roles import ROLES
from koshi.cases.audit import GENESIS
from koshi.cases.states import Action
from koshi.cli import app
from koshi.settings import settings
from koshi.store import cases as service
from koshi.store import migrate
from koshi.store.db import make_engine, make_sessionmaker, transaction
from koshi.store.models import AuditHead, AuditRecord, Case, User
from koshi.store.users import authenticate, create_user
from tests.factories import pr_profile

runner = CliRunner()
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery"


@pytest.fixture
def koshi(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI pointed at ``db_url`` (settings are cached: cleared before and after)."""
    monkeypatch.setenv("KOSHI_DATABASE_URL", db_url)
    monkeypatch.setenv("KOSHI_ENV", "test")
    settings.cache_clear()
    yield
    settings.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def file_cases(engine: Engine, n: int) -> list[str]:
    """``n`` submitted (scored) applications of one applicant, through the case service; their ids."""
    sessions = make_sessionmaker(engine)
    ids = []
    with transaction(sessions) as session:
        user = create_user(session, username="applicant-1", password=PASSWORD, role="applicant", now=NOW)
        applicant = service.Actor(user.id, "applicant")
    for i in range(n):
        profile = pr_profile(experience_years=2 + i)
        profile.pop("id")
        with transaction(sessions) as session:
            case = service.create(
                session, applicant, pack="kz.permanent_residence", profile=profile, applicant_iin=None, now=NOW
            )
            service.submit(session, applicant, case.id, now=NOW + dt.timedelta(minutes=i))
            ids.append(case.id)
    return ids


def audit_seqs(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(AuditRecord.seq).order_by(AuditRecord.seq)).scalars())


# --- koshi db upgrade ------------------------------------------------------------------------------------


def test_db_upgrade_creates_the_schema_and_is_idempotent(
    koshi: None, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db_url.startswith("postgresql"):  # the test server trusts local users: any password connects
        db_url = db_url.replace("://koshi@", "://koshi:s3cret-pw@")
        monkeypatch.setenv("KOSHI_DATABASE_URL", db_url)
        settings.cache_clear()
    engine = make_engine(db_url)
    try:
        assert migrate.current(engine) is None
        for _ in range(2):
            code, out, err = run("db", "upgrade")
            assert code == 0, err
            assert f"at revision {migrate.head()}" in out
            assert "s3cret-pw" not in out  # the password is never printed
            assert ("koshi:***@" in out) is ("s3cret-pw" in db_url)
            assert migrate.current(engine) == migrate.head()
            with engine.connect() as conn:
                assert conn.execute(select(AuditHead.id, AuditHead.seq, AuditHead.hash)).all() == [(1, 0, GENESIS)]
                assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    finally:
        engine.dispose()


# --- koshi users create ----------------------------------------------------------------------------------


def users(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(User.username, User.role).order_by(User.id))]


def test_users_create_and_its_refusals(koshi: None, engine: Engine) -> None:
    code, out, err = run("users", "create", "alice", "--role", "officer", "--password", PASSWORD, "--name", "Alice A")
    assert code == 0, err
    assert re.search(r"created user alice \(id \d+, role officer\)", out)
    assert users(engine) == [("alice", "officer")]
    with make_sessionmaker(engine)() as session:
        user = authenticate(session, "alice", PASSWORD)
        assert user is not None and user.full_name == "Alice A"
        assert authenticate(session, "alice", PASSWORD + "x") is None

    for args, field in [
        (("alice", "--role", "supervisor", "--password", PASSWORD), "username"),  # duplicate
        (("bob", "--role", "wizard", "--password", PASSWORD), "role"),
        (("bob", "--role", "officer", "--password", "short"), "password"),
        (("Bob!", "--role", "officer", "--password", PASSWORD), "username"),
    ]:
        code, out, err = run("users", "create", *args)
        assert code == 2, (args, out)
        assert f"error: {field}:" in err, (args, err)
        assert "created" not in out
    assert users(engine) == [("alice", "officer")]


# --- koshi cases verify ----------------------------------------------------------------------------------


def test_cases_verify_reproduces_stored_results(koshi: None, engine: Engine) -> None:
    ids = file_cases(engine, 3)
    code, out, err = run("cases", "verify")
    assert code == 0, out + err
    assert "3 cases re-scored, 0 differ" in out
    code, out, _ = run("cases", "verify", "--json")
    assert code == 0
    assert json.loads(out) == {"checked": 3, "mismatches": []}
    with engine.connect() as conn:
        assert set(conn.execute(select(Case.id).where(Case.status == "scored")).scalars()) == set(ids)


def test_cases_verify_names_a_tampered_case(koshi: None, engine: Engine) -> None:
    ids = file_cases(engine, 3)
    victim = ids[1]
    with engine.begin() as conn:
        stored = conn.execute(select(Case.explanation).where(Case.id == victim)).scalar_one()
        forged = {**stored, "total": stored["total"] + 100}
        conn.execute(update(Case).where(Case.id == victim).values(explanation=forged))

    code, out, err = run("cases", "verify")
    assert code == 1, out + err
    assert f"case {victim}" in out
    assert "differs in: total" in out
    assert "3 cases re-scored, 1 differ" in out
    assert ids[0] not in out and ids[2] not in out

    code, out, _ = run("cases", "verify", "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["checked"] == 3
    assert doc["mismatches"] == [{"case": victim, "detail": "differs in: total"}]


def test_cases_verify_names_a_case_whose_total_column_was_changed(koshi: None, engine: Engine) -> None:
    victim = file_cases(engine, 2)[0]
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE cases SET total = total + 100, recommendation = 'eligible' WHERE id = :id"), {"id": victim}
        )
    code, out, _ = run("cases", "verify", "--json")
    assert code == 1
    assert [m["case"] for m in json.loads(out)["mismatches"]] == [victim]


def test_cases_verify_on_an_empty_database(koshi: None, engine: Engine) -> None:
    code, out, _ = run("cases", "verify", "--json")
    assert (code, json.loads(out)) == (0, {"checked": 0, "mismatches": []})


# --- koshi audit verify ----------------------------------------------------------------------------------


def drop_append_only_triggers(engine: Engine) -> None:
    """What a privileged attacker (or a careless DBA) would do first."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))


def test_audit_log_is_append_only_in_the_database(koshi: None, engine: Engine) -> None:
    file_cases(engine, 1)
    seqs = audit_seqs(engine)
    assert seqs == [1, 2]  # create, submit
    for statement in ("UPDATE audit_log SET detail = 'forged' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 2"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(select(AuditRecord.detail).where(AuditRecord.seq == 1)).scalar_one() is None
    assert audit_seqs(engine) == seqs
    code, out, _ = run("audit", "verify")
    assert code == 0
    assert "audit chain intact: 2 records" in out


def swap_seqs(engine: Engine, a: int, b: int) -> None:
    with engine.begin() as conn:
        for old, new in ((a, -1), (b, a), (-1, b)):
            conn.execute(text("UPDATE audit_log SET seq = :new WHERE seq = :old"), {"old": old, "new": new})


@pytest.mark.parametrize(
    ("tamper", "bad", "reason"),
    [
        ("edit", 3, "record 3 was edited"),
        ("delete", 3, "record 3 is missing (deleted)"),
        ("reorder", 2, "record 2 does not follow record 1"),
        ("truncate", 6, "records deleted from the end"),
    ],
)
def test_audit_verify_names_the_first_bad_record(
    koshi: None, engine: Engine, tamper: str, bad: int, reason: str
) -> None:
    file_cases(engine, 3)
    assert audit_seqs(engine) == [1, 2, 3, 4, 5, 6]
    code, out, err = run("audit", "verify")
    assert code == 0, out + err
    assert "audit chain intact: 6 records" in out

    drop_append_only_triggers(engine)
    with engine.begin() as conn:
        if tamper == "edit":
            conn.execute(text("UPDATE audit_log SET actor_role = 'supervisor' WHERE seq = 3"))
        elif tamper == "delete":
            conn.execute(text("DELETE FROM audit_log WHERE seq = 3"))
        elif tamper == "truncate":
            conn.execute(text("DELETE FROM audit_log WHERE seq = 6"))
    if tamper == "reorder":
        swap_seqs(engine, 2, 4)

    code, out, err = run("audit", "verify")
    assert code == 1, out + err
    assert f"audit chain broken at record {bad}:" in out
    assert reason in out
    code, out, _ = run("audit", "verify", "--json")
    assert code == 1
    doc = json.loads(out)
    assert (doc["ok"], doc["first_bad"]) == (False, bad)
    assert reason in doc["reason"]
    assert doc["checked"] == bad - 1


def test_audit_verify_json_on_an_intact_chain(koshi: None, engine: Engine) -> None:
    file_cases(engine, 2)
    code, out, _ = run("audit", "verify", "--json")
    assert code == 0
    assert json.loads(out) == {"ok": True, "checked": 4, "first_bad": None, "reason": None}


# --- koshi demo seed -------------------------------------------------------------------------------------


def test_demo_seed_files_cases_once(koshi: None, db_url: str) -> None:
    code, out, err = run("demo", "seed", "--cases", "30", "--history-cases", "12")
    assert code == 0, out + err
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            demo = dict(conn.execute(select(User.username, User.role).where(User.username.like("demo-%"))).all())
            statuses = dict(conn.execute(select(Case.status, func.count()).group_by(Case.status)).all())
            audited = conn.execute(select(func.count()).select_from(AuditRecord)).scalar_one()
        assert demo == {f"demo-{role}": role for role in ROLES}
        assert sum(statuses.values()) == 30 + 12  # the demo's cases and a year of decided ones
        assert {"draft", "scored", "in_review"} <= set(statuses)
        assert {"approved", "refused", "refusal_proposed"} & set(statuses)
        assert len(statuses) >= 4
        assert audited > 30
        for role in ROLES:
            assert f"demo-{role}" in out
        with make_sessionmaker(engine)() as session:
            assert authenticate(session, "demo-officer", "koshi-demo-officer") is not None

        code, out, err = run("demo", "seed", "--cases", "30", "--history-cases", "12")
        assert code == 0, out + err
        assert "cases already present 42" in out
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Case)).scalar_one() == 42
            assert conn.execute(
                select(func.count()).select_from(User).where(User.username.like("demo-%"))
            ).scalar_one() == len(ROLES)
            assert conn.execute(select(func.count()).select_from(AuditRecord)).scalar_one() == audited

        code, out, _ = run("cases", "verify", "--json")
        assert code == 0
        assert json.loads(out)["checked"] == sum(n for s, n in statuses.items() if s != "draft")
        assert run("audit", "verify")[0] == 0
    finally:
        engine.dispose()


def test_demo_seed_refuses_in_production(koshi: None, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOSHI_ENV", "production")
    settings.cache_clear()
    code, out, err = run("demo", "seed", "--cases", "5", "--history-cases", "3")
    assert code == 2
    assert "never created when KOSHI_ENV=production" in err
    assert "demo-" not in out
    engine = make_engine(db_url)
    try:
        assert migrate.current(engine) is None  # not even migrated: nothing was written
    finally:
        engine.dispose()


# --- a workflow guard the service must feed ----------------------------------------------------------


def test_who_refused_by_override_cannot_decide_the_appeal(engine: Engine) -> None:
    case_id = file_cases(engine, 1)[0]
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        supervisor = service.Actor(
            create_user(session, username="sup-1", password=PASSWORD, role="supervisor", now=NOW).id, "supervisor"
        )
        applicant_id = session.get(Case, case_id).applicant_id
    applicant = service.Actor(applicant_id, "applicant")
    steps = [
        (supervisor, Action.override, "refused on the supervisor's own judgement", "refused"),
        (applicant, Action.appeal, "I disagree with this refusal", None),
    ]
    for actor, action, reason, outcome in steps:
        with transaction(sessions) as session:
            service.transition(session, actor, case_id, action=action, reason=reason, outcome=outcome, now=NOW)
    with pytest.raises(service.CaseError) as exc, transaction(sessions) as session:
        service.transition(
            session,
            supervisor,
            case_id,
            action=Action.decide_appeal,
            reason="I uphold my refusal",
            outcome="upheld",
            now=NOW,
        )
    assert exc.value.status == 403
