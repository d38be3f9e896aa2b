"""Change-feed latency: a writer's commit → a subscriber's callback.

    .venv/bin/python tests/benchmarks/feed_latency.py [--postgres URL] [--events 200]

PostgreSQL: 20 subscribers, each a FeedListener in its own process with its own connections
(20 desktop clients, all squeezed onto this machine's cores), against a raw psycopg
LISTEN/NOTIFY round trip measured in the same run.
SQLite: one subscriber in a second process polling ``PRAGMA data_version``, against a raw
poll of the same pragma at the same interval in a second process.

Latency is measured from just before the writer's COMMIT to the callback, on the wall clock
the processes share.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from warroom.domain.events import Cursor, FeedEvent, NewEvent
from warroom.engine.feed_listener import FeedListener
from warroom.store.database import Database
from warroom.store.feed import append_events
from warroom.store.schema import upgrade

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return p50, p99


def report(name: str, samples: list[float], baseline: list[float], target: float) -> None:
    p50, p99 = percentiles(samples)
    b50, b99 = percentiles(baseline)
    print(f"{name}")
    print(f"  raw baseline      : p50 {b50:7.2f} ms   p99 {b99:7.2f} ms   (n={len(baseline)})")
    print(f"  warroom feed      : p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   (n={len(samples)})")
    print(f"  ratio to baseline : p50 {p50 / b50:5.1f}x    p99 {p99 / b99:5.1f}x")
    print(f"  target p99 <= {target:.0f} ms: {'met' if p99 <= target else 'MISSED'}")


# ----------------------------------------------------------------------------- PostgreSQL


def raw_listen_notify(conninfo: str, events: int) -> list[float]:
    samples: list[float] = []
    listener = psycopg.connect(conninfo, autocommit=True)
    listener.execute("LISTEN bench")
    done = threading.Event()

    def listen() -> None:
        for notify in listener.notifies():
            samples.append((time.perf_counter() - float(notify.payload)) * 1000)
            if len(samples) >= events:
                done.set()
                break

    thread = threading.Thread(target=listen)
    thread.start()
    with psycopg.connect(conninfo, autocommit=True) as writer:
        for _ in range(events):
            writer.execute("SELECT pg_notify('bench', %s)", (repr(time.perf_counter()),))
            time.sleep(0.01)
    done.wait(10)
    thread.join(5)
    listener.close()
    return samples


def _feed_subscriber(url: str, events: int, ready, results) -> None:  # type: ignore[no-untyped-def]
    """One desktop client: its own process, database connections and listener thread."""
    samples: list[float] = []
    done = threading.Event()

    def on_events(batch: list[FeedEvent]) -> None:
        now = time.time()
        for event in batch:
            samples.append((now - float(event.payload["t"])) * 1000)
        if len(samples) >= events:
            done.set()

    database = Database(make_url(url))
    listener = FeedListener(database, on_events, start_after=Cursor(), slow_poll=5.0)
    listener.start()
    while not listener.connected:
        time.sleep(0.01)
    ready.release()
    done.wait(60)
    listener.stop()
    database.dispose()
    results.put(samples)


def postgres_feed(url: str, subscribers: int, events: int) -> list[float]:
    context = multiprocessing.get_context("spawn")
    ready, results = context.Semaphore(0), context.Queue()
    processes = [
        context.Process(target=_feed_subscriber, args=(url, events, ready, results))
        for _ in range(subscribers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire(timeout=60)
    time.sleep(0.5)
    writer = Database(make_url(url))
    for n in range(events):
        with writer.transaction() as session:
            append_events(
                session,
                "bench",
                NOW,
                [NewEvent("bench.tick", "bench", str(n), {"t": repr(time.time())})],
            )
        time.sleep(0.02)
    samples: list[float] = []
    for _ in processes:
        samples.extend(results.get(timeout=60))
    for process in processes:
        process.join(10)
    writer.dispose()
    return samples


def run_postgres(admin_url: str, subscribers: int, events: int) -> None:
    admin = make_url(admin_url).set(drivername="postgresql")
    name = f"warroom_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
        database = Database(url)
        upgrade(database)
        database.dispose()
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        baseline = raw_listen_notify(conninfo, events)
        samples = postgres_feed(url.render_as_string(hide_password=False), subscribers, events)
        report(f"PostgreSQL, {subscribers} subscribers, {events} commits", samples, baseline, 25)
    finally:
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ----------------------------------------------------------------------------- SQLite


def _sqlite_feed_subscriber(path: str, events: int, ready, results) -> None:  # type: ignore[no-untyped-def]
    _feed_subscriber(f"sqlite:///{path}", events, ready, results)


def _sqlite_raw_subscriber(path: str, events: int, ready, results) -> None:  # type: ignore[no-untyped-def]
    connection = sqlite3.connect(path, isolation_level=None)
    version = connection.execute("PRAGMA data_version").fetchone()[0]
    samples: list[float] = []
    ready.release()
    while len(samples) < events:
        time.sleep(0.02)  # the same interval the feed's SQLite waiter polls at
        current = connection.execute("PRAGMA data_version").fetchone()[0]
        if current != version:
            version = current
            rows = connection.execute(
                "SELECT payload FROM events ORDER BY id DESC LIMIT 1"
            ).fetchall()
            import json

            samples.append((time.time() - float(json.loads(rows[0][0])["t"])) * 1000)
    results.put(samples)


def run_sqlite(events: int) -> None:
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:

        def drive(target) -> list[float]:  # type: ignore[no-untyped-def]
            path = str(Path(tmp) / f"{target.__name__}.db")  # a fresh feed for each run
            database = Database(make_url(f"sqlite:///{path}"))
            upgrade(database)
            ready, results = context.Semaphore(0), context.Queue()
            process = context.Process(target=target, args=(path, events, ready, results))
            process.start()
            ready.acquire(timeout=30)
            time.sleep(0.5)
            for n in range(events):
                with database.transaction() as session:
                    append_events(
                        session,
                        "bench",
                        NOW,
                        [NewEvent("bench.tick", "bench", str(n), {"t": repr(time.time())})],
                    )
                time.sleep(0.03)
            samples = results.get(timeout=60)
            process.join(10)
            database.dispose()
            return samples

        baseline = drive(_sqlite_raw_subscriber)
        samples = drive(_sqlite_feed_subscriber)
    report(f"SQLite, subscriber in a second process, {events} commits", samples, baseline, 150)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--subscribers", type=int, default=20)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    run_postgres(args.postgres, args.subscribers, args.events)
    run_sqlite(args.events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
