"""The Incidents feature: the list, the war room of the incident that is open, the board's
drag and drop carried out in the database, and the notifications a person gets from it
(a role given to them, a reminder for the commander)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from warroom.domain.events import FeedEvent
from warroom.domain.incidents import ROLE_TITLE, incident_ref
from warroom.domain.vocabulary import IncidentRole
from warroom.ui.common.feature import Environment, Feature

if TYPE_CHECKING:
    from warroom.services.context import ServiceContext
    from warroom.services.incidents.bench import BenchPerson
    from warroom.services.incidents.queries import IncidentDetail, IncidentRow
    from warroom.ui.incidents.view import IncidentsView

OPEN = "open"
#: How often an open war room says so (presence): well inside the one-minute timeout.
HEARTBEAT_MS = 20_000


def incident_key(incident_id: int) -> str:
    return f"incident:{incident_id}"


#: How long a transcript entry's "last activity" waits before the list and war room reload.
ACTIVITY_MS = 5000


class IncidentsFeature(Feature):
    """Signals:
    incidents_loaded(): the list shows fresh incidents.
    incident_opened(int): the war room of this incident is on screen (other features' panels
        follow it).
    detail_loaded(int): the war room shows fresh data for this incident (its board repainted).
    role_conflict(str): the database gave a role to someone else first; the sentence says who.
    open_page_requested(int): show this page in the Pages workspace.
    show_requested(): bring the window up on this view (from a notification).
    status_changed(int, str): this desktop moved an incident to a status (committed).
    """

    key = "incidents"
    title = "Incidents"
    topics = ("incident.", "transcript.", "status_update.", "page.", "demo.", "runbook.")
    incidents_loaded = Signal()
    incident_opened = Signal(int)
    detail_loaded = Signal(int)
    role_conflict = Signal(str)
    open_page_requested = Signal(int)
    show_requested = Signal()
    status_changed = Signal(int, str)

    def __init__(self, env: Environment, parent: QObject | None = None) -> None:
        super().__init__(env, parent)
        self._view: IncidentsView | None = None
        self.current: int | None = None
        self.detail: IncidentDetail | None = None
        self.client_id = str(uuid.uuid4())
        self._search = ""
        self._undo: tuple[int, str, str, str] | None = None  # incident, role, back to, from
        # Every desktop of the team reacts to every change: what the change itself does not
        # show (the list, the history, the bench's counts) is reloaded once a burst is over.
        self._reload_soon = self._timer(400, self._load_list)
        self._detail_soon = self._timer(250, self._load_detail)
        self._search_soon = self._timer(200, self._load_bench)
        self._bench_soon = self._timer(1500, self._load_bench)
        # A transcript entry changes only the incident's last activity (its quiet warning
        # and the list's column): while a scribe types, that waits a few seconds, so every
        # desktop is not reloading the war room on every line.
        self._activity_soon = self._timer(ACTIVITY_MS, self._on_activity_soon_timeout)
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(HEARTBEAT_MS)
        self._heartbeat.timeout.connect(self._beat)
        env.notifier.action_invoked.connect(self._on_notifier_action_invoked)

    def _on_activity_soon_timeout(self) -> None:
        self._load_list()
        if self.current is not None:
            self._load_detail()

    def _timer(self, ms: int, slot: Any) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    @property
    def view(self) -> IncidentsView:
        if self._view is None:
            from warroom.ui.incidents.view import IncidentsView

            view = self._view = IncidentsView(self.env.clock.now)
            view.declare_requested.connect(lambda: self.declare())
            view.incident_chosen.connect(self.open_incident)
            room = view.war_room
            room.back_requested.connect(self._on_room_back_requested)
            room.status_requested.connect(self.set_status)
            room.severity_requested.connect(self._on_room_severity_requested)
            room.close_requested.connect(self._on_room_close_requested)
            room.propose_close_requested.connect(self._on_room_propose_close_requested)
            room.reopen_requested.connect(self._on_room_reopen_requested)
            room.link_page_requested.connect(self._on_room_link_page_requested)
            room.open_page_requested.connect(self.open_page_requested)
            room.undo_requested.connect(self._on_room_undo_requested)
            room.board.assign_requested.connect(self.assign)
            room.board.release_requested.connect(self.release)
            room.board.handover_requested.connect(self._on_board_handover_requested)
            room.bench.assign_requested.connect(self.assign)
            room.bench.release_dropped.connect(self.release)
            room.bench.search_changed.connect(self._on_bench_search_changed)
            room.bench.page_requested.connect(self.page_to_join)
        return self._view

    # ------------------------------------------------------------------ the root calls these

    def reload(self) -> None:
        self._load_list()
        if self.current is not None:
            self._load_detail()

    def on_events(self, events: list[FeedEvent]) -> None:
        me = self.env.user
        talk = [e for e in events if e.topic.startswith("transcript.")]
        if talk and not self._activity_soon.isActive():
            self._activity_soon.start()  # not restarted: it fires while the typing goes on
        events = [e for e in events if not e.topic.startswith("transcript.")]
        if not events:
            return
        self._reload_soon.start()
        for event in events:
            if event.topic == "incident.role_assigned" and event.payload.get("handle") == me:
                if event.payload.get("by") not in (None, me):
                    self._tell_role(event)
            elif event.topic == "incident.reminder" and event.payload.get("handle") == me:
                self._tell(event, "Reminder", str(event.payload.get("text") or ""), urgent=True)
        mine = [e for e in events if self.current is not None and e.incident_id == self.current]
        if mine and self._view is not None:
            room = self._view.war_room
            for event in mine:
                if event.topic in ("incident.role_assigned", "incident.role_released"):
                    room.apply_role_event(event.topic, dict(event.payload), event.at)
            self._detail_soon.start()

    def on_clock_tick(self) -> None:
        if self._view is not None:
            self._view.model.tick()
            self._view.war_room.refresh_clock()
            self._view.war_room.bench_model.tick()

    def shutdown(self) -> None:
        for timer in (
            self._reload_soon,
            self._detail_soon,
            self._search_soon,
            self._bench_soon,
            self._activity_soon,
            self._heartbeat,
        ):
            timer.stop()
        self._leave()
        super().shutdown()

    # ------------------------------------------------------------------ what the user asks

    def open_incident(self, incident_id: int) -> None:
        """Open the war room of an incident (from the list, a notification, a declaration)."""
        if self.current != incident_id:
            self._leave()
            self.current, self.detail = incident_id, None
            self._search = ""
            self.view.war_room.bench.search.clear()
        self.view.show_war_room()
        self._load_detail()
        self._load_bench()
        self._beat()
        self._heartbeat.start()
        self.incident_opened.emit(incident_id)

    def declare(
        self, page_id: int | None = None, title: str = "", service: str | None = None
    ) -> None:
        """Ask for the declaration (title, severity, service, bridge), then declare."""

        def services(context: ServiceContext) -> list[tuple[str, str]]:
            from sqlalchemy import select

            from warroom.services.context import reading
            from warroom.store.models import Service

            with reading(context) as session:
                return [(s, n) for s, n in session.execute(select(Service.slug, Service.name))]

        def ask(known: list[tuple[str, str]]) -> None:
            from warroom.ui.incidents.dialogs import DeclareDialog

            declaration = DeclareDialog.ask(
                self.view.window(), sorted(known, key=lambda s: s[1]), title, service
            )
            if declaration is None:
                return

            def declare(context: ServiceContext) -> int:
                from warroom.services.incidents.lifecycle import declare

                return declare(
                    context,
                    title=declaration.title,
                    severity=declaration.severity,
                    service=declaration.service,
                    bridge_url=declaration.bridge_url,
                    page_id=page_id,
                ).id

            self.submit(declare, self._on_declared, self.show_error)

        self.submit(services, ask)

    def declare_from_page(self, page_id: int, summary: str) -> None:
        """Declare from a page (the Pages workspace, the tray, a notification): the page's
        summary is the first title and its service the incident's."""
        self.show_requested.emit()
        self.declare(page_id, summary)

    def set_status(self, status: str) -> None:
        incident = self.current
        if incident is None:
            return

        def change(context: ServiceContext) -> str:
            from warroom.services.incidents.lifecycle import set_status

            return set_status(context, incident, status)

        def changed(_old: str) -> None:
            self.status_changed.emit(incident, status)

        self.submit(change, changed, self.show_error)

    def assign(self, handle: str, from_role: str | None, role: str) -> None:
        """A person dropped on a role (from the bench, or from another role)."""
        incident, detail = self.current, self.detail
        if incident is None or detail is None:
            return
        wanted = IncidentRole(role)
        expected: str | None = None
        if wanted.single_holder:
            holders = detail.roles.get(role, ())
            expected = holders[0].handle if holders else None  # what this desktop shows

        def act(context: ServiceContext) -> Any:
            from warroom.services.incidents import roles

            if from_role:
                return roles.move(
                    context, incident, handle, from_role, role, expected_holder=expected
                )
            return roles.assign(context, incident, role, handle, expected_holder=expected)

        def done(change: Any) -> None:
            if change.previous:
                self._undo = (incident, role, change.previous, handle)
                self.view.war_room.offer_undo(
                    f"{ROLE_TITLE[role]} handed over from @{change.previous} to @{handle}."
                )

        self.submit(act, done, self._on_role_failed)

    def release(self, role: str, handle: str) -> None:
        incident = self.current
        if incident is None:
            return

        def act(context: ServiceContext) -> None:
            from warroom.services.incidents import roles

            roles.release(context, incident, role, handle)

        self.submit(act, lambda _none: None, self._on_role_failed)

    def page_to_join(self, handle: str) -> None:
        incident = self.current
        if incident is None:
            return

        def act(context: ServiceContext) -> int:
            from warroom.services.incidents.join import page_to_join

            return page_to_join(context, incident, handle)

        self.submit(
            act,
            lambda page_id: self.show_info(
                f"Paged @{handle} to join {incident_ref(incident)} (page #{page_id}); it "
                "escalates if nobody acknowledges."
            ),
            self.show_error,
        )

    # ------------------------------------------------------------------ loading

    def _load_list(self) -> None:
        def load(context: ServiceContext) -> list[IncidentRow]:
            from warroom.services.incidents.queries import list_incidents

            return list_incidents(context)

        def loaded(rows: list[IncidentRow]) -> None:
            self.view.set_incidents(rows)
            self.incidents_loaded.emit()

        self.submit(load, loaded)

    def _load_detail(self) -> None:
        incident = self.current
        if incident is None:
            return

        def load(context: ServiceContext) -> IncidentDetail:
            from warroom.services.incidents.queries import incident_detail

            return incident_detail(context, incident)

        self.submit(load, self._on_detail_loaded)

    def _load_bench(self) -> None:
        incident, search = self.current, self._search
        if incident is None:
            return

        def load(context: ServiceContext) -> tuple[int, list[BenchPerson]]:
            from warroom.services.incidents.bench import bench

            return incident, bench(context, incident, search)

        def loaded(result: tuple[int, list[BenchPerson]]) -> None:
            if result[0] == self.current:
                self.view.war_room.bench_model.set_people(result[1])

        self.submit(load, loaded)

    def _on_detail_loaded(self, detail: IncidentDetail) -> None:
        if detail.row.id != self.current:
            return  # another incident was opened meanwhile
        roles_changed = self.detail is None or self.detail.roles != detail.roles
        self.detail = detail
        self.view.war_room.show_detail(detail, self.env.user)
        if roles_changed:
            self._bench_soon.start()  # the bench counts roles and participants
        self.detail_loaded.emit(detail.row.id)

    def _on_declared(self, incident_id: int) -> None:
        self._load_list()
        self.open_incident(incident_id)

    # ------------------------------------------------------------------ presence

    def _beat(self) -> None:
        incident, client = self.current, self.client_id
        if incident is None or not self.running:
            return

        def beat(context: ServiceContext) -> bool:
            from warroom.services.incidents.presence import heartbeat

            return heartbeat(context, incident, client)

        self.submit(beat, lambda _joined: None, lambda _error: None)

    def _leave(self) -> None:
        incident, client = self.current, self.client_id
        self._heartbeat.stop()
        if incident is None or not self.running:
            return

        def leave(context: ServiceContext) -> None:
            from warroom.services.incidents.presence import leave

            leave(context, incident, client)

        self.submit(leave, lambda _none: None, lambda _error: None)

    # ------------------------------------------------------------------ notifications

    def _tell_role(self, event: FeedEvent) -> None:
        role = ROLE_TITLE.get(str(event.payload.get("role")), "a role")
        article = "an" if role[0] in "AEIOU" else "the"
        if event.payload.get("role") == IncidentRole.SUBJECT_MATTER_EXPERT.value:
            article = "a"
        title = (
            f"You are {article} {role} of {event.payload.get('ref')} — {event.payload.get('title')}"
        )
        self._tell(
            event, title, f"{event.payload.get('severity')} · given by @{event.payload.get('by')}"
        )

    def _tell(self, event: FeedEvent, title: str, body: str, *, urgent: bool = False) -> None:
        incident_id = event.incident_id or int(event.payload.get("incident_id", 0))
        if title == "Reminder":
            title = f"{event.payload.get('ref')} — {event.payload.get('title')}"
        self.env.notifier.notify(
            incident_key(incident_id), title, body, urgent=urgent, actions=((OPEN, "Open"),)
        )

    def _on_notifier_action_invoked(self, key: str, action: str) -> None:
        if key.startswith("incident:") and action == OPEN:
            self.show_requested.emit()
            self.open_incident(int(key.removeprefix("incident:")))

    # ------------------------------------------------------------------ slots

    def _on_role_failed(self, error: Any) -> None:
        from warroom.domain.errors import ConflictError

        if isinstance(error, ConflictError):
            self.role_conflict.emit(str(error))
            self._detail_soon.start()  # show what the database decided
        self.show_error(error)

    def _on_room_back_requested(self) -> None:
        self._leave()
        self.current, self.detail = None, None
        self._load_list()

    def _on_room_severity_requested(self, severity: str) -> None:
        from warroom.ui.incidents.dialogs import TextDialog

        incident = self.current
        reason = TextDialog.ask(self.view.window(), f"Change to {severity}", "Why?")
        if incident is None or reason is None:
            return

        def change(context: ServiceContext) -> str:
            from warroom.services.incidents.lifecycle import change_severity

            return change_severity(context, incident, severity, reason)

        self.submit(change, lambda _old: None, self.show_error)

    def _on_room_close_requested(self) -> None:
        incident = self.current
        if incident is None:
            return

        def follow_ups(context: ServiceContext) -> list[str]:
            from warroom.services.incidents.queries import open_follow_ups

            return open_follow_ups(context, incident)

        def ask(items: list[str]) -> None:
            from warroom.ui.incidents.dialogs import CloseDialog

            summary = CloseDialog.ask(self.view.window(), incident_ref(incident), items)
            if summary is None:
                return

            def close(context: ServiceContext) -> None:
                from warroom.services.incidents.lifecycle import close

                close(context, incident, summary)

            self.submit(close, lambda _none: None, self.show_error)

        self.submit(follow_ups, ask)

    def _on_room_propose_close_requested(self) -> None:
        from warroom.ui.incidents.dialogs import TextDialog

        incident = self.current
        note = TextDialog.ask(
            self.view.window(), "Propose closing", "Why can it close? (the commander decides)"
        )
        if incident is None or note is None:
            return

        def propose(context: ServiceContext) -> None:
            from warroom.services.incidents.lifecycle import propose_close

            propose_close(context, incident, note)

        self.submit(propose, lambda _none: None, self.show_error)

    def _on_room_reopen_requested(self) -> None:
        from warroom.ui.incidents.dialogs import TextDialog

        incident = self.current
        reason = TextDialog.ask(self.view.window(), "Reopen", "Why is it back?")
        if incident is None or reason is None:
            return

        def reopen(context: ServiceContext) -> None:
            from warroom.services.incidents.lifecycle import reopen

            reopen(context, incident, reason)

        self.submit(reopen, lambda _none: None, self.show_error)

    def _on_room_link_page_requested(self) -> None:
        from warroom.ui.incidents.dialogs import TextDialog

        incident = self.current
        text = TextDialog.ask(self.view.window(), "Link a page", "Page number (e.g. 42):")
        if incident is None or text is None:
            return
        if not text.lstrip("#").isdigit():
            self.show_error(f"'{text}' is not a page number.")
            return
        page_id = int(text.lstrip("#"))

        def link(context: ServiceContext) -> None:
            from warroom.services.incidents.lifecycle import link_page

            link_page(context, incident, page_id)

        self.submit(link, lambda _none: None, self.show_error)

    def _on_room_undo_requested(self) -> None:
        undo, self._undo = self._undo, None
        if undo is None:
            return
        incident, role, back_to, now_holder = undo

        def revert(context: ServiceContext) -> Any:
            from warroom.services.incidents import roles

            return roles.assign(context, incident, role, back_to, expected_holder=now_holder)

        self.submit(revert, lambda _change: None, self._on_role_failed)

    def _on_board_handover_requested(self, role: str) -> None:
        from warroom.ui.incidents.dialogs import PersonDialog

        people = [(p.handle, p.name) for p in self.view.war_room.bench_model.people()]
        title = "Hand over command to" if role == "incident_commander" else "Hand over to"
        handle = PersonDialog.ask(self.view.window(), title, people)
        if handle is not None:
            self.assign(handle, None, role)

    def _on_bench_search_changed(self, text: str) -> None:
        self._search = text
        self._search_soon.start()
