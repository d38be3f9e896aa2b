"""Reminders that an incident drags on: background steps, exactly once across every engine.

What is due is derived from the incidents themselves (their last activity, when they were
mitigated or resolved, who holds which role) and the pace their severity asks for; a reminder
is given by inserting its (incident, kind, anchor) row, which only one engine can do. The
event it appends is what the commander's desktop turns into a notification.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from warroom.domain.actors import SystemActor
from warroom.domain.incidents import Reminder, reminders
from warroom.domain.vocabulary import IncidentRole, IncidentStatus
from warroom.services.context import ServiceContext, reading, unit_of_work
from warroom.services.incidents.common import incident_payload, pace
from warroom.services.incidents.queries import policies
from warroom.store.bulk import dialect_insert
from warroom.store.models import Incident, IncidentReminder, Person, RoleAssignment

_REMINDERS = cast(Table, IncidentReminder.__table__)


@dataclass
class ReminderSweep:
    given: list[tuple[int, str]] = field(default_factory=list)  # (incident, kind)
    next_due: datetime | None = None


def _pending(
    session: Session, now: datetime
) -> tuple[dict[int, Incident], list[tuple[int, Reminder]], datetime | None]:
    """Open incidents, the reminders due now and not given yet, and when the next falls due."""
    incidents = {
        i.id: i
        for i in session.scalars(
            select(Incident).where(Incident.status != IncidentStatus.CLOSED.value)
        )
    }
    if not incidents:
        return {}, [], None
    held: dict[int, set[str]] = {}
    for incident_id, role in session.execute(
        select(RoleAssignment.incident_id, RoleAssignment.role).where(
            RoleAssignment.incident_id.in_(list(incidents)), RoleAssignment.released_at.is_(None)
        )
    ):
        held.setdefault(incident_id, set()).add(role)
    given = set(
        session.execute(
            select(
                IncidentReminder.incident_id, IncidentReminder.kind, IncidentReminder.anchor_at
            ).where(IncidentReminder.incident_id.in_(list(incidents)))
        ).all()
    )
    pace_of = policies(session)
    due: list[tuple[int, Reminder]] = []
    upcoming: list[datetime] = []
    for incident in incidents.values():
        state = pace(incident, frozenset(held.get(incident.id, ())))
        for reminder in reminders(state, pace_of[incident.severity], now):
            if (incident.id, reminder.kind, reminder.anchor) in given:
                continue
            if reminder.due <= now:
                due.append((incident.id, reminder))
            else:
                upcoming.append(reminder.due)
    return incidents, due, min(upcoming, default=None)


def sweep(context: ServiceContext) -> ReminderSweep:
    """Give every reminder that is due, each once, as the system (not whoever runs this)."""
    result = ReminderSweep()
    now = context.clock.now()
    with reading(context) as session:
        _, due, result.next_due = _pending(session, now)
    if not due:
        return result
    with unit_of_work(context, system=SystemActor.REMINDERS) as work:
        session = work.session
        commanders = dict(
            session.execute(
                select(RoleAssignment.incident_id, Person.handle)
                .join(Person, Person.id == RoleAssignment.person_id)
                .where(
                    RoleAssignment.incident_id.in_({i for i, _ in due}),
                    RoleAssignment.role == IncidentRole.INCIDENT_COMMANDER.value,
                    RoleAssignment.released_at.is_(None),
                )
            ).all()
        )
        for incident_id, reminder in due:
            recipient = commanders.get(incident_id)
            inserted = session.execute(
                dialect_insert(session, _REMINDERS)
                .values(
                    incident_id=incident_id,
                    kind=reminder.kind,
                    anchor_at=reminder.anchor,
                    given_at=work.now,
                    recipient=recipient,
                )
                .on_conflict_do_nothing()
                .returning(_REMINDERS.c.id)
            ).first()
            if inserted is None:
                continue  # another engine gave it first
            incident = session.get(Incident, incident_id)
            assert incident is not None
            result.given.append((incident_id, reminder.kind))
            work.emit(
                "incident.reminder",
                "incident",
                incident_id,
                {
                    **incident_payload(incident),
                    "kind": reminder.kind,
                    "text": reminder.text,
                    "handle": recipient,
                },
                incident_id=incident_id,
            )
    return result


def next_due(context: ServiceContext) -> datetime | None:
    """When the next reminder falls due: what a local alarm clock should be set to."""
    with reading(context) as session:
        return _pending(session, context.clock.now())[2]
