"""Paging: alerts in, pages that only page when actionable, escalation that fires exactly once.

Every step that changes a page's escalation is *claimed* with a conditional update on the row
(``... WHERE escalation_level = :seen AND escalation_round = :seen AND state = 'triggered'``),
so any number of engines (every desktop and ``warroom serve``) may sweep at once: one wins,
the others update nothing. An acknowledgement that commits first makes every later claim miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy.exc
from sqlalchemy import CursorResult, case, func, insert, select, tuple_, update
from sqlalchemy.orm import Session, selectinload

from warroom.domain.alerts import FIRING, AlertIn, urgency_for
from warroom.domain.errors import ConflictError, NotFoundError, ValidationError
from warroom.domain.support_hours import SupportHoursRules, Window
from warroom.domain.vocabulary import NotificationReason, PageState
from warroom.services.context import ServiceContext, UnitOfWork, reading, unit_of_work
from warroom.services.oncall import load_schedules
from warroom.services.runbooks import RunbookCatalog
from warroom.store.models import (
    EscalationLevel,
    EscalationPolicy,
    Notification,
    Page,
    Person,
    PersonExpertise,
    Service,
    SupportHours,
)


@dataclass
class IngestResult:
    created: list[int] = field(default_factory=list)
    repeated: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"{len(self.created)} new, {len(self.repeated)} repeated, "
            f"{len(self.resolved)} resolved, {len(self.deferred)} held for support hours"
        )


def _claimed(session: Session, statement: Any) -> int:
    """Run a conditional UPDATE and say how many rows it claimed (0: someone else did)."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(cast(CursorResult[Any], result).rowcount)


# ----------------------------------------------------------------------------- targets


def _support_rules(session: Session, support_hours_id: int | None) -> SupportHoursRules | None:
    if support_hours_id is None:
        return None
    hours = session.get(SupportHours, support_hours_id)
    if hours is None:
        return None
    return SupportHoursRules(
        hours.time_zone,
        tuple(Window(w.weekday, w.start_minute, w.end_minute) for w in hours.windows),
        hours.holiday_country,
        hours.holiday_subdivision,
    )


@dataclass(frozen=True)
class Target:
    id: int
    handle: str


class RosterCache:
    """Who can be paged, loaded once per webhook delivery or sweep rather than per page."""

    def __init__(self, session: Session) -> None:
        self.schedules = {info.id: info for info in load_schedules(session)}
        people = session.execute(select(Person.id, Person.handle, Person.name, Person.active))
        self.by_id: dict[int, Target] = {}
        self.by_handle: dict[str, Target] = {}
        for person_id, handle, _name, active in people:
            if active:
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
        self.support: dict[int, SupportHoursRules | None] = {}
        self.repeats: dict[int, int] = dict(
            session.execute(select(EscalationPolicy.id, EscalationPolicy.repeat_count)).all()
        )
        self.levels: dict[int, list[EscalationLevel]] = {}
        for level in session.scalars(
            select(EscalationLevel)
            .options(selectinload(EscalationLevel.targets))
            .order_by(EscalationLevel.policy_id, EscalationLevel.position)
        ):
            self.levels.setdefault(level.policy_id, []).append(level)

    def support_hours(
        self, session: Session, support_hours_id: int | None
    ) -> SupportHoursRules | None:
        """Support hours by id, built once (their holiday calendars are costly to make)."""
        if support_hours_id is None:
            return None
        if support_hours_id not in self.support:
            self.support[support_hours_id] = _support_rules(session, support_hours_id)
        return self.support[support_hours_id]

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

    def level_targets(self, level: EscalationLevel, at: datetime) -> list[Target]:
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


