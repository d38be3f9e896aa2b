"""Change-feed events: what every write tells the rest of the team.

An event is the unit of the change feed, the audit log and the incident timeline at once, so
it is small, immutable and self-describing: ``describe`` turns one into the sentence the
Activity feed shows without another query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from warroom.domain.errors import ValidationError

#: PostgreSQL's NOTIFY payload limit is 8000 bytes; events are read back by query, not from the
#: notification, but a payload this size already means someone put a document in an event.
MAX_PAYLOAD_BYTES = 4000


@dataclass(frozen=True, order=True)
class Cursor:
    """A reader's position in the feed.

    Events are delivered in ``(tx, id)`` order. On PostgreSQL ``tx`` is the writing
    transaction's id, so a transaction that commits late with low sequence ids is still
    delivered after the reader has moved past higher ids; on SQLite writers are serialised and
    ``tx`` is always 0.
    """

    tx: int = 0
    id: int = 0


@dataclass(frozen=True)
class NewEvent:
    """An event a service is about to append inside its transaction."""

    topic: str
    entity: str
    entity_id: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    incident_id: int | None = None
    #: Only for importing history (the demo's past incidents): when it happened and who did
    #: it. Live writes leave both None and get the transaction's time and actor.
    at: datetime | None = None
    actor: str | None = None

    #: The payload as JSON text, made once: the size check needs it and the PostgreSQL
    #: writer sends it as is.
    encoded: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        import json  # only writers check sizes; the desktop app's start-up does not need it

        if not self.topic or "." not in self.topic:
            raise ValidationError(f"event topic {self.topic!r} must look like 'entity.verb'")
        try:
            encoded = json.dumps(dict(self.payload))
        except TypeError as error:
            raise ValidationError(f"event {self.topic} payload is not JSON: {error}") from None
        size = len(encoded.encode())
        if size > MAX_PAYLOAD_BYTES:
            raise ValidationError(
                f"event {self.topic} payload is {size} bytes; the limit is {MAX_PAYLOAD_BYTES}"
            )
        object.__setattr__(self, "encoded", encoded)


@dataclass(frozen=True)
class FeedEvent:
    """A committed event as a reader receives it."""

    id: int
    tx: int
    at: datetime
    actor: str
    topic: str
    entity: str
    entity_id: str
    payload: Mapping[str, Any]
    incident_id: int | None = None

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.tx, self.id)


_TEMPLATES: dict[str, str] = {
    "person.created": "added {name} (@{handle}) to the roster",
    "person.updated": "updated {name} (@{handle})",
    "team.created": "created team {name}",
    "team.member_added": "added @{handle} to {team}",
    "service.created": "registered service {name}",
    "schedule.created": "created schedule {name}",
    "schedule.override_created": (
        "put @{handle} on call for {schedule} from {starts_at} to {ends_at}"
    ),
    "page.triggered": "paged {service}: {summary}",
    "page.acknowledged": "acknowledged page #{page_id}: {summary}",
    "page.escalated": "escalated page #{page_id} to level {level}: {summary}",
    "page.notified": "paged {people} about page #{page_id}: {summary}",
    "page.deferred": "held page #{page_id} for support hours: {summary}",
    "page.released": "released page #{page_id} as support hours began: {summary}",
    "page.reopened": "reopened page #{page_id} ({why}): {summary}",
    "page.escalation_exhausted": "ran out of escalation levels for page #{page_id}: {summary}",
    "page.resolved": "resolved page #{page_id}: {summary}",
    "incident.declared": "declared {severity} incident {ref}: {title}",
    "incident.status_changed": "moved {ref} to {status}",
    "incident.severity_changed": "changed {ref} from {from} to {to}: {reason}",
    "incident.role_assigned": "made @{handle} {role_title} of {ref}",
    "incident.role_released": "released @{handle} from {role_title} of {ref}",
    "incident.close_proposed": "proposed closing {ref}",
    "incident.closed": "closed {ref}: {summary}",
    "incident.reopened": "reopened {ref}: {reason}",
    "incident.page_linked": "linked page #{page_id} to {ref}",
    "incident.page_unlinked": "unlinked page #{page_id} from {ref}",
    "incident.reminder": "reminded the commander of {ref}: {text}",
    "incident.presence_joined": "opened the war room of {ref}",
    "incident.presence_left": "left the war room of {ref}",
    "transcript.recorded": "noted on {ref} ({kind}): {excerpt}",
    "transcript.edited": "edited an entry of {ref}: {excerpt}",
    "transcript.deleted": "deleted an entry of {ref}: {excerpt}",
    "transcript.restored": "restored an entry of {ref}: {excerpt}",
    "transcript.action_done": "ticked off an action item of {ref}: {excerpt}",
    "transcript.action_reopened": "opened an action item of {ref} again: {excerpt}",
    "runbook.imported": "imported runbook {title}",
    "runbook.step_ticked": "ticked '{step}' in {title}",
    "status_update.posted": "told {audience} about {ref}: {excerpt}",
    "status_update.due": "reminded the coordinator that the {audience} update of {ref} is due",
    "status_update.snoozed": "snoozed the {audience} update of {ref} for {minutes} min",
    "status_update.delivered": "delivered the {audience} update of {ref} to {target}",
    "status_update.delivery_retrying": (
        "could not deliver the {audience} update of {ref} to {target} ({detail}); will retry"
    ),
    "status_update.delivery_failed": (
        "gave up delivering the {audience} update of {ref} to {target}: {detail}"
    ),
    "demo.seeded": "seeded the demo organisation ({people} people, {teams} teams)",
}


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def describe(event: FeedEvent) -> str:
    """One readable sentence for an event, without the actor (the view shows that apart).

    Unknown topics fall back to a generic sentence, so an older client can show events that a
    newer one writes.
    """
    template = _TEMPLATES.get(event.topic)
    if template is None:
        summary = event.payload.get("summary")
        base = f"{event.topic.replace('.', ' ')} {event.entity} {event.entity_id}"
        return f"{base}: {summary}" if summary else base
    fields = _Missing(event.payload)
    if "ref" not in fields and "incident_id" in fields:  # events older than the ref
        fields["ref"] = f"incident #{fields['incident_id']}"
    role = event.payload.get("role")
    if isinstance(role, str):
        fields["role_title"] = role.replace("_", " ")
        if event.payload.get("previous"):
            fields["role_title"] += f" (took over from @{event.payload['previous']})"
    handles = event.payload.get("handles")
    if isinstance(handles, list):
        fields["people"] = ", ".join(f"@{h}" for h in handles) or "nobody"
    return template.format_map(fields)
