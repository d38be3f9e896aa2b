"""Services that get paged, and the support hours that decide when low urgency may page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warroom.store.base import Base, BigId


class SupportHours(Base):
    """Weekly windows in a time zone, optionally minus one country's public holidays."""

    __tablename__ = "support_hours"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64))
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    holiday_subdivision: Mapped[str | None] = mapped_column(String(16))

    windows: Mapped[list[SupportWindow]] = relationship(
        back_populates="support_hours",
        cascade="all, delete-orphan",
        order_by="(SupportWindow.weekday, SupportWindow.start_minute)",
    )


class SupportWindow(Base):
    """One weekly window: a weekday (Monday = 0) and minutes since local midnight."""

    __tablename__ = "support_windows"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_valid"),
        CheckConstraint("start_minute >= 0 AND start_minute < 1440", name="start_valid"),
        CheckConstraint("end_minute > start_minute AND end_minute <= 1440", name="end_valid"),
        UniqueConstraint("support_hours_id", "weekday", "start_minute"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    support_hours_id: Mapped[int] = mapped_column(
        ForeignKey("support_hours.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)

    support_hours: Mapped[SupportHours] = relationship(back_populates="windows")


class Service(Base):
    """Something that breaks and gets paged for, owned by a team.

    At most one service is the *catch-all*: alerts that name no known service page through
    it (flagged), so an alert is never refused for routing. The partial unique index keeps
    it to one.
    """

    __tablename__ = "services"
    __table_args__ = (
        Index(
            "uq_services_catch_all",
            "catch_all",
            unique=True,
            sqlite_where=text("catch_all"),
            postgresql_where=text("catch_all"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    owner_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    escalation_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("escalation_policies.id"), index=True
    )
    support_hours_id: Mapped[int | None] = mapped_column(ForeignKey("support_hours.id"))
    #: Label matchers that decide a page's urgency, e.g. ``{"severity": {"critical": "high"}}``.
    urgency_rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    catch_all: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
