"""Stakeholder updates beyond the update itself (``status_updates``): the roster file's
templates and webhooks, each update's delivery, and the reminders a coordinator snoozed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.domain.vocabulary import Audience, DeliveryFormat, DeliveryState
from warroom.store.base import Base, BigId, UtcDateTime, enum_column_type, one_of


class UpdateTemplate(Base):
    """A roster file's first draft for one audience: everyone's (``scope`` "") or a team's
    (``scope`` its slug), which wins for incidents of that team's services."""

    __tablename__ = "update_templates"
    __table_args__ = (UniqueConstraint("scope", "audience"), one_of("audience", Audience))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(enum_column_type(Audience))
    body: Mapped[str] = mapped_column(Text)


class DeliveryTarget(Base):
    """Where an audience's updates also go: a webhook, named by where its address is kept.

    The address itself is a secret (a chat webhook's token is part of it), so the database
    holds only the name of the environment variable or keyring entry that has it; the engine
    that delivers reads it there, and it never reaches an event, a log or an export.
    """

    __tablename__ = "delivery_targets"
    __table_args__ = (
        one_of("audience", Audience),
        one_of("format", DeliveryFormat),
        CheckConstraint(
            "(url_env IS NULL AND url_keyring IS NOT NULL) "
            "OR (url_env IS NOT NULL AND url_keyring IS NULL)",
            name="one_address",
        ),
    )

    audience: Mapped[str] = mapped_column(enum_column_type(Audience), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    url_env: Mapped[str | None] = mapped_column(String(128))
    url_keyring: Mapped[str | None] = mapped_column(String(128))
    format: Mapped[str] = mapped_column(enum_column_type(DeliveryFormat))


class UpdateDelivery(Base):
    """One update on its way to one webhook.

    An engine claims it (state ``sending``, a lease and a token of its own) before it talks
    to the webhook, so two engines never send the same update; it writes the answer back only
    while its token still holds. A lease that runs out (the engine died mid-call) makes the
    delivery due again.
    """

    __tablename__ = "update_deliveries"
    __table_args__ = (
        UniqueConstraint("status_update_id", "target"),
        one_of("state", DeliveryState),
        Index("ix_update_deliveries_state_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    status_update_id: Mapped[int] = mapped_column(
        ForeignKey("status_updates.id", ondelete="CASCADE"), index=True
    )
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    audience: Mapped[str] = mapped_column(enum_column_type(Audience))
    target: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(enum_column_type(DeliveryState))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    last_code: Mapped[int | None] = mapped_column(Integer)
    #: The last answer in words ("503", "timed out"); never the address.
    detail: Mapped[str] = mapped_column(String(200), default="")
    #: Why nobody has tried yet (no running engine knows the address).
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UpdateSnooze(Base):
    """A reminder to update an audience, put off until ``until`` by someone. Only snoozes
    since the audience's last update count: posting resets the clock."""

    __tablename__ = "update_snoozes"
    __table_args__ = (one_of("audience", Audience),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    audience: Mapped[str] = mapped_column(enum_column_type(Audience))
    until: Mapped[datetime] = mapped_column(UtcDateTime)
    snoozed_by: Mapped[str] = mapped_column(String(64))
    snoozed_at: Mapped[datetime] = mapped_column(UtcDateTime)
