"""Pages (alerts that reached a person) and the notifications sent for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from warroom.domain.vocabulary import NotificationReason, PageSource, PageState, Urgency
from warroom.store.base import Base, BigId, UtcDateTime, enum_column_type, one_of


class Page(Base):
    """One alert being handled. Repeats of the same alert update it instead of paging again.

    ``escalation_level`` and ``state`` are what an escalation sweeper claims with a
    conditional update, so two engines never escalate the same step twice.
    """

    __tablename__ = "pages"
    __table_args__ = (
        one_of("state", PageState),
        one_of("urgency", Urgency),
        one_of("source", PageSource),
        CheckConstraint("occurrences >= 1", name="occurrences_positive"),
        # One open page per alert: repeats of a dedup key update it, a new one starts after
        # the previous page resolved.
        Index(
            "uq_pages_open_dedup",
            "service_id",
            "dedup_key",
            unique=True,
            sqlite_where=text("state <> 'resolved'"),
            postgresql_where=text("state <> 'resolved'"),
        ),
        Index("ix_pages_state_next_escalation", "state", "next_escalation_at"),
        Index("ix_pages_state_deferred_until", "state", "deferred_until"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    dedup_key: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(String(1000))
    details: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(enum_column_type(PageSource))
    urgency: Mapped[str] = mapped_column(enum_column_type(Urgency))
    state: Mapped[str] = mapped_column(enum_column_type(PageState))
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    annotations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    runbook_url: Mapped[str | None] = mapped_column(String(2000))
    runbook_id: Mapped[int | None] = mapped_column(ForeignKey("runbooks.id"), index=True)
    escalation_policy_id: Mapped[int | None] = mapped_column(ForeignKey("escalation_policies.id"))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalation_round: Mapped[int] = mapped_column(Integer, default=0)
    next_escalation_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deferred_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    triggered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    #: Why this page did not route or classify as configured ("unrouted: no service 'x'",
    #: "support hours could not be evaluated; paged now"); None for a page that did.
    routing_note: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Notification(Base):
    """That a person was told about a page at one escalation step.

    The unique key is what makes a step's notifications exactly-once across competing engines.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("page_id", "escalation_round", "escalation_level", "person_id"),
        one_of("reason", NotificationReason),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    escalation_round: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(enum_column_type(NotificationReason))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