def _notify(
    work: UnitOfWork,
    page: Page,
    people: Sequence[Target],
    reason: str,
    sink: list[dict[str, Any]] | None = None,
) -> list[str]:
    """Record who is told, once per (page, round, level, person), and tell the team.

    With ``sink`` (a brand-new page, so nobody can have been told yet) the rows are collected
    for one bulk insert instead of being checked and written one by one.
    """
    told = []
    for person in people:
        row = {
            "page_id": page.id,
            "person_id": person.id,
            "escalation_round": page.escalation_round,
            "escalation_level": page.escalation_level,
            "reason": reason,
            "created_at": work.now,
        }
        if sink is not None:
            sink.append(row)
            told.append(person.handle)
            continue
        exists = work.session.scalar(
            select(Notification.id).where(
                Notification.page_id == page.id,
                Notification.person_id == person.id,
                Notification.escalation_round == page.escalation_round,
                Notification.escalation_level == page.escalation_level,
            )
        )
        if exists is not None:
            continue
        work.session.add(Notification(**row))
        told.append(person.handle)
    if sink is None:
        work.session.flush()
    if told:
        work.emit(
            "page.notified",
            "page",
            page.id,
            {
                "page_id": page.id,
                "summary": page.summary[:200],
                "handles": told,
                "level": page.escalation_level + 1,
                "round": page.escalation_round,
                "urgency": page.urgency,
                "reason": reason,
            },
            incident_id=page.incident_id,
        )
    return told


def _start_level(
    work: UnitOfWork,
    page: Page,
    level_index: int,
    reason: str,
    roster: RosterCache,
    sink: list[dict[str, Any]] | None = None,
) -> list[str]:
    """Notify level ``level_index`` of the page's policy and schedule the next step."""
    levels = roster.levels.get(page.escalation_policy_id or -1, [])
    page.escalation_level = level_index
    if not levels:
        page.next_escalation_at = None
        return []
    level = levels[min(level_index, len(levels) - 1)]
    page.next_escalation_at = work.now + timedelta(minutes=level.delay_minutes)
    return _notify(work, page, roster.level_targets(level, work.now), reason, sink)


def _summary_payload(page: Page, service: str) -> dict[str, object]:
    return {
        "page_id": page.id,
        "summary": page.summary[:200],
        "service": service,
        "urgency": page.urgency,
    }


# ----------------------------------------------------------------------------- alerts in


def ingest(
    context: ServiceContext, alerts: Sequence[AlertIn], default_service: str | None = None
) -> IngestResult:
    """One webhook delivery: one transaction. Repeats and HA duplicates update, never page.

    New pages of a delivery are inserted with one flush and their notifications with one bulk
    insert; if a concurrent delivery inserted the same alert first, the delivery falls back to
    handling its new alerts one by one, which absorbs the duplicate.
    """
    result = IngestResult()
    with unit_of_work(context) as work:
        session = work.session
        services = {s.slug: s for s in session.scalars(select(Service))}
        routed = [(_route(services, alert, default_service), alert) for alert in alerts]
        roster = RosterCache(session)
        catalog = RunbookCatalog.load(session)
        keys = list({(service.id, alert.dedup_key) for service, alert in routed})
        open_pages = (
            {
                (p.service_id, p.dedup_key): p
                for p in session.scalars(
                    select(Page).where(
                        tuple_(Page.service_id, Page.dedup_key).in_(keys),
                        Page.state != PageState.RESOLVED,
                    )
                )
            }
            if keys
            else {}
        )
        fresh: list[tuple[Service, AlertIn, Page]] = []
        repeated: list[Page] = []
        for service, alert in routed:
            key = (service.id, alert.dedup_key)
            page = open_pages.get(key)
            if alert.status != FIRING:
                if page is not None:
                    if page.id is None:
                        session.flush()
                    _resolve_from_alert(work, page, service, result)
                    del open_pages[key]
                continue
            if page is not None:
                page.occurrences += 1
                page.last_seen_at = work.now
                repeated.append(page)
                continue
            page = _new_page(work, service, alert, catalog)
            session.add(page)
            open_pages[key] = page
            fresh.append((service, alert, page))
        try:
            with session.begin_nested():
                session.flush()
        except sqlalchemy.exc.IntegrityError:
            for service, alert, _page in fresh:  # a concurrent duplicate: one by one
                _ingest_one(work, service, alert, result, roster, catalog)
            return result
        notifications: list[dict[str, Any]] = []
        for service, _alert, page in fresh:
            if page.state == PageState.RESOLVED.value:
                continue
            _after_create(work, service, page, result, roster, notifications)
        if notifications:
            session.execute(insert(Notification), notifications)
        result.repeated.extend(p.id for p in repeated if p.state != PageState.RESOLVED.value)
    return result


