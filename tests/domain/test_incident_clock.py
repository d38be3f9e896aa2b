"""T+: the time since declaration as the bridge call reads it, and the brief form of the cards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warroom.domain.incidents import elapsed, elapsed_brief

DECLARED = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "clock", "brief"),
    [
        (timedelta(0), "T+0:00:00", "T+0s"),
        (timedelta(seconds=59), "T+0:00:59", "T+59s"),
        (timedelta(seconds=60), "T+0:01:00", "T+1m"),
        (timedelta(minutes=59, seconds=59), "T+0:59:59", "T+59m"),
        (timedelta(hours=1, minutes=7, seconds=42), "T+1:07:42", "T+1h07m"),
        (timedelta(hours=23, minutes=59), "T+23:59:00", "T+23h59m"),
        (timedelta(days=2, hours=4, minutes=10), "T+2d 4:10:00", "T+2d 4h"),
        (timedelta(seconds=-5), "T+0:00:00", "T+0s"),  # a clock a little behind: never T-
    ],
)
def test_elapsed_and_its_brief_form(after: timedelta, clock: str, brief: str) -> None:
    assert elapsed(DECLARED, DECLARED + after) == clock
    assert elapsed_brief(DECLARED, DECLARED + after) == brief
