"""Page notifications that degrade visibly: desktop notification, tray balloon, or banner.

The freedesktop server (with an Acknowledge action) is tried first; where there is none but
there is a tray, the tray's balloon; where there is neither (e.g. GNOME without the tray
extension), the window banner with an Acknowledge button — and the app says which it uses.
"""

from __future__ import annotations

import logging
import sys
import threading
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QSystemTrayIcon

if TYPE_CHECKING:
    from warroom.engine.desktop_notify import FreedesktopNotifier

log = logging.getLogger(__name__)


class Channel(StrEnum):
    DESKTOP = "desktop notifications"
    TRAY = "tray messages"
    BANNER = "the window banner"


class PageNotifier(QObject):
    """Signals:
    acknowledge_requested(int): the person pressed Acknowledge for this page.
    open_requested(int): the person asked to see this page in the app.
    banner_requested(int, str): show this page in the window banner (fallback channel).
    """

    acknowledge_requested = Signal(int)
    open_requested = Signal(int)
    banner_requested = Signal(int, str)
    _action_arrived = Signal(int, str)  # from the D-Bus listener thread

    def __init__(self, tray: QSystemTrayIcon | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray = tray
        self._desktop: FreedesktopNotifier | None = None
        self._by_notification: dict[int, int] = {}
        self._notification_of: dict[int, int] = {}
        self._lock = threading.Lock()
        self._action_arrived.connect(self._on_self_action_arrived)
        self.channel = Channel.BANNER
        self.why = ""

    def start(self) -> Channel:
        """Pick the best channel this desktop has, and remember why (shown to the person)."""
        if sys.platform.startswith("linux"):
            from warroom.engine.desktop_notify import (
                FreedesktopNotifier,
                NotificationServerMissingError,
            )

            try:
                self._desktop = FreedesktopNotifier(self._on_desktop_action)
                self.channel = Channel.DESKTOP
                return self.channel
            except NotificationServerMissingError as error:
                self.why = str(error)
        if (
            self._tray is not None
            and QSystemTrayIcon.isSystemTrayAvailable()
            and QSystemTrayIcon.supportsMessages()
        ):
            self.channel = Channel.TRAY
        else:
            self.channel = Channel.BANNER
            self.why = self.why or "no notification server or system tray"
        return self.channel

    def notify_page(self, page_id: int, title: str, body: str, *, urgent: bool) -> None:
        if self._desktop is not None:
            try:
                replaces = self._notification_of.get(page_id, 0)
                nid = self._desktop.notify(
                    title,
                    body,
                    critical=urgent,
                    replaces_id=replaces,
                    actions=[("default", "Acknowledge"), ("open", "Open in warroom")],
                )
                with self._lock:
                    self._by_notification[nid] = page_id
                    self._notification_of[page_id] = nid
                return
            except Exception:  # the server went away: fall back for this one, visibly
                log.warning("desktop notification failed", exc_info=True)
        if self.channel is Channel.TRAY and self._tray is not None:
            icon = (
                QSystemTrayIcon.MessageIcon.Critical
                if urgent
                else QSystemTrayIcon.MessageIcon.Information
            )
            self._tray.showMessage(title, body, icon, 0 if urgent else 15_000)
        self.banner_requested.emit(page_id, f"{title}: {body}")

    def withdraw(self, page_id: int) -> None:
        """The page was acknowledged or resolved (anywhere): take its notification down."""
        nid = self._notification_of.pop(page_id, None)
        if nid is not None and self._desktop is not None:
            try:
                self._desktop.close_notification(nid)
            except Exception:
                log.debug("closing notification %s failed", nid, exc_info=True)

    def _on_desktop_action(self, notification_id: int, action: str) -> None:
        with self._lock:
            page_id = self._by_notification.get(notification_id)
        if page_id is not None:
            self._action_arrived.emit(page_id, action)

    @Slot(int, str)
    def _on_self_action_arrived(self, page_id: int, action: str) -> None:
        if action == "open":
            self.open_requested.emit(page_id)
        else:
            self.acknowledge_requested.emit(page_id)

    def stop(self) -> None:
        if self._desktop is not None:
            self._desktop.close()
            self._desktop = None
