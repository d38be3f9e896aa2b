"""The post-incident report's values and stamps, shared by its two documents
(:mod:`.report_markdown` and :mod:`.report_html`).

Pure: the services gather a :class:`Report` (plain values, read in one transaction); every
stamp carries the date, the time, the zone and T+ (``2026-03-02 14:02:05 CET · T+00:12:40``),
in the zone the reader asked for. An incident may hold 100,000 entries, so the stamp of each
instant is a few string operations, not a ``strftime`` per part (:class:`Stamper`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from warroom.domain.transcript import EVENT_CATEGORIES, MARK_TITLE, ImpactWindow, t_plus

# ----------------------------------------------------------------------------- the values


@dataclass(slots=True)
class TimelineItem:
    """One line of the timeline: a transcript entry, or another event of the incident.

    Not frozen: an export makes 100,000 of them, and a frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` per field) was a third of gathering them."""

    at: datetime
    #: A transcript kind (``said``, ``decided``…) or an event category (``status``, ``role``…).
    kind: str
    #: Who wrote it down (an entry's author) or who did it (an event's actor).
    by: str
    text: str
    #: An entry's speaker (handle); None for events and unattributed entries.
    speaker: str | None = None
    edited: bool = False
    mark: str | None = None
    is_entry: bool = True
    owner: str | None = None  # an action item's


@dataclass(frozen=True)
class SeverityChange:
    at: datetime
    by: str
    from_severity: str
    to_severity: str
    reason: str


@dataclass(frozen=True)
class RoleSpell:
    """Someone holding a role from ``assigned_at`` until ``released_at`` (None: still)."""

    role: str  # its title
    handle: str
    name: str
    assigned_at: datetime
    assigned_by: str
    released_at: datetime | None
    released_by: str | None
    took_over_from: str | None
    expertise: str | None = None


@dataclass(frozen=True)
class ActionItem:
    at: datetime
    text: str
    owner: str | None
    by: str
    done_at: datetime | None
    done_by: str | None


@dataclass(frozen=True)
class UpdateSent:
    at: datetime
    audience: str
    status: str
    by: str
    text: str
    #: ``status page: sent``, ``#incidents: retrying (503)``; empty when nothing delivers it.
    deliveries: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageLinked:
    id: int
    service: str
    summary: str
    urgency: str
    state: str
    triggered_at: datetime


@dataclass(frozen=True)
class Tick:
    at: datetime
    by: str
    step: str
    unticked_at: datetime | None = None


@dataclass(frozen=True)
class RunbookFollowed:
    slug: str
    title: str
    steps: int
    ticks: tuple[Tick, ...] = ()


@dataclass(frozen=True)
class Report:
    ref: str
    title: str
    severity: str
    status: str
    service: str | None
    summary: str
    bridge_url: str | None
    declared_at: datetime
    declared_by: str
    mitigated_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    impact: ImpactWindow
    severity_changes: Sequence[SeverityChange] = ()
    roles: Sequence[RoleSpell] = ()
    #: Entries (deleted ones left out) and events, oldest first.
    timeline: Sequence[TimelineItem] = ()
    actions: Sequence[ActionItem] = ()
    updates: Sequence[UpdateSent] = ()  # oldest first
    pages: Sequence[PageLinked] = ()
    runbooks: Sequence[RunbookFollowed] = ()
    generated_at: datetime | None = None

    @property
    def decisions(self) -> list[TimelineItem]:
        """The decisions, listed again on their own."""
        return [i for i in self.timeline if i.is_entry and i.kind == "decided"]


# ----------------------------------------------------------------------------- stamps


class Stamper:
    """``2026-03-02 14:02:05 CET · T+00:12:40`` for instants in one zone.

    The local date, hour, minute and zone name are worked out once per minute of UTC (a
    zone's offset changes only at a transition, on a whole minute); the seconds and T+ are
    arithmetic. A ``ZoneInfo`` conversion and ``isoformat`` per entry were half the export.
    """

    def __init__(self, zone: tzinfo, declared: datetime) -> None:
        self.zone = zone
        self.declared = declared
        self._minutes: dict[int, tuple[str, str]] = {}

    def wall(self, at: datetime) -> str:
        """``2026-03-02 14:02:05 CET``."""
        whole = math.floor(at.timestamp())
        minute, second = divmod(whole, 60)
        known = self._minutes.get(minute)
        if known is None:
            local = datetime.fromtimestamp(minute * 60, self.zone)
            name = local.tzname() or _offset_name(local.utcoffset() or timedelta(0))
            known = (f"{local:%Y-%m-%d %H:%M}:", f" {name}")
            self._minutes[minute] = known
        return known[0] + _SECONDS[second] + known[1]

    def __call__(self, at: datetime) -> str:
        return f"{self.wall(at)} · {t_plus(at, self.declared)}"

    def maybe(self, at: datetime | None, missing: str = "—") -> str:
        return self(at) if at is not None else missing


_SECONDS = tuple(f"{n:02d}" for n in range(60))


def _offset_name(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def duration(start: datetime, end: datetime) -> str:
    """``1 h 07 min``, ``3 d 2 h 05 min``, ``45 s``."""
    seconds = int((end - start).total_seconds())
    if seconds < 60:
        return f"{max(seconds, 0)} s"
    days, rest = divmod(seconds // 60, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if days or hours:
        parts.append(f"{hours} h")
    parts.append(f"{minutes:02d} min" if parts else f"{minutes} min")
    return " ".join(parts)


def kind_title(item: TimelineItem) -> str:
    if item.is_entry:
        return MARK_TITLE[item.mark] if item.mark and not item.text else item.kind
    return EVENT_CATEGORIES.get(item.kind, item.kind).lower()


def impact_sentence(report: Report) -> str:
    if report.impact.from_marks:
        return "from the scribe's impact marks"
    return "no impact marks were set: from the incident's own clock (declared → resolved)"


def is_web_address(url: str) -> bool:
    """Only an http(s) address becomes a link (a ``javascript:`` bridge stays words)."""
    return re.match(r"(?i)^https?://[^\s/]", url.strip()) is not None
