"""least privilege: TRUNCATE refused on events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

The events table refuses UPDATE and DELETE row by row, but TRUNCATE fires no row triggers,
so on PostgreSQL it emptied the audit log and the timeline in one statement, even for the
schema's owner. A statement trigger refuses it too. (SQLite has no TRUNCATE: its
``DELETE FROM events`` already meets the row trigger.) What clients may do at all is
decided by the grants of :mod:`warroom.store.privileges`, not here.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # warroom_events_append_only() (0001) only raises, so it serves a statement trigger too
        op.execute(
            "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
            "FOR EACH STATEMENT EXECUTE FUNCTION warroom_events_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_no_truncate ON events")
