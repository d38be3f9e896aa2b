"""Stakeholder updates on the desktop, through the real widgets: the composer in the war room,
copying, the offer at mitigated or resolved, the reminder with "Write update" and snoozes
(through the banner, and through a real notification server), the red overdue marker, and
a delivery's state on the update."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from sqlalchemy import select
from sqlalchemy.engine import make_url

from tests.webhook_receiver import running_receiver
from warroom.domain.clock import FakeClock
from warroom.domain.comms import as_markdown, as_plain_text
from warroom.domain.roster_file import parse_roster
from warroom.engine import desktop_notify, update_delivery
from warroom.services.comms import reminders
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.incidents import lifecycle
from warroom.services.roster import export_roster, import_roster
from warroom.store.config import load_settings, save_settings
from warroom.store.database import Database
from warroom.store.models import StatusUpdate, UpdateSnooze
from warroom.ui.app import WarroomApp
from warroom.ui.incidents.models import IncidentsModel

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def amara_app(qtbot, database_url, url_as, clock) -> Iterator[WarroomApp]:
    """The demo, and amara's desktop (on PostgreSQL through her own login)."""
    database = Database(make_url(database_url))
    seed_demo(ServiceContext(database, "tester", FakeClock(NOW - timedelta(days=7))))
    database.dispose()
    url = url_as("amara")
    save_settings(user="amara")
    warroom = WarroomApp(load_settings(url), clock, feed_poll=0.5, run_engine=False)
    qtbot.addWidget(warroom.window)
    with qtbot.waitSignal(warroom.incidents.incidents_loaded, timeout=10_000):
        warroom.start()
    yield warroom
    warroom.window.close()


@pytest.fixture
def no_notification_server(monkeypatch):
    def missing(self, *args, **kwargs):
        raise desktop_notify.NotificationServerMissingError("no notification server (test)")

    monkeypatch.setattr(desktop_notify.FreedesktopNotifier, "__init__", missing)


def _declare(warroom: WarroomApp, severity: str = "SEV2", service: str = "checkout-api") -> int:
    assert warroom.context is not None
    return lifecycle.declare(
        warroom.context, title="Checkout 5xx", severity=severity, service=service
    ).id


def _open(qtbot, warroom: WarroomApp, incident: int) -> None:
    warroom.window.show_view("incidents")
    with qtbot.waitSignal(
        warroom.comms.updates_loaded, timeout=5000, check_params_cb=lambda i: i == incident
    ):
        warroom.incidents.open_incident(incident)


def _posted(warroom: WarroomApp, incident: int) -> list[StatusUpdate]:
    assert warroom.context is not None
    with warroom.context.database.reading() as session:
        return list(
            session.scalars(
                select(StatusUpdate)
                .where(StatusUpdate.incident_id == incident)
                .order_by(StatusUpdate.id)
            )
        )


