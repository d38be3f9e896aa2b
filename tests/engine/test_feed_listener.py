"""The listener survives lost connections and restarts and catches up with nothing lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.engine import make_url

from warroom.domain.events import Cursor, FeedEvent, NewEvent
from warroom.engine.feed_listener import FeedListener, FeedStatus
from warroom.store.database import Database
from warroom.store.feed import append_events
from warroom.store.schema import upgrade

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class Recorder:
    def __init__(self) -> None:
        self.events: list[FeedEvent] = []
        self.statuses: list[FeedStatus] = []
        self.lock = threading.Lock()

    def on_events(self, events: list[FeedEvent]) -> None:
        with self.lock:
            self.events.extend(events)

    def on_status(self, status: FeedStatus) -> None:
        with self.lock:
            self.statuses.append(status)

    def topics(self) -> list[str]:
        with self.lock:
            return [e.topic for e in self.events]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.01)
        raise AssertionError(f"timed out; events={self.topics()} statuses={self.statuses}")


def _start_listener(database: Database, recorder: Recorder) -> FeedListener:
    """A listener that reconnects quickly, for the tests that break its connection."""
    listener = FeedListener(
        database,
        recorder.on_events,
        recorder.on_status,
        start_after=Cursor(),
        slow_poll=0.5,
        max_backoff=0.5,
    )
    listener.start()
    return listener


def _write(database: Database, topic: str) -> None:
    with database.transaction() as session:
        append_events(session, "tester", NOW, [NewEvent(topic, "thing", "1")])


def test_the_listener_starts_with_the_recent_backlog_then_goes_live(database: Database) -> None:
    for n in range(5):
        _write(database, f"old.e{n}")
    recorder = Recorder()
    listener = FeedListener(
        database, recorder.on_events, recorder.on_status, backlog=3, slow_poll=5.0
    )
    listener.start()
    try:
        recorder.wait_for(lambda: len(recorder.events) == 3)
        assert recorder.topics() == ["old.e2", "old.e3", "old.e4"]
        _write(database, "new.live")
        # woken by NOTIFY / data_version, well before the 5 s slow poll
        started = time.monotonic()
        recorder.wait_for(lambda: "new.live" in recorder.topics(), timeout=4.0)
        assert time.monotonic() - started < 2.0
    finally:
        listener.stop()
    assert recorder.statuses[0].connected


def test_the_listener_survives_its_connection_being_killed(postgres_url: str) -> None:
    database = Database(make_url(postgres_url))
    recorder = Recorder()
    listener = _start_listener(database, recorder)
    try:
        _write(database, "before.kill")
        recorder.wait_for(lambda: "before.kill" in recorder.topics())
        with database.engine.connect() as connection:
            killed = (
                connection.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'warroom-listener' AND datname = current_database()"
                )
                .scalars()
                .all()
            )
        assert killed == [True]
        _write(database, "while.dead")
        _write(database, "after.kill")
        recorder.wait_for(lambda: "after.kill" in recorder.topics())
        recorder.wait_for(lambda: any(not s.connected for s in recorder.statuses))
        recorder.wait_for(lambda: recorder.statuses[-1].connected)
    finally:
        listener.stop()
        database.dispose()
    assert recorder.topics() == ["before.kill", "while.dead", "after.kill"]


# ----------------------------------------------------------------------------- a server restart


def test_the_listener_survives_a_database_restart(private_postgres) -> None:
    url, restart = private_postgres
    database = Database(make_url(url))
    upgrade(database)
    recorder = Recorder()
    listener = _start_listener(database, recorder)
    try:
        _write(database, "before.restart")
        recorder.wait_for(lambda: "before.restart" in recorder.topics())
        restart()
        _write(database, "after.restart")  # pool_pre_ping replaces the dead connections
        recorder.wait_for(lambda: "after.restart" in recorder.topics(), timeout=30)
        recorder.wait_for(lambda: recorder.statuses[-1].connected)
    finally:
        listener.stop()
        database.dispose()
    assert recorder.topics() == ["before.restart", "after.restart"]
    assert any(not status.connected for status in recorder.statuses)
