"""Incidents as the desktop and the CLI read them: the list, and one incident's war room."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from warroom.domain.events import FeedEvent
from warroom.domain.incidents import (
    BOARD_ORDER,
    DEFAULT_POLICIES,
    SeverityPolicy,
    incident_ref,
    warnings,
)
from warroom.domain.vocabulary import IncidentRole, IncidentStatus, TranscriptKind
from warroom.services.comms.cadence import earliest_dues
from warroom.services.context import ServiceContext, reading
from warroom.services.incidents.common import load_incident, pace
from warroom.store.feed import events_of
from warroom.store.models import (
    ChecklistTick,
    Incident,
    Page,
    Person,
    Presence,
    RoleAssignment,
    Runbook,
    RunbookStep,
    Service,
    SeverityPolicyRow,
    TranscriptEntry,
)

#: How long a war room counts as open on a desktop without a heartbeat from it.
PRESENCE_TIMEOUT = timedelta(minutes=1)
#: Closed incidents the list keeps showing, for the review and for a quick reopen.
RECENTLY_CLOSED = timedelta(days=7)


@dataclass(frozen=True)
class IncidentRow:
    """An incident in a list: enough to choose one."""

    id: int
    title: str
    severity: str
    status: str
    declared_at: datetime | None = None
    last_activity_at: datetime | None = None
    commander: str | None = None  # the commander's name
    commander_handle: str | None = None
    service: str | None = None
    closed_at: datetime | None = None
    close_proposed: bool = False
    #: When its stakeholders are next due an update, and which audience (the one due
    #: first); past due, the list and the war room show it red. None: no update is due.
    update_due_at: datetime | None = None
    update_due_audience: str | None = None

    @property
    def ref(self) -> str:
        return incident_ref(self.id)


def policies(session: Session) -> dict[str, SeverityPolicy]:
    """The pace per severity: the roster file's where it sets one, else the defaults."""
    found = dict(DEFAULT_POLICIES)
    for row in session.scalars(select(SeverityPolicyRow)):
        found[row.severity] = SeverityPolicy(
            row.quiet_minutes,
            row.mitigated_minutes,
            row.staffing_minutes,
            row.close_minutes,
            row.update_minutes,
            row.needs_staff,
        )
    return found


def _rows(session: Session, *where: object) -> list[IncidentRow]:
    commander = aliased(RoleAssignment)
    rows = session.execute(
        select(Incident, Person.name, Person.handle, Service.name)
        .outerjoin(
            commander,
            (commander.incident_id == Incident.id)
            & (commander.role == IncidentRole.INCIDENT_COMMANDER.value)
            & commander.released_at.is_(None),
        )
        .outerjoin(Person, Person.id == commander.person_id)
        .outerjoin(Service, Service.id == Incident.service_id)
        .where(*where)  # type: ignore[arg-type]
        .order_by(Incident.declared_at.desc(), Incident.id.desc())
    ).all()
    cadence = {severity: p.update_minutes for severity, p in policies(session).items()}
    due = earliest_dues(session, [i for i, *_ in rows], cadence)
    return [
        IncidentRow(
            i.id,
            i.title,
            i.severity,
            i.status,
            i.declared_at,
            i.last_activity_at,
            name,
            handle,
            service,
            i.closed_at,
            i.close_proposed_by is not None,
            due[i.id].due if i.id in due else None,
            due[i.id].audience if i.id in due else None,
        )
        for i, name, handle, service in rows
    ]


def open_incidents(context: ServiceContext) -> list[IncidentRow]:
    """Incidents not closed yet, newest first (runbook progress is kept per incident)."""
    with reading(context) as session:
        return _rows(session, Incident.status != IncidentStatus.CLOSED.value)


def list_incidents(context: ServiceContext, include_closed_days: int = 7) -> list[IncidentRow]:
    """Open incidents, then those closed in the last ``include_closed_days`` days."""
    since = context.clock.now() - timedelta(days=include_closed_days)
    with reading(context) as session:
        return _rows(
            session,
            or_(Incident.status != IncidentStatus.CLOSED.value, Incident.closed_at >= since),
        )


# ----------------------------------------------------------------------------- the war room


@dataclass(frozen=True)
class Holder:
    """Someone holding (or having held) a role."""

    assignment_id: int
    role: str
    handle: str
    name: str
    time_zone: str
    expertise: str | None
    assigned_at: datetime
    assigned_by: str
    released_at: datetime | None
    released_by: str | None
    previous: str | None  # the handle it was handed over from


@dataclass(frozen=True)
class LinkedPage:
    id: int
    state: str
    urgency: str
    service: str
    summary: str
    triggered_at: datetime


@dataclass(frozen=True)
class RunbookInUse:
    slug: str
    title: str
    ticked: int
    steps: int


@dataclass(frozen=True)
class IncidentDetail:
    row: IncidentRow
    summary: str
    bridge_url: str | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    roles: Mapping[str, tuple[Holder, ...]]  # role → who holds it now, by board order
    history: tuple[Holder, ...]  # every assignment, oldest first
    close_proposed_by: str | None
    close_proposed_at: datetime | None
    close_proposal: str
    warnings: tuple[str, ...]
    pages: tuple[LinkedPage, ...]
    runbooks: tuple[RunbookInUse, ...]
    present: tuple[str, ...]  # handles with the war room open now
    severity_history: tuple[FeedEvent, ...]


