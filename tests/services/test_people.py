"""A service call is one transaction with its events; bad input changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from warroom.domain.errors import ValidationError
from warroom.services.context import ServiceContext
from warroom.services.people import add_person, list_people
from warroom.store.models import Event, Person


def _counts(context: ServiceContext) -> tuple[int, int]:
    with context.database.reading() as session:
        people = session.scalar(select(func.count()).select_from(Person))
        events = session.scalar(select(func.count()).select_from(Event))
    return int(people or 0), int(events or 0)


def test_adding_a_person_commits_the_row_and_its_event(context: ServiceContext) -> None:
    person = add_person(
        context,
        handle="ada",
        name="Ada Lovelace",
        time_zone="Europe/London",
        expertise=["Database", "front end"],
    )
    assert person.expertise == ("database", "front-end")
    assert [p.handle for p in list_people(context)] == ["ada"]
    with context.database.reading() as session:
        event = session.scalars(select(Event)).one()
    assert (event.topic, event.entity_id) == ("person.created", str(person.id))
    assert event.at == context.clock.now()


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"handle": "Ada Lovelace"}, "not a valid handle"),
        ({"time_zone": "Mars/Olympus"}, "not an IANA time zone"),
        ({"name": "  "}, "has no name"),
        ({"expertise": ["data base!"]}, "not an expertise tag"),
    ],
)
def test_bad_input_is_named_and_changes_nothing(
    context: ServiceContext, fields: dict, complaint: str
) -> None:
    values = {"handle": "ada", "name": "Ada", "time_zone": "UTC", **fields}
    with pytest.raises(ValidationError, match=complaint):
        add_person(context, **values)
    assert _counts(context) == (0, 0)


def test_a_duplicate_handle_is_refused_without_a_half_written_row(
    context: ServiceContext,
) -> None:
    add_person(context, handle="ada", name="Ada", time_zone="UTC")
    with pytest.raises(ValidationError, match="already a person"):
        add_person(context, handle="ada", name="Another Ada", time_zone="UTC")
    assert _counts(context) == (1, 1)
