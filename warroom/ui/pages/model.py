"""Pages as rows, most recent first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from warroom.services.pages_view import PageRow
from warroom.ui.timefmt import short_time
from warroom.ui.widgets.tables import HeaderedTableModel

_Index = QModelIndex | QPersistentModelIndex
STATE_COLOURS = {
    "triggered": QColor("#cf1124"),
    "acknowledged": QColor("#de911d"),
    "deferred": QColor("#616e7c"),
    "resolved": QColor("#199473"),
}


class PagesModel(HeaderedTableModel):
    ID, STATE, URGENCY, SERVICE, SUMMARY, TRIGGERED, RUNBOOK = range(7)
    HEADERS = ("#", "State", "Urgency", "Service", "Summary", "Triggered", "Runbook")

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._rows: list[PageRow] = []
        self._now = clock

    def set_pages(self, rows: Sequence[PageRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def page_at(self, row: int) -> PageRow:
        return self._rows[row]

    def row_of(self, page_id: int) -> int | None:
        return next((n for n, r in enumerate(self._rows) if r.id == page_id), None)

    def row_total(self) -> int:
        return len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        page, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                self.ID: f"#{page.id}",
                self.STATE: page.state,
                self.URGENCY: page.urgency,
                self.SERVICE: page.service,
                self.SUMMARY: page.summary
                + (f"  (×{page.occurrences})" if page.occurrences > 1 else ""),
                self.TRIGGERED: short_time(page.triggered_at, self._now()),
                self.RUNBOOK: page.runbook_title or "⚠ no runbook",
            }.get(column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.STATE:
                return STATE_COLOURS.get(page.state)
            if column == self.RUNBOOK and page.runbook_slug is None:
                return QColor("#cf1124")
        if role == Qt.ItemDataRole.ToolTipRole and column == self.SUMMARY:
            return page.summary
        return None
