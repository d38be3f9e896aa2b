"""The Activity table model: an adapter from feed events to rows, newest first.

It holds no rules. Live events arrive from the feed bridge (oldest first, each once) and are
inserted at the top; history is fetched on demand when the view scrolls to the bottom.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from warroom.domain.actors import actor_label, is_system
from warroom.domain.events import Cursor, FeedEvent, describe
from warroom.ui.common.timefmt import full_time, short_time
from warroom.ui.widgets.tables import HeaderedTableModel

_Index = QModelIndex | QPersistentModelIndex

#: Colour cue per kind of thing, so pages and incidents stand out in a busy feed.
ENTITY_COLOURS = {
    "page": QColor("#d64545"),
    "incident": QColor("#e08a1e"),
    "transcript": QColor("#8e6ad8"),
    "runbook": QColor("#2f9e6e"),
    "status_update": QColor("#2b8cc4"),
}
DEFAULT_COLOUR = QColor("#6b7785")
#: Automatic steps read differently from what people did.
SYSTEM_COLOUR = QColor("#616e7c")


class ActivityModel(HeaderedTableModel):
    """Rows of feed events, newest first.

    Signals:
        history_requested(Cursor): the view wants events older than this cursor; the owner
            fetches them off the GUI thread and calls :meth:`append_history`.
    """

    history_requested = Signal(object)

    WHEN, WHO, WHAT, INCIDENT = range(4)
    HEADERS = ("When", "Who", "What", "Incident")
    EventRole = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        zone: tzinfo | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._events: list[FeedEvent] = []  # newest first
        self._seen: set[int] = set()
        self._names: dict[str, str] = {}
        self._now = clock
        self._zone = zone
        self._history_exhausted = False
        self._history_pending = False

    # ------------------------------------------------------------------ feeding

    def add_live(self, events: Sequence[FeedEvent]) -> None:
        """Insert events that just committed (given oldest first) at the top."""
        fresh = [event for event in events if event.id not in self._seen]
        if not fresh:
            return
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self._events[0:0] = reversed(fresh)
        self._seen.update(event.id for event in fresh)
        self.endInsertRows()

    def append_history(self, events: Sequence[FeedEvent]) -> None:
        """Add older events (given newest first) at the bottom; none means no more history."""
        self._history_pending = False
        older = [event for event in events if event.id not in self._seen]
        if not events:
            self._history_exhausted = True
        if not older:
            return
        first = len(self._events)
        self.beginInsertRows(QModelIndex(), first, first + len(older) - 1)
        self._events.extend(older)
        self._seen.update(event.id for event in older)
        self.endInsertRows()

    def set_display_names(self, names: dict[str, str]) -> None:
        """Handles (or database logins) to people's names, for the Who column."""
        self._names = dict(names)
        if self._events:
            self.dataChanged.emit(
                self.index(0, self.WHO), self.index(len(self._events) - 1, self.WHO)
            )

    def event_at(self, row: int) -> FeedEvent:
        return self._events[row]

    # ------------------------------------------------------------------ Qt API

    def row_total(self) -> int:
        return len(self._events)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._events):
            return None
        event = self._events[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.WHEN:
                return short_time(event.at, self._now(), self._zone)
            if column == self.WHO:
                if is_system(event.actor):
                    return f"⚙ {actor_label(event.actor)}"
                return self._names.get(event.actor, event.actor)
            if column == self.WHAT:
                return describe(event)
            if column == self.INCIDENT:
                return f"#{event.incident_id}" if event.incident_id else ""
        elif role == Qt.ItemDataRole.ToolTipRole:
            if column == self.WHEN:
                return full_time(event.at, self._zone)
            if column == self.WHO:
                return self._who_tip(event)
            return f"{event.topic} · {event.entity} {event.entity_id}"
        elif role == Qt.ItemDataRole.ForegroundRole and column == self.WHO:
            return SYSTEM_COLOUR if is_system(event.actor) else None
        elif role == Qt.ItemDataRole.DecorationRole and column == self.WHAT:
            return ENTITY_COLOURS.get(event.entity, DEFAULT_COLOUR)
        elif role == self.EventRole:
            return event
        return None

    def _who_tip(self, event: FeedEvent) -> str:
        if not is_system(event.actor):
            return f"@{event.actor}"
        run_by = event.payload.get("run_by")
        where = ""
        if isinstance(run_by, dict) and run_by.get("login"):
            where = f", run by {run_by['login']} on {run_by.get('host') or 'an unknown host'}"
        return f"An automatic step ({actor_label(event.actor)}{where})"

    def canFetchMore(self, parent: _Index) -> bool:
        if parent.isValid():
            return False
        return bool(self._events) and not self._history_exhausted and not self._history_pending

    def fetchMore(self, parent: _Index) -> None:
        if not self.canFetchMore(parent):
            return
        self._history_pending = True
        oldest = self._events[-1]
        self.history_requested.emit(Cursor(oldest.tx, oldest.id))
