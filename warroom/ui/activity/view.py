"""The Activity view: a filterable, live table of everything the team does."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from warroom.ui.activity.model import ActivityModel
from warroom.ui.widgets.tables import read_only_rows_table


class ActivityView(QWidget):
    """Shows an :class:`ActivityModel`; filtering is by any text in the row."""

    def __init__(self, model: ActivityModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)

        title = QLabel("Activity")
        title.setObjectName("viewTitle")
        subtitle = QLabel("Everything the team does, newest first. Updates live.")
        subtitle.setObjectName("viewSubtitle")
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter: a name, a service, 'page', an incident #…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(340)
        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)

        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(title)
        titles.addWidget(subtitle)
        header.addLayout(titles)
        header.addStretch(1)
        header.addWidget(self.filter_edit, 0, Qt.AlignmentFlag.AlignBottom)

        self.table = read_only_rows_table("activityTable", row_height=30)
        self.table.setModel(self.proxy)
        horizontal = self.table.horizontalHeader()
        horizontal.setSectionResizeMode(ActivityModel.WHEN, QHeaderView.ResizeMode.Fixed)
        horizontal.setSectionResizeMode(ActivityModel.WHO, QHeaderView.ResizeMode.Interactive)
        horizontal.setSectionResizeMode(ActivityModel.WHAT, QHeaderView.ResizeMode.Stretch)
        horizontal.setSectionResizeMode(ActivityModel.INCIDENT, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(ActivityModel.WHEN, 130)
        self.table.setColumnWidth(ActivityModel.WHO, 170)
        self.table.setColumnWidth(ActivityModel.INCIDENT, 90)
        horizontal.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        self.empty_label = QLabel(
            "Nothing has happened yet. Events from every desktop of the "
            "team appear here as they are committed."
        )
        self.empty_label.setObjectName("emptyHint")
        self.empty_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        model.rowsInserted.connect(self._on_model_rows_inserted)
        model.modelReset.connect(self._on_model_rows_inserted)
        self._on_model_rows_inserted()

    def _on_filter_edit_text_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())

    def _on_model_rows_inserted(self, *_: object) -> None:
        self.empty_label.setVisible(self.model.rowCount() == 0)
