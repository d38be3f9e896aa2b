"""Pages as the CLI and the desktop list them, and one page in full for the workspace."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, literal, select

from warroom.domain.errors import NotFoundError, ValidationError
from warroom.domain.events import FeedEvent
from warroom.domain.vocabulary import PageState
from warroom.services.context import ServiceContext, reading
from warroom.store.feed import events_of
from warroom.store.models import (
    EscalationLevel,
    EscalationPolicy,
    Notification,
    Page,
    Person,
    Runbook,
    Service,
)


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
    #: Why the page did not route or classify as configured ("unrouted: no service 'x'",
    #: "support hours could not be evaluated (...); paged now"), None when it did.
    note: str | None = None


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
                p.routing_note,
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


# ----------------------------------------------------------------------------- the workspace


@dataclass(frozen=True)
class PageRow:
    """A page as the desktop's list shows it."""

    id: int
    state: str
    urgency: str
    service: str
    summary: str
    triggered_at: datetime
    runbook_slug: str | None = None
    runbook_title: str | None = None
    incident_id: int | None = None
    occurrences: int = 1
    level: int = 1
    service_slug: str = ""
    mine: bool = False  # the viewer was told about it
    #: Why the page did not route or classify as configured (``Page.routing_note``).
    note: str | None = None


def recent_pages(
    context: ServiceContext, viewer: str | None = None, limit: int = 500
) -> list[PageRow]:
    """The most recent pages, newest first; ``mine`` marks those ``viewer`` was told about."""
    with reading(context) as session:
        told_me: Any = literal(False)
        if viewer:
            told_me = exists().where(
                Notification.page_id == Page.id,
                Notification.person_id == Person.id,
                Person.handle == viewer,
            )
        rows = session.execute(
            select(
                Page,
                Service.name,
                Service.slug,
                Runbook.slug,
                Runbook.title,
                told_me.label("mine"),
            )
            .join(Service, Service.id == Page.service_id)
            .outerjoin(Runbook, Runbook.id == Page.runbook_id)
            .order_by(Page.triggered_at.desc(), Page.id.desc())
            .limit(limit)
        ).all()
        return [
            PageRow(
                page.id,
                page.state,
                page.urgency,
                service,
                page.summary,
                page.triggered_at,
                runbook_slug,
                runbook_title,
                page.incident_id,
                page.occurrences,
                page.escalation_level + 1,
                service_slug,
                bool(mine),
                page.routing_note,
            )
            for page, service, service_slug, runbook_slug, runbook_title, mine in rows
        ]


@dataclass(frozen=True)
class Told:
    """That a person was told about a page: when, at which step, why, and whether they acted."""

    handle: str
    name: str
    at: datetime
    reason: str
    level: int  # 1-based
    round: int
    acted_at: datetime | None


@dataclass(frozen=True)
class PageDetail:
    """Everything the workspace shows of one page."""

    row: PageRow
    details: str
    source: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    runbook_url: str | None
    policy: str | None
    levels: int  # how many levels its escalation policy has
    round: int
    last_seen_at: datetime
    next_escalation_at: datetime | None
    deferred_until: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    told: tuple[Told, ...]
    events: tuple[FeedEvent, ...]


def page_detail(context: ServiceContext, page_id: int, viewer: str | None = None) -> PageDetail:
    with reading(context) as session:
        page = session.get(Page, page_id)
        if page is None:
            raise NotFoundError(f"there is no page #{page_id}")
        service = session.get(Service, page.service_id)
        runbook = session.get(Runbook, page.runbook_id) if page.runbook_id else None
        policy = (
            session.get(EscalationPolicy, page.escalation_policy_id)
            if page.escalation_policy_id
            else None
        )
        levels = (
            session.scalar(
                select(func.count())
                .select_from(EscalationLevel)
                .where(EscalationLevel.policy_id == policy.id)
            )
            if policy
            else 0
        )
        names = dict(
            session.execute(
                select(Person.id, Person.name).where(
                    Person.id.in_([i for i in (page.acknowledged_by_id, page.resolved_by_id) if i])
                )
            ).all()
        )
        told = [
            Told(
                handle,
                name,
                n.created_at,
                n.reason,
                n.escalation_level + 1,
                n.escalation_round,
                n.acted_at,
            )
            for n, handle, name in session.execute(
                select(Notification, Person.handle, Person.name)
                .join(Person, Person.id == Notification.person_id)
                .where(Notification.page_id == page_id)
                .order_by(Notification.created_at, Notification.id)
            )
        ]
        mine = bool(viewer) and any(t.handle == viewer for t in told)
        row = PageRow(
            page.id,
            page.state,
            page.urgency,
            service.name if service else "",
            page.summary,
            page.triggered_at,
            runbook.slug if runbook else None,
            runbook.title if runbook else None,
            page.incident_id,
            page.occurrences,
            page.escalation_level + 1,
            service.slug if service else "",
            mine,
            page.routing_note,
        )
        return PageDetail(
            row,
            page.details,
            page.source,
            dict(page.labels or {}),
            dict(page.annotations or {}),
            page.runbook_url,
            policy.name if policy else None,
            int(levels or 0),
            page.escalation_round,
            page.last_seen_at,
            page.next_escalation_at,
            page.deferred_until,
            page.acknowledged_at,
            names.get(page.acknowledged_by_id) if page.acknowledged_by_id else None,
            page.resolved_at,
            names.get(page.resolved_by_id) if page.resolved_by_id else None,
            tuple(told),
            tuple(events_of(session.connection(), "page", str(page_id))),
        )


@dataclass(frozen=True)
class Routing:
    """What alerts can be routed to: every service, and the catch-all (if the roster has one)."""

    services: frozenset[str]
    catch_all: str | None


def routing(context: ServiceContext) -> Routing:
    """The services and the catch-all, for ``warroom serve`` to check before it listens."""
    with reading(context) as session:
        rows = session.execute(select(Service.slug, Service.catch_all)).all()
    return Routing(frozenset(slug for slug, _ in rows), next((slug for slug, c in rows if c), None))
