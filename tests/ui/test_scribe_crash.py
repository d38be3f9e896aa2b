"""No lost words, for real: a scribe's desktop process types N entries while the database
server is stopped for some of them, is killed with SIGKILL twice (once with entries waiting
in its journal, once after a start during the outage), and when the server is back exactly N
entries are in the database, in the order typed, none twice, and nothing is left pending.

The desktop is the real app in a process of its own (``tests/ui/scribe_process.py``), typed
into with key events; the database is a PostgreSQL cluster of the test's own, stopped and
started with ``pg_ctl``.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from tests.conftest import PERSON_PASSWORD, ensure_login
from tests.pg_cluster import PrivateCluster
from warroom.domain.clock import FakeClock, SystemClock
from warroom.engine.scribe_journal import ScribeJournal
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.incidents import lifecycle
from warroom.store.config import data_dir
from warroom.store.database import Database
from warroom.store.models import TranscriptEntry
from warroom.store.schema import upgrade
from warroom.ui.transcript.controller import JOURNAL_FILE

ROOT = Path(__file__).resolve().parents[2]
N = 30
SCRIBE = "amara"
#: Enter → on disk, while the database is away: the GUI thread never waits on it.
TYPING_LIMIT_MS = 250


class ScribeDesktop:
    """``python -m tests.ui.scribe_process`` with its stdout read on a thread."""

    def __init__(self, url: str, incident: int) -> None:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.ui.scribe_process",
                "--database",
                url,
                "--user",
                SCRIBE,
                "--incident",
                str(incident),
            ],
            cwd=ROOT,
            env=env,  # WARROOM_DATA_DIR / WARROOM_CONFIG_DIR of this test: the same journal
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("<eof>")

    def expect(self, prefix: str, timeout: float = 20) -> str:
        """The next line starting with ``prefix`` (others, e.g. ``saved``, are kept)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {prefix!r} in time; the process said {self.seen}")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(line)
            if line == "<eof>":
                raise AssertionError(f"the process ended; it said {self.seen}")
            if line.startswith(prefix):
                return line

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def type(self, words: str) -> tuple[str, float]:
        self.send(f"type {words}")
        _, uuid, took, _enter = self.expect("journaled", timeout=10).split()
        return uuid, float(took)

    def pending(self) -> int:
        self.send("count")
        return int(self.expect("pending").split()[1])

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, nothing of the app's own runs."""
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(10) == -signal.SIGKILL

    def quit(self) -> None:
        self.send("quit")
        self.expect("bye")
        assert self.process.wait(15) == 0

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def _entries(database: Database, incident: int) -> list[TranscriptEntry]:
    with database.reading() as session:
        return list(
            session.scalars(
                select(TranscriptEntry)
                .where(TranscriptEntry.incident_id == incident)
                .order_by(TranscriptEntry.occurred_at, TranscriptEntry.id)
            )
        )


def _wait_for_entries(database: Database, incident: int, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        found = len(_entries(database, incident))
        if found >= count:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{found} of {count} entries in the database after {timeout} s")
        time.sleep(0.05)


def test_a_killed_scribe_loses_no_word_and_sends_none_twice(
    private_postgres_cluster: PrivateCluster,
) -> None:
    cluster = private_postgres_cluster
    admin = Database(make_url(cluster.url))
    upgrade(admin)
    now = SystemClock().now()
    seed_demo(ServiceContext(admin, "tester", FakeClock(now - timedelta(days=7))))
    ensure_login(cluster.url, SCRIBE)  # on PostgreSQL the scribe acts as their own login
    scribe_url = make_url(cluster.url).set(username=SCRIBE, password=PERSON_PASSWORD)
    as_scribe = Database(scribe_url)
    incident = lifecycle.declare(
        ServiceContext(as_scribe, SCRIBE, SystemClock()),
        title="Checkout 5xx",
        severity="SEV2",
        service="checkout-api",
    ).id
    as_scribe.dispose()
    url = scribe_url.render_as_string(hide_password=False)
    words = [f"Entry {n:02d} of {N}: what was said, number {n}" for n in range(1, N + 1)]
    third = N // 3
    typed: list[str] = []
    offline_ms: list[float] = []
    desktops: list[ScribeDesktop] = []

    def start() -> ScribeDesktop:
        desktop = ScribeDesktop(url, incident)
        desktops.append(desktop)
        return desktop

    try:
        # 1. The database is up: a third is typed and lands.
        first = start()
        first.expect("ready online")
        for body in words[:third]:
            typed.append(first.type(body)[0])
        _wait_for_entries(admin, incident, third, timeout=15)

        # 2. The server stops: the next third is typed; each is on disk at once.
        admin.dispose()
        cluster.stop()
        for body in words[third : 2 * third]:
            uuid, took = first.type(body)
            typed.append(uuid)
            offline_ms.append(took)
        assert first.pending() == third
        first.kill()  # kill -9 with a third waiting in the journal

        # 3. Started again while the server is still down: the journal still holds them, and
        #    the last third is typed into the war room of a desktop that never reached it.
        second = start()
        second.expect("ready offline")
        assert second.pending() == third
        for body in words[2 * third :]:
            uuid, took = second.type(body)
            typed.append(uuid)
            offline_ms.append(took)
        assert second.pending() == N - third
        second.kill()

        # 4. The server is back; a new start sends what the journal holds, in order.
        cluster.start()
        third_desktop = start()
        third_desktop.expect("ready online")
        _wait_for_entries(admin, incident, N, timeout=30)
        deadline = time.monotonic() + 10
        while third_desktop.pending():
            assert time.monotonic() < deadline, "the journal still holds entries"
            time.sleep(0.05)
        third_desktop.quit()

        entries = _entries(admin, incident)
        assert len(entries) == N
        assert [e.body for e in entries] == words  # in the order typed, each once
        assert [e.client_uuid for e in entries] == typed
        assert [e.body for e in sorted(entries, key=lambda e: e.id)] == words  # sent in order
        assert {e.author for e in entries} == {SCRIBE}
        assert ScribeJournal(data_dir() / JOURNAL_FILE).pending() == []
        print(  # the figure, for -s
            f"Enter → journaled while the database is down: median "
            f"{sorted(offline_ms)[len(offline_ms) // 2]:.1f} ms, max {max(offline_ms):.1f} ms"
        )
        assert max(offline_ms) < TYPING_LIMIT_MS, offline_ms
    finally:
        for desktop in desktops:
            desktop.close()
        admin.dispose()
