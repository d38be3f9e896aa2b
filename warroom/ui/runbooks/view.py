"""The runbook library: search (full text, by service, by alert), stale ones marked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from warroom.domain.runbook_search import RunbookIndex
from warroom.ui.widgets.runbook_reader import RunbookReader

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.incidents.queries import IncidentRow
    from warroom.services.runbooks import RunbookSummary

ANY_SERVICE = "Any service"
NO_CONTEXT = "Just reading"


class RunbooksView(QWidget):
    """Signals:
    runbook_chosen(str): a runbook was chosen in the list (its slug).
    context_changed(): the incident whose progress is shown changed.
    """

    runbook_chosen = Signal(str)
    context_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summaries: dict[str, RunbookSummary] = {}
        self.index = RunbookIndex([])
        title = QLabel("Runbooks")
        title.setObjectName("viewTitle")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search every runbook: 'failover', 'DiskFull', 'dns'…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.service = QComboBox()
        self.service.addItem(ANY_SERVICE)
        self.service.currentTextChanged.connect(self._on_search_text_changed)
        self.results = QListWidget()
        self.results.setObjectName("runbookList")
        self.results.currentItemChanged.connect(self._on_results_current_item_changed)
        self.count = QLabel()
        self.count.setObjectName("viewSubtitle")
        self.context = QComboBox()
        self.context.addItem(NO_CONTEXT, None)
        self.context.currentIndexChanged.connect(self._on_context_current_index_changed)
        self.reader = RunbookReader()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.service)
        left_layout.addWidget(self.results, 1)
        left_layout.addWidget(self.count)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Progress for"))
        bar.addWidget(self.context, 1)
        right_layout.addLayout(bar)
        right_layout.addWidget(self.reader, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.addWidget(title)
        layout.addWidget(splitter, 1)

    def set_library(self, summaries: list[RunbookSummary], index: RunbookIndex) -> None:
        self.summaries = {s.slug: s for s in summaries}
        self.index = index
        services = sorted({svc for s in summaries for svc in s.services})
        current = self.service.currentText()
        self.service.blockSignals(True)
        self.service.clear()
        self.service.addItems([ANY_SERVICE, *services])
        self.service.setCurrentText(current if current in services else ANY_SERVICE)
        self.service.blockSignals(False)
        self._on_search_text_changed()

    def set_incidents(self, incidents: list[IncidentRow]) -> None:
        current = self.context.currentData()
        self.context.blockSignals(True)
        self.context.clear()
        self.context.addItem(NO_CONTEXT, None)
        for incident in incidents:
            self.context.addItem(
                f"#{incident.id} {incident.severity} {incident.title} ({incident.status})",
                incident.id,
            )
        index = self.context.findData(current)
        self.context.setCurrentIndex(index if index >= 0 else 0)
        self.context.blockSignals(False)

    def incident_id(self) -> int | None:
        data = self.context.currentData()
        return None if data is None else int(data)

    def selected_slug(self) -> str | None:
        item = self.results.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def select(self, slug: str) -> None:
        """Show one runbook, clearing the search if it hides it."""
        if slug not in self.visible_slugs():
            self.search.clear()
            self.service.setCurrentText(ANY_SERVICE)
        for row in range(self.results.count()):
            if self.results.item(row).data(Qt.ItemDataRole.UserRole) == slug:
                self.results.setCurrentRow(row)
                return

    def visible_slugs(self) -> list[str]:
        return [
            str(self.results.item(n).data(Qt.ItemDataRole.UserRole))
            for n in range(self.results.count())
        ]

    def _on_search_text_changed(self, *_: object) -> None:
        service = self.service.currentText()
        slugs = self.index.search(
            self.search.text(), service=None if service == ANY_SERVICE else service
        )
        selected = self.selected_slug()
        self.results.blockSignals(True)
        self.results.clear()
        for slug in slugs:
            summary = self.summaries.get(slug)
            if summary is None:
                continue
            item = QListWidgetItem(("⚠ " if summary.stale else "") + summary.title)
            item.setData(Qt.ItemDataRole.UserRole, slug)
            item.setToolTip(
                f"{summary.slug} · {', '.join(summary.services) or 'no service'}"
                + (" · stale: not reviewed in 90 days" if summary.stale else "")
            )
            if summary.stale:
                item.setForeground(QColor("#b44d12"))
            self.results.addItem(item)
            if slug == selected:
                self.results.setCurrentItem(item)
        self.results.blockSignals(False)
        self.count.setText(f"{self.results.count()} of {len(self.summaries)} runbooks")

    def _on_results_current_item_changed(self, current: QListWidgetItem | None, _: object) -> None:
        if current is not None:
            self.runbook_chosen.emit(str(current.data(Qt.ItemDataRole.UserRole)))

    def _on_context_current_index_changed(self, _index: int) -> None:
        self.context_changed.emit()
