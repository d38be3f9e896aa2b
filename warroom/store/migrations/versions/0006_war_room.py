"""the war room: incident pace, close proposals, handovers, reminders, presence

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

Declared incidents become something a team works in: the last activity (so a quiet incident
is noticed), a proposal to close that waits for the commander, handovers linked to the
assignment they replace, reminders given exactly once, the pace a roster file sets per
severity, and who has the war room open.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_activity_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("close_proposed_by", sa.String(length=64)))
        batch_op.add_column(sa.Column("close_proposed_at", sa.DateTime(timezone=True)))
        batch_op.add_column(
            sa.Column("close_proposal", sa.Text(), nullable=False, server_default="")
        )
    op.execute("UPDATE incidents SET last_activity_at = declared_at")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.alter_column(
            "last_activity_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.alter_column("close_proposal", server_default=None)

    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("released_by", sa.String(length=64)))
        batch_op.add_column(sa.Column("previous_id", _ID))
        batch_op.create_foreign_key(
            batch_op.f("fk_role_assignments_previous_id_role_assignments"),
            "role_assignments",
            ["previous_id"],
            ["id"],
        )

    op.create_table(
        "incident_reminders",
        sa.Column("id", _ID, nullable=False),
        sa.Column("incident_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("anchor_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_reminders_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_reminders")),
        sa.UniqueConstraint(
            "incident_id",
            "kind",
            "anchor_at",
            name=op.f("uq_incident_reminders_incident_id_kind_anchor_at"),
        ),
    )
    op.create_index(
        op.f("ix_incident_reminders_incident_id"), "incident_reminders", ["incident_id"]
    )

    op.create_table(
        "severity_policies",
        sa.Column("severity", sa.String(length=12), nullable=False),
        sa.Column("quiet_minutes", sa.Integer(), nullable=True),
        sa.Column("mitigated_minutes", sa.Integer(), nullable=True),
        sa.Column("staffing_minutes", sa.Integer(), nullable=True),
        sa.Column("close_minutes", sa.Integer(), nullable=True),
        sa.Column("update_minutes", sa.Integer(), nullable=True),
        sa.Column("needs_staff", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4')",
            name=op.f("ck_severity_policies_severity_valid"),
        ),
        sa.PrimaryKeyConstraint("severity", name=op.f("pk_severity_policies")),
    )

    op.create_table(
        "presence",
        sa.Column("id", _ID, nullable=False),
        sa.Column("incident_id", _ID, nullable=False),
        sa.Column("handle", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_presence_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence")),
        sa.UniqueConstraint(
            "incident_id", "client_id", name=op.f("uq_presence_incident_id_client_id")
        ),
    )
    op.create_index(op.f("ix_presence_incident_id"), "presence", ["incident_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_presence_incident_id"), table_name="presence")
    op.drop_table("presence")
    op.drop_table("severity_policies")
    op.drop_index(op.f("ix_incident_reminders_incident_id"), table_name="incident_reminders")
    op.drop_table("incident_reminders")
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_role_assignments_previous_id_role_assignments"), type_="foreignkey"
        )
        batch_op.drop_column("previous_id")
        batch_op.drop_column("released_by")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("close_proposal")
        batch_op.drop_column("close_proposed_at")
        batch_op.drop_column("close_proposed_by")
        batch_op.drop_column("last_activity_at")
