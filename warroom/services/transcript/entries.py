"""Writing the transcript: recording an entry, editing it (each state kept as a revision),
deleting and restoring it, and ticking an action item off.

Recording is idempotent by the entry's client UUID: the scribe's journal may send the same
entry again after a crash or a lost connection, and the second time changes nothing. Each
call is one transaction and announces itself with a small event, so every desktop merges the
entry into its timeline at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from warroom.domain.errors import NotFoundError, ValidationError
from warroom.domain.incidents import incident_ref
from warroom.domain.transcript import (
    EditConflictError,
    check_body,
    check_occurred,
    clamp_occurred,
    entry_payload,
    excerpt,
    parse_kind,
)
from warroom.domain.vocabulary import ImpactMark, TranscriptKind
from warroom.services.context import ServiceContext, UnitOfWork
from warroom.services.identity import acting
from warroom.services.incidents.common import add_participant
from warroom.services.transcript.rows import EntryRow, entry_rows
from warroom.store.bulk import dialect_insert
from warroom.store.models import Incident, Person, TranscriptEntry, TranscriptRevision

#: "Leave as it is" for an edit's optional fields (None means "nobody").
KEEP = "\x00keep"


@dataclass(frozen=True)
class NewEntry:
    """An entry as the editor (or a script) hands it over."""

    incident_id: int
    client_uuid: str
    body: str
    occurred_at: datetime
    kind: str = TranscriptKind.NOTE.value
    speaker: str | None = None
    owner: str | None = None
    mark: str | None = None


def record(context: ServiceContext, entry: NewEntry, *, lenient: bool = False) -> EntryRow:
    """Record an entry as the acting person; recording the same client UUID again returns the
    entry already recorded and changes nothing.

    ``lenient`` is for the journal's replay: a speaker or owner that is not on the roster
    (any more) keeps its ``@handle`` in the words instead of refusing them, so a replay never
    loses a word over a name.
    """
    if entry.occurred_at.tzinfo is None:
        raise ValidationError("An entry's time needs a time zone (an ISO time with an offset).")
    kind = parse_kind(entry.kind)
    mark = ImpactMark(entry.mark) if entry.mark else None
    body = check_body(entry.body, mark)
    if not 8 <= len(entry.client_uuid) <= 36:
        raise ValidationError("An entry's client id must be 8 to 36 characters (a UUID).")
    with acting(context) as (work, me):
        session = work.session
        known = _recorded(session, entry.client_uuid)
        if known is not None:
            if known.incident_id != entry.incident_id:
                raise ValidationError(
                    f"The client id {entry.client_uuid} is already an entry of another "
                    "incident; each entry needs its own (a new UUID)."
                )
            return known
        incident_id, declared = _incident(session, entry.incident_id)
        occurred = (clamp_occurred if lenient else check_occurred)(
            entry.occurred_at, declared, work.now
        )
        speaker_id, body = _person(session, entry.speaker, body, lenient, "speaker")
        owner_id, body = _person(session, entry.owner, body, lenient, "owner")
        if kind is not TranscriptKind.ACTION:
            owner_id = None
        inserted = session.execute(
            dialect_insert(session, TranscriptEntry.__table__)  # type: ignore[arg-type]
            .values(
                incident_id=incident_id,
                client_uuid=entry.client_uuid,
                kind=kind.value,
                body=body,
                speaker_id=speaker_id,
                author=me.handle,
                occurred_at=occurred,
                recorded_at=work.now,
                deleted=False,
                version=1,
                mark=mark.value if mark else None,
                owner_id=owner_id,
            )
            .on_conflict_do_nothing(index_elements=["client_uuid"])
            .returning(TranscriptEntry.id)
        ).scalar()
        if inserted is None:  # another replay of the same entry committed a moment earlier
            known = _recorded(session, entry.client_uuid)
            assert known is not None
            return known
        _touch(session, incident_id, work.now)
        add_participant(session, incident_id, me.id, work.now)
        (row,) = entry_rows(session, [inserted])
        return _announce(work, "transcript.recorded", row, me)


def edit(
    context: ServiceContext,
    entry_id: int,
    version: int,
    *,
    body: str | None = None,
    kind: str | None = None,
    occurred_at: datetime | None = None,
    speaker: str | None = KEEP,
    owner: str | None = KEEP,
    mark: str | None = KEEP,
) -> EntryRow:
    """Change an entry that the caller read at ``version``.

    If someone else edited it since, nothing is written and :class:`EditConflictError`
    carries both texts. The state before the first edit and every state after are kept as
    revisions (words, kind, time, speaker, who and when), so a backdating keeps the original
    time.
    """
    with acting(context) as (work, me):
        session = work.session
        current = _locked(session, entry_id)
        if current.version != version:
            raise EditConflictError(
                entry_id,
                body if body is not None else current.body,
                current.body,
                _last_editor(session, current),
                current.version,
            )
        if occurred_at is not None and occurred_at.tzinfo is None:
            raise ValidationError("An entry's time needs a time zone.")
        if occurred_at is not None:  # checked before anything changes (a query flushes)
            _id, declared = _incident(session, current.incident_id)
            check_occurred(occurred_at, declared, work.now)
        if not _revisions_exist(session, entry_id):
            _keep_revision(session, current, current.author, current.recorded_at)
        new_mark = current.mark if mark == KEEP else (ImpactMark(mark).value if mark else None)
        if body is not None:
            current.body = check_body(body, ImpactMark(new_mark) if new_mark else None)
        if kind is not None:
            current.kind = parse_kind(kind).value
        if occurred_at is not None:
            current.occurred_at = occurred_at
        if speaker != KEEP:
            current.speaker_id, _ = _person(session, speaker, "", False, "speaker")
        if owner != KEEP:
            current.owner_id, _ = _person(session, owner, "", False, "owner")
        if current.kind != TranscriptKind.ACTION.value:
            current.owner_id = None
        current.mark = new_mark
        current.edited_at = work.now
        session.flush()  # the version moves on
        _keep_revision(session, current, me.handle, work.now)
        _touch(session, current.incident_id, work.now)
        (row,) = entry_rows(session, [current.id])
        return _announce(work, "transcript.edited", row, me)


def delete(context: ServiceContext, entry_id: int) -> EntryRow:
    """Delete an entry softly: it leaves the timeline and the report, and Undo brings it
    back (:func:`restore`)."""
    return _set_deleted(context, entry_id, True)


def restore(context: ServiceContext, entry_id: int) -> EntryRow:
    return _set_deleted(context, entry_id, False)


def set_done(context: ServiceContext, entry_id: int, done: bool = True) -> EntryRow:
    """Tick an action item off (or open it again)."""
    with acting(context) as (work, me):
        entry = _locked(work.session, entry_id)
        if entry.kind != TranscriptKind.ACTION.value:
            raise ValidationError("Only an action item can be done; this entry is not one.")
        entry.done_at = work.now if done else None
        entry.done_by = me.handle if done else None
        _touch(work.session, entry.incident_id, work.now)
        topic = "transcript.action_done" if done else "transcript.action_reopened"
        work.session.flush()
        (row,) = entry_rows(work.session, [entry.id])
        return _announce(work, topic, row, me)


@dataclass(frozen=True)
class RevisionRow:
    version: int
    kind: str
    body: str
    occurred_at: datetime | None
    speaker: str | None
    edited_by: str
    edited_at: datetime


def revisions(context: ServiceContext, entry_id: int) -> list[RevisionRow]:
    """Every state the entry had, oldest first (empty when it was never edited)."""
    from warroom.services.context import reading

    with reading(context) as session:
        query = (
            select(
                TranscriptRevision.version,
                TranscriptRevision.kind,
                TranscriptRevision.body,
                TranscriptRevision.occurred_at,
                Person.handle,
                TranscriptRevision.edited_by,
                TranscriptRevision.edited_at,
            )
            .outerjoin(Person, Person.id == TranscriptRevision.speaker_id)
            .where(TranscriptRevision.entry_id == entry_id)
            .order_by(TranscriptRevision.version)
        )
        return [RevisionRow(*row) for row in session.execute(query)]


# ----------------------------------------------------------------------------- helpers


def _recorded(session: Session, client_uuid: str) -> EntryRow | None:
    found = session.scalar(
        select(TranscriptEntry.id).where(TranscriptEntry.client_uuid == client_uuid)
    )
    return entry_rows(session, [found])[0] if found is not None else None


def _incident(session: Session, incident_id: int) -> tuple[int, datetime]:
    """The incident's id and when it was declared (the clock its entries are read on)."""
    found = session.execute(
        select(Incident.id, Incident.declared_at).where(Incident.id == incident_id)
    ).first()
    if found is None:
        raise NotFoundError(f"There is no incident {incident_ref(incident_id)}.")
    return found[0], found[1]


