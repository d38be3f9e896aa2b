"""Everything the roster screen shows, read in one go off the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from warroom.domain.schedule import Shift
from warroom.services.context import ServiceContext, reading
from warroom.services.oncall import OnCallLine, ScheduleInfo, load_schedules, on_call_line
from warroom.store.models import Person, Team, TeamMembership


@dataclass(frozen=True)
class PersonRow:
    handle: str
    name: str
    time_zone: str
    teams: tuple[str, ...]
    expertise: tuple[str, ...]
    on_call_now: tuple[str, ...]  # schedule names
    next_on_call: datetime | None
    next_schedule: str | None


@dataclass(frozen=True)
class TeamStrip:
    team: str
    team_name: str
    lines: tuple[OnCallLine, ...]


@dataclass(frozen=True)
class RosterSnapshot:
    at: datetime
    people: tuple[PersonRow, ...]
    teams: tuple[TeamStrip, ...]
    schedules: tuple[ScheduleInfo, ...]
    names: dict[str, str]


def roster_snapshot(
    context: ServiceContext, horizon: timedelta = timedelta(days=14)
) -> RosterSnapshot:
    now = context.clock.now()
    with reading(context) as session:
        infos = load_schedules(session)
        people = session.scalars(select(Person).where(Person.active).order_by(Person.name)).all()
        team_names = {t.id: t.name for t in session.scalars(select(Team))}
        memberships: dict[int, list[str]] = {}
        for m in session.scalars(select(TeamMembership)):
            memberships.setdefault(m.person_id, []).append(team_names[m.team_id])
        rows_source = [
            (p.id, p.handle, p.name, p.time_zone, tuple(e.tag for e in p.expertise)) for p in people
        ]
    now_by_person: dict[str, list[str]] = {}
    next_by_person: dict[str, tuple[datetime, str]] = {}
    for info in infos:
        for shift in info.rules.shifts(now, now + horizon):
            if shift.person is None:
                continue
            if shift.start <= now:
                now_by_person.setdefault(shift.person, []).append(info.name)
            else:
                current = next_by_person.get(shift.person)
                if current is None or shift.start < current[0]:
                    next_by_person[shift.person] = (shift.start, info.name)
    rows = tuple(
        PersonRow(
            handle,
            name,
            zone,
            tuple(sorted(memberships.get(pid, []))),
            tags,
            tuple(now_by_person.get(handle, [])),
            next_by_person[handle][0] if handle in next_by_person else None,
            next_by_person[handle][1] if handle in next_by_person else None,
        )
        for pid, handle, name, zone, tags in rows_source
    )
    order = {"primary": 0, "secondary": 1}
    strips: dict[str, list[ScheduleInfo]] = {}
    for info in infos:
        if info.kind in order:
            strips.setdefault(info.team_slug, []).append(info)
    teams = tuple(
        TeamStrip(
            slug,
            group[0].team_name,
            tuple(on_call_line(info, now) for info in sorted(group, key=lambda i: order[i.kind])),
        )
        for slug, group in sorted(strips.items())
    )
    return RosterSnapshot(now, rows, teams, tuple(infos), {row.handle: row.name for row in rows})


def upcoming_handoffs(
    schedules: tuple[ScheduleInfo, ...], person: str, now: datetime, within: timedelta
) -> list[tuple[ScheduleInfo, Shift]]:
    """Shifts of ``person`` starting in ``(now, now + within]``: tell them before they begin."""
    out = []
    for info in schedules:
        for shift in info.rules.shifts(now, now + within + timedelta(seconds=1)):
            if shift.person == person and now < shift.start <= now + within:
                out.append((info, shift))
                break
    return out
