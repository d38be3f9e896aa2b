"""The roles of the war room: assigned, handed over, moved and released.

Every desktop shows the board live, so two people may drop different people onto the same
role at the same moment. The database decides: a handover claims the previous assignment
with a conditional update (only while it is still active), and a first holder is one row
that the partial unique index allows once. The loser is told who holds the role now, never
silently overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import sqlalchemy.exc
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from warroom.domain.errors import ConflictError, NotFoundError, ValidationError
from warroom.domain.incidents import ROLE_TITLE, incident_ref, parse_role
from warroom.domain.people import normalise_expertise
from warroom.domain.vocabulary import IncidentRole, IncidentStatus
from warroom.services.context import ServiceContext, UnitOfWork, unit_of_work
from warroom.services.identity import acting_person
from warroom.services.incidents.common import (
    add_participant,
    current_holder,
    incident_payload,
    load_incident,
)
from warroom.store.models import Incident, Person, RoleAssignment


class _Unset:
    """No expectation: hand over from whoever holds the role (the CLI, scripts)."""


UNSET: Final = _Unset()


@dataclass(frozen=True)
class RoleChange:
    role: str
    handle: str
    previous: str | None  # the holder it was handed over from, if any


def assign(
    context: ServiceContext,
    incident_id: int,
    role: str,
    handle: str,
    *,
    expertise: str | None = None,
    expected_holder: str | _Unset | None = UNSET,
) -> RoleChange:
    """Give ``handle`` the role. A single-holder role someone holds is handed over: their
    assignment is released and the new one records whom it replaced.

    ``expected_holder`` is who the caller saw holding the role (None: nobody). If someone
    else holds it now, nothing changes and the sentence says who.
    """
    wanted = parse_role(role)
    with unit_of_work(context) as work:
        me = acting_person(work, context)
        incident = _open_incident(work.session, incident_id)
        return _assign(work, incident, wanted, handle, expertise, expected_holder, me.handle)


def release(context: ServiceContext, incident_id: int, role: str, handle: str) -> None:
    """Take the role from ``handle`` (back to the bench)."""
    wanted = parse_role(role)
    with unit_of_work(context) as work:
        me = acting_person(work, context)
        incident = _open_incident(work.session, incident_id)
        _release(work, incident, wanted, handle, me.handle)


def move(
    context: ServiceContext,
    incident_id: int,
    handle: str,
    from_role: str,
    to_role: str,
    *,
    expected_holder: str | _Unset | None = UNSET,
) -> RoleChange:
    """From one role to another in one step (dragged across the board)."""
    source, target = parse_role(from_role), parse_role(to_role)
    if source is target:
        raise ValidationError(f"{handle} already holds {ROLE_TITLE[target.value]}.")
    with unit_of_work(context) as work:
        me = acting_person(work, context)
        incident = _open_incident(work.session, incident_id)
        expertise = None
        if target is IncidentRole.SUBJECT_MATTER_EXPERT:
            expertise = _held(work.session, incident.id, source, handle).expertise
        _release(work, incident, source, handle, me.handle)
        return _assign(work, incident, target, handle, expertise, expected_holder, me.handle)


# ----------------------------------------------------------------------------- inside


def _open_incident(session: Session, incident_id: int) -> Incident:
    incident = load_incident(session, incident_id)
    if incident.status == IncidentStatus.CLOSED.value:
        raise ValidationError(f"{incident_ref(incident.id)} is closed; reopen it to change roles.")
    return incident


def _person(session: Session, handle: str) -> Person:
    person = session.scalar(select(Person).where(Person.handle == handle, Person.active))
    if person is None:
        raise NotFoundError(f"There is no active person '{handle}' on the roster.")
    return person


def _held(session: Session, incident_id: int, role: IncidentRole, handle: str) -> RoleAssignment:
    held = session.scalar(
        select(RoleAssignment)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(
            RoleAssignment.incident_id == incident_id,
            RoleAssignment.role == role.value,
            RoleAssignment.released_at.is_(None),
            Person.handle == handle,
        )
    )
    if held is None:
        raise NotFoundError(
            f"{handle} does not hold {ROLE_TITLE[role.value]} of {incident_ref(incident_id)}."
        )
    return held


def _holder_handle(session: Session, assignment: RoleAssignment | None) -> str | None:
    if assignment is None:
        return None
    return session.scalar(select(Person.handle).where(Person.id == assignment.person_id))


def _somebody_else(session: Session, incident: Incident, role: IncidentRole) -> ConflictError:
    """The sentence for a desktop that lost a race for a role: who holds it now."""
    holder = current_holder(session, incident.id, role)
    ref, title = incident_ref(incident.id), ROLE_TITLE[role.value]
    if holder is None:
        return ConflictError(f"{title} of {ref} changed a moment ago; look again and retry.")
    name = session.scalar(select(Person.name).where(Person.id == holder.person_id))
    return ConflictError(
        f"{name} became {title} of {ref} a moment ago (by {holder.assigned_by}); "
        "nothing was changed — hand over to them if you meant to."
    )


def _assign(
    work: UnitOfWork,
    incident: Incident,
    role: IncidentRole,
    handle: str,
    expertise: str | None,
    expected: str | _Unset | None,
    by: str,
) -> RoleChange:
    session = work.session
    person = _person(session, handle)
    tag = normalise_expertise([expertise])[0] if expertise and expertise.strip() else None
    previous: RoleAssignment | None = None
    if role.single_holder:
        previous = current_holder(session, incident.id, role)
        holder = _holder_handle(session, previous)
        if holder == handle:
            raise ValidationError(
                f"{person.name} is already {ROLE_TITLE[role.value]} of {incident_ref(incident.id)}."
            )
        if not isinstance(expected, _Unset) and holder != expected:
            raise _somebody_else(session, incident, role)
        if previous is not None:
            claimed = session.execute(
                update(RoleAssignment)
                .where(RoleAssignment.id == previous.id, RoleAssignment.released_at.is_(None))
                .values(released_at=work.now, released_by=by)
                .execution_options(synchronize_session=False)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                raise _somebody_else(session, incident, role)  # handed over meanwhile
    else:
        already = session.scalar(
            select(RoleAssignment.id).where(
                RoleAssignment.incident_id == incident.id,
                RoleAssignment.role == role.value,
                RoleAssignment.person_id == person.id,
                RoleAssignment.released_at.is_(None),
            )
        )
        if already is not None:
            raise ValidationError(
                f"{person.name} is already a {ROLE_TITLE[role.value]} of "
                f"{incident_ref(incident.id)}."
            )
    assignment = RoleAssignment(
        incident_id=incident.id,
        role=role.value,
        person_id=person.id,
        expertise=tag,
        assigned_at=work.now,
        assigned_by=by,
        previous_id=previous.id if previous is not None else None,
    )
    try:
        with session.begin_nested():
            session.add(assignment)
            session.flush()
    except sqlalchemy.exc.IntegrityError:
        # Another desktop gave the empty role to someone else first: the database said no.
        raise _somebody_else(session, incident, role) from None
    add_participant(session, incident.id, person.id, work.now)
    previous_handle = _holder_handle(session, previous)
    work.emit(
        "incident.role_assigned",
        "incident",
        incident.id,
        {
            **incident_payload(incident),
            "handle": handle,
            "role": role.value,
            "expertise": tag,
            "previous": previous_handle,
            "by": by,
        },
        incident_id=incident.id,
    )
    return RoleChange(role.value, handle, previous_handle)


def _release(
    work: UnitOfWork, incident: Incident, role: IncidentRole, handle: str, by: str
) -> None:
    held = _held(work.session, incident.id, role, handle)
    released = work.session.execute(
        update(RoleAssignment)
        .where(RoleAssignment.id == held.id, RoleAssignment.released_at.is_(None))
        .values(released_at=work.now, released_by=by)
        .execution_options(synchronize_session=False)
    )
    if not released.rowcount:  # type: ignore[attr-defined]
        raise ConflictError(
            f"{handle} was released from {ROLE_TITLE[role.value]} a moment ago by someone else."
        )
    work.emit(
        "incident.role_released",
        "incident",
        incident.id,
        {**incident_payload(incident), "handle": handle, "role": role.value, "by": by},
        incident_id=incident.id,
    )
