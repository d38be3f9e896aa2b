"""The migration history builds the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url

from warroom.store.base import Base
from warroom.store.database import Database
from warroom.store.schema import (
    SchemaError,
    check_schema,
    current_revision,
    ensure_schema,
    head_revision,
    upgrade,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path) -> Database:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        url = request.getfixturevalue("empty_postgres_url")
    db = Database(make_url(url))
    yield db
    db.dispose()


def test_migrating_an_empty_database_gives_exactly_the_models(empty_database: Database) -> None:
    before, after = upgrade(empty_database)
    assert (before, after) == (None, head_revision())
    with empty_database.engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_upgrading_twice_changes_nothing(empty_database: Database) -> None:
    upgrade(empty_database)
    assert upgrade(empty_database) == (head_revision(), head_revision())


def test_a_database_without_schema_says_to_run_db_upgrade(empty_database: Database) -> None:
    with pytest.raises(SchemaError, match="warroom db upgrade"):
        check_schema(empty_database)


def test_a_database_from_a_newer_warroom_is_refused(empty_database: Database) -> None:
    upgrade(empty_database)
    with empty_database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(SchemaError, match=r"newer warroom.*upgrade warroom"):
        check_schema(empty_database)
    with pytest.raises(SchemaError, match="newer warroom"):
        upgrade(empty_database)
    with empty_database.engine.connect() as connection:
        assert current_revision(connection) == "9999_future"  # untouched


def test_embedded_sqlite_is_migrated_on_start_but_postgresql_is_not(
    empty_database: Database,
) -> None:
    if empty_database.is_postgresql:
        with pytest.raises(SchemaError, match="warroom db upgrade"):
            ensure_schema(empty_database)
    else:
        assert ensure_schema(empty_database) == head_revision()


def test_sqlite_connections_use_wal_foreign_keys_and_full_sync(tmp_path) -> None:
    db = Database(make_url(f"sqlite:///{tmp_path / 'x.db'}"))
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    db.dispose()
