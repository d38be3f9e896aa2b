"""Starting the desktop app as a person does: the window first, everything else after.

The main window's shell (its frame, the banner, the status bar) paints before the features —
their widgets, their models, the notifier, the task runner — are even imported; they are built
in the event loop's next turn, and the database opens after that, on the worker. So the window
is on screen in about the time a bare Qt window takes, whatever the app grows into
(``tests/benchmarks/startup.py`` measures it; ``tests/ui/test_startup.py`` holds the line that
the database layers are not loaded by then).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from warroom.ui.common.application import create_application
from warroom.ui.common.main_window import MainWindow

if TYPE_CHECKING:
    from warroom.store.config import Settings
    from warroom.ui.app import WarroomApp


def run_app(settings: Settings, *, tray: bool = False) -> int:
    """The desktop app's main loop, for ``warroom [--tray]`` and ``warroom demo``."""
    app = create_application()
    app.setQuitOnLastWindowClosed(not tray)
    window = MainWindow()
    built: list[WarroomApp] = []

    def build() -> None:
        from warroom.ui.app import WarroomApp

        warroom = WarroomApp(settings, in_tray=tray, window=window)
        app.aboutToQuit.connect(warroom.shutdown)
        built.append(warroom)
        warroom.start()

    if tray:
        QTimer.singleShot(0, build)  # the tray decides whether the window shows at all
    else:
        window.first_painted.connect(lambda: QTimer.singleShot(0, build))
        window.show()
    return app.exec()
