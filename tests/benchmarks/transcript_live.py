"""An entry committed on one desktop → shown on every other desktop's timeline (PostgreSQL).

    .venv/bin/python tests/benchmarks/transcript_live.py [--postgres URL] [--clients 20]
        [--entries 100] [--writer editor|service] [--baseline-clients 1]

Each client is the real desktop app (``WarroomApp``, offscreen, no background engine) in a
process of its own with the incident's war room open; it notes the wall-clock instant an
entry's row is inserted into its Transcript panel's ``TimelineModel`` (``rowsInserted``, the
item looked up by its client UUID).

The writer is, by default (``--writer editor``), a scribe's desktop of its own
(``tests/ui/scribe_process.py``: the real app, the words typed into the scribe's line with key
events); an entry is "committed" when its Enter key is pressed, so the figure includes the
journal's fsync, the send on the writer's worker, the commit, the NOTIFY, each client's
catch-up query (the entry travels in its event). ``--writer service`` records through
``services.transcript.entries.record`` in this process instead, from just before the call.
Entries come one every 200 to 500 ms (a fast scribe).

Baselines in the same run: a raw psycopg LISTEN/NOTIFY round trip (as ``feed_latency.py``)
and the same measurement with ``--baseline-clients`` desktops (1: what one other desktop
sees when the machine is not crowded). All the clients, the writer and PostgreSQL share this
machine's cores, which is much harder than 20 desktops each on its own computer.
Target: p99 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg
import psycopg.sql
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository: tests.*
from feed_latency import raw_listen_notify

from tests import pg_logins
from warroom.domain.clock import FakeClock, SystemClock
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.incidents import lifecycle
from warroom.store.database import Database
from warroom.store.schema import upgrade

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "warroom-bench"
WRITER, READER = "amara", "lukas"


# ----------------------------------------------------------------------------- a client


def _client(url: str, incident: int, data: str, ready, stop, results) -> None:  # type: ignore[no-untyped-def]
    """One desktop: the real app with the war room open; notes when each entry's row is in."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["WARROOM_CONFIG_DIR"] = f"{data}/config"
    os.environ["WARROOM_DATA_DIR"] = f"{data}/data"
    from PySide6.QtCore import QModelIndex, QTimer
    from PySide6.QtWidgets import QApplication

    from warroom.store.config import load_settings, save_settings
    from warroom.ui.app import WarroomApp

    app = QApplication([])
    save_settings(user=READER)
    warroom = WarroomApp(load_settings(url), SystemClock(), run_engine=False, feed_poll=5.0)
    model = warroom.transcript.view.model
    shown: dict[str, tuple[float, float | None]] = {}  # uuid: (row in, its event on the GUI)
    heard: dict[str, float] = {}  # entry id: its feed event reached the GUI thread
    state = {"ready": False}
    cpu = [0.0]

    def inserted(_parent: QModelIndex, first: int, last: int) -> None:
        now = time.time()
        for row in range(first, last + 1):
            item = model.item(row)
            if item.uuid is not None and item.uuid not in shown and item.entry is not None:
                shown[item.uuid] = (now, heard.get(str(item.entry.id)))

    def events(batch: list) -> None:  # type: ignore[type-arg]
        now = time.time()
        for event in batch:
            if event.topic == "transcript.recorded":
                heard.setdefault(str(event.entity_id), now)

    def loaded(loaded_incident: int) -> None:
        if loaded_incident == incident and not state["ready"]:
            state["ready"] = True
            cpu[0] = time.process_time()
            ready.release()

    def poll_stop() -> None:
        if stop.is_set():
            app.quit()
        else:
            QTimer.singleShot(50, poll_stop)

    model.rowsInserted.connect(inserted)
    warroom.feed.events_arrived.connect(events)  # after the app's own slot: a little late
    warroom.transcript.timeline_loaded.connect(loaded)

    def open_war_room() -> None:
        warroom.window.show_view("incidents")
        warroom.incidents.open_incident(incident)

    warroom.database_ready.connect(open_war_room)
    warroom.window.resize(1400, 900)
    warroom.start()
    QTimer.singleShot(50, poll_stop)
    app.exec()
    busy = time.process_time() - cpu[0]  # this process's CPU while the entries came
    warroom.shutdown()
    results.put((shown, busy))


