"""Roster figures: who is on call across 500 schedules, a month of shifts, filtering 5,000 people.

    .venv/bin/python tests/benchmarks/roster.py

Baselines measured in the same run: a naive per-instant scan (walk every handoff from each
layer's start up to the instant; evaluate every minute of the month), and Qt's stock
QSortFilterProxyModel filtering every column per keystroke.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from warroom.domain.schedule import Layer, Override, Restriction, ScheduleRules
from warroom.domain.vocabulary import RestrictionKind, RotationKind

NOW = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Australia/Lord_Howe",
]
TAGS = ["database", "network", "front-end", "payments", "kafka", "security", "storage", "dns"]


def build(rng: random.Random, people: list[str], schedules: int) -> list[ScheduleRules]:
    out = []
    for _ in range(schedules):
        layers = []
        for position in range(3):
            rotation = [RotationKind.WEEKLY, RotationKind.DAILY, RotationKind.HOURS][position]
            restrictions: tuple[Restriction, ...] = ()
            if position == 1:
                restrictions = (Restriction(RestrictionKind.DAILY, 20 * 60, 10 * 60),)
            layers.append(
                Layer(
                    f"layer {position}",
                    tuple(rng.sample(people, rng.randint(3, 8))),
                    rotation,
                    rng.randint(0, 1439),
                    date(2025, 1, 6) + timedelta(days=rng.randint(0, 300)),
                    length=12 if rotation is RotationKind.HOURS else 1,
                    handoff_weekday=0 if rotation is RotationKind.WEEKLY else None,
                    restrictions=restrictions,
                )
            )
        overrides = tuple(
            Override(rng.choice(people), start, start + timedelta(hours=rng.randint(2, 48)))
            for start in (NOW + timedelta(hours=rng.randint(-72, 400)) for _ in range(4))
        )
        out.append(ScheduleRules(rng.choice(ZONES), tuple(layers), overrides))
    return out


def naive_person_at(rules: ScheduleRules, instant: datetime) -> str | None:
    """Walk every handoff from each layer's first one: what a simple implementation does."""
    for override in reversed(rules.overrides):
        if override.start <= instant < override.end:
            return override.person
    for index in range(len(rules.layers) - 1, -1, -1):
        layer = rules.layers[index]
        k = 0
        if rules.handoff(layer, 0) > instant:
            continue
        while rules.handoff(layer, k + 1) <= instant:
            k += 1
        if layer.restrictions and not any(
            r.contains(instant, rules.zone) for r in layer.restrictions
        ):
            continue
        return layer.members[k % len(layer.members)]
    return None


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> int:
    rng = random.Random(7)
    people = [f"person{n:04d}" for n in range(5000)]
    schedules = build(rng, people, 500)

    fast = timed(lambda: [r.person_at(NOW) for r in schedules])
    naive = timed(lambda: [naive_person_at(r, NOW) for r in schedules], repeat=1)
    same = all(r.person_at(NOW)[0] == naive_person_at(r, NOW) for r in schedules[:50])
    print("On call now, 500 schedules x 3 layers with overrides")
    print(f"  warroom            : {fast:8.1f} ms   (target <= 50 ms)")
    print(
        f"  naive handoff walk : {naive:8.1f} ms   ratio {naive / fast:6.1f}x faster"
        f"   answers agree: {same}"
    )

    month = timedelta(days=30)
    month_fast = statistics.median(
        timed(lambda r=r: r.shifts(NOW, NOW + month), repeat=3) for r in schedules[:20]
    )

    def per_minute(rules: ScheduleRules) -> list[tuple[datetime, str | None]]:
        out: list[tuple[datetime, str | None]] = []
        t = NOW
        while t < NOW + month:
            person = rules.person_at(t)[0]
            if not out or out[-1][1] != person:
                out.append((t, person))
            t += timedelta(minutes=1)
        return out

    month_naive = timed(lambda: per_minute(schedules[0]), repeat=1)
    print("A month of shifts for one schedule")
    print(f"  warroom            : {month_fast:8.2f} ms   (target <= 10 ms)")
    print(f"  per-minute scan    : {month_naive:8.1f} ms   ratio {month_naive / month_fast:6.0f}x")

    from PySide6.QtCore import QSortFilterProxyModel
    from PySide6.QtWidgets import QApplication

    from warroom.services.roster_view import PersonRow
    from warroom.ui.roster.people_model import PeopleModel

    app = QApplication.instance() or QApplication([])
    rows = [
        PersonRow(
            p,
            f"Name {p[-4:]} Surname{rng.randint(0, 999)}",
            rng.choice(ZONES),
            (f"Team {rng.randint(1, 60)}",),
            tuple(rng.sample(TAGS, 2)),
            (("Team primary",) if rng.random() < 0.05 else ()),
            None,
            None,
        )
        for p in people
    ]
    model = PeopleModel(lambda: NOW)
    model.set_people(rows)
    ours = model
    plain = PeopleModel(lambda: NOW)
    plain.set_people(rows)
    stock = QSortFilterProxyModel()
    stock.setSourceModel(plain)
    stock.setFilterKeyColumn(-1)
    typed = "database name 12"
    ours_ms, stock_ms = [], []
    for n in range(1, len(typed) + 1):
        start = time.perf_counter()
        ours.set_text(typed[:n])
        ours_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        stock.setFilterFixedString(typed[:n])
        stock_ms.append((time.perf_counter() - start) * 1000)
    print("Roster filter, 5,000 people, per keystroke")
    print(
        f"  warroom            : median {statistics.median(ours_ms):6.2f} ms, "
        f"worst {max(ours_ms):6.2f} ms   (target <= 16 ms)"
    )
    print(
        f"  stock proxy        : median {statistics.median(stock_ms):6.2f} ms, "
        f"worst {max(stock_ms):6.2f} ms   ratio "
        f"{statistics.median(stock_ms) / statistics.median(ours_ms):4.1f}x"
    )
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
