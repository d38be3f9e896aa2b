"""Declared incidents: roles, participants, the scribe's transcript and stakeholder updates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
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

from warroom.domain.vocabulary import (
    Audience,
    ImpactMark,
    IncidentRole,
    IncidentStatus,
    Severity,
    TranscriptKind,
)
from warroom.store.base import Base, BigId, UtcDateTime, enum_column_type, one_of


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (one_of("severity", Severity), one_of("status", IncidentStatus))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(enum_column_type(Severity))
    status: Mapped[str] = mapped_column(enum_column_type(IncidentStatus))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), index=True)
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime)
    declared_by: Mapped[str] = mapped_column(String(64))
    mitigated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    bridge_url: Mapped[str | None] = mapped_column(String(2000))
    #: The last status change or transcript entry: an incident quiet for too long is
    #: brought to its commander's attention.
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: Anyone may propose closing; only the commander closes. The proposal waits here.
    close_proposed_by: Mapped[str | None] = mapped_column(String(64))
    close_proposed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    close_proposal: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


_SINGLE_HOLDER_ROLES = ", ".join(f"'{r.value}'" for r in IncidentRole if r.single_holder)


class RoleAssignment(Base):
    """Who held which role when. Released assignments stay as history.

    The partial unique index lets the database itself refuse a second active commander.
    """

    __tablename__ = "role_assignments"
    __table_args__ = (
        one_of("role", IncidentRole),
        CheckConstraint("released_at IS NULL OR released_at >= assigned_at", name="period_ordered"),
        Index(
            "uq_role_assignments_single_holder",
            "incident_id",
            "role",
            unique=True,
            sqlite_where=text(f"released_at IS NULL AND role IN ({_SINGLE_HOLDER_ROLES})"),
            postgresql_where=text(f"released_at IS NULL AND role IN ({_SINGLE_HOLDER_ROLES})"),
        ),
        Index(
            "uq_role_assignments_active_person",
            "incident_id",
            "role",
            "person_id",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(enum_column_type(IncidentRole))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    expertise: Mapped[str | None] = mapped_column(String(64))  # what an SME was brought in for
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime)
    assigned_by: Mapped[str] = mapped_column(String(64))
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    released_by: Mapped[str | None] = mapped_column(String(64))
    #: For a handover, the assignment this one took the role over from.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("role_assignments.id"))


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("incident_id", "person_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TranscriptEntry(Base):
    """What someone said, did, decided or felt, as the scribe recorded it.

    ``client_uuid`` comes from the scribe's local journal, so replaying the journal after a
    crash can never insert the same words twice.
    """

    __tablename__ = "transcript_entries"
    __table_args__ = (
        one_of("kind", TranscriptKind),
        one_of("mark", ImpactMark),
        Index("ix_transcript_entries_incident_time", "incident_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    client_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(enum_column_type(TranscriptKind))
    body: Mapped[str] = mapped_column(Text)
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    author: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: ``impact_start`` / ``impact_end``: the entry also marks the impact window.
    mark: Mapped[str | None] = mapped_column(enum_column_type(ImpactMark))
    #: An action item's owner, and when (and by whom) it was done.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_by: Mapped[str | None] = mapped_column(String(64))
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __mapper_args__ = {"version_id_col": version}


class TranscriptRevision(Base):
    """The text an entry had before each edit."""

    __tablename__ = "transcript_revisions"
    __table_args__ = (UniqueConstraint("entry_id", "version"), one_of("kind", TranscriptKind))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("transcript_entries.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(enum_column_type(TranscriptKind))
    body: Mapped[str] = mapped_column(Text)
    #: When the entry said it happened before this edit (a backdating keeps the original).
    occurred_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    edited_by: Mapped[str] = mapped_column(String(64))
    edited_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StatusUpdate(Base):
    """What stakeholders were told, and when."""

    __tablename__ = "status_updates"
    __table_args__ = (one_of("audience", Audience), one_of("status", IncidentStatus))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    audience: Mapped[str] = mapped_column(enum_column_type(Audience))
    status: Mapped[str] = mapped_column(enum_column_type(IncidentStatus))
    body: Mapped[str] = mapped_column(Text)
    posted_by: Mapped[str] = mapped_column(String(64))
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime)


class IncidentReminder(Base):
    """A reminder given to an incident's commander, once per (incident, kind, anchor).

    The unique key is what makes a reminder exactly-once when several engines (every desktop
    and ``warroom serve``) sweep at once: the first INSERT wins, the others insert nothing.
    """

    __tablename__ = "incident_reminders"
    __table_args__ = (UniqueConstraint("incident_id", "kind", "anchor_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    anchor_at: Mapped[datetime] = mapped_column(UtcDateTime)
    given_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recipient: Mapped[str | None] = mapped_column(String(64))


class SeverityPolicyRow(Base):
    """A roster file's pace for one severity (the domain's defaults where there is none)."""

    __tablename__ = "severity_policies"
    __table_args__ = (one_of("severity", Severity),)

    severity: Mapped[str] = mapped_column(enum_column_type(Severity), primary_key=True)
    quiet_minutes: Mapped[int | None] = mapped_column(Integer)
    mitigated_minutes: Mapped[int | None] = mapped_column(Integer)
    staffing_minutes: Mapped[int | None] = mapped_column(Integer)
    close_minutes: Mapped[int | None] = mapped_column(Integer)
    update_minutes: Mapped[int | None] = mapped_column(Integer)
    needs_staff: Mapped[bool] = mapped_column(Boolean, default=False)


class Presence(Base):
    """Who has an incident's war room open right now: a heartbeat each client writes.

    Rows older than a minute mean a client that went away without saying so.
    """

    __tablename__ = "presence"
    __table_args__ = (UniqueConstraint("incident_id", "client_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    handle: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(String(36))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
