"""stakeholder updates: templates and webhooks from the roster file, deliveries, snoozes

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-30

The Communication Coordinator's updates (``status_updates``, there since the first schema)
get what goes with them: a roster file's templates per audience (everyone's or a team's) and
the webhook each audience's updates also go to (named by where its secret address is kept,
never the address), each update's delivery (claimed by one engine at a time, with its state
for every desktop to show), and the reminders someone snoozed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AUDIENCES = "audience IN ('internal', 'executive', 'customers')"


def upgrade() -> None:
    op.create_table(
        "update_templates",
        sa.Column("id", _ID, nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("audience", sa.String(length=17), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.CheckConstraint(_AUDIENCES, name=op.f("ck_update_templates_audience_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_templates")),
        sa.UniqueConstraint("scope", "audience", name=op.f("uq_update_templates_scope_audience")),
    )

    op.create_table(
        "delivery_targets",
        sa.Column("audience", sa.String(length=17), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url_env", sa.String(length=128), nullable=True),
        sa.Column("url_keyring", sa.String(length=128), nullable=True),
        sa.Column("format", sa.String(length=12), nullable=False),
        sa.CheckConstraint(_AUDIENCES, name=op.f("ck_delivery_targets_audience_valid")),
        sa.CheckConstraint(
            "format IN ('chat', 'json')", name=op.f("ck_delivery_targets_format_valid")
        ),
        sa.CheckConstraint(
            "(url_env IS NULL AND url_keyring IS NOT NULL) "
            "OR (url_env IS NOT NULL AND url_keyring IS NULL)",
            name=op.f("ck_delivery_targets_one_address"),
        ),
        sa.PrimaryKeyConstraint("audience", name=op.f("pk_delivery_targets")),
    )

    op.create_table(
        "update_deliveries",
        sa.Column("id", _ID, nullable=False),
        sa.Column("status_update_id", _ID, nullable=False),
        sa.Column("incident_id", _ID, nullable=False),
        sa.Column("audience", sa.String(length=17), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.Column("last_code", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_AUDIENCES, name=op.f("ck_update_deliveries_audience_valid")),
        sa.CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'retrying', 'failed')",
            name=op.f("ck_update_deliveries_state_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["status_update_id"],
            ["status_updates.id"],
            name=op.f("fk_update_deliveries_status_update_id_status_updates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_update_deliveries_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_deliveries")),
        sa.UniqueConstraint(
            "status_update_id", "target", name=op.f("uq_update_deliveries_status_update_id_target")
        ),
    )
    op.create_index(
        op.f("ix_update_deliveries_status_update_id"), "update_deliveries", ["status_update_id"]
    )
    op.create_index(op.f("ix_update_deliveries_incident_id"), "update_deliveries", ["incident_id"])
    op.create_index(
        "ix_update_deliveries_state_due", "update_deliveries", ["state", "next_attempt_at"]
    )

    op.create_table(
        "update_snoozes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("incident_id", _ID, nullable=False),
        sa.Column("audience", sa.String(length=17), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("snoozed_by", sa.String(length=64), nullable=False),
        sa.Column("snoozed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_AUDIENCES, name=op.f("ck_update_snoozes_audience_valid")),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_update_snoozes_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_snoozes")),
    )
    op.create_index(op.f("ix_update_snoozes_incident_id"), "update_snoozes", ["incident_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_update_snoozes_incident_id"), table_name="update_snoozes")
    op.drop_table("update_snoozes")
    op.drop_index("ix_update_deliveries_state_due", table_name="update_deliveries")
    op.drop_index(op.f("ix_update_deliveries_incident_id"), table_name="update_deliveries")
    op.drop_index(op.f("ix_update_deliveries_status_update_id"), table_name="update_deliveries")
    op.drop_table("update_deliveries")
    op.drop_table("delivery_targets")
    op.drop_table("update_templates")
