"""The Activity feature: every event of the team, live, with history on demand."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from warroom.domain.events import Cursor, FeedEvent
from warroom.ui.activity.model import ActivityModel
from warroom.ui.common.feature import Environment, Feature

if TYPE_CHECKING:
    from warroom.services.context import ServiceContext
    from warroom.ui.activity.view import ActivityView


class ActivityFeature(Feature):
    """Signals:
    names_loaded(): people's names replace their handles in the Who column.
    """

    key = "activity"
    title = "Activity"
    topics = ("",)  # everything
    names_loaded = Signal()

    def __init__(self, env: Environment, parent: QObject | None = None) -> None:
        super().__init__(env, parent)
        self.model = ActivityModel(clock=env.clock.now, parent=self)
        self.model.history_requested.connect(self._on_model_history_requested)
        self._view: ActivityView | None = None

    @property
    def view(self) -> ActivityView:
        if self._view is None:
            from warroom.ui.activity.view import ActivityView

            self._view = ActivityView(self.model)
        return self._view

    def reload(self) -> None:
        def names(context: ServiceContext) -> dict[str, str]:
            from warroom.services.people import list_people

            return {person.handle: person.name for person in list_people(context)}

        self.submit(names, self._on_names_loaded)

    def on_events(self, events: list[FeedEvent]) -> None:
        self.model.add_live(events)
        if any(e.topic in ("person.created", "roster.imported", "demo.seeded") for e in events):
            self.reload()

    def _on_names_loaded(self, names: dict[str, str]) -> None:
        self.model.set_display_names(names)
        self.names_loaded.emit()

    def _on_model_history_requested(self, before: Cursor) -> None:
        def older(context: ServiceContext) -> list[FeedEvent]:
            from warroom.services.activity import older_events

            return older_events(context, before)

        self.submit(older, self.model.append_history)
