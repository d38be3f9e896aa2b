"""Shifts as an iCalendar file that calendar apps import (the ``icalendar`` package)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from icalendar import Calendar, Event

from warroom.domain.schedule import Shift


def shifts_to_ics(
    schedule_slug: str,
    schedule_name: str,
    shifts: Sequence[Shift],
    names: Mapping[str, str],
    generated_at: datetime,
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//warroom//on-call schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"On call: {schedule_name}")
    for shift in shifts:
        if shift.person is None:
            continue
        event = Event()
        uid = hashlib.sha256(
            f"{schedule_slug}|{shift.person}|{shift.start.isoformat()}".encode()
        ).hexdigest()[:24]
        event.add("uid", f"{uid}@warroom")
        event.add("dtstamp", generated_at)
        event.add("dtstart", shift.start)
        event.add("dtend", shift.end)
        who = names.get(shift.person, shift.person)
        event.add("summary", f"On call: {who} ({schedule_name})")
        event.add("description", "Override" if shift.override else "Rotation")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
