"""Alerts as they arrive: Prometheus Alertmanager (webhook version 4), Grafana alerting, and a
small generic format. Each becomes :class:`AlertIn`; anything malformed is a ValidationError
naming what is wrong, so the receiver can answer 400 and write nothing.

Unknown fields are ignored: later Alertmanager and Grafana versions add some.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from warroom.domain.errors import ValidationError

MAX_BODY_BYTES = 1_000_000
FIRING, RESOLVED = "firing", "resolved"


@dataclass(frozen=True)
class AlertIn:
    source: str  # alertmanager, grafana, generic
    dedup_key: str
    status: str  # firing | resolved
    summary: str
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    details: str = ""
    service: str | None = None  # an explicit service (generic format) beats the label
    urgency: str | None = None  # an explicit urgency (generic format) beats the service rules
    starts_at: datetime | None = None

    @property
    def runbook_url(self) -> str | None:
        return self.annotations.get("runbook_url") or self.annotations.get("runbook") or None


def _strings(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"{what} must be an object of strings")
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def _time(value: Any) -> datetime | None:
    if not value or not isinstance(value, str) or value.startswith("0001-01-01"):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def load_json(body: bytes) -> Any:
    if len(body) > MAX_BODY_BYTES:
        raise ValidationError(f"the body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(f"the body is not valid JSON ({error})") from None


def fingerprint(labels: Mapping[str, str]) -> str:
    """A stable key for an alert without one: its sorted label set."""
    text = "\x1f".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _summary(labels: Mapping[str, str], annotations: Mapping[str, str]) -> str:
    if annotations.get("summary"):
        return annotations["summary"]
    name = labels.get("alertname", "alert")
    where = labels.get("instance") or labels.get("job") or ""
    return f"{name}: {where}" if where else name


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
    common_labels = _strings(document.get("commonLabels"), "commonLabels")
    common_annotations = _strings(document.get("commonAnnotations"), "commonAnnotations")
    out = []
    for n, alert in enumerate(alerts):
        if not isinstance(alert, dict):
            raise ValidationError(f"alerts[{n}] must be an object")
        labels = {**common_labels, **_strings(alert.get("labels"), f"alerts[{n}].labels")}
        annotations = {
            **common_annotations,
            **_strings(alert.get("annotations"), f"alerts[{n}].annotations"),
        }
        if not labels:
            raise ValidationError(f"alerts[{n}] has no labels")
        status = str(alert.get("status") or document.get("status") or FIRING)
        if status not in (FIRING, RESOLVED):
            raise ValidationError(f"alerts[{n}].status is '{status}', not firing or resolved")
        key = str(alert.get("fingerprint") or fingerprint(labels))
        out.append(
            AlertIn(
                source,
                key,
                status,
                _summary(labels, annotations)[:1000],
                labels,
                annotations,
                annotations.get("description", ""),
                starts_at=_time(alert.get("startsAt")),
            )
        )
    return out


def parse_generic(document: Any) -> list[AlertIn]:
    """``{"service": "checkout-api", "summary": "...", "dedup_key": "...",
    "status": "trigger" | "resolve", "urgency": "high" | "low", "details": "...",
    "labels": {...}, "runbook_url": "..."}`` — one object or a list of them."""
    items = document if isinstance(document, list) else [document]
    out = []
    for n, item in enumerate(items):
        where = f"item {n}" if isinstance(document, list) else "the alert"
        if not isinstance(item, dict):
            raise ValidationError(f"{where} must be a JSON object")
        summary = item.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            raise ValidationError(f"{where} has no 'summary'")
        status = str(item.get("status", "trigger"))
        if status not in ("trigger", "resolve", FIRING, RESOLVED):
            raise ValidationError(f"{where}: status must be trigger or resolve")
        urgency = item.get("urgency")
        if urgency is not None and urgency not in ("high", "low"):
            raise ValidationError(f"{where}: urgency must be high or low")
        labels = _strings(item.get("labels"), f"{where}.labels")
        annotations = {}
        if item.get("runbook_url"):
            annotations["runbook_url"] = str(item["runbook_url"])
        key = str(item.get("dedup_key") or fingerprint({**labels, "summary": summary}))
        out.append(
            AlertIn(
                "generic",
                key,
                RESOLVED if status in ("resolve", RESOLVED) else FIRING,
                summary.strip()[:1000],
                labels,
                annotations,
                str(item.get("details") or ""),
                service=str(item["service"]) if item.get("service") else None,
                urgency=urgency,
            )
        )
    return out


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
