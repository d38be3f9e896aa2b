"""Escalation as a training signal: who gets paged, who acknowledges, who lets it escalate.

Computed from pages, notifications and the events table (the audit log), over a window.

Who did something is what the database vouches for: an acknowledgement counts for the page's
``acknowledged_by`` (written by the person acting, on PostgreSQL the login), and an escalation
by hand for its event's actor (on PostgreSQL the login; a name in the payload is only a claim).
A page that moved on because someone escalated it by hand is counted as "by hand" for them,
not as "by timeout" for those it moved past.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from warroom.domain.vocabulary import NotificationReason
from warroom.services.context import ServiceContext, reading
from warroom.store.models import Event, Notification, Page, Person, Team, TeamMembership

WORK_START, WORK_END = 9, 18  # a responder's own working hours, Monday to Friday


@dataclass
class ResponderStats:
    handle: str
    name: str
    teams: tuple[str, ...]
    received: int = 0
    acknowledged: int = 0
    escalated_by_timeout: int = 0  # pages the policy moved past them unacknowledged
    escalated_by_hand: int = 0  # escalations they did by hand
    outside_hours: int = 0
    ack_minutes: list[float] = field(default_factory=list)

    @property
    def escalation_rate(self) -> float:
        return self.escalated_by_timeout / self.received if self.received else 0.0

    @property
    def median_ack_minutes(self) -> float | None:
        return statistics.median(self.ack_minutes) if self.ack_minutes else None


@dataclass(frozen=True)
class TeamStats:
    team: str
    received: int
    escalated_by_timeout: int
    escalated_by_hand: int
    noise: int  # pages resolved without anyone acknowledging or resolving them

    @property
    def escalation_rate(self) -> float:
        return self.escalated_by_timeout / self.received if self.received else 0.0


@dataclass(frozen=True)
class EscalationReport:
    since: datetime
    responders: tuple[ResponderStats, ...]
    teams: tuple[TeamStats, ...]
    flagged: tuple[str, ...]  # handles whose escalation rate is well above their team's


def escalation_report(context: ServiceContext, days: int = 30) -> EscalationReport:
    now = context.clock.now()
    since = now - timedelta(days=days)
    with reading(context) as session:
        people = {p.id: p for p in session.scalars(select(Person))}
        teams = {t.id: t.name for t in session.scalars(select(Team))}
        memberships: dict[int, list[str]] = {}
        for m in session.scalars(select(TeamMembership)):
            memberships.setdefault(m.person_id, []).append(teams[m.team_id])
        pages = {p.id: p for p in session.scalars(select(Page).where(Page.triggered_at >= since))}
        notes = session.scalars(
            select(Notification)
            .where(Notification.page_id.in_(list(pages)) if pages else Notification.id < 0)
            # a person's first step on a page is the one that counts
            .order_by(Notification.escalation_round, Notification.escalation_level, Notification.id)
        ).all()
        hand = session.scalars(
            select(Event).where(Event.topic == "page.escalated", Event.at >= since)
        ).all()
    stats = {
        pid: ResponderStats(p.handle, p.name, tuple(sorted(memberships.get(pid, []))))
        for pid, p in people.items()
    }
    told: dict[int, dict[int, Notification]] = {}
    steps: dict[int, dict[tuple[int, int], bool]] = {}  # page → step → taken by hand
    for note in notes:
        told.setdefault(note.page_id, {}).setdefault(note.person_id, note)
        step = (note.escalation_round, note.escalation_level)
        by_hand = note.reason == NotificationReason.MANUAL_ESCALATION.value
        page_steps = steps.setdefault(note.page_id, {})
        page_steps[step] = page_steps.get(step, False) or by_hand
    for page_id, by_person in told.items():
        page = pages[page_id]
        for person_id, note in by_person.items():
            s = stats[person_id]
            s.received += 1
            local = note.created_at.astimezone(ZoneInfo(people[person_id].time_zone))
            if local.weekday() >= 5 or not WORK_START <= local.hour < WORK_END:
                s.outside_hours += 1
            if page.acknowledged_by_id == person_id and page.acknowledged_at:
                s.acknowledged += 1
                s.ack_minutes.append((page.acknowledged_at - note.created_at).total_seconds() / 60)
            mine = (note.escalation_round, note.escalation_level)
            later = [step for step in steps[page_id] if step > mine]
            if later and page.acknowledged_by_id != person_id and not steps[page_id][min(later)]:
                s.escalated_by_timeout += 1  # the next step was the policy's, not a person's
    by_handle = {s.handle: s for s in stats.values()}
    for event in hand:
        if event.payload.get("by_hand") and event.actor in by_handle:
            by_handle[event.actor].escalated_by_hand += 1
    active = [s for s in stats.values() if s.received or s.escalated_by_hand]
    team_names = sorted({t for s in active for t in s.teams})
    team_stats = []
    for name in team_names:
        members = [s for s in active if name in s.teams]
        team_pages = {pid for pid, by in told.items() if any(name in stats[p].teams for p in by)}
        noise = sum(
            1
            for pid in team_pages
            if pages[pid].state == "resolved"
            and pages[pid].acknowledged_at is None
            and pages[pid].resolved_by_id is None
        )
        team_stats.append(
            TeamStats(
                name,
                sum(s.received for s in members),
                sum(s.escalated_by_timeout for s in members),
                sum(s.escalated_by_hand for s in members),
                noise,
            )
        )
    rates = {t.team: t.escalation_rate for t in team_stats}
    flagged = tuple(
        sorted(
            s.handle
            for s in active
            if s.received >= 3
            and s.teams
            and s.escalation_rate >= 0.25
            and s.escalation_rate >= 2 * max(rates.get(t, 0.0) for t in s.teams)
        )
    )
    return EscalationReport(
        since,
        tuple(sorted(active, key=lambda s: (-s.received, s.handle))),
        tuple(team_stats),
        flagged,
    )
