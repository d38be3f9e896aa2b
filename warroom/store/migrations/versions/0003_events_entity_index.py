"""events by the thing they are about

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

The Pages workspace (and later the incident timeline) shows one page's history: its events
by (entity, entity id). Without an index that is a scan of the whole feed per click.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_events_entity_entity_id", "events", ["entity", "entity_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_events_entity_entity_id", table_name="events")
