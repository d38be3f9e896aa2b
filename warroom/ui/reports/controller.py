"""The Escalations feature: who is paged, who acknowledges, who lets pages escalate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from warroom.domain.events import FeedEvent
from warroom.ui.common.feature import Environment, Feature

if TYPE_CHECKING:
    from warroom.services.context import ServiceContext
    from warroom.services.metrics import EscalationReport
    from warroom.ui.reports.view import ReportsView


class ReportsFeature(Feature):
    """Signals:
    report_loaded(): a fresh report is on screen.
    """

    key = "reports"
    title = "Escalations"
    topics = ("page.acknowledged", "page.escalated", "page.resolved", "demo.")
    report_loaded = Signal()

    def __init__(self, env: Environment, parent: QObject | None = None) -> None:
        super().__init__(env, parent)
        self._view: ReportsView | None = None
        self._reload_soon = QTimer(self)  # a flood of escalations: one report, not thousands
        self._reload_soon.setSingleShot(True)
        self._reload_soon.setInterval(2000)
        self._reload_soon.timeout.connect(self.reload)

    @property
    def view(self) -> ReportsView:
        if self._view is None:
            from warroom.ui.reports.view import ReportsView

            self._view = ReportsView()
            self._view.days_changed.connect(self._on_view_days_changed)
        return self._view

    def reload(self) -> None:
        days = self.view.selected_days()

        def load(context: ServiceContext) -> EscalationReport:
            from warroom.services.metrics import escalation_report

            return escalation_report(context, days)

        self.submit(load, self._on_report_loaded)

    def on_events(self, events: list[FeedEvent]) -> None:
        if not self._reload_soon.isActive():
            self._reload_soon.start()

    def shutdown(self) -> None:
        self._reload_soon.stop()
        super().shutdown()

    def _on_report_loaded(self, report: EscalationReport) -> None:
        self.view.set_report(report)
        self.report_loaded.emit()

    def _on_view_days_changed(self, _days: int) -> None:
        self.reload()
