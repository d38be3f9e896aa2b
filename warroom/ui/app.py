"""The composition root: builds the desktop app, wires its features together, tears it down.

Order matters and is kept in one place (as qutebrowser's ``_init_modules``): the window shows
first; only after its first paint is the database opened, on the worker; then the change feed
starts and every feature loads. The database layers (SQLAlchemy, Alembic, psycopg) are
imported on the worker, never before the first paint (``tests/ui/test_startup.py``).

Adding a feature is a folder under ``ui/`` with a controller (:class:`Feature`) and one line
in :meth:`WarroomApp._build_features`; what features ask of each other is connected in
:meth:`WarroomApp._connect_features`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from warroom.domain.clock import Clock, SystemClock
from warroom.domain.errors import WarroomError
from warroom.domain.events import FeedEvent
from warroom.store.config import PasswordRequiredError, Settings
from warroom.ui.activity.controller import ActivityFeature
from warroom.ui.common.application import create_application  # noqa: F401 (tools use it)
from warroom.ui.common.feature import Environment, Feature
from warroom.ui.common.feed_bridge import FeedBridge
from warroom.ui.common.main_window import MainWindow
from warroom.ui.common.notifier import Notifier
from warroom.ui.common.opening import open_and_check
from warroom.ui.common.tasks import TaskRunner
from warroom.ui.comms.controller import CommsFeature
from warroom.ui.incidents.controller import IncidentsFeature
from warroom.ui.pages.controller import PagesFeature
from warroom.ui.paging.controller import PagingFeature, tray_available
from warroom.ui.reports.controller import ReportsFeature
from warroom.ui.roster.controller import RosterFeature
from warroom.ui.runbooks.controller import RunbooksFeature
from warroom.ui.transcript.controller import TranscriptFeature
from warroom.ui.widgets.banner import BannerLevel
from warroom.ui.widgets.password_dialog import PasswordDialog

if TYPE_CHECKING:
    from warroom.services.context import ServiceContext
    from warroom.store.database import Database

F = TypeVar("F", bound=Feature)
CLOCK_TICK_MS = 30_000
#: A desktop started during an outage tries again this often, to send what its journals hold.
RECONNECT_SECONDS = 10.0


class WarroomApp(QObject):
    """The running desktop app: the window, the worker, the feed and the features.

    Signals:
        database_ready(): the database is open, the feed is starting, the features load.
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
        in_tray: bool = False,
        run_engine: bool = True,
        window: MainWindow | None = None,
        reconnect_after: float = RECONNECT_SECONDS,
        parent: QObject | None = None,
    ) -> None:
        """``window``: a main window already on screen (``launch.run_app`` paints it before
        the features are imported); ``reconnect_after``: seconds between attempts to connect."""
        super().__init__(parent)
        self.settings = settings
        self.clock = clock or SystemClock()
        self.database: Database | None = None
        self.context: ServiceContext | None = None
        self.engine: Any = None
        self.in_tray, self.run_engine = in_tray, run_engine
        self._feed_poll = feed_poll
        self._reconnect_ms = int(reconnect_after * 1000)
        self._feed_banner = False
        self._shut_down = False
        self._past_first_paint = False
        self.window = window or MainWindow()
        self.tasks = TaskRunner(parent=self)
        self.feed = FeedBridge(self)
        self.notifier = Notifier(self.window.banner, parent=self)
        self.env = Environment(settings, self.clock, self.tasks, self.window.banner, self.notifier)
        self._clock_tick = QTimer(self)
        self._clock_tick.setInterval(CLOCK_TICK_MS)
        self.features: list[Feature] = []
        self._build_features()
        self._connect_features()
        self.window.user_label.setText(f"signed in as {settings.user}  ")
        self.window.closing.connect(self.shutdown)
        self.window.first_painted.connect(self._on_window_first_painted)
        self.tasks.task_failed.connect(self._on_tasks_task_failed)
        self.feed.events_arrived.connect(self._on_feed_events_arrived)
        self.feed.connection_changed.connect(self._on_feed_connection_changed)
        self._clock_tick.timeout.connect(self._on_clock_tick_timeout)

    def _build_features(self) -> None:
        self.activity = self._add(ActivityFeature(self.env, self))
        self.incidents = self._add(IncidentsFeature(self.env, self))
        self.roster = self._add(RosterFeature(self.env, self))
        self.pages = self._add(PagesFeature(self.env, self))
        self.runbooks = self._add(RunbooksFeature(self.env, self))
        self.reports = self._add(ReportsFeature(self.env, self))
        self.paging = self._add(PagingFeature(self.env, in_tray=self.in_tray, parent=self))
        self.transcript = self._add(TranscriptFeature(self.env, parent=self))  # war-room panel
        self.comms = self._add(CommsFeature(self.env, self))  # a panel of the war room

    def _add(self, feature: F) -> F:
        self.features.append(feature)
        if feature.title:
            self.window.add_view(feature.key, feature.title, feature.require_view)
        for widget in feature.status_widgets():
            self.window.add_status_widget(widget)
        return feature

    def _connect_features(self) -> None:
        """What one feature asks of another; features never import each other."""
        pages, paging = self.pages, self.paging
        pages.acknowledge_requested.connect(paging.acknowledge)
        pages.resolve_requested.connect(paging.resolve)
        pages.escalate_requested.connect(paging.escalate)
        pages.open_runbook_requested.connect(self._on_pages_open_runbook_requested)
        paging.open_page_requested.connect(self._on_paging_open_page_requested)
        incidents = self.incidents
        pages.declare_incident_requested.connect(incidents.declare_from_page)
        paging.declare_incident_requested.connect(incidents.declare_from_page)
        pages.open_incident_requested.connect(self._on_open_incident_requested)
        incidents.open_page_requested.connect(self._on_paging_open_page_requested)
        incidents.show_requested.connect(self._on_incidents_show_requested)
        paging.show_window_requested.connect(self.window.bring_to_front)
        paging.quit_requested.connect(self._on_paging_quit_requested)
        # The war room's panels follow the incident open; "Write update" opens its war room.
        incidents.incident_opened.connect(self.transcript.show_incident)
        comms = self.comms
        incidents.incident_opened.connect(comms.show_incident)
        incidents.status_changed.connect(comms.offer_update)
        comms.open_incident_requested.connect(self._on_open_incident_requested)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self.in_tray and tray_available():
            self.paging.tray.show()
            QTimer.singleShot(0, self, self._after_first_paint)
        elif self.window.painted:  # shown before the app was built (``launch.run_app``)
            QTimer.singleShot(0, self, self._after_first_paint)
        else:
            self.window.show()  # the rest follows the window's first paint

    def _on_window_first_painted(self) -> None:
        # Queued: whatever else waits for the first paint (a benchmark, a test) runs first.
        QTimer.singleShot(0, self, self._after_first_paint)

    def _after_first_paint(self) -> None:
        """Seen: build the other views, find a notification server, the tray, the database."""
        if self._shut_down or self._past_first_paint:
            return
        self._past_first_paint = True
        self.window.build_all_views()
        self._add_war_room_panels()
        self.notifier.start()
        if tray_available():
            self.paging.tray.show()
        self._open_database(self.settings)

    def _add_war_room_panels(self) -> None:
        """Panels other features keep in the incidents' war room (built with the views)."""
        war_room = self.incidents.view.war_room
        war_room.add_panel("Transcript", self.transcript.view, first=True)
        war_room.add_panel("Stakeholder updates", self.comms.view)

    def _open_database(self, settings: Settings) -> None:
        if self._shut_down or self.database is not None:
            return
        self.window.banner.show_message("Connecting to the database…", BannerLevel.INFO)
        self.tasks.submit(
            lambda: (open_and_check(settings), settings.display_url),
            on_success=self._on_database_opened,
            on_failure=self._on_database_open_failed,
        )

    def _on_database_opened(self, opened: tuple[Database, str]) -> None:
        from warroom.services.context import ServiceContext

        self.database, shown_url = opened
        self.context = ServiceContext(self.database, self.settings.user, self.clock)
        self.window.database_label.setText(f"  {shown_url}")
        self.window.banner.clear()
        self.feed.start(self.database, slow_poll=self._feed_poll)
        for feature in self.features:
            feature.start(self.context)
        self._clock_tick.start()
        if self.run_engine:
            from warroom.engine.background import BackgroundEngine

            self.engine = BackgroundEngine(self.context)
            self.engine.start()
        self.database_ready.emit()

    def _on_database_open_failed(self, error: WarroomError) -> None:
        if isinstance(error, PasswordRequiredError):
            asked = PasswordDialog.settings_with_password(self.window, self.settings, str(error))
            if asked is not None:
                self._open_database(asked)
                return
        from warroom.store.database import DatabaseUnavailableError

        self.window.set_feed_state(False)
        again = isinstance(error, DatabaseUnavailableError) and not self._shut_down
        if again:  # the server is down: try again by itself
            QTimer.singleShot(self._reconnect_ms, self, lambda: self._open_database(self.settings))
        self.window.banner.show_message(
            f"{error} Trying again every {self._reconnect_ms / 1000:g} s." if again else str(error),
            BannerLevel.ERROR,
            action="Retry",
            on_action=lambda: self._open_database(self.settings),
        )
        self.database_failed.emit(str(error))

    def shutdown(self) -> None:
        """Stop the features, the feed thread and the worker, then close the database.
        Safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        self._clock_tick.stop()
        for feature in self.features:
            feature.shutdown()
        self.notifier.stop()
        if self.engine is not None:
            self.engine.stop()
        self.feed.stop()
        self.tasks.shutdown()
        if self.database is not None:
            self.database.dispose()

    # ------------------------------------------------------------------ routing

    def _on_feed_events_arrived(self, events: list[FeedEvent]) -> None:
        for feature in self.features:
            wanted = [event for event in events if feature.wants(event)]
            if wanted:
                feature.on_events(wanted)

    def _on_feed_connection_changed(self, connected: bool, message: str) -> None:
        self.window.set_feed_state(connected)
        for feature in self.features:
            feature.on_connection_changed(connected)
        if connected and self._feed_banner:
            self.window.banner.clear()
            self._feed_banner = False
        elif not connected:
            self._feed_banner = True
            self.window.banner.show_message(
                f"Live updates paused — {message} Reconnecting; nothing will be missed.",
                BannerLevel.WARNING,
            )

    def _on_clock_tick_timeout(self) -> None:
        for feature in self.features:
            feature.on_clock_tick()

    def _on_tasks_task_failed(self, message: str) -> None:
        self.window.banner.show_failure(message)

    def _on_pages_open_runbook_requested(self, slug: str) -> None:
        self.window.show_view(self.runbooks.key)
        self.runbooks.show_runbook(slug)

    def _on_paging_open_page_requested(self, page_id: int) -> None:
        self.window.bring_to_front()
        self.window.show_view(self.pages.key)
        self.pages.open_page(page_id)

    def _on_incidents_show_requested(self) -> None:
        self.window.bring_to_front()
        self.window.show_view(self.incidents.key)

    def _on_open_incident_requested(self, incident_id: int) -> None:
        self._on_incidents_show_requested()
        self.incidents.open_incident(incident_id)

    def _on_paging_quit_requested(self) -> None:
        self.window.close()
        self.shutdown()
        app = QApplication.instance()
        if app is not None:
            app.quit()
