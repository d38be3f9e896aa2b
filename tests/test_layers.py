"""Layers are law: nothing below the UI imports Qt, and import-linter's contracts hold."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_layers_below_the_ui_never_load_qt() -> None:
    code = (
        "import sys\n"
        "import warroom.domain, warroom.store, warroom.services, warroom.engine\n"
        "import warroom.services.demo, warroom.services.people, warroom.services.activity\n"
        "import warroom.engine.feed_listener, warroom.store.feed, warroom.store.schema\n"
        "import warroom.cli\n"
        "loaded = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_import_linter_contracts_are_kept() -> None:
    lint_imports = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_composition_root_only_wires() -> None:
    """``ui/app.py`` builds, connects and tears down; a feature's logic lives in its folder.
    Growing past 300 lines is the sign that some has crept back in."""
    lines = (ROOT / "warroom" / "ui" / "app.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 300, f"ui/app.py has {len(lines)} lines; move feature logic out"
