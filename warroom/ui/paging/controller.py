"""Paging on the desktop: my pages in the tray, a notification when a page reaches me, and one
click to acknowledge — kept on disk and sent later when the database cannot be reached."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from warroom.domain.errors import WarroomError
from warroom.domain.events import FeedEvent
from warroom.engine.ack_queue import AckQueue, Flushed
from warroom.store.config import data_dir
from warroom.ui.common.feature import Environment, Feature, ignore_result
from warroom.ui.common.notifier import Channel
from warroom.ui.paging.notices import page_notice
from warroom.ui.widgets.banner import BannerLevel

if TYPE_CHECKING:
    from warroom.services.context import ServiceContext
    from warroom.services.paging.queries import MyPage
    from warroom.ui.paging.tray import TrayController

#: Notifications for events older than this (the feed's backlog at start-up) are not shown.
FRESH = timedelta(seconds=30)
ACKNOWLEDGE, OPEN, DECLARE = "acknowledge", "open", "declare"


def tray_available() -> bool:
    from PySide6.QtWidgets import QSystemTrayIcon

    return QSystemTrayIcon.isSystemTrayAvailable()


def page_key(page_id: int) -> str:
    return f"page:{page_id}"


class PagingFeature(Feature):
    """Signals:
    page_notified(int): the user was notified of a page (its id).
    page_acknowledged(int): the user's acknowledgement was committed.
    ack_queued(int): the database was unreachable; the acknowledgement waits on disk.
    acks_flushed(list): queued acknowledgements reached the database.
    my_pages_loaded(): the tray shows a fresh list of my open pages.
    open_page_requested(int): show this page in the Pages workspace.
    declare_incident_requested(int, str): declare an incident from a page (id, summary).
    show_window_requested(), quit_requested(): from the tray's menu.
    """

    key = "paging"
    topics = ("page.", "demo.", "schedule.", "roster.")
    page_notified = Signal(int)
    page_acknowledged = Signal(int)
    ack_queued = Signal(int)
    acks_flushed = Signal(list)
    my_pages_loaded = Signal()
    open_page_requested = Signal(int)
    declare_incident_requested = Signal(int, str)
    show_window_requested = Signal()
    quit_requested = Signal()

    def __init__(
        self, env: Environment, *, in_tray: bool = False, parent: QObject | None = None
    ) -> None:
        super().__init__(env, parent)
        self.in_tray = in_tray
        self._tray: TrayController | None = None
        self.ack_queue = AckQueue(data_dir() / "pending-acknowledgements.json")
        self.channel_label = QLabel("Pages: looking for a notification server…  ")
        self.channel_label.setObjectName("pagingChannel")
        self._names: dict[str, str] = {}
        self._live_since = env.clock.now()
        self._ack_retry = QTimer(self)
        self._ack_retry.setInterval(10_000)
        self._ack_retry.timeout.connect(self.flush_pending_acks)
        env.notifier.channel_chosen.connect(self._on_notifier_channel_chosen)
        env.notifier.action_invoked.connect(self._on_notifier_action_invoked)

    @property
    def tray(self) -> TrayController:
        """The system tray icon and its menu (built when first needed, after the first
        paint unless the app starts in the tray)."""
        if self._tray is None:
            from warroom.ui.paging.tray import TrayController

            tray = self._tray = TrayController(self)
            self.env.notifier.set_tray(tray.icon)
            tray.acknowledge_requested.connect(self.acknowledge)
            tray.resolve_requested.connect(self.resolve)
            tray.escalate_requested.connect(self._on_tray_escalate_requested)
            tray.declare_requested.connect(self._declare)
            tray.open_requested.connect(self.open_page_requested)
            tray.open_runbook_requested.connect(self.open_page_requested)
            tray.show_window_requested.connect(self.show_window_requested)
            tray.quit_requested.connect(self.quit_requested)
        return self._tray

    def status_widgets(self) -> list[QLabel]:
        return [self.channel_label]

    def start(self, context: ServiceContext) -> None:
        self._live_since = self.env.clock.now()
        super().start(context)
        self._ack_retry.start()
        self.flush_pending_acks()

    def reload(self) -> None:
        user = self.env.user

        def load(context: ServiceContext) -> tuple[list[MyPage], bool, dict[str, str]]:
            from warroom.services.oncall import is_on_call
            from warroom.services.paging.queries import my_open_pages
            from warroom.services.people import list_people

            names = {person.handle: person.name for person in list_people(context)}
            return my_open_pages(context, user), is_on_call(context, user), names

        self.submit(load, self._on_my_pages_loaded)

    def on_events(self, events: list[FeedEvent]) -> None:
        mine = False
        for event in events:
            if not event.topic.startswith("page."):
                mine = True  # the roster changed: am I on call?
                continue
            page_id = int(event.payload.get("page_id", event.entity_id))
            told = event.topic in ("page.notified", "page.escalated")
            if told and self.env.user in event.payload.get("handles", []):
                mine = True
                if event.at >= self._live_since - FRESH:
                    self._notify(page_id, event)
            elif event.topic in ("page.acknowledged", "page.resolved"):
                self.env.notifier.withdraw(page_key(page_id))
                mine = True
            elif event.topic in ("page.escalated", "page.reopened", "page.released"):
                mine = True
        if mine:
            self.reload()

    def on_connection_changed(self, connected: bool) -> None:
        if connected:
            self.flush_pending_acks()

    def shutdown(self) -> None:
        self._ack_retry.stop()
        if self._tray is not None:
            self._tray.hide()
        super().shutdown()

    # ------------------------------------------------------------------ what the user asks

    def acknowledge(self, page_id: int) -> None:
        """One click: committed now, or kept on disk and sent when the database is back."""
        user = self.env.user
        if self.context is None:
            self._queue_ack(page_id)
            return

        def ack(context: ServiceContext) -> bool:
            from warroom.services.paging.responses import acknowledge

            return acknowledge(context, page_id, user)

        def failed(error: WarroomError) -> None:
            from warroom.store.database import DatabaseUnavailableError

            if isinstance(error, DatabaseUnavailableError):
                self._queue_ack(page_id)
            else:
                self.show_error(error)

        self.submit(ack, lambda _done: self.page_acknowledged.emit(page_id), failed)

    def resolve(self, page_id: int) -> None:
        user = self.env.user

        def resolve(context: ServiceContext) -> bool:
            from warroom.services.paging.responses import resolve

            return resolve(context, page_id, user)

        self.submit(resolve, ignore_result, self.show_error)

    def escalate(self, page_id: int, expertise: str = "") -> None:
        """To the next level, or to the on-call expert for ``expertise``."""
        user = self.env.user

        def escalate(context: ServiceContext) -> list[str]:
            from warroom.services.paging.responses import escalate

            return escalate(context, page_id, to_expertise=expertise or None, handle=user)

        def done(told: list[str]) -> None:
            who = ", ".join(self._names.get(h, h) for h in told) or "nobody new"
            self.show_info(f"Page #{page_id} escalated; told: {who}.")

        self.submit(escalate, done, self.show_error)

    def flush_pending_acks(self) -> None:
        queue = self.ack_queue

        def flush(context: ServiceContext) -> Flushed:
            return queue.flush(context)  # the queue file is read on the worker, never here

        def sent(flushed: Flushed) -> None:
            if flushed.sent:
                self.show_info(
                    "Pending acknowledgements sent: "
                    + ", ".join(f"#{p}" for p in flushed.sent)
                    + "."
                )
                self.acks_flushed.emit(flushed.sent)
            for page_id, why in flushed.refused:
                self.show_error(
                    f"The acknowledgement of page #{page_id} kept on this computer was refused "
                    f"and dropped. {why}"
                )

        self.submit(flush, sent, lambda _error: None)

    # ------------------------------------------------------------------ inside

    def _queue_ack(self, page_id: int) -> None:
        self.ack_queue.add(page_id, self.env.user, self.env.clock.now().isoformat())
        self.env.banner.show_message(
            f"Acknowledgement of page #{page_id} is saved on this computer and pending: the "
            "database cannot be reached. It will be sent as soon as it can.",
            BannerLevel.WARNING,
            sticky=True,
        )
        self.ack_queued.emit(page_id)

    def _notify(self, page_id: int, event: FeedEvent) -> None:
        title, body, urgent = page_notice(page_id, event.payload, self.env.user, self._names)
        self.env.notifier.notify(
            page_key(page_id),
            title,
            body,
            urgent=urgent,
            actions=(
                (ACKNOWLEDGE, "Acknowledge"),
                (OPEN, "Open in warroom"),
                (DECLARE, "Declare incident"),
            ),
        )
        self.page_notified.emit(page_id)

    def _on_my_pages_loaded(self, loaded: tuple[list[MyPage], bool, dict[str, str]]) -> None:
        pages, on_call, self._names = loaded
        self.tray.set_pages(pages, on_call)
        self.my_pages_loaded.emit()

    def _on_notifier_channel_chosen(self, channel: str) -> None:
        notifier = self.env.notifier
        why = f" — {notifier.why}" if channel != Channel.DESKTOP.value else ""
        self.channel_label.setText(f"Pages: {channel}{why}  ")
        if self.in_tray and not tray_available():
            self.show_window_requested.emit()
            self.env.banner.show_message(
                "This desktop has no system tray, so warroom stays in a window; pages will "
                f"show in {channel}.",
                BannerLevel.WARNING,
            )

    def _on_notifier_action_invoked(self, key: str, action: str) -> None:
        if not key.startswith("page:"):
            return
        page_id = int(key.removeprefix("page:"))
        if action == OPEN:
            self.open_page_requested.emit(page_id)
        elif action == ACKNOWLEDGE:
            self.acknowledge(page_id)
        elif action == DECLARE:
            self._declare(page_id)

    def _declare(self, page_id: int) -> None:
        summary = next((p.summary for p in self.tray.pages if p.id == page_id), "")
        self.declare_incident_requested.emit(page_id, summary)

    def _on_tray_escalate_requested(self, page_id: int) -> None:
        self.escalate(page_id)
