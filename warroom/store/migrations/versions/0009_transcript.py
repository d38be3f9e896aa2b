"""the scribe's transcript: action items, impact marks, backdating kept in revisions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28

Transcript entries (there since the first schema) get what the scribe's editor records:
the kind ``action`` with an owner and when it was done, the marks of the impact window, when
an entry was last edited; a revision keeps the time and speaker the entry had before an edit,
so a backdating never loses the original time. Entries are read per incident in time order,
hence the index on both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS_BEFORE = "kind IN ('said', 'did', 'decided', 'felt', 'note')"
_KINDS = "kind IN ('said', 'did', 'decided', 'action', 'felt', 'note')"
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_MARKS = "mark IN ('impact_start', 'impact_end')"


def upgrade() -> None:
    with op.batch_alter_table("transcript_entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_transcript_entries_kind_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_transcript_entries_kind_valid"), _KINDS)
        batch_op.add_column(sa.Column("mark", sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(op.f("ck_transcript_entries_mark_valid"), _MARKS)
        batch_op.add_column(sa.Column("owner_id", _ID, nullable=True))
        batch_op.add_column(sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("done_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_transcript_entries_owner_id_people"), "people", ["owner_id"], ["id"]
        )
        batch_op.create_index(
            "ix_transcript_entries_incident_time", ["incident_id", "occurred_at", "id"]
        )

    with op.batch_alter_table("transcript_revisions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_transcript_revisions_kind_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_transcript_revisions_kind_valid"), _KINDS)
        batch_op.add_column(sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("speaker_id", _ID, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_transcript_revisions_speaker_id_people"),
            "people",
            ["speaker_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("transcript_revisions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_transcript_revisions_speaker_id_people"), type_="foreignkey"
        )
        batch_op.drop_column("speaker_id")
        batch_op.drop_column("occurred_at")
        batch_op.drop_constraint(op.f("ck_transcript_revisions_kind_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_transcript_revisions_kind_valid"), _KINDS_BEFORE)

    with op.batch_alter_table("transcript_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_transcript_entries_incident_time")
        batch_op.drop_constraint(
            batch_op.f("fk_transcript_entries_owner_id_people"), type_="foreignkey"
        )
        batch_op.drop_constraint(op.f("ck_transcript_entries_mark_valid"), type_="check")
        batch_op.drop_column("edited_at")
        batch_op.drop_column("done_by")
        batch_op.drop_column("done_at")
        batch_op.drop_column("owner_id")
        batch_op.drop_column("mark")
        batch_op.drop_constraint(op.f("ck_transcript_entries_kind_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_transcript_entries_kind_valid"), _KINDS_BEFORE)
