"""The roster view: a correct people model, filters, the timeline, the override dialog."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox

from warroom.domain.schedule import Layer, Restriction, ScheduleRules
from warroom.domain.vocabulary import RestrictionKind, RotationKind
from warroom.services.oncall import ScheduleInfo
from warroom.services.roster_view import PersonRow
from warroom.ui.roster.override_dialog import OverrideDialog
from warroom.ui.roster.people_model import PeopleModel
from warroom.ui.roster.timeline import HEADER_HEIGHT, LABEL_WIDTH, LANE_HEIGHT, ScheduleTimeline

NOW = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)


def rows() -> list[PersonRow]:
    return [
        PersonRow(
            "amara",
            "Amara Okafor",
            "Europe/London",
            ("Platform",),
            ("database", "postgres"),
            ("Platform primary",),
            None,
            None,
        ),
        PersonRow(
            "yuki",
            "Yuki Tanaka",
            "America/New_York",
            ("Payments",),
            ("database", "reconciliation"),
            (),
            NOW + timedelta(hours=5),
            "Payments primary",
        ),
        PersonRow(
            "mei",
            "Mei Chen",
            "America/Los_Angeles",
            ("Storefront",),
            ("front-end", "accessibility"),
            (),
            None,
            None,
        ),
    ]


def make_filtered() -> tuple[PeopleModel, PeopleModel]:
    model = PeopleModel(lambda: NOW)
    model.set_people(rows())
    return model, model


def visible(model: PeopleModel) -> list[str]:
    return [model.data(model.index(r, PeopleModel.HANDLE)) for r in range(model.rowCount())]


def test_people_model_passes_qt_model_tester(qtmodeltester) -> None:
    model, _ = make_filtered()
    qtmodeltester.check(model, force_py=True)  # stays connected: checks the resets below
    model.set_text("data")
    assert model.rowCount() == 2
    model.set_text("")
    assert model.rowCount() == 3


def test_filter_by_text_and_by_expertise() -> None:
    _, proxy = make_filtered()
    proxy.set_text("DATABASE")
    assert visible(proxy) == ["@amara", "@yuki"]
    proxy.set_text("database payments")  # every word must match
    assert visible(proxy) == ["@yuki"]
    proxy.set_text("")
    proxy.set_expertise("front-end")
    assert visible(proxy) == ["@mei"]
    proxy.set_expertise(None)
    proxy.set_text("platform primary")  # who is on call for it now
    assert visible(proxy) == ["@amara"]


def test_local_time_with_night_and_day_cue() -> None:
    model, _ = make_filtered()
    london = model.data(model.index(0, PeopleModel.LOCAL_TIME))
    new_york = model.data(model.index(1, PeopleModel.LOCAL_TIME))
    assert london.startswith("☾ 23:30 Mon")  # 23:30 in London: night
    assert new_york.startswith("☀ 18:30 Mon")
    assert model.data(model.index(0, PeopleModel.ON_CALL)) == "NOW · Platform primary"
    assert model.data(model.index(1, PeopleModel.ON_CALL)).startswith("next ")


def business_hours_schedule() -> ScheduleInfo:
    days = Restriction(RestrictionKind.DAILY, 9 * 60, 8 * 60)
    rules = ScheduleRules(
        "UTC",
        (
            Layer(
                "Days",
                ("ann", "bob"),
                RotationKind.DAILY,
                9 * 60,
                date(2026, 1, 1),
                restrictions=(days,),
            ),
        ),
    )
    return ScheduleInfo(1, "days", "Days", "t", "Team", "primary", rules)


def test_the_timeline_has_a_lane_per_layer_and_shows_gaps(qtbot) -> None:
    timeline = ScheduleTimeline()
    qtbot.addWidget(timeline)
    timeline.show_schedule(business_hours_schedule(), NOW, {"ann": "Ann"}, zone=UTC)
    assert [lane.title for lane in timeline.lanes] == ["Days", "On call"]
    assert len(timeline.gaps) == 8  # nights, and before the first morning
    image = timeline.grab().toImage()
    assert image.width() >= timeline.minimumWidth()


def test_clicking_a_shift_on_the_timeline_offers_it(qtbot) -> None:
    timeline = ScheduleTimeline()
    qtbot.addWidget(timeline)
    timeline.show_schedule(business_hours_schedule(), NOW, {}, zone=UTC)
    timeline.resize(timeline.minimumSize())
    timeline.show()
    x = LABEL_WIDTH + (24 * 11 + 12 * 11)  # noon on the second day
    y = HEADER_HEIGHT + LANE_HEIGHT + LANE_HEIGHT // 2  # the "On call" lane
    with qtbot.waitSignal(timeline.shift_clicked) as clicked:
        qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    shift = clicked.args[0]
    assert shift.start == datetime(2026, 11, 24, 9, tzinfo=UTC)
    assert shift.person in ("ann", "bob")


def test_the_override_dialog_validates_before_saving(qtbot) -> None:
    info = business_hours_schedule()
    dialog = OverrideDialog(
        [info],
        [("ann", "Ann"), ("bob", "Bob")],
        schedule="days",
        person="bob",
        starts_at=NOW + timedelta(hours=1),
        ends_at=NOW + timedelta(hours=9),
        now=NOW,
    )
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save.isEnabled()
    request = dialog.request()
    assert (request.schedule, request.person) == ("days", "bob")
    assert request.starts_at == NOW + timedelta(hours=1)
    dialog.end_edit.setDateTime(dialog.start_edit.dateTime().addSecs(-60))
    assert not save.isEnabled()
    assert dialog.problem.text() == "The end must be after the start."
