"""Screenshots of every view of the app, for the README: one run, one PNG per view, into docs/.

    python tools/screenshots.py [--out docs] [--database URL] [--only FILE ...]

Runs the real app (offscreen unless DISPLAY is set) on a demo database it seeds in a
temporary folder (or on --database), and for each entry of SHOTS: shows the view, waits until
its data is there, sets it up as a person would (a page chosen, a runbook open, a war room
entered), waits for it to settle and grabs the window. A view that never gets its data stops
the run with its name, so a README never shows an empty screen.

Adding a view is one line in SHOTS: the file, the view's key in the sidebar, and the
functions that say when it is loaded, set it up and say when it is ready (all optional).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")

from PySide6.QtCore import QTimer

from warroom.store.config import load_settings
from warroom.ui.app import WarroomApp, create_application

Check = Callable[[WarroomApp], bool]
Setup = Callable[[WarroomApp], None]

#: How long a view is given to get its data, and to settle once it has it (late loads,
#: the renderer, a fade).
TIMEOUT_MS, SETTLE_MS, POLL_MS = 20_000, 800, 50


def _always(_app: WarroomApp) -> bool:
    return True


def _nothing(_app: WarroomApp) -> None:
    return None


@dataclass(frozen=True)
class Shot:
    file: str  # under --out
    view: str  # the feature's key in the sidebar
    loaded: Check = _always  # the view has its data: it can be set up
    setup: Setup = _nothing  # what a person would do before looking
    ready: Check = _always  # what the setup asked for is on screen


# ---------------------------------------------------------------- what each view needs


def _pages_loaded(app: WarroomApp) -> bool:
    return app.pages.view.model.rowCount() > 0


def _page_with_runbook(app: WarroomApp) -> None:
    model = app.pages.view.model
    rows = range(model.rowCount())
    app.pages.view.table.selectRow(next((n for n in rows if model.page_at(n).runbook_slug), 0))


def _page_shown(app: WarroomApp) -> bool:
    return app.pages.view.table.currentIndex().isValid()


def _incidents_loaded(app: WarroomApp) -> bool:
    return app.incidents.view.model.rowCount() > 0


def _enter_a_war_room(app: WarroomApp) -> None:
    """The first incident still being worked on, else the first."""
    model = app.incidents.view.model
    rows = [model.incident_at(n) for n in range(model.rowCount())]
    active = [row for row in rows if row.status not in ("resolved", "closed")]
    app.incidents.open_incident((active or rows)[0].id)


def _in_war_room(app: WarroomApp) -> bool:
    return app.incidents.detail is not None and app.incidents.view.in_war_room()


def _incident_list(app: WarroomApp) -> None:
    app.incidents.view.show_list()


def _failover_runbook(app: WarroomApp) -> None:
    app.runbooks.show_runbook("database-failover")


def _runbooks_loaded(app: WarroomApp) -> bool:
    return bool(app.runbooks.view.summaries)


def _scribe_typing(app: WarroomApp) -> None:
    """The war room of the incident being worked on, the scribe half way through a line."""
    _enter_a_war_room(app)
    panel = app.transcript.view
    panel.set_speaker("hana")
    panel.editor.setPlainText("Cache purge finished in all eu-west PoPs; zero-result rate at 0.4")
    panel.editor.setFocus()


def _transcript_shown(app: WarroomApp) -> bool:
    return _in_war_room(app) and app.transcript.view.model.rowCount() > 0


SHOTS = (
    Shot("activity.png", "activity", lambda app: app.activity.model.rowCount() > 0),
    Shot("roster.png", "roster", lambda app: app.roster.snapshot is not None),
    Shot("pages.png", "pages", _pages_loaded, _page_with_runbook, _page_shown),
    Shot("incidents.png", "incidents", _incidents_loaded, _incident_list),
    Shot("war-room.png", "incidents", _incidents_loaded, _enter_a_war_room, _in_war_room),
    Shot("runbooks.png", "runbooks", _runbooks_loaded, _failover_runbook),
    Shot("escalations.png", "reports", lambda app: app.reports.view.model.rowCount() > 0),
    Shot("transcript.png", "incidents", _incidents_loaded, _scribe_typing, _transcript_shown),
)


def seed_demo(folder: Path) -> str:
    url = f"sqlite:///{folder / 'demo.db'}"
    subprocess.run(
        [sys.executable, "-m", "warroom", "demo", "--no-gui", "--database", url],
        check=True,
        capture_output=True,
    )
    return url


def take(shots: list[Shot], database: str, out: Path, size: tuple[int, int]) -> int:
    app = create_application()
    warroom = WarroomApp(load_settings(database))
    warroom.window.resize(*size)
    queue, failed = list(shots), []

    def wait(check: Check, then: Callable[[], None], shot: Shot, waited: int = 0) -> None:
        if check(warroom):
            then()
        elif waited >= TIMEOUT_MS:
            failed.append(f"{shot.file}: the {shot.view} view was not ready in {TIMEOUT_MS} ms")
            app.quit()
        else:
            QTimer.singleShot(POLL_MS, lambda: wait(check, then, shot, waited + POLL_MS))

    def next_shot() -> None:
        if not queue:
            app.quit()
            return
        shot = queue.pop(0)
        warroom.window.show_view(shot.view)
        wait(shot.loaded, lambda: set_up(shot), shot)

    def set_up(shot: Shot) -> None:
        shot.setup(warroom)
        wait(shot.ready, lambda: QTimer.singleShot(SETTLE_MS, lambda: grab(shot)), shot)

    def grab(shot: Shot) -> None:
        path = out / shot.file
        if not warroom.window.grab().save(str(path)):
            failed.append(f"{shot.file}: could not write {path}")
            app.quit()
            return
        print(f"saved {path}")
        next_shot()

    warroom.database_ready.connect(next_shot)
    warroom.database_failed.connect(lambda message: (failed.append(message), app.quit()))
    warroom.start()
    app.exec()
    warroom.window.close()
    warroom.shutdown()
    for problem in failed:
        print(f"screenshots: {problem}", file=sys.stderr)
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs")
    parser.add_argument("--database", help="default: a demo database seeded for this run")
    parser.add_argument("--only", nargs="+", metavar="FILE", help="just these, e.g. roster.png")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    args = parser.parse_args()
    shots = [shot for shot in SHOTS if not args.only or shot.file in args.only]
    if not shots:
        parser.error(f"no such screenshot; they are: {', '.join(s.file for s in SHOTS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("WARROOM_CONFIG_DIR", str(Path(tmp) / "config"))
        os.environ.setdefault("WARROOM_DATA_DIR", str(Path(tmp) / "data"))
        os.environ.setdefault("WARROOM_USER", "amara")  # a person of the demo, not your login
        database = args.database or seed_demo(Path(tmp))
        return take(shots, database, args.out, (args.width, args.height))


if __name__ == "__main__":
    sys.exit(main())
