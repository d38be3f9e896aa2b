"""The system tray: the state at a glance, and my open pages one click from acknowledged."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from warroom.ui.common.icons import named_icon

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.paging.queries import MyPage


class TrayState(StrEnum):
    QUIET = "nothing for me"
    ON_CALL = "on call"
    PAGE = "a page waits for my acknowledgement"
    ESCALATED = "a page went past me"


#: The icon of each state: resources/icons/tray-*.svg, drawn as PNGs by tools/render_icons.py.
ICONS = {
    TrayState.QUIET: "tray-quiet",
    TrayState.ON_CALL: "tray-on-call",
    TrayState.PAGE: "tray-page",
    TrayState.ESCALATED: "tray-escalated",
}


def state_icon(state: TrayState) -> QIcon:
    return named_icon(ICONS[state])


def tray_tooltip(pages: list[MyPage], on_call: bool) -> str:
    """The tray's tooltip: how many of my pages are open, and how many wait for me."""
    if not pages:
        return "warroom — on call, no open pages for you" if on_call else "warroom — all quiet"
    waiting = sum(1 for p in pages if p.state == "triggered")
    past = sum(1 for p in pages if p.escalated_past_me)
    text = f"warroom — {len(pages)} open page{'s' if len(pages) != 1 else ''} for you"
    if waiting:
        text += f", {waiting} waiting for acknowledgement"
    if past:
        text += f", {past} escalated past you"
    return text


class TrayController(QObject):
    """Signals (all with a page id unless said):
    acknowledge_requested, resolve_requested, escalate_requested, declare_requested,
    open_requested,
    open_runbook_requested(int); show_window_requested(); quit_requested().
    """

    acknowledge_requested = Signal(int)
    resolve_requested = Signal(int)
    escalate_requested = Signal(int)
    declare_requested = Signal(int)
    open_requested = Signal(int)
    open_runbook_requested = Signal(int)
    show_window_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon()
        self.menu = QMenu()
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_icon_activated)
        self.state = TrayState.QUIET
        self.pages: list[MyPage] = []
        self.set_state(TrayState.QUIET)
        self.set_pages([])

    @property
    def available(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.icon.show()

    def set_state(self, state: TrayState) -> None:
        self.state = state
        self.icon.setIcon(state_icon(state))
        self.icon.setToolTip(f"warroom — {state.value}")

    def set_pages(self, pages: list[MyPage], on_call: bool = False) -> None:
        self.pages = pages
        if any(p.escalated_past_me for p in pages):
            self.set_state(TrayState.ESCALATED)
        elif any(p.state == "triggered" for p in pages):
            self.set_state(TrayState.PAGE)
        else:
            self.set_state(TrayState.ON_CALL if on_call else TrayState.QUIET)
        self.icon.setToolTip(tray_tooltip(pages, on_call))
        self.menu.clear()
        if not pages:
            none = self.menu.addAction("No open pages for you")
            none.setEnabled(False)
        for page in pages:
            mark = "⚠ " if page.state == "triggered" else "✓ "
            sub = self.menu.addMenu(f"{mark}#{page.id} {page.service}: {page.summary[:50]}")
            self._add(
                sub,
                "Acknowledge",
                self.acknowledge_requested,
                page.id,
                enabled=page.state == "triggered",
            )
            self._add(sub, "Resolve", self.resolve_requested, page.id)
            self._add(sub, "Escalate to the next level", self.escalate_requested, page.id)
            self._add(sub, "Declare incident…", self.declare_requested, page.id)
            self._add(
                sub,
                "Open runbook",
                self.open_runbook_requested,
                page.id,
                enabled=page.runbook_slug is not None,
            )
            self._add(sub, "Open in app", self.open_requested, page.id)
        self.menu.addSeparator()
        show = self.menu.addAction("Show warroom")
        show.triggered.connect(self.show_window_requested)
        quit_action = self.menu.addAction("Quit")
        quit_action.triggered.connect(self.quit_requested)

    def _add(
        self, menu: QMenu, text: str, signal: SignalInstance, page_id: int, enabled: bool = True
    ) -> QAction:
        action = menu.addAction(text)
        action.setEnabled(enabled)
        action.triggered.connect(lambda _checked=False, pid=page_id: signal.emit(pid))
        return action

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.show_window_requested.emit()

    def hide(self) -> None:
        self.icon.hide()
