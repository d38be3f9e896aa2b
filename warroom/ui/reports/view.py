"""The escalations report: who is paged, who acknowledges, who lets pages escalate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from warroom.ui.widgets.tables import HeaderedTableModel, read_only_rows_table

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.metrics import EscalationReport, ResponderStats

_Index = QModelIndex | QPersistentModelIndex


class RespondersModel(HeaderedTableModel):
    # Two short lines each: the numeric columns stay narrow and no header is cut.
    HEADERS = (
        "Responder",
        "Teams",
        "Pages",
        "Acknow-\nledged",
        "Escalated\n(timeout)",
        "Escalated\nby hand",
        "Outside\nhours",
        "Median min.\nto ack",
    )
    HEADER_TIPS = (
        "The person paged",
        "Their teams",
        "Pages that reached them (each escalation step that told them counts once)",
        "Pages they acknowledged",
        "Pages that went past them because nobody acknowledged in time",
        "Pages they escalated by hand (to the next level or to an expert)",
        "Pages that reached them outside their team's support hours",
        "Median minutes from being told to acknowledging",
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ResponderStats] = []
        self._flagged: set[str] = set()

    def set_report(self, report: EscalationReport) -> None:
        self.beginResetModel()
        self._rows = list(report.responders)
        self._flagged = set(report.flagged)
        self.endResetModel()

    def row_total(self) -> int:
        return len(self._rows)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.ToolTipRole and 0 <= section < len(self.HEADERS):
            return self.HEADER_TIPS[section]
        return super().headerData(section, orientation, role)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        s = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            ack = f"{s.median_ack_minutes:.0f}" if s.median_ack_minutes is not None else "–"
            values = (
                s.name,
                ", ".join(s.teams),
                s.received,
                s.acknowledged,
                s.escalated_by_timeout,
                s.escalated_by_hand,
                s.outside_hours,
                ack,
            )
            return str(values[index.column()])
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and s.handle in self._flagged:
            return QColor("#fce588")
        if role == Qt.ItemDataRole.ToolTipRole and s.handle in self._flagged:
            return "Escalation rate well above the team's: a training signal, not a blame one."
        return None


class ReportsView(QWidget):
    """Signals:
    days_changed(int): the window of the report changed; the owner reloads it.
    """

    days_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Escalations")
        title.setObjectName("viewTitle")
        subtitle = QLabel(
            "Who is paged, who acknowledges, and who lets pages escalate. "
            "Highlighted: an escalation rate well above the team's."
        )
        subtitle.setObjectName("viewSubtitle")
        subtitle.setWordWrap(True)
        self.days = QComboBox()
        for days in (7, 30, 90, 365):
            self.days.addItem(f"Last {days} days", days)
        self.days.setCurrentIndex(1)
        self.days.currentIndexChanged.connect(self._on_days_current_index_changed)
        self.model = RespondersModel(self)
        self.table = read_only_rows_table("respondersTable")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 170)
        self.teams = QLabel()
        self.teams.setObjectName("viewSubtitle")
        self.teams.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.days)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.addLayout(top)
        layout.addWidget(subtitle)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.teams)

    def selected_days(self) -> int:
        return int(self.days.currentData())

    def set_report(self, report: EscalationReport) -> None:
        self.model.set_report(report)
        self.teams.setText(
            "   ".join(
                f"<b>{t.team}</b>: {t.received} pages, {t.escalated_by_timeout} escalated by "
                f"timeout, {t.escalated_by_hand} by hand, {t.noise} noise"
                for t in report.teams
            )
        )

    def _on_days_current_index_changed(self, _index: int) -> None:
        self.days_changed.emit(self.selected_days())
