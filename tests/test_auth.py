"""Accounts, passwords, tokens and the auth dependencies, from pure functions up to HTTP."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from argon2 import PasswordHasher, profiles
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from koshi.accounts import security
from koshi.accounts.roles import DESCRIPTIONS, ROLES, STAFF_CASE_ROLES
from koshi.accounts.security import InvalidToken, create_token, decode_token
from koshi.api import auth, problems
from koshi.api.auth import Principal
from koshi.settings import Settings
from koshi.store import users
from koshi.store.db import make_engine, make_sessionmaker, transaction
from koshi.store.models import Base
from koshi.store.users import UserError, authenticate, create_user, get_by_username

KEY = "k" * 32
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery"
PROBLEM = "application/problem+json"
_names = itertools.count(1)


def _name(prefix: str = "user") -> str:
    return f"{prefix}-{next(_names)}"


# --- roles ---------------------------------------------------------------------------------------


def test_roles_are_the_ten_of_the_issues_each_described() -> None:
    assert ROLES == (
        "applicant",
        "officer",
        "supervisor",
        "analyst",
        "police",
        "employer",
        "agency",
        "akimat",
        "inspector",
        "admin",
    )
    assert set(DESCRIPTIONS) == set(ROLES) and all(DESCRIPTIONS.values())
    assert set(STAFF_CASE_ROLES) <= set(ROLES)


# --- passwords -----------------------------------------------------------------------------------


def test_hash_round_trip_and_wrong_password() -> None:
    h = security.hash_password(PASSWORD)
    assert h.startswith("$argon2id$")
    assert security.verify_password(h, PASSWORD)
    assert not security.verify_password(h, PASSWORD + "!")
    assert h != security.hash_password(PASSWORD)  # fresh salt each time


def test_verify_never_raises_on_garbage_hash() -> None:
    assert not security.verify_password("not a hash", PASSWORD)
    assert not security.verify_password("$argon2id$v=19$m=8,t=1,p=1$broken", PASSWORD)
    assert not security.verify_password(security.hash_password(PASSWORD), "\udcff")  # unencodable


def test_production_uses_library_defaults_tests_the_cheapest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOSHI_ENV", "test")
    cheap = security.hash_password(PASSWORD)
    assert security.hasher().memory_cost == profiles.CHEAPEST.memory_cost
    monkeypatch.setenv("KOSHI_ENV", "production")
    defaults = profiles.get_default_parameters()
    assert security.hasher().memory_cost == PasswordHasher().memory_cost == defaults.memory_cost
    assert security.needs_rehash(cheap)
    assert security.verify_password(cheap, PASSWORD)  # parameters travel with the hash


# --- tokens --------------------------------------------------------------------------------------


def _token(**changes: Any) -> str:
    args: dict[str, Any] = {"user_id": 7, "username": "aigerim", "role": "officer", "now": NOW, "minutes": 15}
    return create_token(**(args | {"key": KEY} | changes))


def test_token_round_trip() -> None:
    claims = decode_token(_token(), key=KEY, now=NOW + dt.timedelta(minutes=14, seconds=59))
    assert claims == security.Claims(7, "aigerim", "officer", NOW + dt.timedelta(minutes=15))
    assert _token() != _token()  # random jti


def test_expired_token_is_refused_without_leeway() -> None:
    token = _token()
    with pytest.raises(InvalidToken, match="expired"):
        decode_token(token, key=KEY, now=NOW + dt.timedelta(minutes=15))
    with pytest.raises(InvalidToken, match="expired"):
        decode_token(_token(now=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)), key=KEY)  # no ``now``: the wall clock


def test_token_from_the_future_is_refused() -> None:
    with pytest.raises(InvalidToken, match="not yet valid"):
        decode_token(_token(), key=KEY, now=NOW - dt.timedelta(seconds=1))


def test_tampered_token_is_refused() -> None:
    header, payload, signature = _token().split(".")
    claims = jwt.decode(_token(), options={"verify_signature": False})
    forged = jwt.utils.base64url_encode(json.dumps(claims | {"role": "admin"}).encode()).decode()
    with pytest.raises(InvalidToken, match="InvalidSignatureError"):
        decode_token(f"{header}.{forged}.{signature}", key=KEY, now=NOW)
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    with pytest.raises(InvalidToken, match="InvalidSignatureError"):
        decode_token(f"{header}.{payload}.{flipped}", key=KEY, now=NOW)


def test_wrong_key_is_refused() -> None:
    with pytest.raises(InvalidToken, match="InvalidSignatureError"):
        decode_token(_token(), key="x" * 32, now=NOW)


def _raw(key: str = KEY, algorithm: str = "HS256", **changes: Any) -> str:
    iat = int(NOW.timestamp())
    claims = {"iss": "koshi", "sub": "7", "name": "a", "role": "officer", "iat": iat, "nbf": iat, "exp": iat + 60}
    claims["jti"] = "x"
    claims |= changes
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm=algorithm)


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (_raw(iss="elsewhere"), "InvalidIssuerError"),
        (_raw(role="king"), "unknown role"),
        (_raw(sub="root"), "not a user id"),
        (_raw(exp=None), "MissingRequiredClaimError"),
        (_raw(jti=None), "MissingRequiredClaimError"),
        (_raw(exp="soon"), "not an integer"),
        (_raw(algorithm="HS512", key="k" * 64), "InvalidAlgorithmError"),
        (jwt.encode({"sub": "7", "role": "admin"}, None, algorithm="none"), "InvalidAlgorithmError"),
        ("", "DecodeError"),
        ("a.b.c", "DecodeError"),
    ],
)
def test_foreign_or_malformed_tokens_are_refused(token: str, reason: str) -> None:
    with pytest.raises(InvalidToken, match=reason):
        decode_token(token, key=KEY, now=NOW)


@given(st.text())
def test_any_string_decodes_to_invalid_token(garbage: str) -> None:
    with pytest.raises(InvalidToken):
        decode_token(garbage, key=KEY, now=NOW)


def test_create_token_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="role"):
        _token(role="king")
    with pytest.raises(ValueError, match="minute"):
        _token(minutes=0)
    with pytest.raises(ValueError, match="timezone"):
        _token(now=NOW.replace(tzinfo=None))
    with pytest.raises(jwt.InvalidKeyError):
        _token(key="short")


# --- accounts ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    path: Path = tmp_path_factory.mktemp("auth") / "koshi.db"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def _create(sessions: sessionmaker[Session], role: str = "applicant", **changes: Any) -> str:
    args: dict[str, Any] = {"username": _name(role.lower()), "password": PASSWORD, "role": role, "now": NOW} | changes
    with transaction(sessions) as session:
        create_user(session, **args)
    return str(args["username"])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": "ab"}, "username"),
        ({"username": "Aigerim"}, "username"),
        ({"username": "-dash-first"}, "username"),
        ({"username": "a" * 65}, "username"),
        ({"username": "has space"}, "username"),
        ({"password": "123456789"}, "password"),
        ({"password": "x" * 1025}, "password"),
        ({"role": "king"}, "role"),
        ({"role": "Officer"}, "role"),
        ({"full_name": "x" * 201}, "full_name"),
    ],
)
def test_create_user_names_the_bad_field(sessions: sessionmaker[Session], changes: dict[str, Any], field: str) -> None:
    with pytest.raises(UserError) as caught:
        _create(sessions, **changes)
    assert caught.value.field == field and isinstance(caught.value, ValueError)


def test_create_user_stores_a_hash_not_the_password(sessions: sessionmaker[Session]) -> None:
    name = _create(sessions, "officer", full_name="Aigerim Bekova")
    with sessions() as session:
        user = get_by_username(session, name)
        assert user is not None and user.id > 0
        assert (user.role, user.full_name, user.active) == ("officer", "Aigerim Bekova", True)
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        assert get_by_username(session, "nobody-here") is None


def test_duplicate_username_is_refused_and_the_transaction_stays_usable(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = _create(sessions)
    with pytest.raises(UserError) as caught:
        _create(sessions, username=name)
    assert (caught.value.field, str(caught.value)) == ("username", "already exists")
    with transaction(sessions) as session:  # the race path: the name appears between check and insert
        with monkeypatch.context() as m:
            m.setattr(users, "get_by_username", lambda _s, _u: None)
            with pytest.raises(UserError, match="already exists"):
                create_user(session, username=name, password=PASSWORD, role="applicant", now=NOW)
        other = create_user(session, username=_name(), password=PASSWORD, role="applicant", now=NOW)
    assert other.id > 0


def test_authenticate(sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> None:
    name = _create(sessions)
    verifications: list[str] = []
    real = security.verify_password

    def counting(h: str, pw: str) -> bool:
        verifications.append(h)
        return real(h, pw)

    monkeypatch.setattr(users, "verify_password", counting)
    with transaction(sessions) as session:
        good = authenticate(session, name, PASSWORD)
        assert good is not None and good.username == name
        assert authenticate(session, name, "wrong password") is None
        assert authenticate(session, "no-such-user", PASSWORD) is None
        good.active = False
        assert authenticate(session, name, PASSWORD) is None
    assert len(verifications) == 4  # unknown and inactive users cost one verification too


def test_authenticate_upgrades_an_outdated_hash(sessions: sessionmaker[Session]) -> None:
    name = _create(sessions)
    old = PasswordHasher.from_parameters(dataclasses.replace(profiles.CHEAPEST, time_cost=2)).hash(PASSWORD)
    with transaction(sessions) as session:
        user = get_by_username(session, name)
        assert user is not None
        user.password_hash = old
    with transaction(sessions) as session:
        assert authenticate(session, name, PASSWORD) is not None
    with sessions() as session:
        user = get_by_username(session, name)
        assert user is not None and user.password_hash != old and not security.needs_rehash(user.password_hash)


# --- HTTP ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    app = FastAPI()
    problems.install(app)
    app.include_router(auth.router)
    app.state.sessions = sessions
    app.state.settings = Settings(env="test")

    @app.get("/me")
    def me(principal: Principal = Depends(auth.current_principal)) -> dict[str, Any]:  # noqa: B008
        return dataclasses.asdict(principal)

    @app.get("/staff")
    def staff(principal: Principal = Depends(auth.require_roles("officer"))) -> dict[str, str]:  # noqa: B008
        return {"hello": principal.username}

    with TestClient(app) as c:
        yield c


def _login(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/token", data={"username": username, "password": password})


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["detail"]
    if status == 401:
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    return body


def test_sign_in_and_call_a_protected_route(client: TestClient, sessions: sessionmaker[Session]) -> None:
    name = _create(sessions)
    r = _login(client, name)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["role"] == "applicant"
    assert body["expires_in"] == Settings(env="test").token_minutes * 60
    assert r.headers["Cache-Control"] == "no-store"
    me = client.get("/me", headers=_bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["username"] == name and me.json()["role"] == "applicant"


def test_wrong_password_and_unknown_user_get_the_same_401(client: TestClient, sessions: sessionmaker[Session]) -> None:
    name = _create(sessions)
    wrong = _problem(_login(client, name, "not the password"), 401)
    unknown = _problem(_login(client, "nobody-at-all"), 401)
    assert wrong["detail"] == unknown["detail"] == "wrong username or password"
    assert _login(client, name, "not the password").headers["WWW-Authenticate"] == "Bearer"


def test_no_token_is_401_problem(client: TestClient) -> None:
    r = client.get("/me")
    _problem(r, 401)
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_expired_token_is_401(client: TestClient, sessions: sessionmaker[Session]) -> None:
    name = _create(sessions)
    with sessions() as session:
        user = get_by_username(session, name)
        assert user is not None
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    key = client.app.state.settings.signing_key()  # type: ignore[attr-defined]
    token = create_token(user_id=user.id, username=name, role=user.role, now=past, minutes=15, key=key)
    r = client.get("/me", headers=_bearer(token))
    _problem(r, 401)
    assert "invalid_token" in r.headers["WWW-Authenticate"]


def test_deactivated_or_demoted_user_loses_access_at_once(client: TestClient, sessions: sessionmaker[Session]) -> None:
    name = _create(sessions, "officer")
    token = _login(client, name).json()["access_token"]
    assert client.get("/staff", headers=_bearer(token)).status_code == 200
    with transaction(sessions) as session:
        user = get_by_username(session, name)
        assert user is not None
        user.role = "analyst"
    _problem(client.get("/staff", headers=_bearer(token)), 403)
    with transaction(sessions) as session:
        user = get_by_username(session, name)
        assert user is not None
        user.active = False
    _problem(client.get("/me", headers=_bearer(token)), 401)
    _problem(_login(client, name), 401)


def test_applicant_on_a_staff_route_is_403(client: TestClient, sessions: sessionmaker[Session]) -> None:
    token = _login(client, _create(sessions)).json()["access_token"]
    body = _problem(client.get("/staff", headers=_bearer(token)), 403)
    assert body["detail"].startswith("role applicant may not")
    officer = _login(client, _create(sessions, "officer")).json()["access_token"]
    assert client.get("/staff", headers=_bearer(officer)).status_code == 200


def test_require_roles_refuses_unknown_roles() -> None:
    with pytest.raises(ValueError, match="known roles"):
        auth.require_roles("oficer")
    with pytest.raises(ValueError, match="known roles"):
        auth.require_roles()


_header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300)
_segment = st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="), max_size=80)


@settings(max_examples=150, deadline=None)
@given(st.one_of(_header_text, st.builds(lambda a, b, c: f"{a}.{b}.{c}", _segment, _segment, _segment)))
def test_garbage_bearer_tokens_always_give_401(client: TestClient, garbage: str) -> None:
    r = client.get("/me", headers={"Authorization": f"Bearer {garbage}"})
    _problem(r, 401)


def test_production_needs_a_strong_secret() -> None:
    from koshi.api.app import create_app

    with pytest.raises(RuntimeError, match="must be set"):
        create_app(Settings(env="production", database_url="sqlite://"))
    with pytest.raises(RuntimeError, match="at least 32 bytes"):
        create_app(Settings(env="production", database_url="sqlite://", secret_key="short"))
    assert create_app(Settings(env="production", database_url="sqlite://", secret_key="k" * 32)).title