def _person(
    session: Session, handle: str | None, body: str, lenient: bool, what: str
) -> tuple[int | None, str]:
    if not handle:
        return None, body
    handle = handle.lstrip("@")
    person_id = session.scalar(select(Person.id).where(Person.handle == handle))
    if person_id is not None:
        return person_id, body
    if lenient:
        return None, f"@{handle} {body}".strip()
    raise ValidationError(f"There is no @{handle} on the roster to be the {what}.")


def _locked(session: Session, entry_id: int) -> TranscriptEntry:
    """The entry, locked until the transaction ends (PostgreSQL), so two edits at once are
    taken one after the other and the second sees the first's version."""
    entry = session.get(TranscriptEntry, entry_id, with_for_update=True)
    if entry is None:
        raise NotFoundError(f"There is no transcript entry {entry_id}.")
    return entry


def _revisions_exist(session: Session, entry_id: int) -> bool:
    return bool(
        session.scalar(
            select(func.count())
            .select_from(TranscriptRevision)
            .where(TranscriptRevision.entry_id == entry_id)
        )
    )


def _keep_revision(session: Session, entry: TranscriptEntry, by: str, at: datetime) -> None:
    session.add(
        TranscriptRevision(
            entry_id=entry.id,
            version=entry.version,
            kind=entry.kind,
            body=entry.body,
            occurred_at=entry.occurred_at,
            speaker_id=entry.speaker_id,
            edited_by=by,
            edited_at=at,
        )
    )


