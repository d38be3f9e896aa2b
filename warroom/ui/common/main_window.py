"""The main window: a thin shell of navigation, a banner, views and a status bar.

It owns no logic; the composition root adds the features' views to it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore
from PySide6.QtCore import QEvent, QSize, Signal
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


def _KEY_ROLE() -> int:
    """The item role that holds a view's key. ``QtCore.Qt`` is looked up only here: PySide
    builds that namespace (hundreds of enums) on first use, ~25 ms, so not before the first
    paint."""
    return int(QtCore.Qt.ItemDataRole.UserRole)


class MainWindow(QMainWindow):
    """Navigation on the left, the chosen view on the right, the banner above both.

    Signals:
        closing(): the window is being closed; the application shuts its workers down.
        first_painted(): the window is on screen for the first time; the root opens the
            database only now, so a person sees the window before anything else happens.
    """

    closing = Signal()
    first_painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        self._painted = False  # events arrive while the window is being built
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
        status = self.statusBar()
        status.addWidget(self.feed_state)
        status.addWidget(self.database_label, 1)
        status.addPermanentWidget(self.user_label)
        self.set_feed_state(None)

        self._views: dict[str, QWidget] = {}
        self._builders: dict[str, Callable[[], QWidget]] = {}

    def add_view(self, key: str, title: str, build: Callable[[], QWidget]) -> None:
        """Views are added by the composition root, one per feature, and built when first
        needed: the one on screen before the first paint, the others just after it (or when
        chosen), so start-up pays for one view, not all of them."""
        self._builders[key] = build
        placeholder = QWidget()
        self._views[key] = placeholder
        self.stack.addWidget(placeholder)
        item = QListWidgetItem(title)
        item.setData(_KEY_ROLE(), key)
        item.setSizeHint(QSize(0, 38))
        self.nav.addItem(item)
        if self.nav.count() == 1:
            self.nav.setCurrentRow(0)

    def build_view(self, key: str) -> QWidget:
        """The view for ``key``, built now if it was not yet."""
        build = self._builders.pop(key, None)
        if build is None:
            return self._views[key]
        placeholder = self._views[key]
        index = self.stack.indexOf(placeholder)
        widget = build()
        self._views[key] = widget
        self.stack.insertWidget(index, widget)
        if self.stack.currentWidget() is placeholder:
            self.stack.setCurrentWidget(widget)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        return widget

    def build_all_views(self) -> None:
        for key in list(self._builders):
            self.build_view(key)

    @property
    def painted(self) -> bool:
        """Whether the window has been on screen (its first paint is done)."""
        return self._painted

    def add_status_widget(self, widget: QWidget) -> None:
        """A feature's label in the status bar, left of who is signed in."""
        # QStatusBar counts permanent widgets after the normal ones (the feed state and the
        # database): index 2 is the first permanent place, left of the user.
        self.statusBar().insertPermanentWidget(2, widget)

    def bring_to_front(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()

    def show_view(self, key: str) -> None:
        for row in range(self.nav.count()):
            if self.nav.item(row).data(_KEY_ROLE()) == key:
                self.nav.setCurrentRow(row)
                return
        raise KeyError(key)

    def view(self, key: str) -> QWidget:
        return self.build_view(key)

    def set_feed_state(self, connected: bool | None) -> None:
        if connected is None:
            text, state = "○ Connecting…", "connecting"
        elif connected:
            text, state = "● Live", "live"
        else:
            text, state = "○ Reconnecting…", "down"
        self.feed_state.setText(text)
        self.feed_state.setProperty("state", state)
        if self._painted:
            # A property change restyles only on a new polish. Before the first paint the
            # label has not been polished yet (showing polishes it), and polish() there would
            # make PySide build QPalette's and QApplication's Python types: ~40 ms of start-up.
            self.feed_state.style().unpolish(self.feed_state)
            self.feed_state.style().polish(self.feed_state)

    def _on_nav_current_row_changed(self, row: int) -> None:
        if row >= 0:
            self.build_view(str(self.nav.item(row).data(_KEY_ROLE())))
            self.stack.setCurrentIndex(row)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        # An UpdateRequest on the top-level window paints every widget and flushes them to
        # the screen: after the first one, the person sees the window.
        if not self._painted and event.type() == QEvent.Type.UpdateRequest:
            self._painted = True
            self.first_painted.emit()
        return handled

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)
