"""The Runbooks feature: the library searched as you type, a reader, and ticks per incident."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from warroom.domain.events import FeedEvent
from warroom.ui.common.feature import Environment, Feature, ignore_result

if TYPE_CHECKING:
    from warroom.domain.runbook_search import RunbookIndex
    from warroom.services.context import ServiceContext
    from warroom.services.incidents.queries import IncidentRow
    from warroom.services.runbooks import RunbookDetail, RunbookSummary
    from warroom.ui.runbooks.view import RunbooksView

_TICKS = ("runbook.step_ticked", "runbook.step_unticked")


class RunbooksFeature(Feature):
    """Signals:
    runbooks_loaded(): the library (and its search index) is on screen.
    runbook_shown(str): a runbook (slug) is shown in the reader, with fresh ticks.
    """

    key = "runbooks"
    title = "Runbooks"
    #: Of incidents, what changes the "Progress for" list (which are open, and how they read).
    topics = (
        "runbook.",
        "demo.",
        "incident.declared",
        "incident.status_changed",
        "incident.severity_changed",
        "incident.closed",
        "incident.reopened",
    )
    runbooks_loaded = Signal()
    runbook_shown = Signal(str)

    def __init__(self, env: Environment, parent: QObject | None = None) -> None:
        super().__init__(env, parent)
        self._view: RunbooksView | None = None

    @property
    def view(self) -> RunbooksView:
        if self._view is None:
            from warroom.ui.runbooks.view import RunbooksView

            view = self._view = RunbooksView()
            view.runbook_chosen.connect(self._on_view_runbook_chosen)
            view.context_changed.connect(self._on_view_context_changed)
            view.reader.step_toggled.connect(self._on_reader_step_toggled)
        return self._view

    def reload(self) -> None:
        self._load_library()
        self._load_incidents()

    def on_events(self, events: list[FeedEvent]) -> None:
        topics = {event.topic for event in events}
        if topics & {"runbook.imported", "demo.seeded"}:
            self._load_library()
        if any(topic.startswith(("incident.", "demo.")) for topic in topics):
            self._load_incidents()
        slug = self.view.selected_slug()
        if slug and any(e.topic in _TICKS and e.payload.get("slug") == slug for e in events):
            self._show_selected()

    def show_runbook(self, slug: str) -> None:
        """Select a runbook in the library (e.g. "Open runbook" on a page)."""
        self.view.select(slug)

    # ------------------------------------------------------------------ loading

    def _load_library(self) -> None:
        def load(context: ServiceContext) -> tuple[list[RunbookSummary], RunbookIndex]:
            from warroom.domain.runbook_search import RunbookIndex
            from warroom.services.runbooks import list_runbooks, searchable_library

            return list_runbooks(context), RunbookIndex(searchable_library(context))

        def loaded(result: tuple[list[RunbookSummary], RunbookIndex]) -> None:
            self.view.set_library(*result)
            self.runbooks_loaded.emit()

        self.submit(load, loaded)

    def _load_incidents(self) -> None:
        def load(context: ServiceContext) -> list[IncidentRow]:
            from warroom.services.incidents.queries import open_incidents

            return open_incidents(context)

        self.submit(load, self.view.set_incidents)

    def _show_selected(self) -> None:
        slug = self.view.selected_slug()
        if slug is None:
            return
        incident = self.view.incident_id()

        def load(context: ServiceContext) -> RunbookDetail:
            from warroom.services.runbooks import get_runbook

            return get_runbook(context, slug, incident_id=incident)

        def show(detail: RunbookDetail) -> None:
            if self.view.selected_slug() == detail.summary.slug:
                label = self.view.context.currentText() if incident else None
                self.view.reader.show_runbook(detail, label)
                self.runbook_shown.emit(detail.summary.slug)

        self.submit(load, show)

    # ------------------------------------------------------------------ slots

    def _on_view_runbook_chosen(self, _slug: str) -> None:
        self._show_selected()

    def _on_view_context_changed(self) -> None:
        self._show_selected()

    def _on_reader_step_toggled(self, key: str, done: bool) -> None:
        slug = self.view.selected_slug()
        incident = self.view.incident_id()
        if slug is None:
            return
        if incident is None:
            self.show_info(
                'Choose the incident you are working on ("Progress for") to tick steps, '
                "or open the page from the Pages list."
            )
            return

        def tick(context: ServiceContext) -> None:
            from warroom.services.runbooks import set_step

            set_step(context, slug, key, done, incident_id=incident)

        self.submit(tick, ignore_result)
