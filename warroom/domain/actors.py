"""Who did it: a person, or the system acting on its own.

Automatic steps (an escalation, a release at the start of support hours, an acknowledgement
that timed out, a webhook delivery, a reminder) are recorded as the system that did them,
never as the person whose desktop happened to run the sweep; the process that ran them goes
in the event's payload (``run_by``). A system actor's name cannot be a person's handle:
handles never contain a colon.
"""

from __future__ import annotations

from enum import StrEnum


class SystemActor(StrEnum):
    ESCALATION_POLICY = "system:escalation-policy"
    SUPPORT_HOURS = "system:support-hours"
    ACK_TIMEOUT = "system:ack-timeout"
    ALERTMANAGER = "system:alertmanager"
    GRAFANA = "system:grafana"
    WEBHOOK = "system:webhook"
    REMINDERS = "system:reminders"
    UPDATE_DELIVERY = "system:update-delivery"

    @property
    def label(self) -> str:
        """How a person reads it: ``escalation policy``."""
        return self.value.removeprefix(SYSTEM_PREFIX).replace("-", " ")


SYSTEM_PREFIX = "system:"

#: The system actor that delivers each alert source's webhooks; pages made by hand have none.
ALERT_SOURCES = {
    "alertmanager": SystemActor.ALERTMANAGER,
    "grafana": SystemActor.GRAFANA,
    "generic": SystemActor.WEBHOOK,
}


def is_system(actor: str) -> bool:
    return actor.startswith(SYSTEM_PREFIX)


def actor_label(actor: str) -> str:
    """A system actor's readable name; a person's handle as it is (the caller maps names)."""
    if is_system(actor):
        return actor.removeprefix(SYSTEM_PREFIX).replace("-", " ")
    return actor
