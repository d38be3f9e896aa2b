"""One dialog to cover someone: "I'll take this shift", or any person for any period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, QTimeZone
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.oncall import ScheduleInfo


@dataclass(frozen=True)
class OverrideRequest:
    schedule: str
    person: str
    starts_at: datetime
    ends_at: datetime
    reason: str


def _to_qt(instant: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(instant.timestamp()), QTimeZone.systemTimeZone())


def _from_qt(value: QDateTime) -> datetime:
    return datetime.fromtimestamp(value.toSecsSinceEpoch()).astimezone()


class OverrideDialog(QDialog):
    """Validates as the person types; the app saves the request through the services."""

    def __init__(
        self,
        schedules: list[ScheduleInfo],
        people: list[tuple[str, str]],  # (handle, name)
        *,
        schedule: str | None = None,
        person: str | None = None,
        starts_at: datetime,
        ends_at: datetime,
        now: datetime,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cover a shift")
        self._now = now
        self.schedule_box = QComboBox()
        for info in schedules:
            self.schedule_box.addItem(f"{info.name} ({info.team_name})", info.slug)
        if schedule is not None:
            self.schedule_box.setCurrentIndex(max(0, self.schedule_box.findData(schedule)))
        self.person_box = QComboBox()
        self.person_box.setEditable(False)
        for handle, name in people:
            self.person_box.addItem(f"{name} (@{handle})", handle)
        if person is not None:
            self.person_box.setCurrentIndex(max(0, self.person_box.findData(person)))
        self.start_edit = QDateTimeEdit(_to_qt(starts_at))
        self.end_edit = QDateTimeEdit(_to_qt(ends_at))
        for edit in (self.start_edit, self.end_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd dd MMM yyyy  HH:mm")
            edit.dateTimeChanged.connect(self._on_edit_changed)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("Why (optional): swap with Marcus, dentist…")
        self.problem = QLabel()
        self.problem.setObjectName("formProblem")
        self.problem.setStyleSheet("color: #cf1124;")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Schedule", self.schedule_box)
        form.addRow("Who is on call", self.person_box)
        form.addRow("From (your time)", self.start_edit)
        form.addRow("Until (your time)", self.end_edit)
        form.addRow("Reason", self.reason_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._on_edit_changed()

    def validation_problem(self) -> str | None:
        start, end = _from_qt(self.start_edit.dateTime()), _from_qt(self.end_edit.dateTime())
        if end <= start:
            return "The end must be after the start."
        if end <= self._now:
            return "That period is already over."
        if end - start > timedelta(days=92):
            return "An override covers at most 92 days."
        if self.person_box.currentIndex() < 0 or self.schedule_box.currentIndex() < 0:
            return "Choose a schedule and a person."
        return None

    def _on_edit_changed(self, *_: object) -> None:
        problem = self.validation_problem()
        self.problem.setText(problem or "")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(problem is None)

    def show_error(self, message: str) -> None:
        """A refusal from the services (someone removed the person meanwhile…)."""
        self.problem.setText(message)

    def request(self) -> OverrideRequest:
        return OverrideRequest(
            schedule=str(self.schedule_box.currentData()),
            person=str(self.person_box.currentData()),
            starts_at=_from_qt(self.start_edit.dateTime()),
            ends_at=_from_qt(self.end_edit.dateTime()),
            reason=self.reason_edit.text().strip(),
        )

    def accept(self) -> None:
        if self.validation_problem() is None:
            super().accept()

    @classmethod
    def ask(cls, parent: QWidget, **kwargs: object) -> OverrideRequest | None:
        """Show the dialog modally; the request, or None if cancelled (tests replace this)."""
        dialog = cls(parent=parent, **kwargs)  # type: ignore[arg-type]
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.request()
            return None
        finally:
            dialog.deleteLater()
