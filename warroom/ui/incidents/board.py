"""The role board and the bench beside it: people dragged onto roles, live on every desktop.

Every action also works without the mouse: the context menus ("Make Scribe", "Hand over
command to…", "Release"), Delete to release a holder, Ctrl+1…6 to give the selected bench
person the role of that column.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from warroom.domain.incidents import BOARD_ORDER, ROLE_DUTY, ROLE_TITLE
from warroom.ui.incidents.models import BenchModel, RoleColumnModel, dragged_person

_Index = QModelIndex | QPersistentModelIndex
CARD_HEIGHT = 40


class PersonCardDelegate(QStyledItemDelegate):
    """Two lines per person (name, then the facts), a fixed height: painting stays cheap
    when two hundred people are on the bench and a drag moves over them."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        # As wide as the list, never wider: a card elides its text rather than scroll sideways.
        return QSize(0, CARD_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        painter.save()
        rect = option.rect.adjusted(2, 1, -2, -1)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#d9e8f6") if selected else QColor("#f5f7fa"))
        painter.drawRoundedRect(rect, 4, 4)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        name, _, facts = text.partition("\n")
        colour = index.data(Qt.ItemDataRole.ForegroundRole)
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(colour if isinstance(colour, QColor) else QColor("#1f2933"))
        top = QRect(rect.left() + 8, rect.top() + 3, rect.width() - 12, 18)
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        elide = Qt.TextElideMode.ElideRight  # a narrow column shows "Alexandra Kow…", not a cut
        painter.drawText(top, left, painter.fontMetrics().elidedText(name, elide, top.width()))
        font.setBold(False)
        font.setPointSizeF(max(font.pointSizeF() - 1, 7.0))
        painter.setFont(font)
        painter.setPen(QColor("#616e7c"))
        bottom = QRect(rect.left() + 8, rect.top() + 20, rect.width() - 12, 16)
        painter.drawText(
            bottom, left, painter.fontMetrics().elidedText(facts, elide, bottom.width())
        )
        painter.restore()


class PeopleListView(QListView):
    """A list of people cards that takes part in drag and drop through its model; while a
    person is dragged over it, the frame it sits in lights up (``dropTarget`` property).

    Signals:
        delete_pressed(int): Delete (or Backspace) on the person in this row.
    """

    delete_pressed = Signal(int)

    def __init__(self, frame: QFrame | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._frame = frame
        self.setItemDelegate(PersonCardDelegate(self))
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSpacing(2)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._placeholder = ""

    def set_placeholder(self, text: str) -> None:
        """What an empty list says inside itself (so the lists of the board line up)."""
        self._placeholder = text
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if self._placeholder and model is not None and model.rowCount() == 0:
            painter = QPainter(self.viewport())
            font = painter.font()
            font.setItalic(True)
            painter.setFont(font)
            painter.setPen(QColor("#9aa5b1"))
            painter.drawText(
                self.viewport().rect().adjusted(8, 8, -8, -8),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                self._placeholder,
            )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = self.currentIndex()
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and index.isValid():
            self.delete_pressed.emit(index.row())
            event.accept()
            return
        super().keyPressEvent(event)

    def _light(self, on: bool) -> None:
        if self._frame is not None and self._frame.property("dropTarget") != on:
            self._frame.setProperty("dropTarget", on)
            self._frame.style().unpolish(self._frame)
            self._frame.style().polish(self._frame)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        person = dragged_person(event.mimeData())
        model = self.model()
        if person is None or getattr(model, "role_key", None) == person.from_role:
            event.ignore()
            return
        self._light(True)
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        # Anywhere on the list is a drop on the role: no per-row hit testing while moving.
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._light(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._light(False)
        model = self.model()
        handled = model.dropMimeData(
            event.mimeData(), Qt.DropAction.MoveAction, -1, -1, QModelIndex()
        )
        if handled:
            event.setDropAction(Qt.DropAction.CopyAction)  # the source keeps its rows
            event.accept()
        else:
            event.ignore()


class RoleColumn(QFrame):
    """One role: its title, its duty, its holders."""

    def __init__(self, model: RoleColumnModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("roleColumn")
        self.setProperty("dropTarget", False)
        self.model = model
        title = QLabel(ROLE_TITLE[str(model.role_key)])
        title.setObjectName("roleTitle")
        title.setWordWrap(True)
        title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        title.ensurePolished()  # the stylesheet's font, not the default one, is measured
        title.setMinimumHeight(title.fontMetrics().lineSpacing() * 2)
        duty = QLabel(ROLE_DUTY[str(model.role_key)])
        duty.setObjectName("roleDuty")
        duty.setWordWrap(True)
        # room for four lines of duty in every column, so the lists line up across the board
        duty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        duty.ensurePolished()
        duty.setMinimumHeight(duty.fontMetrics().lineSpacing() * 4)
        self.list = PeopleListView(self)
        self.list.setObjectName(f"role_{model.role_key}")
        self.list.setModel(model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(3)
        layout.addWidget(title)
        layout.addWidget(duty)
        layout.addWidget(self.list, 1)
        single = model.role_key != "subject_matter_expert"
        self.list.set_placeholder(
            "Nobody yet — drop someone here" if single else "Drop experts here"
        )


class RoleBoard(QWidget):
    """Six role columns. Signals:
    assign_requested(str, object, str): give a person (handle) a role (value), coming from
        another role (its value) or the bench (None).
    release_requested(str, str): take a role (value) from a person (handle).
    handover_requested(str): hand command (or another single-holder role, its value) over
        to someone the user picks.
    """

    assign_requested = Signal(str, object, str)
    release_requested = Signal(str, str)
    handover_requested = Signal(str)

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.models: dict[str, RoleColumnModel] = {}
        self.columns: dict[str, RoleColumn] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        for role in BOARD_ORDER:
            model = RoleColumnModel(role.value, clock, self)
            model.drop_requested.connect(
                lambda handle, from_role, _name, r=role.value: self.assign_requested.emit(
                    handle, from_role, r
                )
            )
            column = RoleColumn(model)
            # equal columns, whatever their titles need: the stretch decides, not the text
            column.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            column.setMinimumWidth(110)
            column.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            column.list.customContextMenuRequested.connect(
                lambda point, r=role.value: self._on_column_context_menu(r, point)
            )
            column.list.delete_pressed.connect(
                lambda row, r=role.value: self.release_requested.emit(
                    r, self.models[r].holder_at(row).handle
                )
            )
            self.models[role.value] = model
            self.columns[role.value] = column
            layout.addWidget(column, 1)

    def context_menu(self, role: str, row: int | None) -> QMenu:
        """The menu of a column (at a holder's row, or on the empty part)."""
        menu = QMenu(self)
        model = self.models[role]
        if row is not None:
            holder = model.holder_at(row)
            release = menu.addAction(f"Release {holder.name} from {ROLE_TITLE[role]}")
            release.triggered.connect(lambda: self.release_requested.emit(role, holder.handle))
            move = menu.addMenu("Move to")
            for other in BOARD_ORDER:
                if other.value == role:
                    continue
                action: QAction = move.addAction(ROLE_TITLE[other.value])
                action.triggered.connect(
                    lambda _c=False, o=other.value: self.assign_requested.emit(
                        holder.handle, role, o
                    )
                )
        if role != "subject_matter_expert":
            verb = "Hand over command to…" if role == "incident_commander" else "Hand over to…"
            handover = menu.addAction(verb)
            handover.triggered.connect(lambda: self.handover_requested.emit(role))
        return menu

    def _on_column_context_menu(self, role: str, point: QPoint) -> None:
        view = self.columns[role].list
        index = view.indexAt(point)
        menu = self.context_menu(role, index.row() if index.isValid() else None)
        menu.popup(view.viewport().mapToGlobal(point))


class BenchPanel(QFrame):
    """The incident's people and suggestions. Signals:
    search_changed(str): look for people (a name, a handle or an expertise tag).
    assign_requested(str, object, str): as the board's (from a menu or Ctrl+1…6).
    page_requested(str): page this person into the incident.
    """

    search_changed = Signal(str)
    assign_requested = Signal(str, object, str)
    page_requested = Signal(str)
    release_dropped = Signal(str, str)  # a holder dragged back to the bench: (role, handle)

    def __init__(self, model: BenchModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bench")
        self.setProperty("dropTarget", False)
        self.model = model
        title = QLabel("Bench")
        title.setObjectName("roleTitle")
        hint = QLabel("Drag people onto a role; drag a holder back here to release them.")
        hint.setObjectName("roleDuty")
        hint.setWordWrap(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find: a name, or a skill like 'database'")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.search_changed)
        self.list = PeopleListView(self)
        self.list.setObjectName("benchList")
        self.list.setModel(model)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_list_context_menu)
        self.page = QPushButton("Page to join")
        self.page.setToolTip(
            "Page the selected person into this incident (escalates if unanswered)"
        )
        self.page.clicked.connect(self._on_page_clicked)
        model.drop_requested.connect(
            lambda handle, from_role, _name: (
                self.release_dropped.emit(from_role, handle) if from_role else None
            )
        )
        for number, role in enumerate(BOARD_ORDER, start=1):
            # Set apart: PySide's constructor ignores a ``context=`` keyword, and a window-wide
            # Ctrl+2 would make whoever is selected on the bench a responder while the scribe
            # picks a kind in the transcript's line.
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self.list)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda r=role.value: self._assign_selected(r))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.page)

    def selected_handle(self) -> str | None:
        indexes = self.list.selectionModel().selectedIndexes()
        return self.model.person_at(indexes[0].row()).handle if indexes else None

    def _assign_selected(self, role: str) -> None:
        handle = self.selected_handle()
        if handle is not None:
            self.assign_requested.emit(handle, None, role)

    def context_menu(self, row: int) -> QMenu:
        person = self.model.person_at(row)
        menu = QMenu(self)
        for number, role in enumerate(BOARD_ORDER, start=1):
            verb = "Bring in as" if role.value == "subject_matter_expert" else "Make"
            action = menu.addAction(f"{verb} {ROLE_TITLE[role.value]}")
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(
                lambda _c=False, r=role.value: self.assign_requested.emit(person.handle, None, r)
            )
        menu.addSeparator()
        page = menu.addAction(f"Page {person.name} to join")
        page.triggered.connect(lambda: self.page_requested.emit(person.handle))
        return menu

    def _on_list_context_menu(self, point: QPoint) -> None:
        index = self.list.indexAt(point)
        if index.isValid():
            self.context_menu(index.row()).popup(self.list.viewport().mapToGlobal(point))

    def _on_page_clicked(self) -> None:
        handle = self.selected_handle()
        if handle is not None:
            self.page_requested.emit(handle)
