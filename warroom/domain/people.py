"""Rules for people: what a handle may look like, what an expertise tag is."""

from __future__ import annotations

import re

from warroom.domain.errors import ValidationError
from warroom.domain.wallclock import parse_time_zone

_HANDLE = re.compile(r"^[a-z][a-z0-9._-]{0,63}$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def validate_handle(handle: str) -> str:
    if not _HANDLE.match(handle):
        raise ValidationError(
            f"'{handle}' is not a valid handle: use lower-case letters, digits, '.', '_' or "
            "'-', starting with a letter"
        )
    return handle


def normalise_expertise(tags: list[str]) -> list[str]:
    cleaned = sorted({tag.strip().lower().replace(" ", "-") for tag in tags if tag.strip()})
    for tag in cleaned:
        if not _TAG.match(tag):
            raise ValidationError(f"'{tag}' is not an expertise tag; use words like 'database'")
    return cleaned


def validate_person(handle: str, name: str, time_zone: str) -> None:
    validate_handle(handle)
    if not name.strip():
        raise ValidationError(f"person '{handle}' has no name")
    parse_time_zone(time_zone)
