"""An incident's life: declared (from a page, a dialog or a script), its status and severity
changed, pages linked, closing proposed by anyone and done by the commander, reopened.

Every refusal is one sentence that names who can do it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from warroom.domain.errors import ConflictError, NotFoundError, ValidationError
from warroom.domain.incidents import (
    check_status_change,
    incident_ref,
    parse_severity,
    parse_status,
)
from warroom.domain.text import clean_text
from warroom.domain.vocabulary import IncidentRole, IncidentStatus
from warroom.services.context import ServiceContext, UnitOfWork, unit_of_work
from warroom.services.identity import acting_person
from warroom.services.incidents.common import (
    add_participant,
    current_holder,
    incident_payload,
    load_incident,
)
from warroom.store.models import Incident, Page, Person, RoleAssignment, Service

MAX_TITLE = 300
MAX_URL = 2000


@dataclass(frozen=True)
class Declared:
    id: int
    ref: str
    title: str
    severity: str
    commander: str


def declare(
    context: ServiceContext,
    *,
    title: str,
    severity: str,
    service: str | None = None,
    bridge_url: str | None = None,
    page_id: int | None = None,
) -> Declared:
    """Declare an incident; the declarer is its Incident Commander until someone takes over.

    From a page: the page is linked, and its service is the incident's unless one is given.
    """
    title = clean_text(title).strip()
    if not title:
        raise ValidationError("An incident needs a title: what is broken, for whom.")
    if len(title) > MAX_TITLE:
        raise ValidationError(f"The title is {len(title)} characters; keep it under {MAX_TITLE}.")
    level = parse_severity(severity)
    bridge = (bridge_url or "").strip() or None
    if bridge is not None and (len(bridge) > MAX_URL or " " in bridge):
        raise ValidationError("The bridge link must be one address (a URL), without spaces.")
    with unit_of_work(context) as work:
        session = work.session
        me = acting_person(work, context)
        page = None
        if page_id is not None:
            page = session.get(Page, page_id)
            if page is None:
                raise NotFoundError(f"There is no page #{page_id}.")
            if page.incident_id is not None:
                raise ConflictError(
                    f"Page #{page_id} already belongs to {incident_ref(page.incident_id)}; "
                    "open that incident instead."
                )
        service_id = None
        if service:
            service_id = session.scalar(select(Service.id).where(Service.slug == service))
            if service_id is None:
                raise NotFoundError(f"There is no service '{service}'.")
        elif page is not None:
            service_id = page.service_id
        incident = Incident(
            title=title,
            summary="",
            severity=level.value,
            status=IncidentStatus.INVESTIGATING.value,
            service_id=service_id,
            declared_at=work.now,
            declared_by=me.handle,
            bridge_url=bridge,
            last_activity_at=work.now,
            close_proposal="",
        )
        session.add(incident)
        session.flush()
        session.add(
            RoleAssignment(
                incident_id=incident.id,
                role=IncidentRole.INCIDENT_COMMANDER.value,
                person_id=me.id,
                assigned_at=work.now,
                assigned_by=me.handle,
            )
        )
        add_participant(session, incident.id, me.id, work.now)
        work.emit(
            "incident.declared",
            "incident",
            incident.id,
            {**incident_payload(incident), "handle": me.handle, "service": service or None},
            incident_id=incident.id,
        )
        work.emit(
            "incident.role_assigned",
            "incident",
            incident.id,
            {
                **incident_payload(incident),
                "handle": me.handle,
                "role": IncidentRole.INCIDENT_COMMANDER.value,
            },
            incident_id=incident.id,
        )
        if page is not None:
            _link(work, incident, page)
        return Declared(incident.id, incident_ref(incident.id), title, level.value, me.handle)


def set_status(context: ServiceContext, incident_id: int, status: str, note: str = "") -> str:
    """Move the incident forward (or back) among the open statuses; returns the old one."""
    wanted = parse_status(status)
    with unit_of_work(context) as work:
        me = acting_person(work, context)
        incident = load_incident(work.session, incident_id)
        check_status_change(incident.status, wanted)
        before = incident.status
        incident.status = wanted.value
        incident.last_activity_at = work.now
        if wanted is IncidentStatus.RESOLVED:
            incident.resolved_at = work.now
            incident.mitigated_at = incident.mitigated_at or work.now
        elif wanted is IncidentStatus.MITIGATED:
            incident.mitigated_at = work.now
            incident.resolved_at = None
        else:  # back to work: it is neither mitigated nor resolved any more
            incident.mitigated_at = incident.resolved_at = None
        add_participant(work.session, incident.id, me.id, work.now)
        work.emit(
            "incident.status_changed",
            "incident",
            incident.id,
            {
                **incident_payload(incident),
                "status": wanted.value,
                "from": before,
                "note": clean_text(note)[:300],
            },
            incident_id=incident.id,
        )
        return before


def change_severity(context: ServiceContext, incident_id: int, severity: str, reason: str) -> str:
    """Change the severity; who, when and why are kept (the timeline and the report show
    them). Returns the old severity."""
    level = parse_severity(severity)
    why = clean_text(reason).strip()
    if not why:
        raise ValidationError("Say why the severity changes; the report keeps the reason.")
    with unit_of_work(context) as work:
        acting_person(work, context)
        incident = load_incident(work.session, incident_id)
        if incident.status == IncidentStatus.CLOSED.value:
            raise ValidationError(f"{incident_ref(incident.id)} is closed; reopen it first.")
        before = incident.severity
        if before == level.value:
            raise ValidationError(f"{incident_ref(incident.id)} is already {before}.")
        incident.severity = level.value
        work.emit(
            "incident.severity_changed",
            "incident",
            incident.id,
            {**incident_payload(incident), "from": before, "to": level.value, "reason": why[:300]},
            incident_id=incident.id,
        )
        return before


def propose_close(context: ServiceContext, incident_id: int, note: str = "") -> None:
    """Anyone may propose closing; the commander sees the proposal on the board."""
    with unit_of_work(context) as work:
        me = acting_person(work, context)
        incident = load_incident(work.session, incident_id)
        if incident.status == IncidentStatus.CLOSED.value:
            raise ValidationError(f"{incident_ref(incident.id)} is already closed.")
        incident.close_proposed_by = me.handle
        incident.close_proposed_at = work.now
        incident.close_proposal = clean_text(note).strip()[:2000]
        work.emit(
            "incident.close_proposed",
            "incident",
            incident.id,
            {**incident_payload(incident), "handle": me.handle, "note": incident.close_proposal},
            incident_id=incident.id,
        )


def close(context: ServiceContext, incident_id: int, summary: str) -> None:
    """Only the Incident Commander closes, with a summary for the report."""
    text = clean_text(summary).strip()
    if not text:
        raise ValidationError(
            "Closing needs a summary: what happened, the impact, and what fixed it."
        )
    with unit_of_work(context) as work:
        session = work.session
        me = acting_person(work, context)
        incident = load_incident(session, incident_id)
        ref = incident_ref(incident.id)
        if incident.status == IncidentStatus.CLOSED.value:
            raise ValidationError(f"{ref} is already closed.")
        commander = current_holder(session, incident.id, IncidentRole.INCIDENT_COMMANDER)
        if commander is None:
            raise ConflictError(
                f"{ref} has no Incident Commander, and only the commander closes it; "
                "take command first."
            )
        if commander.person_id != me.id:
            name = session.scalar(select(Person.name).where(Person.id == commander.person_id))
            raise ConflictError(
                f"Only the Incident Commander, {name}, can close {ref}; propose closing instead."
            )
        incident.summary = text[:20_000]
        incident.status = IncidentStatus.CLOSED.value
        incident.closed_at = work.now
        incident.resolved_at = incident.resolved_at or work.now
        incident.mitigated_at = incident.mitigated_at or incident.resolved_at
        incident.last_activity_at = work.now
        work.emit(
            "incident.closed",
            "incident",
            incident.id,
            {**incident_payload(incident), "handle": me.handle, "summary": text[:300]},
            incident_id=incident.id,
        )


def reopen(context: ServiceContext, incident_id: int, reason: str) -> None:
    """A resolved or closed incident is back: investigating again, the proposal withdrawn."""
    why = clean_text(reason).strip()
    if not why:
        raise ValidationError("Say why it is reopened; the timeline keeps the reason.")
    with unit_of_work(context) as work:
        me = acting_person(work, context)
        incident = load_incident(work.session, incident_id)
        if incident.status not in (IncidentStatus.RESOLVED.value, IncidentStatus.CLOSED.value):
            raise ValidationError(
                f"{incident_ref(incident.id)} is {incident.status}, not resolved or closed: "
                "it is still open."
            )
        before = incident.status
        incident.status = IncidentStatus.INVESTIGATING.value
        incident.closed_at = None
        incident.resolved_at = None
        incident.mitigated_at = None
        incident.close_proposed_by = None
        incident.close_proposed_at = None
        incident.close_proposal = ""
        incident.last_activity_at = work.now
        work.emit(
            "incident.reopened",
            "incident",
            incident.id,
            {**incident_payload(incident), "handle": me.handle, "from": before, "reason": why},
            incident_id=incident.id,
        )


def link_page(context: ServiceContext, incident_id: int, page_id: int) -> None:
    with unit_of_work(context) as work:
        acting_person(work, context)
        incident = load_incident(work.session, incident_id)
        page = work.session.get(Page, page_id)
        if page is None:
            raise NotFoundError(f"There is no page #{page_id}.")
        if page.incident_id == incident.id:
            raise ValidationError(
                f"Page #{page_id} is already part of {incident_ref(incident.id)}."
            )
        if page.incident_id is not None:
            raise ConflictError(
                f"Page #{page_id} belongs to {incident_ref(page.incident_id)}; unlink it there "
                "first."
            )
        _link(work, incident, page)


def unlink_page(context: ServiceContext, incident_id: int, page_id: int) -> None:
    with unit_of_work(context) as work:
        acting_person(work, context)
        incident = load_incident(work.session, incident_id)
        unlinked = work.session.execute(
            update(Page)
            .where(Page.id == page_id, Page.incident_id == incident.id)
            .values(incident_id=None, version=Page.version + 1)
            .execution_options(synchronize_session=False)
        )
        if not unlinked.rowcount:  # type: ignore[attr-defined]
            raise NotFoundError(f"Page #{page_id} is not part of {incident_ref(incident.id)}.")
        work.emit(
            "incident.page_unlinked",
            "incident",
            incident.id,
            {**incident_payload(incident), "page_id": page_id},
            incident_id=incident.id,
        )


def _link(work: UnitOfWork, incident: Incident, page: Page) -> None:
    page.incident_id = incident.id
    work.emit(
        "incident.page_linked",
        "incident",
        incident.id,
        {**incident_payload(incident), "page_id": page.id, "summary": page.summary[:200]},
        incident_id=incident.id,
    )