def _route(services: dict[str, Service], alert: AlertIn, default_service: str | None) -> Service:
    slug = alert.service or alert.labels.get("service") or default_service
    if slug in services:
        return services[str(slug)]
    if default_service in services:
        return services[str(default_service)]
    raise ValidationError(
        f"no service '{slug}' for alert '{alert.summary[:80]}'"
        if slug
        else f"alert '{alert.summary[:80]}' has no 'service' label and there is no default "
        "service (warroom serve --default-service SLUG)"
    )


def _new_page(work: UnitOfWork, service: Service, alert: AlertIn, catalog: RunbookCatalog) -> Page:
    return Page(
        service_id=service.id,
        dedup_key=alert.dedup_key,
        summary=alert.summary,
        details=alert.details,
        source=alert.source,
        urgency=alert.urgency or urgency_for(alert.labels, service.urgency_rules or {}),
        state=PageState.TRIGGERED.value,
        labels=dict(alert.labels),
        annotations=dict(alert.annotations),
        runbook_url=alert.runbook_url,
        runbook_id=catalog.match(service.id, alert.labels, alert.annotations),
        escalation_policy_id=service.escalation_policy_id,
        triggered_at=work.now,
        last_seen_at=work.now,
        occurrences=1,
        escalation_level=0,
        escalation_round=0,
    )


def _resolve_from_alert(
    work: UnitOfWork, page: Page, service: Service, result: IngestResult
) -> None:
    page.state, page.resolved_at = PageState.RESOLVED.value, work.now
    page.next_escalation_at = page.deferred_until = None
    result.resolved.append(page.id)
    work.emit(
        "page.resolved",
        "page",
        page.id,
        _summary_payload(page, service.name),
        incident_id=page.incident_id,
    )


def _after_create(
    work: UnitOfWork,
    service: Service,
    page: Page,
    result: IngestResult,
    roster: RosterCache,
    sink: list[dict[str, Any]] | None = None,
) -> None:
    """A page was just inserted: announce it, then hold it for support hours or page."""
    result.created.append(page.id)
    payload = {**_summary_payload(page, service.name), "runbook": page.runbook_id is not None}
    work.emit("page.triggered", "page", page.id, payload)
    rules = roster.support_hours(work.session, service.support_hours_id)
    if page.urgency == "low" and rules is not None and not rules.contains(work.now):
        page.state = PageState.DEFERRED.value
        page.deferred_until = rules.next_start(work.now)
        result.deferred.append(page.id)
        work.emit(
            "page.deferred",
            "page",
            page.id,
            {**payload, "until": page.deferred_until.isoformat() if page.deferred_until else None},
        )
        return
    _start_level(work, page, 0, NotificationReason.INITIAL.value, roster, sink)


def _open_page(session: Session, service_id: int, key: str) -> Page | None:
    return session.scalar(
        select(Page).where(
            Page.service_id == service_id, Page.dedup_key == key, Page.state != PageState.RESOLVED
        )
    )


def _ingest_one(
    work: UnitOfWork,
    service: Service,
    alert: AlertIn,
    result: IngestResult,
    roster: RosterCache,
    catalog: RunbookCatalog,
) -> None:
    """One alert on its own, absorbing a duplicate a concurrent delivery inserted first."""
    session = work.session
    page = _open_page(session, service.id, alert.dedup_key)
    if alert.status != FIRING:
        if page is not None:
            _resolve_from_alert(work, page, service, result)
        return
    if page is not None:
        page.occurrences += 1
        page.last_seen_at = work.now
        result.repeated.append(page.id)
        return
    page = _new_page(work, service, alert, catalog)
    try:
        with session.begin_nested():
            session.add(page)
            session.flush()
    except sqlalchemy.exc.IntegrityError:
        existing = _open_page(session, service.id, alert.dedup_key)
        if existing is None:
            raise
        existing.occurrences += 1
        existing.last_seen_at = work.now
        result.repeated.append(existing.id)
        return
    _after_create(work, service, page, result, roster)


