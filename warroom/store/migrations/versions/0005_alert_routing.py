"""alert routing: a catch-all service, and a note on pages that did not route as configured

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24

An alert is never refused for routing: one that names no known service pages through the
roster's catch-all service (at most one, kept so by a partial unique index), and the page
says why (``routing_note``), as does a page whose support hours could not be evaluated.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "services",
        sa.Column("catch_all", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_index(
        "uq_services_catch_all",
        "services",
        ["catch_all"],
        unique=True,
        sqlite_where=sa.text("catch_all"),
        postgresql_where=sa.text("catch_all"),
    )
    op.add_column("pages", sa.Column("routing_note", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("pages", "routing_note")
    op.drop_index("uq_services_catch_all", table_name="services")
    op.drop_column("services", "catch_all")
