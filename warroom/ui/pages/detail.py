"""One page in full: what it is, what can be done to it, who was told, and what happened."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from warroom.domain.actors import actor_label, is_system
from warroom.domain.events import describe
from warroom.ui.common.timefmt import full_time, short_time
from warroom.ui.pages.model import STATE_COLOURS

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.paging.queries import PageDetail

#: Why a person was told, as a person reads it.
REASONS = {
    "initial": "paged",
    "escalation": "escalated (nobody acknowledged in time)",
    "manual_escalation": "escalated by hand",
    "repeat": "paged again (new round)",
    "released": "released at the start of support hours",
}


def _read_only_table(headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


class PageDetailPanel(QWidget):
    """The page's header, its action buttons (the owner connects them) and three tabs."""

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._now = clock
        self.detail: PageDetail | None = None
        self.names: Mapping[str, str] = {}
        self.title = QLabel("Choose a page")
        self.title.setObjectName("pageTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel("Its runbook, who was told and what happened show here.")
        self.facts.setObjectName("viewSubtitle")
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)

        self.acknowledge = self._button("Acknowledge", "A", "Stop the escalation: you are on it")
        self.resolve = self._button("Resolve", "R", "The problem is gone")
        self.escalate = self._button("Escalate", "E", "Tell the next level now")
        self.escalate.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.open_runbook = self._button("Open runbook", "O", "Open it in the Runbooks view")
        self.copy_link = self._button(
            "Copy link", "Ctrl+Shift+C", "Copy a warroom:// link to this page"
        )
        self.incident = self._button(
            "Declare incident", "D", "More than one person is needed: declare an incident"
        )
        actions = QHBoxLayout()
        actions.setSpacing(6)
        for button in (
            self.acknowledge,
            self.resolve,
            self.escalate,
            self.incident,
            self.open_runbook,
            self.copy_link,
        ):
            actions.addWidget(button)
        actions.addStretch(1)

        self.overview = QTextBrowser()
        self.overview.setObjectName("pageOverview")
        self.overview.setOpenLinks(False)
        self.told = _read_only_table(("Person", "When", "Step", "Why", "Acknowledged"))
        self.told.setObjectName("pageTold")
        self.events = _read_only_table(("When", "Who", "What"))
        self.events.setObjectName("pageEvents")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.overview, "Overview")
        self.tabs.addTab(self.told, "Who was told")
        self.tabs.addTab(self.events, "Events")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addLayout(actions)
        layout.addWidget(self.tabs, 1)
        self.show_detail(None)

    def _button(self, text: str, shortcut: str, why: str) -> QToolButton:
        button = QToolButton()
        button.setText(f"{text}  ({shortcut})" if len(shortcut) == 1 else text)
        button.setToolTip(f"{why} — {shortcut}")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setObjectName(f"page{text.replace(' ', '')}")
        return button

    # ------------------------------------------------------------------ showing

    def show_detail(self, detail: PageDetail | None) -> None:
        self.detail = detail
        for button in (
            self.acknowledge,
            self.resolve,
            self.escalate,
            self.open_runbook,
            self.copy_link,
        ):
            button.setEnabled(False)
        if detail is None:
            self.title.setText("Choose a page")
            self.facts.setText("Its runbook, who was told and what happened show here.")
            self.overview.clear()
            self.told.setRowCount(0)
            self.events.setRowCount(0)
            return
        row = detail.row
        self.acknowledge.setEnabled(row.state in ("triggered", "deferred"))
        self.resolve.setEnabled(row.state != "resolved")
        self.escalate.setEnabled(row.state != "resolved")
        self.open_runbook.setEnabled(row.runbook_slug is not None)
        self.copy_link.setEnabled(True)
        self.title.setText(f"#{row.id}  {row.service}: {row.summary}")
        colour = STATE_COLOURS.get(row.state)
        state = (
            f"<b style='color:{colour.name()}'>{row.state}</b>" if colour else f"<b>{row.state}</b>"
        )
        step = f"level {row.level}" + (f" of {detail.levels}" if detail.levels else "")
        if detail.round:
            step += f", round {detail.round + 1}"
        parts = [state, f"{row.urgency} urgency", step]
        if row.occurrences > 1:
            parts.append(f"seen {row.occurrences}×")
        if row.incident_id:
            parts.append(f"incident #{row.incident_id}")
        if row.mine:
            parts.append("you were told")
        if row.note:
            parts.append(f"<b style='color:#b44d12'>⚑ {html.escape(row.note)}</b>")
        self.facts.setText(" · ".join(parts))
        self.overview.setHtml(self._overview_html(detail))
        self._fill_told(detail)
        self._fill_events(detail)

    def _overview_html(self, detail: PageDetail) -> str:
        row, e = detail.row, html.escape
        facts: list[tuple[str, str]] = [
            ("Service", f"{row.service} ({row.service_slug})"),
            ("Triggered", full_time(row.triggered_at)),
            ("Last seen", full_time(detail.last_seen_at)),
            ("Source", detail.source),
            ("Escalation policy", detail.policy or "none: nobody is paged"),
        ]
        if detail.next_escalation_at and row.state == "triggered":
            facts.append(("Next escalation", full_time(detail.next_escalation_at)))
        if detail.deferred_until and row.state == "deferred":
            facts.append(("Held until", full_time(detail.deferred_until)))
        if detail.acknowledged_at:
            who = detail.acknowledged_by or "?"
            facts.append(("Acknowledged", f"{who}, {full_time(detail.acknowledged_at)}"))
        if detail.resolved_at:
            who = detail.resolved_by or "the alert source"
            facts.append(("Resolved", f"{who}, {full_time(detail.resolved_at)}"))
        if row.runbook_title:
            facts.append(("Runbook", row.runbook_title))
        elif detail.runbook_url:
            facts.append(("Runbook URL", detail.runbook_url))
        else:
            facts.append(("Runbook", "none yet — write one and link it to this service"))
        parts = ["<table cellspacing='0' cellpadding='3'>"]
        parts += [
            f"<tr><td style='color:#616e7c'>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in facts
        ]
        parts.append("</table>")
        if detail.details.strip():
            parts.append(f"<h4>Details</h4><p style='white-space:pre-wrap'>{e(detail.details)}</p>")
        for title, values in (("Labels", detail.labels), ("Annotations", detail.annotations)):
            if values:
                parts.append(f"<h4>{title}</h4><table cellspacing='0' cellpadding='2'>")
                parts += [
                    f"<tr><td style='color:#616e7c'>{e(str(k))}</td><td><code>{e(str(v))}"
                    "</code></td></tr>"
                    for k, v in sorted(values.items())
                ]
                parts.append("</table>")
        return "".join(parts)

    def _fill_told(self, detail: PageDetail) -> None:
        now = self._now()
        self.told.setRowCount(len(detail.told))
        for n, told in enumerate(detail.told):
            acted = short_time(told.acted_at, now) if told.acted_at else ""
            step = f"level {told.level}" + (f", round {told.round + 1}" if told.round else "")
            cells = (
                f"{told.name} (@{told.handle})",
                short_time(told.at, now),
                step,
                REASONS.get(told.reason, told.reason),
                acted,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setToolTip(full_time(told.at))
                self.told.setItem(n, column, item)
        self.told.resizeColumnsToContents()

    def _fill_events(self, detail: PageDetail) -> None:
        now = self._now()
        self.events.setRowCount(len(detail.events))
        for n, event in enumerate(detail.events):
            who = (
                f"⚙ {actor_label(event.actor)}"
                if is_system(event.actor)
                else self.names.get(event.actor, event.actor)
            )
            for column, text in enumerate((short_time(event.at, now), who, describe(event))):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setToolTip(full_time(event.at))
                self.events.setItem(n, column, item)
        self.events.resizeColumnToContents(0)
        self.events.resizeColumnToContents(1)
