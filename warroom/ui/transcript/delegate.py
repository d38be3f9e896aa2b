"""How one row of the timeline is painted: the wall time and T+, the kind as a coloured chip
with its sign, the speaker, the words, and what is true of the entry (sending, edited, done,
who wrote it when that is not the speaker).

Rows are one line high and all alike (the view asks the size once, not 100,000 times); the
whole text of a long entry is in the row's tooltip and in the detail under the list.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPixmap, QPixmapCache
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from warroom.domain.transcript import MARK_TITLE, t_plus
from warroom.ui.common.timefmt import local_zone
from warroom.ui.transcript.items import Item

_Index = QModelIndex | QPersistentModelIndex

#: Each kind's colour and sign, alike in the editor's chip, the rows and the filter.
KIND_STYLE: Mapping[str, tuple[str, str]] = {
    "said": ("#2f6fdf", "❝"),
    "did": ("#199473", "⚙"),
    "decided": ("#7b4fd6", "⚑"),
    "action": ("#d9730d", "☐"),
    "felt": ("#c2407a", "♥"),
    "note": ("#616e7c", "✎"),
    "status": ("#3e4c59", "◆"),
    "severity": ("#ab091e", "▲"),
    "role": ("#0b6e99", "●"),
    "page": ("#8a4b08", "☎"),
    "update": ("#2d8a6e", "✉"),
    "runbook": ("#5a6b7b", "✓"),
}
PENDING_COLOUR = "#b44d12"
_PAD = 6


class TimelineDelegate(QStyledItemDelegate):
    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.declared_at: datetime | None = None
        self.names: Mapping[str, str] = {}
        self.zone: tzinfo = local_zone()
        self._generation = 0
        self._space = id(self)  # two panels never share a row's pixmap
        # A screenful of rows, twice over, at ~110 KB a row: above Qt's default 10 MB.
        QPixmapCache.setCacheLimit(max(QPixmapCache.cacheLimit(), 32 * 1024))

    @staticmethod
    def row_height(font: QFont) -> int:
        return QFontMetrics(font).height() + 10

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(0, self.row_height(option.font))

    def restyle(self) -> None:
        """The names or the incident's clock changed: rows painted before are stale."""
        self._generation += 1

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """From a pixmap painted once per row and look: when a row arrives, the view repaints
        every row on screen, on every desktop, and text layout is most of that work."""
        from warroom.ui.transcript.model import TimelineModel

        item: Item | None = index.data(TimelineModel.ItemRole)
        if item is None:
            return
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        version = item.entry.version if item.entry is not None else 0
        key = (
            f"timeline:{self._space}:{self._generation}:{item.key}:{item.uuid}:{version}:"
            f"{item.pending}:{item.done}:{selected}:{rect.width()}x{rect.height()}"
        )
        pixmap: QPixmap | None = QPixmapCache.find(key)  # type: ignore[call-overload]
        if pixmap is None:
            ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
            pixmap = QPixmap(rect.size() * ratio)
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            canvas = QPainter(pixmap)
            self._draw(canvas, QRect(0, 0, rect.width(), rect.height()), option, item, selected)
            canvas.end()
            QPixmapCache.insert(key, pixmap)
        painter.drawPixmap(rect.topLeft(), pixmap)

    def _draw(
        self,
        painter: QPainter,
        rect: QRect,
        option: QStyleOptionViewItem,
        item: Item,
        selected: bool,
    ) -> None:
        palette: QPalette = option.palette
        painter.save()
        if selected:
            painter.fillRect(rect, palette.highlight())
        text_colour = palette.highlightedText().color() if selected else palette.text().color()
        muted = QColor(text_colour)
        muted.setAlpha(150)
        font: QFont = QFont(option.font)
        metrics = QFontMetrics(font)
        x = rect.left() + _PAD
        middle = rect.top(), rect.height()

        local = item.at.astimezone(self.zone)
        painter.setPen(text_colour)
        painter.setFont(font)
        x = self._text(
            painter, x, middle, metrics.horizontalAdvance("00:00:00 "), f"{local:%H:%M:%S}"
        )
        if self.declared_at is not None:
            painter.setPen(muted)
            stamp = t_plus(item.at, self.declared_at)
            x = self._text(painter, x, middle, metrics.horizontalAdvance("T+00:00:00  "), stamp)

        colour, sign = KIND_STYLE.get(item.kind, ("#616e7c", "•"))
        if item.kind == "action" and item.done:
            sign = "☑"
        chip_font = QFont(font)
        chip_font.setPointSizeF(max(font.pointSizeF() * 0.8, 6.0))
        chip_font.setBold(True)
        chip_metrics = QFontMetrics(chip_font)
        chip_width = chip_metrics.horizontalAdvance("✎ SEVERITY") + 10
        chip = QRect(x, rect.top() + 4, chip_width, rect.height() - 8)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawRoundedRect(chip, 4, 4)
        painter.setPen(QColor("white"))
        painter.setFont(chip_font)
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, f"{sign} {item.kind.upper()}")
        x = chip.right() + 8

        painter.setFont(font)
        if item.is_entry:
            bold = QFont(font)
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(text_colour)
            who = self.names.get(item.who, item.who) if item.who else ""
            if item.mark:
                who = MARK_TITLE.get(item.mark, item.mark)
            width = QFontMetrics(bold).horizontalAdvance("Siobhan Kelly  ")
            if who:
                x = self._text(painter, x, middle, width - 10, who, QFontMetrics(bold)) + 10
            painter.setFont(font)

        tail = self._tail(item)
        tail_width = metrics.horizontalAdvance(tail) + 8 if tail else 0
        words = item.text.replace("\n", " ⏎ ")
        if item.owner:
            words = f"{words}  → @{item.owner}"
        if not item.is_entry:
            italic = QFont(font)
            italic.setItalic(True)
            painter.setFont(italic)
            painter.setPen(muted)
            words = f"@{item.who} {words}" if item.who else words
        else:
            painter.setPen(text_colour)
            if item.kind == "action" and item.done:
                struck = QFont(font)
                struck.setStrikeOut(True)
                painter.setFont(struck)
        room = max(rect.right() - _PAD - tail_width - x, 0)
        self._text(painter, x, middle, room, words, QFontMetrics(painter.font()))
        if tail:
            painter.setFont(font)
            painter.setPen(QColor(PENDING_COLOUR) if item.pending and not selected else muted)
            painter.drawText(
                QRect(rect.right() - _PAD - tail_width, rect.top(), tail_width, rect.height()),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight),
                tail,
            )
        painter.restore()

    def _tail(self, item: Item) -> str:
        parts = []
        if item.pending:
            parts.append("sending…")
        if item.edited:
            parts.append("edited")
        if item.is_entry and item.author and item.author != item.who:
            parts.append(f"by @{item.author}")
        return " · ".join(parts)

    @staticmethod
    def _text(
        painter: QPainter,
        x: int,
        band: tuple[int, int],
        width: int,
        text: str,
        metrics: QFontMetrics | None = None,
    ) -> int:
        metrics = metrics or QFontMetrics(painter.font())
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
        painter.drawText(
            QRect(x, band[0], width, band[1]),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            shown,
        )
        return x + width
