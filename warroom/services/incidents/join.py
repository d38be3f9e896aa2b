"""Paging someone into an incident: "Page to join" on the bench."""

from __future__ import annotations

from sqlalchemy import select

from warroom.domain.errors import ValidationError
from warroom.domain.incidents import incident_ref
from warroom.domain.vocabulary import IncidentStatus
from warroom.services.context import ServiceContext, reading
from warroom.services.incidents.common import load_incident
from warroom.services.paging.direct import page_person
from warroom.store.models import Service


def page_to_join(context: ServiceContext, incident_id: int, handle: str) -> int:
    """Page ``handle`` to join the incident's bridge; returns the page's number.

    The page belongs to the incident and its service (or, without one, the catch-all
    service), so it escalates along that service's policy if nobody acknowledges.
    """
    with reading(context) as session:
        incident = load_incident(session, incident_id)
        if incident.status == IncidentStatus.CLOSED.value:
            raise ValidationError(f"{incident_ref(incident_id)} is closed; nobody needs to join.")
        service_id = incident.service_id or _catch_all(session)
        ref, title, bridge = incident_ref(incident_id), incident.title, incident.bridge_url
    if service_id is None:
        raise ValidationError(
            f"{ref} has no service, and there is no catch-all service to page through; "
            "give the incident a service."
        )
    return page_person(
        context,
        handle=handle,
        service_id=service_id,
        summary=f"Join {ref}: {title}",
        dedup_key=f"join-{ref}-{handle}",
        incident_id=incident_id,
        details=f"You are asked to join the war room of {ref}."
        + (f" Bridge: {bridge}" if bridge else ""),
    )


def _catch_all(session: object) -> int | None:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    column = getattr(Service, "catch_all", None)
    if column is None:
        return None
    return session.scalar(select(Service.id).where(column.is_(True)))
