"""Many rows in one statement, whatever the number.

SQLAlchemy sends a multi-row INSERT as one ``VALUES`` list with a placeholder per value, and
psycopg parses every such statement afresh (it only caches short ones): for a webhook
delivery of 50 alerts that parse was a third of the delivery's time. On PostgreSQL the rows
go as a single JSON parameter instead, expanded by ``json_to_recordset`` on the server, so
the statement text is the same for every batch size. SQLite has no such parse cost and
takes the rows as they are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    Text,
    TextClause,
    bindparam,
    cast,
    column,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql._typing import _ColumnsClauseArgument


def _encode(value: object) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given where UTC is required")
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dialect_insert(session: Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The database's own INSERT, the one that knows ON CONFLICT."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_many(
    session: Session,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    returning: Sequence[_ColumnsClauseArgument[Any]],
    *,
    skip_conflicts_on: Sequence[str] = (),
    conflict_where: ColumnElement[bool] | TextClause | None = None,
) -> list[tuple[Any, ...]]:
    """INSERT ``rows`` (all with the same keys) and return ``returning`` of those inserted.

    With ``skip_conflicts_on`` a row that would violate that unique index (a partial one with
    ``conflict_where``, spelled as the index spells it) is skipped, and is absent from what
    comes back.
    """
    if not rows:
        return []
    names = list(rows[0])
    if session.get_bind().dialect.name != "postgresql":
        plain = dialect_insert(session, table)
        if skip_conflicts_on:
            plain = plain.on_conflict_do_nothing(
                index_elements=list(skip_conflicts_on), index_where=conflict_where
            )
        return [tuple(r) for r in session.execute(plain.returning(*returning), list(rows))]
    encoded = json.dumps([dict(row) for row in rows], default=_encode)
    source = (
        func.json_to_recordset(cast(bindparam("rows", encoded, type_=Text), postgresql.JSON))
        .table_valued(*(column(name, table.c[name].type) for name in names))
        .render_derived(name="row", with_types=True)
    )
    statement = postgresql.insert(table).from_select(names, select(*source.c))
    if skip_conflicts_on:
        statement = statement.on_conflict_do_nothing(
            index_elements=list(skip_conflicts_on), index_where=conflict_where
        )
    return [tuple(r) for r in session.execute(statement.returning(*returning))]