def test_the_coordinator_writes_posts_and_copies_an_update_in_the_war_room(
    qtbot, qtmodeltester, amara_app
) -> None:
    incident = _declare(amara_app)
    _open(qtbot, amara_app, incident)
    panel = amara_app.comms.view
    tabs = amara_app.incidents.view.war_room.tabs
    assert tabs.tabText(tabs.indexOf(panel)) == "Stakeholder updates"
    assert panel.due.text() == "Updates every 60 min: Internal due in 60 min"
    # the internal draft, from the template that ships
    assert panel.body.toPlainText().startswith(f"INC-{incident} (SEV2) — Checkout 5xx\n")
    # customers: their own template; what is typed in Impact goes into the draft
    panel.audience.setCurrentIndex(panel.audience.findData("customers"))
    assert panel.body.toPlainText().startswith("Investigating: Checkout 5xx\n")
    qtbot.keyClicks(panel.impact, "Some card payments fail.")
    assert "\n\nSome card payments fail.\nWe are investigating the cause.\n" in (
        panel.body.toPlainText()
    )
    assert "Next update by 11:00 UTC." in panel.body.toPlainText()
    assert panel.target.text() == "kept here; copy it to send"
    # once the text is edited by hand it is the coordinator's: no more redrafting
    panel.body.moveCursor(panel.body.textCursor().MoveOperation.End)
    qtbot.keyClicks(panel.body, " Sorry!")
    qtbot.keyClicks(panel.doing, "Rolling back.")
    assert panel.body.toPlainText().endswith(" Sorry!")
    assert "Rolling back." not in panel.body.toPlainText()
    qtbot.mouseClick(panel.redraft, Qt.MouseButton.LeftButton)
    assert "Some card payments fail.\nRolling back.\n" in panel.body.toPlainText()
    written = panel.body.toPlainText()
    with qtbot.waitSignal(amara_app.comms.update_posted, timeout=5000):
        qtbot.mouseClick(panel.post, Qt.MouseButton.LeftButton)
    [kept] = _posted(amara_app, incident)
    assert (kept.audience, kept.status, kept.posted_by, kept.posted_at) == (
        "customers",
        "investigating",
        "amara",
        NOW,
    )
    assert kept.body == written.strip()
    assert panel.result.text() == "Posted to customers."
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5000)
    assert panel.model.data(panel.model.index(0, panel.model.DELIVERY)) == "kept here"
    assert panel.model.data(panel.model.index(0, panel.model.AUDIENCE)) == "Customers"
    assert panel.impact.text() == ""  # a fresh draft for the next update
    qtmodeltester.check(panel.model, force_py=True)
    # Copy for chat / email: the update as sent, for an e-mail and for a chat
    assert panel.copy.isEnabled()
    panel.copy_text.trigger()
    args = ("customers", f"INC-{incident}", "Checkout 5xx", "investigating", kept.body)
    assert QGuiApplication.clipboard().text() == as_plain_text(*args)
    assert QGuiApplication.clipboard().text().startswith("Checkout 5xx — Investigating\n\n")
    panel.copy_markdown.trigger()
    assert QGuiApplication.clipboard().text() == as_markdown(*args)
    # bad input is one sentence and changes nothing
    panel.body.setPlainText("   ")
    qtbot.mouseClick(panel.post, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "An update needs words" in amara_app.window.banner.text)
    assert len(_posted(amara_app, incident)) == 1


def test_moving_to_mitigated_offers_the_composer_with_that_status(qtbot, amara_app) -> None:
    incident = _declare(amara_app)
    _open(qtbot, amara_app, incident)
    room, panel = amara_app.incidents.view.war_room, amara_app.comms.view
    room.tabs.setCurrentIndex(room.tabs.indexOf(room.pages))
    with qtbot.waitSignal(amara_app.incidents.status_changed, timeout=5000):
        room.status_buttons["identified"].click()
    assert panel.offer.isHidden()  # identified: no offer
    assert room.tabs.currentWidget() is room.pages
    with qtbot.waitSignal(amara_app.incidents.status_changed, timeout=5000) as changed:
        room.status_buttons["mitigated"].click()
    assert changed.args == [incident, "mitigated"]
    assert room.tabs.currentWidget() is panel
    assert panel.chosen_status() == "mitigated"
    assert panel.offer.text().startswith(f"INC-{incident} is mitigated now: tell the stakeholders")
    assert "Status: Mitigated\n" in panel.body.toPlainText()
    assert "A fix is in place and we are watching that it holds." in panel.body.toPlainText()
    with qtbot.waitSignal(amara_app.comms.update_posted, timeout=5000):
        panel.post.click()
    assert [u.status for u in _posted(amara_app, incident)] == ["mitigated"]
    assert panel.offer.isHidden()
    # not chosen by hand, the composer's status follows the incident's, wherever it moves
    assert amara_app.context is not None
    lifecycle.set_status(amara_app.context, incident, "identified")  # say, from the CLI
    qtbot.waitUntil(lambda: panel.chosen_status() == "identified", timeout=5000)
    assert "Status: Identified\n" in panel.body.toPlainText()


