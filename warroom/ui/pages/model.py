"""Pages as rows, most recent first, filtered by state, service and "told me"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from warroom.ui.common.timefmt import full_time, short_time
from warroom.ui.widgets.tables import HeaderedTableModel

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.paging.queries import PageRow

_Index = QModelIndex | QPersistentModelIndex
STATE_COLOURS = {
    "triggered": QColor("#cf1124"),
    "acknowledged": QColor("#de911d"),
    "deferred": QColor("#616e7c"),
    "resolved": QColor("#199473"),
}
#: Open pages first in the state filter, the way a responder reads them.
STATES = ("triggered", "acknowledged", "deferred", "resolved")


class PagesModel(HeaderedTableModel):
    """An adapter over :class:`PageRow` values.

    Filtering happens here (a pass over at most a few hundred rows and a reset), which keeps
    ``row_of``/``page_at`` in the view's own row numbers.
    """

    ID, STATE, URGENCY, SERVICE, SUMMARY, LEVEL, TRIGGERED, RUNBOOK = range(8)
    HEADERS = ("#", "State", "Urgency", "Service", "Summary", "Level", "Triggered", "Runbook")
    PageRole = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._all: list[PageRow] = []
        self._rows: list[PageRow] = []
        self._now = clock
        self._states: frozenset[str] | None = None
        self._service: str | None = None
        self._mine = False
        self._bold = QFont()
        self._bold.setBold(True)

    # ------------------------------------------------------------------ feeding

    def set_pages(self, rows: Sequence[PageRow]) -> None:
        self._all = list(rows)
        self._apply()

    def set_filter(self, *, states: frozenset[str] | None, service: str | None, mine: bool) -> None:
        """``None`` for any state or service; ``mine``: only pages the viewer was told about."""
        self._states, self._service, self._mine = states, service, mine
        self._apply()

    def _apply(self) -> None:
        self.beginResetModel()
        self._rows = [
            row
            for row in self._all
            if (self._states is None or row.state in self._states)
            and (self._service is None or row.service == self._service)
            and (not self._mine or row.mine)
        ]
        self.endResetModel()

    def services(self) -> list[str]:
        return sorted({row.service for row in self._all})

    def all_pages(self) -> list[PageRow]:
        return list(self._all)

    def page_at(self, row: int) -> PageRow:
        return self._rows[row]

    def row_of(self, page_id: int) -> int | None:
        return next((n for n, r in enumerate(self._rows) if r.id == page_id), None)

    # ------------------------------------------------------------------ Qt API

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
                self.SUMMARY: ("⚑ " if page.note else "")
                + page.summary
                + (f"  (×{page.occurrences})" if page.occurrences > 1 else ""),
                self.LEVEL: str(page.level),
                self.TRIGGERED: short_time(page.triggered_at, self._now()),
                self.RUNBOOK: page.runbook_title or "⚠ no runbook",
            }.get(column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.STATE:
                return STATE_COLOURS.get(page.state)
            if column == self.RUNBOOK and page.runbook_slug is None:
                return QColor("#cf1124")
            if column == self.SUMMARY and page.note:
                return QColor("#b44d12")
        if role == Qt.ItemDataRole.FontRole and page.mine and page.state != "resolved":
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.SUMMARY:
                return f"{page.summary}\n⚑ {page.note}" if page.note else page.summary
            if column == self.TRIGGERED:
                return full_time(page.triggered_at)
            if column == self.ID and page.mine:
                return "You were told about this page"
        if role == self.PageRole:
            return page
        return None
