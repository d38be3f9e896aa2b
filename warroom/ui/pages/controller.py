"""The Pages feature: the workspace where a page is read and acted on beside its runbook.

What the user does to a page goes out as a signal (the root hands acknowledgements to the
paging feature, which keeps them on disk while the database is away); the runbook's ticks
are this feature's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from warroom.domain.events import FeedEvent
from warroom.ui.common.feature import Environment, Feature, ignore_result

if TYPE_CHECKING:
    from warroom.services.context import ServiceContext
    from warroom.services.paging.queries import PageDetail, PageRow
    from warroom.services.runbooks import RunbookDetail
    from warroom.ui.pages.view import PagesView

_TICKS = ("runbook.step_ticked", "runbook.step_unticked")


class PagesFeature(Feature):
    """Signals:
    pages_loaded(): the list shows fresh pages.
    page_shown(int): a page's detail (and its runbook, if any) is on screen.
    runbook_shown(str): the page's runbook (slug) is shown, with fresh ticks.
    acknowledge_requested(int), resolve_requested(int), escalate_requested(int, str):
        the user acted on a page; the paging feature carries it out.
    open_runbook_requested(str): show this runbook in the Runbooks view.
    declare_incident_requested(int, str): declare an incident from this page (id, summary).
    open_incident_requested(int): show this incident's war room.
    """

    key = "pages"
    title = "Pages"
    #: Of incidents, only what changes which pages belong to one.
    topics = (
        "page.",
        "demo.",
        "incident.declared",
        "incident.page_",
        "runbook.",
        "person.",
        "roster.",
    )
    pages_loaded = Signal()
    page_shown = Signal(int)
    runbook_shown = Signal(str)
    acknowledge_requested = Signal(int)
    resolve_requested = Signal(int)
    escalate_requested = Signal(int, str)
    open_runbook_requested = Signal(str)
    declare_incident_requested = Signal(int, str)
    open_incident_requested = Signal(int)

    def __init__(self, env: Environment, parent: QObject | None = None) -> None:
        super().__init__(env, parent)
        self._view: PagesView | None = None
        self._pending_open: int | None = None
        self._reload_soon = QTimer(self)  # a delivery of fifty alerts: one reload
        self._reload_soon.setSingleShot(True)
        self._reload_soon.setInterval(150)
        self._reload_soon.timeout.connect(self._load_pages)

    @property
    def view(self) -> PagesView:
        if self._view is None:
            from warroom.ui.pages.view import PagesView

            view = self._view = PagesView(self.env.clock.now)
            view.page_chosen.connect(self._on_view_page_chosen)
            view.acknowledge_requested.connect(self.acknowledge_requested)
            view.resolve_requested.connect(self.resolve_requested)
            view.escalate_requested.connect(self.escalate_requested)
            view.open_runbook_requested.connect(self.open_runbook_requested)
            view.declare_requested.connect(self.declare_incident_requested)
            view.open_incident_requested.connect(self.open_incident_requested)
            view.link_copied.connect(lambda link: self.show_info(f"Copied {link}"))
            view.reader.step_toggled.connect(self._on_reader_step_toggled)
        return self._view

    def reload(self) -> None:
        self._load_pages()
        self._load_people()

    def on_events(self, events: list[FeedEvent]) -> None:
        current = self.view.current
        if any(not e.topic.startswith("runbook.") for e in events):
            self._reload_soon.start()
        if any(e.topic.startswith(("person.", "roster.", "demo.")) for e in events):
            self._load_people()
        if current is None:
            return
        touched = any(
            (e.entity == "page" and e.entity_id == str(current.id))
            or (
                e.topic in _TICKS
                and e.payload.get("slug") == current.runbook_slug
                and e.payload.get("page_id") == current.id
            )
            for e in events
        )
        if touched:
            self._load_detail(current)

    def open_page(self, page_id: int) -> None:
        """Show one page (from a notification, the tray, a link)."""
        if not self.view.open_page(page_id):
            self._pending_open = page_id  # not loaded yet: selected when the list arrives

    def shutdown(self) -> None:
        self._reload_soon.stop()
        super().shutdown()

    # ------------------------------------------------------------------ loading

    def _load_pages(self) -> None:
        viewer = self.env.user

        def load(context: ServiceContext) -> list[PageRow]:
            from warroom.services.paging.queries import recent_pages

            return recent_pages(context, viewer)

        self.submit(load, self._on_pages_loaded)

    def _load_people(self) -> None:
        def load(context: ServiceContext) -> tuple[dict[str, str], list[str]]:
            from warroom.services.people import list_people

            people = list_people(context)
            tags = sorted({tag for person in people for tag in person.expertise})
            return {p.handle: p.name for p in people}, tags

        def loaded(result: tuple[dict[str, str], list[str]]) -> None:
            self.view.detail.names, self.view.expertise = result

        self.submit(load, loaded)

    def _load_detail(self, page: PageRow) -> None:
        viewer = self.env.user
        page_id, slug = page.id, page.runbook_slug

        def load(context: ServiceContext) -> tuple[PageDetail, RunbookDetail | None]:
            from warroom.services.paging.queries import page_detail
            from warroom.services.runbooks import get_runbook

            detail = page_detail(context, page_id, viewer)
            runbook_slug = detail.row.runbook_slug or slug
            runbook = get_runbook(context, runbook_slug, page_id=page_id) if runbook_slug else None
            return detail, runbook

        self.submit(load, self._on_detail_loaded)

    def _on_pages_loaded(self, rows: list[PageRow]) -> None:
        self.view.set_pages(rows)
        if self._pending_open is not None and self.view.open_page(self._pending_open):
            self._pending_open = None
        self.pages_loaded.emit()

    def _on_detail_loaded(self, loaded: tuple[PageDetail, RunbookDetail | None]) -> None:
        detail, runbook = loaded
        current = self.view.current
        if current is None or current.id != detail.row.id:
            return  # the user has moved on
        self.view.detail.show_detail(detail)
        self.view.reader.show_runbook(runbook, f"page #{detail.row.id}")
        self.page_shown.emit(detail.row.id)
        if runbook is not None:
            self.runbook_shown.emit(runbook.summary.slug)

    # ------------------------------------------------------------------ slots

    def _on_view_page_chosen(self, page: PageRow) -> None:
        self._load_detail(page)

    def _on_reader_step_toggled(self, key: str, done: bool) -> None:
        page = self.view.current
        if page is None or not page.runbook_slug:
            return
        slug, page_id = page.runbook_slug, page.id

        def tick(context: ServiceContext) -> None:
            from warroom.services.runbooks import set_step

            set_step(context, slug, key, done, page_id=page_id)

        self.submit(tick, ignore_result)