#: "Write update" brings the window to the front, which the offscreen platform cannot do.
OFFSCREEN_RAISE = pytest.mark.qt_log_ignore("This plugin does not support raise")


@OFFSCREEN_RAISE
@pytest.mark.usefixtures("no_notification_server")
def test_a_due_update_reminds_the_commander_who_writes_it_from_the_banner(
    qtbot, amara_app, clock
) -> None:
    incident = _declare(amara_app)
    qtbot.waitUntil(lambda: "window banner" in amara_app.paging.channel_label.text())
    clock.advance(timedelta(minutes=60))
    assert amara_app.context is not None
    engine = ServiceContext(amara_app.context.database, "serve", clock)
    given = reminders.sweep(engine).given  # the demo's incident in progress is due too
    assert [g for g in given if g[0] == incident] == [(incident, "internal")]
    banner = amara_app.window.banner
    qtbot.waitUntil(lambda: "time to update internal" in banner.text, timeout=5000)
    assert banner.text.startswith(f"INC-{incident}: time to update internal: Checkout 5xx · SEV2")
    assert banner.action.text() == "Write update"
    amara_app.window.show_view("roster")  # somewhere else entirely
    with qtbot.waitSignal(amara_app.comms.updates_loaded, timeout=5000):
        banner.action.click()
    room = amara_app.incidents.view.war_room
    assert amara_app.incidents.current == incident
    assert room.tabs.currentWidget() is amara_app.comms.view
    assert amara_app.comms.view.chosen_audience() == "internal"
    assert "Internal overdue 0 min" in amara_app.comms.view.due.text()


@OFFSCREEN_RAISE
def test_a_real_notification_server_offers_write_update_and_snoozes(
    qtbot, notification_server, amara_app, clock
) -> None:
    qtbot.waitUntil(
        lambda: amara_app.paging.channel_label.text().startswith("Pages: desktop notifications"),
        timeout=10_000,
    )
    incident = _declare(amara_app, "SEV1")
    clock.advance(timedelta(minutes=30))
    assert amara_app.context is not None
    engine = ServiceContext(amara_app.context.database, "serve", clock)
    given = reminders.sweep(engine).given  # the demo's incident in progress is due too
    assert len([g for g in given if g[0] == incident]) == 3  # SEV1: every audience at once
    key = f"update:{incident}:customers"
    qtbot.waitUntil(lambda: amara_app.notifier.is_shown(key), timeout=5000)
    calls = " ".join(notification_server.read_text().split())
    assert f"INC-{incident}: time to update customers" in calls
    for action in ('"Write update"', '"snooze:15"', '"Snooze 30 min"', '"snooze:60"'):
        assert action in calls
    # the server says "Snooze 30 min" was pressed on the customers notification
    nid = amara_app.notifier._notification_of[key]
    subprocess.run(
        [
            "dbus-send",
            "--session",
            "--type=signal",
            "/org/freedesktop/Notifications",
            "org.freedesktop.Notifications.ActionInvoked",
            f"uint32:{nid}",
            "string:snooze:30",
        ],
        check=True,
    )
    qtbot.waitUntil(lambda: "can wait until" in amara_app.window.banner.text, timeout=5000)
    qtbot.waitUntil(lambda: not amara_app.notifier.is_shown(key), timeout=5000)
    with amara_app.context.database.reading() as session:
        [snoozed] = session.scalars(select(UpdateSnooze)).all()
    assert (snoozed.audience, snoozed.until, snoozed.snoozed_by) == (
        "customers",
        clock.now() + timedelta(minutes=30),
        "amara",
    )
    # a click on the newest notification (executive or internal): the composer for it
    with qtbot.waitSignal(amara_app.comms.updates_loaded, timeout=5000):
        subprocess.run(["dunstctl", "action", "0"], check=True)
    assert amara_app.incidents.current == incident
    assert amara_app.comms.view.chosen_audience() in ("internal", "executive")


