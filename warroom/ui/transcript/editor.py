"""The scribe's input line: keyboard first, as fast as people talk.

Enter commits and clears (Shift+Enter breaks a line; the line grows up to six lines), focus
stays. The entry's time is the first keystroke, taken from the clock when the empty line
gets its first character. ``@`` completes a person (the board first, then who took part,
then everyone); Alt+1…9 picks the speaker among the board's people, Ctrl+1…6 the kind; Up on
an empty line edits my last entry, Escape leaves an edit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QEvent, QSize, QStringListModel, Qt, Signal
from PySide6.QtGui import QFocusEvent, QFontMetrics, QKeyEvent, QTextCursor
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QPlainTextEdit, QWidget

MAX_LINES = 6
_MENTION = re.compile(r"@([\w.-]*)$")


class EntryEditor(QPlainTextEdit):
    """Signals:
    commit_requested(str, object): Enter on words; the first keystroke's time (datetime).
    edit_last_requested(): Up on an empty line.
    cancel_requested(): Escape (leave an edit).
    kind_requested(int): Ctrl+1…6, the kind's place (0-based).
    speaker_requested(int): Alt+1…9, the board person's place (0-based).
    """

    commit_requested = Signal(str, object)
    edit_last_requested = Signal()
    cancel_requested = Signal()
    kind_requested = Signal(int)
    speaker_requested = Signal(int)

    def __init__(self, clock: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scribeLine")
        self._clock = clock
        self.first_keystroke_at: datetime | None = None
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setPlaceholderText(
            "Type what is said, done, decided or felt; Enter records it.   "
            "/d decided · /did did · /a action · /f felt · /n note · @name · 14:02 backdates"
        )
        self._handles = QStringListModel(self)
        self._labels: dict[str, str] = {}
        self.completer = QCompleter(self._handles, self)
        self.completer.setWidget(self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setModelSorting(QCompleter.ModelSorting.UnsortedModel)
        self.completer.setMaxVisibleItems(9)
        self.completer.activated.connect(self._on_completer_activated)
        self.textChanged.connect(self._on_self_text_changed)
        self._fit()

    def set_people(self, people: Sequence[tuple[str, str]]) -> None:
        """(handle, label) in the order offered: the board, who took part, everyone."""
        self._labels = {f"{label}  @{handle}": handle for handle, label in people}
        self._handles.setStringList(list(self._labels))

    def start_edit(self, text: str) -> None:
        self.setPlainText(text)
        self.moveCursor(QTextCursor.MoveOperation.End)

    def take(self) -> None:
        """Clear after a commit, ready for the next words (whose time starts anew)."""
        self.clear()
        self.first_keystroke_at = None

    # ------------------------------------------------------------------ keys

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, modifiers = event.key(), event.modifiers()
        popup = self._popup()
        if popup.isVisible() and key in (
            Qt.Key.Key_Enter,
            Qt.Key.Key_Return,
            Qt.Key.Key_Escape,
            Qt.Key.Key_Tab,
            Qt.Key.Key_Backtab,
        ):
            event.ignore()  # the popup takes these
            return
        ctrl = modifiers & Qt.KeyboardModifier.ControlModifier
        alt = modifiers & Qt.KeyboardModifier.AltModifier
        digit = Qt.Key.Key_1.value <= key <= Qt.Key.Key_9.value
        if ctrl and digit and key <= Qt.Key.Key_6.value:
            self.kind_requested.emit(key - Qt.Key.Key_1.value)
            return
        if alt and digit:
            self.speaker_requested.emit(key - Qt.Key.Key_1.value)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            modifiers & Qt.KeyboardModifier.ShiftModifier
        ):
            text = self.toPlainText()
            if text.strip():
                at = self.first_keystroke_at or self._clock()
                self.commit_requested.emit(text, at)
            return
        if key == Qt.Key.Key_Up and not self.toPlainText():
            self.edit_last_requested.emit()
            return
        if key == Qt.Key.Key_Escape:
            self.cancel_requested.emit()
            return
        super().keyPressEvent(event)
        self._complete_mention()

    def event(self, event: QEvent) -> bool:
        """Tab takes the completion offered (before Qt moves the focus on with it)."""
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Tab
            and self._popup().isVisible()
        ):
            current = self._popup().currentIndex()
            if current.isValid():
                self._on_completer_activated(str(current.data()))
            self._popup().hide()
            return True
        return super().event(event)

    def _popup(self) -> QAbstractItemView:
        popup = self.completer.popup()
        assert popup is not None  # a completer always has one
        return popup

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.completer.setWidget(self)
        super().focusInEvent(event)

    # ------------------------------------------------------------------ completion

    def _mention_at_cursor(self) -> re.Match[str] | None:
        cursor = self.textCursor()
        block = cursor.block().text()[: cursor.positionInBlock()]
        return _MENTION.search(block)

    def _complete_mention(self) -> None:
        mention = self._mention_at_cursor()
        if mention is None:
            self._popup().hide()
            return
        self.completer.setCompletionPrefix(mention.group(1))
        if self.completer.completionCount() == 0:
            self._popup().hide()
            return
        popup = self._popup()
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))
        area = self.cursorRect()
        area.setWidth(max(popup.sizeHintForColumn(0) + 24, 260))
        self.completer.complete(area)

    def _on_completer_activated(self, label: str) -> None:
        handle = self._labels.get(label)
        mention = self._mention_at_cursor()
        if handle is None or mention is None:
            return
        cursor = self.textCursor()
        cursor.movePosition(
            QTextCursor.MoveOperation.Left,
            QTextCursor.MoveMode.KeepAnchor,
            len(mention.group(0)),
        )
        cursor.insertText(f"@{handle} ")
        self.setTextCursor(cursor)

    # ------------------------------------------------------------------ the line's height

    def _on_self_text_changed(self) -> None:
        if not self.toPlainText():
            self.first_keystroke_at = None
        elif self.first_keystroke_at is None:
            self.first_keystroke_at = self._clock()
        self._fit()

    def _fit(self) -> None:
        line = QFontMetrics(self.font()).lineSpacing()
        lines = max(1, min(MAX_LINES, int(self.document().size().height())))
        margins = self.contentsMargins()
        frame = int(self.document().documentMargin() * 2) + margins.top() + margins.bottom()
        self.setFixedHeight(lines * line + frame + 2)

    def sizeHint(self) -> QSize:
        return QSize(400, self.height())
