"""Creating and checking the schema: Alembic driven from code, no alembic.ini to find."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from warroom.domain.errors import WarroomError
from warroom.store.database import Database, explain_database_error
from warroom.store.privileges import apply_client_grants, client_roles


class SchemaError(WarroomError):
    """The database's schema is missing, older or newer than this build of warroom."""


def _alembic_config() -> Config:
    config = Config()
    location = resources.files("warroom.store") / "migrations"
    config.set_main_option("script_location", str(Path(str(location))))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "the migration history is empty"
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(database: Database, revision: str = "head") -> tuple[str | None, str]:
    """Migrate to ``revision``; returns (revision before, revision after).

    On PostgreSQL the least-privilege client roles (:mod:`warroom.store.privileges`) get
    their grants re-applied in the same transaction, so tables a migration adds are theirs to
    use the moment it commits, on the same terms as the rest.
    """
    try:
        with database.engine.begin() as connection:
            before = current_revision(connection)
            if before is not None and before not in known_revisions():
                raise _too_new(database, before)
            clients = client_roles(connection) if database.is_postgresql else []
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            for role in clients:
                apply_client_grants(connection, role)
            after = current_revision(connection)
    except WarroomError:
        raise
    except Exception as exc:
        raise explain_database_error(exc, database.url) from exc
    assert after is not None
    return before, after


def check_schema(database: Database) -> str:
    """Make sure this build can use the database; returns its revision or says what to do."""
    try:
        with database.read_engine.connect() as connection:
            revision = current_revision(connection)
    except Exception as exc:
        raise explain_database_error(exc, database.url) from exc
    head = head_revision()
    if revision == head:
        return head
    if revision is None:
        raise SchemaError(
            f"The database {database.display_url} has no warroom schema yet; run "
            "`warroom db upgrade` (or `warroom demo` to fill it with a demo organisation)."
        )
    if revision not in known_revisions():
        raise _too_new(database, revision)
    raise SchemaError(
        f"The database {database.display_url} has an older warroom schema ({revision}); run "
        f"`warroom db upgrade` to bring it to {head}."
    )


def ensure_schema(database: Database) -> str:
    """Embedded SQLite is migrated on the spot; a shared PostgreSQL only by `db upgrade`.

    Migrating a team's shared database is a decision for whoever runs ``warroom db upgrade``,
    not a side effect of one teammate starting a newer client.
    """
    if database.dialect == "sqlite":
        try:
            with database.read_engine.connect() as connection:
                revision = current_revision(connection)
        except Exception as exc:
            raise explain_database_error(exc, database.url) from exc
        if revision != head_revision():
            upgrade(database)
    return check_schema(database)


def _too_new(database: Database, revision: str) -> SchemaError:
    return SchemaError(
        f"The database {database.display_url} was migrated by a newer warroom (schema "
        f"{revision}, this build knows up to {head_revision()}); upgrade warroom on this computer."
    )
