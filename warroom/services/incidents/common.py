"""What the incident use cases share: loading an incident, its current role holders, and the
small payload every incident event carries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.domain.errors import NotFoundError
from warroom.domain.incidents import IncidentPace, incident_ref
from warroom.domain.vocabulary import IncidentRole
from warroom.store.bulk import dialect_insert
from warroom.store.models import Incident, Participant, RoleAssignment


def load_incident(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFoundError(f"There is no incident {incident_ref(incident_id)}.")
    return incident


def pace(incident: Incident, roles_held: frozenset[str]) -> IncidentPace:
    """What the drag-on rules look at of an incident (``roles_held``: the roles held now)."""
    return IncidentPace(
        incident.severity,
        incident.status,
        incident.declared_at,
        incident.last_activity_at,
        incident.mitigated_at,
        incident.resolved_at,
        roles_held,
    )


def incident_payload(incident: Incident) -> dict[str, Any]:
    """What every incident event carries, so a notification or the Activity line needs no
    query: which incident, by its name, and how bad."""
    return {
        "incident_id": incident.id,
        "ref": incident_ref(incident.id),
        "title": incident.title[:200],
        "severity": incident.severity,
    }


def current_holder(session: Session, incident_id: int, role: IncidentRole) -> RoleAssignment | None:
    """The active assignment of a single-holder role, if anyone holds it."""
    return session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.incident_id == incident_id,
            RoleAssignment.role == role.value,
            RoleAssignment.released_at.is_(None),
        )
    )


def add_participant(session: Session, incident_id: int, person_id: int, at: datetime) -> None:
    """Count someone among the incident's people (once; the first time stays)."""
    session.execute(
        dialect_insert(session, Participant.__table__)  # type: ignore[arg-type]
        .values(incident_id=incident_id, person_id=person_id, joined_at=at)
        .on_conflict_do_nothing()
    )
