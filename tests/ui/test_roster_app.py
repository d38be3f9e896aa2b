"""The roster in the running app: live overrides from other clients, the dialog, handoffs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from warroom.domain.clock import FakeClock
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.oncall import create_override
from warroom.store.config import load_settings, save_settings
from warroom.store.database import Database
from warroom.store.models import ScheduleOverride
from warroom.ui.app import WarroomApp
from warroom.ui.roster.override_dialog import OverrideDialog, OverrideRequest

MONDAY_0850 = datetime(2026, 3, 2, 8, 50, tzinfo=UTC)  # London is on GMT


@pytest.fixture
def demo_url(database_url: str) -> str:
    database = Database(make_url(database_url))
    seed_demo(ServiceContext(database, "tester", FakeClock(MONDAY_0850)))
    database.dispose()
    return database_url


@pytest.fixture
def roster_app(qtbot, demo_url: str) -> Iterator[WarroomApp]:
    save_settings(user="lukas")
    warroom = WarroomApp(load_settings(demo_url), FakeClock(MONDAY_0850), feed_poll=0.5)
    qtbot.addWidget(warroom.window)
    with qtbot.waitSignal(warroom.roster.roster_loaded, timeout=10_000):
        warroom.start()
    yield warroom
    warroom.window.close()


def test_the_roster_shows_who_is_on_call(roster_app: WarroomApp) -> None:
    snapshot = roster_app.roster.view.snapshot
    assert snapshot is not None
    platform = next(t for t in snapshot.teams if t.team == "platform")
    primary = platform.lines[0]
    assert (primary.kind, primary.person, primary.next_person) == ("primary", "siobhan", "lukas")
    card = roster_app.roster.view.cards["platform"].body.text()
    assert "Siobhan Kelly" in card
    assert "10m left" in card


def test_the_user_is_told_before_going_on_call(qtbot, roster_app: WarroomApp) -> None:
    banner = roster_app.window.banner  # no notification server here: the banner stands in
    qtbot.waitUntil(lambda: "You go on call for Platform primary" in banner.text, timeout=5000)
    assert "(in 10 min)" in banner.text
    roster_app.roster.check_handoffs()  # told once, not every tick
    assert len(roster_app.roster.notified_handoffs) == 1


def test_an_override_from_another_client_appears_live(qtbot, roster_app, demo_url) -> None:
    def data_primary_overrides() -> list[str]:
        snapshot = roster_app.roster.view.snapshot
        data = next(s for s in snapshot.schedules if s.slug == "data-primary")
        return [o.person for o in data.rules.overrides]

    other = Database(make_url(demo_url))
    try:
        create_override(
            ServiceContext(other, "zoe", FakeClock(MONDAY_0850)),
            schedule="data-primary",
            person="zoe",
            starts_at=MONDAY_0850 + timedelta(hours=1),
            ends_at=MONDAY_0850 + timedelta(hours=5),
        )
    finally:
        other.dispose()
    # An earlier reload (from the feed's backlog) may land first; the override's event follows.
    qtbot.waitUntil(lambda: data_primary_overrides() == ["zoe"], timeout=5000)
    assert data_primary_overrides() == ["zoe"]
    view = roster_app.roster.view
    view.schedule_box.setCurrentIndex(view.schedule_box.findData("data-primary"))
    final = view.timeline.lanes[-1]
    assert any(s.override and s.person == "zoe" for s in final.shifts)


def test_taking_a_shift_through_the_dialog_saves_it(qtbot, monkeypatch, roster_app) -> None:
    asked: list[dict] = []

    def ask(cls, parent, **kwargs):
        asked.append(kwargs)
        return OverrideRequest(
            "payments-primary", "lukas", kwargs["starts_at"], kwargs["ends_at"], "swap"
        )

    monkeypatch.setattr(OverrideDialog, "ask", classmethod(ask))
    view = roster_app.roster.view
    with qtbot.waitSignal(roster_app.roster.override_saved, timeout=5000):
        view.cover_button.click()
    assert asked[0]["person"] == "lukas"  # "I'll take this shift" defaults to me
    assert asked[0]["starts_at"] > MONDAY_0850
    assert "Saved: @lukas covers payments-primary" in roster_app.window.banner.text
    database = roster_app.database
    with database.reading() as session:
        rows = session.scalars(
            select(ScheduleOverride).where(ScheduleOverride.reason == "swap")
        ).all()
    assert [r.created_by for r in rows] == ["lukas"]
