"""Runbooks in the app: safe reader, page opens its runbook, ticks shared live."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from sqlalchemy import select
from sqlalchemy.engine import make_url

from warroom.domain.clock import FakeClock
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.runbooks import get_runbook, set_step
from warroom.store.config import load_settings
from warroom.store.database import Database
from warroom.store.models import Page, Runbook
from warroom.ui.app import WarroomApp
from warroom.ui.widgets.runbook_reader import RunbookReader, SafeBrowser


def test_the_browser_loads_no_resources(qtbot) -> None:
    browser = SafeBrowser()
    qtbot.addWidget(browser)
    assert browser.loadResource(2, QUrl("https://evil.example/x.png")) is None
    assert browser.loadResource(2, QUrl("file:///etc/passwd")) is None


@pytest.mark.qt_log_ignore("does not support propagateSizeHints")
def test_a_narrow_reader_gives_the_table_of_contents_width_to_the_steps(qtbot) -> None:
    reader = RunbookReader()
    qtbot.addWidget(reader)
    reader.resize(1000, 600)
    reader.show()
    qtbot.waitUntil(lambda: reader.toc.isVisible())
    reader.resize(380, 600)  # beside a page, or in a war-room tab
    qtbot.waitUntil(lambda: not reader.toc.isVisible())
    assert reader.browser.isVisible()
    reader.resize(1000, 600)
    qtbot.waitUntil(lambda: reader.toc.isVisible())


#: A fixed "today": which runbooks are stale (not reviewed in 90 days) depends on it.
TODAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
STALE_ON_TODAY = {"certificate-expiry", "dns", "queue-backlog"}


@pytest.fixture
def demo_app(qtbot, database_url: str) -> Iterator[WarroomApp]:
    database = Database(make_url(database_url))
    seed_demo(ServiceContext(database, "tester", FakeClock(TODAY)))
    database.dispose()
    warroom = WarroomApp(load_settings(database_url), FakeClock(TODAY), feed_poll=0.5)
    qtbot.addWidget(warroom.window)
    with qtbot.waitSignal(warroom.runbooks.runbooks_loaded, timeout=10_000):
        warroom.start()
    qtbot.waitUntil(lambda: warroom.pages.view.model.rowCount() > 0, timeout=5000)
    yield warroom
    warroom.window.close()


def test_the_library_searches_and_marks_stale_runbooks(demo_app) -> None:
    view = demo_app.runbooks.view
    assert len(view.visible_slugs()) == 8
    view.search.setText("patroni")
    assert view.visible_slugs() == ["database-failover"]
    view.search.setText("")
    view.service.setCurrentText("edge")
    assert set(view.visible_slugs()) == {"certificate-expiry", "dns"}
    view.service.setCurrentIndex(0)
    marked = {
        slug
        for n, slug in enumerate(view.visible_slugs())
        if view.results.item(n).text().startswith("⚠ ")
    }
    # reviewed 2026-05-20, 2026-04-02 and 2026-06-30: more than 90 days before TODAY
    assert marked == STALE_ON_TODAY


def test_opening_a_page_opens_its_runbook_and_ticks_are_shared(qtbot, demo_app, database_url):
    view = demo_app.pages.view
    row = next(
        n
        for n in range(view.model.rowCount())
        if view.model.page_at(n).runbook_slug == "elevated-error-rate"
    )
    page = view.model.page_at(row)
    with qtbot.waitSignal(demo_app.pages.runbook_shown, timeout=5000):
        view.table.selectRow(row)
    reader = view.reader
    assert reader.detail.summary.slug == "elevated-error-rate"
    assert f"page #{page.id}" in reader.context_label.text()
    key = reader.rendered.step_keys[0]
    # a tick clicked here is saved, and the reader shows it when the feed says so
    with qtbot.waitSignal(demo_app.pages.runbook_shown, timeout=5000):
        reader.browser.anchorClicked.emit(QUrl(f"step:{key}"))
    assert key in reader.detail.ticks
    assert "ticked by" in reader.rendered.html
    # another client unticks it: this desktop follows within the feed's wake-up
    other = Database(make_url(database_url))
    try:
        with qtbot.waitSignal(demo_app.pages.runbook_shown, timeout=5000):
            set_step(
                ServiceContext(other, "someone", FakeClock()),
                "elevated-error-rate",
                key,
                False,
                page_id=page.id,
            )
    finally:
        other.dispose()
    assert key not in reader.detail.ticks


def test_copy_and_links_in_the_reader(qtbot, monkeypatch, demo_app) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    context = demo_app.context
    reader = RunbookReader()
    qtbot.addWidget(reader)
    reader.show_runbook(get_runbook(context, "database-failover"))
    reader.browser.anchorClicked.emit(QUrl("copy:0"))
    assert "pg_stat_replication" in QGuiApplication.clipboard().text()
    reader.browser.anchorClicked.emit(QUrl("https://status.example.com"))
    reader.browser.anchorClicked.emit(QUrl("javascript:alert(1)"))
    assert opened == ["https://status.example.com"]
    reader.dark.setChecked(True)
    assert "#1f2933" in reader.rendered.html  # the dark background


def test_a_page_without_runbook_says_so(qtbot, demo_app) -> None:
    view = demo_app.pages.view
    row = next(
        n for n in range(view.model.rowCount()) if view.model.page_at(n).runbook_slug is None
    )
    with qtbot.waitSignal(demo_app.pages.page_shown, timeout=5000):
        view.table.selectRow(row)
    assert view.reader.title.text() == "No runbook"
    with demo_app.database.reading() as session:
        page = session.get(Page, view.model.page_at(row).id)
        assert page.runbook_id is None
        assert session.scalar(select(Runbook.id).limit(1)) is not None
