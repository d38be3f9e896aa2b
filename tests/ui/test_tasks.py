"""Background work comes back on the GUI thread, failures as sentences."""

from __future__ import annotations

import threading

from warroom.domain.errors import WarroomError
from warroom.ui.common.tasks import TaskRunner


def test_results_come_back_on_the_gui_thread(qtbot) -> None:
    runner = TaskRunner()
    seen: list[tuple[object, bool]] = []
    worker_threads: list[str] = []

    def work() -> int:
        worker_threads.append(threading.current_thread().name)
        return 42

    runner.submit(
        work,
        on_success=lambda v: seen.append(
            (v, threading.current_thread() is threading.main_thread())
        ),
    )
    qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    assert seen == [(42, True)]
    assert worker_threads[0].startswith("warroom-db")
    runner.shutdown()


def test_failures_become_sentences_not_tracebacks(qtbot, caplog) -> None:
    runner = TaskRunner()
    with qtbot.waitSignal(runner.task_failed) as reported:
        runner.submit(lambda: 1 / 0)
    assert reported.args[0].startswith("Something went wrong (ZeroDivisionError")
    errors: list[str] = []

    def refuse() -> None:
        raise WarroomError("The schedule has a gap on Sunday.")

    runner.submit(refuse, on_failure=lambda e: errors.append(str(e)))
    qtbot.waitUntil(lambda: bool(errors), timeout=2000)
    assert errors == ["The schedule has a gap on Sunday."]
    runner.shutdown()
