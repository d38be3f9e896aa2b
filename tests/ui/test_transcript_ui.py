"""The scribe's transcript on the desktop, through the real widgets: the first keystroke's time
(a fake clock), speaker completion and the kind prefixes and shortcuts (key clicks), action
items, backdating, editing in place with its revision, a conflicting edit shown with both
texts, delete with Undo, entries from another desktop merged by their time, the filters, and
the journal replayed at start."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QTextBrowser
from sqlalchemy import select
from sqlalchemy.engine import make_url

from warroom.domain.clock import FakeClock
from warroom.engine.scribe_journal import JournalEntry, ScribeJournal
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.incidents import lifecycle, roles
from warroom.services.incidents.queries import incident_detail
from warroom.services.transcript import entries
from warroom.store.config import data_dir, load_settings, save_settings
from warroom.store.database import Database
from warroom.store.models import TranscriptEntry, TranscriptRevision
from warroom.ui.app import WarroomApp
from warroom.ui.common.timefmt import full_time, local_zone
from warroom.ui.transcript.controller import JOURNAL_FILE
from warroom.ui.transcript.items import entry_item, event_item
from warroom.ui.transcript.model import TimelineModel

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
#: The completion popup offscreen: the plugin cannot raise it or grab the keyboard.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def seeded(database_url: str) -> str:
    database = Database(make_url(database_url))
    seed_demo(ServiceContext(database, "tester", FakeClock(NOW - timedelta(days=7))))
    database.dispose()
    return database_url


@pytest.fixture
def incident(seeded: str, as_person) -> int:
    """A SEV2 declared by amara a minute ago, with hana and felix on the board."""
    amara = as_person("amara")
    amara.clock.set(NOW - timedelta(minutes=1))  # type: ignore[attr-defined]
    declared = lifecycle.declare(amara, title="Search empty", severity="SEV2", service="web-shop")
    roles.assign(amara, declared.id, "primary_responder", "hana")
    roles.assign(amara, declared.id, "secondary_responder", "felix")
    amara.clock.set(NOW)  # type: ignore[attr-defined]
    return declared.id


@pytest.fixture
def open_app(qtbot, url_as) -> Iterator[Callable[..., WarroomApp]]:
    apps: list[WarroomApp] = []

    def start(handle: str, clock: FakeClock | None = None) -> WarroomApp:
        url = url_as(handle)
        save_settings(user=handle)
        warroom = WarroomApp(
            load_settings(url), clock or FakeClock(NOW), feed_poll=0.2, run_engine=False
        )
        qtbot.addWidget(warroom.window)
        with qtbot.waitSignal(warroom.incidents.incidents_loaded, timeout=10_000):
            warroom.start()
        apps.append(warroom)
        return warroom

    yield start
    for warroom in apps:
        warroom.window.close()


def _open(qtbot, app: WarroomApp, incident: int) -> None:
    app.window.show_view("incidents")
    with qtbot.waitSignal(
        app.transcript.timeline_loaded, timeout=10_000, check_params_cb=lambda i: i == incident
    ):
        app.incidents.open_incident(incident)
    app.transcript.view.editor.setFocus()


def _type(qtbot, app: WarroomApp, text: str) -> None:
    """Type a line and press Enter; wait until the database has it."""
    editor = app.transcript.view.editor
    with qtbot.waitSignal(app.transcript.entry_saved, timeout=10_000):
        QTest.keyClicks(editor, text)
        QTest.keyClick(editor, Qt.Key.Key_Return)


def _rows(database_url: str, incident: int) -> list[TranscriptEntry]:
    database = Database(make_url(database_url))
    try:
        with database.reading() as session:
            found = session.scalars(
                select(TranscriptEntry)
                .where(TranscriptEntry.incident_id == incident)
                .order_by(TranscriptEntry.occurred_at, TranscriptEntry.id)
            )
            rows = list(found)
            session.expunge_all()
            return rows
    finally:
        database.dispose()


def _speaker(database_url: str, entry: TranscriptEntry) -> str | None:
    from warroom.store.models import Person

    database = Database(make_url(database_url))
    try:
        with database.reading() as session:
            return session.scalar(select(Person.handle).where(Person.id == entry.speaker_id))
    finally:
        database.dispose()


def _shown(app: WarroomApp) -> list[str]:
    model = app.transcript.view.model
    return [model.item(n).text for n in range(model.rowCount()) if model.item(n).is_entry]


def test_an_entry_is_timed_at_its_first_keystroke_not_at_enter(
    qtbot, open_app, incident, database_url
) -> None:
    clock = FakeClock(NOW)
    mei = open_app("mei", clock)
    _open(qtbot, mei, incident)
    editor = mei.transcript.view.editor
    QTest.keyClicks(editor, "Hana")
    clock.advance(timedelta(seconds=40))  # the scribe keeps typing while Hana talks
    QTest.keyClicks(editor, " says the alias points at a half-built index")
    assert "T+00:01:00" in mei.transcript.view.state.text()  # declared a minute before
    with qtbot.waitSignal(mei.transcript.entry_saved, timeout=10_000):
        QTest.keyClick(editor, Qt.Key.Key_Return)
    assert editor.toPlainText() == ""
    assert editor.hasFocus()

    [entry] = _rows(database_url, incident)
    assert entry.occurred_at == NOW  # the first keystroke, not NOW + 40 s
    assert entry.recorded_at == NOW + timedelta(seconds=40)
    assert (entry.kind, entry.author) == ("said", "mei")
    assert entry.body == "Hana says the alias points at a half-built index"


def test_speakers_complete_after_at_and_stay_until_changed(
    qtbot, open_app, incident, database_url
) -> None:
    mei = open_app("mei")
    _open(qtbot, mei, incident)
    panel = mei.transcript.view
    editor = panel.editor
    QTest.keyClicks(editor, "@han")
    popup = editor.completer.popup()
    assert popup is not None
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    assert "@hana" in str(popup.currentIndex().data())  # the board comes first
    QTest.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "@hana "
    QTest.keyClicks(editor, "the alias is wrong")
    with qtbot.waitSignal(mei.transcript.entry_saved, timeout=10_000):
        QTest.keyClick(editor, Qt.Key.Key_Return)
    _type(qtbot, mei, "and yesterday's index is complete")  # still hana
    QTest.keyClick(editor, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)  # the 2nd on board
    second = panel.board_people()[1].handle
    _type(qtbot, mei, "checking the rebuild's log")

    first, again, third = _rows(database_url, incident)
    assert first.body == "the alias is wrong"
    assert [_speaker(database_url, e) for e in (first, again, third)] == ["hana", "hana", second]


def test_kinds_by_prefix_and_by_shortcut_and_action_items_with_owners(
    qtbot, open_app, incident, database_url, as_person
) -> None:
    mei = open_app("mei")
    _open(qtbot, mei, incident)
    panel = mei.transcript.view
    _type(qtbot, mei, "/d Point the alias back at yesterday's index")
    assert panel.kind == "said"  # a prefix is for its line only
    bench = mei.incidents.view.war_room.bench
    bench.list.setCurrentIndex(bench.list.model().index(0, 0))  # someone picked on the bench
    QTest.keyClick(panel.editor, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert panel.kind == "did"  # Ctrl+2 stays
    detail = incident_detail(as_person("amara"), incident)  # …and made nobody a responder
    assert [h.handle for h in detail.roles["primary_responder"]] == ["hana"]
    _type(qtbot, mei, "POST _aliases products-eu")
    _type(qtbot, mei, "/a @felix make the rebuild fail on rejected writes")
    _type(qtbot, mei, "/var/log/rebuild.log has the rejections")  # a path, not a prefix

    rows = _rows(database_url, incident)
    assert [(e.kind, e.body) for e in rows] == [
        ("decided", "Point the alias back at yesterday's index"),
        ("did", "POST _aliases products-eu"),
        ("action", "make the rebuild fail on rejected writes"),
        ("did", "/var/log/rebuild.log has the rejections"),
    ]
    action = rows[2]
    database = Database(make_url(database_url))
    try:
        with database.reading() as session:
            from warroom.store.models import Person

            assert session.get(Person, action.owner_id).handle == "felix"  # type: ignore[union-attr]
    finally:
        database.dispose()

    # Mark done from the timeline: the row shows it, and the follow-ups no longer list it.
    row = next(n for n in range(panel.model.rowCount()) if panel.model.item(n).kind == "action")
    assert not panel.model.item(row).done
    mei.transcript._on_panel_done_requested(action.id, True)
    qtbot.waitUntil(
        lambda: any(i.kind == "action" and i.done for i in panel.model.entries()), timeout=5000
    )


def test_a_time_at_the_start_backdates_and_the_timeline_sorts_by_it(
    qtbot, open_app, incident, database_url
) -> None:
    mei = open_app("mei")
    _open(qtbot, mei, incident)
    _type(qtbot, mei, "now the cache purge is done")
    earlier = (NOW - timedelta(minutes=3)).astimezone(local_zone())
    _type(qtbot, mei, f"{earlier:%H:%M} /d was said on the bridge before I joined")

    first, second = _rows(database_url, incident)
    assert (first.body, first.kind) == ("was said on the bridge before I joined", "decided")
    assert first.occurred_at == NOW - timedelta(minutes=3)
    assert second.body == "now the cache purge is done"
    qtbot.waitUntil(lambda: len(_shown(mei)) == 2, timeout=5000)
    assert _shown(mei) == [first.body, second.body]


def test_up_edits_my_last_entry_and_the_revision_keeps_the_original(
    qtbot, open_app, incident, database_url
) -> None:
    mei = open_app("mei")
    _open(qtbot, mei, incident)
    editor = mei.transcript.view.editor
    _type(qtbot, mei, "rollback strated")
    QTest.keyClick(editor, Qt.Key.Key_Up)
    assert editor.toPlainText() == "rollback strated"
    editor.selectAll()
    QTest.keyClicks(editor, "rollback started")
    (entry,) = _rows(database_url, incident)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _rows(database_url, incident)[0].version == entry.version + 1)
    (edited,) = _rows(database_url, incident)
    assert edited.body == "rollback started"
    qtbot.waitUntil(lambda: _shown(mei) == ["rollback started"], timeout=5000)

    database = Database(make_url(database_url))
    try:
        with database.reading() as session:
            kept = session.scalars(
                select(TranscriptRevision.body)
                .where(TranscriptRevision.entry_id == entry.id)
                .order_by(TranscriptRevision.version)
            ).all()
    finally:
        database.dispose()
    assert kept == ["rollback strated", "rollback started"]

    # Edited afterwards with a time at the start: it moves, and the revisions keep the time
    # it had; "Show revisions…" lists every state.
    earlier = (NOW - timedelta(minutes=5)).astimezone(local_zone())
    QTest.keyClick(editor, Qt.Key.Key_Up)
    editor.selectAll()
    QTest.keyClicks(editor, f"{earlier:%H:%M} rollback started")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _rows(database_url, incident)[0].version == edited.version + 1)
    assert _rows(database_url, incident)[0].occurred_at == NOW - timedelta(minutes=5)
    mei.transcript._on_panel_revisions_requested(entry.id)
    qtbot.waitUntil(lambda: bool(mei.transcript.view.findChildren(QDialog)), timeout=5000)
    shown = mei.transcript.view.findChildren(QDialog)[-1]
    text = shown.findChild(QTextBrowser).toPlainText()
    assert [line for line in text.splitlines() if line.startswith("Version")] == [
        f"Version {n} · said · happened {when}"
        for n, when in (
            (1, full_time(NOW)),
            (2, full_time(NOW)),
            (3, full_time(NOW - timedelta(minutes=5))),
        )
    ]
    shown.close()


def test_a_concurrent_edit_is_refused_with_both_texts_and_mine_can_be_applied(
    qtbot, open_app, incident, database_url, as_person
) -> None:
    mei = open_app("mei")
    _open(qtbot, mei, incident)
    panel = mei.transcript.view
    _type(qtbot, mei, "felix restarted the indexer")
    QTest.keyClick(panel.editor, Qt.Key.Key_Up)  # mei starts editing…
    (entry,) = _rows(database_url, incident)
    entries.edit(as_person("felix"), entry.id, entry.version, body="felix paused the indexer")
    panel.editor.selectAll()
    QTest.keyClicks(panel.editor, "felix restarted the indexer twice")
    QTest.keyClick(panel.editor, Qt.Key.Key_Return)  # …and saves over a stale copy

    qtbot.waitUntil(panel.conflict_bar.isVisible, timeout=5000)
    text = panel.conflict_text.text()
    assert "felix paused the indexer" in text
    assert "felix restarted the indexer twice" in text
    assert _rows(database_url, incident)[0].body == "felix paused the indexer"  # not overwritten

    panel._on_apply_mine_clicked()
    qtbot.waitUntil(
        lambda: _rows(database_url, incident)[0].body == "felix restarted the indexer twice",
        timeout=5000,
    )


def test_delete_takes_the_entry_away_and_undo_brings_it_back(
    qtbot, open_app, incident, database_url
) -> None:
    mei = open_app("mei")
    _open(qtbot, mei, incident)
    panel = mei.transcript.view
    _type(qtbot, mei, "a line typed into the wrong incident")
    qtbot.waitUntil(lambda: _shown(mei) == ["a line typed into the wrong incident"], timeout=5000)
    row = next(n for n in range(panel.model.rowCount()) if panel.model.item(n).is_entry)
    panel.view.setFocus()
    panel.view.setCurrentIndex(panel.model.index(row))
    QTest.keyClick(panel.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: _shown(mei) == [], timeout=5000)
    assert _rows(database_url, incident)[0].deleted
    assert panel.undo_bar.isVisible()
    panel._on_undo_clicked()
    qtbot.waitUntil(lambda: _shown(mei) == ["a line typed into the wrong incident"], timeout=5000)
    assert not _rows(database_url, incident)[0].deleted


def test_another_desktops_entries_merge_by_their_time(
    qtbot, open_app, incident, database_url, as_person
) -> None:
    mei = open_app("mei")
    _open(qtbot, mei, incident)
    _type(qtbot, mei, "second")
    hana = as_person("hana")
    entries.record(
        hana,
        entries.NewEntry(incident, "hana-0001-earlier", "first", NOW - timedelta(seconds=30)),
    )
    entries.record(
        hana, entries.NewEntry(incident, "hana-0002-later", "third", NOW + timedelta(seconds=30))
    )
    qtbot.waitUntil(lambda: _shown(mei) == ["first", "second", "third"], timeout=10_000)
    # The status change is in the same timeline, between the entries by its time.
    lifecycle.set_status(as_person("amara"), incident, "identified")
    qtbot.waitUntil(
        lambda: any(
            mei.transcript.view.model.item(n).kind == "status"
            and "identified" in mei.transcript.view.model.item(n).text
            for n in range(mei.transcript.view.model.rowCount())
        ),
        timeout=10_000,
    )


def test_an_entry_too_long_for_its_event_is_fetched(qtbot, open_app, incident, as_person) -> None:
    mei = open_app("mei")
    _open(qtbot, mei, incident)
    pasted = "stack trace line\n" * 200  # 3,400 characters: the event carries no words
    entries.record(as_person("hana"), entries.NewEntry(incident, "hana-paste-0001", pasted, NOW))
    qtbot.waitUntil(lambda: _shown(mei) == [pasted.strip()], timeout=10_000)


def test_the_filters_narrow_by_kind_person_and_words(qtbot, open_app, incident) -> None:
    mei = open_app("mei")
    _open(qtbot, mei, incident)
    panel = mei.transcript.view
    _type(qtbot, mei, "@hana the alias is wrong")
    _type(qtbot, mei, "/d @felix roll the alias back")
    _type(qtbot, mei, "/f @felix everyone is tense")
    qtbot.waitUntil(lambda: len(_shown(mei)) == 3, timeout=5000)

    panel.kinds.setCurrentText("Decided")
    assert _shown(mei) == ["roll the alias back"]
    panel.kinds.setCurrentText("Everything")
    panel.person.setCurrentIndex(panel.person.findData("felix"))
    assert _shown(mei) == ["roll the alias back", "everyone is tense"]
    panel.person.setCurrentIndex(0)
    QTest.keyClicks(panel.search, "ALIAS")
    assert _shown(mei) == ["the alias is wrong", "roll the alias back"]
    assert panel.count.text().endswith("of " + f"{panel.model.total():,}")


def test_the_journal_is_replayed_at_start(qtbot, open_app, incident, database_url) -> None:
    journal = ScribeJournal(data_dir() / JOURNAL_FILE)
    journal.append(
        JournalEntry(
            "crashed-0001-before-send",
            incident,
            "typed just before the laptop died",
            "said",
            (NOW - timedelta(minutes=2)).isoformat(),
            "mei",
            speaker="hana",
        )
    )
    mei = open_app("mei")
    qtbot.waitUntil(lambda: len(_rows(database_url, incident)) == 1, timeout=10_000)
    (entry,) = _rows(database_url, incident)
    assert (entry.client_uuid, entry.occurred_at) == (
        "crashed-0001-before-send",
        NOW - timedelta(minutes=2),
    )
    qtbot.waitUntil(lambda: not mei.transcript.journal.pending(), timeout=5000)
    lines = (data_dir() / JOURNAL_FILE).read_text().splitlines()
    assert [json.loads(line)["op"] for line in lines] == ["entry", "sent"]


def test_the_timeline_model_passes_qt_model_tester_while_entries_come_and_go(
    qtmodeltester,
) -> None:
    from warroom.domain.events import FeedEvent
    from warroom.services.transcript.rows import EntryRow

    def row(n: int, at: datetime, deleted: bool = False) -> EntryRow:
        return EntryRow(
            n,
            1,
            f"uuid-{n:04d}",
            "said",
            f"entry {n}",
            None,
            "mei",
            at,
            at,
            deleted,
            1,
            None,
            None,
            None,
            None,
            None,
        )

    model = TimelineModel()
    model.reset([entry_item(row(n, NOW + timedelta(seconds=10 * n))) for n in range(1, 6)])
    qtmodeltester.check(model, force_py=True)
    model.put(entry_item(row(9, NOW + timedelta(seconds=15))))  # between 1 and 2
    model.put(entry_item(row(3, NOW + timedelta(seconds=1))))  # backdated: moves to the top
    model.put(entry_item(row(4, NOW, deleted=True)))  # deleted: leaves
    event = FeedEvent(
        7,
        0,
        NOW + timedelta(seconds=12),
        "amara",
        "incident.status_changed",
        "incident",
        "1",
        {"ref": "INC-1", "status": "identified"},
        1,
    )
    item = event_item(event)
    assert item is not None
    model.put(item)
    model.put(item)  # the feed and the load both brought it: once
    assert [model.item(n).text for n in range(model.rowCount())] == [
        "entry 3",
        "entry 1",
        "moved INC-1 to identified",
        "entry 9",
        "entry 2",
        "entry 5",
    ]
    model.set_filter(frozenset({"said"}), "", "entry")
    assert model.rowCount() == 5
    qtmodeltester.check(model, force_py=True)


def test_a_long_timeline_paints_only_the_rows_on_screen(qtbot, monkeypatch) -> None:
    """100,000 entries: the first paint asks the model about the rows it shows, not about
    every row (what made a list view take a quarter of a second to lay them out)."""
    from warroom.services.transcript.rows import EntryRow
    from warroom.ui.transcript.items import order
    from warroom.ui.transcript.panel import Person, TranscriptPanel

    asked = {"rowCount": 0, "data": 0}
    row_count, data = TimelineModel.rowCount, TimelineModel.data

    def counting_row_count(self, parent=QModelIndex()):  # noqa: B008
        asked["rowCount"] += 1
        return row_count(self, parent)

    def counting_data(self, index, role=Qt.ItemDataRole.DisplayRole):
        asked["data"] += 1
        return data(self, index, role)

    monkeypatch.setattr(TimelineModel, "rowCount", counting_row_count)
    monkeypatch.setattr(TimelineModel, "data", counting_data)
    items = order(
        entry_item(
            EntryRow(
                n,
                1,
                f"uuid-{n:06d}",
                "said",
                f"entry {n}",
                None,
                "mei",
                NOW + timedelta(seconds=n),
                NOW,
                False,
                1,
                None,
                None,
                None,
                None,
                None,
            )
        )
        for n in range(100_000)
    )
    panel = TranscriptPanel(lambda: NOW, "mei")
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    asked.update(rowCount=0, data=0)
    panel.show_timeline("INC-1", NOW, items, [Person("mei", "Mei Chen", 0, "Scribe")])
    panel.repaint()
    assert panel.model.rowCount() == 100_000
    assert asked["rowCount"] < 1_000
    assert asked["data"] < 2_000
    last = panel.view.rowAt(panel.view.viewport().height() - 2)
    assert last == 99_999  # at the bottom, where the scribe writes


def test_the_line_says_what_it_did_not_record(qtbot, open_app, incident, database_url) -> None:
    mei = open_app("mei")
    _open(qtbot, mei, incident)
    panel = mei.transcript.view
    QTest.keyClicks(panel.editor, "/d")
    QTest.keyClick(panel.editor, Qt.Key.Key_Return)
    assert "needs words after its prefix" in panel.state.text()
    assert panel.editor.toPlainText() == "/d"  # kept, for the words to follow
    panel.editor.clear()
    ahead = (NOW + timedelta(minutes=30)).astimezone(local_zone())  # today's is still to come
    QTest.keyClicks(panel.editor, f"{ahead:%H:%M} the deploy started")
    QTest.keyClick(panel.editor, Qt.Key.Key_Return)
    assert "long before the incident was declared" in panel.state.text()
    panel.editor.clear()
    _type(qtbot, mei, "/a @nobody fix the rebuild")
    assert "@nobody is not on the roster" in panel.state.text()
    [entry] = _rows(database_url, incident)  # only the last one was recorded
    assert (entry.kind, entry.body, entry.owner_id) == ("action", "@nobody fix the rebuild", None)
