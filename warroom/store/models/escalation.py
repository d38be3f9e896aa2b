"""Escalation policies: who is notified, level after level, while a page is unacknowledged."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warroom.domain.vocabulary import EscalationTargetKind
from warroom.store.base import Base, BigId, enum_column_type, one_of


class EscalationPolicy(Base):
    __tablename__ = "escalation_policies"
    __table_args__ = (
        CheckConstraint("repeat_count >= 0", name="repeat_count_valid"),
        CheckConstraint(
            "ack_timeout_minutes IS NULL OR ack_timeout_minutes > 0", name="ack_timeout_valid"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: How many times the whole ladder is walked again before the page stays where it is.
    repeat_count: Mapped[int] = mapped_column(Integer, default=0)
    #: An acknowledged page that is still unresolved after this long goes back to triggered.
    ack_timeout_minutes: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)

    levels: Mapped[list[EscalationLevel]] = relationship(
        cascade="all, delete-orphan", order_by="EscalationLevel.position"
    )

    __mapper_args__ = {"version_id_col": version}


class EscalationLevel(Base):
    """Notify these targets; escalate to the next level after ``delay_minutes`` without ack."""

    __tablename__ = "escalation_levels"
    __table_args__ = (
        UniqueConstraint("policy_id", "position"),
        CheckConstraint("delay_minutes > 0", name="delay_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("escalation_policies.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    delay_minutes: Mapped[int] = mapped_column(Integer)

    targets: Mapped[list[EscalationTarget]] = relationship(cascade="all, delete-orphan")


class EscalationTarget(Base):
    """A schedule's current on-call, a named person, or the on-call expert for a tag."""

    __tablename__ = "escalation_targets"
    __table_args__ = (
        one_of("kind", EscalationTargetKind),
        CheckConstraint(
            "(kind = 'schedule' AND schedule_id IS NOT NULL AND person_id IS NULL"
            " AND expertise IS NULL)"
            " OR (kind = 'person' AND person_id IS NOT NULL AND schedule_id IS NULL"
            " AND expertise IS NULL)"
            " OR (kind = 'expertise' AND expertise IS NOT NULL AND person_id IS NULL)",
            name="target_matches_kind",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    level_id: Mapped[int] = mapped_column(
        ForeignKey("escalation_levels.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(enum_column_type(EscalationTargetKind))
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    expertise: Mapped[str | None] = mapped_column(String(64))
