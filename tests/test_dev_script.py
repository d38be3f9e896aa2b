"""./dev sets itself up, and repairs a set-up that stopped half way.

The script is run for real, on a copy in a temporary folder with a stand-in project (one
module, a `warroom` command, and an in-tree build backend so nothing is downloaded)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PYPROJECT = """\
[build-system]
requires = []
build-backend = "backend"
backend-path = ["."]
"""

# A PEP 517/660 build backend small enough to read: an editable wheel is a .pth file naming
# the project folder, the dist-info, and the console script.
BACKEND = """\
import base64, hashlib, os, zipfile

NAME, VERSION = "devprobe", "0"
DIST = f"{NAME}-{VERSION}.dist-info"
FILES = {
    f"{DIST}/METADATA": f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: {VERSION}\\n"
    "Provides-Extra: test\\n",
    f"{DIST}/WHEEL": "Wheel-Version: 1.0\\nGenerator: backend\\nRoot-Is-Purelib: true\\n"
    "Tag: py3-none-any\\n",
    f"{DIST}/entry_points.txt": "[console_scripts]\\nwarroom = devprobe:main\\n",
    f"{NAME}.pth": os.path.abspath(os.path.dirname(__file__)) + "\\n",
}


def get_requires_for_build_wheel(config_settings=None):
    return []


get_requires_for_build_editable = get_requires_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = f"{NAME}-{VERSION}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        for path, text in FILES.items():
            data = text.encode()
            wheel.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{path},sha256={digest.decode()},{len(data)}")
        record.append(f"{DIST}/RECORD,,")
        wheel.writestr(f"{DIST}/RECORD", "\\n".join(record) + "\\n")
    return name


build_editable = build_wheel
"""

PROBE = """\
import sys


def main():
    print("warroom ran:", *sys.argv[1:])
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    if shutil.which("bash") is None or shutil.which("dpkg-query") is None:
        pytest.skip("./dev is a bash script for Debian-like systems")
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(ROOT / "dev", folder / "dev")
    (folder / "pyproject.toml").write_text(PYPROJECT)
    (folder / "backend.py").write_text(BACKEND)
    (folder / "devprobe.py").write_text(PROBE)
    (folder / "packaging").mkdir()
    (folder / "packaging" / "constraints.txt").write_text("# nothing pinned\n")
    return folder


def _base_python() -> str:
    """The interpreter this test's virtual environment was made from (it has ensurepip)."""
    for name in (f"python{sys.version_info[0]}.{sys.version_info[1]}", "python3"):
        candidate = Path(sys.base_prefix) / "bin" / name
        if candidate.exists():
            return str(candidate)
    pytest.skip("no base Python interpreter found")


def _dev(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "PYTHON": _base_python(),
        "PIP_NO_INDEX": "1",  # nothing is downloaded: the stand-in needs nothing
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_CACHE_DIR": "1",
    }
    environ.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [str(project / "dev"), *args],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_half_made_venv_is_made_again(project: Path) -> None:
    # What `python3 -m venv .venv` leaves behind where python3-venv is missing: an
    # interpreter, no pip. Before, every later ./dev failed on "No module named pip".
    subprocess.run(
        [_base_python(), "-m", "venv", "--without-pip", ".venv"], cwd=project, check=True
    )
    done = _dev(project, "demo", "--no-gui", "hello")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The .venv folder is incomplete" in done.stdout
    assert "warroom ran: demo --no-gui hello" in done.stdout
    pip = subprocess.run([str(project / ".venv/bin/python"), "-m", "pip", "--version"])
    assert pip.returncode == 0

    again = _dev(project, "demo", "--no-gui", "again")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "incomplete" not in again.stdout
    assert "Installing" not in again.stdout  # set up already: straight to the command
    assert "warroom ran: demo --no-gui again" in again.stdout
