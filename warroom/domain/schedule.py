"""Who is on call: rotation layers, restrictions and overrides, right across time zones.

The rules (also in the README):

* Handoffs happen at a wall-clock time in the schedule's zone. A 09:00 handoff stays at 09:00
  local when the clocks change, so the shift that spans the change is 23 or 25 hours long.
* A handoff time that does not exist (inside a spring-forward gap) happens at the first valid
  instant after it — the moment the clocks jump. One that exists twice (in a fall-back
  overlap) happens at its first occurrence.
* ``daily``, ``weekly`` and ``days`` rotations count calendar days in the schedule's zone;
  ``hours`` rotations count real elapsed hours from the first handoff.
* A layer begins at its first handoff on or after its start date (on the handoff weekday for
  weekly rotations) and ends at local midnight starting its end date.
* Restrictions (daily or weekly windows, in wall-clock time) limit when a layer is active.
* Where several layers are active the highest one wins; overrides win over every layer, and of
  overlapping overrides the one listed last wins. Where nobody is on call the result has a gap.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from warroom.domain.errors import ValidationError
from warroom.domain.vocabulary import RestrictionKind, RotationKind
from warroom.domain.wallclock import parse_time_zone

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


def resolve_local(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a naive wall-clock time in ``zone``, by the rules above."""
    first = local.replace(tzinfo=zone, fold=0)
    utc = first.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) == local:
        return utc  # exists (for an ambiguous time, fold=0 is the first occurrence)
    # Inside a gap: find the transition, the first instant whose wall clock is past ``local``.
    a = first.astimezone(UTC)
    b = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(a, b), max(a, b)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= local:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0) if high.microsecond else high


