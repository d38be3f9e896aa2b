"""A painted timeline of one schedule: a lane per layer, the final result, gaps in red.

Lanes are computed from the schedule's rules (pure domain, a few milliseconds for a week);
painting only draws what was computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from warroom.domain.schedule import Shift
from warroom.ui.common.timefmt import local_zone

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.oncall import ScheduleInfo

LABEL_WIDTH = 170
LANE_HEIGHT = 34
HEADER_HEIGHT = 30
PIXELS_PER_HOUR = 11
GAP_COLOUR = QColor("#e12d39")
PALETTE = [
    QColor(c)
    for c in (
        "#2680c2",
        "#27ab83",
        "#9446ed",
        "#de911d",
        "#0f609b",
        "#3ebd93",
        "#b990ff",
        "#f0b429",
        "#d64545",
        "#40c3f7",
    )
]


@dataclass(frozen=True)
class Lane:
    title: str
    shifts: tuple[Shift, ...]
    final: bool = False


class ScheduleTimeline(QWidget):
    """The next days of one schedule, one lane per layer plus the result.

    Signals:
        shift_clicked(object): a shift of the final lane was clicked (a :class:`Shift`), e.g.
            to offer "I'll take this shift".
    """

    shift_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.lanes: list[Lane] = []
        self._start = datetime.now().astimezone()
        self._end = self._start
        self._now = self._start
        self._names: dict[str, str] = {}
        self._zone: tzinfo = local_zone()
        self._colours: dict[str, QColor] = {}

    def show_schedule(
        self,
        info: ScheduleInfo | None,
        now: datetime,
        names: dict[str, str],
        days: int = 7,
        zone: tzinfo | None = None,
    ) -> None:
        self._zone = zone or local_zone()
        local_now = now.astimezone(self._zone)
        self._start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        self._end = self._start + timedelta(days=days)
        self._now = now
        self._names = names
        self.lanes = []
        if info is not None:
            for index, layer in enumerate(info.rules.layers):
                shifts = info.rules.layer_shifts(index, self._start, self._end)
                self.lanes.append(Lane(layer.name, tuple(shifts)))
            self.lanes.append(
                Lane("On call", tuple(info.rules.shifts(self._start, self._end)), final=True)
            )
            people = sorted({s.person for lane in self.lanes for s in lane.shifts if s.person})
            self._colours = {p: PALETTE[n % len(PALETTE)] for n, p in enumerate(people)}
        width = (
            LABEL_WIDTH
            + int((self._end - self._start).total_seconds() / 3600 * PIXELS_PER_HOUR)
            + 10
        )
        self.setMinimumSize(
            QSize(width, HEADER_HEIGHT + LANE_HEIGHT * max(1, len(self.lanes)) + 10)
        )
        self.update()

    @property
    def gaps(self) -> list[Shift]:
        final = [lane for lane in self.lanes if lane.final]
        return [s for s in final[0].shifts if s.person is None] if final else []

    def _x(self, instant: datetime) -> float:
        hours = (instant - self._start).total_seconds() / 3600
        return LABEL_WIDTH + hours * PIXELS_PER_HOUR

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.base())
        text_colour = palette.text().color()
        small = QFont(self.font())
        small.setPointSizeF(max(8.0, small.pointSizeF() - 1))
        painter.setFont(small)
        # days
        day = self._start
        while day < self._end:
            x = self._x(day)
            painter.setPen(QPen(palette.mid().color(), 1))
            painter.drawLine(int(x), 0, int(x), self.height())
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(x + 4, 4, 24 * PIXELS_PER_HOUR, HEADER_HEIGHT - 8),
                Qt.AlignmentFlag.AlignVCenter,
                day.strftime("%a %d %b"),
            )
            day = (day + timedelta(days=1, hours=2)).replace(hour=0)
        # lanes
        for row, lane in enumerate(self.lanes):
            top = HEADER_HEIGHT + row * LANE_HEIGHT
            font = QFont(self.font())
            font.setBold(lane.final)
            painter.setFont(font)
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(8, top, LABEL_WIDTH - 12, LANE_HEIGHT),
                Qt.AlignmentFlag.AlignVCenter,
                lane.title,
            )
            painter.setFont(small)
            for shift in lane.shifts:
                if shift.person is None and not lane.final:
                    continue
                left, right = self._x(shift.start), self._x(shift.end)
                rect = QRectF(left + 1, top + 4, max(1.0, right - left - 2), LANE_HEIGHT - 8)
                colour = (
                    GAP_COLOUR
                    if shift.person is None
                    else self._colours.get(shift.person, PALETTE[0])
                )
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour if shift.person else colour.lighter(150))
                painter.drawRoundedRect(rect, 4, 4)
                label = (
                    "gap: nobody on call"
                    if shift.person is None
                    else self._names.get(shift.person, shift.person)
                )
                if shift.override:
                    label = f"↻ {label}"
                if rect.width() > 40:
                    painter.setPen(QColor("white") if shift.person else QColor("#610404"))
                    painter.drawText(
                        rect.adjusted(6, 0, -4, 0),
                        Qt.AlignmentFlag.AlignVCenter,
                        painter.fontMetrics().elidedText(
                            label, Qt.TextElideMode.ElideRight, int(rect.width()) - 10
                        ),
                    )
        # now
        if self._start <= self._now < self._end:
            x = self._x(self._now)
            painter.setPen(QPen(QColor("#cf1124"), 2))
            painter.drawLine(int(x), HEADER_HEIGHT - 6, int(x), self.height())
        painter.end()

    def shift_at(self, point: QPoint) -> tuple[Lane, Shift] | None:
        row = (point.y() - HEADER_HEIGHT) // LANE_HEIGHT
        if point.x() < LABEL_WIDTH or not 0 <= row < len(self.lanes):
            return None
        lane = self.lanes[row]
        instant = self._start + timedelta(hours=(point.x() - LABEL_WIDTH) / PIXELS_PER_HOUR)
        for shift in lane.shifts:
            if shift.start <= instant < shift.end:
                return lane, shift
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        found = self.shift_at(event.position().toPoint())
        if found is None:
            QToolTip.hideText()
            return
        _, shift = found
        who = (
            "Nobody on call"
            if shift.person is None
            else self._names.get(shift.person, shift.person)
        )
        start, end = shift.start.astimezone(self._zone), shift.end.astimezone(self._zone)
        extra = " (override)" if shift.override else ""
        QToolTip.showText(
            event.globalPosition().toPoint(),
            f"{who}{extra}\n{start:%a %d %b %H:%M} – {end:%a %d %b %H:%M}",
            self,
        )

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        found = self.shift_at(event.position().toPoint())
        if found is not None and found[0].final and event.button() == Qt.MouseButton.LeftButton:
            self.shift_clicked.emit(found[1])
