"""Pages as the desktop lists them: recent first, with their service and runbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from warroom.services.context import ServiceContext, reading
from warroom.store.models import Incident, Page, Runbook, Service


@dataclass(frozen=True)
class PageRow:
    id: int
    state: str
    urgency: str
    service: str
    summary: str
    triggered_at: datetime
    runbook_slug: str | None
    runbook_title: str | None
    incident_id: int | None
    occurrences: int
    #: Why the page did not route or classify as configured (see ``Page.routing_note``).
    note: str | None = None


@dataclass(frozen=True)
class IncidentRow:
    id: int
    title: str
    severity: str
    status: str


def recent_pages(context: ServiceContext, limit: int = 500) -> list[PageRow]:
    with reading(context) as session:
        rows = session.execute(
            select(Page, Service.name, Runbook.slug, Runbook.title)
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
                slug,
                title,
                page.incident_id,
                page.occurrences,
                page.routing_note,
            )
            for page, service, slug, title in rows
        ]


def open_incidents(context: ServiceContext) -> list[IncidentRow]:
    with reading(context) as session:
        return [
            IncidentRow(i.id, i.title, i.severity, i.status)
            for i in session.scalars(
                select(Incident).where(Incident.status != "closed").order_by(Incident.id.desc())
            )
        ]
