"""Properties of any schedule: shifts tile the range, layers never overlap, overrides win."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.domain.schedule import Layer, Override, Restriction, ScheduleRules
from warroom.domain.vocabulary import RestrictionKind, RotationKind

ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
PEOPLE = ["ann", "bob", "cat", "dan", "eve"]
BASE = datetime(2026, 1, 1, tzinfo=UTC)

restrictions = st.one_of(
    st.builds(
        Restriction, st.just(RestrictionKind.DAILY), st.integers(0, 1439), st.integers(1, 1440)
    ),
    st.builds(
        Restriction,
        st.just(RestrictionKind.WEEKLY),
        st.integers(0, 1439),
        st.integers(1, 7 * 1440),
        st.integers(0, 6),
    ),
)


@st.composite
def layers(draw: st.DrawFn) -> Layer:
    rotation = draw(st.sampled_from(list(RotationKind)))
    length = draw(st.integers(1, 72 if rotation is RotationKind.HOURS else 3))
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 600)))
    end = draw(st.one_of(st.none(), st.integers(1, 400)))
    return Layer(
        name="layer",
        members=tuple(draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4))),
        rotation=rotation,
        handoff_minute=draw(st.integers(0, 1439)),
        start=start,
        length=length,
        handoff_weekday=draw(st.integers(0, 6)) if rotation is RotationKind.WEEKLY else None,
        end=None if end is None else start + timedelta(days=end),
        restrictions=tuple(draw(st.lists(restrictions, max_size=2))),
    )


@st.composite
def overrides(draw: st.DrawFn) -> Override:
    start = BASE + timedelta(minutes=draw(st.integers(0, 800 * 24 * 60)))
    return Override(
        draw(st.sampled_from(PEOPLE)),
        start,
        start + timedelta(minutes=draw(st.integers(1, 5 * 24 * 60))),
    )


schedules = st.builds(
    ScheduleRules,
    st.sampled_from(ZONES),
    st.lists(layers(), min_size=1, max_size=3).map(tuple),
    st.lists(overrides(), max_size=4).map(tuple),
)
ranges = st.tuples(st.integers(0, 760 * 24), st.integers(1, 21 * 24)).map(
    lambda t: (BASE + timedelta(hours=t[0]), BASE + timedelta(hours=t[0] + t[1]))
)


@settings(max_examples=150, deadline=None)
@given(schedules, ranges)
def test_shifts_tile_the_range_exactly(rules: ScheduleRules, span) -> None:
    start, end = span
    shifts = rules.shifts(start, end)
    assert shifts[0].start == start
    assert shifts[-1].end == end
    for before, after in itertools.pairwise(shifts):
        assert before.end == after.start
    assert all(s.start < s.end for s in shifts)


@settings(max_examples=150, deadline=None)
@given(schedules, ranges)
def test_no_overlap_within_a_layer(rules: ScheduleRules, span) -> None:
    start, end = span
    for index in range(len(rules.layers)):
        shifts = rules.layer_shifts(index, start, end)
        for before, after in itertools.pairwise(shifts):
            assert before.end <= after.start


@settings(max_examples=150, deadline=None)
@given(schedules, ranges, st.lists(st.floats(0, 1), min_size=1, max_size=8))
def test_overrides_always_win_and_shifts_agree_with_instants(rules, span, fractions) -> None:
    start, end = span
    shifts = rules.shifts(start, end)
    for fraction in fractions:
        instant = start + (end - start) * fraction
        instant = min(instant, end - timedelta(microseconds=1))
        person, _, is_override = rules.person_at(instant)
        covering = [o for o in rules.overrides if o.start <= instant < o.end]
        if covering:
            assert is_override
            assert person == covering[-1].person
        [shift] = [s for s in shifts if s.start <= instant < s.end]
        assert shift.person == person
