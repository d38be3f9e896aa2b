"""The QApplication of the desktop app: name, style, font and stylesheet, or a sentence when
there is no screen to show it on."""

from __future__ import annotations

import os
import sys

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from warroom.domain.errors import WarroomError
from warroom.resources import FOLDER
from warroom.ui.common.icons import app_icon


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    if (
        not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
    ):
        raise WarroomError(
            "No screen to show the window on (neither DISPLAY nor WAYLAND_DISPLAY is set). "
            "Run it in a desktop session, or use `warroom demo --no-gui` for the database only."
        )
    # The style as Qt's own option rather than setStyle("Fusion"): choosing between
    # setStyle's overloads makes PySide build QStyle's Python type, ~10 ms of start-up.
    given = argv or sys.argv[:1]
    app = QApplication([*given[:1], "-style", "Fusion", *given[1:]])
    app.setApplicationName("warroom")
    app.setOrganizationName("warroom")
    app.setDesktopFileName("org.warroom.Warroom")
    app.setWindowIcon(app_icon())
    font = QFont(app.font())
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    app.setFont(font)
    app.setStyleSheet((FOLDER / "style.qss").read_text("utf-8"))
    return app
