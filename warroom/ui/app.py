"""The composition root: builds every part of the desktop app, wires it, and tears it down.

Order matters and is kept in one place (as qutebrowser's ``_init_modules``): the window shows
first, so start-up never waits on the database; the database is opened on the worker; only
then does the change feed start and the views fill.

The database layers (SQLAlchemy, Alembic, psycopg) are imported on the worker, inside the
functions that need them: importing them takes longer than showing the window, and a person
who starts the app should see it at once.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QWidget

from warroom.domain.clock import Clock, SystemClock
from warroom.domain.errors import WarroomError
from warroom.domain.events import Cursor, FeedEvent
from warroom.engine.ack_queue import AckQueue
from warroom.store.config import PasswordRequiredError, Settings, data_dir
from warroom.ui.activity.model import ActivityModel
from warroom.ui.activity.view import ActivityView
from warroom.ui.feed_bridge import FeedBridge
from warroom.ui.main_window import MainWindow
from warroom.ui.notifications import Channel, PageNotifier
from warroom.ui.pages.view import PagesView
from warroom.ui.reports.view import ReportsView
from warroom.ui.roster.override_dialog import OverrideDialog, OverrideRequest
from warroom.ui.roster.view import RosterView
from warroom.ui.runbooks.view import RunbooksView
from warroom.ui.tasks import TaskRunner
from warroom.ui.tray import TrayController
from warroom.ui.widgets.banner import BannerLevel

if TYPE_CHECKING:
    from warroom.services.context import ServiceContext
    from warroom.services.pages_view import PageRow
    from warroom.services.roster_view import RosterSnapshot
    from warroom.services.runbooks import RunbookDetail
    from warroom.store.database import Database

#: Feed topics after which the roster view reloads (debounced).
ROSTER_TOPICS = ("person.", "team.", "schedule.", "roster.", "demo.", "service.")
#: How long before a shift its person is told.
HANDOFF_NOTICE = timedelta(minutes=15)


class PasswordDialog:
    """Asks for a database password for this session only (tests monkeypatch ``ask``)."""

    @classmethod
    def ask(cls, parent: QWidget, reason: str) -> str | None:
        text, accepted = QInputDialog.getText(
            parent,
            "PostgreSQL password",
            f"{reason}\n\nPassword for this session:",
            QLineEdit.EchoMode.Password,
        )
        return text if accepted and text else None


def open_database(settings: Settings) -> Database:
    from warroom.store.connect import open_database as open_configured

    return open_configured(settings)


def _open_and_check(settings: Settings) -> Database:
    """Runs on the worker: connect, then make sure the schema is one this build can use."""
    from warroom.store.schema import ensure_schema

    database = open_database(settings)
    try:
        ensure_schema(database)
    except BaseException:
        database.dispose()
        raise
    return database


class WarroomApp(QObject):
    """The running desktop app.

    Signals:
        database_ready(): the database is open and the change feed is starting.
        database_failed(str): the database could not be opened; the sentence is in the banner.
        roster_loaded(): a fresh roster snapshot is on screen.
        page_notified(int): the user was notified of a page (its id).
        page_acknowledged(int): the user's acknowledgement was committed.
        ack_queued(int): the database was unreachable; the acknowledgement waits on disk.
        acks_flushed(list): queued acknowledgements reached the database.
        runbooks_loaded(): the runbook library (and its search index) is on screen.
        runbook_shown(str): a runbook (slug) is shown in a reader, with fresh ticks.
        override_saved(): an override asked for in the dialog was saved.
        handoff_notified(str): the user was told they go on call soon (schedule slug).
    """

    database_ready = Signal()
    database_failed = Signal(str)
    roster_loaded = Signal()
    page_notified = Signal(int)
    report_loaded = Signal()
    page_acknowledged = Signal(int)
    ack_queued = Signal(int)
    acks_flushed = Signal(list)
    runbooks_loaded = Signal()
    runbook_shown = Signal(str)
    override_saved = Signal()
    handoff_notified = Signal(str)

    def __init__(
        self,
        settings: Settings,
        clock: Clock | None = None,
        *,
        feed_poll: float = 2.0,
        in_tray: bool = False,
        run_engine: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.clock = clock or SystemClock()
        self.database: Database | None = None
        self.context: ServiceContext | None = None
        self._feed_poll = feed_poll
        self._feed_banner = False
        self._shut_down = False

        self.tasks = TaskRunner(parent=self)
        self.feed = FeedBridge(self)
        self.activity_model = ActivityModel(clock=self.clock.now, parent=self)
        self.roster_view = RosterView(self.clock.now)
        self.pages_view = PagesView(self.clock.now)
        self.runbooks_view = RunbooksView()
        self.reports_view = ReportsView()
        self.window = MainWindow()
        self.window.add_view("activity", "Activity", ActivityView(self.activity_model))
        self.window.add_view("roster", "Roster", self.roster_view)
        self.window.add_view("pages", "Pages", self.pages_view)
        self.window.add_view("runbooks", "Runbooks", self.runbooks_view)
        self.window.add_view("reports", "Escalations", self.reports_view)
        self.notified_handoffs: set[tuple[str, datetime]] = set()
        self.in_tray = in_tray
        self.run_engine = run_engine
        self.engine: Any = None
        self.tray = TrayController(self)
        self.notifier = PageNotifier(self.tray.icon, self)
        self.ack_queue = AckQueue(data_dir() / "pending-acknowledgements.json")
        self._banner_page: int | None = None
        self._live_since: datetime | None = None
        self._ack_retry = QTimer(self)
        self._ack_retry.setInterval(10_000)
        self._roster_reload = QTimer(self)
        self._roster_reload.setSingleShot(True)
        self._roster_reload.setInterval(250)
        self._clock_tick = QTimer(self)
        self._clock_tick.setInterval(30_000)
        self.window.database_label.setText(f"  {settings.display_url}")
        self.window.user_label.setText(f"signed in as {settings.user}  ")
        self._connect_signals()

    def _connect_signals(self) -> None:
        # the window
        self.window.closing.connect(self.shutdown)
        self.window.banner.action_requested.connect(self._on_banner_action_requested)
        # background work
        self.tasks.task_failed.connect(self._on_tasks_task_failed)
        # the change feed
        self.feed.events_arrived.connect(self._on_feed_events_arrived)
        self.feed.connection_changed.connect(self._on_feed_connection_changed)
        # activity history
        self.activity_model.history_requested.connect(self._on_activity_history_requested)
        # the roster
        self._roster_reload.timeout.connect(self.reload_roster)
        self._clock_tick.timeout.connect(self._on_clock_tick_timeout)
        self.roster_view.override_requested.connect(self._on_roster_view_override_requested)
        # paging: notifications, the tray, acknowledgements kept while offline
        self.notifier.acknowledge_requested.connect(self.acknowledge_page)
        self.notifier.open_requested.connect(self.open_page)
        self.notifier.banner_requested.connect(self._on_notifier_banner_requested)
        self.tray.acknowledge_requested.connect(self.acknowledge_page)
        self.tray.resolve_requested.connect(self._on_tray_resolve_requested)
        self.tray.escalate_requested.connect(self._on_tray_escalate_requested)
        self.tray.open_requested.connect(self.open_page)
        self.tray.open_runbook_requested.connect(self.open_page)
        self.tray.show_window_requested.connect(self._on_tray_show_window_requested)
        self.tray.quit_requested.connect(self._on_tray_quit_requested)
        self._ack_retry.timeout.connect(self.flush_pending_acks)
        self.reports_view.days_changed.connect(self._on_reports_view_days_changed)
        # pages and runbooks
        self.pages_view.page_chosen.connect(self._on_pages_view_page_chosen)
        self.pages_view.reader.step_toggled.connect(self._on_pages_reader_step_toggled)
        self.runbooks_view.runbook_chosen.connect(self._on_runbooks_view_runbook_chosen)
        self.runbooks_view.context_changed.connect(self._on_runbooks_view_context_changed)
        self.runbooks_view.reader.step_toggled.connect(self._on_runbooks_reader_step_toggled)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self.in_tray and self.tray.available:
            self.tray.show()
        else:
            self.window.show()
            if self.tray.available:
                self.tray.show()
        # Let the window paint before the worker starts importing and connecting: both want
        # the interpreter, and a person should see the window first.
        QTimer.singleShot(0, self, lambda: self._open_database(self.settings))

    def _open_database(self, settings: Settings) -> None:
        if self._shut_down:  # closed before the deferred start ran
            return
        self.window.banner.show_message(f"Connecting to {settings.display_url}…", BannerLevel.INFO)
        self.tasks.submit(
            lambda: _open_and_check(settings),
            on_success=self._on_database_opened,
            on_failure=self._on_database_open_failed,
        )

    def _on_database_opened(self, database: Database) -> None:
        from warroom.services.context import ServiceContext
        from warroom.services.people import list_people

        self.database = database
        self.context = ServiceContext(database, self.settings.user, self.clock)
        self.window.banner.clear()
        self.feed.start(database, slow_poll=self._feed_poll)
        self.reload_roster()
        self.reload_pages()
        self.reload_runbooks()
        self._clock_tick.start()
        self._live_since = self.clock.now()
        self._start_paging()
        context = self.context
        self.tasks.submit(
            lambda: {p.handle: p.name for p in list_people(context)},
            on_success=self.activity_model.set_display_names,
        )
        self.database_ready.emit()

    def _on_database_open_failed(self, error: WarroomError) -> None:
        if isinstance(error, PasswordRequiredError):
            password = PasswordDialog.ask(self.window, str(error))
            if password:
                url = self.settings.url.set(password=password)
                with_password = replace(
                    self.settings, database_url=url.render_as_string(hide_password=False)
                )
                self._open_database(with_password)
                return
        self.window.set_feed_state(False)
        self.window.banner.show_message(str(error), BannerLevel.ERROR, action="Retry")
        self.database_failed.emit(str(error))

    def _on_banner_action_requested(self) -> None:
        if self.database is None:
            self._open_database(self.settings)
        elif self._banner_page is not None:
            page_id, self._banner_page = self._banner_page, None
            self.acknowledge_page(page_id)

    def shutdown(self) -> None:
        """Stop the feed thread and the worker, then close the database. Safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        self._clock_tick.stop()
        self._ack_retry.stop()
        self.notifier.stop()
        self.tray.hide()
        if self.engine is not None:
            self.engine.stop()
        self._roster_reload.stop()
        self.feed.stop()
        self.tasks.shutdown()
        if self.database is not None:
            self.database.dispose()

    # ------------------------------------------------------------------ slots

    def _on_feed_events_arrived(self, events: list[FeedEvent]) -> None:
        self.activity_model.add_live(events)
        if any(event.topic.startswith(ROSTER_TOPICS) for event in events):
            self._roster_reload.start()
        self._page_events(events)
        topics = {event.topic for event in events}
        if any(t.startswith(("page.", "demo.", "incident.")) for t in topics):
            self.reload_pages()
        if topics & {"runbook.imported", "demo.seeded"}:
            self.reload_runbooks()
        ticked = {
            str(e.payload.get("slug"))
            for e in events
            if e.topic in ("runbook.step_ticked", "runbook.step_unticked")
        }
        for reader_slug in ticked:
            self._refresh_readers(reader_slug)

    # ------------------------------------------------------------------ paging

    def _start_paging(self) -> None:
        from warroom.engine.escalation import EscalationEngine

        self.window.paging_label.setText("Pages: looking for a notification server…  ")
        self.notifier.channel_chosen.connect(self._on_notifier_channel_chosen)
        self.notifier.start()
        if self.run_engine and self.context is not None:
            self.engine = EscalationEngine(self.context)
            self.engine.start()
        self.reload_my_pages()
        self.reload_report()
        self._ack_retry.start()
        self.flush_pending_acks()

    @Slot(str)
    def _on_notifier_channel_chosen(self, channel: str) -> None:
        why = f" — {self.notifier.why}" if channel != Channel.DESKTOP.value else ""
        self.window.paging_label.setText(f"Pages: {channel}{why}  ")
        if self.in_tray and not self.tray.available:
            self.window.show()
            self.window.banner.show_message(
                "This desktop has no system tray, so warroom stays in a window; pages will "
                f"show in {channel}.",
                BannerLevel.WARNING,
            )

    def _page_events(self, events: list[FeedEvent]) -> None:
        me = self.settings.user
        mine = False
        for event in events:
            if not event.topic.startswith("page."):
                continue
            page_id = int(event.payload.get("page_id", event.entity_id))
            # a page's people are told by page.notified, an escalation's by page.escalated
            told = event.topic in ("page.notified", "page.escalated")
            if told and me in event.payload.get("handles", []):
                mine = True
                fresh = self._live_since is not None and event.at >= self._live_since - timedelta(
                    seconds=30
                )
                if fresh:
                    urgent = event.payload.get("urgency") == "high"
                    level = event.payload.get("level", 1)
                    title = f"Page #{page_id}" + (
                        f" — escalated to you (level {level})" if level and int(level) > 1 else ""
                    )
                    self.notifier.notify_page(
                        page_id, title, str(event.payload.get("summary", "")), urgent=urgent
                    )
                    self.page_notified.emit(page_id)
            elif event.topic in ("page.acknowledged", "page.resolved"):
                self.notifier.withdraw(page_id)
                if self._banner_page == page_id:
                    self._banner_page = None
                    self.window.banner.clear()
                mine = True
            elif event.topic in ("page.escalated", "page.reopened", "page.released"):
                mine = True
        if mine:
            self.reload_my_pages()

    def reload_my_pages(self) -> None:
        from warroom.services.paging.queries import my_open_pages

        context = self.context
        if context is None or self._shut_down:
            return
        user = self.settings.user
        self.tasks.submit(lambda: my_open_pages(context, user), on_success=self._on_my_pages_loaded)

    def _on_my_pages_loaded(self, pages: list[Any]) -> None:
        snapshot = self.roster_view.snapshot
        on_call = bool(
            snapshot
            and any(r.handle == self.settings.user and r.on_call_now for r in snapshot.people)
        )
        self.tray.set_pages(pages, on_call)

    def reload_report(self) -> None:
        from warroom.services.metrics import escalation_report

        context = self.context
        if context is None or self._shut_down:
            return
        days = self.reports_view.selected_days()
        self.tasks.submit(
            lambda: escalation_report(context, days), on_success=self._on_report_loaded
        )

    def _on_report_loaded(self, report: Any) -> None:
        self.reports_view.set_report(report)
        self.report_loaded.emit()

    def _on_reports_view_days_changed(self, _days: int) -> None:
        self.reload_report()

    def _on_notifier_banner_requested(self, page_id: int, text: str) -> None:
        self._banner_page = page_id
        self.window.banner.show_message(text, BannerLevel.ERROR, action="Acknowledge")

    def acknowledge_page(self, page_id: int) -> None:
        from warroom.services.paging import responses
        from warroom.store.database import DatabaseUnavailableError

        context = self.context
        user = self.settings.user
        if context is None:
            self._queue_ack(page_id)
            return

        def failed(error: WarroomError) -> None:
            if isinstance(error, DatabaseUnavailableError):
                self._queue_ack(page_id)
            else:
                self.window.banner.show_message(str(error), BannerLevel.ERROR)

        self.tasks.submit(
            lambda: responses.acknowledge(context, page_id, user),
            on_success=lambda _done: self.page_acknowledged.emit(page_id),
            on_failure=failed,
        )

    def _queue_ack(self, page_id: int) -> None:
        self.ack_queue.add(page_id, self.settings.user, self.clock.now().isoformat())
        self.window.banner.show_message(
            f"Acknowledgement of page #{page_id} is saved on this computer and pending: the "
            "database cannot be reached. It will be sent as soon as it can.",
            BannerLevel.WARNING,
        )
        self.ack_queued.emit(page_id)

    def flush_pending_acks(self) -> None:
        context = self.context
        if context is None or self._shut_down:
            return  # the queue file is read on the worker, never here
        queue = self.ack_queue

        def sent(done: list[int]) -> None:
            if done:
                self.window.banner.show_message(
                    "Pending acknowledgements sent: " + ", ".join(f"#{p}" for p in done) + ".",
                    BannerLevel.INFO,
                )
                self.acks_flushed.emit(done)

        self.tasks.submit(
            lambda: queue.flush(context), on_success=sent, on_failure=lambda _error: None
        )

    def _on_tray_resolve_requested(self, page_id: int) -> None:
        from warroom.services.paging.responses import resolve

        context, user = self.context, self.settings.user
        if context is not None:
            self.tasks.submit(lambda: resolve(context, page_id, user))

    def _on_tray_escalate_requested(self, page_id: int) -> None:
        from warroom.services.paging.responses import escalate

        context, user = self.context, self.settings.user
        if context is not None:
            self.tasks.submit(lambda: escalate(context, page_id, handle=user))

    def open_page(self, page_id: int) -> None:
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        self.window.show_view("pages")
        self.pages_view.open_page(page_id)

    def _on_tray_show_window_requested(self) -> None:
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def _on_tray_quit_requested(self) -> None:
        self.window.close()
        self.shutdown()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    # ------------------------------------------------------------------ pages and runbooks

    def reload_pages(self) -> None:
        from warroom.services.pages_view import open_incidents, recent_pages

        context = self.context
        if context is None or self._shut_down:
            return
        self.tasks.submit(lambda: recent_pages(context), on_success=self.pages_view.set_pages)
        self.tasks.submit(
            lambda: open_incidents(context), on_success=self.runbooks_view.set_incidents
        )

    def reload_runbooks(self) -> None:
        from warroom.domain.runbook_search import RunbookIndex
        from warroom.services.runbooks import list_runbooks, searchable_library

        context = self.context
        if context is None or self._shut_down:
            return

        def load() -> tuple[list[object], RunbookIndex]:
            return list(list_runbooks(context)), RunbookIndex(searchable_library(context))

        def loaded(result: tuple[list[object], RunbookIndex]) -> None:
            summaries, index = result
            self.runbooks_view.set_library(summaries, index)  # type: ignore[arg-type]
            self.runbooks_loaded.emit()

        self.tasks.submit(load, on_success=loaded)

    def _load_runbook(
        self, slug: str, *, page_id: int | None, incident_id: int | None, show: object
    ) -> None:
        from warroom.services.runbooks import get_runbook

        context = self.context
        if context is None:
            return
        self.tasks.submit(
            lambda: get_runbook(context, slug, page_id=page_id, incident_id=incident_id),
            on_success=show,  # type: ignore[arg-type]
        )

    def _on_pages_view_page_chosen(self, page: PageRow) -> None:
        reader = self.pages_view.reader
        if page.runbook_slug is None:
            reader.show_runbook(None)
            return

        def show(detail: RunbookDetail) -> None:
            if self.pages_view.current is not None and self.pages_view.current.id == page.id:
                reader.show_runbook(detail, f"page #{page.id}")
                self.runbook_shown.emit(detail.summary.slug)

        self._load_runbook(page.runbook_slug, page_id=page.id, incident_id=None, show=show)

    def _show_library_runbook(self) -> None:
        slug = self.runbooks_view.selected_slug()
        if slug is None:
            return
        incident = self.runbooks_view.incident_id()

        def show(detail: RunbookDetail) -> None:
            if self.runbooks_view.selected_slug() == detail.summary.slug:
                label = self.runbooks_view.context.currentText() if incident else None
                self.runbooks_view.reader.show_runbook(detail, label)
                self.runbook_shown.emit(detail.summary.slug)

        self._load_runbook(slug, page_id=None, incident_id=incident, show=show)

    def _on_runbooks_view_runbook_chosen(self, _slug: str) -> None:
        self._show_library_runbook()

    def _on_runbooks_view_context_changed(self) -> None:
        self._show_library_runbook()

    def _refresh_readers(self, slug: str) -> None:
        page = self.pages_view.current
        if page is not None and page.runbook_slug == slug:
            self._on_pages_view_page_chosen(page)
        if self.runbooks_view.selected_slug() == slug:
            self._show_library_runbook()

    def _tick(
        self, slug: str, key: str, done: bool, *, page_id: int | None, incident_id: int | None
    ) -> None:
        from warroom.services.runbooks import set_step

        context = self.context
        if context is None:
            return
        self.tasks.submit(
            lambda: set_step(context, slug, key, done, page_id=page_id, incident_id=incident_id)
        )

    def _on_pages_reader_step_toggled(self, key: str, done: bool) -> None:
        page = self.pages_view.current
        if page is not None and page.runbook_slug:
            self._tick(page.runbook_slug, key, done, page_id=page.id, incident_id=None)

    def _on_runbooks_reader_step_toggled(self, key: str, done: bool) -> None:
        slug = self.runbooks_view.selected_slug()
        incident = self.runbooks_view.incident_id()
        if slug is None:
            return
        if incident is None:
            self.window.banner.show_message(
                'Choose the incident you are working on ("Progress for") to tick steps, '
                "or open the page from the Pages list.",
                BannerLevel.INFO,
            )
            return
        self._tick(slug, key, done, page_id=None, incident_id=incident)

    # ------------------------------------------------------------------ roster

    def reload_roster(self) -> None:
        from warroom.services.roster_view import roster_snapshot

        context = self.context
        if context is None or self._shut_down:
            return
        self.tasks.submit(lambda: roster_snapshot(context), on_success=self._on_roster_loaded)

    def _on_roster_loaded(self, snapshot: RosterSnapshot) -> None:
        self.roster_view.set_snapshot(snapshot)
        self.roster_loaded.emit()
        self.check_handoffs()

    def _on_clock_tick_timeout(self) -> None:
        self.roster_view.refresh()
        self.check_handoffs()

    def check_handoffs(self) -> None:
        """Tell the user shortly before they go on call (a window message until the desktop
        notifier exists)."""
        from warroom.services.roster_view import upcoming_handoffs

        snapshot = self.roster_view.snapshot
        if snapshot is None:
            return
        now = self.clock.now()
        for info, shift in upcoming_handoffs(
            snapshot.schedules, self.settings.user, now, HANDOFF_NOTICE
        ):
            key = (info.slug, shift.start)
            if key in self.notified_handoffs:
                continue
            self.notified_handoffs.add(key)
            minutes = max(1, round((shift.start - now).total_seconds() / 60))
            self.window.banner.show_message(
                f"You go on call for {info.name} at {shift.start.astimezone():%H:%M} "
                f"(in {minutes} min), until {shift.end.astimezone():%a %H:%M}.",
                BannerLevel.INFO,
            )
            self.handoff_notified.emit(info.slug)

    def _on_roster_view_override_requested(self) -> None:
        snapshot = self.roster_view.snapshot
        shift = self.roster_view.pending_shift
        if snapshot is None or shift is None or self.context is None:
            return
        people = [(row.handle, row.name) for row in snapshot.people]
        me = self.settings.user if self.settings.user in snapshot.names else None
        request = OverrideDialog.ask(
            self.window,
            schedules=list(snapshot.schedules),
            people=people,
            schedule=self.roster_view.selected_schedule(),
            person=me,
            starts_at=max(shift.start, self.clock.now()),
            ends_at=shift.end,
            now=self.clock.now(),
        )
        if request is not None:
            self.save_override(request)

    def save_override(self, request: OverrideRequest) -> None:
        from warroom.services.oncall import create_override

        context = self.context
        if context is None:
            return

        def saved(_override_id: int) -> None:
            self.window.banner.show_message(
                f"Saved: @{request.person} covers {request.schedule} from "
                f"{request.starts_at.astimezone():%a %d %b %H:%M} to "
                f"{request.ends_at.astimezone():%a %d %b %H:%M}.",
                BannerLevel.INFO,
            )
            self.override_saved.emit()

        self.tasks.submit(
            lambda: create_override(
                context,
                schedule=request.schedule,
                person=request.person,
                starts_at=request.starts_at,
                ends_at=request.ends_at,
                reason=request.reason,
            ),
            on_success=saved,
        )

    def _on_feed_connection_changed(self, connected: bool, message: str) -> None:
        self.window.set_feed_state(connected)
        if connected:
            self.flush_pending_acks()
            if self._feed_banner:
                self.window.banner.clear()
                self._feed_banner = False
        else:
            self._feed_banner = True
            self.window.banner.show_message(
                f"Live updates paused — {message} Reconnecting; nothing will be missed.",
                BannerLevel.WARNING,
            )

    def _on_activity_history_requested(self, before: Cursor) -> None:
        from warroom.services.activity import older_events

        context = self.context
        if context is None:
            return
        self.tasks.submit(
            lambda: older_events(context, before),
            on_success=self.activity_model.append_history,
        )

    def _on_tasks_task_failed(self, message: str) -> None:
        self.window.banner.show_message(message, BannerLevel.ERROR)


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    if (
        not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
    ):
        raise WarroomError(
            "No screen to show the window on (neither DISPLAY nor WAYLAND_DISPLAY is set). "
            "Run it in a desktop session, or use `warroom demo --no-gui` for the database only."
        )
    app = QApplication(argv or sys.argv[:1])
    app.setApplicationName("warroom")
    app.setOrganizationName("warroom")
    app.setDesktopFileName("org.warroom.Warroom")
    app.setStyle("Fusion")
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    app.setFont(font)
    app.setStyleSheet((resources.files("warroom.resources") / "style.qss").read_text("utf-8"))
    return app


def run_app(settings: Settings, *, tray: bool = False) -> int:
    """The desktop app's main loop, for ``warroom [--tray]`` and ``warroom demo``."""
    app = create_application()
    app.setQuitOnLastWindowClosed(not tray)
    warroom = WarroomApp(settings, in_tray=tray)
    app.aboutToQuit.connect(warroom.shutdown)
    warroom.start()
    return app.exec()
