"""The closed vocabularies of the product.

The store turns each of these into a CHECK constraint, so the database refuses a value the
code does not know, whichever client wrote it.
"""

from __future__ import annotations

from enum import StrEnum


class Urgency(StrEnum):
    HIGH = "high"
    LOW = "low"


class PageState(StrEnum):
    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    DEFERRED = "deferred"  # low urgency outside support hours, released when they begin


class PageSource(StrEnum):
    ALERTMANAGER = "alertmanager"
    GRAFANA = "grafana"
    GENERIC = "generic"
    MANUAL = "manual"


class NotificationReason(StrEnum):
    INITIAL = "initial"
    ESCALATION = "escalation"
    MANUAL_ESCALATION = "manual_escalation"
    REPEAT = "repeat"
    RELEASED = "released"  # a deferred page released at the start of support hours


class ScheduleKind(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    OTHER = "other"


class RotationKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    HOURS = "hours"
    DAYS = "days"


class RestrictionKind(StrEnum):
    DAILY = "daily"  # the same time-of-day window every day
    WEEKLY = "weekly"  # a window starting on a weekday, possibly spanning days


class EscalationTargetKind(StrEnum):
    SCHEDULE = "schedule"
    PERSON = "person"
    EXPERTISE = "expertise"


class MembershipRole(StrEnum):
    MEMBER = "member"
    LEAD = "lead"
    MANAGER = "manager"


class Severity(StrEnum):
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"


class IncidentStatus(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"
    CLOSED = "closed"


class IncidentRole(StrEnum):
    PRIMARY_RESPONDER = "primary_responder"
    SECONDARY_RESPONDER = "secondary_responder"
    INCIDENT_COMMANDER = "incident_commander"
    COMMUNICATION_COORDINATOR = "communication_coordinator"
    SCRIBE = "scribe"
    SUBJECT_MATTER_EXPERT = "subject_matter_expert"

    @property
    def single_holder(self) -> bool:
        """Every role but subject matter expert has at most one active holder at a time."""
        return self is not IncidentRole.SUBJECT_MATTER_EXPERT


class TranscriptKind(StrEnum):
    SAID = "said"
    DID = "did"
    DECIDED = "decided"
    ACTION = "action"
    FELT = "felt"
    NOTE = "note"


class ImpactMark(StrEnum):
    """A transcript entry may also mark when the customers' impact started or ended; the
    report's impact window comes from these marks when there are any."""

    IMPACT_START = "impact_start"
    IMPACT_END = "impact_end"


class Audience(StrEnum):
    INTERNAL = "internal"
    EXECUTIVE = "executive"
    CUSTOMERS = "customers"


class DeliveryState(StrEnum):
    """Where a stakeholder update stands on its way to a webhook."""

    PENDING = "pending"  # not tried yet (or waiting for an engine that knows the address)
    SENDING = "sending"  # claimed by one engine, which is talking to the webhook now
    SENT = "sent"
    RETRYING = "retrying"  # a 5xx or a timeout: tried again later
    FAILED = "failed"  # a 4xx, or out of attempts: nobody tries again


class DeliveryFormat(StrEnum):
    CHAT = "chat"  # {"text": the update as Markdown}: Slack, Mattermost, Rocket.Chat, Google Chat
    JSON = "json"  # the incident and the update as fields, for a status page's API or a relay


def values(enum: type[StrEnum]) -> list[str]:
    """The stored spelling of every member, in declaration order."""
    return [member.value for member in enum]
