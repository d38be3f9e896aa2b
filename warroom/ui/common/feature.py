"""What every feature of the desktop app is: a controller the composition root builds and feeds.

A feature is a folder under ``warroom/ui/`` (its widgets, its Qt models and one controller, a
subclass of :class:`Feature`). The root builds it with an :class:`Environment` (the task
runner, the clock, the banner, the notifier…), adds its view to the window, calls
:meth:`Feature.start` once the database is open, hands it the change-feed events of its
topics, and shuts it down. Features never import each other: what one asks of another goes
out as a signal that the root connects.

The database layers are not imported here or by any controller at module level: the window
paints before SQLAlchemy is loaded (``tests/ui/test_startup.py`` holds that line). Service
calls run on the worker through :meth:`Feature.submit`, and the services they need are
imported inside the function that runs there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QWidget

from warroom.domain.clock import Clock
from warroom.domain.errors import WarroomError
from warroom.domain.events import FeedEvent
from warroom.ui.common.notifier import Notifier
from warroom.ui.common.tasks import TaskRunner
from warroom.ui.widgets.banner import Banner, BannerLevel

if TYPE_CHECKING:
    from warroom.services.context import ServiceContext
    from warroom.store.config import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class Environment:
    """What the root gives every feature; there are no globals to reach for instead."""

    settings: Settings
    clock: Clock
    tasks: TaskRunner
    banner: Banner
    notifier: Notifier

    @property
    def user(self) -> str:
        """The person at this desktop (their handle on the roster)."""
        return self.settings.user


class Feature(QObject):
    """A feature's controller: loads its data on the worker, follows its feed topics, and
    carries out what its user asks.

    Subclasses set ``key`` and ``title`` (the navigation entry; a feature without a view of
    its own leaves ``title`` None) and ``topics``, the feed topic prefixes it reacts to.
    """

    key: ClassVar[str]
    title: ClassVar[str | None] = None
    topics: ClassVar[tuple[str, ...]] = ()

    def __init__(self, env: Environment, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.context: ServiceContext | None = None
        self._closed = False

    @property
    def view(self) -> QWidget | None:
        """The feature's page in the main window, if it has one."""
        return None

    def require_view(self) -> QWidget:
        view = self.view
        if view is None:
            raise RuntimeError(f"the {self.key} feature has a title but no view")
        return view

    def status_widgets(self) -> Sequence[QLabel]:
        """Labels the feature keeps in the window's status bar."""
        return ()

    def wants(self, event: FeedEvent) -> bool:
        return event.topic.startswith(self.topics)

    # ------------------------------------------------------------------ the root calls these

    def start(self, context: ServiceContext) -> None:
        """The database is open: load what the view shows."""
        self.context = context
        self.reload()

    def reload(self) -> None:
        """Load (again) everything the feature shows."""

    def on_events(self, events: list[FeedEvent]) -> None:
        """Committed events of this feature's topics, oldest first, each exactly once."""

    def on_connection_changed(self, connected: bool) -> None:
        """The change feed lost (False) or regained (True) its database connection."""

    def on_clock_tick(self) -> None:
        """Every half minute: refresh what depends on the time (T+, time left, local time)."""

    def shutdown(self) -> None:
        self._closed = True

    # ------------------------------------------------------------------ helpers

    @property
    def running(self) -> bool:
        return self.context is not None and not self._closed

    def submit(
        self,
        work: Callable[[ServiceContext], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[WarroomError], None] | None = None,
    ) -> None:
        """Run ``work(context)`` on the worker; the callbacks run on the GUI thread.

        Before the database is open, or after shut-down, nothing runs: there is nothing to
        load and no one to show it to.
        """
        context = self.context
        if context is None or self._closed:
            return
        self.env.tasks.submit(
            lambda: work(context),
            on_success=on_success,
            on_failure=on_failure,
        )

    def show_error(self, error: WarroomError | str) -> None:
        self.env.banner.show_message(str(error), BannerLevel.ERROR)

    def show_info(self, text: str) -> None:
        self.env.banner.show_message(text, BannerLevel.INFO)


def ignore_result(_value: Any) -> None:
    """A success callback for work whose result the feed will show anyway."""
