"""Paging on the desktop: the tray menu, notifications with their fallback, acknowledging
from a real notification server, and acknowledgements kept while the database is away."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tests.conftest import PERSON_PASSWORD, ensure_login
from warroom.domain.clock import FakeClock
from warroom.engine import desktop_notify
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.paging.ingest import create_page
from warroom.services.paging.queries import MyPage
from warroom.store.config import load_settings, save_settings
from warroom.store.database import Database
from warroom.store.models import Event, Page
from warroom.store.schema import upgrade
from warroom.ui.app import WarroomApp
from warroom.ui.paging.tray import TrayController, TrayState

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
    assert tray.icon.toolTip() == ("warroom — 2 open pages for you, 1 waiting for acknowledgement")
    first = tray.menu.actions()[0].menu()
    labels = [a.text() for a in first.actions()]
    assert labels == [
        "Acknowledge",
        "Resolve",
        "Escalate to the next level",
        "Declare incident…",
        "Open runbook",
        "Open in app",
    ]
    with qtbot.waitSignal(tray.acknowledge_requested) as acked:
        first.actions()[0].trigger()
    assert acked.args == [7]
    second = tray.menu.actions()[1].menu()
    assert not second.actions()[0].isEnabled()  # already acknowledged
    assert not second.actions()[4].isEnabled()  # no runbook
    tray.set_pages([page(9, escalated=True)])
    assert tray.state is TrayState.ESCALATED


@pytest.fixture
def lukas_app(qtbot, database_url: str, url_as) -> Iterator[WarroomApp]:
    database = Database(make_url(database_url))
    seed_demo(ServiceContext(database, "tester", FakeClock(NOW - timedelta(days=7))))
    database.dispose()
    save_settings(user="lukas")
    warroom = WarroomApp(  # lukas's desktop: on PostgreSQL his own login
        load_settings(url_as("lukas")), FakeClock(NOW), feed_poll=0.5, run_engine=False
    )
    qtbot.addWidget(warroom.window)
    with qtbot.waitSignal(warroom.paging.my_pages_loaded, timeout=10_000):
        warroom.start()
    yield warroom
    warroom.window.close()


@pytest.fixture
def amara(as_person) -> ServiceContext:
    """Amara, who pages by hand: on PostgreSQL through her own login."""
    return replace(as_person("amara"), clock=FakeClock(NOW))


def _page_for_lukas(amara: ServiceContext) -> int:
    result = create_page(
        amara, service="kubernetes", summary="Node eu-west-7 NotReady", urgency="high"
    )
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
    qtbot, lukas_app, database_url, amara
) -> None:
    qtbot.waitUntil(lambda: "window banner" in lukas_app.paging.channel_label.text())
    with qtbot.waitSignal(lukas_app.paging.page_notified, timeout=5000) as notified:
        page_id = _page_for_lukas(amara)
    assert notified.args == [page_id]
    banner = lukas_app.window.banner
    # the notice says what happened: service and summary, urgency and step, runbook, who else
    assert banner.text.startswith("Kubernetes clusters: Node eu-west-7 NotReady: ")
    assert f"High urgency · page #{page_id} · level 1" in banner.text
    assert "Runbook ready in warroom. Only you were told." in banner.text
    assert banner.action.text() == "Acknowledge"
    with qtbot.waitSignal(lukas_app.paging.page_acknowledged, timeout=5000):
        banner.action.click()
    assert _state(database_url, page_id) == "acknowledged"
    qtbot.waitUntil(
        lambda: (
            lukas_app.paging.tray.pages
            and lukas_app.paging.tray.pages[0].id == page_id
            and lukas_app.paging.tray.pages[0].state == "acknowledged"
        ),
        timeout=5000,
    )


@pytest.mark.usefixtures("no_notification_server")
def test_an_offline_acknowledgement_waits_on_disk_survives_a_restart_and_is_sent_once(
    qtbot, private_postgres_cluster
) -> None:
    """The database server is stopped for real; the app is closed and started again while
    it is down; when the server is back the acknowledgement lands, once."""
    url = private_postgres_cluster.url
    database = Database(make_url(url))
    upgrade(database)
    seed_demo(ServiceContext(database, "tester", FakeClock(NOW - timedelta(days=7))))
    database.dispose()
    save_settings(user="lukas")
    logins = {}  # on PostgreSQL each person acts as their own login
    for handle in ("lukas", "amara"):
        ensure_login(url, handle)
        logins[handle] = make_url(url).set(username=handle, password=PERSON_PASSWORD)
    amara = Database(logins["amara"])

    def start_app() -> WarroomApp:
        warroom = WarroomApp(
            load_settings(logins["lukas"].render_as_string(hide_password=False)),
            FakeClock(NOW),
            feed_poll=0.5,
            run_engine=False,
            reconnect_after=0.3,
        )
        qtbot.addWidget(warroom.window)
        warroom.start()
        return warroom

    first = start_app()
    qtbot.waitSignal(first.paging.my_pages_loaded, timeout=10_000).wait()
    with qtbot.waitSignal(first.paging.page_notified, timeout=5000):
        page_id = _page_for_lukas(ServiceContext(amara, "amara", FakeClock(NOW)))
    amara.dispose()
    private_postgres_cluster.stop()
    with qtbot.waitSignal(first.paging.ack_queued, timeout=15_000):
        first.paging.acknowledge(page_id)
    assert "pending" in first.window.banner.text
    assert [p.page_id for p in first.paging.ack_queue.pending()] == [page_id]
    first.window.close()  # quit while the database is still down

    second = start_app()
    assert [p.page_id for p in second.paging.ack_queue.pending()] == [page_id]
    with qtbot.waitSignal(second.database_failed, timeout=15_000):
        pass  # still down: the new app says so and keeps the acknowledgement
    assert "Trying again every 0.3 s" in second.window.banner.text
    with qtbot.waitSignal(second.database_ready, timeout=15_000):
        private_postgres_cluster.start()  # no Retry clicked: the app tries again by itself
    with qtbot.waitSignal(second.paging.acks_flushed, timeout=15_000) as flushed:
        pass
    assert flushed.args == [[page_id]]
    assert second.paging.ack_queue.pending() == []
    assert _state(url, page_id) == "acknowledged"
    second.paging.flush_pending_acks()  # nothing left to send: nothing is sent twice
    database = Database(make_url(url))
    try:
        with database.reading() as session:
            acks = session.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.topic == "page.acknowledged", Event.entity_id == str(page_id))
            )
    finally:
        database.dispose()
    assert acks == 1
    second.window.close()


@pytest.mark.usefixtures("no_notification_server")
def test_a_kept_acknowledgement_the_database_refuses_is_said_and_dropped(
    qtbot, lukas_app, database_url, amara
) -> None:
    """An acknowledgement kept on disk in a name that cannot act here (on PostgreSQL another
    person's: this desktop's login is lukas; on SQLite someone not on the roster) is refused
    when sent: the banner says why, and it does not wait on disk for ever."""
    with qtbot.waitSignal(lukas_app.paging.page_notified, timeout=5000):
        page_id = _page_for_lukas(amara)
    queue = lukas_app.paging.ack_queue
    stranger = "amara" if database_url.startswith("postgresql") else "nobody"
    queue.add(page_id, stranger, NOW.isoformat())
    lukas_app.paging.flush_pending_acks()
    banner = lukas_app.window.banner
    qtbot.waitUntil(lambda: f"page #{page_id} kept on this computer was refused" in banner.text)
    assert f"cannot act as '{stranger}'" in banner.text or "not an active person" in banner.text
    assert queue.pending() == []
    assert _state(database_url, page_id) == "triggered"


def test_a_real_notification_server_sees_the_page_and_acknowledges_it(
    qtbot, notification_server, lukas_app, database_url, amara
) -> None:
    qtbot.waitUntil(
        lambda: lukas_app.paging.channel_label.text().startswith("Pages: desktop notifications")
    )
    with qtbot.waitSignal(lukas_app.paging.page_notified, timeout=5000):
        page_id = _page_for_lukas(amara)
    # the server gave its id
    qtbot.waitUntil(lambda: lukas_app.notifier.is_shown(f"page:{page_id}"))
    calls = " ".join(notification_server.read_text().split())
    assert "member=Notify" in calls
    assert "Node eu-west-7 NotReady" in calls
    assert 'string "urgency" variant byte 2' in calls
    with qtbot.waitSignal(lukas_app.paging.page_acknowledged, timeout=5000):
        subprocess.run(["dunstctl", "action", "0"], check=True)  # Acknowledge, one click
    assert _state(database_url, page_id) == "acknowledged"


def test_the_escalations_view_lists_responders(qtbot, qtmodeltester, lukas_app) -> None:
    view = lukas_app.reports.view
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=5000)
    qtmodeltester.check(view.model, force_py=True)
    names = [view.model.data(view.model.index(r, 0)) for r in range(view.model.rowCount())]
    assert names
    with qtbot.waitSignal(lukas_app.reports.report_loaded, timeout=5000):
        view.days.setCurrentIndex(3)  # a year
    assert "pages" in view.teams.text()
    # no header is cut ("alated (timed"): each is as wide as its longest line, with a tip
    lukas_app.window.show_view("reports")
    header = view.table.horizontalHeader()
    metrics = header.fontMetrics()
    horizontal = Qt.Orientation.Horizontal
    for section in range(view.model.columnCount()):
        text = view.model.headerData(section, horizontal)
        needed = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
        qtbot.waitUntil(lambda s=section, n=needed: header.sectionSize(s) >= n, timeout=2000)
        assert view.model.headerData(section, horizontal, Qt.ItemDataRole.ToolTipRole)


@pytest.mark.usefixtures("no_notification_server")
def test_an_escalation_that_reaches_me_notifies_me(qtbot, lukas_app, amara) -> None:
    """Escalations name whom they told in their own event; the engine's and a responder's."""
    from warroom.services.paging.escalation import sweep
    from warroom.services.paging.responses import escalate

    with qtbot.waitSignal(lukas_app.paging.page_notified, timeout=5000):
        page_id = _page_for_lukas(amara)
    clock = FakeClock(NOW)
    context = replace(amara, clock=clock)  # amara's desktop sweeps, and escalates by hand
    # secondary, then the leads, then the ladder starts again: back to lukas, on call
    for minutes in (5, 15):
        clock.set(NOW + timedelta(minutes=minutes))
        sweep(context)
    with qtbot.waitSignal(
        lukas_app.paging.page_notified, timeout=5000, check_params_cb=lambda pid: pid == page_id
    ):
        clock.set(NOW + timedelta(minutes=30))
        sweep(context)
    [second] = create_page(context, service="ledger", summary="Ledger lag").created
    with qtbot.waitSignal(
        lukas_app.paging.page_notified, timeout=5000, check_params_cb=lambda pid: pid == second
    ):
        escalate(context, second, to_expertise="prometheus")
    assert "escalated to you" in lukas_app.window.banner.text
