"""The real desktop app against a real database: live Activity, clean shutdown, clear errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from warroom.domain.clock import FakeClock
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.people import add_person
from warroom.store import connect
from warroom.store.config import PasswordRequiredError, load_settings
from warroom.store.database import Database
from warroom.ui.activity.model import ActivityModel
from warroom.ui.app import WarroomApp
from warroom.ui.common import opening
from warroom.ui.widgets.password_dialog import PasswordDialog


def _our_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("warroom-")]


@pytest.fixture
def running_app(qtbot, database_url: str) -> Iterator[WarroomApp]:
    warroom = WarroomApp(load_settings(database_url), feed_poll=0.5)
    qtbot.addWidget(warroom.window)
    with qtbot.waitSignal(warroom.database_ready, timeout=10_000):
        warroom.start()
    yield warroom
    warroom.window.close()
    warroom.shutdown()


def test_a_second_clients_change_appears_within_a_second(qtbot, running_app, database_url):
    model = running_app.activity.model
    other_client = Database(make_url(database_url))
    try:
        add_person(
            ServiceContext(other_client, "bob", FakeClock()),
            handle="grace",
            name="Grace Hopper",
            time_zone="America/New_York",
        )
        qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=1000)
    finally:
        other_client.dispose()
    assert model.data(model.index(0, ActivityModel.WHAT)) == (
        "added Grace Hopper (@grace) to the roster"
    )
    assert running_app.window.feed_state.text() == "● Live"
    assert not running_app.window.banner.isVisible()


def test_the_app_shows_the_demo_history_and_closes_cleanly(qtbot, database_url):
    database = Database(make_url(database_url))
    seed_demo(ServiceContext(database, "tester"))
    database.dispose()
    warroom = WarroomApp(load_settings(database_url))
    qtbot.addWidget(warroom.window)
    with qtbot.waitSignal(warroom.database_ready, timeout=10_000):
        warroom.start()
    model = warroom.activity.model
    qtbot.waitUntil(lambda: model.rowCount() > 50, timeout=5000)
    assert model.event_at(0).topic == "demo.seeded"
    # names of people replace logins in the Who column once the roster has loaded
    qtbot.waitUntil(
        lambda: any(
            model.data(model.index(r, ActivityModel.WHO)) == "Yuki Tanaka"
            for r in range(model.rowCount())
        ),
        timeout=3000,
    )
    assert _our_threads()
    warroom.window.close()
    assert _our_threads() == []


def test_an_unreachable_database_is_a_banner_with_retry_not_a_crash(qtbot) -> None:
    warroom = WarroomApp(load_settings("postgresql://postgres@127.0.0.1:1/warroom"))
    qtbot.addWidget(warroom.window)
    with qtbot.waitSignal(warroom.database_failed, timeout=10_000) as failed:
        warroom.start()
    assert "Cannot reach PostgreSQL at 127.0.0.1:1" in failed.args[0]
    banner = warroom.window.banner
    assert banner.isVisible()
    assert "Cannot reach PostgreSQL" in banner.text
    assert banner.action.isVisible()
    assert banner.action.text() == "Retry"
    with qtbot.waitSignal(warroom.database_failed, timeout=10_000):
        banner.action.click()
    warroom.window.close()


def test_a_database_without_schema_says_what_to_run(qtbot, empty_postgres_url: str) -> None:
    warroom = WarroomApp(load_settings(empty_postgres_url))
    qtbot.addWidget(warroom.window)
    with qtbot.waitSignal(warroom.database_failed, timeout=10_000) as failed:
        warroom.start()
    assert "warroom db upgrade" in failed.args[0]
    warroom.window.close()


def test_a_password_is_asked_for_in_the_window_when_needed(
    qtbot, monkeypatch, sqlite_url: str
) -> None:
    real_open = connect.open_database
    attempts: list[str | None] = []

    def open_database(settings, ask_password=None, **kwargs):
        attempts.append(settings.url.password)
        if settings.url.password is None:
            raise PasswordRequiredError("PostgreSQL needs the password of 'ada'.")
        return real_open(load_settings(sqlite_url), ask_password, **kwargs)

    monkeypatch.setattr(opening, "open_database", open_database)
    asked: list[str] = []
    monkeypatch.setattr(
        PasswordDialog,
        "ask",
        classmethod(lambda cls, parent, reason: asked.append(reason) or "pw"),
    )
    warroom = WarroomApp(load_settings("postgresql://ada@db.example/warroom"))
    qtbot.addWidget(warroom.window)
    with qtbot.waitSignal(warroom.database_ready, timeout=10_000):
        warroom.start()
    assert attempts == [None, "pw"]
    assert asked == ["PostgreSQL needs the password of 'ada'."]
    warroom.window.close()


def test_a_lost_feed_shows_a_banner_and_clears_when_back(qtbot, running_app) -> None:
    running_app.feed.connection_changed.emit(False, "Cannot reach PostgreSQL at db:5432.")
    banner = running_app.window.banner
    assert banner.isVisible()
    assert "Live updates paused" in banner.text
    assert running_app.window.feed_state.text() == "○ Reconnecting…"
    running_app.feed.connection_changed.emit(True, "")
    assert not banner.isVisible()
    assert running_app.window.feed_state.text() == "● Live"
