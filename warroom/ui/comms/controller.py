"""The Stakeholder updates feature: the composer and the updates sent of the incident whose
war room is open, the reminder that an update is due (with "Write update" and snoozes), and
the offer of an update when the incident is mitigated or resolved here.

It has no view of its own in the navigation: the root puts its panel in the war room and
tells it which incident is open (``show_incident``) and when this desktop changed an
incident's status (``offer_update``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from warroom.domain.comms import AUDIENCE_TITLE, PROMPTING_STATUSES, SNOOZE_MINUTES
from warroom.domain.events import FeedEvent
from warroom.domain.incidents import incident_ref
from warroom.ui.common.feature import Environment, Feature

if TYPE_CHECKING:
    from warroom.services.comms.updates import ComposerFacts, Posted, UpdateRow
    from warroom.services.context import ServiceContext
    from warroom.ui.comms.panel import UpdatesPanel

WRITE = "write"
SNOOZE = "snooze:"


def notice_key(incident_id: int, audience: str) -> str:
    return f"update:{incident_id}:{audience}"


class CommsFeature(Feature):
    """Signals:
    updates_loaded(int): the panel shows fresh facts and updates of this incident.
    update_posted(int): an update (its id) was posted from this desktop.
    open_incident_requested(int): show this incident's war room (from a reminder).
    """

    key = "comms"
    topics = ("status_update.", "incident.")
    updates_loaded = Signal(int)
    update_posted = Signal(int)
    open_incident_requested = Signal(int)

    def __init__(self, env: Environment, parent: QObject | None = None) -> None:
        super().__init__(env, parent)
        self._panel: UpdatesPanel | None = None
        self.current: int | None = None
        self._offer: tuple[int, str] | None = None  # shown once that incident has loaded
        self._reload_soon = QTimer(self)
        self._reload_soon.setSingleShot(True)
        self._reload_soon.setInterval(100)
        self._reload_soon.timeout.connect(self._load)
        env.notifier.action_invoked.connect(self._on_notifier_action_invoked)

    @property
    def view(self) -> UpdatesPanel:
        """The panel the root adds to the war room ("Stakeholder updates")."""
        if self._panel is None:
            from warroom.ui.comms.panel import UpdatesPanel

            self._panel = UpdatesPanel(self.env.clock.now)
            self._panel.post_requested.connect(self._on_panel_post_requested)
        return self._panel

    # ------------------------------------------------------------------ the root calls these

    def reload(self) -> None:
        if self.current is not None:
            self._load()

    def show_incident(self, incident_id: int) -> None:
        """The war room of this incident is open: show its updates."""
        self.current = incident_id
        self._load()

    def offer_update(self, incident_id: int, status: str) -> None:
        """This desktop moved the incident to ``status``: at mitigated or resolved, offer
        the composer with that status filled in."""
        if status not in PROMPTING_STATUSES:
            return
        if self.current != incident_id or self.view.facts is None:
            self._offer = (incident_id, status)
            self.show_incident(incident_id)
            return
        self._offer_now(incident_id, status)

    def _offer_now(self, incident_id: int, status: str) -> None:
        self.view.offer_status(
            status,
            f"{incident_ref(incident_id)} is {status} now: tell the stakeholders. "
            "The composer has the new status filled in.",
        )

    def compose(self, incident_id: int, audience: str) -> None:
        """Open the war room at the composer, for an audience (a reminder's "Write update")."""
        self.open_incident_requested.emit(incident_id)  # the root opens it: show_incident
        if self.current != incident_id:
            self.show_incident(incident_id)
        self.view.set_audience(audience)
        self.view.bring_forward()

    def on_events(self, events: list[FeedEvent]) -> None:
        me = self.env.user
        for event in events:
            incident_id = int(event.payload.get("incident_id") or event.incident_id or 0)
            audience = str(event.payload.get("audience") or "")
            if event.topic == "status_update.due" and event.payload.get("handle") == me:
                self._remind(event, incident_id, audience)
            elif event.topic in ("status_update.posted", "status_update.snoozed"):
                self.env.notifier.withdraw(notice_key(incident_id, audience))
        if self.current is not None and any(
            (e.incident_id or e.payload.get("incident_id")) == self.current for e in events
        ):
            self._reload_soon.start()

    def on_clock_tick(self) -> None:
        if self._panel is not None:
            self._panel.refresh_due()

    def shutdown(self) -> None:
        self._reload_soon.stop()
        super().shutdown()

    # ------------------------------------------------------------------ loading and posting

    def _load(self) -> None:
        incident = self.current
        if incident is None:
            return

        def load(context: ServiceContext) -> tuple[int, ComposerFacts, list[UpdateRow]]:
            from warroom.services.comms.updates import composer_facts, list_updates

            return incident, composer_facts(context, incident), list_updates(context, incident)

        def loaded(result: tuple[int, ComposerFacts, list[UpdateRow]]) -> None:
            incident_id, facts, rows = result
            if incident_id != self.current:
                return  # another war room was opened meanwhile
            self.view.show_incident(facts, rows)
            offer, self._offer = self._offer, None
            if offer is not None and offer[0] == incident_id:
                self._offer_now(*offer)
            self.updates_loaded.emit(incident_id)

        self.submit(load, loaded, self.show_error)

    def _on_panel_post_requested(self, audience: str, status: str, body: str) -> None:
        incident = self.current
        if incident is None:
            return

        def post(context: ServiceContext) -> Posted:
            from warroom.services.comms.updates import post_update

            return post_update(context, incident, audience, body, status)

        def posted(done: Posted) -> None:
            going = f", and it goes to {', '.join(done.deliveries)}" if done.deliveries else ""
            self.view.posted(f"Posted to {AUDIENCE_TITLE[done.audience].lower()}{going}.")
            self.env.notifier.withdraw(notice_key(incident, done.audience))
            self.update_posted.emit(done.id)
            self._load()

        self.submit(post, posted, self.show_error)

    # ------------------------------------------------------------------ reminders

    def _remind(self, event: FeedEvent, incident_id: int, audience: str) -> None:
        payload = event.payload
        title = AUDIENCE_TITLE.get(audience, audience).lower()
        due = str(payload.get("due_at") or "")
        when = ""
        if due:
            when = f" · due {datetime.fromisoformat(due).astimezone():%H:%M}"
        self.env.notifier.notify(
            notice_key(incident_id, audience),
            f"{payload.get('ref')}: time to update {title}",
            f"{payload.get('title')} · {payload.get('severity')}{when}",
            actions=(
                (WRITE, "Write update"),
                *((f"{SNOOZE}{m}", f"Snooze {m} min") for m in SNOOZE_MINUTES),
            ),
        )

    def _on_notifier_action_invoked(self, key: str, action: str) -> None:
        if not key.startswith("update:"):
            return
        _, incident_text, audience = key.split(":", 2)
        incident_id = int(incident_text)
        if action == WRITE:
            self.compose(incident_id, audience)
        elif action.startswith(SNOOZE):
            self._snooze(incident_id, audience, int(action.removeprefix(SNOOZE)))

    def _snooze(self, incident_id: int, audience: str, minutes: int) -> None:
        def snooze(context: ServiceContext) -> datetime:
            from warroom.services.comms.reminders import snooze

            return snooze(context, incident_id, audience, minutes)

        def snoozed(until: datetime) -> None:
            self.env.notifier.withdraw(notice_key(incident_id, audience))
            self.show_info(
                f"The {AUDIENCE_TITLE[audience].lower()} update of {incident_ref(incident_id)} "
                f"can wait until {until.astimezone():%H:%M}; you will be reminded then."
            )

        self.submit(snooze, snoozed, self.show_error)
