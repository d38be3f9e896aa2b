"""What the incident-side service tests share: the demo organisation on a Monday morning,
and an incident's events by topic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from warroom.domain.clock import FakeClock
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.store.models import Event

MONDAY_10_UTC = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # lukas is platform primary


@pytest.fixture
def demo(context: ServiceContext, clock: FakeClock) -> ServiceContext:
    """The demo organisation seeded a week ago; the clock at Monday 10:00 UTC."""
    clock.set(MONDAY_10_UTC - timedelta(days=7))
    seed_demo(context)
    clock.set(MONDAY_10_UTC)
    return context


def incident_events(context: ServiceContext, incident_id: int, topic: str) -> list[Event]:
    with context.database.reading() as session:
        return list(
            session.scalars(
                select(Event)
                .where(Event.incident_id == incident_id, Event.topic == topic)
                .order_by(Event.id)
            )
        )
