"""Handoffs across daylight-saving changes, in four kinds of zone, over 2026 and 2027."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from warroom.domain.schedule import Layer, Override, Restriction, ScheduleRules, resolve_local
from warroom.domain.vocabulary import RestrictionKind, RotationKind

H = timedelta(hours=1)


def daily(zone: str, handoff: str, people=("ann", "bob", "cat"), start=date(2026, 1, 1)):
    hours, minutes = (int(x) for x in handoff.split(":"))
    return ScheduleRules(
        zone, (Layer("daily", tuple(people), RotationKind.DAILY, hours * 60 + minutes, start),)
    )


def shift_starting(rules: ScheduleRules, local_day: date):
    """The shift of the first layer that starts on this local date."""
    zone = ZoneInfo(rules.time_zone)
    begin = datetime(local_day.year, local_day.month, local_day.day, tzinfo=zone) - 2 * H
    for shift in rules.layer_shifts(0, begin.astimezone(UTC), begin.astimezone(UTC) + 3 * 24 * H):
        if shift.start.astimezone(zone).date() == local_day:
            return shift
    raise AssertionError(f"no shift starts on {local_day}")


# (zone, spring-forward day, fall-back day, size of the change)
TRANSITIONS = [
    ("America/New_York", date(2026, 3, 8), date(2026, 11, 1), H),
    ("America/New_York", date(2027, 3, 14), date(2027, 11, 7), H),
    ("Europe/London", date(2026, 3, 29), date(2026, 10, 25), H),
    ("Europe/London", date(2027, 3, 28), date(2027, 10, 31), H),
    ("Australia/Lord_Howe", date(2026, 10, 4), date(2026, 4, 5), H / 2),
    ("Australia/Lord_Howe", date(2027, 10, 3), date(2027, 4, 4), H / 2),
]


@pytest.mark.parametrize(("zone", "spring", "fall", "change"), TRANSITIONS)
def test_a_0900_handoff_stays_at_0900_so_shifts_are_short_or_long(zone, spring, fall, change):
    rules = daily(zone, "09:00")
    tz = ZoneInfo(zone)
    # the shift that *contains* the change starts the day before at 09:00 local
    before_spring = shift_starting(rules, spring - timedelta(days=1))
    before_fall = shift_starting(rules, fall - timedelta(days=1))
    assert before_spring.duration == 24 * H - change
    assert before_fall.duration == 24 * H + change
    for shift in (before_spring, before_fall):
        assert shift.start.astimezone(tz).strftime("%H:%M") == "09:00"
        assert shift.end.astimezone(tz).strftime("%H:%M") == "09:00"
    assert shift_starting(rules, spring).duration == 24 * H  # back to normal


@pytest.mark.parametrize(
    ("zone", "day", "handoff", "expected_local"),
    [
        # inside the gap: the first valid instant after it, the moment the clocks jump
        ("America/New_York", date(2026, 3, 8), "02:30", "03:00"),
        ("Europe/London", date(2027, 3, 28), "01:15", "02:00"),
        ("Australia/Lord_Howe", date(2026, 10, 4), "02:15", "02:30"),
    ],
)
def test_a_handoff_inside_a_spring_gap_happens_when_the_clocks_jump(
    zone, day, handoff, expected_local
):
    shift = shift_starting(daily(zone, handoff), day)
    assert shift.start.astimezone(ZoneInfo(zone)).strftime("%H:%M") == expected_local


@pytest.mark.parametrize(
    ("zone", "day", "handoff", "utc"),
    [
        # the first of the two occurrences: still on summer time
        ("America/New_York", date(2026, 11, 1), "01:30", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
        ("Europe/London", date(2026, 10, 25), "01:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        (
            "Australia/Lord_Howe",
            date(2026, 4, 5),
            "01:45",
            datetime(2026, 4, 4, 14, 45, tzinfo=UTC),
        ),
    ],
)
def test_a_handoff_that_happens_twice_uses_the_first_occurrence(zone, day, handoff, utc):
    assert shift_starting(daily(zone, handoff), day).start == utc


def test_a_zone_without_dst_has_24_hour_shifts_all_year() -> None:
    rules = daily("Asia/Kolkata", "09:00")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    shifts = rules.layer_shifts(0, start, start + timedelta(days=730))
    assert {s.duration for s in shifts[1:-1]} == {24 * H}


def test_weekly_rotation_hands_off_on_the_weekday_and_rotates_people() -> None:
    rules = ScheduleRules(
        "Europe/London",
        (
            Layer(
                "weekly",
                ("ann", "bob"),
                RotationKind.WEEKLY,
                9 * 60,
                date(2026, 3, 18),
                handoff_weekday=0,
            ),
        ),
    )
    start = datetime(2026, 3, 16, tzinfo=UTC)
    shifts = rules.layer_shifts(0, start, start + timedelta(days=21))
    assert [s.person for s in shifts] == ["ann", "bob"]
    london = ZoneInfo("Europe/London")
    assert shifts[0].start.astimezone(london) == datetime(2026, 3, 23, 9, tzinfo=london)
    # 23 March to 30 March spans the 29 March change: 167 hours
    assert shifts[0].duration == 7 * 24 * H - H


def test_hours_rotation_counts_real_hours_across_a_change() -> None:
    rules = ScheduleRules(
        "America/New_York",
        (Layer("12h", ("ann", "bob"), RotationKind.HOURS, 8 * 60, date(2026, 3, 7), length=12),),
    )
    start = datetime(2026, 3, 7, 13, tzinfo=UTC)
    shifts = rules.layer_shifts(0, start, start + timedelta(days=3))
    assert {s.duration for s in shifts} == {12 * H}


def test_restrictions_follow_the_wall_clock_across_a_change() -> None:
    nights = Restriction(RestrictionKind.DAILY, 20 * 60, 12 * 60)
    rules = ScheduleRules(
        "Europe/London",
        (
            Layer(
                "nights",
                ("ann",),
                RotationKind.WEEKLY,
                9 * 60,
                date(2026, 3, 2),
                handoff_weekday=0,
                restrictions=(nights,),
            ),
        ),
    )
    london = ZoneInfo("Europe/London")
    start = datetime(2026, 3, 27, 12, tzinfo=UTC)
    shifts = rules.layer_shifts(0, start, start + timedelta(days=3))
    local = [
        (
            s.start.astimezone(london).strftime("%d %H:%M"),
            s.end.astimezone(london).strftime("%d %H:%M"),
        )
        for s in shifts
    ]
    assert local == [("27 20:00", "28 08:00"), ("28 20:00", "29 08:00"), ("29 20:00", "30 08:00")]
    assert shifts[1].duration == 11 * H  # the night the clocks go forward


def test_overrides_win_and_the_last_listed_wins_among_them() -> None:
    base = daily("UTC", "09:00", people=("ann",))
    t = datetime(2026, 6, 1, 12, tzinfo=UTC)
    rules = ScheduleRules(
        "UTC", base.layers, (Override("bob", t - H, t + 2 * H), Override("cat", t, t + H))
    )
    assert rules.person_at(t - H / 2)[0] == "bob"
    assert rules.person_at(t)[0] == "cat"
    assert rules.person_at(t + H)[0] == "bob"
    assert rules.person_at(t + 3 * H)[0] == "ann"


def test_gaps_are_reported_where_nobody_is_on_call() -> None:
    business = Restriction(RestrictionKind.DAILY, 9 * 60, 8 * 60)
    rules = ScheduleRules(
        "UTC",
        (
            Layer(
                "days",
                ("ann",),
                RotationKind.DAILY,
                9 * 60,
                date(2026, 1, 1),
                restrictions=(business,),
            ),
        ),
    )
    start = datetime(2026, 6, 1, tzinfo=UTC)
    gaps = rules.gaps(start, start + timedelta(days=1))
    assert [(g.start.hour, g.end.hour) for g in gaps] == [(0, 9), (17, 0)]


def test_who_is_on_call_until_when_and_who_is_next() -> None:
    rules = daily("America/New_York", "09:00", people=("ann", "bob"))
    # 15:00 EST on Saturday 7 March 2026. The rota began with ann on 1 January at 09:00; the
    # 7th is its 66th day (day 65 counting from 0, odd), so it is bob's, until 09:00 on the
    # 8th, which is already daylight time (EDT) since 03:00 that morning: 13:00 UTC, a
    # 23-hour shift. Then ann, for a full 24 hours.
    instant = datetime(2026, 3, 7, 20, tzinfo=UTC)
    now = rules.on_call(instant)
    following = rules.next_on_call(instant)
    assert following is not None
    assert now.person == "bob"
    assert now.until == datetime(2026, 3, 8, 13, tzinfo=UTC)
    assert now.until == resolve_local(datetime(2026, 3, 8, 9), ZoneInfo("America/New_York"))
    assert now.until - datetime(2026, 3, 7, 14, tzinfo=UTC) == 23 * H  # began 09:00 EST
    assert following.person == "ann"
    assert following.start == now.until
    assert following.end == datetime(2026, 3, 9, 13, tzinfo=UTC)
