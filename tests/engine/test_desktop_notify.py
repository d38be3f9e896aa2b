"""A real notification server (dunst) on a private D-Bus: the Notify call and its action."""

from __future__ import annotations

import subprocess
import threading

import pytest

from warroom.engine.desktop_notify import FreedesktopNotifier, NotificationServerMissingError


def test_a_page_notification_and_its_acknowledge_action(notification_server) -> None:
    actions: list[tuple[int, str]] = []
    got = threading.Event()

    def on_action(notification_id: int, key: str) -> None:
        actions.append((notification_id, key))
        got.set()

    notifier = FreedesktopNotifier(on_action)
    try:
        assert "dunst" in notifier.server
        nid = notifier.notify(
            "Page #7 — Checkout API",
            "CheckoutErrorRate: 7.8% failing",
            critical=True,
            actions=[("default", "Acknowledge"), ("open", "Open in warroom")],
        )
        assert nid > 0
        shown = subprocess.run(
            ["dunstctl", "count", "displayed"], capture_output=True, text=True
        ).stdout.strip()
        assert shown == "1"
        subprocess.run(["dunstctl", "action", "0"], check=True)  # the person clicks it
        assert got.wait(5)
        assert actions == [(nid, "default")]
        # what went over the bus: the Notify call with urgency critical (byte 2)
        calls = " ".join(notification_server.read_text().split())
        assert "member=Notify" in calls
        assert 'string "Page #7 — Checkout API"' in calls
        assert 'string "urgency" variant byte 2' in calls
    finally:
        notifier.close()


def test_without_a_notification_server_it_says_so(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-such-bus")
    with pytest.raises(NotificationServerMissingError, match="no D-Bus session bus"):
        FreedesktopNotifier(lambda *_: None)
