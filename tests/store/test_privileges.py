"""The least-privilege client role on PostgreSQL: the app's work succeeds as that role, and
TRUNCATE, UPDATE and DELETE of history, and DDL, are refused by the database itself."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import select
from sqlalchemy.engine import URL, make_url

from warroom.domain.alerts import AlertIn
from warroom.domain.clock import FakeClock
from warroom.domain.errors import ValidationError, WarroomError
from warroom.domain.roster_file import parse_roster
from warroom.services.context import ServiceContext
from warroom.services.demo import demo_roster_text, seed_demo
from warroom.services.oncall import who_is_on_call
from warroom.services.paging.escalation import sweep
from warroom.services.paging.ingest import ingest
from warroom.services.paging.responses import acknowledge
from warroom.services.roster import import_roster
from warroom.store.database import Database
from warroom.store.feed import read_latest
from warroom.store.models import Event, Page
from warroom.store.privileges import grant_client_role
from warroom.store.schema import upgrade

PASSWORD = "client-password"


@dataclass
class Roles:
    admin_url: URL
    client: str  # the group role the grant makes
    login: str  # a person's login, a member of it

    def conninfo(self, user: str | None = None) -> str:
        url = self.admin_url.set(drivername="postgresql")
        if user is not None:
            url = url.set(username=user, password=PASSWORD)
        return url.render_as_string(hide_password=False)

    @property
    def login_url(self) -> URL:
        return self.admin_url.set(username=self.login, password=PASSWORD)


@pytest.fixture
def _cluster_roles() -> Iterator[dict[str, Any]]:
    """Drops the test's roles, which belong to the whole cluster, after the test database.

    Set up before ``postgres_url``, so torn down after it: once the database is gone nothing
    depends on the roles, and dropping them needs no more than CREATEROLE (DROP OWNED would
    need membership in them, which the CI login does not have).
    """
    made: dict[str, Any] = {}
    yield made
    if "url" not in made:
        return
    admin = make_url(made["url"]).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        for role in made["names"]:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def roles(_cluster_roles: dict[str, Any], postgres_url: str) -> Roles:
    tag = uuid.uuid4().hex[:8]
    made = Roles(make_url(postgres_url), f"warroom_client_{tag}", f"alice_{tag}")
    _cluster_roles.update(url=postgres_url, names=(made.login, made.client))
    return made


def _login_as_member(roles: Roles) -> None:
    with psycopg.connect(roles.conninfo(), autocommit=True) as admin:
        admin.execute(
            f'CREATE ROLE "{roles.login}" LOGIN PASSWORD \'{PASSWORD}\' IN ROLE "{roles.client}"'
        )


def _refused(conninfo: str, statement: str) -> type[Exception]:
    """Run ``statement`` and return the kind of refusal; fails the test if it was allowed."""
    with psycopg.connect(conninfo) as connection:
        try:
            connection.execute(statement)
        except psycopg.Error as error:
            connection.rollback()
            return type(error)
    raise AssertionError(f"the database allowed: {statement}")


def test_the_client_role_does_the_apps_work_and_nothing_more(roles: Roles) -> None:
    admin = Database(roles.admin_url)
    grant = grant_client_role(admin, roles.client)
    assert grant.created
    assert "GRANT" in grant.describe()
    _login_as_member(roles)

    client = Database(roles.login_url)
    context = ServiceContext(client, roles.login, FakeClock())
    try:
        # What the app does: seed (roster import, runbooks, incidents, pages), change the
        # roster, acknowledge a page, run the escalation sweep, read the roster and the feed.
        seed_demo(context)
        today = context.clock.now().date()
        me = f"  - {{handle: {roles.login}, name: Alice, time_zone: Europe/London}}\n"
        spec = parse_roster(  # the login is a person of the roster: on PostgreSQL it acts
            demo_roster_text()
            .replace("name: Amara Okafor", "name: Amara Okafor-Reid")
            .replace("people:\n", "people:\n" + me, 1),
            "org.yaml",
            today=today,
        )
        assert "person amara" in import_roster(context, spec).changed
        with client.reading() as session:
            page_id = session.scalar(select(Page.id).where(Page.state == "triggered"))
        assert page_id is not None
        assert acknowledge(context, page_id)
        delivery = [
            AlertIn("generic", "disk-1", "firing", "Disk full", service="postgres-main"),
            AlertIn("generic", "disk-1", "firing", "Disk full", service="postgres-main"),
        ]
        first = ingest(context, delivery)  # a webhook delivery, its repeat folded into it
        assert len(first.created) + len(first.deferred) == 1
        assert len(ingest(context, delivery[:1]).repeated) == 1
        sweep(context)
        assert who_is_on_call(context)
        # the war room: declare, staff, open it (presence comes and goes), drop a pace
        from dataclasses import replace

        from warroom.services.incidents import lifecycle, presence
        from warroom.services.incidents import roles as incident_roles

        incident = lifecycle.declare(context, title="Checkout 5xx", severity="SEV1").id
        incident_roles.assign(context, incident, "scribe", "tom.h")
        assert presence.heartbeat(context, incident, "desktop-1")
        presence.leave(context, incident, "desktop-1")
        without_pace = replace(spec, severities=spec.severities[:1])
        assert any("incident pace" in r for r in import_roster(context, without_pace).removed)
        with client.engine.connect() as connection:
            events, _cursor = read_latest(connection, 10)
        assert events
        with client.reading() as session:
            actors = set(session.scalars(select(Event.actor)))
        assert roles.login in actors  # the login is who did it
    finally:
        client.dispose()
        admin.dispose()

    as_client = roles.conninfo(roles.login)
    denied = errors.InsufficientPrivilege
    for statement in (
        "TRUNCATE events",
        "TRUNCATE pages CASCADE",
        "UPDATE events SET topic = 'rewritten'",
        "DELETE FROM events",
        "UPDATE transcript_revisions SET body = 'rewritten'",
        "DELETE FROM transcript_revisions",
        "DELETE FROM transcript_entries",
        "DELETE FROM incidents",
        "DELETE FROM pages",
        "UPDATE alembic_version SET version_num = 'mine'",
        "CREATE TABLE intruder (id int)",
        "ALTER TABLE people ADD COLUMN salary int",
        "DROP TABLE pages",
        "CREATE INDEX ix_intruder ON pages (summary)",
    ):
        assert _refused(as_client, statement) is denied, statement

    # The owner is stopped by the trigger: TRUNCATE no longer empties the audit log.
    with psycopg.connect(roles.conninfo()) as owner:
        before = owner.execute("SELECT count(*) FROM events").fetchone()
        with pytest.raises(errors.RaiseException, match="append-only"):
            owner.execute("TRUNCATE events")
        owner.rollback()
        assert owner.execute("SELECT count(*) FROM events").fetchone() == before


def test_the_grant_is_idempotent_and_upgrade_extends_it_to_new_tables(roles: Roles) -> None:
    admin = Database(roles.admin_url)
    try:
        assert grant_client_role(admin, roles.client).created
        again = grant_client_role(admin, roles.client)
        assert not again.created
        _login_as_member(roles)
        as_client = roles.conninfo(roles.login)
        # A later migration adds a table (done by hand here, as the owner, the way one would).
        with admin.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE later_feature (id serial PRIMARY KEY, x int)")
        assert _refused(as_client, "INSERT INTO later_feature (x) VALUES (1)") is (
            errors.InsufficientPrivilege
        )
        upgrade(admin)  # `warroom db upgrade` re-applies the client grants
        with psycopg.connect(as_client) as connection:
            connection.execute("INSERT INTO later_feature (x) VALUES (1)")
            connection.execute("UPDATE later_feature SET x = 2")
        assert _refused(as_client, "DELETE FROM events") is errors.InsufficientPrivilege
        assert _refused(as_client, "TRUNCATE later_feature") is errors.InsufficientPrivilege
    finally:
        admin.dispose()


def test_a_person_login_can_be_granted_directly_but_not_the_owner(roles: Roles) -> None:
    admin = Database(roles.admin_url)
    try:
        with psycopg.connect(roles.conninfo(), autocommit=True) as connection:
            connection.execute(f"CREATE ROLE \"{roles.login}\" LOGIN PASSWORD '{PASSWORD}'")
        assert not grant_client_role(admin, roles.login).created
        with psycopg.connect(roles.conninfo(roles.login)) as connection:
            connection.execute("SELECT count(*) FROM people")
        assert _refused(roles.conninfo(roles.login), "TRUNCATE events") is (
            errors.InsufficientPrivilege
        )
        owner = str(roles.admin_url.username)
        with pytest.raises(ValidationError, match="owns warroom's tables or is a superuser"):
            grant_client_role(admin, owner)
        with pytest.raises(ValidationError, match="reserved"):
            grant_client_role(admin, "pg_monitor")
    finally:
        admin.dispose()


def test_sqlite_has_no_roles_to_grant(sqlite_url: str) -> None:
    database = Database(make_url(sqlite_url))
    try:
        with pytest.raises(WarroomError, match="PostgreSQL"):
            grant_client_role(database, "warroom_client")
    finally:
        database.dispose()
