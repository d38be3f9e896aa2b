"""Dragging a person over the role board with 200 people on the bench: time per frame.

    .venv/bin/python tests/benchmarks/board_drag.py [--people 200] [--frames 300]

A frame is what Qt does for one mouse move during a drag: the drag-move event delivered to
the list under the cursor (which lights its column up or down), then a repaint of the whole
war room, done synchronously so it is measured. The cursor sweeps across the six role columns
and the bench. The baseline is the same sweep over the same board with an empty bench, in the
same run. Target: every frame under 16 ms (one frame at 60 Hz).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent
from PySide6.QtWidgets import QApplication

from warroom.services.incidents.bench import BenchPerson
from warroom.services.incidents.queries import Holder, IncidentDetail, IncidentRow
from warroom.ui.incidents.models import DraggedPerson, person_mime
from warroom.ui.incidents.war_room import WarRoomView

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Asia/Tokyo")


def detail() -> IncidentDetail:
    holders = {
        "incident_commander": (
            Holder(
                1,
                "incident_commander",
                "amara",
                "Amara Okafor",
                ZONES[0],
                None,
                NOW,
                "amara",
                None,
                None,
                None,
            ),
        ),
        "scribe": (
            Holder(
                2,
                "scribe",
                "tom.h",
                "Tom Hargreaves",
                ZONES[0],
                None,
                NOW,
                "amara",
                None,
                None,
                None,
            ),
        ),
    }
    roles = {
        role: holders.get(role, ())
        for role in (
            "incident_commander",
            "primary_responder",
            "secondary_responder",
            "communication_coordinator",
            "scribe",
            "subject_matter_expert",
        )
    }
    row = IncidentRow(
        7,
        "Card payments fail at checkout",
        "SEV1",
        "investigating",
        NOW - timedelta(minutes=20),
        NOW,
        "Amara Okafor",
        "amara",
        "Checkout API",
    )
    return IncidentDetail(
        row,
        "",
        None,
        None,
        None,
        roles,
        tuple(h for v in roles.values() for h in v),
        None,
        None,
        "",
        (),
        (),
        (),
        ("amara",),
        (),
    )


def bench(count: int) -> list[BenchPerson]:
    return [
        BenchPerson(
            f"person{n}",
            f"Person Number {n}",
            ZONES[n % len(ZONES)],
            ("database",),
            ("Payments primary",) if n % 7 == 0 else (),
            n % 3,
            n < 5,
            None,
            "matches your search",
        )
        for n in range(count)
    ]


def sweep(view: WarRoomView, frames: int) -> list[float]:
    """Frame times (ms) of a drag sweeping over the board and the bench."""
    lists = [view.board.columns[role].list for role in view.board.columns] + [view.bench.list]
    mime = person_mime(DraggedPerson("person3", "Person Number 3", None))
    enter = None
    times: list[float] = []
    for frame in range(frames):
        target = lists[(frame // 10) % len(lists)]
        viewport = target.viewport()
        point = QPoint(viewport.width() // 2, (frame * 7) % max(1, viewport.height()))
        start = time.perf_counter()
        if enter is not target:
            QApplication.sendEvent(
                viewport,
                QDragEnterEvent(
                    point,
                    Qt.DropAction.MoveAction,
                    mime,
                    Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier,
                ),
            )
            enter = target
        QApplication.sendEvent(
            viewport,
            QDragMoveEvent(
                point,
                Qt.DropAction.MoveAction,
                mime,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            ),
        )
        view.window().repaint()
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(people: int, frames: int) -> list[float]:
    view = WarRoomView(lambda: NOW)
    view.resize(1400, 900)
    view.show_detail(detail(), "amara")
    view.bench_model.set_people(bench(people))
    view.show()
    QApplication.processEvents()
    sweep(view, 30)  # warm up: fonts, styles, caches
    times = sweep(view, frames)
    view.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--frames", type=int, default=300)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    baseline = measure(0, args.frames)
    loaded = measure(args.people, args.frames)

    def line(name: str, times: list[float]) -> str:
        ordered = sorted(times)
        p99 = ordered[int(len(ordered) * 0.99) - 1]
        return (
            f"{name:<34} median {statistics.median(times):6.2f} ms   p99 {p99:6.2f} ms   "
            f"worst {max(times):6.2f} ms"
        )

    print(line("board, empty bench (baseline)", baseline))
    print(line(f"board, {args.people} people on the bench", loaded))
    ratio = statistics.median(loaded) / statistics.median(baseline)
    print(f"ratio (median)                     {ratio:.2f}")
    worst = max(loaded)
    print(f"every frame under 16 ms: {'met' if worst < 16 else 'MISSED'} (worst {worst:.2f} ms)")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
