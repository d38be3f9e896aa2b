"""The pages list; choosing a page opens its runbook beside it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from warroom.services.pages_view import PageRow
from warroom.ui.pages.model import PagesModel
from warroom.ui.runbooks.reader import RunbookReader
from warroom.ui.widgets.tables import read_only_rows_table


class PagesView(QWidget):
    """Signals:
    page_chosen(object): a page was selected (a :class:`PageRow`); the owner loads its
        runbook into :attr:`reader` with that page's progress.
    """

    page_chosen = Signal(object)

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = PagesModel(clock, self)
        title = QLabel("Pages")
        title.setObjectName("viewTitle")
        subtitle = QLabel("Every alert that reached a person. Choose one to see its runbook.")
        subtitle.setObjectName("viewSubtitle")
        self.held = QLabel()
        self.held.setObjectName("heldPages")
        self.held.setStyleSheet("color: #616e7c; font-weight: 600;")
        self.table = read_only_rows_table("pagesTable")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in ((0, 50), (1, 105), (2, 70), (3, 160), (4, 380), (5, 120)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.reader = RunbookReader()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.reader)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addWidget(self.held)
        layout.addWidget(splitter, 1)
        self.current: PageRow | None = None

    def set_pages(self, rows: list[PageRow]) -> None:
        keep = self.current.id if self.current else None
        self.model.set_pages(rows)
        held = sum(1 for row in rows if row.state == "deferred")
        self.held.setText(f"Waiting for business hours — {held} held" if held else "")
        self.held.setVisible(bool(held))
        if keep is not None:
            row = self.model.row_of(keep)
            if row is not None:
                self.table.selectRow(row)

    def open_page(self, page_id: int) -> None:
        """Select a page (e.g. from a notification) so its runbook opens beside it."""
        row = self.model.row_of(page_id)
        if row is not None:
            self.table.selectRow(row)

    def _on_table_selection_changed(self, selected: QItemSelection, _: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        page = self.model.page_at(indexes[0].row())
        if self.current is None or page.id != self.current.id:
            self.current = page
            self.page_chosen.emit(page)
