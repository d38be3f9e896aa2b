"""What a roster import would remove, worked out before anything is written.

The roster file is the source of truth, so what it leaves out goes: services without
history, escalation policies, schedules, support hours and teams are deleted, and people are
deactivated. Working that out up front lets the import

* report a removal the database could not carry out as a roster problem pointing at the
  file, instead of a foreign-key error: a team, escalation policy or support hours that a
  service kept for its history still uses, or a policy still escalating an open page;
* refuse, unless the person says they mean it, a removal of much: more than a quarter of
  the people or of the services, or any schedule somebody is on call for right now. An empty,
  cut-off or mistaken file would otherwise wipe out a team's on-call set-up and exit 0.

Resolved pages that name a removed escalation policy stop naming it (the events keep who
was paged); such a page is never escalated again, and an open one blocks the removal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.domain.roster_file import RosterSpec
from warroom.domain.vocabulary import PageState
from warroom.services.oncall import load_schedules
from warroom.store.models import (
    EscalationPolicy,
    Incident,
    Page,
    Person,
    Schedule,
    Service,
    SupportHours,
    Team,
)

#: More than this share of the people or of the services is "much".
MUCH = 0.25


@dataclass(frozen=True)
class RemovalPlan:
    services: tuple[str, ...]  # deleted
    kept_services: tuple[tuple[str, str], ...]  # (slug, why) left out but kept for history
    policies: tuple[str, ...]
    detached_pages: Mapping[str, int]  # removed policy → resolved pages that will not name it
    schedules: tuple[str, ...]
    on_call_now: Mapping[str, str]  # removed schedule → who is on call on it now
    support_hours: tuple[str, ...]
    teams: tuple[str, ...]
    people: tuple[str, ...]  # deactivated
    active_people: int
    existing_services: int
    problems: tuple[str, ...]

    def consent_reasons(self) -> list[str]:
        """Why this import needs ``allow_removals``: phrases like "deactivate 3 of 4 people"."""
        reasons = []
        if self.people and len(self.people) > MUCH * self.active_people:
            reasons.append(f"deactivate {len(self.people)} of {self.active_people} people")
        if self.services and len(self.services) > MUCH * self.existing_services:
            reasons.append(f"remove {len(self.services)} of {self.existing_services} services")
        if self.on_call_now:
            listed = ", ".join(f"{slug}: {who}" for slug, who in self.on_call_now.items())
            plural = "s" if len(self.on_call_now) > 1 else ""
            reasons.append(f"remove schedule{plural} somebody is on call for now ({listed})")
        return reasons


def plan_removals(session: Session, spec: RosterSpec, now: datetime) -> RemovalPlan:
    """What importing ``spec`` would remove from the database ``session`` reads."""
    teams = dict(session.execute(select(Team.id, Team.slug)).all())
    policies = dict(session.execute(select(EscalationPolicy.id, EscalationPolicy.slug)).all())
    support = dict(session.execute(select(SupportHours.id, SupportHours.slug)).all())
    schedules = list(session.scalars(select(Schedule.slug).order_by(Schedule.id)))
    active = list(session.scalars(select(Person.handle).where(Person.active).order_by(Person.id)))

    gone_teams = _unlisted(teams.values(), {t.slug for t in spec.teams})
    gone_policies = _unlisted(policies.values(), {p.slug for p in spec.escalation_policies})
    gone_support = _unlisted(support.values(), {s.slug for s in spec.support_hours})
    gone_schedules = _unlisted(schedules, {s.slug for s in spec.schedules})
    gone_people = _unlisted(active, {p.handle for p in spec.people})

    problems: list[str] = []
    removed_services: list[str] = []
    kept: list[tuple[str, str]] = []
    with_pages = set(session.scalars(select(Page.service_id).distinct()))
    with_incidents = set(
        session.scalars(select(Incident.service_id).where(Incident.service_id.is_not(None)))
    )
    listed_services = {s.slug for s in spec.services}
    services = session.execute(
        select(
            Service.id,
            Service.slug,
            Service.owner_team_id,
            Service.escalation_policy_id,
            Service.support_hours_id,
        ).order_by(Service.id)
    ).all()
    for service in services:
        if service.slug in listed_services:
            continue  # the file names its team, policy and support hours, all declared
        why = " and ".join(
            what
            for what, has in (
                ("pages", service.id in with_pages),
                ("incidents", service.id in with_incidents),
            )
            if has
        )
        if not why:
            removed_services.append(service.slug)
            continue
        why = f"it has {why}"
        kept.append((service.slug, why))
        uses = [
            (label, slug)
            for label, slug, gone in (
                ("team", teams.get(service.owner_team_id), gone_teams),
                ("escalation policy", policies.get(service.escalation_policy_id), gone_policies),
                ("support hours", support.get(service.support_hours_id), gone_support),
            )
            if slug is not None and slug in gone
        ]
        if uses:
            problems.append(_still_used(spec.where("services"), service.slug, why, uses))

    detached: dict[str, int] = {}
    if gone_policies:
        ids = {slug: id_ for id_, slug in policies.items()}
        open_pages: dict[str, list[str]] = {}
        rows: Iterable[tuple[int, int, str, str]] = session.execute(
            select(Page.id, Page.escalation_policy_id, Page.state, Service.slug)
            .join(Service, Service.id == Page.service_id)
            .where(Page.escalation_policy_id.in_([ids[slug] for slug in gone_policies]))
            .order_by(Page.id)
        )
        for page_id, policy_id, state, service_slug in rows:
            policy = policies[policy_id]  # not None: the query selected by it
            if state == PageState.RESOLVED.value:
                detached[policy] = detached.get(policy, 0) + 1
            else:
                open_pages.setdefault(policy, []).append(f"#{page_id} ({service_slug})")
        for slug, pages in open_pages.items():
            which = "page " if len(pages) == 1 else "pages "
            problems.append(
                f"{spec.where('escalation_policies')}: escalation policy '{slug}', which the file "
                f"removes, is still escalating open {which}{', '.join(pages)}; keep it in the "
                f"file until {'that page is' if len(pages) == 1 else 'those pages are'} resolved"
            )

    on_call: dict[str, str] = {}
    if gone_schedules:
        for info in load_schedules(session):
            if info.slug in gone_schedules:
                who = info.rules.on_call(now).person
                if who is not None:
                    on_call[info.slug] = who

    return RemovalPlan(
        services=tuple(removed_services),
        kept_services=tuple(kept),
        policies=gone_policies,
        detached_pages=detached,
        schedules=gone_schedules,
        on_call_now=on_call,
        support_hours=gone_support,
        teams=gone_teams,
        people=gone_people,
        active_people=len(active),
        existing_services=len(services),
        problems=tuple(problems),
    )


def _still_used(where: str, service: str, why: str, uses: list[tuple[str, str]]) -> str:
    named = [f"{label} '{slug}'" for label, slug in uses]
    if len(uses) == 1:
        label = uses[0][0]
        instead = f"the {label} that replaces it (or none)" if label != "team" else "its new team"
        fix = f"list '{service}' under services with {instead}, or keep {named[0]}"
    else:
        labels = [label for label, _ in uses]
        fix = (
            f"list '{service}' under services with the {join_and(labels)} that replace them, "
            "or keep them"
        )
    return (
        f"{where}: service '{service}' is not in the file but stays because {why}, and it "
        f"still uses {join_and(named)}, which the file removes; {fix}"
    )


def join_and(phrases: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]


def _unlisted(existing: Iterable[str], listed: set[str]) -> tuple[str, ...]:
    return tuple(slug for slug in existing if slug not in listed)
