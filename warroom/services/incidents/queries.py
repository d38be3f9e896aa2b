"""Incidents as lists show them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from warroom.services.context import ServiceContext, reading
from warroom.store.models import Incident


@dataclass(frozen=True)
class IncidentRow:
    id: int
    title: str
    severity: str
    status: str


def open_incidents(context: ServiceContext) -> list[IncidentRow]:
    """Incidents not closed yet, newest first (runbook progress is kept per incident)."""
    with reading(context) as session:
        return [
            IncidentRow(i.id, i.title, i.severity, i.status)
            for i in session.scalars(
                select(Incident).where(Incident.status != "closed").order_by(Incident.id.desc())
            )
        ]
