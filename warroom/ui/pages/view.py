"""The Pages workspace: every page, filtered; the chosen one in full beside its runbook, and
acted on from buttons, a context menu or the keyboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from warroom.ui.pages.detail import PageDetailPanel
from warroom.ui.pages.model import STATES, PagesModel
from warroom.ui.widgets.runbook_reader import RunbookReader
from warroom.ui.widgets.tables import read_only_rows_table

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.paging.queries import PageRow

ANY_STATE = "Any state"
OPEN_STATES = "Open (not resolved)"
ANY_SERVICE = "Any service"


class ExpertiseDialog:
    """Asks which expertise to escalate to (tests monkeypatch ``ask``)."""

    @classmethod
    def ask(cls, parent: QWidget, tags: list[str]) -> str | None:
        tag, accepted = QInputDialog.getItem(
            parent,
            "Escalate to an expert",
            "The on-call expert for which expertise? (those on call now are paged first)",
            tags,
            0,
            True,
        )
        return tag.strip().lower() if accepted and tag.strip() else None


class PagesView(QWidget):
    """Signals (each with the page's id):
    page_chosen(object): a page was selected (a :class:`PageRow`); the owner loads it.
    acknowledge_requested(int), resolve_requested(int): the user asked for it.
    escalate_requested(int, str): to the next level (""), or to an expertise.
    open_runbook_requested(str): show this runbook (slug) in the Runbooks view.
    link_copied(str): a link to the page is on the clipboard.
    declare_requested(int, str): declare an incident from this page (its id, summary).
    open_incident_requested(int): show the incident this page belongs to.
    """

    page_chosen = Signal(object)
    acknowledge_requested = Signal(int)
    resolve_requested = Signal(int)
    escalate_requested = Signal(int, str)
    open_runbook_requested = Signal(str)
    link_copied = Signal(str)
    declare_requested = Signal(int, str)
    open_incident_requested = Signal(int)

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = PagesModel(clock, self)
        self.expertise: list[str] = []
        self.current: PageRow | None = None
        title = QLabel("Pages")
        title.setObjectName("viewTitle")
        subtitle = QLabel(
            "Every alert that reached a person. Choose one to act on it beside its runbook: "
            "A acknowledge · R resolve · E escalate · O open runbook."
        )
        subtitle.setObjectName("viewSubtitle")
        subtitle.setWordWrap(True)
        self.held = QLabel()
        self.held.setObjectName("heldPages")
        self.held.setStyleSheet("color: #616e7c; font-weight: 600;")

        self.state_filter = QComboBox()
        self.state_filter.addItem(ANY_STATE, None)
        self.state_filter.addItem(OPEN_STATES, "open")
        for state in STATES:
            self.state_filter.addItem(state.capitalize(), state)
        self.service_filter = QComboBox()
        self.service_filter.addItem(ANY_SERVICE, None)
        self.mine = QCheckBox("Only pages I was told about")
        for signal in (
            self.state_filter.currentIndexChanged,
            self.service_filter.currentIndexChanged,
            self.mine.toggled,
        ):
            signal.connect(self._on_filter_changed)
        filters = QHBoxLayout()
        filters.addWidget(self.state_filter)
        filters.addWidget(self.service_filter)
        filters.addWidget(self.mine)
        filters.addStretch(1)
        filters.addWidget(self.held)

        self.table = read_only_rows_table("pagesTable")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(True)
        widths = ((0, 50), (1, 100), (2, 64), (3, 140), (4, 360), (5, 48), (6, 110))
        for column, width in widths:
            self.table.setColumnWidth(column, width)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu_requested)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.model.modelReset.connect(self._on_model_reset)

        self.detail = PageDetailPanel(clock)
        self.reader = RunbookReader()
        self.empty = QLabel("No page matches these filters.")
        self.empty.setObjectName("emptyHint")
        self.empty.hide()
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(filters)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.empty)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.detail)
        bottom.addWidget(self.reader)
        bottom.setStretchFactor(0, 2)
        bottom.setStretchFactor(1, 3)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addWidget(splitter, 1)

        self.page_actions = self._make_actions()
        self.detail.acknowledge.clicked.connect(self.page_actions["acknowledge"].trigger)
        self.detail.resolve.clicked.connect(self.page_actions["resolve"].trigger)
        self.detail.escalate.clicked.connect(self.page_actions["escalate"].trigger)
        escalate_menu = QMenu(self.detail.escalate)
        escalate_menu.addAction(self.page_actions["escalate"])
        escalate_menu.addAction(self.page_actions["expert"])
        self.detail.escalate.setMenu(escalate_menu)
        self.detail.open_runbook.clicked.connect(self.page_actions["runbook"].trigger)
        self.detail.copy_link.clicked.connect(self.page_actions["link"].trigger)
        self.detail.incident.clicked.connect(self.page_actions["incident"].trigger)
        self._update_actions()

    def _make_actions(self) -> dict[str, QAction]:
        """One action per thing a responder can do; the buttons, the context menu and the
        keyboard shortcuts (active anywhere in this view) all trigger the same ones."""
        specs = (
            ("acknowledge", "Acknowledge", "A", self._on_acknowledge_triggered),
            ("resolve", "Resolve", "R", self._on_resolve_triggered),
            ("escalate", "Escalate to the next level", "E", self._on_escalate_triggered),
            ("expert", "Escalate to an expertise…", "Shift+E", self._on_expert_triggered),
            ("runbook", "Open runbook", "O", self._on_runbook_triggered),
            ("link", "Copy link", "Ctrl+Shift+C", self._on_link_triggered),
            ("incident", "Declare incident…", "D", self._on_incident_triggered),
        )
        actions: dict[str, QAction] = {}
        for key, text, keys, slot in specs:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            actions[key] = action
        # Delete would be a trap here; Escape leaves the detail, as everywhere else.
        QShortcut(QKeySequence("Escape"), self.table, self.table.clearSelection)
        return actions

    # ------------------------------------------------------------------ data

    def set_pages(self, rows: list[PageRow]) -> None:
        keep = self.current.id if self.current else None
        services = sorted({row.service for row in rows})
        chosen = self.service_filter.currentData()
        self.service_filter.blockSignals(True)
        self.service_filter.clear()
        self.service_filter.addItem(ANY_SERVICE, None)
        for service in services:
            self.service_filter.addItem(service, service)
        index = self.service_filter.findData(chosen)
        self.service_filter.setCurrentIndex(index if index >= 0 else 0)
        self.service_filter.blockSignals(False)
        self.model.set_pages(rows)
        self._apply_filter()
        held = sum(1 for row in rows if row.state == "deferred")
        self.held.setText(f"Waiting for business hours — {held} held" if held else "")
        self.held.setVisible(bool(held))
        if keep is not None:
            self.open_page(keep)

    def open_page(self, page_id: int) -> bool:
        """Select a page (e.g. from a notification); filters that hide it are cleared."""
        row = self.model.row_of(page_id)
        if row is None and any(p.id == page_id for p in self.model.all_pages()):
            self.state_filter.setCurrentIndex(0)
            self.service_filter.setCurrentIndex(0)
            self.mine.setChecked(False)
            row = self.model.row_of(page_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def _apply_filter(self) -> None:
        state = self.state_filter.currentData()
        states = (
            None
            if state is None
            else frozenset(s for s in STATES if s != "resolved")
            if state == "open"
            else frozenset({state})
        )
        self.model.set_filter(
            states=states, service=self.service_filter.currentData(), mine=self.mine.isChecked()
        )

    # ------------------------------------------------------------------ slots

    def _on_filter_changed(self, *_: object) -> None:
        keep = self.current.id if self.current else None
        self._apply_filter()
        if keep is not None and self.model.row_of(keep) is not None:
            self.table.selectRow(self.model.row_of(keep) or 0)

    def _on_model_reset(self) -> None:
        self.empty.setVisible(self.model.rowCount() == 0 and bool(self.model.all_pages()))

    def _on_table_selection_changed(self, selected: QItemSelection, _: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        page = self.model.page_at(indexes[0].row())
        changed = self.current is None or page.id != self.current.id
        self.current = page
        self._update_actions()
        if changed:
            self.page_chosen.emit(page)

    def _on_table_context_menu_requested(self, point: QPoint) -> None:
        index = self.table.indexAt(point)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        menu = QMenu(self)
        for key in ("acknowledge", "resolve", "escalate", "expert"):
            menu.addAction(self.page_actions[key])
        menu.addSeparator()
        menu.addAction(self.page_actions["incident"])
        menu.addAction(self.page_actions["runbook"])
        menu.addAction(self.page_actions["link"])
        menu.popup(self.table.viewport().mapToGlobal(point))

    def _update_actions(self) -> None:
        page = self.current
        open_ = page is not None and page.state != "resolved"
        self.page_actions["acknowledge"].setEnabled(
            page is not None and page.state in ("triggered", "deferred")
        )
        self.page_actions["resolve"].setEnabled(open_)
        self.page_actions["escalate"].setEnabled(open_)
        self.page_actions["expert"].setEnabled(open_)
        self.page_actions["runbook"].setEnabled(page is not None and page.runbook_slug is not None)
        self.page_actions["link"].setEnabled(page is not None)
        incident = self.page_actions["incident"]
        incident.setEnabled(page is not None)
        belongs = page is not None and page.incident_id is not None
        incident.setText(
            f"Open INC-{page.incident_id}" if page is not None and belongs else "Declare incident…"
        )
        self.detail.incident.setText(incident.text() + ("" if belongs else "  (D)"))
        self.detail.incident.setEnabled(page is not None)

    def _on_acknowledge_triggered(self) -> None:
        if self.current is not None:
            self.acknowledge_requested.emit(self.current.id)

    def _on_resolve_triggered(self) -> None:
        if self.current is not None:
            self.resolve_requested.emit(self.current.id)

    def _on_escalate_triggered(self) -> None:
        if self.current is not None:
            self.escalate_requested.emit(self.current.id, "")

    def _on_expert_triggered(self) -> None:
        if self.current is None:
            return
        page_id = self.current.id
        tag = ExpertiseDialog.ask(self, self.expertise)
        if tag:
            self.escalate_requested.emit(page_id, tag)

    def _on_runbook_triggered(self) -> None:
        if self.current is not None and self.current.runbook_slug:
            self.open_runbook_requested.emit(self.current.runbook_slug)

    def _on_incident_triggered(self) -> None:
        page = self.current
        if page is None:
            return
        if page.incident_id is not None:
            self.open_incident_requested.emit(page.incident_id)
        else:
            self.declare_requested.emit(page.id, page.summary)

    def _on_link_triggered(self) -> None:
        from PySide6.QtGui import QGuiApplication

        if self.current is None:
            return
        link = page_link(self.current.id)
        QGuiApplication.clipboard().setText(link)
        self.link_copied.emit(link)


def page_link(page_id: int) -> str:
    """The link that opens this page in warroom (``warroom open LINK``)."""
    return f"warroom://page/{page_id}"
