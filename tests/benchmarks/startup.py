"""Start-up: process start → main window shown, warroom on the demo database vs a bare window.

    .venv/bin/python tests/benchmarks/startup.py [--runs 9]

Both are measured the same way, alternately, in the same run: the parent notes the wall clock
before starting the process; the child reports when its window has painted for the first time
(the first UpdateRequest on the top-level window, after which the backing store is flushed).
The figure is the ratio of the medians (target ≤ 1.3).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = r"""
import sys, time
start = float(sys.argv[1])
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
class Window(QMainWindow):
    painted = False
    def event(self, event):
        handled = super().event(event)
        if not self.painted and event.type() == QEvent.Type.UpdateRequest:
            self.painted = True
            print(time.time() - start, flush=True)
            app.quit()
        return handled
app = QApplication(sys.argv[:1])
window = Window()
window.setCentralWidget(QLabel("bare"))
window.resize(1180, 760)
window.show()
app.exec()
"""

WARROOM = r"""
import sys, time
start = float(sys.argv[1])
import warroom.ui.common.main_window as main_window
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
shown = main_window.MainWindow.showEvent
def showEvent(self, event):
    shown(self, event)
    QTimer.singleShot(0, lambda: (print(time.time() - start, flush=True), self.close(),
                                  QApplication.quit()))
main_window.MainWindow.showEvent = showEvent
from warroom.cli import main
sys.exit(main(sys.argv[2:]))
"""


def measure(script: str, *args: str, env: dict[str, str]) -> float:
    start = time.time()
    result = subprocess.run(
        [sys.executable, "-c", script, repr(start), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    if result.returncode != 0:
        raise SystemExit(f"child failed:\n{result.stderr}")
    return float(result.stdout.strip().splitlines()[0])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "WARROOM_CONFIG_DIR": str(Path(tmp) / "config"),
            "WARROOM_DATA_DIR": str(Path(tmp) / "data"),
        }
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        database = f"sqlite:///{Path(tmp) / 'demo.db'}"
        subprocess.run(
            [sys.executable, "-m", "warroom", "demo", "--no-gui", "--database", database],
            check=True,
            env=env,
            capture_output=True,
        )
        measure(BARE, env=env)  # warm the file cache for both
        measure(WARROOM, "--database", database, env=env)
        bare, warroom = [], []
        for _ in range(args.runs):
            bare.append(measure(BARE, env=env))
            warroom.append(measure(WARROOM, "--database", database, env=env))
    bare_median, warroom_median = statistics.median(bare), statistics.median(warroom)
    print(f"bare PySide6 window : median {bare_median * 1000:6.0f} ms  (runs: {len(bare)})")
    print(f"warroom main window : median {warroom_median * 1000:6.0f} ms  (demo database)")
    print(f"ratio warroom/bare  : {warroom_median / bare_median:.2f}  (target <= 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
