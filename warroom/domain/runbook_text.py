"""Reading a runbook file: YAML front matter, a Markdown body, and its task-item steps.

Steps are keyed by a hash of their text, so re-importing a runbook keeps the ticks of the steps
that did not change.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from warroom.domain.errors import ValidationError

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
#: libyaml's safe loader where it is installed: ten times faster on a big library.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,199}$")
_TASK_ITEM = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s+(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class RunbookStepText:
    position: int
    key: str
    text: str


@dataclass(frozen=True)
class ParsedRunbook:
    title: str
    body: str
    services: list[str] = field(default_factory=list)
    alert_matchers: list[dict[str, str]] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    severity_hints: dict[str, Any] = field(default_factory=dict)
    last_reviewed: date | None = None
    steps: list[RunbookStepText] = field(default_factory=list)
    content_hash: str = ""
    slug: str | None = None  # from the front matter; else the importer derives it from the path


def step_key(text: str) -> str:
    normalised = " ".join(text.split())
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


def parse_runbook(text: str, source: str = "runbook") -> ParsedRunbook:
    """Parse one runbook file; a problem is a ValidationError naming ``source``."""
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ValidationError(f"{source}: no YAML front matter (a '---' block at the top)")
    try:
        meta = yaml.load(match.group(1), Loader=_SAFE_LOADER) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""  # +1 for the '---'
        problem = getattr(exc, "problem", None) or "cannot be read"
        raise ValidationError(
            f"{source}: the front matter is not valid YAML{where}: {problem}"
        ) from None
    if not isinstance(meta, dict):
        raise ValidationError(f"{source}: the front matter must be a mapping of keys to values")
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValidationError(f"{source}: the front matter has no title")
    body = text[match.end() :]
    reviewed = meta.get("last_reviewed")
    if reviewed is not None and not isinstance(reviewed, date):
        raise ValidationError(f"{source}: last_reviewed must be a date like 2026-10-02")
    alerts = meta.get("alerts") or []
    if not isinstance(alerts, list) or not all(isinstance(a, dict) for a in alerts):
        raise ValidationError(f"{source}: alerts must be a list of label matchers")
    slug = meta.get("slug")
    if slug is not None and not (isinstance(slug, str) and _SLUG.match(slug)):
        raise ValidationError(f"{source}: slug must be lower-case letters, digits and '-'")
    services = meta.get("services") or []
    if not isinstance(services, list):
        raise ValidationError(f"{source}: services must be a list of service slugs")
    steps = [
        RunbookStepText(position, step_key(item), item)
        for position, item in enumerate(_TASK_ITEM.findall(body))
    ]
    return ParsedRunbook(
        title=title.strip(),
        body=body,
        services=[str(s) for s in meta.get("services") or []],
        alert_matchers=[{str(k): str(v) for k, v in a.items()} for a in alerts],
        owners=[str(o) for o in meta.get("owners") or []],
        severity_hints=dict(meta.get("severity") or {}),
        last_reviewed=reviewed,
        steps=steps,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        slug=slug,
    )
