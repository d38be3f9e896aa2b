"""Short human durations such as ``1d 4h 20m``: used by the demo history and forms."""

from __future__ import annotations

import re
from datetime import timedelta

from warroom.domain.errors import ValidationError

_PART = re.compile(r"(\d+)\s*([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_duration(text: str) -> timedelta:
    """``"2d 3h"`` → 2 days 3 hours. Anything else is a ValidationError naming the text."""
    cleaned = str(text).strip().lower()
    parts = _PART.findall(cleaned)
    if not parts or _PART.sub("", cleaned).strip():
        raise ValidationError(f"'{text}' is not a duration; write it like '1d 4h 20m'")
    total = timedelta()
    for number, unit in parts:
        total += timedelta(**{_UNITS[unit]: int(number)})
    return total


def format_duration(delta: timedelta) -> str:
    """The inverse of :func:`parse_duration`, largest units first: ``1h 5m``."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "0m"
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            out.append(f"{seconds // size}{unit}")
            seconds %= size
    if seconds and not out:
        out.append(f"{seconds}s")
    return " ".join(out)
