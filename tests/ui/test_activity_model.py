"""The Activity model is a correct Qt model and a faithful adapter of feed events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QModelIndex, Qt

from warroom.domain.events import Cursor, FeedEvent
from warroom.ui.activity.model import ActivityModel

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def event(n: int, topic: str = "person.created", **payload) -> FeedEvent:
    return FeedEvent(
        id=n,
        tx=0,
        at=NOW - timedelta(minutes=100 - n),
        actor="ada",
        topic=topic,
        entity=topic.split(".")[0],
        entity_id=str(n),
        payload=payload or {"name": f"Person {n}", "handle": f"p{n}"},
        incident_id=7 if n % 2 else None,
    )


def make_model() -> ActivityModel:
    return ActivityModel(clock=lambda: NOW, zone=UTC)


def test_the_model_passes_qt_model_tester(qtmodeltester) -> None:
    model = make_model()
    model.add_live([event(1), event(2), event(3)])
    qtmodeltester.check(model, force_py=True)
    model.add_live([event(4)])
    model.append_history([event(0)])
    qtmodeltester.check(model, force_py=True)


def test_live_events_go_on_top_newest_first() -> None:
    model = make_model()
    model.add_live([event(1), event(2)])
    model.add_live([event(3)])
    assert [model.event_at(r).id for r in range(model.rowCount())] == [3, 2, 1]
    assert model.data(model.index(0, ActivityModel.WHAT)) == "added Person 3 (@p3) to the roster"
    assert model.data(model.index(0, ActivityModel.INCIDENT)) == "#7"
    assert model.data(model.index(1, ActivityModel.INCIDENT)) == ""


def test_an_event_is_never_shown_twice() -> None:
    model = make_model()
    model.add_live([event(1), event(2)])
    model.add_live([event(2), event(3)])
    model.append_history([event(1), event(0)])
    assert [model.event_at(r).id for r in range(model.rowCount())] == [3, 2, 1, 0]


def test_scrolling_to_the_end_asks_for_older_history(qtbot) -> None:
    model = make_model()
    assert not model.canFetchMore(QModelIndex())  # nothing yet: nothing to page from
    model.add_live([event(5), event(6)])
    with qtbot.waitSignal(model.history_requested) as blocker:
        model.fetchMore(QModelIndex())
    assert blocker.args == [Cursor(0, 5)]
    assert not model.canFetchMore(QModelIndex())  # one request at a time
    model.append_history([event(4), event(3)])
    assert model.canFetchMore(QModelIndex())
    model.append_history([])  # the beginning of time
    assert not model.canFetchMore(QModelIndex())


def test_who_shows_names_once_known_and_times_in_the_viewers_zone() -> None:
    model = make_model()
    model.add_live([event(99)])
    assert model.data(model.index(0, ActivityModel.WHO)) == "ada"
    model.set_display_names({"ada": "Ada Lovelace"})
    assert model.data(model.index(0, ActivityModel.WHO)) == "Ada Lovelace"
    assert model.data(model.index(0, ActivityModel.WHEN)) == "11:59:00"
    tooltip = model.data(model.index(0, ActivityModel.WHEN), Qt.ItemDataRole.ToolTipRole)
    assert "11:59:00 UTC" in tooltip


def test_unknown_topics_from_newer_clients_still_read() -> None:
    model = make_model()
    model.add_live(
        [FeedEvent(1, 0, NOW, "bob", "widget.frobbed", "widget", "42", {"summary": "frobbed hard"})]
    )
    assert (
        model.data(model.index(0, ActivityModel.WHAT)) == "widget frobbed widget 42: frobbed hard"
    )
