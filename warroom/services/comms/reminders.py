"""Reminders that a stakeholder update is due, and snoozing them.

A background step, exactly once across every engine (each desktop and ``warroom serve``), as
the drag-on reminders are: the reminder is an ``incident_reminders`` row keyed by (incident,
``update:AUDIENCE``, the instant it fell due), which only one engine can insert. It goes to the
Communication Coordinator, or to the Incident Commander while nobody holds that role; the
event it appends is what their desktop turns into a notification with "Write update".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from warroom.domain.actors import SystemActor
from warroom.domain.comms import AUDIENCE_TITLE, SNOOZE_MINUTES, UpdateDue, parse_audience
from warroom.domain.errors import ValidationError
from warroom.domain.incidents import incident_ref
from warroom.domain.vocabulary import IncidentRole, IncidentStatus
from warroom.services.comms.cadence import dues_of
from warroom.services.context import ServiceContext, reading, unit_of_work
from warroom.services.identity import acting_person
from warroom.services.incidents.common import incident_payload, load_incident
from warroom.services.incidents.queries import policies
from warroom.store.bulk import dialect_insert
from warroom.store.models import Incident, IncidentReminder, Person, RoleAssignment, UpdateSnooze

_REMINDERS = cast(Table, IncidentReminder.__table__)
KIND_PREFIX = "update:"


def reminder_kind(audience: str) -> str:
    return f"{KIND_PREFIX}{audience}"


@dataclass
class UpdateReminderSweep:
    given: list[tuple[int, str]] = field(default_factory=list)  # (incident, audience)
    next_due: datetime | None = None


def _pending(
    session: Session, now: datetime
) -> tuple[list[tuple[Incident, UpdateDue]], datetime | None]:
    """The updates due now whose reminder was not given yet, and when the next falls due."""
    incidents = list(
        session.scalars(
            select(Incident).where(
                Incident.status.in_(
                    [
                        IncidentStatus.INVESTIGATING.value,
                        IncidentStatus.IDENTIFIED.value,
                        IncidentStatus.MITIGATED.value,
                    ]
                )
            )
        )
    )
    if not incidents:
        return [], None
    cadence = {severity: p.update_minutes for severity, p in policies(session).items()}
    dues = dues_of(session, incidents, cadence)
    given = set(
        session.execute(
            select(
                IncidentReminder.incident_id, IncidentReminder.kind, IncidentReminder.anchor_at
            ).where(
                IncidentReminder.incident_id.in_([i.id for i in incidents]),
                IncidentReminder.kind.startswith(KIND_PREFIX),
            )
        ).all()
    )
    due_now: list[tuple[Incident, UpdateDue]] = []
    upcoming: list[datetime] = []
    for incident in incidents:
        for due in dues.get(incident.id, []):
            if (incident.id, reminder_kind(due.audience), due.due) in given:
                continue
            if due.due <= now:
                due_now.append((incident, due))
            else:
                upcoming.append(due.due)
    return due_now, min(upcoming, default=None)


def _recipients(session: Session, incident_ids: set[int]) -> dict[int, str]:
    """Who is told, per incident: the Communication Coordinator, else the commander."""
    held: dict[int, dict[str, str]] = {}
    for incident_id, role, handle in session.execute(
        select(RoleAssignment.incident_id, RoleAssignment.role, Person.handle)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(
            RoleAssignment.incident_id.in_(incident_ids),
            RoleAssignment.released_at.is_(None),
            RoleAssignment.role.in_(
                [
                    IncidentRole.COMMUNICATION_COORDINATOR.value,
                    IncidentRole.INCIDENT_COMMANDER.value,
                ]
            ),
        )
    ):
        held.setdefault(incident_id, {})[role] = handle
    return {
        incident_id: roles.get(IncidentRole.COMMUNICATION_COORDINATOR.value)
        or roles[IncidentRole.INCIDENT_COMMANDER.value]
        for incident_id, roles in held.items()
        if roles.get(IncidentRole.COMMUNICATION_COORDINATOR.value)
        or roles.get(IncidentRole.INCIDENT_COMMANDER.value)
    }


def sweep(context: ServiceContext) -> UpdateReminderSweep:
    """Remind of every update that is due, each once, as the system."""
    result = UpdateReminderSweep()
    now = context.clock.now()
    with reading(context) as session:
        due, result.next_due = _pending(session, now)
    if not due:
        return result
    with unit_of_work(context, system=SystemActor.REMINDERS) as work:
        session = work.session
        recipients = _recipients(session, {incident.id for incident, _ in due})
        for incident, update in due:
            recipient = recipients.get(incident.id)
            inserted = session.execute(
                dialect_insert(session, _REMINDERS)
                .values(
                    incident_id=incident.id,
                    kind=reminder_kind(update.audience),
                    anchor_at=update.due,
                    given_at=work.now,
                    recipient=recipient,
                )
                .on_conflict_do_nothing()
                .returning(_REMINDERS.c.id)
            ).first()
            if inserted is None:
                continue  # another engine gave it first
            result.given.append((incident.id, update.audience))
            work.emit(
                "status_update.due",
                "incident",
                incident.id,
                {
                    **incident_payload(incident),
                    "audience": update.audience,
                    "due_at": update.due.isoformat(),
                    "last_at": update.anchor.isoformat(),
                    "handle": recipient,
                },
                incident_id=incident.id,
            )
    return result


def next_due(context: ServiceContext) -> datetime | None:
    """When the next update reminder falls due: what a local alarm should be set to."""
    with reading(context) as session:
        return _pending(session, context.clock.now())[1]


def snooze(context: ServiceContext, incident_id: int, audience: str, minutes: int) -> datetime:
    """Put the audience's reminder off for 15, 30 or 60 minutes; returns when it comes back.
    Posting an update to the audience ends the snooze (the clock starts again from it)."""
    who = parse_audience(audience).value
    if minutes not in SNOOZE_MINUTES:
        raise ValidationError(
            f"A reminder is snoozed for {', '.join(map(str, SNOOZE_MINUTES))} minutes, "
            f"not {minutes}."
        )
    with unit_of_work(context) as work:
        me = acting_person(work, context)
        incident = load_incident(work.session, incident_id)
        if incident.status not in (
            IncidentStatus.INVESTIGATING.value,
            IncidentStatus.IDENTIFIED.value,
            IncidentStatus.MITIGATED.value,
        ):
            raise ValidationError(
                f"{incident_ref(incident.id)} is {incident.status}: no update is due to snooze."
            )
        until = work.now + timedelta(minutes=minutes)
        work.session.add(
            UpdateSnooze(
                incident_id=incident.id,
                audience=who,
                until=until,
                snoozed_by=me.handle,
                snoozed_at=work.now,
            )
        )
        work.emit(
            "status_update.snoozed",
            "incident",
            incident.id,
            {
                **incident_payload(incident),
                "audience": who,
                "audience_title": AUDIENCE_TITLE[who],
                "minutes": minutes,
                "until": until.isoformat(),
                "handle": me.handle,
            },
            incident_id=incident.id,
        )
        return until
