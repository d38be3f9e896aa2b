"""Who is acting: one rule for every act a person does.

On PostgreSQL the person is the database login (``session_user``): a client cannot claim to
be someone else, and a login that is not a person of the roster cannot act as one. On the
embedded SQLite database the person is the configured user (``warroom config set --user``,
or ``WARROOM_USER`` for scripts). Either way the person must be active on the roster.

A caller may name the person it acts for (:func:`acting`): the desktop names whoever clicked,
so an acknowledgement kept on disk while the database was away replays as them. On SQLite
that name is who acts; on PostgreSQL it must be the login, or the act is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from warroom.domain.errors import ValidationError
from warroom.services.context import ServiceContext, UnitOfWork, unit_of_work
from warroom.store.models import Person


def login(session: Session) -> str:
    """The database login (PostgreSQL) — what the server vouches for."""
    return str(session.execute(text("SELECT session_user")).scalar_one())


def acting_handle(context: ServiceContext, session: Session) -> str:
    """The handle of the person this call acts as (not checked against the roster)."""
    if session.get_bind().dialect.name == "postgresql":
        return context.memo.get("identity.login", context.database.url, lambda: login(session))
    return context.actor


def acting_person(work: UnitOfWork, context: ServiceContext) -> Person:
    """The active person this call acts as, or a sentence saying why there is none."""
    handle = acting_handle(context, work.session)
    person = work.session.scalar(select(Person).where(Person.handle == handle, Person.active))
    if person is not None:
        return person
    if work.session.get_bind().dialect.name == "postgresql":
        raise ValidationError(
            f"Your database login '{handle}' is not a person on the roster; on PostgreSQL "
            "each person signs in as their own handle (ask for a login named after yours)."
        )
    raise ValidationError(
        f"'{handle}' is not an active person on the roster; set who you are with "
        "`warroom config set --user HANDLE` (or WARROOM_USER for scripts)."
    )


@contextmanager
def acting(
    context: ServiceContext, handle: str | None = None
) -> Iterator[tuple[UnitOfWork, Person]]:
    """A person's act as one transaction: the unit of work and the person acting.

    ``handle`` names who the caller acts for. On SQLite nothing vouches for anyone, so that
    person is who acts, and the rows, the payloads and the events' actor all name them. On
    PostgreSQL the login acts whatever a client names: a name that is not the login is
    refused with a sentence, in the same transaction, so nothing is written in anyone's name.
    """
    if handle is not None and not context.database.is_postgresql:
        context = replace(context, actor=handle)
    with unit_of_work(context) as work:
        person = acting_person(work, context)
        if handle is not None and person.handle != handle:
            raise ValidationError(
                f"Your database login is '{person.handle}', so you cannot act as '{handle}': "
                "on PostgreSQL each person acts as their own login."
            )
        yield work, person
