"""The window paints before the database layers are imported: a promise that regressed once
(an import of the acknowledgement queue pulled SQLAlchemy in before the first paint, and
start-up went from 1.5x to 6.8x a bare window), so a test holds it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("sqlalchemy", "alembic", "psycopg", "apscheduler", "keyring", "jeepney", "markdown_it")

#: Runs the real `warroom` command in a fresh interpreter and reports, at the window's first
#: paint, which of the heavy modules are loaded; then quits before the database is opened.
CHILD = r"""
import sys
from PySide6.QtWidgets import QApplication
from warroom.ui.common import main_window

heavy = sys.argv[1].split(",")
built = main_window.MainWindow.__init__


def init(self, *args, **kwargs):
    built(self, *args, **kwargs)

    def painted():
        loaded = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in heavy})
        print("LOADED:" + ",".join(loaded), flush=True)
        QApplication.quit()

    self.first_painted.connect(painted)


main_window.MainWindow.__init__ = init
from warroom.cli import main

sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.timeout(60)
def test_nothing_of_the_database_is_imported_before_the_first_paint(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "WARROOM_CONFIG_DIR": str(tmp_path / "config"),
        "WARROOM_DATA_DIR": str(tmp_path / "data"),
    }
    database = f"sqlite:///{tmp_path / 'warroom.db'}"
    result = subprocess.run(
        [sys.executable, "-c", CHILD, ",".join(HEAVY), "--database", database],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("LOADED:")]
    assert lines, f"the window never painted:\n{result.stdout}\n{result.stderr}"
    loaded = lines[0].removeprefix("LOADED:")
    assert loaded == "", f"imported before the first paint: {loaded}"
