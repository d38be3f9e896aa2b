"""The post-incident report: everything about an incident gathered in one read transaction
(a consistent snapshot on both databases) into the plain values
:mod:`warroom.domain.report_markdown` and :mod:`warroom.domain.report_html` turn into
Markdown or HTML.

An incident may hold 100,000 entries: they are read as columns with one query (deleted ones
left out by the database), and every other part of the report is one query of its own, so
the cost does not grow with anything but the rows themselves.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from warroom.domain.comms import delivery_label
from warroom.domain.errors import ValidationError
from warroom.domain.events import describe
from warroom.domain.incidents import ROLE_TITLE, incident_ref
from warroom.domain.report import (
    ActionItem,
    PageLinked,
    Report,
    RoleSpell,
    RunbookFollowed,
    SeverityChange,
    Tick,
    TimelineItem,
    UpdateSent,
)
from warroom.domain.report_html import render_html
from warroom.domain.report_markdown import render_markdown
from warroom.domain.transcript import event_category, impact_window
from warroom.domain.vocabulary import TranscriptKind
from warroom.services.context import ServiceContext, reading
from warroom.services.incidents.common import load_incident
from warroom.store.feed import incident_events
from warroom.store.models import (
    ChecklistTick,
    Page,
    Person,
    RoleAssignment,
    Runbook,
    RunbookStep,
    Service,
    StatusUpdate,
    TranscriptEntry,
    UpdateDelivery,
)

Format = Literal["md", "html"]
FORMATS: tuple[Format, ...] = ("md", "html")


def export(context: ServiceContext, incident_id: int, fmt: str, zone: tzinfo | None = None) -> str:
    """The report of an incident as a document in ``fmt`` (``md`` or ``html``), every stamp
    in ``zone`` (default: this computer's)."""
    if fmt not in FORMATS:
        raise ValidationError(f"'{fmt}' is not a report format; use md or html.")
    report = gather(context, incident_id)
    zone = zone or local_zone()
    return render_markdown(report, zone) if fmt == "md" else render_html(report, zone)


def write_report(
    context: ServiceContext,
    incident_id: int,
    fmt: str,
    path: Path | str,
    zone: tzinfo | None = None,
) -> Path:
    """Export the report into a file, atomically: into a temporary file beside it, then
    renamed over it, so a reader never sees half a report and a failure (a bad format, a
    missing incident, a full disk) leaves what was there before."""
    target = Path(path)
    if target.is_dir():
        raise ValidationError(f"{target} is a folder; name the file to write the report to.")
    if not target.parent.is_dir():
        raise ValidationError(f"There is no folder {target.parent} to write {target.name} into.")
    document = export(context, incident_id, fmt, zone)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as error:
        raise ValidationError(f"Cannot write into {target.parent}: {error.strerror}.") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(document)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # as an ordinary new file would be
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ValidationError(f"Cannot write {target}: {error.strerror}.") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def local_zone() -> tzinfo:
    """This computer's zone, with its daylight-saving rules where the system names it (``TZ``
    or the ``/etc/localtime`` link); a fixed offset, right today at least, otherwise."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        link = Path("/etc/localtime")
        if link.is_symlink() and "zoneinfo/" in str(link.resolve()):
            name = str(link.resolve()).split("zoneinfo/", 1)[1]
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    fixed = datetime.now().astimezone().tzinfo
    assert fixed is not None
    return fixed


def zone_named(name: str) -> tzinfo:
    """The zone an IANA name names, or a sentence saying it is none."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"'{name}' is not a time zone; use a name like Europe/Berlin or UTC."
        ) from None


@contextmanager
def _snapshot(context: ServiceContext) -> Iterator[Session]:
    """A read transaction that sees one state of the database throughout: REPEATABLE READ on
    PostgreSQL; on SQLite (WAL) every read transaction already does."""
    with reading(context) as session:
        if context.database.is_postgresql:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield session


def gather(context: ServiceContext, incident_id: int) -> Report:
    now = context.clock.now()
    with _snapshot(context) as session:
        incident = load_incident(session, incident_id)
        service = (
            session.scalar(select(Service.name).where(Service.id == incident.service_id))
            if incident.service_id is not None
            else None
        )
        pages = _pages(session, incident_id)
        events = incident_events(session.connection(), incident_id, [p.id for p in pages])
        entries, actions, marks = _entries(session, incident_id)
        timeline = entries
        others = [
            TimelineItem(e.at, category, e.actor, describe(e), is_entry=False)
            for e in events
            if (category := event_category(e.topic)) is not None
        ]
        if others:  # both lists are in time order: merge them, entries first on a tie
            timeline = sorted(entries + others, key=_at)
        return Report(
            ref=incident_ref(incident.id),
            title=incident.title,
            severity=incident.severity,
            status=incident.status,
            service=service,
            summary=incident.summary,
            bridge_url=incident.bridge_url,
            declared_at=incident.declared_at,
            declared_by=incident.declared_by,
            mitigated_at=incident.mitigated_at,
            resolved_at=incident.resolved_at,
            closed_at=incident.closed_at,
            impact=impact_window(marks, incident.declared_at, incident.resolved_at),
            severity_changes=[
                SeverityChange(
                    e.at,
                    e.actor,
                    str(e.payload.get("from", "?")),
                    str(e.payload.get("to", "?")),
                    str(e.payload.get("reason", "")),
                )
                for e in events
                if e.topic == "incident.severity_changed"
            ],
            roles=_roles(session, incident_id),
            timeline=timeline,
            actions=actions,
            updates=_updates(session, incident_id),
            pages=pages,
            runbooks=_runbooks(session, incident_id, [p.id for p in pages]),
            generated_at=now,
        )


