"""People on the roster."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from warroom.domain.errors import ValidationError
from warroom.domain.people import normalise_expertise, validate_person
from warroom.services.context import ServiceContext, reading, unit_of_work
from warroom.store.models import Person, PersonExpertise


@dataclass(frozen=True)
class PersonSummary:
    id: int
    handle: str
    name: str
    time_zone: str
    expertise: tuple[str, ...]


def add_person(
    context: ServiceContext,
    *,
    handle: str,
    name: str,
    time_zone: str,
    email: str | None = None,
    phone: str | None = None,
    expertise: list[str] | None = None,
) -> PersonSummary:
    validate_person(handle, name, time_zone)
    tags = normalise_expertise(expertise or [])
    with unit_of_work(context) as work:
        if work.session.scalar(select(Person.id).where(Person.handle == handle)) is not None:
            raise ValidationError(f"there is already a person with the handle '{handle}'")
        person = Person(
            handle=handle,
            name=name.strip(),
            time_zone=time_zone,
            email=email,
            phone=phone,
            created_at=work.now,
            expertise=[PersonExpertise(tag=tag) for tag in tags],
        )
        work.session.add(person)
        work.session.flush()
        work.emit("person.created", "person", person.id, {"handle": handle, "name": person.name})
        return PersonSummary(person.id, handle, person.name, time_zone, tuple(tags))


def list_people(context: ServiceContext) -> list[PersonSummary]:
    with reading(context) as session:
        people = session.scalars(select(Person).order_by(Person.name)).all()
        return [
            PersonSummary(p.id, p.handle, p.name, p.time_zone, tuple(e.tag for e in p.expertise))
            for p in people
        ]
