"""Alerts as they arrive: Prometheus Alertmanager (webhook version 4), Grafana alerting, and a
small generic format. Each becomes :class:`AlertIn`.

An alert is never lost (DESIGN.md): only a body that is not an alert payload at all (not
JSON, not the format's shape) is a ValidationError, so the receiver answers 400. One malformed
alert inside a good payload (not an object, no labels, an unknown status or urgency) still
becomes an alert, flagged with a ``note`` saying what was wrong, so the others in its delivery
land and a person sees it. Text is cleaned here, not in the database: NUL bytes and lone
surrogates go, over-long fields are cut (an over-long dedup key keeps a hash of the whole, so
dedup still works), so SQLite and PostgreSQL store the same thing and neither refuses a field.

Unknown fields are ignored: later Alertmanager and Grafana versions add some.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from warroom.domain.errors import ValidationError
from warroom.domain.text import clean_text

MAX_BODY_BYTES = 1_000_000
#: Alerts stored per delivery; the rest become one flagged page (see :func:`cap_delivery`).
#: Alertmanager's ``max_alerts`` in a webhook_config keeps its deliveries within it.
MAX_ALERTS_PER_DELIVERY = 1000
FIRING, RESOLVED = "firing", "resolved"

# What the columns hold (pages.dedup_key, summary, runbook_url, routing_note).
DEDUP_KEY_MAX = 255
SUMMARY_MAX = 1000
RUNBOOK_URL_MAX = 2000
NOTE_MAX = 500
#: A malformed alert's raw JSON kept in the page's details, so a person can see what came.
RAW_MAX = 10_000
_HASHED_KEY_MARK = "~sha256:"


def clean_dedup_key(key: str) -> str:
    """A key the database can hold that still tells alerts apart.

    A key that is too long or had to be cleaned keeps its start and gains a hash of the whole
    original, so two keys that differ anywhere stay two pages and a repeat finds its page.
    """
    cleaned = clean_text(key)
    if cleaned == key and len(key) <= DEDUP_KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    keep = DEDUP_KEY_MAX - len(_HASHED_KEY_MARK) - len(digest)
    return cleaned[:keep] + _HASHED_KEY_MARK + digest


def _clean_mapping(values: Mapping[str, str]) -> dict[str, str]:
    return {clean_text(str(k)): clean_text(str(v)) for k, v in values.items()}


@dataclass(frozen=True)
class AlertIn:
    """One alert, already fit for the database whoever built it (see :func:`clean_text`)."""

    source: str  # alertmanager, grafana, generic, manual
    dedup_key: str
    status: str  # firing | resolved
    summary: str
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    details: str = ""
    service: str | None = None  # an explicit service (generic format) beats the label
    urgency: str | None = None  # an explicit urgency (generic format) beats the service rules
    starts_at: datetime | None = None
    #: What was wrong with the alert as sent ("malformed: ..."); shown on its page.
    note: str | None = None

    def __post_init__(self) -> None:
        def put(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        put("dedup_key", clean_dedup_key(self.dedup_key))
        put("summary", clean_text(self.summary, SUMMARY_MAX))
        put("labels", _clean_mapping(self.labels))
        put("annotations", _clean_mapping(self.annotations))
        put("details", clean_text(self.details))
        if self.service is not None:
            put("service", clean_text(self.service, 200) or None)
        if self.note is not None:
            put("note", clean_text(self.note, NOTE_MAX))

    @property
    def runbook_url(self) -> str | None:
        """The runbook annotation, if the page's column can hold it.

        A longer one is not cut (a cut URL leads nowhere); it stays whole in the annotations.
        """
        url = self.annotations.get("runbook_url") or self.annotations.get("runbook") or None
        return url if url is not None and len(url) <= RUNBOOK_URL_MAX else None


def _text(value: Any) -> str:
    """A label or annotation value as text, whatever JSON value the sender put there."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return _raw(value)


