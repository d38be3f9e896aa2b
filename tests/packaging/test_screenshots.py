"""tools/screenshots.py still finds every view it photographs for the README."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from tests.cli.runner import child_environment

ROOT = Path(__file__).resolve().parents[2]
EVERY_VIEW = [
    "activity",
    "roster",
    "pages",
    "incidents",
    "war-room",
    "runbooks",
    "escalations",
    "transcript",
]


def test_one_run_saves_a_screenshot_of_every_view(tmp_path: Path) -> None:
    script = str(ROOT / "tools" / "screenshots.py")
    size = ["--width", "1000", "--height", "640"]
    done = subprocess.run(
        [sys.executable, script, "--out", str(tmp_path), *size],
        capture_output=True,
        text=True,
        env=child_environment(QT_QPA_PLATFORM="offscreen"),
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    saved = sorted(path.name for path in tmp_path.glob("*.png"))
    assert saved == sorted(f"{view}.png" for view in EVERY_VIEW)
    for name in saved:
        image = QImage(str(tmp_path / name))
        assert (image.width(), image.height()) == (1000, 640), name
