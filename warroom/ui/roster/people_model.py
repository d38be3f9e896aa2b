"""People on the roster as a table, with a fast filter by text and by expertise."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from warroom.services.roster_view import PersonRow
from warroom.ui.timefmt import short_time

_Index = QModelIndex | QPersistentModelIndex


def is_night(hour: int) -> bool:
    """Night for the person: 22:00 to 07:00 in their own zone."""
    return hour >= 22 or hour < 7


class PeopleModel(QAbstractTableModel):
    """An adapter over :class:`PersonRow` values; the local-time column follows the clock."""

    NAME, HANDLE, TEAM, LOCAL_TIME, ON_CALL, EXPERTISE = range(6)
    HEADERS = ("Name", "Handle", "Team", "Local time", "On call", "Expertise")
    SearchRole = Qt.ItemDataRole.UserRole + 1
    ExpertiseRole = Qt.ItemDataRole.UserRole + 2

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._rows: list[PersonRow] = []
        self._search: list[str] = []
        self._zones: dict[str, ZoneInfo] = {}
        self._now = clock

    def set_people(self, rows: Sequence[PersonRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        # Precomputed once per load, so a keystroke only does substring tests.
        self._search = [
            " ".join((r.name, r.handle, *r.teams, *r.expertise, *r.on_call_now)).lower()
            for r in self._rows
        ]
        self._zones = {r.time_zone: ZoneInfo(r.time_zone) for r in self._rows}
        self.endResetModel()

    def row_at(self, row: int) -> PersonRow:
        return self._rows[row]

    def tick(self) -> None:
        """The clock moved: local times and night cues change."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, self.LOCAL_TIME), self.index(len(self._rows) - 1, self.LOCAL_TIME)
            )

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == self.SearchRole:
            return self._search[index.row()]
        if role == self.ExpertiseRole:
            return row.expertise
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.LOCAL_TIME:
            return row.time_zone
        if role == Qt.ItemDataRole.ToolTipRole and column == self.ON_CALL and row.next_on_call:
            return f"next: {row.next_schedule} from {row.next_on_call.astimezone():%a %d %b %H:%M}"
        return None

    def _display(self, row: PersonRow, column: int) -> str | None:
        if column == self.NAME:
            return row.name
        if column == self.HANDLE:
            return f"@{row.handle}"
        if column == self.TEAM:
            return ", ".join(row.teams)
        if column == self.LOCAL_TIME:
            local = self._now().astimezone(self._zones[row.time_zone])
            cue = "☾" if is_night(local.hour) else "☀"
            return (
                f"{cue} {local:%H:%M} {local:%a}  {row.time_zone.split('/')[-1].replace('_', ' ')}"
            )
        if column == self.ON_CALL:
            if row.on_call_now:
                return "NOW · " + ", ".join(row.on_call_now)
            if row.next_on_call:
                return f"next {short_time(row.next_on_call, self._now())} · {row.next_schedule}"
            return ""
        if column == self.EXPERTISE:
            return ", ".join(row.expertise)
        return None


class PeopleFilter(QSortFilterProxyModel):
    """Filters by words (all must match, anywhere in the row) and by one expertise tag."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._expertise: str | None = None

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.lower().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_expertise(self, tag: str | None) -> None:
        self.beginFilterChange()
        self._expertise = tag or None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if self._expertise and self._expertise not in model.data(index, PeopleModel.ExpertiseRole):
            return False
        if self._words:
            haystack = model.data(index, PeopleModel.SearchRole)
            return all(word in haystack for word in self._words)
        return True
