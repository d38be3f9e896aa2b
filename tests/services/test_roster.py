"""Roster as code: idempotent import with a report, dry runs, round trips, clear errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from warroom.domain.roster_file import RosterFileError, dump_roster, parse_roster
from warroom.services.context import ServiceContext
from warroom.services.demo import demo_roster_text, seed_demo
from warroom.services.roster import export_roster, import_roster
from warroom.store.models import Event, Person, Schedule, ScheduleOverride, Service


def demo_spec(context: ServiceContext):
    return parse_roster(demo_roster_text(), "organisation.yaml", today=context.clock.now().date())


def count(context: ServiceContext, model) -> int:
    with context.database.reading() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_importing_twice_changes_nothing_the_second_time(context: ServiceContext) -> None:
    first = import_roster(context, demo_spec(context))
    assert "person amara" in first.added
    assert "schedule platform-primary" in first.added
    assert len([a for a in first.added if a.startswith("person ")]) == 29
    events = count(context, Event)
    second = import_roster(context, demo_spec(context))
    assert second.empty
    assert "already up to date" in second.describe()
    assert count(context, Event) == events


def test_a_dry_run_reports_and_writes_nothing(context: ServiceContext) -> None:
    changes = import_roster(context, demo_spec(context), dry_run=True)
    assert len(changes.added) > 60
    assert "Dry run: nothing was written" in changes.describe()
    assert count(context, Person) == 0
    assert count(context, Event) == 0


def test_export_round_trips(context: ServiceContext) -> None:
    import_roster(context, demo_spec(context))
    exported = export_roster(context)
    text = dump_roster(exported)
    again = parse_roster(text, "exported.yaml")
    assert again == exported
    assert import_roster(context, again).empty


def test_changes_and_removals_are_reported_and_history_is_kept(context: ServiceContext) -> None:
    seed_demo(context)  # the demo has pages on its services
    text = demo_roster_text().replace("name: Amara Okafor", "name: Amara Okafor-Reid")
    spec = parse_roster(text, "organisation.yaml", today=context.clock.now().date())
    people = tuple(p for p in spec.people if p.handle != "sam.w")
    teams = tuple(
        t
        if t.slug not in ("payments", "storefront")
        else type(t)(t.slug, t.name, t.description, tuple(m for m in t.members if m[0] != "sam.w"))
        for t in spec.teams
    )
    policies = tuple(
        type(p)(
            p.slug,
            p.name,
            p.repeat_count,
            p.ack_timeout_minutes,
            tuple(level for level in p.levels if all(t.ref != "sam.w" for t in level.targets)),
        )
        for p in spec.escalation_policies
    )
    services = tuple(s for s in spec.services if s.slug != "checkout-api")
    changed = type(spec)(people, teams, spec.support_hours, spec.schedules, policies, services)
    changes = import_roster(context, changed)
    assert "person amara" in changes.changed
    assert "person sam.w (deactivated)" in changes.removed
    assert "service checkout-api (it has pages)" in changes.kept
    with context.database.reading() as session:
        sam = session.scalars(select(Person).where(Person.handle == "sam.w")).one()
        assert not sam.active
        assert session.scalar(select(Service.id).where(Service.slug == "checkout-api"))


def test_overrides_made_in_the_app_survive_an_import(context: ServiceContext) -> None:
    import_roster(context, demo_spec(context))
    now = context.clock.now()
    with context.database.transaction() as session:
        schedule_id = session.scalar(select(Schedule.id).where(Schedule.slug == "data-primary"))
        person_id = session.scalar(select(Person.id).where(Person.handle == "zoe"))
        session.add(
            ScheduleOverride(
                schedule_id=schedule_id,
                person_id=person_id,
                starts_at=now + timedelta(days=1),
                ends_at=now + timedelta(days=2),
                created_by="zoe",
                created_at=now,
            )
        )
    assert import_roster(context, demo_spec(context)).empty
    assert count(context, ScheduleOverride) == 2  # the file's one and the app's one


def test_a_bad_file_names_file_line_and_every_problem() -> None:
    """Parsing only: a bad file never reaches the database. Problems only the database can
    show, and that nothing changes then, are in test_roster_removals.py."""
    bad = demo_roster_text().replace(
        "time_zone: Europe/Berlin, expertise: [observability",
        "time_zone: Europe/Berlinn, expertise: [observability",
    )
    bad = bad.replace("members: [amara, tom.h, priya", "members: [amara, tom.h, nobody, priya")
    with pytest.raises(RosterFileError) as caught:
        parse_roster(bad, "org.yaml")
    problems = caught.value.problems
    assert any(
        p.startswith("org.yaml:11: person 'lukas'") and "Europe/Berlinn" in p for p in problems
    )
    assert any("team 'platform' names unknown person 'nobody'" in p for p in problems)
    assert len(problems) == 2


@pytest.mark.parametrize(
    ("snippet", "complaint"),
    [
        ("people: [1, 2", "not valid YAML"),
        (
            "people:\n  - {handle: a, name: A, time_zone: UTC}\n"
            "  - {handle: a, name: B, time_zone: UTC}",
            "person 'a' is defined twice",
        ),
        ("peeple: []", "unknown section 'peeple'"),
        (
            "support_hours:\n  - {slug: s, name: S, time_zone: UTC, windows: "
            "[{days: mon, from: '09:00', to: '17:00'},"
            " {days: mon-tue, from: '12:00', to: '18:00'}]}",
            "overlapping windows",
        ),
    ],
)
def test_malformed_files_are_explained(snippet: str, complaint: str) -> None:
    with pytest.raises(RosterFileError, match=complaint):
        parse_roster(snippet, "x.yaml")


@pytest.mark.parametrize(
    ("holidays", "complaint"),
    [
        ("holidays: XX", "no public holidays are known for country 'XX'"),
        ("holidays: gb", "country 'gb'; did you mean 'GB'?"),
        ("holidays: GB\n    holiday_subdivision: XYZ", "'GB' has no subdivision 'XYZ'"),
    ],
)
def test_a_holiday_code_the_calendar_does_not_know_is_refused_at_import_with_its_line(
    holidays: str, complaint: str
) -> None:
    """Issue 10.3: such a code imported fine and then failed every low-urgency alert."""
    text = demo_roster_text().replace("holidays: GB\n    holiday_subdivision: ENG", holidays)
    with pytest.raises(RosterFileError) as caught:
        parse_roster(text, "org.yaml")
    [problem] = caught.value.problems
    assert problem.startswith("org.yaml:67: support hours 'london-business': ")
    assert complaint in problem


def test_the_catch_all_is_declared_once_and_survives_a_round_trip(context: ServiceContext) -> None:
    spec = demo_spec(context)
    assert [s.slug for s in spec.services if s.catch_all] == ["unrouted"]
    two = demo_roster_text().replace(
        "description: 'Route 53, Fastly and the ingress load balancers.',",
        "description: 'Route 53, Fastly and the ingress load balancers.', catch_all: true,",
    )
    with pytest.raises(RosterFileError, match="only one service may be the catch-all"):
        parse_roster(two, "org.yaml")
    with pytest.raises(RosterFileError, match="catch_all is true or false"):
        parse_roster(demo_roster_text().replace("catch_all: true", "catch_all: yes please"))
    import_roster(context, spec)
    text = dump_roster(export_roster(context))
    assert "catch_all: true" in text
    # the catch-all moves from one service to another in one import (one at a time, by index)
    moved = text.replace("  catch_all: true\n", "\n").replace(
        "- slug: edge\n", "- slug: edge\n  catch_all: true\n"
    )
    changes = import_roster(context, parse_roster(moved, "moved.yaml"))
    assert {"service edge", "service unrouted"} <= set(changes.changed)
    with context.database.reading() as session:
        assert session.scalars(select(Service.slug).where(Service.catch_all)).all() == ["edge"]


def test_a_key_the_entry_does_not_have_is_named_with_its_line() -> None:
    """An unquoted comma in a flow mapping (``name: Edge (DNS, CDN)``) or a typo such as
    ``escalation_polcy`` used to be dropped without a word; the demo itself had two."""
    text = """people:
  - {handle: amara, name: Amara Okafor, time_zone: Europe/London, timezone: UTC}
teams:
  - {slug: platform, name: Platform, members: [amara]}
services:
  - {slug: edge, name: Edge (DNS, CDN), team: platform}
  - {slug: db, name: Database, team: platform, escalation_polcy: x}
"""
    with pytest.raises(RosterFileError) as refused:
        parse_roster(text, "org.yaml")
    problems = refused.value.problems
    assert any(
        p.startswith("org.yaml:2: a person entry has an unknown key 'timezone'") for p in problems
    )
    assert any(
        p.startswith("org.yaml:6: a service entry has an unknown key 'CDN)'") for p in problems
    )
    assert any(
        "unknown key 'escalation_polcy'" in p and p.startswith("org.yaml:7:") for p in problems
    )
