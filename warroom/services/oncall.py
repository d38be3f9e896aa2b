"""Who is on call: schedules from the database turned into the domain's rules, and overrides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from warroom.domain.errors import NotFoundError, ValidationError
from warroom.domain.schedule import Layer, Override, Restriction, ScheduleRules, Shift
from warroom.domain.vocabulary import RestrictionKind, RotationKind
from warroom.services.context import ServiceContext, reading, unit_of_work
from warroom.store.models import Person, RotationLayer, Schedule, ScheduleOverride, Team


@dataclass(frozen=True)
class ScheduleInfo:
    id: int
    slug: str
    name: str
    team_slug: str
    team_name: str
    kind: str
    rules: ScheduleRules


@dataclass(frozen=True)
class OnCallLine:
    """One schedule's answer at an instant: who, until when, and who comes next."""

    schedule: str
    schedule_name: str
    kind: str
    person: str | None
    until: datetime | None
    next_person: str | None
    next_start: datetime | None


@dataclass(frozen=True)
class TeamOnCall:
    team: str
    team_name: str
    lines: tuple[OnCallLine, ...]


def load_schedules(session: Session) -> list[ScheduleInfo]:
    handles = dict(session.execute(select(Person.id, Person.handle)).all())
    teams = {t.id: (t.slug, t.name) for t in session.scalars(select(Team))}
    overrides: dict[int, list[Override]] = {}
    for row in session.scalars(select(ScheduleOverride).order_by(ScheduleOverride.id)):
        overrides.setdefault(row.schedule_id, []).append(
            Override(handles[row.person_id], row.starts_at, row.ends_at)
        )
    out = []
    with_layers = selectinload(Schedule.layers)
    query = (
        select(Schedule)
        .order_by(Schedule.id)
        .options(
            with_layers.selectinload(RotationLayer.members),
            with_layers.selectinload(RotationLayer.restrictions),
        )
    )  # three queries in all, instead of three per layer
    for schedule in session.scalars(query):
        layers = tuple(
            Layer(
                name=layer.name,
                members=tuple(handles[m.person_id] for m in layer.members),
                rotation=RotationKind(layer.rotation_kind),
                handoff_minute=layer.handoff_minute,
                start=layer.start_date,
                length=layer.rotation_length,
                handoff_weekday=layer.handoff_weekday,
                end=layer.end_date,
                restrictions=tuple(
                    Restriction(
                        RestrictionKind(r.kind), r.start_minute, r.duration_minutes, r.start_weekday
                    )
                    for r in layer.restrictions
                ),
            )
            for layer in schedule.layers
        )
        team_slug, team_name = teams[schedule.team_id]
        out.append(
            ScheduleInfo(
                schedule.id,
                schedule.slug,
                schedule.name,
                team_slug,
                team_name,
                schedule.kind,
                ScheduleRules(schedule.time_zone, layers, tuple(overrides.get(schedule.id, []))),
            )
        )
    return out


def schedules(context: ServiceContext) -> list[ScheduleInfo]:
    with reading(context) as session:
        return load_schedules(session)


def on_call_line(info: ScheduleInfo, at: datetime) -> OnCallLine:
    now = info.rules.on_call(at)
    following = info.rules.next_on_call(at)
    return OnCallLine(
        info.slug,
        info.name,
        info.kind,
        now.person,
        now.until,
        following.person if following else None,
        following.start if following else None,
    )


def who_is_on_call(
    context: ServiceContext, at: datetime | None = None, team: str | None = None
) -> list[TeamOnCall]:
    """Primary and secondary (and other rotas) of each team at ``at`` (default: now)."""
    at = at or context.clock.now()
    infos = schedules(context)
    if team is not None and team not in {i.team_slug for i in infos}:
        with reading(context) as session:
            if session.scalar(select(Team.id).where(Team.slug == team)) is None:
                raise NotFoundError(f"there is no team '{team}'")
    order = {"primary": 0, "secondary": 1, "other": 2}
    by_team: dict[str, list[ScheduleInfo]] = {}
    names: dict[str, str] = {}
    for info in infos:
        if team is None or info.team_slug == team:
            by_team.setdefault(info.team_slug, []).append(info)
            names[info.team_slug] = info.team_name
    return [
        TeamOnCall(
            slug,
            names[slug],
            tuple(
                on_call_line(info, at)
                for info in sorted(group, key=lambda i: (order.get(i.kind, 3), i.slug))
            ),
        )
        for slug, group in sorted(by_team.items())
    ]


def is_on_call(context: ServiceContext, handle: str, at: datetime | None = None) -> bool:
    """Whether ``handle`` holds any schedule at ``at`` (default: now): the tray says so."""
    at = at or context.clock.now()
    return any(info.rules.person_at(at)[0] == handle for info in schedules(context))


def schedule_by_slug(context: ServiceContext, slug: str) -> ScheduleInfo:
    for info in schedules(context):
        if info.slug == slug:
            return info
    raise NotFoundError(f"there is no schedule '{slug}'")


def create_override(
    context: ServiceContext,
    *,
    schedule: str,
    person: str,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
) -> int:
    """Someone covers a period of a schedule ("I'll take this shift")."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValidationError("override times need a time zone")
    if ends_at <= starts_at:
        raise ValidationError("the override must end after it starts")
    if ends_at - starts_at > timedelta(days=92):
        raise ValidationError("an override covers at most 92 days; change the rotation instead")
    if ends_at <= context.clock.now():
        raise ValidationError("that period is already over")
    with unit_of_work(context) as work:
        row = work.session.scalar(select(Schedule).where(Schedule.slug == schedule))
        if row is None:
            raise NotFoundError(f"there is no schedule '{schedule}'")
        who = work.session.scalar(select(Person).where(Person.handle == person, Person.active))
        if who is None:
            raise NotFoundError(f"there is no active person '{person}'")
        override = ScheduleOverride(
            schedule_id=row.id,
            person_id=who.id,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason.strip(),
            created_by=work.actor,
            created_at=work.now,
        )
        work.session.add(override)
        work.session.flush()
        work.emit(
            "schedule.override_created",
            "schedule",
            row.id,
            {
                "schedule": row.name,
                "handle": person,
                "starts_at": starts_at.isoformat(timespec="minutes"),
                "ends_at": ends_at.isoformat(timespec="minutes"),
            },
        )
        return override.id


def shifts_between(
    context: ServiceContext,
    slug: str,
    start: datetime,
    end: datetime,
    person: str | None = None,
) -> tuple[ScheduleInfo, list[Shift]]:
    info = schedule_by_slug(context, slug)
    shifts = info.rules.shifts(start, end)
    if person is not None:
        shifts = [s for s in shifts if s.person == person]
    return info, shifts
