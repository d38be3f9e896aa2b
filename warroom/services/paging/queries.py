"""Pages as the CLI and the desktop list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from warroom.domain.errors import ValidationError
from warroom.domain.vocabulary import PageState
from warroom.services.context import ServiceContext, reading
from warroom.store.models import Notification, Page, Person, Service


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
