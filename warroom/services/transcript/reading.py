"""What the transcript panel loads when a war room opens: the incident's clock, every entry,
the rest of the timeline (status, roles, pages, updates, runbook ticks) and who may speak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.domain.events import FeedEvent
from warroom.domain.incidents import ROLE_TITLE, incident_ref
from warroom.domain.transcript import event_category
from warroom.services.context import ServiceContext, reading
from warroom.services.incidents.common import load_incident
from warroom.services.transcript.rows import EntryRow, entries_of, entry_rows
from warroom.store.feed import incident_events
from warroom.store.models import Page, Participant, Person, RoleAssignment


@dataclass(frozen=True)
class Speaker:
    handle: str
    name: str
    #: 0 holds a role on the board, 1 took part, 2 anyone else on the roster.
    rank: int
    role: str | None  # the title of the role held, for the completion list


@dataclass(frozen=True)
class TranscriptData:
    incident_id: int
    ref: str
    title: str
    declared_at: datetime
    entries: list[EntryRow]
    #: The timeline's other events (status, roles, pages, updates, runbooks), oldest first.
    events: list[FeedEvent]
    speakers: list[Speaker]
    #: Only the newest entries: the rest follows.
    partial: bool = False


def load(context: ServiceContext, incident_id: int, newest: int | None = None) -> TranscriptData:
    """The whole timeline; with ``newest``, only that many of the latest entries (``partial``
    says so), which a long incident's war room shows at once while the rest loads."""
    with reading(context) as session:
        incident = load_incident(session, incident_id)
        page_ids = list(session.scalars(select(Page.id).where(Page.incident_id == incident_id)))
        events = [
            e
            for e in incident_events(session.connection(), incident_id, page_ids)
            if event_category(e.topic) is not None
        ]
        speakers = _speakers(session, incident_id)
        return TranscriptData(
            incident.id,
            incident_ref(incident.id),
            incident.title,
            incident.declared_at,
            entries_of(session, incident_id, newest),
            events,
            speakers,
            newest is not None,
        )


def entries(context: ServiceContext, ids: list[int]) -> list[EntryRow]:
    """Entries by id: what a desktop fetches when the feed says they were written or changed."""
    with reading(context) as session:
        return entry_rows(session, ids)


def speakers(context: ServiceContext, incident_id: int) -> list[Speaker]:
    """Who may speak, in the order the editor offers them (after a role changed hands)."""
    with reading(context) as session:
        return _speakers(session, incident_id)


def _speakers(session: Session, incident_id: int) -> list[Speaker]:
    holders = {
        handle: ROLE_TITLE.get(role, role)
        for handle, role in session.execute(
            select(Person.handle, RoleAssignment.role)
            .join(Person, Person.id == RoleAssignment.person_id)
            .where(
                RoleAssignment.incident_id == incident_id,
                RoleAssignment.released_at.is_(None),
            )
            .order_by(RoleAssignment.assigned_at)
        )
    }
    took_part = set(
        session.scalars(
            select(Person.handle)
            .join(Participant, Participant.person_id == Person.id)
            .where(Participant.incident_id == incident_id)
        )
    )
    return sorted(
        (
            Speaker(
                handle,
                name,
                0 if handle in holders else 1 if handle in took_part else 2,
                holders.get(handle),
            )
            for handle, name in session.execute(
                select(Person.handle, Person.name).where(Person.active)
            )
        ),
        key=lambda s: (s.rank, s.name.casefold()),
    )
