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
from importlib import resources
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QWidget

from warroom.domain.clock import Clock, SystemClock
from warroom.domain.errors import WarroomError
from warroom.domain.events import Cursor, FeedEvent
from warroom.store.config import PasswordRequiredError, Settings
from warroom.ui.activity.model import ActivityModel
from warroom.ui.activity.view import ActivityView
from warroom.ui.feed_bridge import FeedBridge
from warroom.ui.main_window import MainWindow
from warroom.ui.tasks import TaskRunner
from warroom.ui.widgets.banner import BannerLevel

if TYPE_CHECKING:
    from warroom.services.context import ServiceContext
    from warroom.store.database import Database


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
    """

    database_ready = Signal()
    database_failed = Signal(str)

    def __init__(
        self,
        settings: Settings,
        clock: Clock | None = None,
        *,
        feed_poll: float = 2.0,
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
        self.window = MainWindow()
        self.window.add_view("activity", "Activity", ActivityView(self.activity_model))
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

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self.window.show()
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

    def shutdown(self) -> None:
        """Stop the feed thread and the worker, then close the database. Safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        self.feed.stop()
        self.tasks.shutdown()
        if self.database is not None:
            self.database.dispose()

    # ------------------------------------------------------------------ slots

    def _on_feed_events_arrived(self, events: list[FeedEvent]) -> None:
        self.activity_model.add_live(events)

    def _on_feed_connection_changed(self, connected: bool, message: str) -> None:
        self.window.set_feed_state(connected)
        if connected:
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


def run_app(settings: Settings) -> int:
    """The desktop app's main loop, for ``warroom`` and ``warroom demo``."""
    app = create_application()
    warroom = WarroomApp(settings)
    app.aboutToQuit.connect(warroom.shutdown)
    warroom.start()
    return app.exec()
