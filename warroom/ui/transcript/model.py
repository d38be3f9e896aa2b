"""The incident's timeline as a list model: every entry and event in time order, filtered by
kind, person and the search text, and kept in order as entries arrive from any desktop.

It holds plain :class:`Item` objects in two sorted lists (everything, and what the filter
lets through), so a view asks only for the rows it paints: 100,000 entries cost two Python
lists, not 100,000 widgets. New and changed entries go in by binary search, one row
inserted, removed or changed at a time, so the view keeps its scroll position and
selection while others type.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from warroom.ui.transcript.items import Item, Key, Ordered, order

_Index = QModelIndex | QPersistentModelIndex


class TimelineModel(QAbstractListModel):
    ItemRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[Item] = []
        self._all_keys: list[Key] = []
        self._rows: list[Item] = []
        self._row_keys: list[Key] = []
        self._by_uuid: dict[str, Item] = {}
        self._event_keys: set[Key] = set()
        self._kinds: frozenset[str] | None = None
        self._person = ""
        self._search = ""

    # ------------------------------------------------------------------ Qt's model

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == self.ItemRole:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return item.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.text if len(item.text) > 60 else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{item.kind}: {item.who}: {item.text}"
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # ------------------------------------------------------------------ filling

    def reset(self, items: Iterable[Item] | Ordered) -> None:
        """Everything at once (a war room opened): ``items`` in any order, or already put
        in order on the worker (:func:`order`)."""
        ordered = items if isinstance(items, Ordered) else order(items)
        self.beginResetModel()
        self._all = ordered.items
        self._all_keys = ordered.keys
        self._by_uuid = ordered.by_uuid
        self._event_keys = ordered.event_keys
        self._refilter()
        self.endResetModel()

    def clear(self) -> None:
        self.reset(())

    def put(self, item: Item) -> None:
        """Add an item, or replace the entry with the same client UUID (sent now, edited,
        done…). A deleted entry leaves the timeline."""
        if item.uuid is None:
            if item.key in self._event_keys:
                return  # the feed and the load both brought it
            self._event_keys.add(item.key)
        else:
            old = self._by_uuid.pop(item.uuid, None)
            if old is not None:
                self._remove(old)
            if item.entry is not None and item.entry.deleted:
                return
            self._by_uuid[item.uuid] = item
        shared = self._rows is self._all  # unfiltered: one list serves both
        if self._accepts(item):
            row = bisect_left(self._row_keys, item.key)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, item)
            self._row_keys.insert(row, item.key)
            self.endInsertRows()
        if not shared:
            position = bisect_left(self._all_keys, item.key)
            self._all.insert(position, item)
            self._all_keys.insert(position, item.key)

    def _remove(self, item: Item) -> None:
        shared = self._rows is self._all
        row = self._find(self._rows, self._row_keys, item)
        if row is not None:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            del self._row_keys[row]
            self.endRemoveRows()
        position = None if shared else self._find(self._all, self._all_keys, item)
        if position is not None:
            del self._all[position]
            del self._all_keys[position]

    @staticmethod
    def _find(items: Sequence[Item], keys: Sequence[Key], item: Item) -> int | None:
        position = bisect_left(keys, item.key)
        while position < len(items) and keys[position] == item.key:
            if items[position] is item:
                return position
            position += 1
        return None

    # ------------------------------------------------------------------ reading

    def item(self, row: int) -> Item:
        return self._rows[row]

    def entries(self) -> list[Item]:
        """Every entry (filtered or not), in time order."""
        return [i for i in self._all if i.uuid is not None]

    def total(self) -> int:
        return len(self._all)

    def last_entry_by(self, handle: str) -> Item | None:
        """The newest entry this person wrote that is in the database (Up arrow edits it)."""
        for item in reversed(self._all):
            if item.entry is not None and item.author == handle:
                return item
        return None

    # ------------------------------------------------------------------ the filter

    def set_filter(
        self, kinds: frozenset[str] | None = None, person: str = "", search: str = ""
    ) -> None:
        """Show only these kinds (None: all), entries about or by ``person`` and items whose
        words contain ``search`` (any case)."""
        self.beginResetModel()
        self._kinds, self._person, self._search = kinds, person, search.casefold().strip()
        self._refilter()
        self.endResetModel()

    @property
    def filtered(self) -> bool:
        return self._kinds is not None or bool(self._person) or bool(self._search)

    def _accepts(self, item: Item) -> bool:
        if self._kinds is not None and item.kind not in self._kinds:
            return False
        if self._person and self._person not in (item.who, item.author, item.owner):
            return False
        return not self._search or self._search in item.search

    def _refilter(self) -> None:
        if not self.filtered:  # the same lists: what goes into one goes into the other
            self._rows = self._all
            self._row_keys = self._all_keys
            return
        self._rows = [i for i in self._all if self._accepts(i)]
        self._row_keys = [i.key for i in self._rows]
