"""The Incidents view: the list of open and recently closed incidents, and the war room of the
one opened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from warroom.ui.incidents.models import IncidentsModel
from warroom.ui.incidents.war_room import WarRoomView
from warroom.ui.widgets.tables import read_only_rows_table

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.incidents.queries import IncidentRow


class IncidentsView(QWidget):
    """Signals:
    declare_requested(): the user wants to declare an incident.
    incident_chosen(int): open this incident's war room.
    """

    declare_requested = Signal()
    incident_chosen = Signal(int)

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = IncidentsModel(clock, self)
        title = QLabel("Incidents")
        title.setObjectName("viewTitle")
        subtitle = QLabel(
            "Open incidents first, then those closed in the last week. Open one for its war "
            "room: who holds which role, the transcript, the updates."
        )
        subtitle.setObjectName("viewSubtitle")
        subtitle.setWordWrap(True)
        self.declare = QPushButton("Declare…")
        self.declare.setObjectName("declareButton")
        self.declare.clicked.connect(self.declare_requested)
        self.table = read_only_rows_table("incidentsTable", row_height=32)
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in ((0, 56), (1, 70), (2, 420), (3, 110), (4, 120), (5, 170)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._on_table_activated)
        self.table.doubleClicked.connect(self._on_table_activated)
        self.empty = QLabel(
            "No incident is open. When a page is more than one person can handle, declare one "
            "— from the page, or with Declare…"
        )
        self.empty.setObjectName("emptyHint")
        self.empty.setWordWrap(True)
        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(title)
        titles.addWidget(subtitle)
        header.addLayout(titles, 1)
        header.addWidget(self.declare)
        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(18, 14, 18, 12)
        list_layout.addLayout(header)
        list_layout.addWidget(self.table, 1)
        list_layout.addWidget(self.empty)
        self.war_room = WarRoomView(clock)
        self.war_room.back_requested.connect(self.show_list)
        self.stack = QStackedWidget()
        self.stack.addWidget(list_page)
        self.stack.addWidget(self.war_room)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.model.modelReset.connect(self._on_model_reset)
        self._on_model_reset()

    def set_incidents(self, rows: list[IncidentRow]) -> None:
        self.model.set_incidents(rows)

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)

    def show_war_room(self) -> None:
        self.stack.setCurrentWidget(self.war_room)

    def in_war_room(self) -> bool:
        return self.stack.currentWidget() is self.war_room

    def _on_model_reset(self) -> None:
        self.empty.setVisible(
            not any(
                self.model.incident_at(n).status != "closed" for n in range(self.model.rowCount())
            )
        )

    def _on_table_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.incident_chosen.emit(self.model.incident_at(index.row()).id)
