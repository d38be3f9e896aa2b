"""The change feed's contract: every committed event reaches a reader exactly once, in order.

The dangerous case is PostgreSQL, where a transaction can take a low sequence id and commit
after transactions with higher ids. ``test_a_late_committer_is_not_skipped`` builds that case
deterministically; ``test_the_late_commit_scenario_catches_a_reader_without_the_horizon``
shows the same scenario loses an event once the gap-safe horizon is taken out, so the tests
would fail if that logic were removed.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from warroom.domain.events import Cursor, FeedEvent, NewEvent
from warroom.engine.feed_listener import FeedListener
from warroom.store import feed
from warroom.store.database import Database, take_writer_lock
from warroom.store.feed import append_events, read_after, read_before, read_latest
from warroom.store.models import Event

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
START = Cursor()


def _write(database: Database, n: int = 1, topic: str = "test.written") -> None:
    with database.transaction() as session:
        append_events(
            session,
            "tester",
            NOW,
            [NewEvent(topic, "thing", str(i), {"i": i}) for i in range(n)],
        )


def _committed_ids(database: Database) -> list[int]:
    with database.reading() as session:
        return list(session.scalars(select(Event.id).order_by(Event.tx, Event.id)))


def _read_all(database: Database, cursor: Cursor = START) -> list[FeedEvent]:
    with database.read_engine.connect() as connection:
        return read_after(connection, cursor, 10_000)


def test_events_come_back_in_order_with_their_payload(database: Database) -> None:
    _write(database, 3)
    events = _read_all(database)
    assert [e.payload["i"] for e in events] == [0, 1, 2]
    assert all(e.at == NOW and e.topic == "test.written" for e in events)
    assert [e.cursor for e in events] == sorted(e.cursor for e in events)


def test_reading_after_a_cursor_returns_only_newer_events(database: Database) -> None:
    _write(database, 2)
    first = _read_all(database)
    _write(database, 1, topic="test.later")
    newer = _read_all(database, first[-1].cursor)
    assert [e.topic for e in newer] == ["test.later"]


def test_latest_and_before_page_through_history(database: Database) -> None:
    for _ in range(5):
        _write(database, 1)
    with database.read_engine.connect() as connection:
        latest, cursor = read_latest(connection, 2)
        older = read_before(connection, latest[0].cursor, 10)
    everything = _committed_ids(database)
    assert [e.id for e in latest] == everything[-2:]
    assert cursor == latest[-1].cursor
    assert [e.id for e in older] == list(reversed(everything[:-2]))


def test_a_rolled_back_transaction_leaves_no_event(database: Database) -> None:
    with pytest.raises(RuntimeError), database.transaction() as session:
        append_events(session, "tester", NOW, [NewEvent("test.lost", "thing", "1")])
        raise RuntimeError("the use case failed after appending")
    assert _read_all(database) == []


def test_events_are_append_only_in_the_database(database: Database) -> None:
    _write(database, 1)
    for statement in ("UPDATE events SET actor = 'mallory'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
            session.execute(text(statement))
    assert len(_read_all(database)) == 1


def test_on_postgresql_the_actor_is_the_database_login(database: Database) -> None:
    _write(database, 1)
    [event] = _read_all(database)
    if database.is_postgresql:
        with database.reading() as session:
            login = session.execute(text("SELECT session_user")).scalar_one()
        assert event.actor == login
    else:
        assert event.actor == "tester"


# ----------------------------------------------------------------------------- late committers


@pytest.fixture
def postgres_database(postgres_url: str):
    from sqlalchemy.engine import make_url

    db = Database(make_url(postgres_url))
    yield db
    db.dispose()


def _late_commit_scenario(database: Database, reader) -> list[int]:
    """A takes the lower id and commits last; the reader looks in between. Returns what it saw."""
    seen: list[FeedEvent] = []
    cursor = Cursor()

    def read() -> None:
        nonlocal cursor
        batch = reader(database, cursor)
        seen.extend(batch)
        if batch:
            cursor = batch[-1].cursor

    with database.engine.connect() as a:
        a_tx = a.begin()
        take_writer_lock(a)  # as every writer's transaction does first
        with database.transaction() as s:  # a warm-up so ids are not all 1
            append_events(s, "t", NOW, [NewEvent("test.warmup", "thing", "0")])
        from sqlalchemy.orm import Session

        session_a = Session(a)
        append_events(session_a, "a", NOW, [NewEvent("test.a", "thing", "a")])
        session_a.flush()
        _write(database, 1, topic="test.b")  # B: higher id, commits first
        read()
        a_tx.commit()
    read()
    read()
    return [e.id for e in seen]


def test_a_late_committer_is_not_skipped(postgres_database: Database) -> None:
    seen = _late_commit_scenario(postgres_database, _read_all)
    assert sorted(seen) == _committed_ids(postgres_database)
    assert len(seen) == len(set(seen)) == 3


def test_the_late_commit_scenario_catches_a_reader_without_the_horizon(
    postgres_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed, "_horizon", lambda connection: None)
    seen = _late_commit_scenario(postgres_database, _read_all)
    assert set(seen) != set(_committed_ids(postgres_database)), (
        "without the horizon the late committer must be skipped, or this scenario proves nothing"
    )


def test_a_long_transaction_elsewhere_on_the_server_does_not_hold_the_feed_back(
    postgres_database: Database, empty_postgres_url: str
) -> None:
    """Another application's transaction, in another database of the same server, has a
    transaction id and stays open; warroom's committed events are still read at once."""
    from sqlalchemy.engine import make_url

    other = Database(make_url(empty_postgres_url))
    try:
        with other.engine.connect() as elsewhere:
            elsewhere.begin()
            elsewhere.execute(text("CREATE TABLE busy (n int)"))  # holds a transaction id
            elsewhere.execute(text("SELECT pg_current_xact_id()"))
            _write(postgres_database, 2, topic="test.meanwhile")
            assert [e.topic for e in _read_all(postgres_database)] == ["test.meanwhile"] * 2
            elsewhere.rollback()
    finally:
        other.dispose()


