"""A throwaway PostgreSQL cluster a test may stop, start and restart: faults for real.

Tests that prove something survives the database going away (the feed listener, queued
acknowledgements, the scribe's journal) stop a real server instead of pretending.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psycopg
import pytest

PG_BIN = Path("/usr/lib/postgresql")


def pg_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for version in sorted(PG_BIN.glob("*"), reverse=True):
        candidate = version / "bin" / name
        if candidate.exists():
            return str(candidate)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateCluster:
    """``initdb`` + ``pg_ctl`` in a temporary folder, on a free port, trust auth, database
    ``warroom`` created. PostgreSQL refuses to run as root, so as root it runs as postgres."""

    def __init__(self) -> None:
        initdb, self._pg_ctl = pg_tool("initdb"), pg_tool("pg_ctl")
        if not initdb or not self._pg_ctl:
            message = "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        self.base = Path(f"/tmp/warroom-pg-{os.getpid()}-{time.monotonic_ns()}")
        self.base.mkdir(mode=0o777)
        self.data = self.base / "data"
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
            self._as_postgres = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [
                *self._as_postgres,
                initdb,
                "-D",
                str(self.data),
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
        self.port = free_port()
        self.start()
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("CREATE DATABASE warroom")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/warroom"

    def _ctl(self, *args: str) -> None:
        assert self._pg_ctl is not None
        subprocess.run(
            [*self._as_postgres, self._pg_ctl, "-D", str(self.data), *args],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.base} -c fsync=off"
        )
        self._ctl("-o", options, "-l", str(self.base / "log"), "-w", "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def destroy(self) -> None:
        if self._pg_ctl is not None:
            subprocess.run(
                [*self._as_postgres, self._pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                capture_output=True,
            )
        shutil.rmtree(self.base, ignore_errors=True)
