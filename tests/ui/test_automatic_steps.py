"""Automatic steps are not done by a person: the ack timeout that fires on Tom's desktop shows
in Activity as the ack timeout, with Tom's desktop only in the tooltip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import make_url

from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.paging.ingest import create_page
from warroom.services.paging.responses import acknowledge
from warroom.store.config import load_settings, save_settings
from warroom.store.database import Database
from warroom.ui.activity.model import ActivityModel
from warroom.ui.app import WarroomApp

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # lukas is platform primary


def test_an_ack_timeout_on_toms_desktop_is_shown_as_the_ack_timeout(
    qtbot, database_url, clock, as_person, url_as
) -> None:
    database = Database(make_url(database_url))
    clock.set(NOW - timedelta(days=7))
    seed_demo(ServiceContext(database, "tester", clock))
    database.dispose()
    clock.set(NOW)
    # amara pages by hand and lukas acknowledges, each as themselves (their own logins)
    [page_id] = create_page(
        as_person("amara"), service="payment-gateway", summary="Card authorisations failing"
    ).created
    save_settings(user="tom.h")  # this is Tom's desktop, and it runs the escalation engine
    warroom = WarroomApp(load_settings(url_as("tom.h")), clock, feed_poll=0.5)
    qtbot.addWidget(warroom.window)
    with qtbot.waitSignal(warroom.database_ready, timeout=10_000):
        warroom.start()
    assert warroom.context is not None
    acknowledge(as_person("lukas"), page_id)
    clock.advance(timedelta(minutes=61))  # payments-default: an unresolved page goes back after 30
    # The sweep Tom's desktop runs (its own alarm may get there first: either way, once).
    warroom.engine.run_once()
    model = warroom.activity.model

    def reopened_row() -> int | None:
        for row in range(model.rowCount()):
            event = model.event_at(row)
            if event.topic == "page.reopened" and event.entity_id == str(page_id):
                return row
        return None

    qtbot.waitUntil(lambda: reopened_row() is not None, timeout=5000)
    row = reopened_row()
    reopened = [
        r
        for r in range(model.rowCount())
        if model.event_at(r).topic == "page.reopened"
        and model.event_at(r).entity_id == str(page_id)
    ]
    assert len(reopened) == 1
    who = model.data(model.index(row, ActivityModel.WHO))
    assert who == "⚙ ack timeout"
    assert "Tom" not in who
    tip = model.data(model.index(row, ActivityModel.WHO), role=3)  # ToolTipRole
    assert tip.startswith("An automatic step (ack timeout, run by ")
    what = model.data(model.index(row, ActivityModel.WHAT))
    assert what.startswith(f"reopened page #{page_id} (acknowledged but not resolved in time)")
    warroom.window.close()
