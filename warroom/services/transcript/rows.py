"""What a reader of the transcript gets: plain rows, read with one query per call.

An incident may hold 100,000 entries; they are read as columns (not ORM objects), with the
speaker's and owner's handles joined in, so opening a long war room costs one round trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from warroom.domain.transcript import EntryRow as EntryRow  # what callers read
from warroom.store.models import Person, TranscriptEntry

_SPEAKER = aliased(Person, name="speaker")
_OWNER = aliased(Person, name="owner")
_E = TranscriptEntry


def entry_query() -> Select[*tuple[Any, ...]]:
    """The columns of :class:`EntryRow`, in order, with the handles joined in."""
    return (
        select(
            _E.id,
            _E.incident_id,
            _E.client_uuid,
            _E.kind,
            _E.body,
            _SPEAKER.handle,
            _E.author,
            _E.occurred_at,
            _E.recorded_at,
            _E.deleted,
            _E.version,
            _E.mark,
            _OWNER.handle,
            _E.done_at,
            _E.done_by,
            _E.edited_at,
        )
        .outerjoin(_SPEAKER, _SPEAKER.id == _E.speaker_id)
        .outerjoin(_OWNER, _OWNER.id == _E.owner_id)
    )


def rows_of(result: Iterable[Sequence[Any]]) -> list[EntryRow]:
    return [EntryRow(*row) for row in result]


def entries_of(session: Session, incident_id: int, newest: int | None = None) -> list[EntryRow]:
    """Every entry of an incident (deleted ones too), in time order; or only the ``newest``
    few, what a war room shows first while the rest loads."""
    query = entry_query().where(_E.incident_id == incident_id)
    if newest is None:
        return rows_of(session.execute(query.order_by(_E.occurred_at, _E.id)))
    latest = query.order_by(_E.occurred_at.desc(), _E.id.desc()).limit(newest)
    return rows_of(reversed(session.execute(latest).all()))


def entry_rows(session: Session, ids: Iterable[int]) -> list[EntryRow]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return rows_of(session.execute(entry_query().where(_E.id.in_(wanted)).order_by(_E.id)))
