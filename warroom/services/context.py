"""What every service call needs: the database, a clock, and who is acting."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

import sqlalchemy.exc
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from warroom.domain.actors import SystemActor
from warroom.domain.clock import Clock, SystemClock
from warroom.domain.errors import ConflictError, ValidationError, WarroomError
from warroom.domain.events import NewEvent
from warroom.store.database import Database, explain_database_error
from warroom.store.feed import append_events

T = TypeVar("T")


class Memo:
    """Reference data kept between service calls, reloaded when its generation moves.

    A webhook receiver answers hundreds of deliveries a second and every one routes with the
    same roster; loading it each time was most of a delivery's cost. The caller reads the
    generation (something that changes whenever the data does) in its own transaction first,
    so what is kept is never older than the generation it is kept under.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Hashable, object]] = {}
        self._lock = threading.Lock()

    def get(self, name: str, generation: Hashable, load: Callable[[], T]) -> T:
        with self._lock:
            entry = self._entries.get(name)
        if entry is not None and entry[0] == generation:
            return cast(T, entry[1])
        value = load()
        with self._lock:
            self._entries[name] = (generation, value)
        return value


@dataclass(frozen=True)
class ServiceContext:
    """Passed to every service call; there are no globals to reach for instead."""

    database: Database
    actor: str
    clock: Clock = field(default_factory=SystemClock)
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)


@dataclass
class UnitOfWork:
    """A transaction in progress: the session, the instant it runs at, and its events."""

    session: Session
    now: datetime
    actor: str
    #: The system actor of an automatic step (``SystemActor``), or None for a person's act.
    system: str | None = None
    events: list[NewEvent] = field(default_factory=list)

    def emit(
        self,
        topic: str,
        entity: str,
        entity_id: object,
        payload: Mapping[str, Any] | None = None,
        *,
        incident_id: int | None = None,
        at: datetime | None = None,
        actor: str | None = None,
    ) -> None:
        self.events.append(
            NewEvent(topic, entity, str(entity_id), dict(payload or {}), incident_id, at, actor)
        )


@contextmanager
def unit_of_work(
    context: ServiceContext, *, system: SystemActor | None = None
) -> Iterator[UnitOfWork]:
    """Run a service call as one transaction whose events commit with it, or not at all.

    An automatic step names its ``system`` actor: its events are recorded as that system,
    with the process that ran it in their payloads, never as the person whose computer ran it.
    Database failures leave as :class:`WarroomError` sentences; nothing is half-written.
    """
    try:
        with context.database.transaction() as session:
            work = UnitOfWork(session, context.clock.now(), context.actor, system)
            yield work
            session.flush()
            append_events(session, context.actor, work.now, work.events, system=system)
    except WarroomError:
        raise
    except StaleDataError:
        raise ConflictError(
            "Someone else changed this in the meantime; reload it and try again."
        ) from None
    except sqlalchemy.exc.IntegrityError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ValidationError(f"The database refused the change: {detail}") from None
    except sqlalchemy.exc.DBAPIError as exc:
        raise explain_database_error(exc, context.database.url) from exc


@contextmanager
def reading(context: ServiceContext) -> Iterator[Session]:
    """A read-only session whose database failures leave as sentences."""
    try:
        with context.database.reading() as session:
            yield session
    except WarroomError:
        raise
    except sqlalchemy.exc.DBAPIError as exc:
        raise explain_database_error(exc, context.database.url) from exc
