"""Render the PNG sizes of every icon in resources/icons/ from its SVG source.

    python tools/render_icons.py

The SVGs are the source; the PNGs are what the platforms and the tray need (a tray host, a
Windows .ico or a macOS .icns wants fixed sizes, and a PNG needs no SVG plugin to load), so
they are committed beside them, made only by this script. Run it after editing an SVG;
tests/packaging/test_icons.py fails while a PNG no longer matches its SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"

#: The application icon: freedesktop's hicolor sizes, 256 for Windows, 512 for macOS.
APP_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
#: Tray icons: what tray hosts ask for, doubled for high-DPI screens.
TRAY_SIZES = (16, 22, 24, 32, 44, 48, 64)


def sizes_of(stem: str) -> tuple[int, ...]:
    return TRAY_SIZES if stem.startswith("tray-") else APP_SIZES


def render(svg: Path, size: int) -> QImage:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def png_path(stem: str, size: int) -> Path:
    return ICONS / "png" / str(size) / f"{stem}.png"


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    for svg in sorted(ICONS.glob("*.svg")):
        for size in sizes_of(svg.stem):
            target = png_path(svg.stem, size)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not render(svg, size).save(str(target), "PNG"):
                raise SystemExit(f"could not write {target}")
            print(target.relative_to(ICONS.parents[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
