"""The main window: a thin shell of navigation, a banner, views and a status bar.

It owns no logic; the application object wires views and services into it.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from warroom.ui.widgets.banner import Banner


class MainWindow(QMainWindow):
    """Navigation on the left, the chosen view on the right, the banner above both.

    Signals:
        closing(): the window is being closed; the application shuts its workers down.
    """

    closing = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("warroom")
        self.resize(1180, 760)
        self.setMinimumSize(QSize(760, 480))

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(190)
        self.nav.setFrameShape(QFrame.Shape.NoFrame)
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        brand = QLabel("warroom")
        brand.setObjectName("brand")
        sidebar = QWidget()
        sidebar.setObjectName("sidebar")
        sidebar_layout = QVBoxLayout(sidebar)
        sidebar_layout.setContentsMargins(0, 0, 0, 0)
        sidebar_layout.setSpacing(0)
        sidebar_layout.addWidget(brand)
        sidebar_layout.addWidget(self.nav, 1)

        self.banner = Banner()
        self.stack = QStackedWidget()
        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(0)
        content_layout.addWidget(self.banner)
        content_layout.addWidget(self.stack, 1)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(sidebar)
        layout.addWidget(content, 1)
        self.setCentralWidget(central)

        self.feed_state = QLabel()
        self.feed_state.setObjectName("feedState")
        self.database_label = QLabel()
        self.user_label = QLabel()
        self.paging_label = QLabel()
        self.paging_label.setObjectName("pagingChannel")
        status = self.statusBar()
        status.addWidget(self.feed_state)
        status.addWidget(self.database_label, 1)
        status.addPermanentWidget(self.paging_label)
        status.addPermanentWidget(self.user_label)
        self.set_feed_state(None)

        self._views: dict[str, QWidget] = {}

    def add_view(self, key: str, title: str, widget: QWidget) -> None:
        """Views are added by the composition root; each later capability adds its own."""
        self._views[key] = widget
        self.stack.addWidget(widget)
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setSizeHint(QSize(0, 38))
        self.nav.addItem(item)
        if self.nav.count() == 1:
            self.nav.setCurrentRow(0)

    def show_view(self, key: str) -> None:
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.nav.setCurrentRow(row)
                return
        raise KeyError(key)

    def view(self, key: str) -> QWidget:
        return self._views[key]

    def set_feed_state(self, connected: bool | None) -> None:
        if connected is None:
            text, state = "○ Connecting…", "connecting"
        elif connected:
            text, state = "● Live", "live"
        else:
            text, state = "○ Reconnecting…", "down"
        self.feed_state.setText(text)
        self.feed_state.setProperty("state", state)
        self.feed_state.style().unpolish(self.feed_state)
        self.feed_state.style().polish(self.feed_state)

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentIndex(row)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)
