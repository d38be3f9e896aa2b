"""Support hours: when a service's team is at work, so low-urgency pages may page.

Windows are weekly, in wall-clock time of the support hours' zone (09:00-18:00 stays
09:00-18:00 across daylight-saving changes), minus the public holidays of one country
(the ``holidays`` package), optionally one of its subdivisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from warroom.domain.errors import ValidationError
from warroom.domain.schedule import resolve_local
from warroom.domain.wallclock import parse_time_zone


def public_holidays(country: str, subdivision: str | None = None) -> Any:
    """The ``holidays`` package's calendar for a country (and subdivision), or a
    ValidationError naming the code it does not know and what it would take instead.

    The roster file is checked with this at import, so a code that would make support hours
    unanswerable later (``XX``, ``gb``, subdivision ``XYZ``) never reaches the database.
    """
    import holidays

    supported: dict[str, list[str]] = holidays.list_supported_countries()
    if country not in supported:
        hint = (
            f"; did you mean '{country.upper()}'?"
            if country.upper() in supported
            else "; use an ISO 3166 code such as GB, US or DE"
        )
        raise ValidationError(f"no public holidays are known for country '{country}'{hint}")
    try:
        return holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        known = ", ".join(supported[country][:12]) or "none"
        raise ValidationError(
            f"country '{country}' has no subdivision '{subdivision}' (it has: {known})"
        ) from None


@dataclass(frozen=True)
class Window:
    weekday: int  # Monday = 0
    start_minute: int
    end_minute: int  # exclusive; 1440 is midnight at the end of the day

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValidationError("a support window's weekday is 0 (Monday) to 6 (Sunday)")
        if not 0 <= self.start_minute < self.end_minute <= 1440:
            raise ValidationError("a support window must end after it starts, within one day")


@dataclass(frozen=True)
class SupportHoursRules:
    time_zone: str
    windows: tuple[Window, ...]
    holiday_country: str | None = None
    holiday_subdivision: str | None = None

    @cached_property
    def zone(self) -> ZoneInfo:
        return parse_time_zone(self.time_zone)

    @cached_property
    def _holidays(self) -> Any:
        if not self.holiday_country:
            return None
        return public_holidays(self.holiday_country, self.holiday_subdivision)

    def is_holiday(self, day: date) -> bool:
        return self._holidays is not None and day in self._holidays

    def _windows_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if self.is_holiday(day):
            return []
        midnight = datetime.combine(day, time())
        return [
            (
                resolve_local(midnight + timedelta(minutes=w.start_minute), self.zone),
                resolve_local(midnight + timedelta(minutes=w.end_minute), self.zone),
            )
            for w in self.windows
            if w.weekday == day.weekday()
        ]

    def contains(self, instant: datetime) -> bool:
        """Is ``instant`` inside support hours?"""
        today = instant.astimezone(self.zone).date()
        return any(
            start <= instant < end
            for day in (today - timedelta(days=1), today)
            for start, end in self._windows_on(day)
        )

    def next_start(self, instant: datetime, horizon_days: int = 370) -> datetime | None:
        """When support hours next begin after ``instant`` (now, if inside them already)."""
        if self.contains(instant):
            return instant
        today = instant.astimezone(self.zone).date()
        for offset in range(horizon_days):
            starts = sorted(
                start
                for start, _ in self._windows_on(today + timedelta(days=offset))
                if start > instant
            )
            if starts:
                return starts[0]
        return None
