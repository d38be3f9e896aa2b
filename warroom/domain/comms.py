"""The Communication Coordinator's rules: what stakeholders are told, in which words, how
often, and what became of an update sent to a webhook.

Everyone outside the bridge hears from one person on a cadence, so nobody interrupts the
responders to ask. Three audiences are told apart because they need different words: the
engineers of the company (internal), the people who answer for the business (executive), and
the customers (who must never read jargon). A template per audience turns what is known about
the incident into a first draft; the coordinator edits it and posts it.

Pure: no I/O. The services feed it what the database knows; the engine feeds it what a
webhook answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from warroom.domain.errors import ValidationError
from warroom.domain.vocabulary import (
    Audience,
    DeliveryFormat,
    DeliveryState,
    IncidentStatus,
    Severity,
)

AUDIENCE_TITLE: Mapping[str, str] = {
    Audience.INTERNAL.value: "Internal",
    Audience.EXECUTIVE.value: "Executives",
    Audience.CUSTOMERS.value: "Customers",
}

#: The statuses an update can report (a closed incident's last word is "resolved").
UPDATE_STATUSES = (
    IncidentStatus.INVESTIGATING.value,
    IncidentStatus.IDENTIFIED.value,
    IncidentStatus.MITIGATED.value,
    IncidentStatus.RESOLVED.value,
)

STATUS_TITLE: Mapping[str, str] = {status: status.capitalize() for status in UPDATE_STATUSES}

#: Moving to one of these offers the composer with the new status filled in.
PROMPTING_STATUSES = frozenset({IncidentStatus.MITIGATED.value, IncidentStatus.RESOLVED.value})

#: What a reminder can be snoozed for, in minutes.
SNOOZE_MINUTES = (15, 30, 60)

MAX_BODY = 10_000
MAX_TEMPLATE = 4_000
EXCERPT = 200

_AUDIENCE_WORDS = {
    "internal": Audience.INTERNAL,
    "engineering": Audience.INTERNAL,
    "executive": Audience.EXECUTIVE,
    "executives": Audience.EXECUTIVE,
    "exec": Audience.EXECUTIVE,
    "customers": Audience.CUSTOMERS,
    "customer": Audience.CUSTOMERS,
    "public": Audience.CUSTOMERS,
}


def parse_audience(text: str) -> Audience:
    audience = _AUDIENCE_WORDS.get(text.strip().lower())
    if audience is None:
        raise ValidationError(
            f"'{text}' is not an audience; use " + ", ".join(a.value for a in Audience)
        )
    return audience


def parse_update_status(text: str) -> str:
    status = text.strip().lower()
    if status not in UPDATE_STATUSES:
        raise ValidationError(
            f"'{text}' is not a status an update can report; use " + ", ".join(UPDATE_STATUSES)
        )
    return status


def excerpt(body: str) -> str:
    """The start of an update, on one line: what the Activity feed and the timeline show."""
    flat = " ".join(body.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


# ----------------------------------------------------------------------------- templates

#: Every placeholder a template may use, and what it becomes.
PLACEHOLDERS: Mapping[str, str] = {
    "ref": "the incident's name, e.g. INC-7",
    "title": "the incident's title",
    "severity": "SEV1 … SEV4",
    "status": "Investigating, Identified, Mitigated or Resolved",
    "impact": "who is affected, and how",
    "actions": "what is being done",
    "next_update": "a sentence saying when the next update comes",
    "service": "the service it is about",
    "commander": "the Incident Commander's name",
    "coordinator": "the Communication Coordinator's name",
}

#: What ships: a first draft per audience, for teams whose roster file says nothing.
DEFAULT_TEMPLATES: Mapping[str, str] = {
    Audience.INTERNAL.value: (
        "{ref} ({severity}) — {title}\n"
        "Status: {status}\n"
        "Impact: {impact}\n"
        "What we are doing: {actions}\n"
        "{next_update}"
    ),
    Audience.EXECUTIVE.value: (
        "{title} ({severity}, {status})\n"
        "Business impact: {impact}\n"
        "What we are doing: {actions}\n"
        "Incident Commander: {commander}.\n"
        "{next_update}"
    ),
    Audience.CUSTOMERS.value: "{status}: {title}\n\n{impact}\n{actions}\n\n{next_update}",
}

_FIELD = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")

#: The drafts' words where nothing better is known yet.
NO_IMPACT_YET = "We are still assessing the impact."
_ACTIONS = {
    IncidentStatus.INVESTIGATING.value: "We are investigating the cause.",
    IncidentStatus.IDENTIFIED.value: "We have found the cause and are working on a fix.",
    IncidentStatus.MITIGATED.value: "A fix is in place and we are watching that it holds.",
    IncidentStatus.RESOLVED.value: "The problem is resolved.",
}


def unknown_placeholders(template: str) -> list[str]:
    """The ``{names}`` in a template that are no placeholder (``{{`` is a literal brace)."""
    return sorted(
        {
            m.group(1)
            for m in _FIELD.finditer(template)
            if m.group(1) and m.group(1) not in PLACEHOLDERS
        }
    )


def check_template(template: str) -> None:
    """A template's problem in one sentence, or nothing."""
    if not template.strip():
        raise ValidationError("a template cannot be empty")
    if len(template) > MAX_TEMPLATE:
        raise ValidationError(f"a template is at most {MAX_TEMPLATE} characters")
    unknown = unknown_placeholders(template)
    if unknown:
        raise ValidationError(
            "unknown placeholder "
            + ", ".join("{" + name + "}" for name in unknown)
            + " (use "
            + ", ".join("{" + name + "}" for name in PLACEHOLDERS)
            + "; {{ and }} for a brace)"
        )


def actions_for(status: str) -> str:
    """What is being done, as a draft says it for a status."""
    return _ACTIONS.get(status, _ACTIONS[IncidentStatus.INVESTIGATING.value])


def next_update_sentence(status: str, at: datetime | None) -> str:
    """When stakeholders hear next: at the cadence, or never again once it is resolved."""
    if status == IncidentStatus.RESOLVED.value:
        return "This is the last update about this incident."
    if at is None:
        return "We will update you as soon as we know more."
    return f"Next update by {at.astimezone(UTC):%H:%M} UTC."


@dataclass(frozen=True)
class UpdateFacts:
    """What a draft is made of: the incident as it is, plus what the coordinator typed."""

    ref: str
    title: str
    severity: str
    status: str
    service: str | None = None
    commander: str | None = None
    coordinator: str | None = None
    impact: str = ""
    actions: str = ""
    next_update_at: datetime | None = None


def fill(template: str, facts: UpdateFacts) -> str:
    """The draft: every placeholder replaced (unknown ones stay as written)."""
    values = {
        "ref": facts.ref,
        "title": facts.title,
        "severity": facts.severity,
        "status": STATUS_TITLE.get(facts.status, facts.status.capitalize()),
        "impact": facts.impact.strip() or NO_IMPACT_YET,
        "actions": facts.actions.strip() or actions_for(facts.status),
        "next_update": next_update_sentence(facts.status, facts.next_update_at),
        "service": facts.service or "our service",
        "commander": facts.commander or "not assigned",
        "coordinator": facts.coordinator or facts.commander or "not assigned",
    }

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return values.get(match.group(1), token)

    return _FIELD.sub(swap, template)


def pick_template(audience: str, team: str | None, templates: Mapping[tuple[str, str], str]) -> str:
    """The team's own template for the audience, else everyone's, else the one that ships.
    ``templates`` is keyed by (scope, audience); the scope "" is every team."""
    if team and (team, audience) in templates:
        return templates[(team, audience)]
    return templates.get(("", audience), DEFAULT_TEMPLATES[audience])


# ----------------------------------------------------------------------------- copying


def subject(audience: str, ref: str, title: str, status: str) -> str:
    """The first line of a copied update: customers are not given the internal name."""
    state = STATUS_TITLE.get(status, status.capitalize())
    if audience == Audience.CUSTOMERS.value:
        return f"{title} — {state}"
    return f"[{ref}] {title} — {state}"


def as_plain_text(audience: str, ref: str, title: str, status: str, body: str) -> str:
    """For an e-mail: a subject line, a blank line, the update."""
    return f"{subject(audience, ref, title, status)}\n\n{body.strip()}\n"


def as_markdown(audience: str, ref: str, title: str, status: str, body: str) -> str:
    """For a chat: the subject in bold; each line of the update kept as a line."""
    lines = [_markdown_line(line) for line in body.strip().splitlines()]
    return f"**{_escape(subject(audience, ref, title, status))}**\n\n" + "  \n".join(lines) + "\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def _escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _markdown_line(line: str) -> str:
    """A line of the coordinator's text shown as typed: no accidental emphasis or heading."""
    return _escape(line)


# ----------------------------------------------------------------------------- cadence


@dataclass(frozen=True)
class UpdateDue:
    """When an audience is due to hear next. ``anchor`` is the last update to it (or the
    declaration); posting to the audience makes a new anchor, which resets the clock."""

    audience: str
    anchor: datetime
    due: datetime
    snoozed: bool = False


def audiences_on_cadence(severity: str, told: Iterable[str]) -> list[str]:
    """Who is kept informed on the cadence: internal always; executives and customers from
    the start for SEV1 (customers cannot use a core function: they must hear from us), and
    for any severity once someone has told them (the coordinator chose to start telling
    them, so they are not left hanging)."""
    wanted = {Audience.INTERNAL.value, *told}
    if severity == Severity.SEV1.value:
        wanted |= {Audience.EXECUTIVE.value, Audience.CUSTOMERS.value}
    return [a.value for a in Audience if a.value in wanted]


#: While an incident is worked on, stakeholders hear from it on the cadence.
_ON_CADENCE = frozenset(
    {
        IncidentStatus.INVESTIGATING.value,
        IncidentStatus.IDENTIFIED.value,
        IncidentStatus.MITIGATED.value,
    }
)


def update_dues(
    *,
    severity: str,
    status: str,
    declared_at: datetime,
    cadence_minutes: int | None,
    last_told: Mapping[str, datetime],
    snoozed_until: Mapping[str, datetime],
) -> list[UpdateDue]:
    """When each audience on the cadence is due next.

    No cadence (SEV4 by default), resolved or closed: nobody is due (the resolution itself is
    prompted by the status change). ``snoozed_until``: the latest snooze since the audience's
    last update; it moves the due time later, never earlier.
    """
    if cadence_minutes is None or status not in _ON_CADENCE:
        return []
    every = timedelta(minutes=cadence_minutes)
    dues = []
    for audience in audiences_on_cadence(severity, last_told):
        anchor = last_told.get(audience, declared_at)
        due = anchor + every
        until = snoozed_until.get(audience)
        if until is not None and until > due:
            dues.append(UpdateDue(audience, anchor, until, snoozed=True))
        else:
            dues.append(UpdateDue(audience, anchor, due))
    return dues


def earliest(dues: Iterable[UpdateDue]) -> UpdateDue | None:
    return min(dues, key=lambda d: (d.due, d.audience), default=None)


def overdue_text(due: datetime, now: datetime) -> str:
    """``overdue 12 min`` or ``due in 18 min``: what the war room header and the list say."""
    minutes = int(abs((now - due).total_seconds()) // 60)
    span = f"{minutes} min" if minutes < 90 else f"{minutes // 60} h {minutes % 60:02d} min"
    return f"overdue {span}" if now >= due else f"due in {span}"


# ----------------------------------------------------------------------------- delivery

#: Waits before each retry of a delivery that failed for a reason that may pass.
RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
#: Answers below 500 that still mean "later": the server timed the request out, or is
#: rate-limiting (chat webhooks do, and say to retry).
_RETRY_CODES = frozenset({408, 429})


@dataclass(frozen=True)
class WebhookAnswer:
    """What one attempt got: an HTTP status, or no answer at all (``error`` says why).

    ``permanent``: no attempt can ever succeed (the configured address is not a URL).
    """

    code: int | None
    error: str = ""
    permanent: bool = False


@dataclass(frozen=True)
class DeliveryOutcome:
    state: str
    detail: str
    next_attempt_at: datetime | None


def delivery_outcome(answer: WebhookAnswer, attempts: int, now: datetime) -> DeliveryOutcome:
    """Sent on 2xx. Tried again later on a 5xx, 408, 429, a timeout or a connection that
    failed, until :data:`MAX_ATTEMPTS`. Failed at once on any other answer (a 4xx will not
    change by asking again; a redirect means the address is out of date)."""
    code = answer.code
    if code is not None and 200 <= code < 300:
        return DeliveryOutcome(DeliveryState.SENT.value, str(code), None)
    detail = str(code) if code is not None else (answer.error or "no answer")
    transient = not answer.permanent and (code is None or code >= 500 or code in _RETRY_CODES)
    if not transient:
        return DeliveryOutcome(DeliveryState.FAILED.value, detail, None)
    if attempts >= MAX_ATTEMPTS:
        return DeliveryOutcome(
            DeliveryState.FAILED.value, f"{detail} after {attempts} attempts", None
        )
    delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    return DeliveryOutcome(DeliveryState.RETRYING.value, detail, now + delay)


def delivery_label(state: str, detail: str = "", note: str = "") -> str:
    """How an update shows its delivery: ``sent``, ``retrying (503)``, ``failed: 403``."""
    if state == DeliveryState.SENT.value:
        return "sent"
    if state == DeliveryState.SENDING.value:
        return "sending…"
    if state == DeliveryState.RETRYING.value:
        return f"retrying ({detail})" if detail else "retrying"
    if state == DeliveryState.FAILED.value:
        return f"failed: {detail}" if detail else "failed"
    return note or "queued"


def webhook_payload(kind: str, content: Mapping[str, Any]) -> dict[str, Any]:
    """What is POSTed: for a chat webhook its ``text`` (Markdown); for ``json`` the
    incident and the update as fields (a status page's API or a relay maps them), with the
    plain text too. ``content``: the update's facts as the delivery claim gathered them."""
    args = (
        str(content["audience"]),
        str(content["ref"]),
        str(content["title"]),
        str(content["status"]),
        str(content["body"]),
    )
    if kind == DeliveryFormat.CHAT.value:
        return {"text": as_markdown(*args)}
    return {
        "incident": {
            "ref": content["ref"],
            "title": content["title"],
            "severity": content["severity"],
            "status": content["incident_status"],
            "service": content.get("service"),
        },
        "update": {
            "id": content["update_id"],
            "audience": content["audience"],
            "status": content["status"],
            "body": content["body"],
            "posted_at": content["posted_at"],
            "posted_by": content["posted_by"],
        },
        "text": as_plain_text(*args),
    }
