"""The bench beside the board: the incident's people, and who to bring in.

Suggestions come from the roster: whoever is on call now for the incident's service's team
(offered as primary and secondary responder), the on-call expert for a skill someone types
("database"), and anyone by name. Each person says where they are in their day, whether they
are on call, and how many incidents they already hold a role in — so nobody drags the one
person who is already in three war rooms into a fourth.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from warroom.domain.vocabulary import IncidentRole, IncidentStatus
from warroom.services.context import ServiceContext, reading
from warroom.services.incidents.common import load_incident
from warroom.services.oncall import load_schedules
from warroom.store.models import (
    Incident,
    Participant,
    Person,
    PersonExpertise,
    RoleAssignment,
    Service,
    Team,
)

#: How many people a name or expertise search offers at most.
SEARCH_LIMIT = 40
#: The on-call schedules of the incident's team, and the role each is offered for.
_OFFERED = {
    "primary": IncidentRole.PRIMARY_RESPONDER.value,
    "secondary": IncidentRole.SECONDARY_RESPONDER.value,
}


@dataclass(frozen=True)
class BenchPerson:
    handle: str
    name: str
    time_zone: str
    expertise: tuple[str, ...]
    on_call: tuple[str, ...]  # the schedules they hold now
    roles_elsewhere: int  # open incidents (other than this one) they hold a role in
    participant: bool
    suggested_role: str | None  # the role they are offered for, if any
    why: str  # why they are on the bench: "participant", "on call: Payments primary"…


def bench(context: ServiceContext, incident_id: int, search: str = "") -> list[BenchPerson]:
    """Participants first, then the on-call suggestions, then what ``search`` finds (a name,
    a handle or an expertise tag; the experts on call now come first)."""
    now = context.clock.now()
    text = search.strip().lower()
    with reading(context) as session:
        incident = load_incident(session, incident_id)
        team_id = (
            session.scalar(select(Service.owner_team_id).where(Service.id == incident.service_id))
            if incident.service_id is not None
            else None
        )
        team_slug = session.scalar(select(Team.slug).where(Team.id == team_id)) if team_id else None
        on_call: dict[str, list[str]] = {}
        team_duty: dict[str, str] = {}  # handle → the role offered for the service's team
        for info in load_schedules(session):
            handle = info.rules.person_at(now)[0]
            if handle is None:
                continue
            on_call.setdefault(handle, []).append(info.name)
            if info.team_slug == team_slug and info.kind in _OFFERED:
                team_duty.setdefault(handle, _OFFERED[info.kind])
        busy = dict(
            session.execute(
                select(Person.handle, func.count(func.distinct(RoleAssignment.incident_id)))
                .join(RoleAssignment, RoleAssignment.person_id == Person.id)
                .join(Incident, Incident.id == RoleAssignment.incident_id)
                .where(
                    RoleAssignment.released_at.is_(None),
                    Incident.status != IncidentStatus.CLOSED.value,
                    Incident.id != incident_id,
                )
                .group_by(Person.handle)
            ).all()
        )
        participants = set(
            session.scalars(
                select(Person.handle)
                .join(Participant, Participant.person_id == Person.id)
                .where(Participant.incident_id == incident_id)
            )
        )
        wanted: dict[str, str] = {h: "participant" for h in participants}
        for handle, role in team_duty.items():
            offered = "primary" if role == IncidentRole.PRIMARY_RESPONDER.value else "secondary"
            wanted.setdefault(handle, f"on call: {', '.join(on_call[handle])} — {offered}")
        experts: list[str] = []
        if text:
            by_tag = list(
                session.scalars(
                    select(Person.handle)
                    .join(PersonExpertise, PersonExpertise.person_id == Person.id)
                    .where(PersonExpertise.tag == text, Person.active)
                    .order_by(Person.name)
                )
            )
            experts = sorted(by_tag, key=lambda h: h not in on_call)  # on call first
            for handle in experts:
                where = f", on call: {', '.join(on_call[handle])}" if handle in on_call else ""
                wanted.setdefault(handle, f"{text} expert{where}")
            pattern = f"%{text}%"
            for handle in session.scalars(
                select(Person.handle)
                .where(
                    Person.active,
                    or_(func.lower(Person.name).like(pattern), Person.handle.like(pattern)),
                )
                .order_by(Person.name)
                .limit(SEARCH_LIMIT)
            ):
                wanted.setdefault(handle, "matches your search")
        people = {
            p.handle: p
            for p in session.scalars(
                select(Person).where(Person.handle.in_(list(wanted)), Person.active)
            )
        }
        order = {h: n for n, h in enumerate(wanted)}
        result = [
            BenchPerson(
                p.handle,
                p.name,
                p.time_zone,
                tuple(e.tag for e in p.expertise),
                tuple(on_call.get(p.handle, ())),
                int(busy.get(p.handle, 0)),
                p.handle in participants,
                team_duty.get(p.handle)
                or (IncidentRole.SUBJECT_MATTER_EXPERT.value if p.handle in experts else None),
                wanted[p.handle],
            )
            for p in people.values()
        ]
        return sorted(result, key=lambda b: (not b.participant, order[b.handle]))