def test_an_overdue_update_is_red_in_the_list_and_the_war_room_header(
    qtbot, amara_app, clock
) -> None:
    incident = _declare(amara_app)
    amara_app.window.show_view("incidents")
    model = amara_app.incidents.view.model
    qtbot.waitUntil(lambda: model.row_of(incident) is not None, timeout=5000)
    row = model.row_of(incident)
    cell = model.index(row, IncidentsModel.NEXT_UPDATE)
    assert model.headerData(IncidentsModel.NEXT_UPDATE, Qt.Orientation.Horizontal) == (
        "Next update"
    )
    assert model.data(cell) == "internal: due in 60 min"
    assert model.data(cell, Qt.ItemDataRole.ForegroundRole) is None
    _open(qtbot, amara_app, incident)
    header = amara_app.incidents.view.war_room.update_due
    qtbot.waitUntil(lambda: header.text() == "Update to internal due in 60 min", timeout=5000)
    assert not header.property("overdue")
    clock.advance(timedelta(minutes=72))
    amara_app._on_clock_tick_timeout()  # the half-minute tick
    assert header.text() == "Update to internal overdue 12 min"
    assert header.property("overdue")
    assert "#cf1124" in header.styleSheet()
    assert model.data(cell) == "internal: overdue 12 min"
    assert model.data(cell, Qt.ItemDataRole.ForegroundRole).name() == "#cf1124"
    assert "<b style='color:#cf1124'>Internal overdue 12 min</b>" in (
        amara_app.comms.view.due.text()
    )
    panel = amara_app.comms.view
    with qtbot.waitSignal(amara_app.comms.update_posted, timeout=5000):
        panel.post.click()  # posting resets the clock
    qtbot.waitUntil(lambda: header.text() == "Update to internal due in 60 min", timeout=5000)
    qtbot.waitUntil(
        lambda: (
            model.data(model.index(model.row_of(incident), IncidentsModel.NEXT_UPDATE))
            == "internal: due in 60 min"
        ),
        timeout=5000,
    )


def test_the_delivery_state_shows_on_the_update(qtbot, amara_app, monkeypatch) -> None:
    assert amara_app.context is not None
    script = ServiceContext(amara_app.context.database, "serve", amara_app.clock)
    spec = parse_roster(
        "incidents:\n  updates:\n    deliver:\n"
        "      internal: {name: '#incidents', url_env: WARROOM_TEST_CHAT}\n",
        "org.yaml",
    )
    import_roster(amara_app.context, replace(export_roster(script), updates=spec.updates))
    incident = _declare(amara_app)
    _open(qtbot, amara_app, incident)
    panel = amara_app.comms.view
    assert panel.target.text() == "also goes to #incidents"
    with qtbot.waitSignal(amara_app.comms.update_posted, timeout=5000):
        panel.post.click()
    assert panel.result.text() == "Posted to internal, and it goes to #incidents."
    delivery = panel.model.DELIVERY
    qtbot.waitUntil(
        lambda: panel.model.data(panel.model.index(0, delivery)) == "#incidents: queued",
        timeout=5000,
    )
    with running_receiver() as receiver:
        receiver.answers = [503, 200]
        resolve = update_delivery.resolver({"WARROOM_TEST_CHAT": receiver.url})
        update_delivery.deliver(script, resolve=resolve)  # another engine, e.g. `serve`
        qtbot.waitUntil(
            lambda: (
                panel.model.data(panel.model.index(0, delivery)) == "#incidents: retrying (503)"
            ),
            timeout=5000,
        )
        amara_app.clock.advance(timedelta(seconds=30))
        update_delivery.deliver(script, resolve=resolve)
        qtbot.waitUntil(
            lambda: panel.model.data(panel.model.index(0, delivery)) == "#incidents: sent",
            timeout=5000,
        )
    colour = panel.model.data(panel.model.index(0, delivery), Qt.ItemDataRole.ForegroundRole)
    assert colour.name() == "#199473"
