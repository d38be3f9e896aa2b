"""The roster file: people, teams, support hours, schedules, escalation policies and services
declared in YAML, kept in git, imported idempotently.

Parsing checks everything that can be checked without a database: required keys, time zones,
times of day, weekdays, references between entries, duplicates. Every problem is reported with
the file, the line and what is wrong, and all problems are reported at once.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from warroom.domain.comms import check_template
from warroom.domain.durations import parse_duration
from warroom.domain.errors import ValidationError
from warroom.domain.people import normalise_expertise, validate_handle
from warroom.domain.schedule import resolve_local
from warroom.domain.support_hours import public_holidays
from warroom.domain.vocabulary import (
    Audience,
    DeliveryFormat,
    RestrictionKind,
    RotationKind,
    ScheduleKind,
)
from warroom.domain.wallclock import (
    WEEKDAYS,
    format_clock,
    parse_clock,
    parse_handoff,
    parse_time_zone,
    parse_weekdays,
)

LINE = "__line__"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class RosterFileError(ValidationError):
    """One or more problems in a roster file; ``problems`` lists them as ``file:line: text``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
        super().__init__(
            f"The roster file has {count}; nothing was changed:\n  " + "\n  ".join(problems)
        )


class _LineLoader(yaml.SafeLoader):
    """Remembers the line of every mapping, so problems can point at it."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping


@dataclass(frozen=True)
class PersonSpec:
    handle: str
    name: str
    time_zone: str
    email: str | None = None
    phone: str | None = None
    expertise: tuple[str, ...] = ()


@dataclass(frozen=True)
class TeamSpec:
    slug: str
    name: str
    description: str
    members: tuple[tuple[str, str], ...]  # (handle, role)


@dataclass(frozen=True)
class SupportHoursSpec:
    slug: str
    name: str
    time_zone: str
    windows: tuple[tuple[int, int, int], ...]  # (weekday, start minute, end minute)
    holiday_country: str | None = None
    holiday_subdivision: str | None = None


@dataclass(frozen=True)
class RestrictionSpec:
    kind: str
    start_minute: int
    duration_minutes: int
    start_weekday: int | None = None


@dataclass(frozen=True)
class LayerSpec:
    name: str
    rotation: str
    length: int
    handoff_weekday: int | None
    handoff_minute: int
    start: date
    end: date | None
    people: tuple[str, ...]
    restrictions: tuple[RestrictionSpec, ...] = ()


@dataclass(frozen=True)
class OverrideSpec:
    person: str
    starts_at: datetime
    ends_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class ScheduleSpec:
    slug: str
    name: str
    team: str
    kind: str
    time_zone: str
    layers: tuple[LayerSpec, ...]
    overrides: tuple[OverrideSpec, ...] = ()


@dataclass(frozen=True)
class TargetSpec:
    kind: str  # schedule, person, expertise
    ref: str


@dataclass(frozen=True)
class LevelSpec:
    delay_minutes: int
    targets: tuple[TargetSpec, ...]


@dataclass(frozen=True)
class PolicySpec:
    slug: str
    name: str
    repeat_count: int
    ack_timeout_minutes: int | None
    levels: tuple[LevelSpec, ...]


@dataclass(frozen=True)
class ServiceSpec:
    slug: str
    name: str
    description: str
    team: str
    escalation_policy: str | None
    support_hours: str | None
    urgency: dict[str, Any] = field(default_factory=dict)
    #: Pages alerts that name no known service (at most one service in a roster).
    catch_all: bool = False


@dataclass(frozen=True)
class SeverityPaceSpec:
    """The pace a team asks of incidents of one severity (``incidents: severities:``); a key
    left out keeps the default, ``null`` turns that reminder off."""

    severity: str
    quiet_minutes: int | None
    mitigated_minutes: int | None
    staffing_minutes: int | None
    close_minutes: int | None
    update_minutes: int | None


#: The file's keys of a severity's pace, and the spec's fields they fill.
PACE_KEYS = {
    "quiet_minutes": "quiet_minutes",
    "mitigated_minutes": "mitigated_minutes",
    "staff_within_minutes": "staffing_minutes",
    "close_within_minutes": "close_minutes",
    "update_every_minutes": "update_minutes",
}


@dataclass(frozen=True)
class UpdateTemplateSpec:
    """A first draft of a stakeholder update: everyone's (``scope`` "") or a team's."""

    scope: str
    audience: str
    body: str


@dataclass(frozen=True)
class DeliverySpec:
    """Where an audience's updates also go. The webhook's address is a secret (a chat
    webhook's token is part of it), so the file names where it is kept, never the address:
    an environment variable of the engine that delivers (``url_env``), or an entry in its OS
    keyring (``url_keyring``)."""

    audience: str
    name: str
    url_env: str | None
    url_keyring: str | None
    format: str


@dataclass(frozen=True)
class UpdatesSpec:
    """``incidents: updates:``: templates and webhooks, in a canonical order (a round trip
    through the database compares equal)."""

    templates: tuple[UpdateTemplateSpec, ...] = ()
    deliveries: tuple[DeliverySpec, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.templates or self.deliveries)


def updates_spec(
    templates: Iterable[UpdateTemplateSpec], deliveries: Iterable[DeliverySpec]
) -> UpdatesSpec:
    order = {audience.value: n for n, audience in enumerate(Audience)}
    return UpdatesSpec(
        tuple(sorted(templates, key=lambda t: (t.scope, order.get(t.audience, 9)))),
        tuple(sorted(deliveries, key=lambda d: order.get(d.audience, 9))),
    )


@dataclass(frozen=True)
class RosterOrigin:
    """Where a parsed roster came from.

    Some problems only show against the database (a service kept for its history still uses
    a team the file drops); the import points those at the file too, at the section to edit.
    """

    source: str
    section_lines: tuple[tuple[str, int], ...] = ()

    def where(self, section: str) -> str:
        """``file:line`` of a section; line 1 when the file has no such section."""
        return f"{self.source}:{dict(self.section_lines).get(section, 1)}"


@dataclass(frozen=True)
class RosterSpec:
    people: tuple[PersonSpec, ...] = ()
    teams: tuple[TeamSpec, ...] = ()
    support_hours: tuple[SupportHoursSpec, ...] = ()
    schedules: tuple[ScheduleSpec, ...] = ()
    escalation_policies: tuple[PolicySpec, ...] = ()
    services: tuple[ServiceSpec, ...] = ()
    severities: tuple[SeverityPaceSpec, ...] = ()
    updates: UpdatesSpec = field(default_factory=UpdatesSpec)
    #: Set by :func:`parse_roster`; not part of what the roster *is* (a round trip ignores it).
    origin: RosterOrigin | None = field(default=None, compare=False)

    def where(self, section: str) -> str:
        """``file:line`` to point a problem with ``section`` at (``roster:?`` unparsed)."""
        return self.origin.where(section) if self.origin else "roster:?"


#: The keys each kind of entry may have.
PERSON_KEYS = frozenset({"handle", "name", "email", "phone", "time_zone", "expertise"})
TEAM_KEYS = frozenset({"slug", "name", "description", "lead", "manager", "members"})
HOURS_KEYS = frozenset({"slug", "name", "time_zone", "holidays", "holiday_subdivision", "windows"})
SCHEDULE_KEYS = frozenset({"slug", "name", "team", "kind", "time_zone", "layers", "overrides"})
LAYER_KEYS = frozenset(
    {"name", "rotation", "handoff", "start", "end", "length", "people", "restrictions"}
)
POLICY_KEYS = frozenset({"slug", "name", "repeat", "ack_timeout_minutes", "levels"})
SERVICE_KEYS = frozenset(
    {
        "slug",
        "name",
        "team",
        "description",
        "escalation_policy",
        "support_hours",
        "urgency",
        "catch_all",
    }
)

SECTIONS = (
    "people",
    "teams",
    "support_hours",
    "schedules",
    "escalation_policies",
    "services",
    "incidents",
)


class _Reader:
    """Walks the loaded YAML, collecting problems instead of stopping at the first."""

    def __init__(self, source: str, today: date) -> None:
        self.source = source
        self.today = today
        self.problems: list[str] = []

    def problem(self, line: object, text: str) -> None:
        self.problems.append(f"{self.source}:{line if isinstance(line, int) else '?'}: {text}")

    def entries(self, document: dict[str, Any], section: str) -> list[dict[str, Any]]:
        value = document.get(section, [])
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(document.get(LINE, 1), f"'{section}' must be a list of entries")
            return []
        return value

    def known(self, entry: dict[str, Any], keys: frozenset[str], what: str) -> None:
        """Name every key the entry has that this kind of entry does not: a typo such as
        ``escalation_polcy`` (or an unquoted comma in a flow mapping) must not be ignored."""
        for key in entry:
            if key != LINE and key not in keys:
                self.problem(
                    entry.get(LINE),
                    f"{what} has an unknown key '{key}' (expected "
                    + ", ".join(sorted(keys))
                    + "; quote a value that contains a comma)",
                )

    def text(self, entry: dict[str, Any], key: str, what: str, required: bool = True) -> str:
        value = entry.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(entry.get(LINE), f"{what} has no '{key}'")
            return ""
        return str(value).strip()

    def slug(self, entry: dict[str, Any], what: str, seen: set[str]) -> str:
        slug = self.text(entry, "slug", what)
        if slug and not _SLUG.match(slug):
            self.problem(
                entry.get(LINE),
                f"{what} slug '{slug}' must be lower-case letters, digits, '.', '_' or '-'",
            )
        elif slug in seen:
            self.problem(entry.get(LINE), f"{what} '{slug}' is defined twice")
        seen.add(slug)
        return slug

    def zone(self, entry: dict[str, Any], what: str) -> str:
        name = self.text(entry, "time_zone", what)
        if name:
            try:
                parse_time_zone(name)
            except ValidationError as error:
                self.problem(entry.get(LINE), f"{what}: {error}")
        return name

    def guard(self, line: object, what: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except ValidationError as error:
            self.problem(line, f"{what}: {error}")
            return None


def parse_roster(text: str, source: str = "roster.yaml", today: date | None = None) -> RosterSpec:
    """Read a roster file. ``today`` anchors relative override times such as ``+2d 18:00``."""
    today = today or datetime.now(UTC).date()
    try:
        document = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        raise RosterFileError(
            [f"{source}:{line}: not valid YAML: {getattr(error, 'problem', error)}"]
        ) from None
    if document is None:
        document = {LINE: 1}
    if not isinstance(document, dict):
        raise RosterFileError(
            [f"{source}:1: a roster file is a mapping with the sections " + ", ".join(SECTIONS)]
        )
    reader = _Reader(source, today)
    unknown = [key for key in document if key != LINE and key not in SECTIONS]
    for key in unknown:
        reader.problem(
            document.get(LINE),
            f"unknown section '{key}' (expected one of " + ", ".join(SECTIONS) + ")",
        )
    people = _people(reader, document)
    handles = {p.handle for p in people}
    teams = _teams(reader, document, handles)
    team_slugs = {t.slug for t in teams}
    support = _support_hours(reader, document)
    schedules = _schedules(reader, document, handles, team_slugs)
    policies = _policies(reader, document, handles, {s.slug for s in schedules})
    services = _services(
        reader, document, team_slugs, {p.slug for p in policies}, {s.slug for s in support}
    )
    severities = _severities(reader, document)
    updates = _updates(reader, document, team_slugs)
    if reader.problems:
        raise RosterFileError(reader.problems)
    return RosterSpec(
        tuple(people),
        tuple(teams),
        tuple(support),
        tuple(schedules),
        tuple(policies),
        tuple(services),
        tuple(severities),
        updates,
        origin=RosterOrigin(source, _section_lines(text)),
    )


def _section_lines(text: str) -> tuple[tuple[str, int], ...]:
    """The line of each top-level section key (the loaded document only knows entries')."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return ()
    return tuple(
        (key.value, key.start_mark.line + 1)
        for key, _value in node.value
        if isinstance(key, yaml.ScalarNode)
    )


def _people(reader: _Reader, document: dict[str, Any]) -> list[PersonSpec]:
    out: list[PersonSpec] = []
    seen: set[str] = set()
    for entry in reader.entries(document, "people"):
        reader.known(entry, PERSON_KEYS, "a person entry")
        line = entry.get(LINE)
        handle = reader.text(entry, "handle", "a person")
        if handle:
            reader.guard(line, f"person '{handle}'", validate_handle, handle)
            if handle in seen:
                reader.problem(line, f"person '{handle}' is defined twice")
            seen.add(handle)
        name = reader.text(entry, "name", f"person '{handle}'")
        zone = reader.zone(entry, f"person '{handle}'")
        tags = (
            reader.guard(
                line,
                f"person '{handle}'",
                normalise_expertise,
                [str(t) for t in entry.get("expertise") or []],
            )
            or []
        )
        out.append(
            PersonSpec(handle, name, zone, _opt(entry, "email"), _opt(entry, "phone"), tuple(tags))
        )
    return out


def _opt(entry: dict[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return None if value in (None, "") else str(value)


def _teams(reader: _Reader, document: dict[str, Any], handles: set[str]) -> list[TeamSpec]:
    out: list[TeamSpec] = []
    seen: set[str] = set()
    for entry in reader.entries(document, "teams"):
        reader.known(entry, TEAM_KEYS, "a team entry")
        line = entry.get(LINE)
        slug = reader.slug(entry, "team", seen)
        name = reader.text(entry, "name", f"team '{slug}'")
        roles: dict[str, str] = {}
        members = entry.get("members") or []
        if not isinstance(members, list):
            reader.problem(line, f"team '{slug}': members must be a list of handles")
            members = []
        for handle in [str(m) for m in members]:
            roles[handle] = "member"
        for role in ("lead", "manager"):
            if entry.get(role):
                roles[str(entry[role])] = role
        for handle in roles:
            if handle not in handles:
                reader.problem(line, f"team '{slug}' names unknown person '{handle}'")
        out.append(TeamSpec(slug, name, str(entry.get("description") or ""), tuple(roles.items())))
    return out


def _support_hours(reader: _Reader, document: dict[str, Any]) -> list[SupportHoursSpec]:
    out: list[SupportHoursSpec] = []
    seen: set[str] = set()
    for entry in reader.entries(document, "support_hours"):
        reader.known(entry, HOURS_KEYS, "a support hours entry")
        line = entry.get(LINE)
        slug = reader.slug(entry, "support hours", seen)
        zone = reader.zone(entry, f"support hours '{slug}'")
        windows: list[tuple[int, int, int]] = []
        for window in entry.get("windows") or []:
            wline = window.get(LINE, line) if isinstance(window, dict) else line
            if not isinstance(window, dict) or not {"days", "from", "to"} <= set(window):
                reader.problem(wline, f"support hours '{slug}': a window needs days, from, to")
                continue
            what = f"support hours '{slug}'"
            days = reader.guard(wline, what, parse_weekdays, window["days"]) or []
            start = reader.guard(wline, what, parse_clock, window["from"])
            end = reader.guard(wline, what, parse_clock, window["to"])
            if start is not None and end is not None and end <= start:
                reader.problem(wline, f"{what}: a window must end after it starts")
                continue
            for day in days:
                if start is not None and end is not None:
                    windows.append((day, start, end))
        if not windows:
            reader.problem(line, f"support hours '{slug}' has no windows")
        if len(set(windows)) != len(windows) or _overlapping(windows):
            reader.problem(line, f"support hours '{slug}' has overlapping windows")
        country, subdivision = _opt(entry, "holidays"), _opt(entry, "holiday_subdivision")
        if country is not None:
            reader.guard(line, f"support hours '{slug}'", public_holidays, country, subdivision)
        elif subdivision is not None:
            reader.problem(
                line, f"support hours '{slug}': holiday_subdivision needs holidays (a country)"
            )
        out.append(
            SupportHoursSpec(
                slug,
                reader.text(entry, "name", f"support hours '{slug}'"),
                zone,
                tuple(windows),
                country,
                subdivision,
            )
        )
    return out


def _overlapping(windows: list[tuple[int, int, int]]) -> bool:
    ordered = sorted(windows)
    return any(a[0] == b[0] and b[1] < a[2] for a, b in itertools.pairwise(ordered))


def _schedules(
    reader: _Reader, document: dict[str, Any], handles: set[str], teams: set[str]
) -> list[ScheduleSpec]:
    out: list[ScheduleSpec] = []
    seen: set[str] = set()
    main_kinds: set[tuple[str, str]] = set()
    for entry in reader.entries(document, "schedules"):
        reader.known(entry, SCHEDULE_KEYS, "a schedule entry")
        line = entry.get(LINE)
        slug = reader.slug(entry, "schedule", seen)
        what = f"schedule '{slug}'"
        team = reader.text(entry, "team", what)
        if team and team not in teams:
            reader.problem(line, f"{what} belongs to unknown team '{team}'")
        kind = reader.text(entry, "kind", what, required=False) or ScheduleKind.OTHER.value
        if kind not in {k.value for k in ScheduleKind}:
            reader.problem(line, f"{what}: kind must be primary, secondary or other")
        elif kind != ScheduleKind.OTHER.value:
            if (team, kind) in main_kinds:
                reader.problem(line, f"{what}: team '{team}' already has a {kind} schedule")
            main_kinds.add((team, kind))
        zone = reader.zone(entry, what)
        layers = [_layer(reader, layer, what, handles) for layer in entry.get("layers") or []]
        if not layers:
            reader.problem(line, f"{what} has no layers")
        overrides = []
        for override in entry.get("overrides") or []:
            parsed = _override(reader, override, what, handles, zone)
            if parsed is not None:
                overrides.append(parsed)
        out.append(
            ScheduleSpec(
                slug,
                reader.text(entry, "name", what),
                team,
                kind,
                zone,
                tuple(x for x in layers if x is not None),
                tuple(overrides),
            )
        )
    return out


def _layer(reader: _Reader, entry: Any, what: str, handles: set[str]) -> LayerSpec | None:
    if not isinstance(entry, dict):
        reader.problem("?", f"{what}: a layer must be a mapping")
        return None
    line = entry.get(LINE)
    name = reader.text(entry, "name", f"a layer of {what}")
    where = f"{what} layer '{name}'"
    reader.known(entry, LAYER_KEYS, where)
    rotation = str(entry.get("rotation", ""))
    if rotation not in {r.value for r in RotationKind}:
        reader.problem(line, f"{where}: rotation must be daily, weekly, days or hours")
        return None
    handoff = reader.guard(line, where, parse_handoff, entry.get("handoff", ""))
    if handoff is None:
        return None
    weekday, minute = handoff
    if rotation == "weekly" and weekday is None:
        reader.problem(line, f"{where}: a weekly rotation needs a handoff weekday ('mon 09:00')")
    if minute >= 1440:
        reader.problem(line, f"{where}: the handoff must be before 24:00")
    start, end = entry.get("start"), entry.get("end")
    if not isinstance(start, date):
        reader.problem(line, f"{where}: start must be a date like 2026-01-05")
        return None
    if end is not None and (not isinstance(end, date) or end <= start):
        reader.problem(line, f"{where}: end must be a date after start")
        end = None
    people = [str(p) for p in entry.get("people") or []]
    if not people:
        reader.problem(line, f"{where} has nobody in it")
    for handle in people:
        if handle not in handles:
            reader.problem(line, f"{where} names unknown person '{handle}'")
    length = entry.get("length", 1)
    if not isinstance(length, int) or length < 1:
        reader.problem(line, f"{where}: length must be a whole number of at least 1")
        length = 1
    restrictions = []
    for restriction in entry.get("restrictions") or []:
        parsed = _restriction(reader, restriction, where, line)
        if parsed is not None:
            restrictions.append(parsed)
    return LayerSpec(
        name, rotation, length, weekday, minute, start, end, tuple(people), tuple(restrictions)
    )


def _restriction(reader: _Reader, entry: Any, where: str, line: Any) -> RestrictionSpec | None:
    """``{daily: "20:00", hours: 10}`` or ``{weekly: "fri 18:00", hours: 63}``."""
    if (
        not isinstance(entry, dict)
        or "hours" not in entry
        or not (("daily" in entry) ^ ("weekly" in entry))
    ):
        reader.problem(
            line,
            f"{where}: a restriction is {{daily: 'HH:MM', hours: N}} or "
            "{weekly: 'day HH:MM', hours: N}",
        )
        return None
    hours = entry["hours"]
    if not isinstance(hours, int | float) or hours <= 0:
        reader.problem(line, f"{where}: restriction hours must be positive")
        return None
    if "daily" in entry:
        start = reader.guard(line, where, parse_clock, entry["daily"])
        if start is None:
            return None
        if hours > 24:
            reader.problem(line, f"{where}: a daily restriction lasts at most 24 hours")
        return RestrictionSpec(RestrictionKind.DAILY.value, start, int(hours * 60))
    handoff = reader.guard(line, where, parse_handoff, entry["weekly"])
    if handoff is None or handoff[0] is None:
        reader.problem(line, f"{where}: a weekly restriction starts like 'fri 18:00'")
        return None
    if hours > 168:
        reader.problem(line, f"{where}: a weekly restriction lasts at most 168 hours")
    return RestrictionSpec(RestrictionKind.WEEKLY.value, handoff[1], int(hours * 60), handoff[0])


def _override(
    reader: _Reader, entry: Any, what: str, handles: set[str], zone_name: str
) -> OverrideSpec | None:
    line = entry.get(LINE) if isinstance(entry, dict) else "?"
    if not isinstance(entry, dict) or not {"person", "from", "to"} <= set(entry):
        reader.problem(line, f"{what}: an override needs person, from and to")
        return None
    person = str(entry["person"])
    if person not in handles:
        reader.problem(line, f"{what}: override for unknown person '{person}'")
    try:
        zone = ZoneInfo(zone_name)
    except (KeyError, ValueError):
        return None
    starts = reader.guard(line, f"{what} override", _instant, entry["from"], zone, reader.today)
    ends = reader.guard(line, f"{what} override", _instant, entry["to"], zone, reader.today)
    if starts is None or ends is None:
        return None
    if ends <= starts:
        reader.problem(line, f"{what}: the override for '{person}' ends before it starts")
        return None
    return OverrideSpec(person, starts, ends, str(entry.get("reason") or ""))


def _instant(value: Any, zone: ZoneInfo, today: date) -> datetime:
    """ISO-8601 (with or without offset, local to the schedule) or ``+2d 18:00`` from today."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if text.startswith("+"):
            offset, _, clock = text[1:].partition(" ")
            day = today + parse_duration(offset)
            minutes = parse_clock(clock or "00:00")
            local = datetime.combine(day, time()) + timedelta(minutes=minutes)
            return resolve_local(local, zone)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                f"'{text}' is not a time; write 2026-11-25T18:00 or +2d 18:00"
            ) from None
    if moment.tzinfo is None:
        return resolve_local(moment, zone)
    return moment.astimezone(UTC)


def _policies(
    reader: _Reader, document: dict[str, Any], handles: set[str], schedules: set[str]
) -> list[PolicySpec]:
    out: list[PolicySpec] = []
    seen: set[str] = set()
    for entry in reader.entries(document, "escalation_policies"):
        reader.known(entry, POLICY_KEYS, "an escalation policy")
        line = entry.get(LINE)
        slug = reader.slug(entry, "escalation policy", seen)
        what = f"escalation policy '{slug}'"
        levels = []
        for level in entry.get("levels") or []:
            lline = level.get(LINE, line) if isinstance(level, dict) else line
            if not isinstance(level, dict) or "after_minutes" not in level:
                reader.problem(lline, f"{what}: a level needs after_minutes and notify")
                continue
            delay = level["after_minutes"]
            if not isinstance(delay, int) or delay <= 0:
                reader.problem(lline, f"{what}: after_minutes must be a positive whole number")
                continue
            targets = []
            for target in level.get("notify") or []:
                keys = [
                    k
                    for k in ("schedule", "person", "expertise")
                    if isinstance(target, dict) and k in target
                ]
                if len(keys) != 1:
                    reader.problem(
                        lline,
                        f"{what}: each notify target is one of "
                        "{schedule: ...}, {person: ...}, {expertise: ...}",
                    )
                    continue
                ref = str(target[keys[0]])
                if keys[0] == "schedule" and ref not in schedules:
                    reader.problem(lline, f"{what} notifies unknown schedule '{ref}'")
                if keys[0] == "person" and ref not in handles:
                    reader.problem(lline, f"{what} notifies unknown person '{ref}'")
                targets.append(TargetSpec(keys[0], ref))
            if not targets:
                reader.problem(lline, f"{what}: a level notifies nobody")
            levels.append(LevelSpec(delay, tuple(targets)))
        if not levels:
            reader.problem(line, f"{what} has no levels")
        repeat = entry.get("repeat", 0)
        timeout = entry.get("ack_timeout_minutes")
        if not isinstance(repeat, int) or repeat < 0:
            reader.problem(line, f"{what}: repeat must be 0 or more")
            repeat = 0
        if timeout is not None and (not isinstance(timeout, int) or timeout <= 0):
            reader.problem(line, f"{what}: ack_timeout_minutes must be a positive whole number")
            timeout = None
        out.append(
            PolicySpec(slug, reader.text(entry, "name", what), repeat, timeout, tuple(levels))
        )
    return out


def _services(
    reader: _Reader,
    document: dict[str, Any],
    teams: set[str],
    policies: set[str],
    support: set[str],
) -> list[ServiceSpec]:
    out: list[ServiceSpec] = []
    seen: set[str] = set()
    catch_all_at: tuple[str, object] | None = None
    for entry in reader.entries(document, "services"):
        reader.known(entry, SERVICE_KEYS, "a service entry")
        line = entry.get(LINE)
        slug = reader.slug(entry, "service", seen)
        what = f"service '{slug}'"
        catch_all = entry.get("catch_all", False)
        if not isinstance(catch_all, bool):
            reader.problem(line, f"{what}: catch_all is true or false")
            catch_all = False
        if catch_all:
            if catch_all_at is not None:
                reader.problem(
                    line,
                    f"{what}: only one service may be the catch-all, and '{catch_all_at[0]}' "
                    f"(line {catch_all_at[1]}) already is",
                )
            else:
                catch_all_at = (slug, line)
        team = reader.text(entry, "team", what)
        if team and team not in teams:
            reader.problem(line, f"{what} is owned by unknown team '{team}'")
        policy = _opt(entry, "escalation_policy")
        if policy is not None and policy not in policies:
            reader.problem(line, f"{what} uses unknown escalation policy '{policy}'")
        hours = _opt(entry, "support_hours")
        if hours is not None and hours not in support:
            reader.problem(line, f"{what} uses unknown support hours '{hours}'")
        urgency = entry.get("urgency") or {}
        if not isinstance(urgency, dict) or not all(
            isinstance(v, dict) and all(u in ("high", "low") for k, u in v.items() if k != LINE)
            for k, v in urgency.items()
            if k != LINE
        ):
            reader.problem(
                line,
                f"{what}: urgency maps a label to values and high/low, e.g. "
                "{severity: {critical: high, warning: low}}",
            )
            urgency = {}
        out.append(
            ServiceSpec(
                slug,
                reader.text(entry, "name", what),
                str(entry.get("description") or ""),
                team,
                policy,
                hours,
                _strip_lines(urgency),
                catch_all,
            )
        )
    return out


def _severities(reader: _Reader, document: dict[str, Any]) -> list[SeverityPaceSpec]:
    """``incidents: {severities: {SEV1: {quiet_minutes: 15, …}, …}}``: the pace per severity."""
    from warroom.domain.incidents import DEFAULT_POLICIES

    section = document.get("incidents")
    if section is None:
        return []
    line = document.get(LINE, 1)
    if not isinstance(section, dict):
        reader.problem(line, "'incidents' is a mapping, e.g. {severities: {SEV1: {...}}}")
        return []
    line = section.get(LINE, line)
    for key in section:
        if key not in (LINE, "severities", "updates"):
            reader.problem(line, f"incidents: unknown key '{key}' (expected severities or updates)")
    levels = section.get("severities") or {}
    if not isinstance(levels, dict):
        reader.problem(line, "incidents.severities maps SEV1…SEV4 to their pace")
        return []
    out: list[SeverityPaceSpec] = []
    for severity, pace in levels.items():
        if severity == LINE:
            continue
        where = levels.get(LINE, line)
        if severity not in DEFAULT_POLICIES:
            reader.problem(where, f"incidents: '{severity}' is not a severity (SEV1…SEV4)")
            continue
        if not isinstance(pace, dict):
            reader.problem(where, f"incidents: {severity} maps keys such as quiet_minutes")
            continue
        where = pace.get(LINE, where)
        default = DEFAULT_POLICIES[severity]
        values: dict[str, int | None] = {
            "quiet_minutes": default.quiet_minutes,
            "mitigated_minutes": default.mitigated_minutes,
            "staffing_minutes": default.staffing_minutes if default.needs_staff else None,
            "close_minutes": default.close_minutes,
            "update_minutes": default.update_minutes,
        }
        for key, value in pace.items():
            if key == LINE:
                continue
            if key not in PACE_KEYS:
                reader.problem(
                    where,
                    f"incidents: {severity}: unknown key '{key}' (expected "
                    + ", ".join(PACE_KEYS)
                    + ")",
                )
            elif value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value <= 0
            ):
                reader.problem(
                    where,
                    f"incidents: {severity}: {key} is a positive number of minutes, or null "
                    "to turn it off",
                )
            else:
                values[PACE_KEYS[key]] = value
        out.append(SeverityPaceSpec(severity, **values))
    return sorted(out, key=lambda s: s.severity)


#: The keys of ``incidents: updates:`` and of one audience's webhook.
UPDATES_KEYS = frozenset({"templates", "teams", "deliver"})
DELIVERY_KEYS = frozenset({"name", "url_env", "url_keyring", "format"})
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_KEYRING_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _updates(reader: _Reader, document: dict[str, Any], teams: set[str]) -> UpdatesSpec:
    """``incidents: {updates: {templates: {...}, teams: {slug: {...}}, deliver: {...}}}``."""
    section = document.get("incidents")
    if not isinstance(section, dict) or section.get("updates") is None:
        return UpdatesSpec()
    updates = section["updates"]
    line = section.get(LINE, document.get(LINE, 1))
    if not isinstance(updates, dict):
        reader.problem(line, "incidents.updates is a mapping of templates, teams and deliver")
        return UpdatesSpec()
    line = updates.get(LINE, line)
    reader.known(updates, UPDATES_KEYS, "incidents.updates")
    templates = _templates(reader, updates.get("templates"), "", line)
    per_team = updates.get("teams") or {}
    if not isinstance(per_team, dict):
        reader.problem(line, "incidents.updates.teams maps a team's slug to its templates")
        per_team = {}
    for slug, drafts in per_team.items():
        if slug == LINE:
            continue
        if str(slug) not in teams:
            reader.problem(
                per_team.get(LINE, line), f"incidents.updates names unknown team '{slug}'"
            )
            continue
        templates += _templates(reader, drafts, str(slug), per_team.get(LINE, line))
    return updates_spec(templates, _deliveries(reader, updates.get("deliver"), line))


def _templates(reader: _Reader, drafts: Any, scope: str, line: object) -> list[UpdateTemplateSpec]:
    where = f"incidents.updates: team '{scope}'" if scope else "incidents.updates.templates"
    if drafts is None:
        return []
    if not isinstance(drafts, dict):
        reader.problem(line, f"{where} maps an audience (internal, executive, customers) to text")
        return []
    line = drafts.get(LINE, line)
    out = []
    for audience, body in drafts.items():
        if audience == LINE:
            continue
        if audience not in {a.value for a in Audience}:
            reader.problem(
                line, f"{where}: '{audience}' is not an audience (internal, executive, customers)"
            )
            continue
        if not isinstance(body, str):
            reader.problem(line, f"{where}: the {audience} template is text")
            continue
        try:
            check_template(body)
        except ValidationError as error:
            reader.problem(line, f"{where}: the {audience} template: {error}")
            continue
        out.append(UpdateTemplateSpec(scope, audience, body))
    return out


def _deliveries(reader: _Reader, deliver: Any, line: object) -> list[DeliverySpec]:
    if deliver is None:
        return []
    if not isinstance(deliver, dict):
        reader.problem(line, "incidents.updates.deliver maps an audience to its webhook")
        return []
    line = deliver.get(LINE, line)
    out = []
    for audience, target in deliver.items():
        if audience == LINE:
            continue
        what = f"incidents.updates.deliver: {audience}"
        if audience not in {a.value for a in Audience}:
            reader.problem(
                line,
                "incidents.updates.deliver: "
                f"'{audience}' is not an audience (internal, executive, customers)",
            )
            continue
        if not isinstance(target, dict):
            reader.problem(line, f"{what} is {{url_env: NAME}} or {{url_keyring: NAME}}")
            continue
        where = target.get(LINE, line)
        if "url" in target:
            reader.problem(
                where,
                f"{what}: a webhook address holds its secret token, so it does not go in the "
                "file (nor in the database, nor in git); put it in an environment variable "
                "and write url_env: ITS_NAME, or in the OS keyring and write url_keyring: "
                "ENTRY",
            )
            target = {k: v for k, v in target.items() if k != "url"}
        reader.known(target, DELIVERY_KEYS, what)
        url_env, url_keyring = _opt(target, "url_env"), _opt(target, "url_keyring")
        if (url_env is None) == (url_keyring is None):
            reader.problem(where, f"{what} needs one of url_env or url_keyring")
        elif url_env is not None and not _ENV_NAME.match(url_env):
            reader.problem(
                where,
                f"{what}: url_env names an environment variable (letters, digits and _), "
                "not the address itself",
            )
        elif url_keyring is not None and not _KEYRING_NAME.match(url_keyring):
            reader.problem(
                where,
                f"{what}: url_keyring names a keyring entry (letters, digits, '.', '_', '-'), "
                "not the address itself",
            )
        kind = str(target.get("format") or DeliveryFormat.CHAT.value)
        if kind not in {f.value for f in DeliveryFormat}:
            reader.problem(where, f"{what}: format is chat or json, not '{kind}'")
        name = str(target.get("name") or url_keyring or url_env or "webhook").strip()[:100]
        out.append(DeliverySpec(str(audience), name, url_env, url_keyring, kind))
    return out


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != LINE}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


# ----------------------------------------------------------------------------- writing


def _days_text(days: list[int]) -> str:
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{WEEKDAYS[days[0]]}-{WEEKDAYS[days[-1]]}"
    return ",".join(WEEKDAYS[d] for d in days)


def roster_to_document(spec: RosterSpec) -> dict[str, Any]:
    """The inverse of :func:`parse_roster`: a document that parses back to ``spec``."""

    def window_groups(windows: tuple[tuple[int, int, int], ...]) -> list[dict[str, Any]]:
        by_time: dict[tuple[int, int], list[int]] = {}
        for day, start, end in windows:
            by_time.setdefault((start, end), []).append(day)
        return [
            {"days": _days_text(sorted(days)), "from": format_clock(start), "to": format_clock(end)}
            for (start, end), days in by_time.items()
        ]

    def layer(layer: LayerSpec) -> dict[str, Any]:
        handoff = format_clock(layer.handoff_minute)
        if layer.handoff_weekday is not None:
            handoff = f"{WEEKDAYS[layer.handoff_weekday]} {handoff}"
        out: dict[str, Any] = {"name": layer.name, "rotation": layer.rotation}
        if layer.length != 1:
            out["length"] = layer.length
        out.update({"handoff": handoff, "start": layer.start})
        if layer.end:
            out["end"] = layer.end
        out["people"] = list(layer.people)
        if layer.restrictions:
            out["restrictions"] = [
                {"daily": format_clock(r.start_minute), "hours": r.duration_minutes / 60}
                if r.kind == RestrictionKind.DAILY.value
                else {
                    "weekly": f"{WEEKDAYS[r.start_weekday or 0]} {format_clock(r.start_minute)}",
                    "hours": r.duration_minutes / 60,
                }
                for r in layer.restrictions
            ]
        for restriction in out.get("restrictions", []):
            if float(restriction["hours"]).is_integer():
                restriction["hours"] = int(restriction["hours"])
        return out

    def person(p: PersonSpec) -> dict[str, Any]:
        out: dict[str, Any] = {"handle": p.handle, "name": p.name}
        if p.email:
            out["email"] = p.email
        if p.phone:
            out["phone"] = p.phone
        out["time_zone"] = p.time_zone
        out["expertise"] = list(p.expertise)
        return out

    def team(t: TeamSpec) -> dict[str, Any]:
        out: dict[str, Any] = {"slug": t.slug, "name": t.name, "description": t.description}
        for role in ("lead", "manager"):
            holders = [h for h, r in t.members if r == role]
            if holders:
                out[role] = holders[0]
        out["members"] = [h for h, r in t.members if r != "manager"]
        return out

    return {
        "people": [person(p) for p in spec.people],
        "teams": [team(t) for t in spec.teams],
        "support_hours": [
            {
                "slug": s.slug,
                "name": s.name,
                "time_zone": s.time_zone,
                **({"holidays": s.holiday_country} if s.holiday_country else {}),
                **({"holiday_subdivision": s.holiday_subdivision} if s.holiday_subdivision else {}),
                "windows": window_groups(s.windows),
            }
            for s in spec.support_hours
        ],
        "schedules": [
            {
                "slug": s.slug,
                "name": s.name,
                "team": s.team,
                "kind": s.kind,
                "time_zone": s.time_zone,
                "layers": [layer(x) for x in s.layers],
                **(
                    {
                        "overrides": [
                            {
                                "person": o.person,
                                "from": o.starts_at.astimezone(ZoneInfo(s.time_zone)).isoformat(),
                                "to": o.ends_at.astimezone(ZoneInfo(s.time_zone)).isoformat(),
                                **({"reason": o.reason} if o.reason else {}),
                            }
                            for o in s.overrides
                        ]
                    }
                    if s.overrides
                    else {}
                ),
            }
            for s in spec.schedules
        ],
        "escalation_policies": [
            {
                "slug": p.slug,
                "name": p.name,
                "repeat": p.repeat_count,
                **({"ack_timeout_minutes": p.ack_timeout_minutes} if p.ack_timeout_minutes else {}),
                "levels": [
                    {
                        "after_minutes": level.delay_minutes,
                        "notify": [{t.kind: t.ref} for t in level.targets],
                    }
                    for level in p.levels
                ],
            }
            for p in spec.escalation_policies
        ],
        "services": [
            {
                "slug": s.slug,
                "name": s.name,
                "team": s.team,
                **({"description": s.description} if s.description else {}),
                **({"escalation_policy": s.escalation_policy} if s.escalation_policy else {}),
                **({"support_hours": s.support_hours} if s.support_hours else {}),
                **({"urgency": s.urgency} if s.urgency else {}),
                **({"catch_all": True} if s.catch_all else {}),
            }
            for s in spec.services
        ],
        **_incidents_document(spec),
    }


def _incidents_document(spec: RosterSpec) -> dict[str, Any]:
    incidents: dict[str, Any] = {}
    if spec.severities:
        incidents["severities"] = {
            pace.severity: {key: getattr(pace, name) for key, name in PACE_KEYS.items()}
            for pace in spec.severities
        }
    if not spec.updates.empty:
        updates: dict[str, Any] = {}
        everyone = {t.audience: t.body for t in spec.updates.templates if not t.scope}
        if everyone:
            updates["templates"] = everyone
        teams: dict[str, dict[str, str]] = {}
        for template in spec.updates.templates:
            if template.scope:
                teams.setdefault(template.scope, {})[template.audience] = template.body
        if teams:
            updates["teams"] = teams
        if spec.updates.deliveries:
            updates["deliver"] = {
                d.audience: {
                    "name": d.name,
                    **({"url_env": d.url_env} if d.url_env else {}),
                    **({"url_keyring": d.url_keyring} if d.url_keyring else {}),
                    "format": d.format,
                }
                for d in spec.updates.deliveries
            }
        incidents["updates"] = updates
    return {"incidents": incidents} if incidents else {}


class _Dumper(yaml.SafeDumper):
    """Writes text of several lines (an update template) as a block, as a person would."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump_roster(spec: RosterSpec) -> str:
    header = "# warroom roster: people, teams, support hours, schedules, escalation, services\n"
    return header + yaml.dump(
        roster_to_document(spec), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )
