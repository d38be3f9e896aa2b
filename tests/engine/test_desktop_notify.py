"""A real notification server (dunst) on a private D-Bus: the Notify call and its action."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from warroom.engine.desktop_notify import FreedesktopNotifier, NotificationServerMissingError


def _need(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (apt-get install xvfb dbus dunst)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def notification_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Xvfb, a private session bus, dunst and a bus monitor; yields the monitor's log."""
    _need("Xvfb", "dbus-daemon", "dbus-monitor", "dunst", "dunstctl")
    display = f":{150 + os.getpid() % 500}"
    xvfb = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    bus = subprocess.run(
        ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
        capture_output=True,
        text=True,
        check=True,
    )
    address, pid = bus.stdout.split()[:2]
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    monkeypatch.setenv("DISPLAY", display)
    config = tmp_path / "dunstrc"
    config.write_text("[global]\n    timeout = 0\n")
    dunst = subprocess.Popen(
        ["dunst", "-config", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while subprocess.run(["dunstctl", "is-paused"], capture_output=True).returncode != 0:
        if time.monotonic() > deadline:
            raise RuntimeError("dunst did not start")
        time.sleep(0.05)
    log = tmp_path / "bus.log"
    with log.open("w") as sink:
        monitor = subprocess.Popen(
            ["dbus-monitor", "--session", "interface='org.freedesktop.Notifications'"],
            stdout=sink,
            stderr=subprocess.DEVNULL,
        )
    time.sleep(0.3)  # let the monitor subscribe before anything is sent
    yield log
    monitor.terminate()
    monitor.wait(5)
    dunst.terminate()
    dunst.wait(5)
    subprocess.run(["kill", pid], check=False)
    xvfb.terminate()
    xvfb.wait(5)


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
