"""An entry added from a script (``warroom incident note``): recorded like the editor's, and
told back with its place on the incident's clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from warroom.domain.errors import NotFoundError
from warroom.domain.incidents import incident_ref
from warroom.domain.transcript import t_plus
from warroom.services.context import ServiceContext, reading
from warroom.services.transcript.entries import NewEntry, record
from warroom.services.transcript.rows import EntryRow
from warroom.store.models import Incident


@dataclass(frozen=True)
class Noted:
    entry: EntryRow
    ref: str
    t_plus: str  # T+ of the entry's time on the incident's clock


def note(
    context: ServiceContext,
    incident_id: int,
    body: str,
    *,
    kind: str = "note",
    speaker: str | None = None,
    owner: str | None = None,
    at: datetime | None = None,
    mark: str | None = None,
) -> Noted:
    """Record an entry with a fresh client UUID (a script has no journal to replay), at
    ``at`` or now."""
    with reading(context) as session:
        declared = session.scalar(select(Incident.declared_at).where(Incident.id == incident_id))
    if declared is None:
        raise NotFoundError(f"There is no incident {incident_ref(incident_id)}.")
    row = record(
        context,
        NewEntry(
            incident_id,
            str(uuid.uuid4()),
            body,
            at if at is not None else context.clock.now(),
            kind,
            speaker,
            owner,
            mark,
        ),
    )
    return Noted(row, incident_ref(incident_id), t_plus(row.occurred_at, declared))
