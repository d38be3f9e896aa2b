"""The ``warroom`` command as a process: its exit status, its start-up, its pipes."""

from __future__ import annotations

import subprocess
import sys

from tests.cli.runner import child_environment


def test_the_module_runs_as_a_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "warroom", "db", "upgrade", "--database", "mysql://x@y/z"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("warroom: warroom supports SQLite and PostgreSQL")
    assert "Traceback" not in result.stderr


def test_version_and_help_answer_without_loading_the_database_layers() -> None:
    code = (
        "import sys\n"
        "from warroom.cli import main\n"
        "for argv in (['--version'], ['--help'], ['page', 'list', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit as stop:\n"
        "        assert stop.code == 0, stop.code\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'PySide6')]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=child_environment()
    )
    assert result.returncode == 0, result.stderr
    assert "warroom 0." in result.stdout
