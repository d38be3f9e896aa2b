"""The change feed's storage side: appending events, reading them gap-free, waking readers.

The contract (DESIGN.md): every committed event reaches every reader exactly once, in one
stable order, whatever the concurrency. On PostgreSQL sequence ids are handed out when rows
are inserted, not when transactions commit, so a reader that simply remembers "the highest id
seen" skips events whose transaction committed late. Readers here order by ``(tx, id)``,
where ``tx`` is the writing transaction's id, and read only events whose transaction is older
than the oldest transaction still in flight (``pg_snapshot_xmin``). Everything below that
horizon is final: committed and visible, or rolled back and gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

import psycopg
from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    literal_column,
    or_,
    tuple_,
)
from sqlalchemy import select as sql_select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from warroom.domain.events import Cursor, FeedEvent, NewEvent
from warroom.store.base import UtcDateTime
from warroom.store.database import WRITER_LOCK
from warroom.store.models import Event

NOTIFY_CHANNEL = "warroom_events"

_PG_CURRENT_TX = "pg_current_xact_id()::text::bigint"
#: The id the next transaction of the cluster will get: nothing at or above it has begun.
_PG_NEXT_TX = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
#: The (32-bit) ids of this database's writers still in flight: transactions holding the
#: writer lock that have been given an id.
_PG_WRITERS = """
SELECT held.transactionid::text
FROM pg_locks AS writer
JOIN pg_locks AS held
  ON held.virtualtransaction = writer.virtualtransaction AND held.locktype = 'transactionid'
WHERE writer.locktype = 'advisory'
  AND writer.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND writer.classid = %(key1)s AND writer.objid = %(key2)s AND writer.objsubid = 2
"""


#: The computer this process runs on, named in the ``run_by`` of automatic steps.
HOST = socket.gethostname()[:64]


def append_events(
    session: Session,
    actor: str,
    at: datetime,
    events: Sequence[NewEvent],
    *,
    system: str | None = None,
) -> None:
    """Append events inside the caller's transaction; on PostgreSQL also NOTIFY on commit.

    On PostgreSQL the recorded actor is the database login, not the name the client claims.
    An automatic step passes ``system`` (a system actor): that is the events' actor, and the
    process that ran the step (its login and host) goes in each payload as ``run_by``.
    """
    if not events:
        return
    if session.get_bind().dialect.name == "postgresql":
        _copy_events(session, at, events, system)
        return
    session.execute(
        insert(Event),
        [
            {
                "at": event.at or at,
                "incident_id": event.incident_id,
                "topic": event.topic,
                "entity": event.entity,
                "entity_id": event.entity_id,
                "payload": _with_run_by(event.payload, actor) if system else dict(event.payload),
                "tx": 0,
                "actor": event.actor or system or actor,
            }
            for event in events
        ],
    )


def _with_run_by(payload: Mapping[str, Any], login: str) -> dict[str, Any]:
    return {**payload, "run_by": {"login": login, "host": HOST}}


def _copy_events(
    session: Session, at: datetime, events: Sequence[NewEvent], system: str | None
) -> None:
    """COPY the rows in: an escalation sweep appends thousands, and COPY is ~4x an INSERT.

    The transaction id, the login and the NOTIFY (delivered at commit, and only then; empty,
    since readers query anyway) come from one round trip before it.
    """
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with driver.cursor() as cursor:
        cursor.execute(
            f"SELECT {_PG_CURRENT_TX}, session_user, pg_notify(%s, '')",
            (NOTIFY_CHANNEL,),
        )
        tx, login, _ = cursor.fetchone() or (0, "", None)
        with cursor.copy(
            "COPY events (tx, at, actor, incident_id, topic, entity, entity_id, payload) FROM STDIN"
        ) as copy:
            for event in events:
                when = event.at or at
                if when.tzinfo is None:
                    raise ValueError(f"naive datetime {when!r} given where UTC is required")
                copy.write_row(
                    (
                        tx,
                        when,
                        event.actor or system or login,
                        event.incident_id,
                        event.topic,
                        event.entity,
                        event.entity_id,
                        json.dumps(_with_run_by(event.payload, login)) if system else event.encoded,
                    )
                )


def json_object(session: Session, fields: Mapping[str, Any]) -> ColumnElement[Any]:
    """A JSON object the database builds, from column expressions and plain values.

    For events appended with :func:`append_events_from`: a payload per row without a round
    trip through Python. Lists and mappings among the values are embedded as JSON.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    arguments: list[Any] = []
    for key, value in fields.items():
        arguments.append(literal(key, String))
        if isinstance(value, ColumnElement) or hasattr(value, "__clause_element__"):
            arguments.append(value)  # a column or an expression, mapped attributes included
        elif isinstance(value, list | tuple | dict):
            encoded = literal(json.dumps(value), String)
            arguments.append(cast(encoded, postgresql.JSON) if postgres else func.json(encoded))
        else:
            arguments.append(literal(value))
    return func.json_build_object(*arguments) if postgres else func.json_object(*arguments)


