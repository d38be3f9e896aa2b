"""The app's icons, from the PNG sizes shipped in warroom.resources (resources/icons/).

PNGs rather than the SVGs: every Qt build reads PNG without an image-format plugin, so the
window and the tray have their icons in a trimmed bundle too, and each size is drawn for that
size. Each size is decoded only when Qt first draws it, so the start-up does not pay for the
512-pixel one.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from warroom.resources import FOLDER

APP_ICON = "org.warroom.Warroom"


def app_icon() -> QIcon:
    return named_icon(APP_ICON)


def named_icon(stem: str) -> QIcon:
    """Every size of ``resources/icons/png/<size>/<stem>.png``; an error when there is none,
    since a missing icon means a broken installation."""
    icon = QIcon()
    for size_folder in (FOLDER / "icons" / "png").iterdir():
        png = size_folder / f"{stem}.png"
        if size_folder.name.isdigit() and png.is_file():
            side = int(size_folder.name)
            icon.addFile(str(png), QSize(side, side))
    if icon.isNull():
        raise FileNotFoundError(f"no PNG of the icon {stem!r} in {FOLDER / 'icons' / 'png'}")
    return icon
