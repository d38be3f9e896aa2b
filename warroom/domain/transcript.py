"""The scribe's rules: what a typed line means, when what it records happened, and how an
entry's time reads against the incident's clock.

A line is typed as fast as people talk, so everything is in the line itself: a kind prefix
(``/d`` decided, ``/a`` action…), a time for what is reported late (``14:02 …``), the speaker
(or an action's owner) as ``@handle``. The time of an entry is the first keystroke, not
Enter: what was said happened when the scribe started writing it down.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from warroom.domain.errors import ConflictError, ValidationError
from warroom.domain.text import clean_text
from warroom.domain.vocabulary import ImpactMark, TranscriptKind

#: The longest entry kept (a pasted log excerpt fits; a whole log file does not).
MAX_ENTRY = 8000

#: Ctrl+1…6 in the editor, and the order kinds are listed in.
KIND_ORDER: Sequence[TranscriptKind] = (
    TranscriptKind.SAID,
    TranscriptKind.DID,
    TranscriptKind.DECIDED,
    TranscriptKind.ACTION,
    TranscriptKind.FELT,
    TranscriptKind.NOTE,
)

#: What each kind is for, shown as the editor's hints and the filter's tooltips.
KIND_MEANING: Mapping[str, str] = {
    TranscriptKind.SAID.value: "what someone said on the bridge",
    TranscriptKind.DID.value: "what someone did to the systems",
    TranscriptKind.DECIDED.value: "a decision, and who made it",
    TranscriptKind.ACTION.value: "a follow-up with an owner, open until done",
    TranscriptKind.FELT.value: "how people or customers felt",
    TranscriptKind.NOTE.value: "anything else worth keeping",
}

#: The short prefixes. ``/d`` is *decided* (decisions matter most in a review); *did* is
#: ``/did``. In a line only these and the kinds' whole words count: a start of a word would
#: turn "/no rollback yet" into a note that says "rollback yet".
KIND_SHORTCUTS: Mapping[str, TranscriptKind] = {
    "s": TranscriptKind.SAID,
    "d": TranscriptKind.DECIDED,
    "a": TranscriptKind.ACTION,
    "f": TranscriptKind.FELT,
    "n": TranscriptKind.NOTE,
    "did": TranscriptKind.DID,
}

#: Prefixes that mark the impact window (``/impact-start``, ``/impact-end``, or their starts).
MARK_WORDS: Mapping[str, ImpactMark] = {
    "impact-start": ImpactMark.IMPACT_START,
    "impact-end": ImpactMark.IMPACT_END,
}

MARK_TITLE: Mapping[str, str] = {
    ImpactMark.IMPACT_START.value: "Impact started",
    ImpactMark.IMPACT_END.value: "Impact ended",
}

_PREFIX = re.compile(r"^/([a-z][a-z-]*)(?:\s+|$)", re.IGNORECASE)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s+|$)")
_HANDLE = re.compile(r"^@([A-Za-z0-9_.-]+)(?:\s+|$)")
#: A backdated time more than this far ahead of now is taken as yesterday's.
_AHEAD_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class ParsedLine:
    """What a committed line says besides its words."""

    body: str
    kind: TranscriptKind | None = None  # None: the editor's current kind
    mark: ImpactMark | None = None
    #: A time typed at the start, already on the right day, in UTC's instant.
    at: datetime | None = None
    #: ``@handle`` at the start: the speaker, or an action item's owner.
    handle: str | None = None


def parse_kind(text: str) -> TranscriptKind:
    """A kind by its word or prefix (``decided``, ``/d``, ``dec``)."""
    word = text.strip().lower().lstrip("/")
    found = _kind_for(word)
    if found is None:
        known = ", ".join(k.value for k in KIND_ORDER)
        raise ValidationError(f"'{text}' is not a kind of entry; use one of {known}.")
    return found


def _line_kind(word: str) -> TranscriptKind | None:
    """A line's prefix: a shortcut or a kind's whole word, nothing looser."""
    if word in KIND_SHORTCUTS:
        return KIND_SHORTCUTS[word]
    return next((k for k in KIND_ORDER if k.value == word), None)


def _kind_for(word: str) -> TranscriptKind | None:
    """A kind named on purpose (a command's ``--kind``): an unambiguous start will do."""
    if word in KIND_SHORTCUTS:
        return KIND_SHORTCUTS[word]
    matches = [k for k in KIND_ORDER if k.value.startswith(word)] if word else []
    return matches[0] if len(matches) == 1 else None


def _mark_for(word: str) -> ImpactMark | None:
    matches = [m for w, m in MARK_WORDS.items() if w.startswith(word) and len(word) >= 8]
    return matches[0] if len(matches) == 1 else None


def parse_line(text: str, now: datetime, zone: tzinfo) -> ParsedLine:
    """Split a typed line into its prefix, time, handle and words.

    ``now`` is when the line is committed and ``zone`` the scribe's: ``14:02`` is 14:02 on
    the scribe's wall clock, today, or yesterday when 14:02 today is still to come (a note
    typed at 00:05 about 23:58). A prefix that is not a kind stays part of the words: a
    path such as ``/var/log`` must not vanish.
    """
    rest = clean_text(text).strip()
    kind: TranscriptKind | None = None
    mark: ImpactMark | None = None
    at: datetime | None = None
    for _ in range(2):  # the prefix and the time, in either order
        prefix = _PREFIX.match(rest) if kind is None and mark is None else None
        if prefix:
            word = prefix.group(1).lower()
            mark = _mark_for(word)
            kind = None if mark else _line_kind(word)
            if kind or mark:
                rest = rest[prefix.end() :]
        clock = _TIME.match(rest) if at is None else None
        if clock:
            at = backdate(clock, now, zone)
            if at is not None:
                rest = rest[clock.end() :]
    handle: str | None = None
    mention = _HANDLE.match(rest)
    if mention:
        handle = mention.group(1)
        rest = rest[mention.end() :]
    return ParsedLine(rest.strip(), kind, mark, at, handle)


def backdate(clock: re.Match[str], now: datetime, zone: tzinfo) -> datetime | None:
    hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    local_now = now.astimezone(zone)
    candidate = datetime.combine(local_now.date(), time(hour, minute, second), tzinfo=zone)
    if candidate - local_now > _AHEAD_GRACE:
        candidate = datetime.combine(
            local_now.date() - timedelta(days=1), time(hour, minute, second), tzinfo=zone
        )
    return candidate.astimezone(now.tzinfo)


def check_body(body: str, mark: ImpactMark | None = None) -> str:
    """The words an entry keeps; a mark may stand without words, nothing else may."""
    words = clean_text(body).strip()
    if not words and mark is None:
        raise ValidationError("An entry needs words: what was said, done, decided or felt.")
    if len(words) > MAX_ENTRY:
        raise ValidationError(f"The entry is {len(words)} characters; keep it under {MAX_ENTRY}.")
    return words


#: How long before its declaration an entry may say it happened: impact often starts before
#: anyone declares, but a week earlier is a typo.
EARLIEST_BEFORE_DECLARED = timedelta(days=7)
#: How far after now an entry may say it happened: a bot's or a laptop's clock may run ahead
#: of the database's, but not by more than this.
LATEST_AHEAD = timedelta(hours=1)


def check_occurred(at: datetime, declared: datetime, now: datetime) -> datetime:
    """An entry's time, if it is one an incident can have; otherwise one sentence saying
    which times are (a bot's 9999-12-31 must not reach every desktop's timeline)."""
    if at < declared - EARLIEST_BEFORE_DECLARED or at > now + LATEST_AHEAD:
        raise ValidationError(
            f"An entry's time must lie between a week before the incident was declared "
            f"({declared:%Y-%m-%d %H:%M} UTC) and now; {at:%Y-%m-%d %H:%M} UTC is not."
        )
    return at


def clamp_occurred(at: datetime, declared: datetime, now: datetime) -> datetime:
    """The nearest time :func:`check_occurred` accepts: for the journal's replay, whose
    entries were typed on a computer whose clock may be off, and must not be refused."""
    return min(max(at, declared - EARLIEST_BEFORE_DECLARED), now)


def t_plus(at: datetime, declared: datetime) -> str:
    """``T+01:02:03`` since the declaration; before it (impact that began earlier),
    ``T-00:03:00``. Hours grow past 99 rather than wrap: an incident may last days."""
    seconds = int((at - declared).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"T{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def excerpt(body: str, limit: int = 160) -> str:
    """An entry's words cut for an event's payload (which must stay small)."""
    flat = " ".join(body.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True)
class ImpactWindow:
    """When customers were hurt: from the marks when the scribe set them, otherwise from
    the incident's own clock (declared → resolved)."""

    start: datetime
    end: datetime | None
    from_marks: bool


def impact_window(
    marks: Sequence[tuple[str, datetime]],
    declared: datetime,
    resolved: datetime | None,
) -> ImpactWindow:
    """``marks``: (mark, when) of the entries that carry one, in any order. The earliest
    start and the latest end win, so a mark corrected later by a second one still counts."""
    starts = [at for mark, at in marks if mark == ImpactMark.IMPACT_START.value]
    ends = [at for mark, at in marks if mark == ImpactMark.IMPACT_END.value]
    if not starts and not ends:
        return ImpactWindow(declared, resolved, False)
    return ImpactWindow(min(starts) if starts else declared, max(ends) if ends else resolved, True)


class EditConflictError(ConflictError):
    """Someone else edited the entry since this desktop read it: both texts go back to the
    person, who chooses; nothing is overwritten silently."""

    def __init__(self, entry_id: int, mine: str, theirs: str, theirs_by: str, version: int):
        super().__init__(
            f"@{theirs_by} edited this entry while you were editing it; your text was not "
            "saved. Both versions are shown: keep theirs, or apply yours over it."
        )
        self.entry_id = entry_id
        self.mine = mine
        self.theirs = theirs
        self.theirs_by = theirs_by
        #: The version the entry has now: applying "mine" again is an edit of this one.
        self.version = version


#: Where each kind of event goes in the timeline's filter (events not listed stay out of
#: it: who opened the war room, or a transcript event, whose entry is shown itself).
_EVENT_CATEGORY: Mapping[str, str] = {
    "incident.declared": "status",
    "incident.status_changed": "status",
    "incident.close_proposed": "status",
    "incident.closed": "status",
    "incident.reopened": "status",
    "incident.severity_changed": "severity",
    "incident.role_assigned": "role",
    "incident.role_released": "role",
    "incident.page_linked": "page",
    "incident.page_unlinked": "page",
    "incident.reminder": "status",
    "status_update.posted": "update",
    "runbook.step_ticked": "runbook",
}

#: The timeline's categories besides the transcript's kinds, with their filter titles.
EVENT_CATEGORIES: Mapping[str, str] = {
    "status": "Status",
    "severity": "Severity",
    "role": "Roles",
    "page": "Pages",
    "update": "Updates",
    "runbook": "Runbooks",
}


def event_category(topic: str) -> str | None:
    if topic in _EVENT_CATEGORY:
        return _EVENT_CATEGORY[topic]
    if topic.startswith("page."):
        return "page"
    return None


@dataclass(frozen=True)
class EntryRow:
    id: int
    incident_id: int
    client_uuid: str
    kind: str
    body: str
    speaker: str | None  # handle
    author: str
    occurred_at: datetime
    recorded_at: datetime
    deleted: bool
    version: int
    mark: str | None
    owner: str | None  # an action item's owner (handle)
    done_at: datetime | None
    done_by: str | None
    edited_at: datetime | None

    @property
    def edited(self) -> bool:
        return self.version > 1 and self.edited_at is not None

    @property
    def open_action(self) -> bool:
        return self.kind == "action" and self.done_at is None and not self.deleted


#: An entry's words travel in its event up to this length as JSON (escapes counted, so the
#: event stays under its size limit whatever the script); a longer one is fetched.
PAYLOAD_BODY = 1500
_STAMPS = ("occurred_at", "recorded_at", "done_at", "edited_at")


def entry_payload(row: EntryRow) -> dict[str, Any] | None:
    """The whole entry for its event, so every desktop shows it without asking the database
    (None when the words are too long for an event's payload)."""
    import json

    if len(json.dumps(row.body)) > PAYLOAD_BODY:
        return None
    fields = asdict(row)
    for name in _STAMPS:
        if fields[name] is not None:
            fields[name] = fields[name].isoformat()
    return fields


def entry_from_payload(fields: Mapping[str, Any]) -> EntryRow | None:
    """The entry an event carries, or None when it carries none (or an older shape)."""
    try:
        values = dict(fields)
        for name in _STAMPS:
            if values.get(name) is not None:
                values[name] = datetime.fromisoformat(values[name])
        return EntryRow(**values)
    except (TypeError, ValueError):
        return None
