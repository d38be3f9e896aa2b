"""The Roster feature: who is on call now and next, the people, a schedule's week, overrides,
and a notice shortly before the user's own shift."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from warroom.domain.events import FeedEvent
from warroom.ui.common.feature import Environment, Feature

if TYPE_CHECKING:
    from warroom.services.context import ServiceContext
    from warroom.services.roster_view import RosterSnapshot
    from warroom.ui.roster.override_dialog import OverrideRequest
    from warroom.ui.roster.view import RosterView

#: How long before a shift its person is told.
HANDOFF_NOTICE = timedelta(minutes=15)


class RosterFeature(Feature):
    """Signals:
    roster_loaded(): a fresh roster snapshot is on screen.
    override_saved(): an override asked for in the dialog was saved.
    handoff_notified(str): the user was told they go on call soon (schedule slug).
    """

    key = "roster"
    title = "Roster"
    topics = ("person.", "team.", "schedule.", "roster.", "demo.", "service.")
    roster_loaded = Signal()
    override_saved = Signal()
    handoff_notified = Signal(str)

    def __init__(self, env: Environment, parent: QObject | None = None) -> None:
        super().__init__(env, parent)
        self._view: RosterView | None = None
        self.snapshot: RosterSnapshot | None = None
        self.notified_handoffs: set[tuple[str, datetime]] = set()
        self._reload_soon = QTimer(self)  # a roster import is a burst of events: load once
        self._reload_soon.setSingleShot(True)
        self._reload_soon.setInterval(250)
        self._reload_soon.timeout.connect(self.reload)

    @property
    def view(self) -> RosterView:
        if self._view is None:
            from warroom.ui.roster.view import RosterView

            self._view = RosterView(self.env.clock.now)
            self._view.override_requested.connect(self._on_view_override_requested)
        return self._view

    def reload(self) -> None:
        def snapshot(context: ServiceContext) -> RosterSnapshot:
            from warroom.services.roster_view import roster_snapshot

            return roster_snapshot(context)

        self.submit(snapshot, self._on_snapshot_loaded)

    def on_events(self, events: list[FeedEvent]) -> None:
        self._reload_soon.start()

    def on_clock_tick(self) -> None:
        self.view.refresh()
        self.check_handoffs()

    def shutdown(self) -> None:
        self._reload_soon.stop()
        super().shutdown()

    def _on_snapshot_loaded(self, snapshot: RosterSnapshot) -> None:
        self.snapshot = snapshot
        self.view.set_snapshot(snapshot)
        self.roster_loaded.emit()
        self.check_handoffs()

    def check_handoffs(self) -> None:
        """Tell the user shortly before they go on call, once per shift."""
        from warroom.services.roster_view import upcoming_handoffs

        snapshot = self.snapshot
        if snapshot is None:
            return
        now = self.env.clock.now()
        for info, shift in upcoming_handoffs(
            snapshot.schedules, self.env.user, now, HANDOFF_NOTICE
        ):
            key = (info.slug, shift.start)
            if key in self.notified_handoffs:
                continue
            self.notified_handoffs.add(key)
            minutes = max(1, round((shift.start - now).total_seconds() / 60))
            self.env.notifier.notify(
                f"handoff:{info.slug}",
                f"You go on call for {info.name} at {shift.start.astimezone():%H:%M}",
                f"(in {minutes} min), until {shift.end.astimezone():%a %H:%M}.",
                actions=(("roster", "Show the roster"),),
            )
            self.handoff_notified.emit(info.slug)

    def _on_view_override_requested(self) -> None:
        from warroom.ui.roster.override_dialog import OverrideDialog

        snapshot = self.snapshot
        shift = self.view.pending_shift
        if snapshot is None or shift is None or not self.running:
            return
        me = self.env.user if self.env.user in snapshot.names else None
        now = self.env.clock.now()
        request = OverrideDialog.ask(
            self.view.window(),
            schedules=list(snapshot.schedules),
            people=[(row.handle, row.name) for row in snapshot.people],
            schedule=self.view.selected_schedule(),
            person=me,
            starts_at=max(shift.start, now),
            ends_at=shift.end,
            now=now,
        )
        if request is not None:
            self.save_override(request)

    def save_override(self, request: OverrideRequest) -> None:
        def save(context: ServiceContext) -> int:
            from warroom.services.oncall import create_override

            return create_override(
                context,
                schedule=request.schedule,
                person=request.person,
                starts_at=request.starts_at,
                ends_at=request.ends_at,
                reason=request.reason,
            )

        def saved(_override_id: int) -> None:
            self.show_info(
                f"Saved: @{request.person} covers {request.schedule} from "
                f"{request.starts_at.astimezone():%a %d %b %H:%M} to "
                f"{request.ends_at.astimezone():%a %d %b %H:%M}."
            )
            self.override_saved.emit()

        self.submit(save, saved)
