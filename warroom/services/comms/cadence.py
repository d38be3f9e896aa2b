"""When each open incident's stakeholders are due to hear next, from what the database holds:
the last update to each audience and the snoozes since. Read by the incident list (its red
"overdue" marker), the composer and the reminder sweep alike, so all three agree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.domain.comms import UpdateDue, earliest, update_dues
from warroom.store.models import Incident, StatusUpdate, UpdateSnooze


def dues_of(
    session: Session, incidents: Sequence[Incident], cadence_of: Mapping[str, int | None]
) -> dict[int, list[UpdateDue]]:
    """Every audience on the cadence of each incident, with when it is due (none for an
    incident without a cadence, resolved or closed). ``cadence_of``: minutes per severity."""
    ids = [i.id for i in incidents]
    if not ids:
        return {}
    last: dict[int, dict[str, datetime]] = {}
    for incident_id, audience, at in session.execute(
        select(StatusUpdate.incident_id, StatusUpdate.audience, func.max(StatusUpdate.posted_at))
        .where(StatusUpdate.incident_id.in_(ids))
        .group_by(StatusUpdate.incident_id, StatusUpdate.audience)
    ):
        last.setdefault(incident_id, {})[audience] = at
    snoozes = session.execute(
        select(
            UpdateSnooze.incident_id,
            UpdateSnooze.audience,
            UpdateSnooze.until,
            UpdateSnooze.snoozed_at,
        ).where(UpdateSnooze.incident_id.in_(ids))
    ).all()
    found: dict[int, list[UpdateDue]] = {}
    for incident in incidents:
        told = last.get(incident.id, {})
        snoozed: dict[str, datetime] = {}
        for incident_id, audience, until, at in snoozes:
            if incident_id != incident.id or at < told.get(audience, incident.declared_at):
                continue  # an update since: the clock was reset
            snoozed[audience] = max(until, snoozed.get(audience, until))
        found[incident.id] = update_dues(
            severity=incident.severity,
            status=incident.status,
            declared_at=incident.declared_at,
            cadence_minutes=cadence_of.get(incident.severity),
            last_told=told,
            snoozed_until=snoozed,
        )
    return found


def earliest_dues(
    session: Session, incidents: Sequence[Incident], cadence_of: Mapping[str, int | None]
) -> dict[int, UpdateDue]:
    """Each incident's next update due (the audience due first), where one is."""
    return {
        incident_id: due
        for incident_id, dues in dues_of(session, incidents, cadence_of).items()
        if (due := earliest(dues)) is not None
    }
