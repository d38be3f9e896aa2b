"""Stakeholder updates written and posted: the composer's facts and drafts, posting, and the
list of what was sent (with where each delivery stands).

A posted update is kept whole (who, when, audience, the status at the time, the words) and
announced with a small event, so the timeline and the post-incident report show it; an
audience with a webhook gets a delivery row in the same transaction, which an engine then
claims and carries out (:mod:`warroom.services.comms.deliveries`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.domain.comms import (
    MAX_BODY,
    UpdateDue,
    UpdateFacts,
    delivery_label,
    excerpt,
    fill,
    parse_audience,
    parse_update_status,
    pick_template,
)
from warroom.domain.errors import ValidationError
from warroom.domain.incidents import incident_ref
from warroom.domain.text import clean_text
from warroom.domain.vocabulary import Audience, DeliveryState, IncidentRole, IncidentStatus
from warroom.services.comms.cadence import dues_of
from warroom.services.context import ServiceContext, reading, unit_of_work
from warroom.services.identity import acting_person
from warroom.services.incidents.common import load_incident
from warroom.services.incidents.queries import policies
from warroom.store.models import (
    DeliveryTarget,
    Person,
    RoleAssignment,
    Service,
    StatusUpdate,
    Team,
    UpdateDelivery,
    UpdateTemplate,
)


@dataclass(frozen=True)
class Posted:
    id: int
    ref: str
    audience: str
    status: str
    #: The webhooks it goes to (their names), delivered in the background.
    deliveries: tuple[str, ...]


def post_update(
    context: ServiceContext,
    incident_id: int,
    audience: str,
    body: str,
    status: str | None = None,
) -> Posted:
    """Post an update to an audience, as the acting person. ``status`` is what the update
    reports (default: the incident's status now; a closed incident's is "resolved")."""
    who = parse_audience(audience).value
    text = clean_text(body).strip()
    if not text:
        raise ValidationError("An update needs words: what is happening, and what it means.")
    if len(text) > MAX_BODY:
        raise ValidationError(f"The update is {len(text)} characters; keep it under {MAX_BODY}.")
    reported = parse_update_status(status) if status is not None else None
    with unit_of_work(context) as work:
        session = work.session
        me = acting_person(work, context)
        incident = load_incident(session, incident_id)
        if reported is None:
            closed = incident.status == IncidentStatus.CLOSED.value
            reported = IncidentStatus.RESOLVED.value if closed else incident.status
        update = StatusUpdate(
            incident_id=incident.id,
            audience=who,
            status=reported,
            body=text,
            posted_by=me.handle,
            posted_at=work.now,
        )
        session.add(update)
        session.flush()
        deliveries: tuple[str, ...] = ()
        target = session.get(DeliveryTarget, who)
        if target is not None:
            session.add(
                UpdateDelivery(
                    status_update_id=update.id,
                    incident_id=incident.id,
                    audience=who,
                    target=target.name,
                    state=DeliveryState.PENDING.value,
                    attempts=0,
                    next_attempt_at=work.now,
                    detail="",
                    note="",
                    created_at=work.now,
                )
            )
            deliveries = (target.name,)
        ref = incident_ref(incident.id)
        work.emit(
            "status_update.posted",
            "status_update",
            update.id,
            {
                "incident_id": incident.id,
                "ref": ref,
                "audience": who,
                "status": reported,
                "excerpt": excerpt(text),
            },
            incident_id=incident.id,
        )
        return Posted(update.id, ref, who, reported, deliveries)


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class DeliveryRow:
    target: str
    state: str
    attempts: int
    code: int | None
    detail: str
    note: str
    delivered_at: datetime | None

    @property
    def label(self) -> str:
        """``sent``, ``retrying (503)``, ``failed: 403``."""
        return delivery_label(self.state, self.detail, self.note)


@dataclass(frozen=True)
class UpdateRow:
    id: int
    incident_id: int
    audience: str
    status: str
    body: str
    posted_by: str
    poster_name: str
    posted_at: datetime
    deliveries: tuple[DeliveryRow, ...] = ()


def list_updates(context: ServiceContext, incident_id: int) -> list[UpdateRow]:
    """What the incident's stakeholders were told, newest first, with each delivery."""
    with reading(context) as session:
        load_incident(session, incident_id)
        rows = session.execute(
            select(StatusUpdate, Person.name)
            .outerjoin(Person, Person.handle == StatusUpdate.posted_by)
            .where(StatusUpdate.incident_id == incident_id)
            .order_by(StatusUpdate.posted_at.desc(), StatusUpdate.id.desc())
        ).all()
        deliveries: dict[int, list[DeliveryRow]] = {}
        for d in session.scalars(
            select(UpdateDelivery)
            .where(UpdateDelivery.incident_id == incident_id)
            .order_by(UpdateDelivery.id)
        ):
            deliveries.setdefault(d.status_update_id, []).append(
                DeliveryRow(
                    d.target, d.state, d.attempts, d.last_code, d.detail, d.note, d.delivered_at
                )
            )
        return [
            UpdateRow(
                u.id,
                u.incident_id,
                u.audience,
                u.status,
                u.body,
                u.posted_by,
                name or u.posted_by,
                u.posted_at,
                tuple(deliveries.get(u.id, ())),
            )
            for u, name in rows
        ]


