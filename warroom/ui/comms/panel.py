"""The war room's "Stakeholder updates" panel: the composer beside the updates sent.

The composer drafts from the incident's template for the chosen audience (impact, what is
being done, the status and when the next update comes filled in) and redrafts as those
change, until the coordinator edits the text by hand; "Redraft" brings the template back.
Posting, copying and everything else it asks goes out as a signal; it holds no rules.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from warroom.domain.comms import (
    AUDIENCE_TITLE,
    STATUS_TITLE,
    UPDATE_STATUSES,
    as_markdown,
    as_plain_text,
    overdue_text,
)
from warroom.domain.vocabulary import Audience, IncidentStatus
from warroom.ui.comms.model import UpdatesModel
from warroom.ui.widgets.tables import read_only_rows_table

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.comms.updates import ComposerFacts, UpdateRow

OVERDUE = "#cf1124"


class UpdatesPanel(QWidget):
    """Signals:
    post_requested(str, str, str): post this text (audience, status, body).
    """

    post_requested = Signal(str, str, str)

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._now = clock
        self.facts: ComposerFacts | None = None
        self._edited = False  # the coordinator typed in the text: no more redrafting
        self._status_chosen = False  # chosen (or offered): no longer follows the incident's
        self._drafting = False

        self.due = QLabel()
        self.due.setObjectName("updatesDue")
        self.due.setTextFormat(Qt.TextFormat.RichText)
        self.offer = QLabel()
        self.offer.setObjectName("updateOffer")
        self.offer.setWordWrap(True)
        self.offer.hide()

        self.audience = QComboBox()
        self.audience.setObjectName("updateAudience")
        for audience in Audience:
            self.audience.addItem(AUDIENCE_TITLE[audience.value], audience.value)
        self.status = QComboBox()
        self.status.setObjectName("updateStatus")
        for status in UPDATE_STATUSES:
            self.status.addItem(STATUS_TITLE[status], status)
        self.target = QLabel()
        self.target.setObjectName("updateTarget")
        self.impact = QLineEdit()
        self.impact.setObjectName("updateImpact")
        self.impact.setPlaceholderText("Who is affected, and how (e.g. 5% of card payments fail)")
        self.doing = QLineEdit()
        self.doing.setObjectName("updateDoing")
        self.doing.setPlaceholderText("What is being done (the status says it if left empty)")
        self.body = QPlainTextEdit()
        self.body.setObjectName("updateBody")
        self.redraft = QPushButton("Redraft")
        self.redraft.setToolTip("Fill the text in from the template again")
        self.post = QPushButton("Post update")
        self.post.setObjectName("postUpdate")
        self.post.setDefault(True)
        self.result = QLabel()
        self.result.setObjectName("updateResult")

        choose = QHBoxLayout()
        choose.addWidget(QLabel("To"))
        choose.addWidget(self.audience)
        choose.addWidget(QLabel("Status"))
        choose.addWidget(self.status)
        choose.addWidget(self.target, 1)
        form = QFormLayout()
        form.addRow("Impact", self.impact)
        form.addRow("Doing", self.doing)
        buttons = QHBoxLayout()
        buttons.addWidget(self.result, 1)
        buttons.addWidget(self.redraft)
        buttons.addWidget(self.post)
        composer = QGroupBox("Write an update")
        composer_layout = QVBoxLayout(composer)
        composer_layout.addLayout(choose)
        composer_layout.addLayout(form)
        composer_layout.addWidget(self.body, 1)
        composer_layout.addLayout(buttons)

        self.model = UpdatesModel(clock, self)
        self.table = read_only_rows_table("updatesSent")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for column in range(UpdatesModel.TEXT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.copy = QToolButton()
        self.copy.setObjectName("copyUpdate")
        self.copy.setText("Copy for chat / email")
        self.copy.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.copy)
        self.copy_text = QAction("Plain text (e-mail)", menu)
        self.copy_markdown = QAction("Markdown (chat)", menu)
        menu.addAction(self.copy_text)
        menu.addAction(self.copy_markdown)
        self.copy.setMenu(menu)
        self.copy.setEnabled(False)
        sent = QGroupBox("Sent")
        sent_layout = QVBoxLayout(sent)
        sent_layout.addWidget(self.table, 1)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self.copy)
        sent_layout.addLayout(copy_row)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(composer)
        split.addWidget(sent)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.due)
        layout.addWidget(self.offer)
        layout.addWidget(split, 1)

        self.audience.currentIndexChanged.connect(self._on_choice_changed)
        self.status.currentIndexChanged.connect(self._on_choice_changed)
        self.status.activated.connect(self._on_status_activated)
        self.impact.textEdited.connect(self._on_choice_changed)
        self.doing.textEdited.connect(self._on_choice_changed)
        self.body.textChanged.connect(self._on_body_text_changed)
        self.redraft.clicked.connect(self._on_redraft_clicked)
        self.post.clicked.connect(self._on_post_clicked)
        self.copy_text.triggered.connect(self._on_copy_text_triggered)
        self.copy_markdown.triggered.connect(self._on_copy_markdown_triggered)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.setEnabled(False)

    # ------------------------------------------------------------------ showing

    def show_incident(self, facts: ComposerFacts, rows: list[UpdateRow]) -> None:
        """Fresh facts and updates of the incident shown (the same one, or another)."""
        other = self.facts is None or self.facts.incident_id != facts.incident_id
        self.facts = facts
        self.setEnabled(True)
        if other:
            self._edited = self._status_chosen = False
            self.offer.hide()
            self.result.clear()
            self.impact.clear()
            self.doing.clear()
        if not self._status_chosen:
            self.set_status(_reported(facts.status))
        self.model.set_updates(rows)
        self.copy.setEnabled(bool(rows))
        if rows and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self.refresh_due()
        self._draft()

    def set_audience(self, audience: str) -> None:
        self.audience.setCurrentIndex(self.audience.findData(audience))

    def set_status(self, status: str) -> None:
        self.status.setCurrentIndex(self.status.findData(status))

    def offer_status(self, status: str, text: str) -> None:
        """A status change just happened here: the composer, filled in with the status."""
        self._edited = False
        self._status_chosen = True
        self.set_status(status)
        self.offer.setText(text)
        self.offer.show()
        self._draft()
        self.bring_forward()

    def bring_forward(self) -> None:
        """Make this panel the war room's current tab, and the text ready to edit."""
        widget: QWidget | None = self
        while widget is not None and not isinstance(widget, QTabWidget):
            widget = widget.parentWidget()
        if isinstance(widget, QTabWidget):
            widget.setCurrentWidget(self)
        self.body.setFocus()

    def posted(self, text: str) -> None:
        """The update is in: a fresh draft for the next one."""
        self._edited = self._status_chosen = False
        self.offer.hide()
        self.impact.clear()
        self.doing.clear()
        self.result.setText(text)
        self._draft()

    def refresh_due(self) -> None:
        """Who is due an update when, red once overdue (the clock moves)."""
        facts = self.facts
        if facts is None:
            return
        if not facts.dues:
            every = "" if facts.cadence_minutes else f" ({facts.severity} has no update cadence)"
            self.due.setText(f"No update is due{every}.")
            return
        now = self._now()
        parts = []
        for due in sorted(facts.dues, key=lambda d: d.due):
            text = f"{AUDIENCE_TITLE[due.audience]} {overdue_text(due.due, now)}"
            if due.due <= now:
                text = f"<b style='color:{OVERDUE}'>{html.escape(text)}</b>"
            elif due.snoozed:
                text = f"{html.escape(text)} (snoozed)"
            parts.append(text)
        self.due.setText(f"Updates every {facts.cadence_minutes} min: " + " · ".join(parts))

    # ------------------------------------------------------------------ drafting

    def chosen_audience(self) -> str:
        return str(self.audience.currentData())

    def chosen_status(self) -> str:
        return str(self.status.currentData())

    def _draft(self) -> None:
        facts = self.facts
        if facts is None:
            return
        audience = self.chosen_audience()
        target = facts.targets.get(audience)
        self.target.setText(f"also goes to {target}" if target else "kept here; copy it to send")
        if self._edited:
            return
        self._drafting = True
        try:
            self.body.setPlainText(
                facts.draft(
                    audience,
                    self.chosen_status(),
                    self._now(),
                    impact=self.impact.text(),
                    actions=self.doing.text(),
                )
            )
        finally:
            self._drafting = False

    # ------------------------------------------------------------------ slots

    def _on_choice_changed(self, *_args: object) -> None:
        self._draft()

    def _on_status_activated(self, _index: int) -> None:
        self._status_chosen = True  # the coordinator's choice, kept while the incident moves

    def _on_body_text_changed(self) -> None:
        if not self._drafting:
            self._edited = True

    def _on_redraft_clicked(self) -> None:
        self._edited = False
        self._draft()

    def _on_post_clicked(self) -> None:
        if self.facts is None:
            return
        self.post_requested.emit(
            self.chosen_audience(), self.chosen_status(), self.body.toPlainText()
        )

    def _selected(self) -> UpdateRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.update_at(rows[0].row())

    def _copy(self, render: Callable[[str, str, str, str, str], str]) -> None:
        row, facts = self._selected(), self.facts
        if row is None or facts is None:
            return
        text = render(row.audience, facts.ref, facts.title, row.status, row.body)
        QGuiApplication.clipboard().setText(text)
        self.result.setText("Copied; paste it into your chat or e-mail.")

    def _on_copy_text_triggered(self) -> None:
        self._copy(as_plain_text)

    def _on_copy_markdown_triggered(self) -> None:
        self._copy(as_markdown)

    def _on_selection_changed(self, *_args: object) -> None:
        self.copy.setEnabled(self._selected() is not None)


def _reported(status: str) -> str:
    """What an update reports for an incident in ``status`` (closed: its last word)."""
    return IncidentStatus.RESOLVED.value if status == IncidentStatus.CLOSED.value else status
