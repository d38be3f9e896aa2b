"""The demo organisation is realistic enough to judge every screen, and seeds idempotently."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.store.models import (
    EscalationPolicy,
    Event,
    Incident,
    Page,
    Person,
    PersonExpertise,
    RoleAssignment,
    Runbook,
    Schedule,
    Service,
    Team,
    TranscriptEntry,
)


def _count(context: ServiceContext, model) -> int:
    with context.database.reading() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_demo_is_a_realistic_organisation(context: ServiceContext) -> None:
    report = seed_demo(context)
    assert report.total > 0
    assert _count(context, Team) >= 3
    assert _count(context, Person) >= 25
    with context.database.reading() as session:
        zones = set(session.scalars(select(Person.time_zone)))
        tags = set(session.scalars(select(PersonExpertise.tag)))
        kinds = set(session.execute(select(Schedule.team_id, Schedule.kind)).all())
        services = session.scalars(select(Service)).all()
        teams = session.scalars(select(Team.id)).all()
    assert len(zones) >= 3
    assert all(ZoneInfo(zone) for zone in zones)
    assert {"database", "network", "front-end", "payments"} <= tags
    for team_id in teams:
        assert (team_id, "primary") in kinds
        assert (team_id, "secondary") in kinds
    assert all(s.escalation_policy_id and s.support_hours_id for s in services)
    assert _count(context, EscalationPolicy) >= 3
    assert _count(context, Runbook) >= 5
    assert _count(context, Page) >= 8
    assert _count(context, Incident) >= 2
    assert _count(context, RoleAssignment) > 0
    assert _count(context, TranscriptEntry) > 0


def test_seeding_twice_adds_nothing(context: ServiceContext) -> None:
    seed_demo(context)
    counts = {m: _count(context, m) for m in (Person, Team, Page, Incident, Event, Runbook)}
    again = seed_demo(context)
    assert again.total == 0
    assert "already there" in again.describe()
    assert {m: _count(context, m) for m in counts} == counts


def test_the_demo_history_is_in_the_feed_in_the_order_it_happened(
    context: ServiceContext,
) -> None:
    seed_demo(context)
    with context.database.reading() as session:
        events = session.scalars(select(Event).order_by(Event.tx, Event.id)).all()
    history = [e for e in events if e.topic != "demo.seeded"]
    assert [e.at for e in history] == sorted(e.at for e in history)
    assert all(e.at <= context.clock.now() for e in events)
    assert events[-1].topic == "demo.seeded"
