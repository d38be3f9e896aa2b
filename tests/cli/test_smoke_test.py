"""``warroom --smoke-test``: the check CI runs on the bundle, run here on the source tree.

Real processes, because what is checked is the exit status and what reaches the terminal.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.cli.runner import child_environment, run_argparse


def _smoke_test(database_url: str) -> subprocess.CompletedProcess[str]:
    environ = child_environment()
    environ.pop("QT_QPA_PLATFORM", None)  # the switch itself must choose offscreen
    environ.pop("DISPLAY", None)
    environ.pop("WAYLAND_DISPLAY", None)
    return subprocess.run(
        [sys.executable, "-m", "warroom", "--smoke-test", "--database", database_url],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def test_the_window_paints_the_views_load_and_the_app_exits_cleanly(sqlite_url: str) -> None:
    before = time.time()
    done = _smoke_test(sqlite_url)
    assert done.returncode == 0, done.stdout + done.stderr
    first, passed = done.stdout.splitlines()
    painted_at = float(first.removeprefix("first paint at ").split()[0])
    assert before < painted_at < time.time()
    assert passed.startswith("smoke test passed")
    assert done.stderr == ""  # no Qt warning, no thread left complaining on the way out


def test_a_database_that_does_not_open_fails_the_smoke_test(tmp_path) -> None:
    done = _smoke_test(f"sqlite:///{tmp_path / 'missing.db'}")
    assert done.returncode == 1
    assert done.stderr.startswith("warroom: The smoke test failed: the database failed: ")
    assert "there is no warroom database" in done.stderr.lower()
    assert done.stderr.count("\n") == 1  # one sentence, no traceback


def test_the_smoke_test_opens_the_window_not_the_tray(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_argparse(capsys, "--smoke-test", "--tray")
    assert code == 2
    assert "not allowed with argument --smoke-test" in err


def test_a_view_that_cannot_load_fails_the_smoke_test(sqlite_url: str) -> None:
    # The window paints and the database opens, but a view showing an error is not a working
    # installation. A process of its own (the smoke test ends its application's event loop,
    # which would end this test process's too), with the roster's query broken in it.
    broken = (
        "import sys\n"
        "import warroom.services.roster_view as roster_view\n"
        "def broken(context):\n"
        "    raise RuntimeError('the roster query broke')\n"
        "roster_view.roster_snapshot = broken\n"
        "from warroom.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    environ = child_environment()
    environ.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run(
        [sys.executable, "-c", broken, "--smoke-test", "--database", sqlite_url],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "warroom: The smoke test failed: " in done.stderr
    assert "the roster query broke" in done.stderr.splitlines()[-1]
