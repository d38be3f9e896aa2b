"""The validators the packaging tests run, found or explained.

Missing one is a skip on a developer's machine and a failure in CI, which installs them
(.ci/run), so CI never passes without having validated."""

from __future__ import annotations

import os
import shutil

import pytest


def need(program: str, debian_package: str) -> str:
    """The path of ``program``; skips (fails under CI) with the package that provides it."""
    found = shutil.which(program)
    if found:
        return found
    message = f"{program} is not installed (apt-get install {debian_package})"
    if os.environ.get("CI"):
        pytest.fail(message + "; CI must run the packaging checks")
    pytest.skip(message)
