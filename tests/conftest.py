"""Fixtures shared by every test: an isolated user environment and a database per test.

The ``database_url`` fixture is parametrised over SQLite and PostgreSQL. PostgreSQL comes from
``WARROOM_TEST_POSTGRES_URL`` (default: the local server with trust auth); each test gets its
own database cloned from a migrated template. Where no PostgreSQL answers, its tests skip with
the reason, except in CI (``CI`` set), where they fail: CI must run them.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything creates a QApplication

import itertools
import shutil
import socket
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backend
import psycopg
import pytest
from sqlalchemy.engine import make_url

from warroom.domain.clock import FakeClock
from warroom.services.context import ServiceContext
from warroom.store.database import Database
from warroom.store.schema import upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "WARROOM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that forgets everything at the end of the test."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture(autouse=True)
def isolated_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Keep the developer's config, data and keyring out of every test."""
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("WARROOM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("WARROOM_DATABASE_URL", raising=False)
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


# ----------------------------------------------------------------------------- PostgreSQL


def _admin_conninfo() -> str:
    return (
        make_url(POSTGRES_ADMIN_URL)
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


_postgres_state: dict[str, object] = {}


def _postgres_template() -> str:
    """A migrated template database, made once per test session."""
    if "template" in _postgres_state:
        return str(_postgres_state["template"])
    if "error" in _postgres_state:
        _unavailable(str(_postgres_state["error"]))
    try:
        admin = psycopg.connect(_admin_conninfo(), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        _postgres_state["error"] = str(exc).strip().splitlines()[0]
        _unavailable(str(_postgres_state["error"]))
    name = f"warroom_template_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    database = Database(make_url(POSTGRES_ADMIN_URL).set(database=name))
    upgrade(database)
    database.dispose()
    _postgres_state["template"] = name
    return name


def _unavailable(reason: str) -> None:
    message = f"PostgreSQL at {make_url(POSTGRES_ADMIN_URL).host} is not available: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must run the PostgreSQL tests)")
    pytest.skip(message)


_counter = itertools.count()


def _throwaway_database(prefix: str, template: str | None) -> Iterator[str]:
    name = f"{prefix}_{os.getpid()}_{next(_counter)}"
    clone = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(_admin_conninfo(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{clone}')
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+psycopg", database=name)
    yield url.render_as_string(hide_password=False)
    with psycopg.connect(_admin_conninfo(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test; dropped afterwards."""
    yield from _throwaway_database("warroom_test", _postgres_template())


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A PostgreSQL database with no schema at all, for migration tests."""
    _postgres_template()  # skips or fails with the reason when PostgreSQL is unavailable
    yield from _throwaway_database("warroom_empty", None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    template = _postgres_state.get("template")
    if template:
        with psycopg.connect(_admin_conninfo(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


# ----------------------------------------------------------------------------- a private cluster

PG_BIN = Path("/usr/lib/postgresql")


def _pg_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for version in sorted(PG_BIN.glob("*"), reverse=True):
        candidate = version / "bin" / name
        if candidate.exists():
            return str(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivatePostgres:
    """A throwaway PostgreSQL cluster a test may stop, start and restart: a real outage."""

    def __init__(self, base: Path, as_postgres: list[str], pg_ctl: str, port: int) -> None:
        self.base, self.as_postgres, self.pg_ctl, self.port = base, as_postgres, pg_ctl, port
        self.data = base / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/warroom"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.base} -c fsync=off"
        )
        subprocess.run(
            [
                *self.as_postgres,
                self.pg_ctl,
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.base / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            [*self.as_postgres, self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop"],
            check=True,
            capture_output=True,
        )

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def private_postgres_cluster() -> Iterator[PrivatePostgres]:
    """A throwaway PostgreSQL cluster (initdb, pg_ctl) with an empty database ``warroom``."""
    initdb, pg_ctl = _pg_tool("initdb"), _pg_tool("pg_ctl")
    if not initdb or not pg_ctl:
        message = "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    base = Path(f"/tmp/warroom-pg-{os.getpid()}-{time.monotonic_ns()}")
    base.mkdir(mode=0o777)
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(base, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_postgres,
            initdb,
            "-D",
            str(base / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    cluster = PrivatePostgres(base, as_postgres, pg_ctl, _free_port())
    cluster.start()
    admin = f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("CREATE DATABASE warroom")
    try:
        yield cluster
    finally:
        subprocess.run(
            [*as_postgres, pg_ctl, "-D", str(cluster.data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def private_postgres(
    private_postgres_cluster: PrivatePostgres,
) -> tuple[str, Callable[[], None]]:
    """A throwaway PostgreSQL cluster this test may restart; (url, restart)."""
    return private_postgres_cluster.url, private_postgres_cluster.restart


# ----------------------------------------------------------------------------- both databases

_sqlite_template: dict[str, bytes] = {}


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh, migrated SQLite file; the migration runs once and is copied after that."""
    path = tmp_path / "warroom.db"
    if "bytes" not in _sqlite_template:
        database = Database(make_url(f"sqlite:///{path}"))
        upgrade(database)
        database.dispose()
        with sqlite3.connect(path) as raw:  # fold the WAL into the file before copying it
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _sqlite_template["bytes"] = path.read_bytes()
    else:
        path.write_bytes(_sqlite_template["bytes"])
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Every store and service test runs on both databases."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(make_url(database_url))
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def context(database: Database, clock: FakeClock) -> ServiceContext:
    return ServiceContext(database, "tester", clock)


# ----------------------------------------------------------------------------- a desktop


def _need(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (apt-get install xvfb dbus dunst)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def notification_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Xvfb, a private session bus, dunst and a bus monitor; yields the monitor's log."""
    _need("Xvfb", "dbus-daemon", "dbus-monitor", "dunst", "dunstctl")
    display = f":{150 + os.getpid() % 500}"
    xvfb = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    bus = subprocess.run(
        ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
        capture_output=True,
        text=True,
        check=True,
    )
    address, pid = bus.stdout.split()[:2]
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    monkeypatch.setenv("DISPLAY", display)
    config = tmp_path / "dunstrc"
    config.write_text("[global]\n    timeout = 0\n")
    dunst = subprocess.Popen(
        ["dunst", "-config", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while subprocess.run(["dunstctl", "is-paused"], capture_output=True).returncode != 0:
        if time.monotonic() > deadline:
            raise RuntimeError("dunst did not start")
        time.sleep(0.05)
    log = tmp_path / "bus.log"
    with log.open("w") as sink:
        monitor = subprocess.Popen(
            ["dbus-monitor", "--session", "interface='org.freedesktop.Notifications'"],
            stdout=sink,
            stderr=subprocess.DEVNULL,
        )
    time.sleep(0.3)  # let the monitor subscribe before anything is sent
    yield log
    monitor.terminate()
    monitor.wait(5)
    dunst.terminate()
    dunst.wait(5)
    subprocess.run(["kill", pid], check=False)
    xvfb.terminate()
    xvfb.wait(5)
