"""events by topic

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Paging keeps the roster, services and runbooks it routes with between webhook deliveries and
reloads them when an event of a reference topic has been appended since; counting those
events must not scan the whole feed.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_events_topic", "events", ["topic"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_events_topic", table_name="events")