# ----------------------------------------------------------------------------- writers


class EditorWriter:
    """A scribe's desktop (``tests/ui/scribe_process.py``) typing into the war room."""

    def __init__(self, url: str, incident: int, data: str) -> None:
        env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            WARROOM_CONFIG_DIR=f"{data}/config",
            WARROOM_DATA_DIR=f"{data}/data",
        )
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "tests.ui.scribe_process"),
                *("--database", url, "--user", WRITER, "--incident", str(incident)),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.saved: dict[str, float] = {}
        threading.Thread(target=self._read, daemon=True).start()
        self._expect("ready online", 120)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            line = line.rstrip("\n")
            if line.startswith("saved "):
                _, entry, at = line.split()
                self.saved[entry] = float(at)
            else:
                self.lines.put(line)

    def _expect(self, prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line.startswith(prefix):
                return line
        raise SystemExit(f"the writer's desktop did not say {prefix!r}")

    def write(self, n: int) -> tuple[str, float]:
        assert self.process.stdin is not None
        self.process.stdin.write(f"type Entry {n:03d}: the error rate is still climbing\n")
        self.process.stdin.flush()
        _, entry, _ms, enter = self._expect("journaled", 30).split()
        return entry, float(enter)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("quit\n")
        self.process.stdin.flush()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()


class ServiceWriter:
    """``services.transcript.entries.record`` in this process, as the scribe's login."""

    def __init__(self, url: str, incident: int) -> None:
        self.database = Database(make_url(url))
        self.context = ServiceContext(self.database, WRITER, SystemClock())
        self.incident = incident
        self.saved: dict[str, float] = {}

    def write(self, n: int) -> tuple[str, float]:
        from warroom.services.transcript.entries import NewEntry, record

        entry = str(uuid.uuid4())
        began = time.time()
        record(
            self.context,
            NewEntry(
                self.incident,
                entry,
                f"Entry {n:03d}: the error rate is still climbing",
                self.context.clock.now(),
                "said",
            ),
        )
        self.saved[entry] = time.time()
        return entry, began

    def close(self) -> None:
        self.database.dispose()


# ----------------------------------------------------------------------------- a run


def ensure_login(admin: str, handle: str) -> None:
    pg_logins.ensure_login(admin, handle, PASSWORD)


class Result:
    def __init__(self, clients: int) -> None:
        self.clients = clients
        self.samples: list[float] = []
        self.saved: list[float] = []  # writer: committed → in the database (its own view)
        #: the writer saw it saved → a client's row: the feed, the catch-up, the model
        self.propagated: list[float] = []
        self.missed = 0
        self.cpu_ms = 0.0  # mean CPU per client per entry (the client's whole process)


def measure(url, incident: int, clients: int, entries: int, writer_kind: str) -> Result:  # type: ignore[no-untyped-def]
    """``clients`` desktops with the war room open, one writer, ``entries`` entries."""
    context = multiprocessing.get_context("spawn")
    client_url = url.set(username=READER, password=PASSWORD).render_as_string(hide_password=False)
    writer_url = url.set(username=WRITER, password=PASSWORD).render_as_string(hide_password=False)
    ready, stop, results = context.Semaphore(0), context.Event(), context.Queue()
    result = Result(clients)
    rng = random.Random(12)
    with tempfile.TemporaryDirectory() as tmp:
        processes = [
            context.Process(
                target=_client, args=(client_url, incident, f"{tmp}/{n}", ready, stop, results)
            )
            for n in range(clients)
        ]
        for process in processes:
            process.start()
        writer: EditorWriter | ServiceWriter
        if writer_kind == "editor":
            writer = EditorWriter(writer_url, incident, f"{tmp}/writer")
        else:
            writer = ServiceWriter(writer_url, incident)
        for _ in processes:
            if not ready.acquire(timeout=180):
                raise SystemExit("a client did not open the war room in time")
        time.sleep(3)  # let every client settle (first paints, the bench and list loads)
        committed: list[tuple[str, float]] = []
        for n in range(entries):
            committed.append(writer.write(n))
            time.sleep(rng.uniform(0.2, 0.5))
        deadline = time.monotonic() + 60  # a backlog is late, not missed: wait for the writer
        while len(writer.saved) < len(committed) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)
        stop.set()
        answers = [results.get(timeout=120) for _ in processes]
        shown = [client for client, _busy in answers]
        if answers:
            result.cpu_ms = statistics.mean(b for _c, b in answers) * 1000 / entries
        for process in processes:
            process.join(30)
        writer.close()
    for entry, at in committed:
        if entry in writer.saved:
            result.saved.append((writer.saved[entry] - at) * 1000)
        for client in shown:
            if entry in client:
                inserted, _heard = client[entry]
                result.samples.append((inserted - at) * 1000)
                if entry in writer.saved:  # the writer's commit → this desktop's row
                    result.propagated.append((inserted - writer.saved[entry]) * 1000)
            else:
                result.missed += 1
    return result


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def line(name: str, samples: list[float], extra: str = "") -> str:
    if not samples:
        return f"  {name:<34}: no samples {extra}"
    return (
        f"  {name:<34}: p50 {statistics.median(samples):7.1f}   p95 {pct(samples, 0.95):7.1f}"
        f"   p99 {pct(samples, 0.99):7.1f}   max {max(samples):7.1f} ms   "
        f"(n={len(samples)}{extra})"
    )


