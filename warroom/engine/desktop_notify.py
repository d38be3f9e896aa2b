"""Desktop notifications through the freedesktop interface (org.freedesktop.Notifications).

Spoken with jeepney (pure Python D-Bus, already a dependency of keyring on Linux) because the
interface wants exact D-Bus types (a uint32 id, a byte urgency) that PySide's QtDBus cannot
express from Python. Actions come back on a listener thread through a plain callback; the UI
turns it into a Qt signal.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
URGENCY_NORMAL, URGENCY_CRITICAL = 1, 2

ActionCallback = Callable[[int, str], None]


class NotificationServerMissingError(Exception):
    """No session bus, or no notification server on it."""


class FreedesktopNotifier:
    """Shows notifications with action buttons and reports which button was pressed.

    Servers such as dunst send ActionInvoked only to the connection that created the
    notification, so one connection does both, owned by one thread: calls from other threads
    are handed to it and waited for.
    """

    def __init__(self, on_action: ActionCallback, app_name: str = "warroom") -> None:
        from jeepney import DBusAddress

        self._app_name = app_name
        self._on_action = on_action
        self._address = DBusAddress(PATH, bus_name=BUS_NAME, interface=BUS_NAME)
        self._requests: queue.Queue[tuple[Any, Future[Any]]] = queue.Queue()
        self._stop = threading.Event()
        self._started: Future[str] = Future()
        self._thread = threading.Thread(target=self._run, name="warroom-notify", daemon=True)
        self._thread.start()
        try:
            self.server = self._started.result(timeout=10)
        except NotificationServerMissingError:
            self._thread.join(2)
            raise

    def _send(self, message: Any) -> Future[Any]:
        """Hand a method call to the connection's thread; its reply comes in the future."""
        done: Future[Any] = Future()
        self._requests.put((message, done))
        return done

    def notify(
        self,
        summary: str,
        body: str,
        *,
        critical: bool,
        actions: Sequence[tuple[str, str]] = (),
        replaces_id: int = 0,
    ) -> int:
        """Show a notification and wait for its id (for callers that may wait)."""
        shown = self.notify_later(
            summary, body, critical=critical, actions=actions, replaces_id=replaces_id
        )
        return shown.result(timeout=5)

    def notify_later(
        self,
        summary: str,
        body: str,
        *,
        critical: bool,
        actions: Sequence[tuple[str, str]] = (),
        replaces_id: int = 0,
    ) -> Future[int]:
        """Show a notification without waiting; the future holds its id (pass it as
        ``replaces_id`` to update the notification) or why it could not be shown."""
        from jeepney import new_method_call

        flat = [part for key, label in actions for part in (key, label)]
        hints = {"urgency": ("y", URGENCY_CRITICAL if critical else URGENCY_NORMAL)}
        message = new_method_call(
            self._address,
            "Notify",
            "susssasa{sv}i",
            (
                self._app_name,
                replaces_id,
                "dialog-warning" if critical else "dialog-information",
                summary,
                body,
                flat,
                hints,
                0 if critical else -1,
            ),
        )
        shown: Future[int] = Future()

        def _reply(reply: Future[Any]) -> None:
            error = reply.exception()
            if error is not None:
                shown.set_exception(error)
            elif reply.result().header.message_type.name == "error":
                shown.set_exception(RuntimeError(f"Notify failed: {reply.result().body}"))
            else:
                shown.set_result(int(reply.result().body[0]))

        self._send(message).add_done_callback(_reply)
        return shown

    def close_later(self, notification_id: int) -> None:
        """Take a notification down, without waiting for the server to confirm."""
        from jeepney import new_method_call

        self._send(new_method_call(self._address, "CloseNotification", "u", (notification_id,)))

    def _run(self) -> None:
        from jeepney import MatchRule, message_bus, new_method_call
        from jeepney.io.blocking import Proxy, open_dbus_connection

        try:
            connection = open_dbus_connection(bus="SESSION")
        except Exception as error:  # no bus address, socket gone…
            why = "DBUS_SESSION_BUS_ADDRESS is not set" if isinstance(error, KeyError) else error
            self._started.set_exception(
                NotificationServerMissingError(f"no D-Bus session bus ({why})")
            )
            return
        rule = MatchRule(type="signal", interface=BUS_NAME, member="ActionInvoked", path=PATH)
        with connection, connection.filter(rule) as actions:
            try:
                Proxy(message_bus, connection).AddMatch(rule)
                reply = connection.send_and_get_reply(
                    new_method_call(self._address, "GetServerInformation"), timeout=3
                )
                if reply.header.message_type.name == "error":
                    raise RuntimeError(reply.body[0] if reply.body else "error")
                name, vendor, version, _spec = reply.body
            except Exception as error:
                self._started.set_exception(
                    NotificationServerMissingError(
                        f"no notification server on the session bus ({error})"
                    )
                )
                return
            self._started.set_result(f"{name} {version} ({vendor})")
            while not self._stop.is_set():
                self._serve_requests(connection)
                try:
                    signal = connection.recv_until_filtered(actions, timeout=0.02)
                except TimeoutError:
                    continue
                except Exception:
                    log.warning("notification connection lost", exc_info=True)
                    return
                notification_id, action = signal.body
                self._on_action(int(notification_id), str(action))

    def _serve_requests(self, connection: Any) -> None:
        while True:
            try:
                message, done = self._requests.get_nowait()
            except queue.Empty:
                return
            try:
                done.set_result(connection.send_and_get_reply(message, timeout=3))
            except Exception as error:
                done.set_exception(error)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(3)