def append_events_from(
    session: Session,
    actor: str,
    at: datetime,
    topic: str,
    entity: str,
    rows: Select[Any],
    *,
    system: str | None = None,
) -> None:
    """Append one event per row of ``rows`` (entity id, incident id, payload), all made by
    the database: an escalation sweep announces thousands of pages this way in one statement.

    The payloads must be small by construction (the caller bounds every text in them); they
    skip the size check :class:`NewEvent` makes. With ``system``, as in
    :func:`append_events`: the system is the actor; the caller puts :func:`run_by` in the
    payloads.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    source = rows.subquery()
    entity_id, incident_id, payload = source.c
    if system:
        who: Any = literal(system, String)
    else:
        who = literal_column("session_user") if postgres else literal(actor, String)
    session.execute(
        insert(Event).from_select(
            ["tx", "at", "actor", "incident_id", "topic", "entity", "entity_id", "payload"],
            sql_select(
                literal_column(_PG_CURRENT_TX) if postgres else literal(0),
                literal(at, UtcDateTime),
                who,
                incident_id,
                literal(topic, String),
                literal(entity, String),
                cast(entity_id, String),
                payload,
            ),
        )
    )
    if postgres:
        session.execute(sql_select(func.pg_notify(NOTIFY_CHANNEL, "")))


def run_by(session: Session, actor: str) -> ColumnElement[Any]:
    """The ``run_by`` of an automatic step's payload, built by the database: the login
    (PostgreSQL's ``session_user``; on SQLite the configured user) and this host."""
    postgres = session.get_bind().dialect.name == "postgresql"
    login: Any = literal_column("session_user") if postgres else literal(actor, String)
    return json_object(session, {"login": login, "host": HOST})


def pg_horizon(connection: Connection) -> int:
    """The transaction id below which every event is final on PostgreSQL: committed and
    visible, or rolled back and gone.

    It is the next id to be handed out, or the oldest of this database's event writers
    still in flight if that is lower. Two statements, in this order, each with its own
    snapshot (READ COMMITTED), before the events are read with a third: a writer that is not
    holding the writer lock when the second looks has either ended (so the third statement
    sees its commit) or had no id yet (so its id will be at least the first statement's).
    Only this database's writers count: the cluster-wide ``pg_snapshot_xmin`` would let any
    long transaction anywhere on the server hold every desktop's live updates back.
    """
    next_tx = int(connection.exec_driver_sql(_PG_NEXT_TX).scalar_one())
    writers = connection.exec_driver_sql(
        _PG_WRITERS, {"key1": WRITER_LOCK[0], "key2": WRITER_LOCK[1]}
    ).scalars()
    return min([next_tx, *(_widen(int(xid), next_tx) for xid in writers)])


def _widen(xid: int, reference: int) -> int:
    """A 32-bit transaction id as the 64-bit one (epoch included) nearest below
    ``reference``, which is where every transaction still in flight is."""
    full = (reference & ~0xFFFFFFFF) | xid
    return full - (1 << 32) if full > reference else full


def _horizon(connection: Connection) -> int | None:
    """Read only events of transactions below this id (PostgreSQL); None: read everything."""
    if connection.dialect.name != "postgresql":
        return None  # SQLite serialises writers: id order is commit order
    return pg_horizon(connection)


_EVENTS = Event.__table__
_COLUMNS = (
    _EVENTS.c.id,
    _EVENTS.c.tx,
    _EVENTS.c.at,
    _EVENTS.c.actor,
    _EVENTS.c.topic,
    _EVENTS.c.entity,
    _EVENTS.c.entity_id,
    _EVENTS.c.payload,
    _EVENTS.c.incident_id,
)


def _to_feed_event(row: Any) -> FeedEvent:
    return FeedEvent(
        id=row.id,
        tx=row.tx,
        at=row.at,
        actor=row.actor,
        topic=row.topic,
        entity=row.entity,
        entity_id=row.entity_id,
        payload=row.payload or {},
        incident_id=row.incident_id,
    )


# Readers use Core, not the ORM: every client runs these on every commit anywhere in the
# team, so their cost is multiplied by the number of desktops.


_AFTER = (
    sql_select(*_COLUMNS)
    .where(tuple_(_EVENTS.c.tx, _EVENTS.c.id) > tuple_(bindparam("tx"), bindparam("id")))
    .order_by(_EVENTS.c.tx, _EVENTS.c.id)
    .limit(bindparam("limit"))
)
_AFTER_BELOW_HORIZON = _AFTER.where(_EVENTS.c.tx < bindparam("horizon"))


def read_after(connection: Connection, cursor: Cursor, limit: int = 500) -> list[FeedEvent]:
    """Committed events after ``cursor``, oldest first, never skipping a late committer.

    The statements are built once: this runs on every desktop for every commit anywhere.
    """
    parameters = {"tx": cursor.tx, "id": cursor.id, "limit": limit}
    query = _AFTER
    horizon = _horizon(connection)
    if horizon is not None:
        query, parameters["horizon"] = _AFTER_BELOW_HORIZON, horizon
    rows = connection.execute(query, parameters)
    return [_to_feed_event(row) for row in rows]


def read_latest(connection: Connection, limit: int) -> tuple[list[FeedEvent], Cursor]:
    """The newest ``limit`` final events (oldest first) and the cursor just after them."""
    query = sql_select(*_COLUMNS).order_by(_EVENTS.c.tx.desc(), _EVENTS.c.id.desc()).limit(limit)
    horizon = _horizon(connection)
    if horizon is not None:
        query = query.where(_EVENTS.c.tx < horizon)
    events = [_to_feed_event(row) for row in connection.execute(query)]
    events.reverse()
    if events:
        return events, events[-1].cursor
    return [], Cursor()  # an empty feed: start before anything


def read_before(connection: Connection, cursor: Cursor, limit: int) -> list[FeedEvent]:
    """Older history for scrolling back: events before ``cursor``, newest first."""
    query = (
        sql_select(*_COLUMNS)
        .where(tuple_(_EVENTS.c.tx, _EVENTS.c.id) < tuple_(cursor.tx, cursor.id))
        .order_by(_EVENTS.c.tx.desc(), _EVENTS.c.id.desc())
        .limit(limit)
    )
    return [_to_feed_event(row) for row in connection.execute(query)]


def events_of(
    connection: Connection, entity: str, entity_id: str, limit: int = 1000
) -> list[FeedEvent]:
    """One thing's history (a page, an incident), oldest first: what happened to it and who
    did it. Everything committed so far, by time: unlike a feed reader, this keeps no cursor,
    so it needs no horizon (which any long transaction in the cluster would hold back)."""
    query = (
        sql_select(*_COLUMNS)
        .where(_EVENTS.c.entity == entity, _EVENTS.c.entity_id == entity_id)
        .order_by(_EVENTS.c.at, _EVENTS.c.id)
        .limit(limit)
    )
    return [_to_feed_event(row) for row in connection.execute(query)]


def incident_events(
    connection: Connection, incident_id: int, page_ids: Sequence[int] = ()
) -> list[FeedEvent]:
    """What happened in an incident, oldest first: its own events, and those of the pages
    linked to it (which were written before they were linked, without the incident)."""
    mine = _EVENTS.c.incident_id == incident_id
    if page_ids:
        mine = or_(
            mine,
            and_(_EVENTS.c.entity == "page", _EVENTS.c.entity_id.in_([str(p) for p in page_ids])),
        )
    query = sql_select(*_COLUMNS).where(mine).order_by(_EVENTS.c.at, _EVENTS.c.id)
    return [_to_feed_event(row) for row in connection.execute(query)]


# ----------------------------------------------------------------------------- waking readers


class Waiter(Protocol):
    """Blocks until something may have been committed, a timeout passes, or it is interrupted."""

    def wait(self, timeout: float) -> bool:
        """True when woken by a (possible) change; False on timeout or interruption."""
        ...

    def interrupt(self) -> None: ...

    def close(self) -> None: ...


class PostgresNotifyWaiter:
    """LISTENs on its own autocommit connection; a NOTIFY from any commit wakes it at once."""

    def __init__(self, url: URL, connect_timeout: float = 5.0) -> None:
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._connection = psycopg.connect(
            conninfo,
            autocommit=True,
            connect_timeout=int(connect_timeout),
            application_name="warroom-listener",
        )
        self._connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
        self._wake_read, self._wake_write = _pipe()

    @property
    def backend_pid(self) -> int:
        return int(self._connection.info.backend_pid)

    def wait(self, timeout: float) -> bool:
        readable, _, _ = select.select(
            [self._connection.fileno(), self._wake_read], [], [], timeout
        )
        if self._wake_read in readable:
            _drain(self._wake_read)
            return False
        if not readable:
            return False
        # Reads what arrived; raises if the server closed the connection.
        got = list(self._connection.notifies(timeout=0.0))
        if not got:
            # Readable but no notification: a dead connection reads as EOF. Probe it.
            self._connection.execute("SELECT 1")
        return True

    def interrupt(self) -> None:
        _poke(self._wake_write)

    def close(self) -> None:
        try:
            self._connection.close()
        finally:
            _close_pipe(self._wake_read, self._wake_write)


class SqliteVersionWaiter:
    """Polls ``PRAGMA data_version``, which changes when any other connection commits.

    The pragma reads a counter in shared memory: a poll every ``interval`` seconds costs a few
    microseconds and never touches the database pages, so this is cheap, not a busy loop.
    """

    def __init__(self, path: str, interval: float = 0.02) -> None:
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._interval = interval
        self._version = self._read_version()
        self._interrupted = threading.Event()

    def _read_version(self) -> int:
        return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def wait(self, timeout: float) -> bool:
        waited = 0.0
        while waited < timeout:
            if self._interrupted.wait(self._interval):
                self._interrupted.clear()
                return False
            waited += self._interval
            version = self._read_version()
            if version != self._version:
                self._version = version
                return True
        return False

    def interrupt(self) -> None:
        self._interrupted.set()

    def close(self) -> None:
        self._connection.close()


def _pipe() -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)
    return read_fd, write_fd


def _poke(fd: int) -> None:
    with contextlib.suppress(BlockingIOError, OSError):
        os.write(fd, b"x")


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except (BlockingIOError, OSError):
        pass


def _close_pipe(*fds: int) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
