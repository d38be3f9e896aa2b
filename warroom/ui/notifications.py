"""Page notifications that degrade visibly: desktop notification, tray balloon, or banner.

The freedesktop server (with an Acknowledge action) is tried first; where there is none but
there is a tray, the tray's balloon; where there is neither (e.g. GNOME without the tray
extension), the window banner with an Acknowledge button — and the app says which it uses.
"""

from __future__ import annotations

import logging
import sys
import threading
from concurrent.futures import Future
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
    channel_chosen(str): the channel pages will use is known (a :class:`Channel` value).
    acknowledge_requested(int): the person pressed Acknowledge for this page.
    open_requested(int): the person asked to see this page in the app.
    banner_requested(int, str): show this page in the window banner (fallback channel).

    Nothing here waits on D-Bus on the GUI thread: the notification server is looked for on
    a thread of its own, pages that arrive before it answers wait in a list, and a
    notification's id (or its failure, which falls back to the banner) comes back later.
    """

    channel_chosen = Signal(str)
    acknowledge_requested = Signal(int)
    open_requested = Signal(int)
    banner_requested = Signal(int, str)
    _action_arrived = Signal(int, str)  # from the D-Bus listener thread
    _desktop_found = Signal(object, str)  # (notifier or None, why not), from the probe thread
    _desktop_failed = Signal(int, str, str, bool)  # a notification the server refused

    def __init__(self, tray: QSystemTrayIcon | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray = tray
        self._desktop: FreedesktopNotifier | None = None
        self._by_notification: dict[int, int] = {}
        self._notification_of: dict[int, int] = {}
        self._lock = threading.Lock()
        self._waiting: list[tuple[int, str, str, bool]] = []
        self._stopped = False
        self._action_arrived.connect(self._on_self_action_arrived)
        self._desktop_found.connect(self._on_self_desktop_found)
        self._desktop_failed.connect(self._on_self_desktop_failed)
        self.channel: Channel | None = None
        self.why = ""

    def start(self) -> None:
        """Look for the best channel this desktop has; ``channel_chosen`` says which, and why."""
        if sys.platform.startswith("linux"):
            threading.Thread(
                target=self._probe_desktop, name="warroom-notify-probe", daemon=True
            ).start()
        else:
            self._on_self_desktop_found(None, "")

    def _probe_desktop(self) -> None:
        from warroom.engine.desktop_notify import (
            FreedesktopNotifier,
            NotificationServerMissingError,
        )

        try:
            self._desktop_found.emit(FreedesktopNotifier(self._on_desktop_action), "")
        except NotificationServerMissingError as error:
            self._desktop_found.emit(None, str(error))

    @Slot(object, str)
    def _on_self_desktop_found(self, desktop: FreedesktopNotifier | None, why: str) -> None:
        if self._stopped:
            if desktop is not None:
                desktop.close()
            return
        self._desktop, self.why = desktop, why
        if desktop is not None:
            self.channel = Channel.DESKTOP
        elif (
            self._tray is not None
            and QSystemTrayIcon.isSystemTrayAvailable()
            and QSystemTrayIcon.supportsMessages()
        ):
            self.channel = Channel.TRAY
        else:
            self.channel = Channel.BANNER
            self.why = self.why or "no notification server or system tray"
        self.channel_chosen.emit(self.channel.value)
        waiting, self._waiting = self._waiting, []
        for page_id, title, body, urgent in waiting:
            self.notify_page(page_id, title, body, urgent=urgent)

    def notify_page(self, page_id: int, title: str, body: str, *, urgent: bool) -> None:
        if self.channel is None:  # still looking for the notification server
            self._waiting.append((page_id, title, body, urgent))
            return
        if self._desktop is not None:
            with self._lock:
                replaces = self._notification_of.get(page_id, 0)
            shown = self._desktop.notify_later(
                title,
                body,
                critical=urgent,
                replaces_id=replaces,
                actions=[("default", "Acknowledge"), ("open", "Open in warroom")],
            )
            shown.add_done_callback(
                lambda done: self._on_desktop_shown(done, page_id, title, body, urgent)
            )
            return
        self._fall_back(page_id, title, body, urgent)

    def _on_desktop_shown(
        self, done: Future[int], page_id: int, title: str, body: str, urgent: bool
    ) -> None:
        """On the D-Bus thread: remember the notification, or fall back if it was refused."""
        error = done.exception()
        if error is not None:
            log.warning("desktop notification failed: %s", error)
            self._desktop_failed.emit(page_id, title, body, urgent)
            return
        nid = done.result()
        with self._lock:
            self._by_notification[nid] = page_id
            self._notification_of[page_id] = nid

    @Slot(int, str, str, bool)
    def _on_self_desktop_failed(self, page_id: int, title: str, body: str, urgent: bool) -> None:
        self._fall_back(page_id, title, body, urgent)  # the server went away: visibly, here

    def _fall_back(self, page_id: int, title: str, body: str, urgent: bool) -> None:
        if self.channel is Channel.TRAY and self._tray is not None:
            icon = (
                QSystemTrayIcon.MessageIcon.Critical
                if urgent
                else QSystemTrayIcon.MessageIcon.Information
            )
            self._tray.showMessage(title, body, icon, 0 if urgent else 15_000)
        self.banner_requested.emit(page_id, f"{title}: {body}")

    def is_shown(self, page_id: int) -> bool:
        """Whether the page's desktop notification is up (the server has given its id)."""
        with self._lock:
            return page_id in self._notification_of

    def withdraw(self, page_id: int) -> None:
        """The page was acknowledged or resolved (anywhere): take its notification down."""
        self._waiting = [w for w in self._waiting if w[0] != page_id]
        with self._lock:
            nid = self._notification_of.pop(page_id, None)
        if nid is not None and self._desktop is not None:
            self._desktop.close_later(nid)

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
        self._stopped = True
        if self._desktop is not None:
            self._desktop.close()
            self._desktop = None
