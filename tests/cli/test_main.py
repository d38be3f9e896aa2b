"""The ``warroom`` command as a process: its exit status, its start-up, its pipes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli.runner import child_environment, run, run_argparse, run_into_closed_pipe
from warroom.store.config import data_dir


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


def test_a_usage_error_is_one_sentence_with_exit_status_2(capsys) -> None:
    code, _, err = run_argparse(capsys, "page", "frobnicate")
    assert code == 2
    assert err.startswith("warroom page: argument ACTION: invalid choice: 'frobnicate'")
    assert err.strip().endswith("see `warroom page --help`.")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["oncall"],
        ["oncall", "--json"],
        ["page", "list"],
        ["runbooks", "list"],
        ["--help"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_output_into_a_closed_pipe_ends_quietly(capsys, sqlite_url, argv) -> None:
    assert run(capsys, "demo", "--no-gui", "--database", sqlite_url)[0] == 0
    result = run_into_closed_pipe(*argv, "--database", sqlite_url)
    assert result.returncode == 0
    assert result.stderr == ""
    assert not (data_dir() / "crash.log").exists()  # the child's data dir is the test's


@pytest.mark.parametrize(
    ("argv", "app_only"),
    [
        ([], True),
        (["--tray"], True),
        (["--database", "sqlite:///x.db", "--tray"], True),
        (["--database=sqlite:///x.db"], True),
        (["--smoke-test", "--database", "postgresql://db/w"], True),
        (["page", "list"], False),
        (["--database", "sqlite:///x.db", "page", "list"], False),
        (["--database"], False),  # the full parser says what is missing
        (["--help"], False),
        (["--version"], False),
    ],
)
def test_the_app_starts_without_parsing_every_command(argv, app_only) -> None:
    from warroom.cli import _wants_the_app

    assert _wants_the_app(argv) is app_only
