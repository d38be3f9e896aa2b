"""The escalation engine: a local alarm clock (APScheduler) over state kept in the database.

The scheduler never shares a job store. Its one job is derived from the database: "sweep at
the next due instant" (``next_escalation_at``, ``deferred_until``), re-derived after every
sweep, at start-up, and by a slow safety timer (which also covers a suspended computer). A
late job fires once, late (``misfire_grace_time=None``, ``coalesce=True``), never skipped; the
sweep claims each step in the database, so any number of engines may run.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from warroom.domain.errors import WarroomError
from warroom.services.context import ServiceContext
from warroom.services.paging.escalation import SweepResult, sweep

log = logging.getLogger(__name__)

SAFETY_SECONDS = 30


class EscalationEngine:
    def __init__(self, context: ServiceContext, safety_seconds: int = SAFETY_SECONDS) -> None:
        self.context = context
        self.scheduler = BackgroundScheduler(
            timezone="UTC",
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self._safety = safety_seconds
        self._lock = threading.Lock()
        self.last: SweepResult | None = None

    def start(self) -> None:
        # Two jobs that never go away (one-shot jobs are removed as they fire, and that raced
        # with shutdown): the safety sweep, first run at once to catch up on what is overdue,
        # and the alarm, an idle daily job whose next run is moved to the next due step.
        now = datetime.now(UTC)
        self.scheduler.add_job(
            self.run_once, "interval", seconds=self._safety, id="safety", next_run_time=now
        )
        self.scheduler.add_job(
            self.run_once, "interval", days=1, id="alarm", next_run_time=now + timedelta(days=1)
        )
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)

    def run_once(self) -> SweepResult | None:
        """Sweep now and set the alarm for the next due step."""
        with self._lock:
            try:
                result = sweep(self.context)
            except WarroomError as error:
                log.warning("escalation sweep failed, will retry: %s", error)
                return None
            self.last = result
            if result.next_due is not None:
                self._alarm(result.next_due)
            return result

    def _alarm(self, when: datetime) -> None:
        if not self.scheduler.running:
            return
        with contextlib.suppress(JobLookupError):  # shutting down
            self.scheduler.modify_job("alarm", next_run_time=when)
