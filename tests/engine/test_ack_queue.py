"""Acknowledgements kept on disk replay under the rule every act of a person follows: on
PostgreSQL the connection's login acts, on SQLite the person who clicked."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from warroom.domain.clock import FakeClock
from warroom.engine.ack_queue import AckQueue
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.paging.ingest import create_page
from warroom.store.models import Event, Page, Person

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # lukas is platform primary


def _acknowledged(context: ServiceContext, page_id: int) -> tuple[str | None, list[str]]:
    """Who the page says acknowledged it, and the actors of its acknowledgement events."""
    with context.database.reading() as session:
        by = session.scalar(
            select(Person.handle)
            .join(Page, Page.acknowledged_by_id == Person.id)
            .where(Page.id == page_id)
        )
        actors = session.scalars(
            select(Event.actor).where(
                Event.topic == "page.acknowledged", Event.entity_id == str(page_id)
            )
        )
        return by, list(actors)


def test_a_queued_acknowledgement_replays_as_who_clicked_and_a_refused_one_is_said_and_dropped(
    context: ServiceContext, clock: FakeClock, as_person, tmp_path: Path
) -> None:
    """Lukas clicked Acknowledge while the database was away. Replayed on his desktop it is
    his. An entry in a name that cannot act here (on PostgreSQL another person's: the login
    is lukas; on SQLite someone not on the roster) is refused with its sentence and leaves
    the queue, and never holds up the entries after it."""
    clock.set(NOW - timedelta(days=7))
    seed_demo(context)
    clock.set(NOW)
    amara = as_person("amara")
    other, mine = (
        create_page(amara, service="kubernetes", summary=summary).created[0]
        for summary in ("Node eu-west-7 NotReady", "Disk full on eu-west-7")
    )
    queue = AckQueue(tmp_path / "pending-acknowledgements.json")
    stranger = "amara" if context.database.is_postgresql else "nobody"
    queue.add(other, stranger, NOW.isoformat())
    queue.add(mine, "lukas", NOW.isoformat())
    # on SQLite the configured user has changed since the click: the click still counts
    desktop = replace(as_person("lukas"), actor="tom.h")

    flushed = queue.flush(desktop)

    assert _acknowledged(desktop, mine) == ("lukas", ["lukas"])
    assert _acknowledged(desktop, other) == (None, [])
    assert queue.pending() == []
    assert flushed.sent == [mine]
    [(page_id, why)] = flushed.refused
    assert page_id == other
    if context.database.is_postgresql:
        assert why == (
            "Your database login is 'lukas', so you cannot act as 'amara': on PostgreSQL "
            "each person acts as their own login."
        )
    else:
        assert why.startswith("'nobody' is not an active person on the roster;")
    assert queue.flush(desktop).sent == []  # nothing is sent twice
