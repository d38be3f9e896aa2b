"""The notifier never waits on D-Bus on the GUI thread, and a notice always lands somewhere."""

from __future__ import annotations

import threading
from concurrent.futures import Future

import pytest
from PySide6.QtWidgets import QWidget

from warroom.engine import desktop_notify
from warroom.ui.common.notifier import Channel, Notifier
from warroom.ui.widgets.banner import Banner


class SlowBus:
    """A session bus that answers only when the test lets it."""

    def __init__(self) -> None:
        self.answer = threading.Event()
        self.shown: list[Future[int]] = []
        self.closed: list[int] = []

    def notifier(self, has_server: bool):  # type: ignore[no-untyped-def]
        bus = self

        class FakeNotifier:
            def __init__(self, on_action) -> None:  # type: ignore[no-untyped-def]
                assert bus.answer.wait(10), "the test never let the bus answer"
                if not has_server:
                    raise desktop_notify.NotificationServerMissingError("no server (test)")

            def notify_later(self, *args, **kwargs) -> Future[int]:  # type: ignore[no-untyped-def]
                future: Future[int] = Future()
                bus.shown.append(future)
                return future

            def close_later(self, notification_id: int) -> None:
                bus.closed.append(notification_id)

            def close(self) -> None:
                pass

        return FakeNotifier


@pytest.fixture
def bus() -> SlowBus:
    return SlowBus()


def test_pages_wait_for_the_slow_bus_and_then_reach_the_banner(qtbot, monkeypatch, bus) -> None:
    monkeypatch.setattr(desktop_notify, "FreedesktopNotifier", bus.notifier(has_server=False))
    window = QWidget()  # never shown: the banner lives in it as in the main window
    qtbot.addWidget(window)
    banner = Banner(window)
    notifier = Notifier(banner)
    notifier.start()  # returns at once although the bus has not answered
    assert notifier.channel is None
    notifier.notify("page:7", "Page #7", "Disk full", urgent=True, actions=[("ack", "Acknowledge")])
    notifier.notify("page:8", "Page #8", "Already acknowledged", urgent=True)
    notifier.withdraw("page:8")
    assert banner.isHidden()
    with qtbot.waitSignal(notifier.channel_chosen, timeout=5000) as chosen:
        bus.answer.set()
    assert chosen.args == [Channel.BANNER.value]
    assert banner.message.text() == "Page #7: Disk full"
    assert banner.action.text() == "Acknowledge"
    with qtbot.waitSignal(notifier.action_invoked) as invoked:
        banner.action.click()  # the banner's button is the notice's first action
    assert invoked.args == ["page:7", "ack"]
    assert "no server (test)" in notifier.why
    notifier.stop()


def test_a_notification_the_server_refuses_falls_back_to_the_banner(
    qtbot, monkeypatch, bus
) -> None:
    monkeypatch.setattr(desktop_notify, "FreedesktopNotifier", bus.notifier(has_server=True))
    window = QWidget()  # never shown: the banner lives in it as in the main window
    qtbot.addWidget(window)
    banner = Banner(window)
    notifier = Notifier(banner)
    bus.answer.set()
    with qtbot.waitSignal(notifier.channel_chosen, timeout=5000) as chosen:
        notifier.start()
    assert chosen.args == [Channel.DESKTOP.value]
    notifier.notify("page:3", "Page #3", "shown", urgent=True)
    notifier.notify("page:4", "Page #4", "refused", urgent=False)
    first, second = bus.shown
    first.set_result(41)  # the server's thread answers; nothing reaches the banner
    assert banner.isHidden()
    second.set_exception(RuntimeError("the server went away"))
    qtbot.waitUntil(lambda: banner.message.text() == "Page #4: refused")
    notifier.withdraw("page:3")  # acknowledged elsewhere: its notification comes down
    assert bus.closed == [41]
    notifier.withdraw("page:4")  # and the banner that stood in for one, too
    assert banner.isHidden()
    notifier.stop()
