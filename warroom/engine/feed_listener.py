"""The change-feed listener: a thread that wakes on commits and delivers new events once each.

It never trusts the wake-up alone. Catch-up runs after every wake-up, after every reconnect
and on a slow timer, because a listener whose connection died silently hears nothing.
Delivery is through plain callbacks; the UI turns them into Qt signals.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from warroom.domain.events import Cursor, FeedEvent
from warroom.store.database import Database, explain_database_error
from warroom.store.feed import (
    PostgresNotifyWaiter,
    SqliteVersionWaiter,
    Waiter,
    read_after,
    read_latest,
)

log = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True)
class FeedStatus:
    """Whether the listener is connected; ``message`` says why not, for a banner."""

    connected: bool
    message: str = ""


EventsCallback = Callable[[list[FeedEvent]], None]
StatusCallback = Callable[[FeedStatus], None]


def make_waiter(database: Database) -> Waiter:
    if database.is_postgresql:
        return PostgresNotifyWaiter(database.url)
    assert database.url.database
    return SqliteVersionWaiter(database.url.database)


class FeedListener:
    """Delivers each committed event exactly once, in ``(tx, id)`` order, to ``on_events``.

    ``start_after`` is a cursor to resume from; when None the listener first delivers the
    newest ``backlog`` events, so a view can show recent history and then live changes with no
    race between the two.
    """

    def __init__(
        self,
        database: Database,
        on_events: EventsCallback,
        on_status: StatusCallback | None = None,
        *,
        start_after: Cursor | None = None,
        backlog: int = 200,
        slow_poll: float = 2.0,
        max_backoff: float = 5.0,
        waiter_factory: Callable[[Database], Waiter] = make_waiter,
    ) -> None:
        self._database = database
        self._on_events = on_events
        self._on_status = on_status or (lambda status: None)
        self._cursor = start_after
        self._backlog = backlog
        self._slow_poll = slow_poll
        self._max_backoff = max_backoff
        self._waiter_factory = waiter_factory
        self._stop = threading.Event()
        self._waiter: Waiter | None = None
        self._connection: Connection | None = None  # held for catch-ups: no pool round trips
        self._waiter_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="warroom-feed", daemon=True)
        self.connected = False

    @property
    def cursor(self) -> Cursor | None:
        return self._cursor

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._waiter_lock:
            if self._waiter is not None:
                self._waiter.interrupt()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def wake(self) -> None:
        """Ask for a catch-up now (e.g. after the computer resumes from suspend)."""
        with self._waiter_lock:
            if self._waiter is not None:
                self._waiter.interrupt()

    # ------------------------------------------------------------------ thread

    def _run(self) -> None:
        backoff = 0.25
        while not self._stop.is_set():
            try:
                self._connect()
                backoff = 0.25
                while not self._stop.is_set():
                    self._catch_up()
                    assert self._waiter is not None
                    self._waiter.wait(self._slow_poll)
            except Exception as exc:  # any failure: report, reconnect, catch up
                self._disconnect()
                message = str(explain_database_error(exc, self._database.url))
                log.warning("change feed interrupted: %s", message)
                self._set_status(FeedStatus(False, message))
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self._max_backoff)
        self._disconnect()

    def _connect(self) -> None:
        # Listen first, then catch up: a commit between the two still wakes the next wait.
        waiter = self._waiter_factory(self._database)
        with self._waiter_lock:
            self._waiter = waiter
        connection = self._database.read_engine.connect()
        if self._database.is_postgresql:
            # Each catch-up is one statement with its own snapshot: no BEGIN/ROLLBACK trips.
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        self._connection = connection
        self._set_status(FeedStatus(True))

    def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.invalidate()  # it may be dead; never hand it back to the pool
                connection.close()
            except Exception:
                log.debug("closing the feed connection failed", exc_info=True)
        with self._waiter_lock:
            waiter, self._waiter = self._waiter, None
        if waiter is not None:
            try:
                waiter.close()
            except Exception:  # closing a broken connection may fail; it is gone either way
                log.debug("closing the feed waiter failed", exc_info=True)

    def _catch_up(self) -> None:
        connection = self._connection
        assert connection is not None
        if self._cursor is None:
            events, cursor = read_latest(connection, self._backlog)
            connection.rollback()
            self._cursor = cursor
            if events:
                self._on_events(events)
        while not self._stop.is_set():
            batch = read_after(connection, self._cursor, BATCH)
            connection.rollback()  # end the read transaction: a fresh snapshot next time
            if not batch:
                return
            self._on_events(batch)
            self._cursor = batch[-1].cursor
            if len(batch) < BATCH:
                return

    def _set_status(self, status: FeedStatus) -> None:
        if status.connected != self.connected or not status.connected:
            self.connected = status.connected
            self._on_status(status)
