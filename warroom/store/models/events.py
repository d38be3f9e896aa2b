"""The append-only ``events`` table: change feed, audit log and incident timeline in one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from warroom.store.base import Base, BigId, UtcDateTime


class Event(Base):
    """One committed change. Triggers in the migration refuse UPDATE and DELETE.

    ``tx`` is the writing transaction's id on PostgreSQL (0 on SQLite); readers order by
    ``(tx, id)`` and only read below the oldest transaction still in flight, which is what
    keeps a late-committing writer's events from being skipped.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_tx_id", "tx", "id"),
        Index("ix_events_incident_id_at", "incident_id", "at"),
        Index("ix_events_topic", "topic"),
        Index("ix_events_entity_entity_id", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tx: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    topic: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
