"""Running ``warroom`` in the test process, and in real processes on real pipes and terminals."""

from __future__ import annotations

import os
import select
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


def run_on_terminal(*argv: str, answer_to: bytes, answer: bytes) -> tuple[int, str]:
    """``warroom ARGV`` on a pseudo-terminal; ``answer`` is typed once ``answer_to`` shows.

    The child gets a session of its own, so the terminal running the tests (if any) is never
    asked; getpass then talks to standard input, which is the pseudo-terminal.
    """
    primary, secondary = os.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "warroom", *argv],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=child_environment(),
        start_new_session=True,
    )
    os.close(secondary)
    shown = b""
    answered = False
    try:
        while True:
            ready, _, _ = select.select([primary], [], [], 60)
            if not ready:
                raise AssertionError(f"the child said nothing more after {shown!r}")
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # EIO: the child closed the terminal, it has finished
                break
            if not chunk:
                break
            shown += chunk
            if not answered and answer_to in shown:
                os.write(primary, answer)
                answered = True
    finally:
        os.close(primary)
        code = child.wait(60)
    assert answered, f"never saw {answer_to!r} in {shown!r}"
    return code, shown.decode(errors="replace").replace("\r\n", "\n")
