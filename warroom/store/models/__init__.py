"""Every table of the product. Importing this package registers them all on ``Base.metadata``."""

from warroom.store.models.comms import (
    DeliveryTarget,
    UpdateDelivery,
    UpdateSnooze,
    UpdateTemplate,
)
from warroom.store.models.escalation import EscalationLevel, EscalationPolicy, EscalationTarget
from warroom.store.models.events import Event
from warroom.store.models.incidents import (
    Incident,
    IncidentReminder,
    Participant,
    Presence,
    RoleAssignment,
    SeverityPolicyRow,
    StatusUpdate,
    TranscriptEntry,
    TranscriptRevision,
)
from warroom.store.models.paging import Notification, Page
from warroom.store.models.people import Person, PersonExpertise, Team, TeamMembership
from warroom.store.models.runbooks import ChecklistTick, Runbook, RunbookService, RunbookStep
from warroom.store.models.schedules import (
    LayerMember,
    LayerRestriction,
    RotationLayer,
    Schedule,
    ScheduleOverride,
)
from warroom.store.models.services import Service, SupportHours, SupportWindow

__all__ = [
    "ChecklistTick",
    "DeliveryTarget",
    "EscalationLevel",
    "EscalationPolicy",
    "EscalationTarget",
    "Event",
    "Incident",
    "IncidentReminder",
    "LayerMember",
    "LayerRestriction",
    "Notification",
    "Page",
    "Participant",
    "Person",
    "PersonExpertise",
    "Presence",
    "RoleAssignment",
    "RotationLayer",
    "Runbook",
    "RunbookService",
    "RunbookStep",
    "Schedule",
    "ScheduleOverride",
    "Service",
    "SeverityPolicyRow",
    "StatusUpdate",
    "SupportHours",
    "SupportWindow",
    "Team",
    "TeamMembership",
    "TranscriptEntry",
    "TranscriptRevision",
    "UpdateDelivery",
    "UpdateSnooze",
    "UpdateTemplate",
]
