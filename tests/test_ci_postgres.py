""".ci/postgres-login gives the tests a PostgreSQL login on a stock Debian cluster, where
only the postgres OS user gets in over the socket (peer) and TCP wants a password (scram):
the URL it prints connects over TCP and may create databases and roles."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path("/usr/lib/postgresql")


def _pg_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for version in sorted(PG_BIN.glob("*"), reverse=True):
        if (version / "bin" / name).exists():
            return str(version / "bin" / name)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def stock_cluster() -> Iterator[tuple[Path, int]]:
    """A throwaway cluster authenticating like Debian's default pg_hba.conf; yields (socket
    folder, port)."""
    initdb, pg_ctl = _pg_tool("initdb"), _pg_tool("pg_ctl")
    if not (initdb and pg_ctl and shutil.which("runuser")) or os.geteuid() != 0:
        message = "needs root, runuser and the PostgreSQL server binaries (as CI has)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert initdb is not None
    assert pg_ctl is not None
    base = Path(f"/tmp/warroom-stock-pg-{os.getpid()}-{time.monotonic_ns()}")
    base.mkdir(mode=0o755)
    shutil.chown(base, "postgres")
    data = base / "data"
    as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_postgres,
            initdb,
            *("-D", str(data), "-U", "postgres", "--no-sync", "-E", "UTF8"),
            *("--auth-local=peer", "--auth-host=scram-sha-256"),  # Debian's pg_hba.conf
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={base}"
    subprocess.run(
        [
            *as_postgres,
            pg_ctl,
            *("-D", str(data), "-o", options + " -c fsync=off"),
            *("-l", str(base / "log"), "-w", "start"),
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield base, port
    finally:
        subprocess.run(
            [*as_postgres, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def test_the_ci_login_works_where_tcp_needs_a_password(
    stock_cluster: tuple[Path, int], tmp_path: Path
) -> None:
    sockets, port = stock_cluster
    # What the tests used to assume: the postgres user over TCP without a password.
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=5)

    environ = {
        **os.environ,
        "PGHOST": str(sockets),
        "PGPORT": str(port),
        "WARROOM_CI_PASSWORD_FILE": str(tmp_path / "state" / "password"),
    }
    made = subprocess.run(
        [str(ROOT / ".ci" / "postgres-login")], env=environ, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    url = made.stdout.strip()
    assert url.startswith("postgresql://warroom_ci:")
    assert url.endswith(f"@127.0.0.1:{port}/postgres")
    assert (tmp_path / "state" / "password").stat().st_mode & 0o077 == 0  # owner only

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        login = connection.execute(
            "SELECT session_user, rolsuper FROM pg_roles WHERE rolname = session_user"
        ).fetchone()
        assert login == ("warroom_ci", False)
        connection.execute("CREATE DATABASE warroom_ci_probe")
        connection.execute("CREATE ROLE warroom_ci_probe_role NOLOGIN")
        connection.execute("DROP ROLE warroom_ci_probe_role")
        connection.execute("DROP DATABASE warroom_ci_probe WITH (FORCE)")

    again = subprocess.run(
        [str(ROOT / ".ci" / "postgres-login")], env=environ, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == url  # a second run keeps the first one's password working