def create_page(
    context: ServiceContext,
    *,
    service: str,
    summary: str,
    urgency: str | None = None,
    dedup_key: str | None = None,
    details: str = "",
) -> IngestResult:
    """A page by hand (the CLI, scripts): the same path as an alert."""
    from warroom.domain.alerts import fingerprint

    if not summary.strip():
        raise ValidationError("a page needs a summary")
    if urgency is not None and urgency not in ("high", "low"):
        raise ValidationError("urgency is high or low")
    key = dedup_key or f"manual-{fingerprint({'summary': summary, 'service': service})}"
    alert = AlertIn(
        "manual",
        key,
        FIRING,
        summary.strip()[:1000],
        details=details,
        service=service,
        urgency=urgency,
    )
    return ingest(context, [alert])


# ----------------------------------------------------------------------------- people act


def _person(session: Session, handle: str) -> Person:
    person = session.scalar(select(Person).where(Person.handle == handle, Person.active))
    if person is None:
        raise NotFoundError(
            f"there is no active person '{handle}' (check `warroom config set --user`)"
        )
    return person


def _page(session: Session, page_id: int) -> Page:
    page = session.get(Page, page_id)
    if page is None:
        raise NotFoundError(f"there is no page #{page_id}")
    return page


def acknowledge(context: ServiceContext, page_id: int, handle: str | None = None) -> bool:
    """Stop escalation. Returns False if it was already acknowledged (by anyone)."""
    with unit_of_work(context) as work:
        who = _person(work.session, handle or work.actor)
        page = _page(work.session, page_id)
        if page.state == PageState.RESOLVED.value:
            raise ConflictError(f"page #{page_id} is already resolved")
        claimed = _claimed(
            work.session,
            update(Page)
            .where(
                Page.id == page_id,
                Page.state.in_([PageState.TRIGGERED.value, PageState.DEFERRED.value]),
            )
            .values(
                state=PageState.ACKNOWLEDGED.value,
                acknowledged_at=work.now,
                acknowledged_by_id=who.id,
                next_escalation_at=None,
                deferred_until=None,
                version=Page.version + 1,
            ),
        )
        if not claimed:
            return False
        work.session.execute(
            update(Notification)
            .where(
                Notification.page_id == page_id,
                Notification.person_id == who.id,
                Notification.acted_at.is_(None),
            )
            .values(acted_at=work.now)
        )
        work.emit(
            "page.acknowledged",
            "page",
            page_id,
            {"page_id": page_id, "summary": page.summary[:200], "handle": who.handle},
            incident_id=page.incident_id,
        )
        return True


def resolve(context: ServiceContext, page_id: int, handle: str | None = None) -> bool:
    with unit_of_work(context) as work:
        who = _person(work.session, handle or work.actor)
        page = _page(work.session, page_id)
        claimed = _claimed(
            work.session,
            update(Page)
            .where(Page.id == page_id, Page.state != PageState.RESOLVED.value)
            .values(
                state=PageState.RESOLVED.value,
                resolved_at=work.now,
                resolved_by_id=who.id,
                next_escalation_at=None,
                deferred_until=None,
                version=Page.version + 1,
            ),
        )
        if claimed:
            work.emit(
                "page.resolved",
                "page",
                page_id,
                {"page_id": page_id, "summary": page.summary[:200], "handle": who.handle},
                incident_id=page.incident_id,
            )
        return bool(claimed)


