"""The icons: SVG sources, PNG sizes made from them, and the app and the tray using them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtGui import QImage

from warroom.ui.common.icons import APP_ICON, app_icon, named_icon
from warroom.ui.paging.tray import ICONS, TrayController, TrayState

ROOT = Path(__file__).resolve().parents[2]
ICONS_DIR = ROOT / "resources" / "icons"


def _render_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_icons", ROOT / "tools/render_icons.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("render_icons", module)
    spec.loader.exec_module(module)
    return module


SOURCES = sorted(ICONS_DIR.glob("*.svg"))


def test_the_app_icon_and_the_four_tray_states_have_sources() -> None:
    stems = {svg.stem for svg in SOURCES}
    assert stems == {APP_ICON, *ICONS.values()}
    assert set(ICONS) == set(TrayState)


def _difference(one: QImage, other: QImage) -> float:
    """Mean difference per channel, 0 to 255, of two images of one size."""
    assert one.size() == other.size()
    one = one.convertToFormat(QImage.Format.Format_RGBA8888)
    other = other.convertToFormat(QImage.Format.Format_RGBA8888)
    a, b = bytes(one.constBits()), bytes(other.constBits())
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


@pytest.mark.parametrize("svg", SOURCES, ids=lambda svg: svg.stem)
def test_every_png_is_drawn_from_its_svg(qapp, svg: Path) -> None:
    # A small tolerance lets a newer Qt anti-alias a little differently; an edited SVG whose
    # PNGs were not made again differs by far more. The fix: python tools/render_icons.py
    tool = _render_icons()
    for size in tool.sizes_of(svg.stem):
        png = tool.png_path(svg.stem, size)
        assert png.is_file(), f"{png} is missing: run python tools/render_icons.py"
        shipped = QImage(str(png))
        assert (shipped.width(), shipped.height()) == (size, size)
        assert _difference(shipped, tool.render(svg, size)) < 2.0, (
            f"{png} no longer matches {svg.name}: run python tools/render_icons.py"
        )


def test_no_png_without_its_svg() -> None:
    stems = {svg.stem for svg in SOURCES}
    strays = [png for png in ICONS_DIR.glob("png/*/*.png") if png.stem not in stems]
    assert strays == []


def test_the_app_and_the_tray_use_the_shipped_icons(qapp) -> None:
    tool = _render_icons()
    sizes = {size.width() for size in app_icon().availableSizes()}
    assert sizes == set(tool.APP_SIZES)
    tray = TrayController()
    images = {}
    for state in TrayState:
        tray.set_state(state)
        icon = tray.icon.icon()
        assert {size.width() for size in icon.availableSizes()} == set(tool.TRAY_SIZES)
        images[state] = icon.pixmap(32, 32).toImage()
    # four states, four different pictures
    for state, image in images.items():
        shipped = QImage(str(tool.png_path(ICONS[state], 32)))
        assert _difference(image, shipped) < 1.0
    assert len({bytes(image.constBits()) for image in images.values()}) == 4


def test_a_missing_icon_is_an_error_not_a_blank_tray(qapp) -> None:
    with pytest.raises(FileNotFoundError, match="tray-nonexistent"):
        named_icon("tray-nonexistent")
