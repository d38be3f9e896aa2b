"""Wall-clock notation used in roster files: ``09:00``, ``mon 09:00``, ``mon-fri``."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.domain.errors import ValidationError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


def parse_clock(text: str) -> int:
    """``"09:30"`` → 570 minutes after midnight; ``"24:00"`` is allowed as an end of day."""
    match = _CLOCK.match(str(text).strip())
    if not match:
        raise ValidationError(f"'{text}' is not a time of day; write it like 09:00")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > 1440:
        raise ValidationError(f"'{text}' is after midnight; the latest time of day is 24:00")
    return minutes


def parse_weekday(text: str) -> int:
    name = str(text).strip().lower()[:3]
    if name not in WEEKDAYS:
        raise ValidationError(f"'{text}' is not a weekday; use mon, tue, wed, thu, fri, sat, sun")
    return WEEKDAYS.index(name)


def parse_weekdays(text: str) -> list[int]:
    """``"mon-fri"`` → [0, 1, 2, 3, 4]; ``"sat,sun"`` → [5, 6]; ``"fri-mon"`` wraps."""
    days: list[int] = []
    for part in str(text).split(","):
        if "-" in part:
            first, last = (parse_weekday(p) for p in part.split("-", 1))
            day = first
            while True:
                days.append(day)
                if day == last:
                    break
                day = (day + 1) % 7
        else:
            days.append(parse_weekday(part))
    return sorted(set(days))


def parse_handoff(text: str) -> tuple[int | None, int]:
    """``"mon 09:00"`` → (0, 540); ``"09:00"`` → (None, 540)."""
    parts = str(text).split()
    if len(parts) == 1:
        return None, parse_clock(parts[0])
    if len(parts) == 2:
        return parse_weekday(parts[0]), parse_clock(parts[1])
    raise ValidationError(f"'{text}' is not a handoff; write it like 'mon 09:00' or '09:00'")


def parse_time_zone(name: str) -> ZoneInfo:
    """An IANA zone such as Europe/London, or a ValidationError naming the bad zone."""
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"'{name}' is not an IANA time zone; use a name like Europe/London"
        ) from None


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
