"""The routing data a delivery or a sweep pages with, kept between calls.

Who can be paged and how (schedules, people, experts, escalation policies, support hours),
the services and the runbook catalogue: plain values detached from any session, loaded once
and reloaded only when an event says something they hold changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from warroom.domain.support_hours import SupportHoursRules, Window
from warroom.services.context import ServiceContext
from warroom.services.oncall import ScheduleInfo, load_schedules
from warroom.services.runbooks import RunbookCatalog
from warroom.store.models import (
    EscalationLevel,
    EscalationPolicy,
    Event,
    Person,
    PersonExpertise,
    Service,
    SupportHours,
)

#: Events after which the routing data below (services, people, schedules and overrides,
#: escalation policies, support hours, runbooks) is reloaded. Every service call that changes
#: any of it emits one of these; ``test_paging`` proves an override is obeyed at once.
REFERENCE_TOPICS = (
    "demo.seeded",
    "roster.imported",
    "person.created",
    "schedule.override_created",
    "runbook.imported",
)


@dataclass(frozen=True)
class Target:
    id: int
    handle: str


@dataclass(frozen=True)
class LevelTarget:
    kind: str
    schedule_id: int | None
    person_id: int | None
    expertise: str | None


@dataclass(frozen=True)
class Level:
    delay_minutes: int
    targets: tuple[LevelTarget, ...]


@dataclass(frozen=True)
class Route:
    """What routing needs of a service, detached from any session so it can be kept."""

    id: int
    name: str
    urgency_rules: Mapping[str, Any]
    support_hours_id: int | None
    escalation_policy_id: int | None


class RosterCache:
    """Who can be paged and how: schedules, people, experts, policies and support hours.

    Plain values only, so one load serves many deliveries and sweeps (see :class:`Reference`).
    """

    def __init__(self, session: Session) -> None:
        self.schedules: dict[int, ScheduleInfo] = {
            info.id: info for info in load_schedules(session)
        }
        self.by_id: dict[int, Target] = {}
        self.by_handle: dict[str, Target] = {}
        for person_id, handle in session.execute(
            select(Person.id, Person.handle).where(Person.active)
        ):
            target = Target(person_id, handle)
            self.by_id[person_id] = target
            self.by_handle[handle] = target
        self.experts: dict[str, list[Target]] = {}
        for tag, person_id in session.execute(
            select(PersonExpertise.tag, PersonExpertise.person_id)
            .join(Person, Person.id == PersonExpertise.person_id)
            .order_by(Person.name)
        ):
            if person_id in self.by_id:
                self.experts.setdefault(tag, []).append(self.by_id[person_id])
        self.support: dict[int, SupportHoursRules] = {
            hours.id: SupportHoursRules(
                hours.time_zone,
                tuple(Window(w.weekday, w.start_minute, w.end_minute) for w in hours.windows),
                hours.holiday_country,
                hours.holiday_subdivision,
            )
            for hours in session.scalars(
                select(SupportHours).options(selectinload(SupportHours.windows))
            )
        }
        self.repeats: dict[int, int] = {}
        self.ack_timeouts: dict[int, int] = {}
        for policy_id, repeats, timeout in session.execute(
            select(
                EscalationPolicy.id,
                EscalationPolicy.repeat_count,
                EscalationPolicy.ack_timeout_minutes,
            )
        ):
            self.repeats[policy_id] = repeats
            if timeout:
                self.ack_timeouts[policy_id] = timeout
        self.levels: dict[int, list[Level]] = {}
        for level in session.scalars(
            select(EscalationLevel)
            .options(selectinload(EscalationLevel.targets))
            .order_by(EscalationLevel.policy_id, EscalationLevel.position)
        ):
            self.levels.setdefault(level.policy_id, []).append(
                Level(
                    level.delay_minutes,
                    tuple(
                        LevelTarget(t.kind, t.schedule_id, t.person_id, t.expertise)
                        for t in level.targets
                    ),
                )
            )

    def support_hours(self, support_hours_id: int | None) -> SupportHoursRules | None:
        return None if support_hours_id is None else self.support.get(support_hours_id)

    def policy_levels(self, policy_id: int | None) -> list[Level]:
        return self.levels.get(policy_id or -1, [])

    def on_call(self, at: datetime) -> set[str]:
        return {
            h for info in self.schedules.values() if (h := info.rules.person_at(at)[0]) is not None
        }

    def experts_for(self, tag: str, at: datetime) -> list[Target]:
        """The subject matter experts for ``tag``: those on call now first, else all."""
        experts = self.experts.get(tag, [])
        if not experts:
            return []
        on_call = self.on_call(at)
        return [p for p in experts if p.handle in on_call] or list(experts)

    def level_targets(self, level: Level, at: datetime) -> list[Target]:
        people: dict[int, Target] = {}
        for target in level.targets:
            if target.kind == "schedule" and target.schedule_id in self.schedules:
                handle = self.schedules[target.schedule_id].rules.person_at(at)[0]
                if handle in self.by_handle:
                    people[self.by_handle[handle].id] = self.by_handle[handle]
            elif target.kind == "person" and target.person_id in self.by_id:
                people[target.person_id] = self.by_id[target.person_id]
            elif target.kind == "expertise" and target.expertise:
                for expert in self.experts_for(target.expertise, at)[:1]:
                    people[expert.id] = expert
        return list(people.values())


@dataclass(frozen=True)
class Reference:
    """Everything a delivery or a sweep routes with, kept in the context between calls."""

    services: Mapping[str, Route]
    roster: RosterCache
    catalog: RunbookCatalog
    names: Mapping[int, str]  # service id → name
    #: Where alerts that name no known service page (the roster's ``catch_all: true``).
    catch_all: Route | None = None

    @classmethod
    def load(cls, session: Session) -> Reference:
        services: dict[str, Route] = {}
        catch_all = None
        for s in session.scalars(select(Service)):
            services[s.slug] = Route(
                s.id,
                s.name,
                dict(s.urgency_rules or {}),
                s.support_hours_id,
                s.escalation_policy_id,
            )
            if s.catch_all:
                catch_all = services[s.slug]
        names = {s.id: s.name for s in services.values()}
        return cls(services, RosterCache(session), RunbookCatalog.load(session), names, catch_all)


def reference(context: ServiceContext, session: Session) -> Reference:
    """The routing data, reloaded only when a reference event was appended since it was read.

    The feed is append-only, so the number of reference events only ever grows: a count that
    moved means something changed (an index on ``topic`` keeps the count cheap).
    """
    generation = session.scalar(
        select(func.count()).select_from(Event).where(Event.topic.in_(REFERENCE_TOPICS))
    )
    return context.memo.get("paging.reference", generation, lambda: Reference.load(session))


class LevelTargets:
    """Who a level notifies, worked out once per (policy, level) for a sweep's instant."""

    def __init__(self, roster: RosterCache, at: datetime) -> None:
        self.roster, self.at = roster, at
        self._known: dict[tuple[int, int], list[Target]] = {}

    def __call__(self, policy_id: int | None, level_index: int) -> list[Target]:
        key = (policy_id or -1, level_index)
        if key not in self._known:
            levels = self.roster.policy_levels(policy_id)
            self._known[key] = (
                self.roster.level_targets(levels[min(level_index, len(levels) - 1)], self.at)
                if levels
                else []
            )
        return self._known[key]