@dataclass(frozen=True)
class ComposerFacts:
    """What the composer needs to draft an update for any audience without another query."""

    incident_id: int
    ref: str
    title: str
    severity: str
    status: str
    service: str | None
    commander: str | None
    coordinator: str | None
    summary: str
    cadence_minutes: int | None
    templates: Mapping[str, str]  # audience → the template that applies to this incident
    targets: Mapping[str, str]  # audience → the webhook its updates also go to
    dues: tuple[UpdateDue, ...]

    def draft(
        self,
        audience: str,
        status: str,
        now: datetime,
        *,
        impact: str = "",
        actions: str = "",
    ) -> str:
        """The audience's template filled in; the next update is one cadence from ``now``."""
        next_at = now + timedelta(minutes=self.cadence_minutes) if self.cadence_minutes else None
        facts = UpdateFacts(
            self.ref,
            self.title,
            self.severity,
            status,
            self.service,
            self.commander,
            self.coordinator,
            impact or self.summary,
            actions,
            next_at,
        )
        return fill(self.templates[audience], facts)


def composer_facts(context: ServiceContext, incident_id: int) -> ComposerFacts:
    with reading(context) as session:
        incident = load_incident(session, incident_id)
        service, team = None, None
        if incident.service_id is not None:
            found = session.execute(
                select(Service.name, Team.slug)
                .join(Team, Team.id == Service.owner_team_id)
                .where(Service.id == incident.service_id)
            ).first()
            if found is not None:
                service, team = found
        holders = _holders(session, incident.id)
        templates = {(t.scope, t.audience): t.body for t in session.scalars(select(UpdateTemplate))}
        cadence = {severity: p.update_minutes for severity, p in policies(session).items()}
        dues = dues_of(session, [incident], cadence).get(incident.id, [])
        return ComposerFacts(
            incident.id,
            incident_ref(incident.id),
            incident.title,
            incident.severity,
            incident.status,
            service,
            holders.get(IncidentRole.INCIDENT_COMMANDER.value),
            holders.get(IncidentRole.COMMUNICATION_COORDINATOR.value),
            incident.summary,
            cadence.get(incident.severity),
            {a.value: pick_template(a.value, team, templates) for a in Audience},
            dict(session.execute(select(DeliveryTarget.audience, DeliveryTarget.name)).all()),
            tuple(dues),
        )


def _holders(session: Session, incident_id: int) -> dict[str, str]:
    """The names of the incident's commander and coordinator now."""
    return dict(
        session.execute(
            select(RoleAssignment.role, Person.name)
            .join(Person, Person.id == RoleAssignment.person_id)
            .where(
                RoleAssignment.incident_id == incident_id,
                RoleAssignment.released_at.is_(None),
                RoleAssignment.role.in_(
                    [
                        IncidentRole.INCIDENT_COMMANDER.value,
                        IncidentRole.COMMUNICATION_COORDINATOR.value,
                    ]
                ),
            )
        ).all()
    )
