"""Running service calls off the GUI thread and coming back with the result.

One single-worker executor serialises everything that touches the database (like Anki's
collection executor): calls run in the order they were asked, and never two at once on one
SQLite file from this process. Results and failures come back as a queued Qt signal, so the
callbacks always run on the GUI thread.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from warroom.domain.errors import WarroomError

log = logging.getLogger(__name__)

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[WarroomError], None]


class TaskRunner(QObject):
    """Runs callables on one worker thread; callbacks run on the GUI thread.

    Signals:
        task_failed(str): a task failed and had no failure callback; the message is for a
            person (the main window shows it in its banner).
    """

    task_failed = Signal(str)
    _finished = Signal(object, object)  # callback, value

    def __init__(self, name: str = "warroom-db", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._finished.connect(self._on_self_finished)
        self._closed = False
        self.pending = 0

    def submit(
        self,
        fn: Callable[[], Any],
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
    ) -> Future[Any]:
        if self._closed:
            raise RuntimeError("the task runner is shut down")
        self.pending += 1

        def job() -> Any:
            try:
                value = fn()
            except WarroomError as error:
                self._finished.emit(on_failure or self._report, error)
                return None
            except Exception as error:  # a bug: keep the traceback in the log, not on screen
                log.error("background task failed:\n%s", traceback.format_exc())
                wrapped = WarroomError(f"Something went wrong ({type(error).__name__}: {error}).")
                self._finished.emit(on_failure or self._report, wrapped)
                return None
            self._finished.emit(on_success, value)
            return value

        return self._executor.submit(job)

    def _report(self, error: WarroomError) -> None:
        self.task_failed.emit(str(error))

    @Slot(object, object)
    def _on_self_finished(self, callback: Any, value: Any) -> None:
        self.pending -= 1
        if self._closed or callback is None:
            return
        callback(value)

    def shutdown(self) -> None:
        """Wait for the running task, drop the queued ones, ignore their callbacks."""
        self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)
