"""A banner across the top of the window: problems are said in the window, never as a crash."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class BannerLevel(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Banner(QFrame):
    """One sentence and an optional action button.

    Several features write here (the last message wins), so the one that shows a message
    passes what its button does (``on_action``); the button runs that and nothing else.

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
        self.action.clicked.connect(self._on_action_clicked)
        self._on_action: Callable[[], None] | None = None
        self._sticky = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 10, 8)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.action)
        self.hide()

    def show_message(
        self,
        text: str,
        level: BannerLevel = BannerLevel.ERROR,
        action: str | None = None,
        on_action: Callable[[], None] | None = None,
        *,
        sticky: bool = False,
    ) -> None:
        """``sticky``: a message a person must not miss (an acknowledgement not sent yet);
        failures of background work do not replace it (:meth:`show_failure`)."""
        self._sticky = sticky
        self.setProperty("level", level.value)
        self.style().unpolish(self)
        self.style().polish(self)
        self.message.setText(text)
        self.action.setVisible(action is not None)
        if action:
            self.action.setText(action)
        self._on_action = on_action if action else None
        self.show()

    def show_failure(self, text: str) -> None:
        """A background task failed: said here unless a sticky message is up."""
        if self._sticky and not self.isHidden():
            return
        self.show_message(text, BannerLevel.ERROR)

    def clear(self) -> None:
        self.message.clear()
        self._on_action = None
        self._sticky = False
        self.hide()

    def _on_action_clicked(self) -> None:
        callback = self._on_action
        self.action_requested.emit()
        if callback is not None:
            callback()

    @property
    def text(self) -> str:
        return self.message.text() if self.isVisible() else ""
