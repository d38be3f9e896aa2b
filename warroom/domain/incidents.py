"""The rules of a declared incident: severities, the status it moves through, the roles of the
war room, and when the commander is reminded that it drags on.

The practice this follows (PagerDuty's incident response documentation, Google's IMAG): a
commander coordinates and decides, including when the incident is over; responders work the
systems; a communication coordinator keeps everyone outside informed; a scribe writes it down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.domain.errors import ValidationError
from warroom.domain.vocabulary import IncidentRole, IncidentStatus, Severity

#: What each severity means, shown where one is chosen so that people choose alike.
SEVERITY_MEANING: Mapping[str, str] = {
    Severity.SEV1.value: "Critical: customers cannot use a core function (checkout, sign-in), "
    "or data is lost or exposed. All hands, now.",
    Severity.SEV2.value: "Major: a core function is degraded for many customers, or a "
    "critical one fails for some. Respond now, day or night.",
    Severity.SEV3.value: "Minor: a non-core function is impaired, or a workaround exists. "
    "Respond in working hours.",
    Severity.SEV4.value: "Low: little customer impact; cosmetic or internal. Track and fix.",
}

#: Each role's one-line duty, shown on its column of the board.
ROLE_DUTY: Mapping[str, str] = {
    IncidentRole.INCIDENT_COMMANDER.value: "Coordinates and decides — also when it is over.",
    IncidentRole.PRIMARY_RESPONDER.value: "Hands on the systems: diagnoses and fixes.",
    IncidentRole.SECONDARY_RESPONDER.value: "Backs up the primary: checks, digs, takes over.",
    IncidentRole.COMMUNICATION_COORDINATOR.value: "Keeps stakeholders informed, so nobody "
    "interrupts the responders.",
    IncidentRole.SCRIBE.value: "Records what is said, done, decided and felt, with times.",
    IncidentRole.SUBJECT_MATTER_EXPERT.value: "Brought in for a skill.",
}

#: The board's columns, left to right: who leads, who works, who tells, who writes, who helps.
BOARD_ORDER = (
    IncidentRole.INCIDENT_COMMANDER,
    IncidentRole.PRIMARY_RESPONDER,
    IncidentRole.SECONDARY_RESPONDER,
    IncidentRole.COMMUNICATION_COORDINATOR,
    IncidentRole.SCRIBE,
    IncidentRole.SUBJECT_MATTER_EXPERT,
)

ROLE_TITLE: Mapping[str, str] = {
    IncidentRole.INCIDENT_COMMANDER.value: "Incident Commander",
    IncidentRole.PRIMARY_RESPONDER.value: "Primary Responder",
    IncidentRole.SECONDARY_RESPONDER.value: "Secondary Responder",
    IncidentRole.COMMUNICATION_COORDINATOR.value: "Communication Coordinator",
    IncidentRole.SCRIBE.value: "Scribe",
    IncidentRole.SUBJECT_MATTER_EXPERT.value: "Subject Matter Expert",
}

_ROLE_WORDS = {
    "incident_commander": IncidentRole.INCIDENT_COMMANDER,
    "commander": IncidentRole.INCIDENT_COMMANDER,
    "ic": IncidentRole.INCIDENT_COMMANDER,
    "primary_responder": IncidentRole.PRIMARY_RESPONDER,
    "primary": IncidentRole.PRIMARY_RESPONDER,
    "secondary_responder": IncidentRole.SECONDARY_RESPONDER,
    "secondary": IncidentRole.SECONDARY_RESPONDER,
    "communication_coordinator": IncidentRole.COMMUNICATION_COORDINATOR,
    "communications": IncidentRole.COMMUNICATION_COORDINATOR,
    "comms": IncidentRole.COMMUNICATION_COORDINATOR,
    "cc": IncidentRole.COMMUNICATION_COORDINATOR,
    "scribe": IncidentRole.SCRIBE,
    "subject_matter_expert": IncidentRole.SUBJECT_MATTER_EXPERT,
    "sme": IncidentRole.SUBJECT_MATTER_EXPERT,
    "expert": IncidentRole.SUBJECT_MATTER_EXPERT,
}


def parse_role(text: str) -> IncidentRole:
    """A role as people type it: ``incident_commander``, ``IC``, ``comms``, ``sme``…"""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    role = _ROLE_WORDS.get(key)
    if role is None:
        raise ValidationError(
            f"'{text}' is not a role; use one of " + ", ".join(r.value for r in BOARD_ORDER)
        )
    return role


def parse_severity(text: str) -> Severity:
    key = text.strip().upper().replace(" ", "")
    if key.isdigit():
        key = f"SEV{key}"
    try:
        return Severity(key)
    except ValueError:
        raise ValidationError(f"'{text}' is not a severity; use SEV1, SEV2, SEV3 or SEV4") from None


def parse_status(text: str) -> IncidentStatus:
    try:
        return IncidentStatus(text.strip().lower())
    except ValueError:
        raise ValidationError(
            f"'{text}' is not a status; use " + ", ".join(s.value for s in IncidentStatus)
        ) from None


def incident_ref(incident_id: int) -> str:
    """How people name an incident: ``INC-7``."""
    return f"INC-{incident_id}"


def elapsed(start: datetime, now: datetime) -> str:
    """Time since declaration as a bridge call says it: ``T+1:07:42`` (days when long)."""
    seconds = max(0, int((now - start).total_seconds()))
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    clock = f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"T+{days}d {clock}" if days else f"T+{clock}"


def elapsed_brief(start: datetime, now: datetime) -> str:
    """The same to the minute, for a narrow card: ``T+40s``, ``T+12m``, ``T+1h07m``, ``T+2d 4h``."""
    seconds = max(0, int((now - start).total_seconds()))
    if seconds < 60:
        return f"T+{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"T+{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"T+{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"T+{days}d {hours}h"


# ----------------------------------------------------------------------------- status


#: The statuses an incident can be moved to by a status change (closing is its own act).
_OPEN = (
    IncidentStatus.INVESTIGATING,
    IncidentStatus.IDENTIFIED,
    IncidentStatus.MITIGATED,
    IncidentStatus.RESOLVED,
)


def check_status_change(current: str, wanted: IncidentStatus) -> None:
    """A status change may go forward or back among the open statuses; closing and
    reopening are acts of their own (only the commander closes)."""
    if wanted is IncidentStatus.CLOSED:
        raise ValidationError("Closing is done with Close, which asks for a summary.")
    if current == IncidentStatus.CLOSED.value:
        raise ValidationError("The incident is closed; reopen it first.")
    if wanted.value == current:
        raise ValidationError(f"The incident is already {current}.")
    if wanted not in _OPEN:
        raise ValidationError(f"An incident cannot be moved to {wanted.value}.")


# ----------------------------------------------------------------------------- drag-on


@dataclass(frozen=True)
class SeverityPolicy:
    """What a severity asks of an incident's pace; ``None`` turns a reminder off.

    ``quiet_minutes``: no status change and no transcript entry for this long.
    ``mitigated_minutes``: mitigated but not resolved for this long.
    ``staffing_minutes``: still without a Scribe or a Communication Coordinator (only where
    ``needs_staff``). ``close_minutes``: resolved but not closed (and the review not held).
    ``update_minutes``: how often stakeholders hear from the Communication Coordinator.
    """

    quiet_minutes: int | None
    mitigated_minutes: int | None
    staffing_minutes: int | None
    close_minutes: int | None
    update_minutes: int | None
    needs_staff: bool


DEFAULT_POLICIES: Mapping[str, SeverityPolicy] = {
    Severity.SEV1.value: SeverityPolicy(15, 60, 10, 60, 30, True),
    Severity.SEV2.value: SeverityPolicy(30, 120, 20, 240, 60, True),
    Severity.SEV3.value: SeverityPolicy(120, 480, None, 1440, 240, False),
    Severity.SEV4.value: SeverityPolicy(480, 1440, None, 2880, None, False),
}


class ReminderKind:
    QUIET = "quiet"
    MITIGATED = "mitigated_too_long"
    NO_SCRIBE = "no_scribe"
    NO_COMMS = "no_communication_coordinator"
    CLOSE = "close_and_review"


@dataclass(frozen=True)
class IncidentPace:
    """What the drag-on rules look at, detached from the database."""

    severity: str
    status: str
    declared_at: datetime
    last_activity_at: datetime
    mitigated_at: datetime | None
    resolved_at: datetime | None
    roles_held: frozenset[str]


@dataclass(frozen=True)
class Reminder:
    """A reminder due to the commander. ``anchor`` is the instant it counts from: the same
    reminder is given once per anchor (a new quiet spell is a new reminder)."""

    kind: str
    anchor: datetime
    due: datetime
    text: str


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 90:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def reminders(pace: IncidentPace, policy: SeverityPolicy, now: datetime) -> list[Reminder]:
    """Every reminder the incident's pace calls for at ``now``, due or not yet.

    The caller keeps those due (``due <= now``) and not yet given, and sets its alarm for the
    earliest of the others.
    """
    if pace.status == IncidentStatus.CLOSED.value:
        return []
    found: list[Reminder] = []
    if pace.status == IncidentStatus.RESOLVED.value:
        if policy.close_minutes is not None and pace.resolved_at is not None:
            found.append(
                Reminder(
                    ReminderKind.CLOSE,
                    pace.resolved_at,
                    pace.resolved_at + timedelta(minutes=policy.close_minutes),
                    "It is resolved: close it with a summary, and hold the post-incident review.",
                )
            )
        return found
    if policy.quiet_minutes is not None:
        due = pace.last_activity_at + timedelta(minutes=policy.quiet_minutes)
        found.append(
            Reminder(
                ReminderKind.QUIET,
                pace.last_activity_at,
                due,
                f"Quiet for {_minutes(max(now, due) - pace.last_activity_at)}: no status change "
                "and nothing in the transcript. Is it still being worked?",
            )
        )
    if (
        pace.status == IncidentStatus.MITIGATED.value
        and pace.mitigated_at is not None
        and policy.mitigated_minutes is not None
    ):
        due = pace.mitigated_at + timedelta(minutes=policy.mitigated_minutes)
        found.append(
            Reminder(
                ReminderKind.MITIGATED,
                pace.mitigated_at,
                due,
                f"Mitigated for {_minutes(max(now, due) - pace.mitigated_at)}: resolve it, or say "
                "what still needs doing.",
            )
        )
    if policy.needs_staff and policy.staffing_minutes is not None:
        due = pace.declared_at + timedelta(minutes=policy.staffing_minutes)
        for role, kind in (
            (IncidentRole.SCRIBE, ReminderKind.NO_SCRIBE),
            (IncidentRole.COMMUNICATION_COORDINATOR, ReminderKind.NO_COMMS),
        ):
            if role.value not in pace.roles_held:
                found.append(
                    Reminder(
                        kind,
                        pace.declared_at,
                        due,
                        f"{pace.severity} without a {ROLE_TITLE[role.value]} after "
                        f"{_minutes(max(now, due) - pace.declared_at)}: drag someone onto the "
                        "board.",
                    )
                )
    return found


def warnings(pace: IncidentPace, policy: SeverityPolicy, now: datetime) -> list[str]:
    """What the board shows the commander now: the reminders that are due."""
    return [r.text for r in reminders(pace, policy, now) if r.due <= now]


def policies_with(overrides: Mapping[str, SeverityPolicy]) -> dict[str, SeverityPolicy]:
    """The defaults, with what a roster file says per severity."""
    return {**DEFAULT_POLICIES, **overrides}


def open_statuses() -> Iterable[str]:
    return (status.value for status in _OPEN)