def _last_editor(session: Session, entry: TranscriptEntry) -> str:
    latest = session.scalar(
        select(TranscriptRevision.edited_by)
        .where(TranscriptRevision.entry_id == entry.id)
        .order_by(TranscriptRevision.version.desc())
        .limit(1)
    )
    return latest or entry.author


def _touch(session: Session, incident_id: int, now: datetime) -> None:
    """The incident is not quiet: it had an entry now. A plain UPDATE, not through the ORM,
    so a scribe's entry never conflicts with the commander's status change."""
    session.execute(
        update(Incident)
        .where(Incident.id == incident_id, Incident.last_activity_at < now)
        .values(last_activity_at=now)
        .execution_options(synchronize_session=False)
    )


def _set_deleted(context: ServiceContext, entry_id: int, deleted: bool) -> EntryRow:
    with acting(context) as (work, me):
        entry = _locked(work.session, entry_id)
        if entry.deleted == deleted:
            (row,) = entry_rows(work.session, [entry.id])
            return row
        entry.deleted = deleted
        work.session.flush()
        (row,) = entry_rows(work.session, [entry.id])
        return _announce(work, "transcript.deleted" if deleted else "transcript.restored", row, me)


def _announce(work: UnitOfWork, topic: str, row: EntryRow, me: Person) -> EntryRow:
    """The event of a change to an entry, carrying the entry itself (when its words fit), so
    every desktop shows it at once without a query; returns the row."""
    work.emit(
        topic,
        "transcript",
        row.id,
        {
            "incident_id": row.incident_id,
            "ref": incident_ref(row.incident_id),
            "kind": row.kind,
            "excerpt": excerpt(row.body),
            "handle": me.handle,
            "entry": entry_payload(row),
        },
        incident_id=row.incident_id,
    )
    return row
