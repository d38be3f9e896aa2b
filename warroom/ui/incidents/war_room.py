"""One incident's war room: the header, the role board and the bench, and the panels other
features add (the scribe's transcript, stakeholder updates) beside its pages, runbooks and
role history."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from warroom.domain.comms import overdue_text
from warroom.domain.incidents import BOARD_ORDER, ROLE_TITLE, elapsed, incident_ref
from warroom.domain.vocabulary import IncidentStatus, Severity
from warroom.ui.common.timefmt import full_time, short_time
from warroom.ui.incidents.board import BenchPanel, RoleBoard
from warroom.ui.incidents.models import (
    OVERDUE_COLOUR,
    SEVERITY_COLOURS,
    STATUS_COLOURS,
    BenchModel,
)

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.incidents.queries import IncidentDetail

#: How long an Undo for a handover stays offered.
UNDO_SECONDS = 8
_STATUS_BUTTONS = (
    IncidentStatus.INVESTIGATING,
    IncidentStatus.IDENTIFIED,
    IncidentStatus.MITIGATED,
    IncidentStatus.RESOLVED,
)


class Bar(QFrame):
    """A one-line message across the war room, with an optional button."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.button = QPushButton()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.hide()

    def say(self, text: str, button: str | None = None) -> None:
        self.label.setText(text)
        self.button.setVisible(button is not None)
        if button:
            self.button.setText(button)
        self.show()


