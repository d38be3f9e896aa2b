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
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import psycopg
import psycopg.errors
import psycopg.sql
import pytest
from sqlalchemy.engine import make_url

from tests import pg_logins
from tests.pg_cluster import PrivateCluster
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
    monkeypatch.delenv("WARROOM_USER", raising=False)
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


@pytest.fixture
def private_postgres_cluster() -> Iterator[PrivateCluster]:
    """A PostgreSQL server of the test's own (initdb, pg_ctl), with an empty database
    ``warroom``, to stop and start for real."""
    cluster = PrivateCluster()
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def private_postgres(
    private_postgres_cluster: PrivateCluster,
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


#: The password of the per-person PostgreSQL logins tests make (ignored under trust auth).
PERSON_PASSWORD = "warroom-test-person"


def ensure_login(admin_url: str, handle: str) -> None:
    """A PostgreSQL login named after a person, able to use the test database's tables."""
    pg_logins.ensure_login(admin_url, handle, PERSON_PASSWORD)


@pytest.fixture
def url_as(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``url_as("amara")``: the database URL through which a command acts as that person —
    their own login on PostgreSQL; on SQLite the same file, with WARROOM_USER set."""

    def url_for(handle: str) -> str:
        monkeypatch.setenv("WARROOM_USER", handle)
        if not database_url.startswith("postgresql"):
            return database_url
        ensure_login(database_url, handle)
        url = make_url(database_url).set(username=handle, password=PERSON_PASSWORD)
        return url.render_as_string(hide_password=False)

    return url_for


@pytest.fixture
def as_person(database_url: str, database: Database, clock: FakeClock) -> Iterator[Any]:
    """``as_person("lukas")``: a context acting as that person — on PostgreSQL through a
    login of their own (the login is who acts there), on SQLite as the configured user."""
    opened: list[Database] = []

    def context_for(handle: str) -> ServiceContext:
        if not database.is_postgresql:
            return ServiceContext(database, handle, clock)
        ensure_login(database_url, handle)
        url = make_url(database_url).set(username=handle, password=PERSON_PASSWORD)
        own = Database(url)
        opened.append(own)
        return ServiceContext(own, handle, clock)

    yield context_for
    for own in opened:
        own.dispose()


# ----------------------------------------------------------------------------- a desktop


def need(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (apt-get install xvfb dbus dunst)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def notification_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Xvfb, a private session bus, dunst and a bus monitor; yields the monitor's log."""
    need("Xvfb", "dbus-daemon", "dbus-monitor", "dunst", "dunstctl")
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
