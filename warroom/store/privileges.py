"""A least-privilege PostgreSQL role for the people who use warroom.

``warroom db upgrade`` runs as the schema's owner, and the owner may do anything: TRUNCATE
the audit log, drop tables, rewrite history. Everyone else should connect as a role that can
do what the app does and nothing more, which is what :func:`grant_client_role` makes:

* read every table, insert and update rows in them;
* delete rows only where the app deletes: the roster and the runbook library, which an
  import makes match its file (:data:`DELETABLE_TABLES`). Pages, incidents, their roles,
  transcripts, ticks and notifications are history and are never deleted (deleting an
  incident would also take its transcript with it, through the foreign keys);
* only read and insert in ``events`` (the audit log and the timeline) and
  ``transcript_revisions`` (the scribe's edit history): history is appended, never changed;
* only read ``alembic_version``, so a client can check the schema but not claim another;
* use the sequences that hand out ids;
* nothing else: no TRUNCATE, REFERENCES or TRIGGER, and no DDL, because the role owns
  nothing and may not create in the schema (``CREATE`` on it is revoked from ``PUBLIC``,
  as PostgreSQL 15 does for new databases anyway).

The grant is exact and idempotent: each run first revokes what the role holds on the schema's
tables and sequences, then grants the list above for the tables that exist now, in one
transaction.

Tables made by later migrations: a grant covers the tables that exist when it runs, so
:func:`warroom.store.schema.upgrade` re-applies these grants, in the migration's own
transaction, to every role that already holds them (the roles allowed to insert into
``events``). ``ALTER DEFAULT PRIVILEGES`` was the alternative and is not used: it would hand
UPDATE and DELETE on every future table to clients, a future append-only table included, and
only for tables created by the role named when the default was set. Re-running
``warroom db grant ROLE`` after an upgrade is harmless but not needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from warroom.domain.errors import ValidationError, WarroomError
from warroom.store.database import Database, explain_database_error

#: History: clients append to these tables and never change them.
APPEND_ONLY_TABLES = frozenset({"events", "transcript_revisions"})
#: Where the app deletes rows: what a roster or runbook import replaces or removes. A new
#: table the app must delete from is added here; any other table is never deleted from.
DELETABLE_TABLES = frozenset(
    {
        "teams",
        "team_memberships",
        "person_expertise",
        "support_hours",
        "support_windows",
        "schedules",
        "rotation_layers",
        "layer_members",
        "layer_restrictions",
        "schedule_overrides",
        "escalation_policies",
        "escalation_levels",
        "escalation_targets",
        "services",
        "runbook_steps",
        "runbook_services",
        "update_templates",
        "delivery_targets",
        # the roster file's pace per severity: a severity it leaves out goes back to defaults
        "severity_policies",
        # an open war room's heartbeat row, deleted when the desktop closes it
        "presence",
    }
)
#: Clients may read these and nothing more.
READ_ONLY_TABLES = frozenset({"alembic_version"})


@dataclass(frozen=True)
class ClientGrant:
    role: str
    created: bool  # a new NOLOGIN role (a group to grant to each person's login)
    tables: int

    def describe(self) -> str:
        made = (
            f"Created the role {self.role} (it cannot log in; give it to each person's login "
            f"with GRANT {self.role} TO their_login). "
            if self.created
            else ""
        )
        return (
            f"{made}{self.role} may now read the {self.tables} warroom tables and write what the "
            "app writes; it may not truncate, alter or drop anything, delete history, nor "
            "change events or transcript revisions. `warroom db upgrade` keeps these grants "
            "up to date."
        )


def grant_client_role(database: Database, role: str) -> ClientGrant:
    """Make ``role`` (created as a NOLOGIN group role if missing) a least-privilege client."""
    if not database.is_postgresql:
        raise WarroomError(
            "Roles and grants are for a shared PostgreSQL database; an embedded SQLite file "
            "has no logins to restrict."
        )
    _check_name(role)
    try:
        with database.engine.begin() as connection:
            created = _ensure_role(connection, role)
            tables = apply_client_grants(connection, role)
    except WarroomError:
        raise
    except Exception as exc:
        raise explain_database_error(exc, database.url) from exc
    return ClientGrant(role, created, tables)


def client_roles(connection: Connection) -> list[str]:
    """The roles that hold client grants now: those, other than the owner, that may insert
    into ``events``."""
    return list(
        connection.execute(
            text(
                "SELECT DISTINCT r.rolname FROM pg_class c "
                "CROSS JOIN LATERAL aclexplode(c.relacl) a "
                "JOIN pg_roles r ON r.oid = a.grantee "
                "WHERE c.oid = to_regclass('events') AND a.privilege_type = 'INSERT' "
                "AND a.grantee <> c.relowner ORDER BY r.rolname"
            )
        ).scalars()
    )


def apply_client_grants(connection: Connection, role: str) -> int:
    """Set ``role``'s privileges on the current schema to exactly the client's; returns how
    many tables it covers. Runs in the caller's transaction."""
    schema = str(connection.exec_driver_sql("SELECT current_schema()").scalar_one())
    owner_or_super = connection.execute(
        text(
            "SELECT r.rolsuper OR EXISTS (SELECT 1 FROM pg_tables t "
            "WHERE t.schemaname = :schema AND t.tableowner = r.rolname) "
            "FROM pg_roles r WHERE r.rolname = :role"
        ),
        {"schema": schema, "role": role},
    ).scalar()
    if owner_or_super:
        raise ValidationError(
            f"{role} owns warroom's tables or is a superuser, so no grant can restrict it; "
            "name another role for the clients."
        )
    tables = sorted(
        connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
            {"schema": schema},
        ).scalars()
    )
    quote = connection.dialect.identifier_preparer.quote
    who, where = quote(role), quote(schema)
    database = quote(str(connection.exec_driver_sql("SELECT current_database()").scalar_one()))
    statements = [
        f"REVOKE CREATE ON SCHEMA {where} FROM PUBLIC",
        f"REVOKE ALL ON SCHEMA {where} FROM {who}",
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"GRANT CONNECT ON DATABASE {database} TO {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {who}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {where} FROM {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
    ]
    for table in tables:
        if table in READ_ONLY_TABLES:
            allowed = "SELECT"
        elif table in APPEND_ONLY_TABLES:
            allowed = "SELECT, INSERT"
        elif table in DELETABLE_TABLES:
            allowed = "SELECT, INSERT, UPDATE, DELETE"
        else:
            allowed = "SELECT, INSERT, UPDATE"
        statements.append(f"GRANT {allowed} ON {where}.{quote(table)} TO {who}")
    for statement in statements:
        connection.exec_driver_sql(statement)
    return len(tables)


def _ensure_role(connection: Connection, role: str) -> bool:
    exists = connection.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).scalar()
    if exists:
        return False
    quote = connection.dialect.identifier_preparer.quote
    connection.exec_driver_sql(f"CREATE ROLE {quote(role)} NOLOGIN")
    return True


def _check_name(role: str) -> None:
    if not role or len(role.encode()) > 63 or "\x00" in role:
        raise ValidationError(f"'{role}' is not a PostgreSQL role name (1 to 63 bytes).")
    if role.lower().startswith("pg_") or role.lower() == "public":
        raise ValidationError(f"'{role}' is reserved by PostgreSQL; choose another role name.")
