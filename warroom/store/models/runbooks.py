"""Runbooks imported from a team's git folder, their steps, and who ticked which step."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from warroom.store.base import Base, BigId, UtcDateTime


class Runbook(Base):
    __tablename__ = "runbooks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    source_path: Mapped[str] = mapped_column(String(1000))
    content_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    #: Label matchers of the alerts it answers, e.g. ``[{"alertname": "DiskFull"}]``.
    alert_matchers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    owners: Mapped[list[str]] = mapped_column(JSON, default=list)
    severity_hints: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_reviewed: Mapped[date | None] = mapped_column(Date)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class RunbookService(Base):
    __tablename__ = "runbook_services"
    __table_args__ = (UniqueConstraint("runbook_id", "service_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    runbook_id: Mapped[int] = mapped_column(
        ForeignKey("runbooks.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )


class RunbookStep(Base):
    """A ``- [ ]`` task item. ``step_key`` hashes its text so progress survives re-imports."""

    __tablename__ = "runbook_steps"
    __table_args__ = (UniqueConstraint("runbook_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    runbook_id: Mapped[int] = mapped_column(
        ForeignKey("runbooks.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    step_key: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)


class ChecklistTick(Base):
    """A step ticked in the context of a page or an incident; unticking keeps the history."""

    __tablename__ = "checklist_ticks"
    __table_args__ = (
        CheckConstraint("page_id IS NOT NULL OR incident_id IS NOT NULL", name="has_context"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    runbook_id: Mapped[int] = mapped_column(
        ForeignKey("runbooks.id", ondelete="CASCADE"), index=True
    )
    step_key: Mapped[str] = mapped_column(String(64))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    ticked_by: Mapped[str] = mapped_column(String(64))
    ticked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    unticked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