def _raw(value: Any, limit: int = RAW_MAX) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)[:limit]
    except (RecursionError, ValueError, TypeError):
        return "(too deeply nested to show)"


def _strings(value: Any, what: str, problems: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"{what} is not an object")
        return {}
    return {str(k): _text(v) for k, v in value.items()}


def _time(value: Any) -> datetime | None:
    if not value or not isinstance(value, str) or value.startswith("0001-01-01"):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _parse_int(text: str) -> int | str:
    """Integers as Python reads them, except those too long to convert (Python refuses over
    4,300 digits, with a ValueError): those stay as their digits."""
    return int(text) if len(text) <= 4000 else text


def load_json(body: bytes) -> Any:
    if len(body) > MAX_BODY_BYTES:
        raise ValidationError(f"the body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}")
    try:
        return json.loads(body, parse_int=_parse_int)
    except RecursionError:
        raise ValidationError("the body is JSON nested too deeply to be an alert") from None
    except (UnicodeDecodeError, ValueError) as error:  # JSONDecodeError is a ValueError
        raise ValidationError(f"the body is not valid JSON ({error})") from None


def fingerprint(labels: Mapping[str, str]) -> str:
    """A stable key for an alert without one: its sorted label set."""
    text = "\x1f".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _summary(labels: Mapping[str, str], annotations: Mapping[str, str]) -> str:
    if annotations.get("summary"):
        return annotations["summary"]
    name = labels.get("alertname", "alert")
    where = labels.get("instance") or labels.get("job") or ""
    return f"{name}: {where}" if where else name


def _note(problems: Sequence[str]) -> str | None:
    return "malformed: " + "; ".join(problems) if problems else None


def _not_an_object(source: str, where: str, value: Any) -> AlertIn:
    """An alert slot that held something else: it still pages (flagged), with what came."""
    raw = _raw(value)
    return AlertIn(
        source,
        f"malformed-{hashlib.sha256(raw.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}",
        FIRING,
        f"A malformed alert from {source}: {where} is not an object",
        details=raw,
        note=f"malformed: {where} is not an object",
    )


def parse_alertmanager(document: Any, source: str = "alertmanager") -> list[AlertIn]:
    """Alertmanager's webhook (version 4); Grafana's alerting webhook has the same shape."""
    if not isinstance(document, dict):
        raise ValidationError("the body must be a JSON object")
    version = str(document.get("version", "4"))
    if source == "alertmanager" and version.split(".")[0] not in ("4", "5"):
        raise ValidationError(f"webhook version {version} is not supported (expected 4)")
    alerts = document.get("alerts")
    if not isinstance(alerts, list):
        raise ValidationError("the body has no 'alerts' list")
    shared: list[str] = []
    common_labels = _strings(document.get("commonLabels"), "commonLabels", shared)
    common_annotations = _strings(document.get("commonAnnotations"), "commonAnnotations", shared)
    out = []
    for n, alert in enumerate(alerts):
        if not isinstance(alert, dict):
            out.append(_not_an_object(source, f"alerts[{n}]", alert))
            continue
        problems = list(shared)
        labels = {
            **common_labels,
            **_strings(alert.get("labels"), f"alerts[{n}].labels", problems),
        }
        annotations = {
            **common_annotations,
            **_strings(alert.get("annotations"), f"alerts[{n}].annotations", problems),
        }
        if not labels:
            problems.append(f"alerts[{n}] has no labels")
        status = str(alert.get("status") or document.get("status") or FIRING)
        if status not in (FIRING, RESOLVED):
            problems.append(f"alerts[{n}].status is '{status[:40]}', not firing or resolved")
            status = FIRING  # unknown is firing: a page too many beats one missed
        key = _text(alert.get("fingerprint")) or fingerprint(labels)
        out.append(
            AlertIn(
                source,
                key,
                status,
                _summary(labels, annotations),
                labels,
                annotations,
                annotations.get("description", ""),
                starts_at=_time(alert.get("startsAt")),
                note=_note(problems),
            )
        )
    return out


