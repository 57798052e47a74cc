"""A real, throwaway PostgreSQL server for tests and benchmarks.

``PgServer`` runs ``initdb`` in a fresh temporary directory, starts ``postgres`` on a free
127.0.0.1 port with ``pg_ctl``, and on ``stop()`` kills it (``pg_ctl -m immediate``) and
deletes the directory. No mocks, no docker, no network: it needs only the server binaries
of Debian's ``postgresql`` package (``make test`` installs it through ``make system-deps``).

Usage::

    from tests.pgserver import PgServer

    with PgServer() as pg:
        engine = sqlalchemy.create_engine(pg.url)  # database "koshi", superuser "koshi"
        url = pg.create_database()  # URL of a fresh, empty, isolated database

In ``conftest.py``: ``pg_server = pytest.fixture(scope="session")(postgres_server)``.
From a shell: ``python -m tests.pgserver`` starts one, prints its URL, waits for Ctrl-C.

Why not pytest-postgresql: it is a pytest plugin (unusable from ``benchmarks/``) and runs
``pg_ctl`` as the current user, so it fails as root, which is how this project's machines
run (PostgreSQL refuses to run as root). Here, as root, every server command runs as the
``postgres`` system user through ``runuser``. The job is small and needs only psycopg.

Durability settings stay at production values (``fsync=on``, ``synchronous_commit=on``):
tests SIGKILL application servers and check that committed data survives. Only ``initdb``
runs with ``--no-sync`` (nobody needs a fresh throwaway cluster to survive an OS crash).
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Literal

import psycopg
from psycopg import sql

__all__ = ["PgServer", "PgServerError", "main", "pg_bin_dir", "postgres_server"]

INSTALL_HINT = "install Debian's postgresql package: `make test` does it (via `make system-deps`)"
DEBIAN_PG_ROOT = Path("/usr/lib/postgresql")
BIN_DIR_ENV = "KOSHI_PG_BIN_DIR"  # overrides the search for initdb/pg_ctl
USER = "koshi"
DATABASE = "koshi"
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "max_connections": "200",
    "timezone": "'UTC'",
}
_PORT_TRIES = 5
_PREFIX = "koshi-pg-"
_OWNER_FILE = "owner.pid"  # pid of the process that started the server, for _reap_orphans


class PgServerError(RuntimeError):
    """The throwaway PostgreSQL server could not be found, started or used."""


def pg_bin_dir() -> Path:
    """Directory holding ``initdb``, ``pg_ctl`` and ``postgres``.

    ``$KOSHI_PG_BIN_DIR`` if set, else the highest major version under Debian's
    ``/usr/lib/postgresql/<major>/bin``, else the directory of an ``initdb`` on ``PATH``.
    """
    override = os.environ.get(BIN_DIR_ENV)
    if override:
        if not (Path(override) / "initdb").is_file():
            raise PgServerError(f"${BIN_DIR_ENV}={override} holds no initdb; {INSTALL_HINT}")
        return Path(override)
    majors: list[tuple[int, Path]] = []
    if DEBIAN_PG_ROOT.is_dir():
        for version_dir in DEBIAN_PG_ROOT.iterdir():
            bindir = version_dir / "bin"
            if version_dir.name.isdigit() and (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
                majors.append((int(version_dir.name), bindir))
    if majors:
        return max(majors)[1]
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise PgServerError(
        f"PostgreSQL server binaries (initdb, pg_ctl) not found in {DEBIAN_PG_ROOT}/*/bin: {INSTALL_HINT}"
    )


def _server_account() -> pwd.struct_passwd | None:
    """The account server commands run as: ``postgres`` when we are root, else None (ourselves)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise PgServerError(
            "running as root, which PostgreSQL refuses, and no 'postgres' user exists to run it as: "
            f"{INSTALL_HINT} (it creates that user), or run the tests as a non-root user"
        ) from None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """A throwaway PostgreSQL server on 127.0.0.1: trust auth, superuser ``koshi``, database ``koshi``.

    Once started: ``port``, ``url`` (SQLAlchemy URL of database ``koshi``), ``admin_url``
    (database ``postgres``), ``root`` (the temp dir), ``datadir``, ``socket_dir``, ``logfile``.
    """

    def __init__(self, *, base_dir: str | Path | None = None, timeout: float = 60.0) -> None:
        """``base_dir``: where the temp dir goes (default: the system temp dir, e.g. /tmp)."""
        self.bin_dir = pg_bin_dir()
        self.base_dir = base_dir
        self.timeout = timeout
        self.host = "127.0.0.1"
        self.user = USER
        self.port = 0
        self.root: Path | None = None
        self._account = _server_account()
        self._lock = threading.Lock()
        self._db_numbers = itertools.count(1)

    # -- paths and URLs ----------------------------------------------------------------------
    def _require_root(self) -> Path:
        if self.root is None:
            raise PgServerError("PgServer is not started")
        return self.root

    @property
    def datadir(self) -> Path:
        return self._require_root() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._require_root() / "sock"

    @property
    def logfile(self) -> Path:
        return self._require_root() / "postgres.log"

    def database_url(self, dbname: str = DATABASE) -> str:
        """SQLAlchemy URL (``postgresql+psycopg://``) of database ``dbname`` on this server."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def dsn(self, dbname: str = DATABASE) -> str:
        """libpq URL of database ``dbname``, for ``psycopg.connect`` or ``psql``."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``koshi`` database."""
        return self.database_url(DATABASE)

    @property
    def admin_url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` maintenance database (same superuser)."""
        return self.database_url("postgres")

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> PgServer:
        """Make a temp dir, ``initdb`` it, start the server, create database ``koshi``; return self."""
        with self._lock:
            if self.root is not None:
                raise PgServerError("PgServer is already started")
            self._reap_orphans()
            self.root = Path(tempfile.mkdtemp(prefix=_PREFIX, dir=self.base_dir))
            atexit.register(self.stop)  # safety net: no stray servers if the caller forgets or crashes
        try:
            (self.root / _OWNER_FILE).write_text(str(os.getpid()))
            self.socket_dir.mkdir()
            if self._account is not None:
                for path in (self.root, self.socket_dir):
                    os.chown(path, self._account.pw_uid, self._account.pw_gid)
                self._check_account_access()
            self._pg(
                "initdb",
                *("-D", str(self.datadir), "-U", self.user, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"),
            )
            settings = {**SETTINGS, "unix_socket_directories": _conf_quote(str(self.socket_dir))}
            with (self.datadir / "postgresql.conf").open("a") as conf:  # appending keeps postgres' ownership
                conf.write("\n# koshi tests/pgserver.py\n")
                conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
            self._start_on_free_port()
            with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
        except BaseException:
            self.stop()
            raise
        return self

    def _start_on_free_port(self) -> None:
        for attempt in range(1, _PORT_TRIES + 1):
            self.port = _free_port()
            try:
                self._pg_ctl_start()
                return
            except PgServerError:
                # Another process may have taken the port between probe and bind: try another.
                if attempt == _PORT_TRIES or "already in use" not in self._log_tail():
                    raise

    def _pg_ctl_start(self) -> None:
        self._pg(
            "pg_ctl",
            *("-D", str(self.datadir), "-l", str(self.logfile), "-o", f"-p {self.port}"),
            *("-w", "-t", str(int(self.timeout)), "start"),
            new_session=True,  # keep the server out of the terminal's process group (Ctrl-C)
        )

    def restart(self, mode: Literal["smart", "fast", "immediate"] = "immediate") -> None:
        """Stop the server (``pg_ctl -m mode``: immediate = crash-like) and start it again, same port and data."""
        self._pg("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "-t", str(int(self.timeout)), "stop")
        self._pg_ctl_start()

    def stop(self) -> None:
        """Kill the server (``pg_ctl -m immediate stop``) and delete its temp dir. Idempotent."""
        with self._lock:
            root, self.root = self.root, None
        if root is None:
            return
        atexit.unregister(self.stop)
        datadir = root / "data"
        try:
            if (datadir / "postmaster.pid").exists():
                proc = self._pg("pg_ctl", "-D", str(datadir), "-m", "immediate", "-w", "stop", check=False)
                if proc.returncode != 0:
                    _kill_postmaster(datadir)
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"PgServer({self.url!r})" if self.root is not None else "PgServer(stopped)"

    # -- databases ---------------------------------------------------------------------------
    def create_database(self, name: str | None = None) -> str:
        """Create a fresh empty database (default name ``test_<n>``) and return its SQLAlchemy URL."""
        name = name or f"test_{next(self._db_numbers)}"
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.database_url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, disconnecting any sessions still on it."""
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    # -- helpers -----------------------------------------------------------------------------
    def _reap_orphans(self) -> None:
        """Kill and delete servers left by a process of ours that died without ``stop()`` (SIGKILL)."""
        for root in Path(self.base_dir or tempfile.gettempdir()).glob(_PREFIX + "*"):
            owner = root / _OWNER_FILE
            try:
                if owner.stat().st_uid != os.geteuid() or _alive(int(owner.read_text())):
                    continue
                if (root / "data" / "postmaster.pid").exists():
                    self._pg("pg_ctl", "-D", str(root / "data"), "-m", "immediate", "-w", "stop", check=False)
            except (OSError, ValueError, PgServerError):
                continue
            shutil.rmtree(root, ignore_errors=True)

    def _check_account_access(self) -> None:
        """Fail clearly if the ``postgres`` account cannot reach the temp dir (e.g. under /root)."""
        root = self._require_root()
        account = self._account.pw_name if self._account is not None else "postgres"
        proc = subprocess.run(
            ["runuser", "-u", account, "--", "test", "-w", str(root)], cwd="/", capture_output=True, check=False
        )
        if proc.returncode != 0:
            raise PgServerError(
                f"the {account!r} user cannot write {root}: a parent directory is closed to it; "
                "pass PgServer(base_dir=...) or set TMPDIR to a world-traversable directory such as /tmp"
            )

    def _pg(
        self, program: str, *args: str, check: bool = True, new_session: bool = False
    ) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL binary from ``bin_dir``, as ``postgres`` when we are root."""
        command = [str(self.bin_dir / program), *args]
        if self._account is not None:
            command = ["runuser", "-u", self._account.pw_name, "--", *command]
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env["LC_ALL"] = "C"
        try:
            proc = subprocess.run(
                command,
                cwd="/",  # readable by the postgres account, unlike the caller's cwd perhaps
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                start_new_session=new_session,
                timeout=self.timeout + 30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PgServerError(f"{shlex.join(command)}: {exc}; {INSTALL_HINT}") from exc
        if check and proc.returncode != 0:
            raise PgServerError(
                f"{shlex.join(command)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}{self._log_tail()}"
            )
        return proc

    def _log_tail(self, lines: int = 20) -> str:
        try:
            text = self.logfile.read_text(errors="replace")
        except (OSError, PgServerError):
            return ""
        return "\n--- server log (last lines) ---\n" + "\n".join(text.splitlines()[-lines:])


def _conf_quote(value: str) -> str:
    """Quote a string for postgresql.conf."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_postmaster(datadir: Path) -> None:
    """Last resort when ``pg_ctl stop`` failed: SIGKILL the postmaster named in postmaster.pid."""
    try:
        pid = int((datadir / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
    except (OSError, ValueError, IndexError):
        pass


def postgres_server() -> Iterator[PgServer]:
    """Pytest fixture body: a started server, stopped at teardown.

    In conftest.py: ``pg_server = pytest.fixture(scope="session")(postgres_server)``.
    """
    with PgServer() as server:
        yield server


def main() -> None:
    """``python -m tests.pgserver``: start a server, print its URL, wait for Ctrl-C (or SIGTERM)."""
    started = time.perf_counter()
    with PgServer() as server:
        out = sys.stdout
        out.write(f"PostgreSQL ({server.bin_dir}) ready in {time.perf_counter() - started:.2f} s\n")
        out.write(f"url       {server.url}\nadmin_url {server.admin_url}\npsql      psql {server.dsn()}\n")
        out.write(f"log       {server.logfile}\nCtrl-C stops it and deletes {server.root}\n")
        out.flush()
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        while not stop.wait(3600):
            pass


if __name__ == "__main__":
    main()
