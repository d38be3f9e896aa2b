"""The app's icons, from the PNG sizes shipped in warroom.resources (resources/icons/).

PNGs rather than the SVGs: every Qt build reads PNG without an image-format plugin, so the
window and the tray have their icons in a trimmed bundle too, and each size is drawn for that
size. Bytes are read through importlib.resources, so the icons load from a checkout, a wheel
or a PyInstaller bundle alike.
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QIcon, QPixmap

APP_ICON = "org.warroom.Warroom"


def app_icon() -> QIcon:
    return named_icon(APP_ICON)


def named_icon(stem: str) -> QIcon:
    """Every size of ``resources/icons/png/<size>/<stem>.png``; an error when there is none,
    since a missing icon means a broken installation."""
    icon = QIcon()
    folder = resources.files("warroom.resources") / "icons" / "png"
    for size_folder in folder.iterdir():
        png = size_folder / f"{stem}.png"
        if png.is_file():
            pixmap = QPixmap()
            if pixmap.loadFromData(png.read_bytes(), "PNG"):
                icon.addPixmap(pixmap)
    if icon.isNull():
        raise FileNotFoundError(f"no PNG of the icon {stem!r} in warroom.resources/icons/png")
    return icon