def escalate(
    context: ServiceContext,
    page_id: int,
    *,
    to_expertise: str | None = None,
    handle: str | None = None,
) -> list[str]:
    """Escalate by hand: to the next level now, or to the subject matter expert for a tag."""
    with unit_of_work(context) as work:
        page = _page(work.session, page_id)
        if page.state == PageState.RESOLVED.value:
            raise ConflictError(f"page #{page_id} is already resolved")
        if to_expertise:
            roster = RosterCache(work.session)
            experts = roster.experts_for(to_expertise.strip().lower(), work.now)
            if not experts:
                raise NotFoundError(f"nobody has the expertise '{to_expertise}'")
            page.escalation_level += 1
            page.state = PageState.TRIGGERED.value
            told = _notify(work, page, experts[:1], NotificationReason.MANUAL_ESCALATION.value)
        else:
            roster = RosterCache(work.session)
            levels = roster.levels.get(page.escalation_policy_id or -1, [])
            if page.escalation_level + 1 >= len(levels):
                raise ConflictError(f"page #{page_id} is already at the last escalation level")
            page.state = PageState.TRIGGERED.value
            told = _start_level(
                work,
                page,
                page.escalation_level + 1,
                NotificationReason.MANUAL_ESCALATION.value,
                roster,
            )
        work.emit(
            "page.escalated",
            "page",
            page_id,
            {
                "page_id": page_id,
                "summary": page.summary[:200],
                "level": page.escalation_level + 1,
                "by_hand": True,
                "handles": told,
                "by": handle or work.actor,
                "expertise": to_expertise,
            },
            incident_id=page.incident_id,
        )
        return told


# ----------------------------------------------------------------------------- the sweep


@dataclass
class SweepResult:
    escalated: int = 0
    released: int = 0
    reopened: int = 0
    next_due: datetime | None = None


def sweep(context: ServiceContext, limit: int = 500) -> SweepResult:
    """Do every escalation step that is due, each claimed in its own transaction."""
    result = SweepResult()
    now = context.clock.now()
    with reading(context) as session:
        roster = RosterCache(session)
        due = session.execute(
            select(Page.id, Page.escalation_level, Page.escalation_round, Page.escalation_policy_id)
            .where(
                Page.state == PageState.TRIGGERED.value,
                Page.next_escalation_at <= now,
            )
            .order_by(Page.next_escalation_at)
            .limit(limit)
        ).all()
        held = session.scalars(
            select(Page.id)
            .where(
                Page.state == PageState.DEFERRED.value,
                Page.deferred_until <= now,
            )
            .limit(limit)
        ).all()
        timed_out = session.execute(
            select(Page.id, EscalationPolicy.ack_timeout_minutes, Page.acknowledged_at)
            .join(EscalationPolicy, EscalationPolicy.id == Page.escalation_policy_id)
            .where(
                Page.state == PageState.ACKNOWLEDGED.value,
                EscalationPolicy.ack_timeout_minutes.is_not(None),
            )
            .limit(limit)
        ).all()
    for start in range(0, len(due), 250):
        result.escalated += _escalation_chunk(context, due[start : start + 250], roster)
    for page_id in held:
        result.released += _release(context, page_id, roster)
    for page_id, minutes, acknowledged_at in timed_out:
        if minutes and acknowledged_at and acknowledged_at + timedelta(minutes=minutes) <= now:
            result.reopened += _reopen(context, page_id, acknowledged_at, roster)
    result.next_due = next_due(context)
    return result


