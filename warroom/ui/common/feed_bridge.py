"""Turns the engine's change-feed listener into Qt signals on the GUI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from warroom.domain.events import FeedEvent

if TYPE_CHECKING:  # the engine pulls in SQLAlchemy; it is imported once a database is open
    from warroom.engine.feed_listener import FeedListener, FeedStatus
    from warroom.store.database import Database


class FeedBridge(QObject):
    """Owns the listener thread; its callbacks become queued signals.

    Signals:
        events_arrived(list[FeedEvent]): new committed events, oldest first, each exactly once.
        connection_changed(bool, str): the feed connected (True) or lost its connection
            (False, with the sentence to show).
    """

    events_arrived = Signal(list)
    connection_changed = Signal(bool, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._listener: FeedListener | None = None

    def start(self, database: Database, *, backlog: int = 200, slow_poll: float = 2.0) -> None:
        from warroom.engine.feed_listener import FeedListener

        self.stop()
        self._listener = FeedListener(
            database,
            on_events=self._on_listener_events,
            on_status=self._on_listener_status,
            backlog=backlog,
            slow_poll=slow_poll,
        )
        self._listener.start()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def wake(self) -> None:
        if self._listener is not None:
            self._listener.wake()

    # These run on the listener's thread: emitting is all they may do (queued to the GUI).
    def _on_listener_events(self, events: list[FeedEvent]) -> None:
        self.events_arrived.emit(events)

    def _on_listener_status(self, status: FeedStatus) -> None:
        self.connection_changed.emit(status.connected, status.message)