def _local(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


@dataclass(frozen=True)
class Restriction:
    """A window in which the layer is active: every day, or weekly from a weekday."""

    kind: RestrictionKind
    start_minute: int
    duration_minutes: int
    start_weekday: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < 1440:
            raise ValidationError("a restriction starts between 00:00 and 23:59")
        limit = 1440 if self.kind is RestrictionKind.DAILY else 7 * 1440
        if not 0 < self.duration_minutes <= limit:
            raise ValidationError(
                f"a {self.kind.value} restriction lasts between 1 minute and {limit // 60} hours"
            )
        if (self.kind is RestrictionKind.WEEKLY) != (self.start_weekday is not None):
            raise ValidationError("a weekly restriction needs a start weekday; a daily one none")

    def windows(self, first: date, last: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
        """UTC windows that start on local dates ``first - 7 .. last``."""
        out = []
        day = first - timedelta(days=7)
        while day <= last:
            if self.kind is RestrictionKind.DAILY or day.weekday() == self.start_weekday:
                start_local = datetime.combine(day, time()) + timedelta(minutes=self.start_minute)
                end_local = start_local + timedelta(minutes=self.duration_minutes)
                out.append((resolve_local(start_local, zone), resolve_local(end_local, zone)))
            day += DAY
        return out

    def contains(self, instant: datetime, zone: ZoneInfo) -> bool:
        today = _local(instant, zone).date()
        return any(start <= instant < end for start, end in self.windows(today, today, zone))


@dataclass(frozen=True)
class Layer:
    """People taking turns. ``length`` counts days (daily, days), weeks (weekly) or hours."""

    name: str
    members: tuple[str, ...]
    rotation: RotationKind
    handoff_minute: int
    start: date
    length: int = 1
    handoff_weekday: int | None = None
    end: date | None = None
    restrictions: tuple[Restriction, ...] = ()

    def __post_init__(self) -> None:
        if not self.members:
            raise ValidationError(f"layer '{self.name}' has nobody in it")
        if self.length < 1:
            raise ValidationError(f"layer '{self.name}' rotates every {self.length}: too short")
        if not 0 <= self.handoff_minute < 1440:
            raise ValidationError(f"layer '{self.name}' hands off outside 00:00-23:59")
        if self.end is not None and self.end <= self.start:
            raise ValidationError(f"layer '{self.name}' ends before it starts")

    @property
    def calendar(self) -> bool:
        return self.rotation is not RotationKind.HOURS

    @property
    def period_days(self) -> int:
        return self.length * (7 if self.rotation is RotationKind.WEEKLY else 1)

    @cached_property
    def anchor_date(self) -> date:
        """The local date of the first handoff."""
        day = self.start
        if self.rotation is RotationKind.WEEKLY and self.handoff_weekday is not None:
            day += timedelta(days=(self.handoff_weekday - day.weekday()) % 7)
        return day

    @cached_property
    def anchor_local(self) -> datetime:
        return datetime.combine(self.anchor_date, time()) + timedelta(minutes=self.handoff_minute)


@dataclass(frozen=True)
class Override:
    """Someone covers ``[start, end)`` whatever the layers say."""

    person: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValidationError("override times need a time zone")
        if self.end <= self.start:
            raise ValidationError(f"the override for {self.person} ends before it starts")


@dataclass(frozen=True)
class Shift:
    """A stretch of time with one person on call (``person`` None: a gap)."""

    start: datetime
    end: datetime
    person: str | None
    layer: int | None = None  # index of the layer it came from; None for overrides and gaps
    override: bool = False

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class OnCall:
    person: str | None
    until: datetime | None  # when this person's stint ends (None: nothing planned after)
    layer: int | None = None
    override: bool = False


@dataclass(frozen=True)
class ScheduleRules:
    """A schedule's layers (lowest first) and overrides, in one time zone."""

    time_zone: str
    layers: tuple[Layer, ...] = ()
    overrides: tuple[Override, ...] = ()

    @cached_property
    def zone(self) -> ZoneInfo:
        return parse_time_zone(self.time_zone)

    # ------------------------------------------------------------------ one layer

    def handoff(self, layer: Layer, k: int) -> datetime:
        """The UTC instant of the layer's k-th handoff (k = 0 is the first)."""
        if layer.calendar:
            local = layer.anchor_local + timedelta(days=k * layer.period_days)
            return resolve_local(local, self.zone)
        first = resolve_local(layer.anchor_local, self.zone)
        return first + timedelta(hours=k * layer.length)

    def _layer_bounds(self, layer: Layer) -> tuple[datetime, datetime | None]:
        begin = self.handoff(layer, 0)
        end = None
        if layer.end is not None:
            end = resolve_local(datetime.combine(layer.end, time()), self.zone)
        return begin, end

    def _turn_at(self, layer: Layer, instant: datetime) -> int:
        """Which turn (k) of the rotation covers ``instant`` (may be negative before start)."""
        if layer.calendar:
            elapsed = _local(instant, self.zone) - layer.anchor_local
            k = elapsed // timedelta(days=layer.period_days)
        else:
            k = (instant - self.handoff(layer, 0)) // timedelta(hours=layer.length)
        while self.handoff(layer, k) > instant:
            k -= 1
        while self.handoff(layer, k + 1) <= instant:
            k += 1
        return int(k)

    def layer_shifts(self, index: int, start: datetime, end: datetime) -> list[Shift]:
        """The layer's own shifts overlapping ``[start, end)``, cut to its restrictions."""
        layer = self.layers[index]
        begin, finish = self._layer_bounds(layer)
        lo, hi = max(start, begin), end if finish is None else min(end, finish)
        if lo >= hi:
            return []
        shifts: list[Shift] = []
        k = self._turn_at(layer, lo)
        while True:
            turn_start, turn_end = self.handoff(layer, k), self.handoff(layer, k + 1)
            if turn_start >= hi:
                break
            s, e = max(turn_start, lo), min(turn_end, hi)
            if s < e:
                shifts.append(Shift(s, e, layer.members[k % len(layer.members)], index))
            k += 1
        if layer.restrictions:
            shifts = self._restrict(layer, shifts, lo, hi)
        return shifts

    def _restrict(
        self, layer: Layer, shifts: list[Shift], lo: datetime, hi: datetime
    ) -> list[Shift]:
        first, last = _local(lo, self.zone).date(), _local(hi, self.zone).date()
        windows = sorted(w for r in layer.restrictions for w in r.windows(first, last, self.zone))
        merged: list[tuple[datetime, datetime]] = []
        for ws, we in windows:
            if merged and ws <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], we))
            else:
                merged.append((ws, we))
        out = []
        for shift in shifts:
            for ws, we in merged:
                s, e = max(shift.start, ws), min(shift.end, we)
                if s < e:
                    out.append(Shift(s, e, shift.person, shift.layer))
        return out

    def _layer_person_at(self, index: int, instant: datetime) -> str | None:
        layer = self.layers[index]
        begin, finish = self._layer_bounds(layer)
        if instant < begin or (finish is not None and instant >= finish):
            return None
        if layer.restrictions and not any(
            r.contains(instant, self.zone) for r in layer.restrictions
        ):
            return None
        return layer.members[self._turn_at(layer, instant) % len(layer.members)]

    # ------------------------------------------------------------------ the result

    def override_at(self, instant: datetime) -> Override | None:
        """The override covering ``instant``; of overlapping ones, the one listed last."""
        found = None
        for override in self.overrides:
            if override.start <= instant < override.end:
                found = override
        return found

    def person_at(self, instant: datetime) -> tuple[str | None, int | None, bool]:
        override = self.override_at(instant)
        if override is not None:
            return override.person, None, True
        for index in range(len(self.layers) - 1, -1, -1):
            person = self._layer_person_at(index, instant)
            if person is not None:
                return person, index, False
        return None, None, False

    def shifts(self, start: datetime, end: datetime) -> list[Shift]:
        """The final rota over ``[start, end)``: contiguous, no overlaps, gaps included."""
        if end <= start:
            return []
        pieces: list[Shift] = []
        for index in range(len(self.layers)):
            pieces.extend(self.layer_shifts(index, start, end))
        for override in self.overrides:
            s, e = max(override.start, start), min(override.end, end)
            if s < e:
                pieces.append(Shift(s, e, override.person, None, True))
        bounds = sorted({start, end, *(p.start for p in pieces), *(p.end for p in pieces)})
        # Rank: overrides above every layer (later-listed overrides higher), then higher layers.
        ranked: list[tuple[int, Shift]] = []
        override_index = 0
        for piece in pieces:
            if piece.override:
                ranked.append((10_000 + override_index, piece))
                override_index += 1
            else:
                assert piece.layer is not None
                ranked.append((piece.layer, piece))
        ranked.sort(key=lambda rp: rp[1].start)
        result: list[Shift] = []
        active: list[tuple[int, Shift]] = []
        cursor = 0
        for left, right in itertools.pairwise(bounds):
            while cursor < len(ranked) and ranked[cursor][1].start <= left:
                active.append(ranked[cursor])
                cursor += 1
            active = [rp for rp in active if rp[1].end > left]
            top = max(active, key=lambda rp: rp[0], default=None)
            if top is None:
                piece = Shift(left, right, None)
            else:
                piece = Shift(left, right, top[1].person, top[1].layer, top[1].override)
            if (
                result
                and result[-1].person == piece.person
                and result[-1].layer == piece.layer
                and result[-1].override == piece.override
                and result[-1].end == piece.start
            ):
                result[-1] = Shift(
                    result[-1].start, piece.end, piece.person, piece.layer, piece.override
                )
            else:
                result.append(piece)
        return result

    def gaps(self, start: datetime, end: datetime) -> list[Shift]:
        return [shift for shift in self.shifts(start, end) if shift.person is None]

    def on_call(self, instant: datetime, horizon: timedelta = timedelta(days=35)) -> OnCall:
        """Who is on call at ``instant`` and until when (looking ahead up to ``horizon``)."""
        person, layer, override = self.person_at(instant)
        until = None
        for shift in self.shifts(instant, instant + horizon):
            if shift.person != person:
                until = shift.start
                break
        return OnCall(person, until, layer, override)

    def next_on_call(
        self, instant: datetime, horizon: timedelta = timedelta(days=35)
    ) -> Shift | None:
        """The first shift after the current person's stint with someone else on call."""
        current, _, _ = self.person_at(instant)
        for shift in self.shifts(instant, instant + horizon):
            if shift.person is not None and shift.person != current:
                return shift
        return None


def shifts_for_person(shifts: Sequence[Shift], person: str) -> list[Shift]:
    return [shift for shift in shifts if shift.person == person]
