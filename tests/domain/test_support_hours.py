"""Support hours: inside or outside, and when they next begin, holidays included."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from warroom.domain.errors import ValidationError
from warroom.domain.support_hours import SupportHoursRules, Window

LONDON = ZoneInfo("Europe/London")
WEEKDAYS_9_TO_6 = tuple(Window(day, 9 * 60, 18 * 60) for day in range(5))


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def test_inside_and_outside_support_hours() -> None:
    rules = SupportHoursRules("Europe/London", WEEKDAYS_9_TO_6)
    assert rules.contains(london(2026, 11, 23, 9, 0))  # Monday 09:00
    assert not rules.contains(london(2026, 11, 23, 18, 0))
    assert not rules.contains(london(2026, 11, 28, 12, 0))  # Saturday


def test_next_start_skips_the_weekend_and_holidays() -> None:
    rules = SupportHoursRules("Europe/London", WEEKDAYS_9_TO_6, "GB", "ENG")
    friday_evening = london(2026, 12, 24, 19, 0)  # Thursday 24 Dec; 25th and 28th are holidays
    assert rules.next_start(friday_evening) == london(2026, 12, 29, 9, 0)
    assert not rules.contains(london(2026, 12, 25, 10, 0))  # Christmas Day


def test_windows_stay_on_the_wall_clock_across_a_change() -> None:
    rules = SupportHoursRules("Europe/London", WEEKDAYS_9_TO_6)
    monday_after_change = rules.next_start(datetime(2026, 3, 29, 12, tzinfo=UTC))
    assert monday_after_change == london(2026, 3, 30, 9, 0)
    assert monday_after_change.astimezone(UTC).hour == 8  # British Summer Time


def test_inside_support_hours_next_start_is_now() -> None:
    rules = SupportHoursRules("Europe/London", WEEKDAYS_9_TO_6)
    now = london(2026, 11, 24, 11, 0)
    assert rules.next_start(now) == now


def test_unknown_holiday_country_is_named() -> None:
    rules = SupportHoursRules("Europe/London", WEEKDAYS_9_TO_6, "XX")
    with pytest.raises(ValidationError, match="country 'XX'"):
        rules.contains(london(2026, 11, 23, 10, 0))
