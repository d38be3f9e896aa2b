"""``warroom --smoke-test``: does this installation start? Asked of a bundle, a wheel, a venv.

It runs the real app, not a stand-in: the window is built and shown (offscreen unless
``QT_QPA_PLATFORM`` says otherwise), and after its first paint the database opens on the
worker, the change feed and the background engine start and every feature makes its first
load, which imports what a bundle most easily leaves out (the SQLAlchemy dialect, Alembic's
migration scripts, APScheduler's plugins, the holiday calendars). Then it closes the window,
shuts down as on a person's close, and exits 0. Anything else is one sentence and exit 1.

The first paint's wall-clock time is printed, so a benchmark that noted the time before
starting the process can tell how long start-up took from outside
(``tests/benchmarks/bundle_startup.py``), the same way for a venv and for a bundle.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from warroom.domain.errors import WarroomError
from warroom.store.config import Settings
from warroom.ui.app import WarroomApp
from warroom.ui.common.application import create_application

#: How often the worker is looked at once the database is open, and for how long it must
#: have had nothing to do: some views ask for their first load a little after the start.
POLL_MS, QUIET_MS = 50, 300


def run_smoke_test(settings: Settings, *, timeout: float = 60.0) -> int:
    """Start, paint, open the database, load every view, shut down: 0, or a WarroomError."""
    app = create_application()
    warroom = WarroomApp(settings)
    stage = ["waiting for the window's first paint"]
    errors: list[str] = []
    done = [False]

    def finish(error: str | None = None) -> None:
        if done[0]:
            return
        done[0] = True
        banner = warroom.window.banner
        if error is None and not banner.isHidden() and banner.property("level") == "error":
            error = f"the window shows an error: {banner.message.text()}"  # a view's own failure
        if error is not None:
            errors.append(error)
        deadline.stop()
        warroom.window.close()  # as a person closes it: the window asks the app to shut down
        warroom.shutdown()
        app.quit()

    def on_first_paint() -> None:
        print(f"first paint at {time.time():.6f} (seconds since the epoch)", flush=True)
        stage[0] = "waiting for the database to open"

    def on_database_ready() -> None:
        stage[0] = "waiting for the views' first loads"
        wait_for_loads(0)

    def wait_for_loads(idle_ms: int) -> None:
        if done[0]:
            return
        if idle_ms >= QUIET_MS:
            finish()
            return
        idle_ms = 0 if warroom.tasks.pending else idle_ms + POLL_MS
        QTimer.singleShot(POLL_MS, lambda: wait_for_loads(idle_ms))

    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(lambda: finish(f"still {stage[0]} after {timeout:.0f} s"))
    warroom.window.first_painted.connect(on_first_paint)
    warroom.database_ready.connect(on_database_ready)
    warroom.database_failed.connect(lambda message: finish(f"the database failed: {message}"))
    warroom.tasks.task_failed.connect(lambda message: finish(f"a view failed: {message}"))
    deadline.start(int(timeout * 1000))
    warroom.start()
    app.exec()
    warroom.shutdown()
    if errors:
        raise WarroomError(f"The smoke test failed: {errors[0].rstrip('.')}.")
    print(
        "smoke test passed: the window painted, the database opened, the views loaded "
        "and the app shut down cleanly"
    )
    return 0