# ----------------------------------------------------------------------------- concurrency

WRITERS = 8
TRANSACTIONS_PER_WRITER = 30


def test_concurrent_writers_are_delivered_exactly_once_in_order(database: Database) -> None:
    """8 writer threads commit out of order (random pauses after appending); 1 listener reads."""
    delivered: list[FeedEvent] = []
    lock = threading.Lock()

    def on_events(events: list[FeedEvent]) -> None:
        with lock:
            delivered.extend(events)

    listener = FeedListener(database, on_events, start_after=Cursor(), slow_poll=0.05)
    listener.start()
    errors: list[BaseException] = []

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for n in range(TRANSACTIONS_PER_WRITER):
                try:
                    with database.transaction() as session:
                        append_events(
                            session,
                            f"w{seed}",
                            NOW,
                            [
                                NewEvent("test.concurrent", "writer", f"{seed}-{n}-{k}")
                                for k in range(rng.randint(1, 3))
                            ],
                        )
                        time.sleep(rng.random() * 0.004)  # hold the transaction open a little
                        if n % 7 == 3:
                            raise _AbortError
                except _AbortError:
                    pass
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    committed = _committed_ids(database)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with lock:
            if len(delivered) >= len(committed):
                break
        time.sleep(0.01)
    listener.stop()
    ids = [e.id for e in delivered]
    assert len(ids) == len(set(ids)), "an event was delivered twice"
    assert sorted(ids) == sorted(committed), "an event was never delivered"
    assert [e.cursor for e in delivered] == sorted(e.cursor for e in delivered)
    aborted = WRITERS * len([n for n in range(TRANSACTIONS_PER_WRITER) if n % 7 == 3])
    assert len({e.entity_id.rsplit("-", 1)[0] for e in delivered}) == (
        WRITERS * TRANSACTIONS_PER_WRITER - aborted
    )


class _AbortError(Exception):
    pass
