"""The war room's "Transcript" panel: the incident's one timeline above the scribe's line.

The timeline merges what the scribe and others record with the incident's status, severity,
roles, pages, stakeholder updates and runbook ticks; it filters by kind and person and
searches as you type. The line below records entries (see :mod:`.editor`). What the panel
asks goes out as signals; the controller keeps the journal and talks to the database.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from warroom.domain.transcript import (
    EVENT_CATEGORIES,
    KIND_MEANING,
    KIND_ORDER,
    MARK_TITLE,
    parse_line,
    t_plus,
)
from warroom.domain.vocabulary import ImpactMark, TranscriptKind
from warroom.ui.common.timefmt import full_time, local_zone
from warroom.ui.transcript.delegate import KIND_STYLE, TimelineDelegate
from warroom.ui.transcript.editor import EntryEditor
from warroom.ui.transcript.items import Item, Ordered
from warroom.ui.transcript.model import TimelineModel

#: How long "Entry deleted — Undo" stays offered.
UNDO_SECONDS = 10
#: A backdated time this long before the declaration is taken for a typo, not recorded.
_LONG_BEFORE = timedelta(hours=1)
_TRANSCRIPT_KINDS = frozenset(k.value for k in KIND_ORDER)
_FILTERS: Sequence[tuple[str, frozenset[str] | None]] = (
    ("Everything", None),
    ("Transcript only", _TRANSCRIPT_KINDS),
    *((f"{k.value.capitalize()}", frozenset({k.value})) for k in KIND_ORDER),
    ("Events only", frozenset(EVENT_CATEGORIES)),
    *((title, frozenset({category})) for category, title in EVENT_CATEGORIES.items()),
)


@dataclass(frozen=True)
class Draft:
    """An entry as typed, before anything else happens to it."""

    uuid: str
    body: str
    kind: str
    occurred_at: datetime
    speaker: str | None
    owner: str | None
    mark: str | None


@dataclass(frozen=True)
class Person:
    handle: str
    name: str
    rank: int  # 0 on the board, 1 took part, 2 anyone
    role: str | None


class TranscriptPanel(QWidget):
    """Signals:
    record_requested(object): record this :class:`Draft`.
    edit_requested(int, int, object): entry id, the version read, and the changes (a dict
        with any of body, kind, occurred_at).
    delete_requested(int), restore_requested(int): an entry, by id.
    done_requested(int, bool): tick an action item off, or open it again.
    revisions_requested(int): show an entry's revisions.
    export_requested(str): write the post-incident report ("md" or "html").
    """

    record_requested = Signal(object)
    edit_requested = Signal(int, int, object)
    delete_requested = Signal(int)
    restore_requested = Signal(int)
    done_requested = Signal(int, bool)
    revisions_requested = Signal(int)
    export_requested = Signal(str)

    def __init__(self, clock: Callable[[], datetime], me: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._now = clock
        self.me = me
        self.people: list[Person] = []
        self._known: set[str] = set()
        self.kind = TranscriptKind.SAID.value
        self.speaker: str | None = None
        self.editing: Item | None = None
        self._undo_entry: int | None = None
        self._conflict: tuple[int, int, dict[str, object]] | None = None

        self.model = TimelineModel(self)
        self.delegate = TimelineDelegate(self)
        # A table of one column rather than a list: its rows are a header's fixed sections,
        # so 100,000 of them are laid out at once, where a list view asks the model for its
        # row count once per row (a quarter of a second in Python).
        self.view = QTableView()
        self.view.setObjectName("timeline")
        self.view.setModel(self.model)
        self.view.setItemDelegate(self.delegate)
        self.view.horizontalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        rows = self.view.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.delegate.row_height(self.view.font()))
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu_requested)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.selectionModel().currentChanged.connect(self._on_view_current_changed)
        self.model.rowsInserted.connect(self._on_model_rows_inserted)
        self._at_bottom = True
        self.view.verticalScrollBar().valueChanged.connect(self._on_scroll_value_changed)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the timeline…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_filter_changed)
        self.kinds = QComboBox()
        for title, _kinds in _FILTERS:
            self.kinds.addItem(title)
        self.kinds.setToolTip("Show only some kinds of entries or events")
        self.kinds.currentIndexChanged.connect(self._on_filter_changed)
        self.person = QComboBox()
        self.person.addItem("Anyone", "")
        self.person.setToolTip("Only what this person said, wrote or owns")
        self.person.currentIndexChanged.connect(self._on_filter_changed)
        self.count = QLabel()
        self.count.setObjectName("timelineCount")
        # Counted again at most every two seconds as entries arrive: a label that changes
        # lays the panel out again, and every desktop would repaint it for every line.
        self._count_soon = QTimer(self)
        self._count_soon.setSingleShot(True)
        self._count_soon.setInterval(2000)
        self._count_soon.timeout.connect(self._show_count)
        self.impact_start = QPushButton("Impact started")
        self.impact_start.setToolTip("Mark now (or the line's time) as when customers were hit")
        self.impact_start.clicked.connect(lambda: self._mark(ImpactMark.IMPACT_START))
        self.impact_end = QPushButton("Impact ended")
        self.impact_end.clicked.connect(lambda: self._mark(ImpactMark.IMPACT_END))
        self.export = QToolButton()
        self.export.setText("Export report")
        self.export.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(self.export)
        export_menu.addAction("Markdown…", lambda: self.export_requested.emit("md"))
        export_menu.addAction("HTML…", lambda: self.export_requested.emit("html"))
        self.export.setMenu(export_menu)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.kinds, 1)
        filters.addWidget(self.person, 1)
        filters.addWidget(self.count)
        filters.addStretch()
        filters.addWidget(self.impact_start)
        filters.addWidget(self.impact_end)
        filters.addWidget(self.export)

        self.detail = QLabel()
        self.detail.setObjectName("entryDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.hide()

        self.undo_bar, self.undo_text, undo_row = self._bar("undoBar")
        undo = QPushButton("Undo")
        undo.clicked.connect(self._on_undo_clicked)
        undo_row.addWidget(undo)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.timeout.connect(self.undo_bar.hide)

        self.conflict_bar, self.conflict_text, conflict_row = self._bar("conflictBar")
        keep = QPushButton("Keep theirs")
        keep.clicked.connect(self._on_keep_theirs_clicked)
        apply = QPushButton("Apply mine")
        apply.clicked.connect(self._on_apply_mine_clicked)
        conflict_row.addWidget(keep)
        conflict_row.addWidget(apply)

        self.kind_button = QToolButton()
        self.kind_button.setObjectName("kindChip")
        self.kind_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        kind_menu = QMenu(self.kind_button)
        for n, kind in enumerate(KIND_ORDER, start=1):
            action = kind_menu.addAction(f"{kind.value} — {KIND_MEANING[kind.value]}\tCtrl+{n}")
            action.triggered.connect(lambda _=False, k=kind.value: self.set_kind(k))
        self.kind_button.setMenu(kind_menu)
        self.speaker_button = QToolButton()
        self.speaker_button.setObjectName("speakerChip")
        self.speaker_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.speaker_button.setMenu(QMenu(self.speaker_button))
        self.state = QLabel()
        self.state.setObjectName("scribeState")
        self.pending = QLabel()
        self.pending.setObjectName("scribePending")
        line_bar = QHBoxLayout()
        line_bar.addWidget(QLabel("Speaker"))
        line_bar.addWidget(self.speaker_button)
        line_bar.addWidget(QLabel("Kind"))
        line_bar.addWidget(self.kind_button)
        line_bar.addWidget(self.state, 1)
        line_bar.addWidget(self.pending)

        self.editor = EntryEditor(clock)
        self.editor.commit_requested.connect(self._on_editor_commit_requested)
        self.editor.edit_last_requested.connect(self._on_editor_edit_last_requested)
        self.editor.cancel_requested.connect(self._on_editor_cancel_requested)
        self.editor.kind_requested.connect(self._on_editor_kind_requested)
        self.editor.speaker_requested.connect(self._on_editor_speaker_requested)
        self.editor.textChanged.connect(self._on_editor_text_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.conflict_bar)
        layout.addLayout(line_bar)
        layout.addWidget(self.editor)
        self.setFocusProxy(self.editor)

        for keys, slot in (
            ("F2", self._on_edit_shortcut_activated),
            ("Delete", self._on_delete_shortcut_activated),
            ("Ctrl+Z", self._on_undo_clicked),
        ):
            shortcut = QShortcut(QKeySequence(keys), self.view)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)
        self.set_kind(self.kind)
        self._show_speaker()
        self._show_state()

    @staticmethod
    def _bar(name: str) -> tuple[QFrame, QLabel, QHBoxLayout]:
        bar = QFrame()
        bar.setObjectName(name)
        text = QLabel()
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(text, 1)
        bar.hide()
        return bar, text, row

    # ------------------------------------------------------------------ the controller calls

    def show_timeline(
        self,
        ref: str,
        declared_at: datetime,
        items: list[Item] | Ordered,
        people: Sequence[Person],
    ) -> None:
        """A war room opened (or was reloaded): everything at once."""
        self.delegate.declared_at = declared_at
        self.delegate.restyle()
        self.ref = ref
        self.set_people(people)
        self.model.reset(items)
        self._show_count()
        self.view.scrollToBottom()
        self._at_bottom = True
        self._show_state()

    def set_people(self, people: Sequence[Person]) -> None:
        self.people = list(people)
        self._known = {p.handle for p in people}
        self.delegate.names = {p.handle: p.name for p in people}
        self.delegate.restyle()
        labels = []
        for p in people:
            role = f" · {p.role}" if p.role else ""
            labels.append((p.handle, f"{p.name}{role}"))
        self.editor.set_people(labels)
        chosen = self.person.currentData()
        self.person.blockSignals(True)
        self.person.clear()
        self.person.addItem("Anyone", "")
        for p in sorted(people, key=lambda p: p.name.casefold()):
            self.person.addItem(p.name, p.handle)
        found = self.person.findData(chosen)
        self.person.setCurrentIndex(max(found, 0))
        self.person.blockSignals(False)
        menu = self.speaker_button.menu()
        menu.clear()
        menu.addAction("Nobody in particular", lambda: self.set_speaker(None))
        for n, p in enumerate(self.board_people()[:9], start=1):
            action = menu.addAction(f"{p.name} · {p.role}\tAlt+{n}")
            action.triggered.connect(self._speaker_chooser(p.handle))
        self._show_speaker()

    def _speaker_chooser(self, handle: str) -> Callable[[], None]:
        return lambda: self.set_speaker(handle)

    def board_people(self) -> list[Person]:
        return [p for p in self.people if p.rank == 0]

    def put(self, item: Item) -> None:
        self.model.put(item)
        if not self._count_soon.isActive():
            self._count_soon.start()

    def set_pending_count(self, count: int, offline: bool) -> None:
        if not count:
            self.pending.clear()
            return
        where = "waiting for the database" if offline else "sending"
        self.pending.setText(
            f"{count} {'entry' if count == 1 else 'entries'} {where} · kept on disk"
        )

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        colour, sign = KIND_STYLE[kind]
        self.kind_button.setText(f"{sign} {kind}")
        self.kind_button.setStyleSheet(
            f"QToolButton {{ background: {colour}; color: white; border-radius: 4px;"
            " padding: 2px 8px; font-weight: bold; }"
        )
        self.kind_button.setToolTip(KIND_MEANING[kind])

    def set_speaker(self, handle: str | None) -> None:
        self.speaker = handle
        self._show_speaker()

    def offer_undo(self, entry_id: int, text: str) -> None:
        self._undo_entry = entry_id
        self.undo_text.setText(html.escape(text))
        self.undo_bar.show()
        self._undo_timer.start(UNDO_SECONDS * 1000)

    def show_conflict(
        self, entry_id: int, version: int, changes: dict[str, object], theirs: str, by: str
    ) -> None:
        """Someone else edited the entry first: both texts, and the choice."""
        self._conflict = (entry_id, version, changes)
        mine = str(changes.get("body", ""))
        self.conflict_text.setText(
            f"<b>@{html.escape(by)} edited this entry while you were editing it.</b> "
            "Nothing was overwritten.<br>"
            f"<b>Theirs:</b> {html.escape(theirs)}<br><b>Yours:</b> {html.escape(mine)}"
        )
        self.conflict_bar.show()

    def show_revisions(self, title: str, rows: Sequence[tuple[int, str, str, str, str]]) -> None:
        """(version, kind, words, when it happened, who wrote it when) per revision."""
        dialog = QDialog(self)
        dialog.setWindowTitle(title)
        browser = QTextBrowser()
        parts = []
        for version, kind, body, happened, by in rows:
            parts.append(
                f"<p><b>Version {version}</b> · {html.escape(kind)} · happened "
                f"{html.escape(happened)}<br><i>{html.escape(by)}</i><br>{html.escape(body)}</p>"
            )
        browser.setHtml("".join(parts) or "<p>This entry was never edited.</p>")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(browser)
        layout.addWidget(buttons)
        dialog.resize(560, 360)
        dialog.open()

    def edit_entry(self, item: Item) -> None:
        """Put an entry in the line for editing (its time first, so it can be backdated)."""
        if item.entry is None:
            return
        self.editing = item
        self.editor.start_edit(item.text)
        self.editor.setFocus()
        self._show_state()

    # ------------------------------------------------------------------ committing

    def _on_editor_commit_requested(self, text: str, first_keystroke: datetime) -> None:
        parsed = parse_line(text, first_keystroke, local_zone())
        handle = parsed.handle if parsed.handle in self._known else None
        body = parsed.body if handle or not parsed.handle else f"@{parsed.handle} {parsed.body}"
        declared = self.delegate.declared_at
        if not body and parsed.mark is None:
            self._say("Not recorded: an entry needs words after its prefix.")
            return
        if parsed.at is not None and declared is not None and parsed.at < declared - _LONG_BEFORE:
            when = parsed.at.astimezone(local_zone())
            self._say(
                f"Not recorded: {when:%H:%M} is read as {when:%a %d %b} (today's is still to "
                "come), long before the incident was declared. Check the time."
            )
            return
        editing = self.editing
        if editing is not None and editing.entry is not None:
            changes: dict[str, object] = {"body": body}
            if parsed.kind is not None:
                changes["kind"] = parsed.kind.value
            if parsed.at is not None:
                changes["occurred_at"] = parsed.at
            self.edit_requested.emit(editing.entry.id, editing.entry.version, changes)
            self._leave_edit()
            return
        kind = parsed.kind.value if parsed.kind else self.kind
        owner = None
        speaker = self.speaker
        if handle and kind == TranscriptKind.ACTION.value:
            owner = handle
        elif handle:
            speaker = handle
            self.set_speaker(handle)  # the speaker stays until changed
        self.record_requested.emit(
            Draft(
                str(uuid.uuid4()),
                body,
                kind,
                parsed.at or first_keystroke,
                speaker,
                owner,
                parsed.mark.value if parsed.mark else None,
            )
        )
        self.editor.take()
        if parsed.handle and handle is None:
            self._say(f"@{parsed.handle} is not on the roster: kept in the words, no one named.")

    def _say(self, text: str) -> None:
        """A word about the line, until the next keystroke."""
        self.state.setText(f"<span style='color:#b44d12'>{html.escape(text)}</span>")

    def _mark(self, mark: ImpactMark) -> None:
        words = self.editor.toPlainText().strip()
        at = self.editor.first_keystroke_at if words else None
        at = at or self._now()
        self.record_requested.emit(
            Draft(
                str(uuid.uuid4()),
                words,
                TranscriptKind.NOTE.value,
                at,
                self.speaker,
                None,
                mark.value,
            )
        )
        self.editor.take()
        self.editor.setFocus()

    def _leave_edit(self) -> None:
        self.editing = None
        self.editor.take()
        self._show_state()

    def _on_editor_edit_last_requested(self) -> None:
        item = self.model.last_entry_by(self.me)
        if item is not None:
            self.edit_entry(item)

    def _on_editor_cancel_requested(self) -> None:
        if self.editing is not None:
            self._leave_edit()
        self.conflict_bar.hide()

    def _on_editor_kind_requested(self, place: int) -> None:
        self.set_kind(KIND_ORDER[place].value)

    def _on_editor_speaker_requested(self, place: int) -> None:
        board = self.board_people()
        if place < len(board):
            self.set_speaker(board[place].handle)

    def _on_editor_text_changed(self) -> None:
        self._show_state()

    # ------------------------------------------------------------------ the timeline

    def _selected(self) -> Item | None:
        index = self.view.currentIndex()
        return self.model.item(index.row()) if index.isValid() else None

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        self.edit_entry(self.model.item(index.row()))

    def _on_edit_shortcut_activated(self) -> None:
        item = self._selected()
        if item is not None:
            self.edit_entry(item)

    def _on_delete_shortcut_activated(self) -> None:
        item = self._selected()
        if item is not None and item.entry is not None:
            self.delete_requested.emit(item.entry.id)

    def _on_undo_clicked(self) -> None:
        if self._undo_entry is not None:
            self.restore_requested.emit(self._undo_entry)
            self._undo_entry = None
        self.undo_bar.hide()

    def _on_keep_theirs_clicked(self) -> None:
        self._conflict = None
        self.conflict_bar.hide()

    def _on_apply_mine_clicked(self) -> None:
        if self._conflict is not None:
            entry_id, version, changes = self._conflict
            self.edit_requested.emit(entry_id, version, changes)
        self._conflict = None
        self.conflict_bar.hide()

    def _on_view_context_menu_requested(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        if not index.isValid():
            return
        item = self.model.item(index.row())
        menu = QMenu(self)
        copy = QAction("Copy", menu)
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(item.text))
        menu.addAction(copy)
        entry = item.entry
        if entry is not None:
            menu.addAction("Edit (F2)", lambda: self.edit_entry(item))
            if entry.kind == TranscriptKind.ACTION.value:
                if item.done:
                    menu.addAction("Open again", lambda: self.done_requested.emit(entry.id, False))
                else:
                    menu.addAction("Mark done", lambda: self.done_requested.emit(entry.id, True))
            menu.addAction("Show revisions…", lambda: self.revisions_requested.emit(entry.id))
            menu.addSeparator()
            menu.addAction("Delete (Del)", lambda: self.delete_requested.emit(entry.id))
        menu.popup(self.view.viewport().mapToGlobal(position))

    def _on_view_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.detail.hide()
            return
        item = self.model.item(current.row())
        declared = self.delegate.declared_at
        stamp = full_time(item.at)
        if declared is not None:
            stamp = f"{stamp} · {t_plus(item.at, declared)}"
        who = ""
        if item.is_entry:
            speaker = self.delegate.names.get(item.who, item.who)
            who = f" · {html.escape(speaker)}" if speaker else ""
            who += f" · written by @{html.escape(item.author)}"
            if item.owner:
                who += f" · owner @{html.escape(item.owner)}" + (" · done" if item.done else "")
            if item.mark:
                who += f" · {MARK_TITLE.get(item.mark, item.mark)}"
            if item.pending:
                who += " · <b>not in the database yet</b> (kept on this computer's disk)"
        text = html.escape(item.text).replace("\n", "<br>")
        self.detail.setText(f"<span style='color:#616e7c'>{stamp}{who}</span><br>{text}")
        self.detail.show()

    def _on_model_rows_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        if self._at_bottom:
            self.view.scrollToBottom()

    def _on_scroll_value_changed(self, value: int) -> None:
        self._at_bottom = value >= self.view.verticalScrollBar().maximum() - 2

    def _on_filter_changed(self) -> None:
        _title, kinds = _FILTERS[max(self.kinds.currentIndex(), 0)]
        self.model.set_filter(kinds, str(self.person.currentData() or ""), self.search.text())
        self._show_count()

    # ------------------------------------------------------------------ showing

    def _show_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total()
        self.count.setText(f"{shown:,} of {total:,}" if self.model.filtered else f"{total:,}")

    def _show_speaker(self) -> None:
        names = {p.handle: p.name for p in self.people}
        self.speaker_button.setText(names.get(self.speaker or "", self.speaker or "—"))
        self.speaker_button.setToolTip("Who is speaking: @name in the line, or Alt+1…9")

    def _show_state(self) -> None:
        if self.editing is not None:
            self.state.setText(
                f"Editing the entry of {self.editing.at.astimezone(local_zone()):%H:%M:%S} — "
                "Enter saves, Esc cancels; a time at the start moves it"
            )
            return
        first = self.editor.first_keystroke_at
        declared = self.delegate.declared_at
        if first is None or declared is None:
            self.state.setText("")
            return
        self.state.setText(
            f"typed from {first.astimezone(local_zone()):%H:%M:%S} · {t_plus(first, declared)}"
        )
