"""Running ``warroom`` in the test process, and in real processes on real pipes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from warroom.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``warroom ARGV`` in this process: exit code, standard output, standard error."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_argparse(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``warroom ARGV`` that argparse answers itself (help, usage errors) by exiting."""
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(stopped.value.code or 0), out, err


def child_environment(**extra: str) -> dict[str, str]:
    """This process's environment (the test's config and data dirs), with the tests importable.

    The child keeps its passwords in the tests' memory keyring: each process has its own,
    empty one, as on a computer whose keyring holds nothing for warroom yet.
    """
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHON_KEYRING_BACKEND"] = "tests.conftest.MemoryKeyring"
    env.update(extra)
    return env


def run_into_closed_pipe(*argv: str) -> subprocess.CompletedProcess[str]:
    """``warroom ARGV | head -0``: standard output is a pipe nobody reads any more.

    The reading end is closed before the child starts, so its first write fails for certain,
    however short the output and however the scheduler runs the two processes.
    """
    reader, writer = os.pipe()
    os.close(reader)
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "warroom", *argv],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            env=child_environment(),
        )
    finally:
        os.close(writer)
    _, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(child.args, child.returncode, "", err)
