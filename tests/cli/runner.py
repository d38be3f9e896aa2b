"""Running ``warroom`` in the test process, and in real processes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from warroom.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``warroom ARGV`` in this process: exit code, standard output, standard error."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


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