def incident_detail(context: ServiceContext, incident_id: int) -> IncidentDetail:
    now = context.clock.now()
    with reading(context) as session:
        incident = load_incident(session, incident_id)
        [row] = _rows(session, Incident.id == incident_id)
        previous = aliased(RoleAssignment)
        previous_person = aliased(Person)
        history = tuple(
            Holder(
                a.id,
                a.role,
                p.handle,
                p.name,
                p.time_zone,
                a.expertise,
                a.assigned_at,
                a.assigned_by,
                a.released_at,
                a.released_by,
                previous_handle,
            )
            for a, p, previous_handle in session.execute(
                select(RoleAssignment, Person, previous_person.handle)
                .join(Person, Person.id == RoleAssignment.person_id)
                .outerjoin(previous, previous.id == RoleAssignment.previous_id)
                .outerjoin(previous_person, previous_person.id == previous.person_id)
                .where(RoleAssignment.incident_id == incident_id)
                .order_by(RoleAssignment.assigned_at, RoleAssignment.id)
            )
        )
        roles = {
            role.value: tuple(h for h in history if h.role == role.value and not h.released_at)
            for role in BOARD_ORDER
        }
        now_held = frozenset(role for role, holders in roles.items() if holders)
        policy = policies(session)[incident.severity]
        pages = tuple(
            LinkedPage(p.id, p.state, p.urgency, service, p.summary, p.triggered_at)
            for p, service in session.execute(
                select(Page, Service.name)
                .join(Service, Service.id == Page.service_id)
                .where(Page.incident_id == incident_id)
                .order_by(Page.triggered_at)
            )
        )
        return IncidentDetail(
            row,
            incident.summary,
            incident.bridge_url,
            incident.mitigated_at,
            incident.resolved_at,
            roles,
            history,
            incident.close_proposed_by,
            incident.close_proposed_at,
            incident.close_proposal,
            tuple(warnings(pace(incident, now_held), policy, now)),
            pages,
            _runbooks_in_use(session, incident_id, [p.id for p in pages]),
            present_handles(session, incident_id, now),
            tuple(
                e
                for e in events_of(session.connection(), "incident", str(incident_id))
                if e.topic == "incident.severity_changed"
            ),
        )


def _runbooks_in_use(
    session: Session, incident_id: int, page_ids: list[int]
) -> tuple[RunbookInUse, ...]:
    """Runbooks ticked for the incident or its pages, and its pages' runbooks."""
    ticked_for = (
        or_(ChecklistTick.incident_id == incident_id, ChecklistTick.page_id.in_(page_ids))
        if page_ids
        else ChecklistTick.incident_id == incident_id
    )
    ticks = dict(
        session.execute(
            select(ChecklistTick.runbook_id, func.count(func.distinct(ChecklistTick.step_key)))
            .where(ticked_for, ChecklistTick.unticked_at.is_(None))
            .group_by(ChecklistTick.runbook_id)
        ).all()
    )
    linked = set(
        session.scalars(
            select(Page.runbook_id).where(
                Page.incident_id == incident_id, Page.runbook_id.is_not(None)
            )
        )
    )
    ids = set(ticks) | {i for i in linked if i is not None}
    if not ids:
        return ()
    steps = dict(
        session.execute(
            select(RunbookStep.runbook_id, func.count())
            .where(RunbookStep.runbook_id.in_(ids))
            .group_by(RunbookStep.runbook_id)
        ).all()
    )
    return tuple(
        RunbookInUse(r.slug, r.title, int(ticks.get(r.id, 0)), int(steps.get(r.id, 0)))
        for r in session.scalars(select(Runbook).where(Runbook.id.in_(ids)).order_by(Runbook.title))
    )


def present_handles(session: Session, incident_id: int, now: datetime) -> tuple[str, ...]:
    return tuple(
        sorted(
            set(
                session.scalars(
                    select(Presence.handle).where(
                        Presence.incident_id == incident_id,
                        Presence.seen_at >= now - PRESENCE_TIMEOUT,
                    )
                )
            )
        )
    )


def open_follow_ups(context: ServiceContext, incident_id: int) -> list[str]:
    """The action items still open: what closing the incident leaves as follow-ups
    (transcript entries of the kind ``action``, not deleted, not done yet), oldest first,
    each with its owner ("… (@felix)") so the close-out says who has it."""
    owner = aliased(Person)
    with reading(context) as session:
        return [
            f"{body} (@{handle})" if handle else body
            for body, handle in session.execute(
                select(TranscriptEntry.body, owner.handle)
                .outerjoin(owner, owner.id == TranscriptEntry.owner_id)
                .where(
                    TranscriptEntry.incident_id == incident_id,
                    TranscriptEntry.kind == TranscriptKind.ACTION.value,
                    TranscriptEntry.deleted.is_(False),
                    TranscriptEntry.done_at.is_(None),
                )
                .order_by(TranscriptEntry.occurred_at, TranscriptEntry.id)
            )
        ]
