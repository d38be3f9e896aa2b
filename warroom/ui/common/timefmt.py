"""Showing instants in the viewer's time zone, compactly and unambiguously."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@cache
def local_zone() -> tzinfo:
    """The viewer's zone with its daylight-saving rules where the system names it."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        link = Path("/etc/localtime")
        if link.is_symlink() and "zoneinfo/" in str(link.resolve()):
            name = str(link.resolve()).split("zoneinfo/", 1)[1]
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    zone = datetime.now().astimezone().tzinfo  # a fixed offset: right today, at least
    assert zone is not None
    return zone


def is_night(hour: int) -> bool:
    """Night for a person: 22:00 to 07:00 in their own zone (think twice before calling)."""
    return hour >= 22 or hour < 7


def short_time(instant: datetime, now: datetime, zone: tzinfo | None = None) -> str:
    """``14:02`` today, ``Mon 14:02`` this week, ``21 Nov 14:02`` before that."""
    zone = zone or local_zone()
    local, local_now = instant.astimezone(zone), now.astimezone(zone)
    if local.date() == local_now.date():
        return local.strftime("%H:%M:%S")
    days_ago = (local_now.date() - local.date()).days
    if days_ago == 1:
        return local.strftime("Yesterday %H:%M")
    if 0 < days_ago < 7:
        return local.strftime("%a %H:%M")
    if local.year == local_now.year:
        return local.strftime("%d %b %H:%M")
    return local.strftime("%d %b %Y %H:%M")


def full_time(instant: datetime, zone: tzinfo | None = None) -> str:
    """The whole instant in the viewer's zone, and in UTC unless that is the viewer's zone."""
    zone = zone or local_zone()
    local = instant.astimezone(zone)
    if local.utcoffset() == timedelta(0) and local.tzname() in ("UTC", "GMT", "Z"):
        return f"{local:%A %d %B %Y %H:%M:%S} UTC"
    return f"{local:%A %d %B %Y %H:%M:%S %Z} ({instant.astimezone(UTC):%H:%M:%S} UTC)"
