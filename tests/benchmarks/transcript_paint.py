"""The transcript panel with 100,000 entries: first paint, and a keystroke in the scribe's line.

    .venv/bin/python tests/benchmarks/transcript_paint.py [--entries 100000] [--keys 200]
    .venv/bin/python tests/benchmarks/transcript_paint.py --database   # + the load on SQLite

First paint: the timeline handed to the panel (``show_timeline``, what the controller does
when the worker's load comes back, its items already put in order there) until the panel
has painted on screen, synchronously.
Keystroke: one key clicked into the line until the line has repainted, with the timeline
shown beside it. The baseline for both is the same panel holding 100 entries, in the same
run. Targets: first paint ≤ 300 ms, keystroke ≤ 16 ms.

``--database`` also seeds an incident with that many entries in a SQLite file and times the
worker's part (``services.transcript.reading.load`` and building the rows), which runs off
the GUI thread while the window stays responsive: the newest entries, which a war room
paints first, and then all of them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from warroom.services.transcript.rows import EntryRow
from warroom.ui.transcript.controller import FIRST_ENTRIES
from warroom.ui.transcript.items import Item, entry_item, order
from warroom.ui.transcript.panel import Person, TranscriptPanel

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
KINDS = ("said", "did", "decided", "action", "felt", "note")
PEOPLE = [Person(f"p{n}", f"Person {n}", 0 if n < 6 else 1, None) for n in range(12)]
WORDS = (
    "Gateway logs show handshake failures to the payment provider only; the other provider is "
    "fine and the switch is holding"
)


def entries(count: int) -> list[Item]:
    return [
        entry_item(
            EntryRow(
                n,
                1,
                f"uuid-{n:08d}",
                KINDS[n % 6],
                f"{n} {WORDS[: 40 + n % 80]}",
                f"p{n % 12}",
                "p3",
                NOW + timedelta(seconds=n),
                NOW + timedelta(seconds=n),
                False,
                1,
                None,
                None,
                None,
                None,
                None,
            )
        )
        for n in range(1, count + 1)
    ]


def first_paint(items: list[Item]) -> tuple[float, TranscriptPanel]:
    ordered = order(items)  # on the worker, as the controller does
    panel = TranscriptPanel(lambda: NOW + timedelta(days=2), "p3")
    panel.resize(1100, 700)
    panel.show()
    QApplication.processEvents()
    started = time.perf_counter()
    panel.show_timeline("INC-1", NOW, ordered, PEOPLE)
    panel.repaint()  # synchronously: layout and paint of everything on screen
    return (time.perf_counter() - started) * 1000, panel


def keystrokes(panel: TranscriptPanel, keys: int) -> list[float]:
    editor = panel.editor
    editor.setFocus()
    timings = []
    for n in range(keys):
        started = time.perf_counter()
        QTest.keyClick(editor, "abcdefghij"[n % 10])
        editor.viewport().repaint()
        panel.state.repaint()  # the line's clock (first keystroke, T+) beside it
        timings.append((time.perf_counter() - started) * 1000)
        if n % 60 == 59:
            editor.take()
    return timings


def p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99) - 1]


def database_load(count: int) -> None:
    from sqlalchemy import insert
    from sqlalchemy.engine import make_url

    from warroom.domain.clock import FakeClock
    from warroom.services.context import ServiceContext
    from warroom.services.demo import seed_demo
    from warroom.services.incidents import lifecycle
    from warroom.services.transcript.reading import load
    from warroom.store.database import Database
    from warroom.store.models import TranscriptEntry
    from warroom.store.schema import upgrade

    folder = Path(tempfile.mkdtemp(prefix="warroom-bench-"))
    database = Database(make_url(f"sqlite:///{folder / 'bench.db'}"))
    upgrade(database)
    context = ServiceContext(database, "amara", FakeClock(NOW))
    seed_demo(context)
    incident = lifecycle.declare(context, title="Long bridge", severity="SEV1").id
    with database.transaction() as session:
        session.execute(
            insert(TranscriptEntry),
            [
                {
                    "incident_id": incident,
                    "client_uuid": f"bench-{n:08d}",
                    "kind": KINDS[n % 6],
                    "body": f"{n} {WORDS[: 40 + n % 80]}",
                    "author": "amara",
                    "occurred_at": NOW + timedelta(seconds=n),
                    "recorded_at": NOW + timedelta(seconds=n),
                    "deleted": False,
                    "version": 1,
                }
                for n in range(count)
            ],
        )
    small = lifecycle.declare(context, title="Short bridge", severity="SEV3").id
    runs = {}
    for name, which in (("100 entries", small), (f"{count:,} entries", incident)):
        if which == small:
            with database.transaction() as session:
                session.execute(
                    insert(TranscriptEntry),
                    [
                        {
                            "incident_id": small,
                            "client_uuid": f"small-{n:04d}",
                            "kind": "said",
                            "body": WORDS,
                            "author": "amara",
                            "occurred_at": NOW + timedelta(seconds=n),
                            "recorded_at": NOW,
                            "deleted": False,
                            "version": 1,
                        }
                        for n in range(100)
                    ],
                )
        started = time.perf_counter()
        data = load(context, which)
        order([entry_item(row) for row in data.entries])
        runs[name] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    data = load(context, incident, FIRST_ENTRIES)
    order([entry_item(row) for row in data.entries])
    newest = (time.perf_counter() - started) * 1000
    base = runs["100 entries"]
    for name, ms in runs.items():
        print(f"worker's load, all of {name} (SQLite): {ms:8.1f} ms  ({ms / base:6.1f}x the 100)")
    print(
        f"worker's load, the newest {FIRST_ENTRIES} of {count:,} (SQLite), painted first: "
        f"{newest:6.1f} ms  ({newest / base:.1f}x the 100)"
    )
    database.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--database", action="store_true", help="also time the load on SQLite")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    small_items, big_items = entries(100), entries(args.entries)
    first_paint(entries(100))[1].close()  # warm up fonts and styles
    small_ms, small_panel = first_paint(small_items)
    big_ms, big_panel = first_paint(big_items)
    print(f"first paint, 100 entries:       {small_ms:7.1f} ms  (baseline)")
    print(
        f"first paint, {args.entries:,} entries: {big_ms:7.1f} ms  "
        f"({big_ms / small_ms:.2f}x the baseline; target ≤ 300 ms)"
    )
    small_keys = keystrokes(small_panel, args.keys)
    big_keys = keystrokes(big_panel, args.keys)
    print(
        f"keystroke, 100 entries shown:   median {statistics.median(small_keys):5.2f} ms, "
        f"p99 {p99(small_keys):5.2f} ms  (baseline)"
    )
    print(
        f"keystroke, {args.entries:,} shown: median {statistics.median(big_keys):5.2f} ms, "
        f"p99 {p99(big_keys):5.2f} ms  "
        f"({statistics.median(big_keys) / statistics.median(small_keys):.2f}x the baseline; "
        "target ≤ 16 ms)"
    )
    small_panel.close()
    big_panel.close()
    if args.database:
        database_load(args.entries)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