def parse_generic(document: Any) -> list[AlertIn]:
    """``{"service": "checkout-api", "summary": "...", "dedup_key": "...",
    "status": "trigger" | "resolve", "urgency": "high" | "low", "details": "...",
    "labels": {...}, "runbook_url": "..."}`` — one object or a list of them."""
    if not isinstance(document, dict | list):
        raise ValidationError("the body must be a JSON object or a list of them")
    items = document if isinstance(document, list) else [document]
    out = []
    for n, item in enumerate(items):
        where = f"item {n}" if isinstance(document, list) else "the alert"
        if not isinstance(item, dict):
            out.append(_not_an_object("generic", where, item))
            continue
        problems: list[str] = []
        labels = _strings(item.get("labels"), f"{where}.labels", problems)
        summary = item.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            problems.append(f"{where} has no 'summary'")
            summary = (
                labels.get("alertname")
                or _text(item.get("dedup_key"))
                or f"An alert without a summary: {_raw(item, 200)}"
            )
        status = _text(item.get("status", "trigger"))
        if status not in ("trigger", "resolve", FIRING, RESOLVED):
            problems.append(f"{where}: status '{status[:40]}' is not trigger or resolve")
            status = "trigger"
        urgency = item.get("urgency")
        if urgency is not None and urgency not in ("high", "low"):
            problems.append(f"{where}: urgency '{_text(urgency)[:40]}' is not high or low")
            urgency = "high"  # what was meant is unknown, and unknown pages
        annotations = {}
        if item.get("runbook_url"):
            annotations["runbook_url"] = _text(item["runbook_url"])
        key = _text(item.get("dedup_key")) or fingerprint({**labels, "summary": summary})
        out.append(
            AlertIn(
                "generic",
                key,
                RESOLVED if status in ("resolve", RESOLVED) else FIRING,
                summary.strip(),
                labels,
                annotations,
                _text(item.get("details")),
                service=_text(item["service"]) if item.get("service") else None,
                urgency=urgency,
                note=_note(problems),
            )
        )
    return out


def cap_delivery(alerts: Sequence[AlertIn], limit: int = MAX_ALERTS_PER_DELIVERY) -> list[AlertIn]:
    """The first ``limit`` alerts, plus, if there were more, one flagged alert saying so.

    A delivery's size is bounded (one transaction, one request's time), but refusing it
    would lose every alert in it (Alertmanager never retries a 4xx): the ones kept land and
    the flagged page tells a person how many were not stored. It has a fixed dedup key per
    source, so a storm that keeps overflowing counts repeats on one page.
    """
    if len(alerts) <= limit:
        return list(alerts)
    source = alerts[0].source
    dropped = len(alerts) - limit
    note = (
        f"delivery truncated: {dropped} of {len(alerts)} alerts over the limit of {limit} "
        "per delivery were not stored (Alertmanager: set max_alerts in the webhook_config)"
    )
    return [
        *alerts[:limit],
        AlertIn(
            source,
            f"warroom-delivery-truncated-{source}",
            FIRING,
            f"A delivery from {source} had {len(alerts)} alerts; {dropped} were not stored",
            details="\n".join(a.summary for a in alerts[limit : limit + 200]),
            note=note,
        ),
    ]


def urgency_for(labels: Mapping[str, str], rules: Mapping[str, Any]) -> str:
    """The service's label rules decide (``{severity: {critical: high}}``); unknown: high.

    Unknown is high on purpose: a page that should not have woken someone is a tuning problem;
    a page that should have and did not is an outage.
    """
    for label, mapping in rules.items():
        if isinstance(mapping, dict) and labels.get(label) in mapping:
            value = str(mapping[labels[label]])
            if value in ("high", "low"):
                return value
    return "high"