def _escalation_chunk(context: ServiceContext, due: Sequence[Any], roster: RosterCache) -> int:
    """Escalate many due pages in one transaction, each step still claimed on its own row.

    One UPDATE claims the chunk: a page is only taken at the level and round it was seen at,
    while triggered and due, so a competing engine (or an acknowledgement) that committed
    first makes that row drop out of what comes back.
    """
    with unit_of_work(context) as work:
        now = work.now
        plan: dict[int, tuple[int, int, int, int, datetime | None]] = {}
        for page_id, level, round_, policy_id in due:
            levels = roster.levels.get(policy_id or -1, [])
            repeats = roster.repeats.get(policy_id or -1, 0)
            if level + 1 < len(levels):
                new_level, new_round = level + 1, round_
            elif round_ < repeats and levels:
                new_level, new_round = 0, round_ + 1
            else:
                new_level, new_round = level, round_  # the end of the ladder
            exhausted = (new_level, new_round) == (level, round_)
            next_at = (
                None if exhausted else now + timedelta(minutes=levels[new_level].delay_minutes)
            )
            plan[page_id] = (level, round_, new_level, new_round, next_at)
        if not plan:
            return 0
        claimed_rows = work.session.execute(
            update(Page)
            .where(
                tuple_(Page.id, Page.escalation_level, Page.escalation_round).in_(
                    [(pid, p[0], p[1]) for pid, p in plan.items()]
                ),
                Page.state == PageState.TRIGGERED.value,
                Page.next_escalation_at <= now,
            )
            .values(
                escalation_level=case({pid: p[2] for pid, p in plan.items()}, value=Page.id),
                escalation_round=case({pid: p[3] for pid, p in plan.items()}, value=Page.id),
                next_escalation_at=case(
                    {pid: p[4] for pid, p in plan.items()}, value=Page.id, else_=None
                ),
                version=Page.version + 1,
            )
            .returning(
                Page.id, Page.summary, Page.incident_id, Page.urgency, Page.escalation_policy_id
            )
            .execution_options(synchronize_session=False)
        ).all()
        notifications: list[dict[str, Any]] = []
        for page_id, summary, incident_id, urgency, policy_id in claimed_rows:
            level, round_, new_level, new_round, _next = plan[page_id]
            if (new_level, new_round) == (level, round_):
                work.emit(
                    "page.escalation_exhausted",
                    "page",
                    page_id,
                    {"page_id": page_id, "summary": summary[:200]},
                    incident_id=incident_id,
                )
                continue
            reason = (
                NotificationReason.REPEAT if new_round != round_ else NotificationReason.ESCALATION
            ).value
            targets = roster.level_targets(roster.levels[policy_id or -1][new_level], now)
            notifications.extend(
                {
                    "page_id": page_id,
                    "person_id": t.id,
                    "escalation_round": new_round,
                    "escalation_level": new_level,
                    "reason": reason,
                    "created_at": now,
                }
                for t in targets
            )
            handles = [t.handle for t in targets]
            if handles:
                work.emit(
                    "page.notified",
                    "page",
                    page_id,
                    {
                        "page_id": page_id,
                        "summary": summary[:200],
                        "handles": handles,
                        "level": new_level + 1,
                        "round": new_round,
                        "urgency": urgency,
                        "reason": reason,
                    },
                    incident_id=incident_id,
                )
            work.emit(
                "page.escalated",
                "page",
                page_id,
                {
                    "page_id": page_id,
                    "summary": summary[:200],
                    "level": new_level + 1,
                    "round": new_round,
                    "handles": handles,
                    "by_hand": False,
                },
                incident_id=incident_id,
            )
        if notifications:
            work.session.execute(_insert_ignoring_duplicates(work.session), notifications)
        return len(claimed_rows)


