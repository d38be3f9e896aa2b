"""The updates an incident's stakeholders were sent, as a table: an adapter over the
service's rows, newest first, with where each delivery stands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from warroom.domain.comms import AUDIENCE_TITLE, excerpt
from warroom.ui.common.timefmt import full_time, short_time
from warroom.ui.widgets.tables import HeaderedTableModel

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.comms.updates import UpdateRow

_Index = QModelIndex | QPersistentModelIndex

DELIVERY_COLOURS = {
    "sent": QColor("#199473"),
    "retrying": QColor("#de911d"),
    "failed": QColor("#cf1124"),
}


class UpdatesModel(HeaderedTableModel):
    WHEN, AUDIENCE, STATUS, BY, DELIVERY, TEXT = range(6)
    HEADERS = ("Posted", "Audience", "Status", "By", "Delivery", "Update")

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._rows: list[UpdateRow] = []
        self._now = clock

    def set_updates(self, rows: Sequence[UpdateRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def update_at(self, row: int) -> UpdateRow:
        return self._rows[row]

    def row_total(self) -> int:
        return len(self._rows)

    def delivery_text(self, row: UpdateRow) -> str:
        if not row.deliveries:
            return "kept here"
        return "; ".join(f"{d.target}: {d.label}" for d in row.deliveries)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.WHEN:
                return short_time(row.posted_at, self._now())
            if column == self.AUDIENCE:
                return AUDIENCE_TITLE.get(row.audience, row.audience)
            if column == self.STATUS:
                return row.status
            if column == self.BY:
                return row.poster_name
            if column == self.DELIVERY:
                return self.delivery_text(row)
            if column == self.TEXT:
                return excerpt(row.body)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.WHEN:
                return full_time(row.posted_at)
            if column == self.TEXT:
                return row.body
            if column == self.BY:
                return f"@{row.posted_by}"
        if role == Qt.ItemDataRole.ForegroundRole and column == self.DELIVERY and row.deliveries:
            worst = row.deliveries[-1].state
            return DELIVERY_COLOURS.get(worst)
        return None
