"""Desktop notifications that degrade visibly: notification server, tray balloon, or banner.

The freedesktop server (with action buttons) is tried first; where there is none but there is
a tray, the tray's balloon; where there is neither (e.g. GNOME without the tray extension),
the window banner with the first action as its button — and the app says which it uses.

Every notification has a key (``page:12``, ``incident:7``) chosen by the feature that shows
it; a button pressed anywhere comes back as ``action_invoked(key, action)`` and the feature
that owns the key acts on it. Several features share one notifier, as they share one tray.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QSystemTrayIcon

from warroom.ui.widgets.banner import Banner, BannerLevel

if TYPE_CHECKING:
    from warroom.engine.desktop_notify import FreedesktopNotifier

log = logging.getLogger(__name__)

#: The action a notification server sends when the notification itself is clicked.
DEFAULT_ACTION = "default"


class Channel(StrEnum):
    DESKTOP = "desktop notifications"
    TRAY = "tray messages"
    BANNER = "the window banner"


@dataclass(frozen=True)
class Notice:
    """One notification: ``actions`` are (id, label) pairs, the first is the main one."""

    key: str
    title: str
    body: str
    urgent: bool
    actions: tuple[tuple[str, str], ...]


class Notifier(QObject):
    """Shows notices on the best channel this desktop has.

    Signals:
        channel_chosen(str): the channel notices will use is known (a :class:`Channel` value).
        action_invoked(str, str): a notice's button was pressed (key, action id); clicking
            the notice itself is its first action.

    Nothing here waits on D-Bus on the GUI thread: the notification server is looked for on
    a thread of its own, notices that arrive before it answers wait in a list, and a
    notification's id (or its failure, which falls back to the banner) comes back later.
    """

    channel_chosen = Signal(str)
    action_invoked = Signal(str, str)
    _action_arrived = Signal(str, str)  # from the D-Bus listener thread
    _desktop_found = Signal(object, str)  # (notifier or None, why not), from the probe thread
    _desktop_failed = Signal(object)  # a notice the server refused

    def __init__(
        self,
        banner: Banner | None = None,
        tray: QSystemTrayIcon | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._banner = banner
        self._tray = tray
        self._desktop: FreedesktopNotifier | None = None
        self._key_of: dict[int, str] = {}
        self._notification_of: dict[str, int] = {}
        self._notices: dict[str, Notice] = {}
        self._lock = threading.Lock()
        self._waiting: list[Notice] = []
        self._banner_key: str | None = None
        self._stopped = False
        self._action_arrived.connect(self._on_self_action_arrived)
        self._desktop_found.connect(self._on_self_desktop_found)
        self._desktop_failed.connect(self._on_self_desktop_failed)
        self.channel: Channel | None = None
        self.why = ""

    def set_tray(self, tray: QSystemTrayIcon) -> None:
        """The tray whose balloon is the second channel (the paging feature owns it)."""
        self._tray = tray

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
        for notice in waiting:
            self._show(notice)

    def notify(
        self,
        key: str,
        title: str,
        body: str,
        *,
        urgent: bool = False,
        actions: Sequence[tuple[str, str]] = ((DEFAULT_ACTION, "Open"),),
    ) -> None:
        """Show (or replace) the notice for ``key``."""
        notice = Notice(key, title, body, urgent, tuple(actions))
        self._notices[key] = notice
        if self.channel is None:  # still looking for the notification server
            self._waiting = [w for w in self._waiting if w.key != key] + [notice]
            return
        self._show(notice)

    def _show(self, notice: Notice) -> None:
        if self._desktop is not None:
            with self._lock:
                replaces = self._notification_of.get(notice.key, 0)
            # The server's "default" action is a click on the notice: the main action.
            actions = [(DEFAULT_ACTION, notice.actions[0][1]), *notice.actions[1:]]
            shown = self._desktop.notify_later(
                notice.title,
                notice.body,
                critical=notice.urgent,
                replaces_id=replaces,
                actions=actions,
            )
            shown.add_done_callback(lambda done: self._on_desktop_shown(done, notice))
            return
        self._fall_back(notice)

    def _on_desktop_shown(self, done: Future[int], notice: Notice) -> None:
        """On the D-Bus thread: remember the notification, or fall back if it was refused."""
        error = done.exception()
        if error is not None:
            log.warning("desktop notification failed: %s", error)
            self._desktop_failed.emit(notice)
            return
        nid = done.result()
        with self._lock:
            self._key_of[nid] = notice.key
            self._notification_of[notice.key] = nid

    @Slot(object)
    def _on_self_desktop_failed(self, notice: Notice) -> None:
        self._fall_back(notice)  # the server went away: visibly, here

    def _fall_back(self, notice: Notice) -> None:
        if self.channel is Channel.TRAY and self._tray is not None:
            icon = (
                QSystemTrayIcon.MessageIcon.Critical
                if notice.urgent
                else QSystemTrayIcon.MessageIcon.Information
            )
            self._tray.showMessage(notice.title, notice.body, icon, 0 if notice.urgent else 15_000)
        if self._banner is None:
            return
        action_id, label = notice.actions[0]
        self._banner_key = notice.key
        self._banner.show_message(
            f"{notice.title}: {notice.body}",
            BannerLevel.ERROR if notice.urgent else BannerLevel.INFO,
            action=label,
            on_action=lambda: self._on_banner_action(notice.key, action_id),
        )

    def _on_banner_action(self, key: str, action: str) -> None:
        self._banner_key = None
        self.action_invoked.emit(key, action)

    def is_shown(self, key: str) -> bool:
        """Whether the notice's desktop notification is up (the server has given its id)."""
        with self._lock:
            return key in self._notification_of

    def withdraw(self, key: str) -> None:
        """What the notice was about is done (anywhere): take it down, wherever it is."""
        self._notices.pop(key, None)
        self._waiting = [w for w in self._waiting if w.key != key]
        with self._lock:
            nid = self._notification_of.pop(key, None)
        if nid is not None and self._desktop is not None:
            self._desktop.close_later(nid)
        if self._banner_key == key and self._banner is not None:
            self._banner_key = None
            self._banner.clear()

    def _on_desktop_action(self, notification_id: int, action: str) -> None:
        with self._lock:
            key = self._key_of.get(notification_id)
        if key is not None:
            self._action_arrived.emit(key, action)

    @Slot(str, str)
    def _on_self_action_arrived(self, key: str, action: str) -> None:
        notice = self._notices.get(key)
        if action == DEFAULT_ACTION and notice is not None:
            action = notice.actions[0][0]
        self.action_invoked.emit(key, action)

    def stop(self) -> None:
        self._stopped = True
        if self._desktop is not None:
            self._desktop.close()
            self._desktop = None
