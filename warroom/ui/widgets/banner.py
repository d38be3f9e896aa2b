"""A banner across the top of the window: problems are said in the window, never as a crash."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class BannerLevel(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Banner(QFrame):
    """One sentence and an optional action button.

    Signals:
        action_requested(): the action button was clicked (e.g. "Retry").
    """

    action_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("bannerMessage")
        self.action = QPushButton()
        self.action.setObjectName("bannerAction")
        self.action.clicked.connect(self.action_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 10, 8)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.action)
        self.hide()

    def show_message(
        self, text: str, level: BannerLevel = BannerLevel.ERROR, action: str | None = None
    ) -> None:
        self.setProperty("level", level.value)
        self.style().unpolish(self)
        self.style().polish(self)
        self.message.setText(text)
        self.action.setVisible(action is not None)
        if action:
            self.action.setText(action)
        self.show()

    def clear(self) -> None:
        self.message.clear()
        self.hide()

    @property
    def text(self) -> str:
        return self.message.text() if self.isVisible() else ""
