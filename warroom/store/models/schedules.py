"""On-call schedules: rotation layers of people, restrictions, and overrides."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warroom.domain.vocabulary import RestrictionKind, RotationKind, ScheduleKind
from warroom.store.base import Base, BigId, UtcDateTime, enum_column_type, one_of


class Schedule(Base):
    """A team's rota in one time zone. Each team has at most one primary and one secondary."""

    __tablename__ = "schedules"
    __table_args__ = (
        one_of("kind", ScheduleKind),
        Index(
            "uq_schedules_team_kind_main",
            "team_id",
            "kind",
            unique=True,
            sqlite_where=text("kind IN ('primary', 'secondary')"),
            postgresql_where=text("kind IN ('primary', 'secondary')"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    kind: Mapped[str] = mapped_column(enum_column_type(ScheduleKind))
    time_zone: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    layers: Mapped[list[RotationLayer]] = relationship(
        back_populates="schedule", cascade="all, delete-orphan", order_by="RotationLayer.position"
    )

    __mapper_args__ = {"version_id_col": version}


class RotationLayer(Base):
    """People taking turns; a higher ``position`` wins where it is active."""

    __tablename__ = "rotation_layers"
    __table_args__ = (
        UniqueConstraint("schedule_id", "position"),
        one_of("rotation_kind", RotationKind),
        CheckConstraint("rotation_length > 0", name="length_positive"),
        CheckConstraint("handoff_minute >= 0 AND handoff_minute < 1440", name="handoff_valid"),
        CheckConstraint(
            "handoff_weekday IS NULL OR handoff_weekday BETWEEN 0 AND 6", name="weekday_valid"
        ),
        CheckConstraint("end_date IS NULL OR end_date > start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("schedules.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    rotation_kind: Mapped[str] = mapped_column(enum_column_type(RotationKind))
    rotation_length: Mapped[int] = mapped_column(Integer, default=1)
    handoff_minute: Mapped[int] = mapped_column(Integer)  # minutes after local midnight
    handoff_weekday: Mapped[int | None] = mapped_column(Integer)  # Monday = 0, weekly only
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    schedule: Mapped[Schedule] = relationship(back_populates="layers")
    members: Mapped[list[LayerMember]] = relationship(
        cascade="all, delete-orphan", order_by="LayerMember.position"
    )
    restrictions: Mapped[list[LayerRestriction]] = relationship(cascade="all, delete-orphan")


class LayerMember(Base):
    __tablename__ = "layer_members"
    __table_args__ = (UniqueConstraint("layer_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    layer_id: Mapped[int] = mapped_column(
        ForeignKey("rotation_layers.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)


class LayerRestriction(Base):
    """When a layer is active: every day in a window, or weekly windows from a weekday."""

    __tablename__ = "layer_restrictions"
    __table_args__ = (
        one_of("kind", RestrictionKind),
        CheckConstraint("start_minute >= 0 AND start_minute < 1440", name="start_valid"),
        CheckConstraint(
            "duration_minutes > 0 AND duration_minutes <= 10080", name="duration_valid"
        ),
        CheckConstraint(
            "(kind = 'daily' AND start_weekday IS NULL) OR "
            "(kind = 'weekly' AND start_weekday BETWEEN 0 AND 6)",
            name="weekday_matches_kind",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    layer_id: Mapped[int] = mapped_column(
        ForeignKey("rotation_layers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(enum_column_type(RestrictionKind))
    start_weekday: Mapped[int | None] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    duration_minutes: Mapped[int] = mapped_column(Integer)


class ScheduleOverride(Base):
    """Someone covers a period of a schedule; overrides win over every layer."""

    __tablename__ = "schedule_overrides"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="period_ordered"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("schedules.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