def run(admin_url: str, clients: int, entries: int, writer: str, baseline_clients: int) -> None:
    admin = make_url(admin_url).set(drivername="postgresql")
    name = f"warroom_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
        database = Database(url)
        upgrade(database)
        clock = SystemClock()
        seed_demo(ServiceContext(database, "bench", FakeClock(clock.now() - timedelta(days=1))))
        database.dispose()
        db_admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
        for handle in (WRITER, READER):
            ensure_login(db_admin, handle)
        declarer = Database(url.set(username=WRITER, password=PASSWORD))
        as_writer = ServiceContext(declarer, WRITER, clock)
        incidents = [
            lifecycle.declare(as_writer, title=f"Checkout 5xx ({what})", severity="SEV1").id
            for what in ("baseline", "measured")
        ]
        declarer.dispose()
        raw = raw_listen_notify(db_admin, 200)
        single = None
        if baseline_clients:
            single = measure(url, incidents[0], baseline_clients, entries, writer)
        crowd = measure(url, incidents[1], clients, entries, writer)
    finally:
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    committed = "Enter key" if writer == "editor" else "just before record()"
    print(
        f"PostgreSQL, {clients} desktop processes (full WarroomApp, war room open), "
        f"{entries} entries, writer: {writer} (committed = {committed})"
    )
    print(line("raw LISTEN/NOTIFY round trip", raw))
    for result in (single, crowd):
        if result is None:
            continue
        title = f"shown on {result.clients} desktop" + ("s" if result.clients > 1 else "")
        if result is single:
            title += " (baseline)"
        print(line(title, result.samples, f", missed {result.missed}"))
        print(line("  writer: committed → saved", result.saved))
        print(line("  clients: saved → row in model", result.propagated))
        print(
            f"    CPU per client per entry         : {result.cpu_ms:.1f} ms "
            f"(x {result.clients} clients = {result.cpu_ms * result.clients:.0f} ms of CPU "
            f"per entry, against about {2 * 350} ms of two cores between entries)"
        )
    p99 = pct(crowd.samples, 0.99)
    if single is not None and single.samples:
        s50, s99 = statistics.median(single.samples), pct(single.samples, 0.99)
        print(
            f"  ratio to {baseline_clients} desktop(s)          : p50 "
            f"{statistics.median(crowd.samples) / s50:5.1f}x    p99 {p99 / s99:5.1f}x"
        )
    r50, r99 = statistics.median(raw), pct(raw, 0.99)
    print(
        f"  ratio to raw NOTIFY              : p50 "
        f"{statistics.median(crowd.samples) / r50:5.0f}x    p99 {p99 / r99:5.0f}x"
    )
    print(f"  target p99 <= 50 ms: {'met' if p99 <= 50 else 'MISSED'}")
    print(f"  cores {os.cpu_count()}, load average at the end {os.getloadavg()[0]:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--entries", type=int, default=100)
    parser.add_argument("--writer", choices=("editor", "service"), default="editor")
    parser.add_argument("--baseline-clients", type=int, default=1)
    args = parser.parse_args()
    run(args.postgres, args.clients, args.entries, args.writer, args.baseline_clients)
    return 0


if __name__ == "__main__":
    sys.exit(main())