def _insert_ignoring_duplicates(session: Session) -> Any:
    """INSERT for notifications that skips a (page, round, level, person) already told."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(Notification).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(Notification).on_conflict_do_nothing()


def _release(context: ServiceContext, page_id: int, roster: RosterCache) -> int:
    with unit_of_work(context) as work:
        claimed = _claimed(
            work.session,
            update(Page)
            .where(
                Page.id == page_id,
                Page.state == PageState.DEFERRED.value,
                Page.deferred_until <= work.now,
            )
            .values(state=PageState.TRIGGERED.value, deferred_until=None, version=Page.version + 1),
        )
        if not claimed:
            return 0
        page = _page(work.session, page_id)
        work.session.refresh(page)
        work.emit(
            "page.released", "page", page_id, {"page_id": page_id, "summary": page.summary[:200]}
        )
        _start_level(work, page, 0, NotificationReason.RELEASED.value, roster)
        return 1


def _reopen(context: ServiceContext, page_id: int, seen_ack: datetime, roster: RosterCache) -> int:
    with unit_of_work(context) as work:
        claimed = _claimed(
            work.session,
            update(Page)
            .where(
                Page.id == page_id,
                Page.state == PageState.ACKNOWLEDGED.value,
                Page.acknowledged_at == seen_ack,
            )
            .values(
                state=PageState.TRIGGERED.value,
                acknowledged_at=None,
                acknowledged_by_id=None,
                escalation_round=Page.escalation_round + 1,
                version=Page.version + 1,
            ),
        )
        if not claimed:
            return 0
        page = _page(work.session, page_id)
        work.session.refresh(page)
        work.emit(
            "page.reopened",
            "page",
            page_id,
            {
                "page_id": page_id,
                "summary": page.summary[:200],
                "why": "acknowledged but not resolved in time",
            },
            incident_id=page.incident_id,
        )
        _start_level(work, page, 0, NotificationReason.REPEAT.value, roster)
        return 1


def next_due(context: ServiceContext) -> datetime | None:
    """When the next step falls due: what a local alarm clock should be set to."""
    with reading(context) as session:
        escalation = session.scalar(
            select(func.min(Page.next_escalation_at)).where(Page.state == PageState.TRIGGERED.value)
        )
        release = session.scalar(
            select(func.min(Page.deferred_until)).where(Page.state == PageState.DEFERRED.value)
        )
    candidates = [t for t in (escalation, release) if t is not None]
    return min(candidates) if candidates else None


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class PageLine:
    id: int
    state: str
    urgency: str
    service: str
    summary: str
    triggered_at: datetime
    level: int
    occurrences: int
    runbook: bool
    deferred_until: datetime | None


def list_pages(
    context: ServiceContext, state: str | None = None, limit: int = 200
) -> list[PageLine]:
    if state is not None and state not in {s.value for s in PageState}:
        raise ValidationError("state is one of " + ", ".join(s.value for s in PageState))
    with reading(context) as session:
        query = (
            select(Page, Service.slug)
            .join(Service, Service.id == Page.service_id)
            .order_by(Page.triggered_at.desc(), Page.id.desc())
            .limit(limit)
        )
        if state is not None:
            query = query.where(Page.state == state)
        return [
            PageLine(
                p.id,
                p.state,
                p.urgency,
                slug,
                p.summary,
                p.triggered_at,
                p.escalation_level + 1,
                p.occurrences,
                p.runbook_id is not None,
                p.deferred_until,
            )
            for p, slug in session.execute(query)
        ]


@dataclass(frozen=True)
class MyPage:
    id: int
    state: str
    urgency: str
    service: str
    summary: str
    runbook_slug: str | None
    escalated_past_me: bool


def my_open_pages(context: ServiceContext, handle: str) -> list[MyPage]:
    """Open pages this person was told about (what the tray menu lists)."""
    from warroom.store.models import Runbook

    with reading(context) as session:
        person = session.scalar(select(Person).where(Person.handle == handle))
        if person is None:
            return []
        rows = session.execute(
            select(Page, Service.name, Runbook.slug, func.max(Notification.escalation_level))
            .join(Notification, Notification.page_id == Page.id)
            .join(Service, Service.id == Page.service_id)
            .outerjoin(Runbook, Runbook.id == Page.runbook_id)
            .where(
                Notification.person_id == person.id,
                Page.state.in_([PageState.TRIGGERED.value, PageState.ACKNOWLEDGED.value]),
            )
            .group_by(Page.id, Service.name, Runbook.slug)
            .order_by(Page.triggered_at.desc())
        ).all()
        return [
            MyPage(
                page.id,
                page.state,
                page.urgency,
                service,
                page.summary,
                slug,
                page.state == PageState.TRIGGERED.value and page.escalation_level > level,
            )
            for page, service, slug, level in rows
        ]
