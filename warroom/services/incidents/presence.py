"""Who has an incident's war room open: a heartbeat per desktop, gone after a minute without.

Heartbeats are not events (every open war room writes one every few seconds); joining and
leaving are, so the other desktops update at once rather than at their next look.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from warroom.services.context import ServiceContext, unit_of_work
from warroom.services.identity import acting_handle
from warroom.services.incidents.common import incident_payload, load_incident
from warroom.services.incidents.queries import PRESENCE_TIMEOUT
from warroom.store.models import Presence

#: How often an open war room says it is still open.
HEARTBEAT = timedelta(seconds=20)


def heartbeat(context: ServiceContext, incident_id: int, client_id: str) -> bool:
    """This desktop has the war room open; returns True when it just joined."""
    with unit_of_work(context) as work:
        session = work.session
        handle = acting_handle(context, session)
        seen = session.execute(
            update(Presence)
            .where(Presence.incident_id == incident_id, Presence.client_id == client_id)
            .values(seen_at=work.now, handle=handle)
            .execution_options(synchronize_session=False)
        )
        if seen.rowcount:  # type: ignore[attr-defined]
            return False
        incident = load_incident(session, incident_id)
        already_here = session.scalar(
            select(Presence.id).where(
                Presence.incident_id == incident_id,
                Presence.handle == handle,
                Presence.seen_at >= work.now - PRESENCE_TIMEOUT,
            )
        )
        session.add(
            Presence(incident_id=incident_id, handle=handle, client_id=client_id, seen_at=work.now)
        )
        if already_here is None:
            work.emit(
                "incident.presence_joined",
                "incident",
                incident_id,
                {**incident_payload(incident), "handle": handle},
                incident_id=incident_id,
            )
        return True


def leave(context: ServiceContext, incident_id: int, client_id: str) -> None:
    """This desktop closed the war room (a crashed one simply stops beating)."""
    with unit_of_work(context) as work:
        session = work.session
        handle = acting_handle(context, session)
        gone = session.execute(
            delete(Presence).where(
                Presence.incident_id == incident_id, Presence.client_id == client_id
            )
        )
        still_here = session.scalar(
            select(Presence.id).where(
                Presence.incident_id == incident_id,
                Presence.handle == handle,
                Presence.seen_at >= work.now - PRESENCE_TIMEOUT,
            )
        )
        if gone.rowcount and still_here is None:  # type: ignore[attr-defined]
            incident = load_incident(session, incident_id)
            work.emit(
                "incident.presence_left",
                "incident",
                incident_id,
                {**incident_payload(incident), "handle": handle},
                incident_id=incident_id,
            )