class WarRoomView(QWidget):
    """Signals (what the user asks; the controller carries it out):
    back_requested(); status_requested(str); severity_requested(str);
    close_requested(); propose_close_requested(); reopen_requested();
    link_page_requested(); unlink_page_requested(int); open_page_requested(int);
    undo_requested().
    """

    back_requested = Signal()
    status_requested = Signal(str)
    severity_requested = Signal(str)
    close_requested = Signal()
    propose_close_requested = Signal()
    reopen_requested = Signal()
    link_page_requested = Signal()
    unlink_page_requested = Signal(int)
    open_page_requested = Signal(int)
    undo_requested = Signal()

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._now = clock
        self.detail: IncidentDetail | None = None
        self.me = ""
        back = QPushButton("← All incidents")
        back.setObjectName("backButton")
        back.clicked.connect(self.back_requested)
        self.ref = QLabel()
        self.ref.setObjectName("incidentRef")
        self.severity_chip = QLabel()
        self.severity_chip.setObjectName("severityChip")
        self.title = QLabel()
        self.title.setObjectName("incidentTitle")
        self.title.setWordWrap(True)
        self.facts = QLabel()
        self.facts.setObjectName("viewSubtitle")
        self.clock_label = QLabel()
        self.clock_label.setObjectName("incidentClock")
        self.update_due = QLabel()  # when stakeholders are due an update; red when overdue
        self.update_due.setObjectName("updateDue")
        self.bridge = QPushButton("Join the bridge")
        self.bridge.setObjectName("bridgeButton")
        self.bridge.clicked.connect(self._on_bridge_clicked)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.facts)
        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.ref)
        top.addWidget(self.severity_chip)
        top.addLayout(titles, 1)
        top.addWidget(self.update_due)
        top.addWidget(self.clock_label)
        top.addWidget(self.bridge)
        self._second = QTimer(self)  # T+ is read aloud on the bridge: it ticks by the second
        self._second.setInterval(1000)
        self._second.timeout.connect(self.refresh_clock)

        self.status_label = QLabel()
        self.status_buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        actions.addWidget(self.status_label)
        for status in _STATUS_BUTTONS:
            button = QPushButton(status.value.capitalize())
            button.setObjectName(f"status_{status.value}")
            button.clicked.connect(lambda _c=False, s=status.value: self.status_requested.emit(s))
            self.status_buttons[status.value] = button
            actions.addWidget(button)
        actions.addSpacing(12)
        actions.addWidget(QLabel("Severity"))
        self.severity = QComboBox()
        for level in Severity:
            self.severity.addItem(level.value, level.value)
        self.severity.activated.connect(self._on_severity_activated)
        actions.addWidget(self.severity)
        actions.addStretch(1)
        self.link_page = QPushButton("Link a page…")
        self.link_page.clicked.connect(self.link_page_requested)
        self.propose = QPushButton("Propose closing…")
        self.propose.clicked.connect(self.propose_close_requested)
        self.close_button = QPushButton("Close…")
        self.close_button.setObjectName("closeIncident")
        self.close_button.clicked.connect(self.close_requested)
        self.reopen = QPushButton("Reopen…")
        self.reopen.clicked.connect(self.reopen_requested)
        for button in (self.link_page, self.propose, self.close_button, self.reopen):
            actions.addWidget(button)

        self.warnings = Bar("warningsBar")
        self.proposal = Bar("proposalBar")
        self.proposal.button.clicked.connect(self.close_requested)
        self.undo = Bar("undoBar")
        self.undo.button.clicked.connect(self._on_undo_clicked)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.timeout.connect(self.undo.hide)
        self.presence = QLabel()
        self.presence.setObjectName("presence")

        self.board = RoleBoard(clock)
        self.bench_model = BenchModel(clock, self)
        self.bench = BenchPanel(self.bench_model)
        self.bench.setMinimumWidth(230)
        top_split = QSplitter(Qt.Orientation.Horizontal)
        top_split.addWidget(self.board)
        top_split.addWidget(self.bench)
        top_split.setStretchFactor(0, 4)
        top_split.setStretchFactor(1, 1)

        self.pages = QListWidget()
        self.pages.setObjectName("incidentPages")
        self.pages.itemDoubleClicked.connect(self._on_pages_item_double_clicked)
        self.runbooks = QListWidget()
        self.history = QTextBrowser()
        self.history.setObjectName("roleHistory")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("warRoomPanels")
        self.tabs.addTab(self.pages, "Pages")
        self.tabs.addTab(self.runbooks, "Runbooks")
        self.tabs.addTab(self.history, "Role history")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top_split)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)  # the board needs a few cards' height; the transcript
        split.setStretchFactor(1, 3)  # below is where the scribe works

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 10, 18, 10)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.warnings)
        layout.addWidget(self.proposal)
        layout.addWidget(self.undo)
        layout.addWidget(self.presence)
        layout.addWidget(split, 1)

    def add_panel(self, title: str, widget: QWidget, *, first: bool = False) -> None:
        """A panel another feature keeps in the war room (before Pages, in order added);
        the ``first`` is the tab a war room opens at."""
        self.tabs.insertTab(self.tabs.indexOf(self.pages), widget, title)
        if first:
            self.tabs.setCurrentWidget(widget)

    # ------------------------------------------------------------------ showing

    def show_detail(self, detail: IncidentDetail, me: str) -> None:
        self.detail, self.me = detail, me
        row = detail.row
        closed = row.status == IncidentStatus.CLOSED.value
        self.ref.setText(incident_ref(row.id))
        self.severity_chip.setText(row.severity)
        colour = SEVERITY_COLOURS.get(row.severity)
        self.severity_chip.setStyleSheet(
            f"background: {colour.name() if colour else '#616e7c'}; color: white;"
            " border-radius: 4px; padding: 2px 8px; font-weight: 600;"
        )
        self.title.setText(row.title)
        facts = [row.service or "no service"]
        if row.declared_at is not None:
            declared = f"declared {short_time(row.declared_at, self._now())}"
            facts.append(declared)
        if row.commander:
            facts.append(f"commander {row.commander}")
        self.facts.setText(" · ".join(facts))
        status_colour = STATUS_COLOURS.get(row.status)
        self.status_label.setText(
            f"Status: <b style='color:{status_colour.name() if status_colour else 'black'}'>"
            f"{row.status}</b>"
        )
        for status, button in self.status_buttons.items():
            button.setVisible(not closed and status != row.status)
        self.severity.setCurrentIndex(self.severity.findData(row.severity))
        self.severity.setEnabled(not closed)
        commander = detail.roles.get("incident_commander", ())
        is_commander = any(h.handle == me for h in commander)
        self.close_button.setVisible(not closed and is_commander)
        self.propose.setVisible(not closed and not is_commander)
        self.reopen.setVisible(row.status in ("resolved", "closed"))
        self.link_page.setVisible(not closed)
        self.bridge.setVisible(bool(detail.bridge_url))
        self.bridge.setToolTip(detail.bridge_url or "")
        for role in BOARD_ORDER:
            self.board.models[role.value].set_holders(
                detail.roles.get(role.value, ()), row.declared_at
            )
        self.board.setEnabled(not closed)
        self.bench.setEnabled(not closed)
        if detail.warnings and not closed:
            items = "".join(f"<div>⚠ {html.escape(w)}</div>" for w in detail.warnings)
            self.warnings.say(items)
        else:
            self.warnings.hide()
        if detail.close_proposed_by and not closed:
            note = f": “{html.escape(detail.close_proposal)}”" if detail.close_proposal else ""
            self.proposal.say(
                f"<b>@{html.escape(detail.close_proposed_by)}</b> proposed closing{note}",
                "Close…" if is_commander else None,
            )
        else:
            self.proposal.hide()
        present = [h for h in detail.present]
        self.presence.setText(
            "Open now: " + ", ".join(f"@{h}" + (" (you)" if h == me else "") for h in present)
            if present
            else "Nobody else has this war room open."
        )
        self._fill_pages(detail)
        self._fill_runbooks(detail)
        self._fill_history(detail)
        self.refresh_clock()
        if closed:
            self._second.stop()
        elif not self._second.isActive():
            self._second.start()

    def apply_role_event(self, topic: str, payload: dict[str, object], at: datetime) -> None:
        """A committed role change, shown on the board at once; the reload that follows
        brings the rest (the history, the bench's counts) and agrees with it."""
        from warroom.services.incidents.queries import Holder

        role, handle = str(payload.get("role") or ""), str(payload.get("handle") or "")
        model = self.board.models.get(role)
        if model is None or not handle:
            return
        if topic == "incident.role_released":
            model.let_go(handle)
            return
        if topic != "incident.role_assigned":
            return
        known = self.bench_model.row_of(handle)
        person = self.bench_model.person_at(known) if known is not None else None
        model.hold(
            Holder(
                -1,
                role,
                handle,
                person.name if person else handle,
                person.time_zone if person else "UTC",
                str(payload["expertise"]) if payload.get("expertise") else None,
                at,
                str(payload.get("by") or ""),
                None,
                None,
                str(payload["previous"]) if payload.get("previous") else None,
            )
        )

    def refresh_clock(self) -> None:
        detail = self.detail
        if detail is None or detail.row.declared_at is None:
            return
        end = detail.row.closed_at if detail.row.status == "closed" else None
        self.clock_label.setText(elapsed(detail.row.declared_at, end or self._now()))
        self.clock_label.setToolTip(f"Declared {full_time(detail.row.declared_at)}")
        self._show_update_due(detail)

    def _show_update_due(self, detail: IncidentDetail) -> None:
        due, audience, now = detail.row.update_due_at, detail.row.update_due_audience, self._now()
        self.update_due.setVisible(due is not None)
        if due is None:
            return
        overdue = due <= now
        self.update_due.setText(f"Update to {audience} {overdue_text(due, now)}")
        if self.update_due.property("overdue") != overdue:  # the clock ticks by the second
            self.update_due.setProperty("overdue", overdue)
            self.update_due.setStyleSheet(
                f"color: {OVERDUE_COLOUR}; font-weight: 600;" if overdue else "color: #616e7c;"
            )
        self.update_due.setToolTip(f"Due {full_time(due)}")

    def hideEvent(self, event: QHideEvent) -> None:
        self._second.stop()
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        if self.detail is not None and self.detail.row.status != "closed":
            self._second.start()
        super().showEvent(event)

    def offer_undo(self, text: str) -> None:
        """After a handover: undo it for a few seconds."""
        self.undo.say(text, "Undo")
        self._undo_timer.start(UNDO_SECONDS * 1000)

    def _fill_pages(self, detail: IncidentDetail) -> None:
        self.pages.clear()
        for page in detail.pages:
            item = QListWidgetItem(f"#{page.id}  {page.state:<12} {page.service}: {page.summary}")
            item.setData(Qt.ItemDataRole.UserRole, page.id)
            self.pages.addItem(item)
        if not detail.pages:
            self.pages.addItem("No pages linked. Link one with “Link a page…”.")

    def _fill_runbooks(self, detail: IncidentDetail) -> None:
        self.runbooks.clear()
        for runbook in detail.runbooks:
            self.runbooks.addItem(f"{runbook.title} — {runbook.ticked} of {runbook.steps} steps")
        if not detail.runbooks:
            self.runbooks.addItem("No runbook in use yet.")

    def _fill_history(self, detail: IncidentDetail) -> None:
        now = self._now()
        lines = []
        for holder in detail.history:
            title = ROLE_TITLE[holder.role]
            took = f", took over from @{holder.previous}" if holder.previous else ""
            until = (
                f" until {short_time(holder.released_at, now)} (by {holder.released_by})"
                if holder.released_at
                else " — holds it now"
            )
            lines.append(
                f"<li><b>{html.escape(holder.name)}</b> {title}: from "
                f"{short_time(holder.assigned_at, now)} (by {html.escape(holder.assigned_by)}"
                f"{html.escape(took)}){html.escape(until)}</li>"
            )
        self.history.setHtml("<ul>" + "".join(lines) + "</ul>")

    # ------------------------------------------------------------------ slots

    def _on_severity_activated(self, _index: int) -> None:
        wanted = str(self.severity.currentData())
        if self.detail is not None and wanted != self.detail.row.severity:
            self.severity.setCurrentIndex(self.severity.findData(self.detail.row.severity))
            self.severity_requested.emit(wanted)

    def _on_bridge_clicked(self) -> None:
        if self.detail is not None and self.detail.bridge_url:
            QDesktopServices.openUrl(QUrl(self.detail.bridge_url))

    def _on_undo_clicked(self) -> None:
        self._undo_timer.stop()
        self.undo.hide()
        self.undo_requested.emit()

    def _on_pages_item_double_clicked(self, item: QListWidgetItem) -> None:
        page_id = item.data(Qt.ItemDataRole.UserRole)
        if page_id is not None:
            self.open_page_requested.emit(int(page_id))
