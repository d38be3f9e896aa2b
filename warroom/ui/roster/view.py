"""The roster view: on call now per team, the people table, and a schedule's next week."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from warroom.domain.durations import format_duration
from warroom.domain.schedule import Shift
from warroom.ui.common.timefmt import short_time
from warroom.ui.roster.people_model import PeopleModel
from warroom.ui.roster.timeline import ScheduleTimeline
from warroom.ui.widgets.tables import read_only_rows_table

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.oncall import OnCallLine
    from warroom.services.roster_view import RosterSnapshot

ALL_EXPERTISE = "Any expertise"


class TeamCard(QFrame):
    """One team's primary and secondary: who, how long still, who is next."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamCard")
        self.title = QLabel(name)
        self.title.setObjectName("teamCardTitle")
        self.body = QLabel()
        self.body.setObjectName("teamCardBody")
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.body)

    def show_lines(
        self, lines: tuple[OnCallLine, ...], names: dict[str, str], now: datetime
    ) -> None:
        rows = []
        for line in lines:
            if line.person is None:
                who = "<span style='color:#cf1124;font-weight:600'>nobody — gap!</span>"
            else:
                who = f"<b>{names.get(line.person, line.person)}</b>"
            details = []
            if line.until:
                details.append(f"{format_duration(line.until - now)} left")
            if line.next_person and line.next_start:
                first_name = names.get(line.next_person, line.next_person).split(" ")[0]
                details.append(f"then {first_name} {short_time(line.next_start, now)}")
            rows.append(
                f"<span style='color:#616e7c'>{line.kind.title()}</span> {who}<br>"
                f"<span style='color:#616e7c'>{' · '.join(details)}</span>"
            )
        self.body.setText("<br>".join(rows))


class RosterView(QWidget):
    """Signals:
    override_requested(): the person asked to cover a shift (button or timeline click);
        the owner opens the dialog with :meth:`pending_shift` as the default period.
    """

    override_requested = Signal()

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._now = clock
        self.snapshot: RosterSnapshot | None = None
        self.pending_shift: Shift | None = None

        title = QLabel("Roster")
        title.setObjectName("viewTitle")
        subtitle = QLabel("Who is on call now and next, and who knows what.")
        subtitle.setObjectName("viewSubtitle")
        self.strip = QHBoxLayout()
        self.strip.setSpacing(10)
        self.cards: dict[str, TeamCard] = {}

        self.people = PeopleModel(clock, self)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find people: name, team, 'database', 'on call'…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.expertise = QComboBox()
        self.expertise.addItem(ALL_EXPERTISE)
        self.expertise.currentTextChanged.connect(self._on_expertise_current_text_changed)
        self.table = read_only_rows_table("peopleTable")
        self.table.setModel(self.people)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in ((0, 170), (1, 90), (2, 110), (3, 190), (4, 230)):
            self.table.setColumnWidth(column, width)

        self.schedule_box = QComboBox()
        self.schedule_box.currentIndexChanged.connect(self._on_schedule_box_current_index_changed)
        self.cover_button = QPushButton("Cover a shift…")
        self.cover_button.clicked.connect(self._on_cover_button_clicked)
        self.timeline = ScheduleTimeline()
        self.timeline.shift_clicked.connect(self._on_timeline_shift_clicked)
        scroll = QScrollArea()
        scroll.setWidget(self.timeline)
        scroll.setWidgetResizable(False)
        scroll.setMinimumHeight(170)

        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(title)
        titles.addWidget(subtitle)
        top.addLayout(titles)
        top.addStretch(1)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.expertise, 1)
        people_box = QWidget()
        people_layout = QVBoxLayout(people_box)
        people_layout.setContentsMargins(0, 0, 0, 0)
        people_layout.addLayout(filters)
        people_layout.addWidget(self.table)
        timeline_box = QWidget()
        timeline_layout = QVBoxLayout(timeline_box)
        timeline_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Next 7 days of"))
        bar.addWidget(self.schedule_box, 1)
        bar.addStretch(1)
        bar.addWidget(self.cover_button)
        timeline_layout.addLayout(bar)
        timeline_layout.addWidget(scroll)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(people_box)
        splitter.addWidget(timeline_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(self.strip)
        layout.addWidget(splitter, 1)

    # ------------------------------------------------------------------ data

    def set_snapshot(self, snapshot: RosterSnapshot) -> None:
        self.snapshot = snapshot
        self.people.set_people(snapshot.people)
        tags = sorted({tag for row in snapshot.people for tag in row.expertise})
        current = self.expertise.currentText()
        self.expertise.blockSignals(True)
        self.expertise.clear()
        self.expertise.addItems([ALL_EXPERTISE, *tags])
        self.expertise.setCurrentText(current if current in tags else ALL_EXPERTISE)
        self.expertise.blockSignals(False)
        for team in snapshot.teams:
            if team.team not in self.cards:
                card = TeamCard(team.team_name)
                self.cards[team.team] = card
                self.strip.addWidget(card, 1)
        selected = self.schedule_box.currentData()
        self.schedule_box.blockSignals(True)
        self.schedule_box.clear()
        for info in snapshot.schedules:
            self.schedule_box.addItem(f"{info.name} — {info.team_name}", info.slug)
        index = self.schedule_box.findData(selected)
        self.schedule_box.setCurrentIndex(index if index >= 0 else 0)
        self.schedule_box.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        """Re-derive what depends on the clock: time left, local times, the now line."""
        snapshot = self.snapshot
        if snapshot is None:
            return
        now = self._now()
        for team in snapshot.teams:
            self.cards[team.team].show_lines(team.lines, snapshot.names, now)
        self.people.tick()
        self._show_selected_schedule()

    def selected_schedule(self) -> str | None:
        data = self.schedule_box.currentData()
        return None if data is None else str(data)

    def _show_selected_schedule(self) -> None:
        if self.snapshot is None:
            return
        slug = self.selected_schedule()
        info = next((i for i in self.snapshot.schedules if i.slug == slug), None)
        self.timeline.show_schedule(info, self._now(), self.snapshot.names)

    # ------------------------------------------------------------------ slots

    def _on_search_text_changed(self, text: str) -> None:
        self.people.set_text(text)

    def _on_expertise_current_text_changed(self, text: str) -> None:
        self.people.set_expertise(None if text == ALL_EXPERTISE else text)

    def _on_schedule_box_current_index_changed(self, _index: int) -> None:
        self._show_selected_schedule()

    def _on_cover_button_clicked(self) -> None:
        now = self._now()
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        self.pending_shift = Shift(start, start + timedelta(hours=8), None)
        self.override_requested.emit()

    def _on_timeline_shift_clicked(self, shift: Shift) -> None:
        self.pending_shift = shift
        self.override_requested.emit()
