"""Paging on the desktop: the tray menu, notifications with their fallback, acknowledging
from a real notification server, and acknowledgements kept while the database is away."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from warroom.domain.clock import FakeClock
from warroom.engine import desktop_notify
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.paging.ingest import create_page
from warroom.services.paging.queries import MyPage
from warroom.store.config import load_settings, save_settings
from warroom.store.database import Database, DatabaseUnavailableError
from warroom.store.models import Page
from warroom.ui.app import WarroomApp
from warroom.ui.tray import TrayController, TrayState

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # lukas is platform primary


def page(n: int, state: str = "triggered", escalated: bool = False) -> MyPage:
    return MyPage(n, state, "high", "Edge", f"Problem {n}", "dns" if n % 2 else None, escalated)


def test_the_tray_shows_state_and_acts_on_pages(qtbot) -> None:
    tray = TrayController()
    assert tray.state is TrayState.QUIET
    tray.set_pages([], on_call=True)
    assert tray.state is TrayState.ON_CALL
    tray.set_pages([page(7), page(8, "acknowledged")])
    assert tray.state is TrayState.PAGE
    assert "page waits" in tray.icon.toolTip()
    first = tray.menu.actions()[0].menu()
    labels = [a.text() for a in first.actions()]
    assert labels == [
        "Acknowledge",
        "Resolve",
        "Escalate to the next level",
        "Open runbook",
        "Open in app",
    ]
    with qtbot.waitSignal(tray.acknowledge_requested) as acked:
        first.actions()[0].trigger()
    assert acked.args == [7]
    second = tray.menu.actions()[1].menu()
    assert not second.actions()[0].isEnabled()  # already acknowledged
    assert not second.actions()[3].isEnabled()  # no runbook
    tray.set_pages([page(9, escalated=True)])
    assert tray.state is TrayState.ESCALATED


@pytest.fixture
def lukas_app(qtbot, database_url: str) -> Iterator[WarroomApp]:
    database = Database(make_url(database_url))
    seed_demo(ServiceContext(database, "tester", FakeClock(NOW - timedelta(days=7))))
    database.dispose()
    save_settings(user="lukas")
    warroom = WarroomApp(
        load_settings(database_url), FakeClock(NOW), feed_poll=0.5, run_engine=False
    )
    qtbot.addWidget(warroom.window)
    with qtbot.waitSignal(warroom.roster_loaded, timeout=10_000):
        warroom.start()
    yield warroom
    warroom.window.close()


def _page_for_lukas(database_url: str) -> int:
    other = Database(make_url(database_url))
    try:
        result = create_page(
            ServiceContext(other, "script", FakeClock(NOW)),
            service="kubernetes",
            summary="Node eu-west-7 NotReady",
            urgency="high",
        )
    finally:
        other.dispose()
    return result.created[0]


def _state(database_url: str, page_id: int) -> str:
    database = Database(make_url(database_url))
    try:
        with database.reading() as session:
            return session.scalar(select(Page.state).where(Page.id == page_id))
    finally:
        database.dispose()


@pytest.fixture
def no_notification_server(monkeypatch):
    def missing(self, *args, **kwargs):
        raise desktop_notify.NotificationServerMissingError("no notification server (test)")

    monkeypatch.setattr(desktop_notify.FreedesktopNotifier, "__init__", missing)


@pytest.mark.usefixtures("no_notification_server")
def test_without_a_notification_server_the_banner_pages_and_acknowledges(
    qtbot, lukas_app, database_url
) -> None:
    qtbot.waitUntil(lambda: "window banner" in lukas_app.window.paging_label.text())
    with qtbot.waitSignal(lukas_app.page_notified, timeout=5000) as notified:
        page_id = _page_for_lukas(database_url)
    assert notified.args == [page_id]
    banner = lukas_app.window.banner
    assert "Node eu-west-7 NotReady" in banner.text
    assert banner.action.text() == "Acknowledge"
    with qtbot.waitSignal(lukas_app.page_acknowledged, timeout=5000):
        banner.action.click()
    assert _state(database_url, page_id) == "acknowledged"
    qtbot.waitUntil(
        lambda: (
            lukas_app.tray.pages
            and lukas_app.tray.pages[0].id == page_id
            and lukas_app.tray.pages[0].state == "acknowledged"
        ),
        timeout=5000,
    )


@pytest.mark.usefixtures("no_notification_server")
def test_an_acknowledgement_while_offline_waits_on_disk_and_is_sent_once(
    qtbot, monkeypatch, lukas_app, database_url
) -> None:
    from warroom.services.paging import responses as paging

    with qtbot.waitSignal(lukas_app.page_notified, timeout=5000):
        page_id = _page_for_lukas(database_url)
    real = paging.acknowledge

    def down(*args, **kwargs):
        raise DatabaseUnavailableError("Cannot reach PostgreSQL at db:5432 (refused).")

    monkeypatch.setattr(paging, "acknowledge", down)
    with qtbot.waitSignal(lukas_app.ack_queued, timeout=5000):
        lukas_app.acknowledge_page(page_id)
    assert "pending" in lukas_app.window.banner.text
    assert [p.page_id for p in lukas_app.ack_queue.pending()] == [page_id]
    assert _state(database_url, page_id) == "triggered"
    monkeypatch.setattr(paging, "acknowledge", real)  # the database is back
    with qtbot.waitSignal(lukas_app.acks_flushed, timeout=5000) as flushed:
        lukas_app.flush_pending_acks()
    assert flushed.args == [[page_id]]
    assert lukas_app.ack_queue.pending() == []
    assert _state(database_url, page_id) == "acknowledged"


def test_a_real_notification_server_sees_the_page_and_acknowledges_it(
    qtbot, notification_server, lukas_app, database_url
) -> None:
    qtbot.waitUntil(
        lambda: lukas_app.window.paging_label.text().startswith("Pages: desktop notifications")
    )
    with qtbot.waitSignal(lukas_app.page_notified, timeout=5000):
        page_id = _page_for_lukas(database_url)
    qtbot.waitUntil(lambda: lukas_app.notifier.is_shown(page_id))  # the server gave its id
    calls = " ".join(notification_server.read_text().split())
    assert "member=Notify" in calls
    assert "Node eu-west-7 NotReady" in calls
    assert 'string "urgency" variant byte 2' in calls
    with qtbot.waitSignal(lukas_app.page_acknowledged, timeout=5000):
        subprocess.run(["dunstctl", "action", "0"], check=True)  # Acknowledge, one click
    assert _state(database_url, page_id) == "acknowledged"


def test_the_pages_view_says_how_many_wait_for_business_hours(qtbot) -> None:
    from warroom.services.pages_view import PageRow
    from warroom.ui.pages.view import PagesView

    view = PagesView(lambda: NOW)
    qtbot.addWidget(view)
    rows = [
        PageRow(
            n,
            "deferred" if n < 3 else "triggered",
            "low",
            "Ledger",
            f"p{n}",
            NOW,
            None,
            None,
            None,
            1,
        )
        for n in range(5)
    ]
    view.set_pages(rows)
    assert view.held.text() == "Waiting for business hours — 3 held"
    view.set_pages(rows[3:])
    assert view.held.isHidden()


def test_the_escalations_view_lists_responders(qtbot, qtmodeltester, lukas_app) -> None:
    view = lukas_app.reports_view
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=5000)
    qtmodeltester.check(view.model, force_py=True)
    names = [view.model.data(view.model.index(r, 0)) for r in range(view.model.rowCount())]
    assert names
    with qtbot.waitSignal(lukas_app.report_loaded, timeout=5000):
        view.days.setCurrentIndex(3)  # a year
    assert "pages" in view.teams.text()


@pytest.mark.usefixtures("no_notification_server")
def test_an_escalation_that_reaches_me_notifies_me(qtbot, lukas_app, database_url) -> None:
    """Escalations name whom they told in their own event; the engine's and a responder's."""
    from warroom.services.paging.escalation import sweep
    from warroom.services.paging.responses import escalate

    with qtbot.waitSignal(lukas_app.page_notified, timeout=5000):
        page_id = _page_for_lukas(database_url)
    other = Database(make_url(database_url))
    clock = FakeClock(NOW)
    context = ServiceContext(other, "script", clock)
    try:
        # secondary, then the leads, then the ladder starts again: back to lukas, on call
        for minutes in (5, 15):
            clock.set(NOW + timedelta(minutes=minutes))
            sweep(context)
        with qtbot.waitSignal(
            lukas_app.page_notified, timeout=5000, check_params_cb=lambda pid: pid == page_id
        ):
            clock.set(NOW + timedelta(minutes=30))
            sweep(context)
        [second] = create_page(context, service="ledger", summary="Ledger lag").created
        with qtbot.waitSignal(
            lukas_app.page_notified, timeout=5000, check_params_cb=lambda pid: pid == second
        ):
            escalate(context, second, to_expertise="prometheus")
        assert "escalated to you" in lukas_app.window.banner.text
    finally:
        other.dispose()
