"""The background engine: a local alarm clock (APScheduler) over steps whose state lives in the
database — escalations, releases at the start of support hours, acknowledgement timeouts,
the reminders that an incident drags on or that its stakeholders are due an update, and the
delivery of those updates to webhooks.

The scheduler never shares a job store. Its alarm is derived from the database: "run at the
next instant anything falls due", re-derived after every run, at start-up, and by a slow safety
timer (which also covers a suspended computer). A late run fires once, late
(``misfire_grace_time=None``, ``coalesce=True``), never skipped; every step claims what it does
in the database, so any number of engines (every desktop and ``warroom serve``) may run.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from warroom.domain.errors import WarroomError
from warroom.engine.update_delivery import deliver as deliver_updates
from warroom.services.comms.reminders import sweep as remind_updates
from warroom.services.context import ServiceContext
from warroom.services.incidents.reminders import sweep as remind
from warroom.services.paging.escalation import sweep as escalate

log = logging.getLogger(__name__)

SAFETY_SECONDS = 30


@dataclass(frozen=True)
class Step:
    """One kind of background work: ``run`` does what is due and returns its result, whose
    ``next_due`` says when it wants to run again (None: nothing pending)."""

    name: str
    run: Callable[[ServiceContext], Any]


#: What every engine runs, in this order: pages first, they wake people; webhook deliveries
#: last, as their calls may take seconds.
STEPS: tuple[Step, ...] = (
    Step("paging", escalate),
    Step("incident reminders", remind),
    Step("update reminders", remind_updates),
    Step("update deliveries", deliver_updates),
)


@dataclass
class Run:
    """What one pass did: each step's result by name (missing where the step failed)."""

    results: dict[str, Any] = field(default_factory=dict)
    next_due: datetime | None = None

    def __getitem__(self, name: str) -> Any:
        return self.results[name]

    @property
    def paging(self) -> Any:
        return self.results.get("paging")


class BackgroundEngine:
    """Runs :data:`STEPS` when they fall due; ``start`` in a desktop client or ``serve``."""

    def __init__(
        self,
        context: ServiceContext,
        steps: Sequence[Step] = STEPS,
        safety_seconds: int = SAFETY_SECONDS,
    ) -> None:
        self.context = context
        self.steps = tuple(steps)
        self.scheduler = BackgroundScheduler(
            timezone="UTC",
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self._safety = safety_seconds
        self._lock = threading.Lock()
        self.last: Run | None = None

    def start(self) -> None:
        # Two jobs that never go away (one-shot jobs are removed as they fire, and that raced
        # with shutdown): the safety run, first at once to catch up on what is overdue, and
        # the alarm, an idle daily job whose next run is moved to the next due instant.
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

    def run_once(self) -> Run:
        """Run every step now and set the alarm for the earliest next due instant. A step
        that fails (the database is away) is retried at the next run; the others still run."""
        with self._lock:
            run = Run()
            for step in self.steps:
                try:
                    result = step.run(self.context)
                except WarroomError as error:
                    log.warning("background step %s failed, will retry: %s", step.name, error)
                    continue
                run.results[step.name] = result
                due = getattr(result, "next_due", None)
                if due is not None and (run.next_due is None or due < run.next_due):
                    run.next_due = due
            self.last = run
            if run.next_due is not None:
                self._alarm(run.next_due)
            return run

    def _alarm(self, when: datetime) -> None:
        if not self.scheduler.running:
            return
        with contextlib.suppress(JobLookupError):  # shutting down
            self.scheduler.modify_job("alarm", next_run_time=when)