def _at(item: TimelineItem) -> datetime:
    return item.at


def _entries(
    session: Session, incident_id: int
) -> tuple[list[TimelineItem], list[ActionItem], list[tuple[str, datetime]]]:
    speaker = aliased(Person, name="speaker")
    owner = aliased(Person, name="owner")
    e = TranscriptEntry
    rows = session.connection().execute(  # Core, not the ORM's row loading: half the time
        select(
            e.occurred_at,
            e.kind,
            e.author,
            e.body,
            speaker.handle,
            e.edited_at,
            e.version,
            e.mark,
            owner.handle,
            e.done_at,
            e.done_by,
        )
        .outerjoin(speaker, speaker.id == e.speaker_id)
        .outerjoin(owner, owner.id == e.owner_id)
        .where(e.incident_id == incident_id, e.deleted.is_(False))
        .order_by(e.occurred_at, e.id)
    )
    items: list[TimelineItem] = []
    actions: list[ActionItem] = []
    marks: list[tuple[str, datetime]] = []
    action = TranscriptKind.ACTION.value
    for (
        at,
        kind,
        author,
        body,
        said_by,
        edited_at,
        version,
        mark,
        owned_by,
        done_at,
        done_by,
    ) in rows:
        items.append(
            TimelineItem(
                at,
                kind,
                author,
                body,
                said_by,
                edited_at is not None and version > 1,
                mark,
                True,
                owned_by,
            )
        )
        if mark is not None:
            marks.append((mark, at))
        if kind == action:
            actions.append(ActionItem(at, body, owned_by, author, done_at, done_by))
    return items, actions, marks


def _roles(session: Session, incident_id: int) -> list[RoleSpell]:
    previous = aliased(RoleAssignment)
    previous_person = aliased(Person)
    return [
        RoleSpell(
            ROLE_TITLE.get(a.role, a.role),
            p.handle,
            p.name,
            a.assigned_at,
            a.assigned_by,
            a.released_at,
            a.released_by,
            previous_handle,
            a.expertise,
        )
        for a, p, previous_handle in session.execute(
            select(RoleAssignment, Person, previous_person.handle)
            .join(Person, Person.id == RoleAssignment.person_id)
            .outerjoin(previous, previous.id == RoleAssignment.previous_id)
            .outerjoin(previous_person, previous_person.id == previous.person_id)
            .where(RoleAssignment.incident_id == incident_id)
            .order_by(RoleAssignment.assigned_at, RoleAssignment.id)
        )
    ]


def _updates(session: Session, incident_id: int) -> list[UpdateSent]:
    deliveries: dict[int, list[str]] = {}
    for d in session.scalars(
        select(UpdateDelivery)
        .where(UpdateDelivery.incident_id == incident_id)
        .order_by(UpdateDelivery.id)
    ):
        deliveries.setdefault(d.status_update_id, []).append(
            f"{d.target}: {delivery_label(d.state, d.detail, d.note)}"
        )
    return [
        UpdateSent(
            u.posted_at, u.audience, u.status, u.posted_by, u.body, tuple(deliveries.get(u.id, ()))
        )
        for u in session.scalars(
            select(StatusUpdate)
            .where(StatusUpdate.incident_id == incident_id)
            .order_by(StatusUpdate.posted_at, StatusUpdate.id)
        )
    ]


def _pages(session: Session, incident_id: int) -> list[PageLinked]:
    return [
        PageLinked(p.id, service, p.summary, p.urgency, p.state, p.triggered_at)
        for p, service in session.execute(
            select(Page, Service.name)
            .join(Service, Service.id == Page.service_id)
            .where(Page.incident_id == incident_id)
            .order_by(Page.triggered_at, Page.id)
        )
    ]


def _runbooks(session: Session, incident_id: int, page_ids: list[int]) -> list[RunbookFollowed]:
    """The runbooks ticked for the incident or its pages (every tick, unticked ones said so),
    and the pages' runbooks even where nothing was ticked."""
    ticked_for = ChecklistTick.incident_id == incident_id
    if page_ids:
        ticked_for = ticked_for | ChecklistTick.page_id.in_(page_ids)
    ticks = session.execute(
        select(
            ChecklistTick.runbook_id,
            ChecklistTick.step_key,
            ChecklistTick.ticked_by,
            ChecklistTick.ticked_at,
            ChecklistTick.unticked_at,
        )
        .where(ticked_for)
        .order_by(ChecklistTick.ticked_at, ChecklistTick.id)
    ).all()
    linked = set(
        session.scalars(
            select(Page.runbook_id).where(
                Page.incident_id == incident_id, Page.runbook_id.is_not(None)
            )
        )
    )
    ids = {t.runbook_id for t in ticks} | {i for i in linked if i is not None}
    if not ids:
        return []
    steps: dict[int, dict[str, str]] = {}
    for runbook_id, key, text in session.execute(
        select(RunbookStep.runbook_id, RunbookStep.step_key, RunbookStep.text)
        .where(RunbookStep.runbook_id.in_(ids))
        .order_by(RunbookStep.position.desc())  # the first step with a key wins
    ):
        steps.setdefault(runbook_id, {})[key] = text
    return [
        RunbookFollowed(
            r.slug,
            r.title,
            len(steps.get(r.id, {})),
            tuple(
                Tick(
                    t.ticked_at,
                    t.ticked_by,
                    steps.get(r.id, {}).get(t.step_key, "(a step no longer in the runbook)"),
                    t.unticked_at,
                )
                for t in ticks
                if t.runbook_id == r.id
            ),
        )
        for r in session.scalars(select(Runbook).where(Runbook.id.in_(ids)).order_by(Runbook.title))
    ]
