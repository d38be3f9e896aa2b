"""Claiming pages: conditional updates that only take rows still as they were seen.

Both hot paths are set-based because both come in floods: a webhook delivery and a sweep each
claim every page that takes the same step with one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import BigInteger, ColumnElement, CursorResult, Table, any_, bindparam, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from warroom.domain.vocabulary import PageState
from warroom.store.bulk import dialect_insert
from warroom.store.models import Notification, Page

TRIGGERED = PageState.TRIGGERED.value
DEFERRED = PageState.DEFERRED.value
ACKNOWLEDGED = PageState.ACKNOWLEDGED.value
RESOLVED = PageState.RESOLVED.value
PAGES = cast(Table, Page.__table__)
NOTIFICATIONS = cast(Table, Notification.__table__)


def claimed_count(session: Session, statement: Any) -> int:
    """Run a conditional UPDATE and say how many rows it claimed (0: someone else did)."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(cast(CursorResult[Any], result).rowcount)


def id_in(session: Session, ids: Sequence[int]) -> ColumnElement[bool]:
    """``pages.id`` among ``ids``: one array parameter on PostgreSQL, an IN list on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return Page.id == any_(bindparam("page_ids", list(ids), type_=postgresql.ARRAY(BigInteger)))
    return Page.id.in_(ids)


def insert_ignoring_duplicates(session: Session) -> Any:
    """INSERT for notifications that skips a (page, round, level, person) already told."""
    return dialect_insert(session, NOTIFICATIONS).on_conflict_do_nothing()


def claim(
    session: Session, page_ids: Sequence[int], seen: Sequence[Any], **values: Any
) -> list[int]:
    """Take the pages among ``page_ids`` that are still as they were ``seen``; their ids."""
    return list(
        session.scalars(
            update(Page)
            .where(id_in(session, page_ids), *seen)
            .values(**values, version=Page.version + 1)
            .returning(Page.id)
            .execution_options(synchronize_session=False)
        )
    )
