"""PostgreSQL logins named after people, for the tests and the benchmarks that act as them
(on PostgreSQL each person acts as their own login)."""

from __future__ import annotations

import contextlib

import psycopg
import psycopg.sql
from sqlalchemy.engine import make_url


def ensure_login(admin_url: str, handle: str, password: str) -> None:
    """A login named ``handle`` (made once), able to use the database's tables."""
    url = make_url(admin_url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (handle,)).fetchone()
        role = psycopg.sql.Identifier(handle)
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateObject):  # another run made it
                admin.execute(
                    psycopg.sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                        role, psycopg.sql.Literal(password)
                    )
                )
        for what in ("TABLES", "SEQUENCES"):
            admin.execute(
                psycopg.sql.SQL("GRANT ALL ON ALL {} IN SCHEMA public TO {}").format(
                    psycopg.sql.SQL(what), role
                )
            )
