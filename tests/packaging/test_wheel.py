"""The wheel carries everything warroom reads at run time, and runs from a fresh venv.

The wheel is built from a copy of the sources (as packaging/build does) with the test venv's
setuptools, offline. The fresh venv gets the wheel alone (``--no-deps``); its dependencies
come from the test venv through a .pth file, so nothing is downloaded and it takes seconds.
What this proves is the wheel's own content: warroom is imported from the fresh venv, not
from this checkout, and ``warroom demo --no-gui`` reads the demo organisation, the runbooks
and the migration scripts from it.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import venv
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.version import Version

from warroom import __version__

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "setup.py", "README.md", "warroom", "resources")


def _pip(*argv: str) -> None:
    """This venv's pip, offline: the wheel and the fresh venv need nothing from an index."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--quiet", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INDEX": "1"},
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _build_wheel(into: Path) -> Path:
    setuptools = Version(metadata.version("setuptools"))
    if setuptools < Version("77"):
        pytest.fail(f"the wheel needs setuptools >= 77 to build, this venv has {setuptools}")
    source = into / "src"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy(ROOT / name, source / name)
    _pip("wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(into), str(source))
    (wheel,) = into.glob("warroom-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel: its bin/ folder."""
    folder = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(folder)
    purelib = Path(
        sysconfig.get_path("purelib", vars={"base": str(folder), "platbase": str(folder)})
    )
    # This venv's dependencies, after the fresh venv's own site-packages: .pth lines only add
    # folders, they do not run this venv's editable-install hooks, so warroom is not among them.
    ours = [path for path in [*site.getsitepackages(), *sys.path] if path.endswith("-packages")]
    (purelib / "zz_test_dependencies.pth").write_text("\n".join(dict.fromkeys(ours)) + "\n")
    python = str(folder / "bin" / "python")
    _pip("--python", python, "install", "--no-deps", "--no-compile", str(wheel))
    return folder / "bin"


def _run(bin_dir: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(
        [str(bin_dir / argv[0]), *argv[1:]],
        capture_output=True,
        text=True,
        env=environ,
        cwd=cwd,  # not the checkout: nothing may come from it
        timeout=120,
    )


def test_the_wheel_holds_the_resources_and_the_migrations_and_nothing_else(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "warroom/resources/style.qss",
        "warroom/resources/demo/organisation.yaml",
        "warroom/resources/runbooks/database-failover.md",
        "warroom/resources/icons/org.warroom.Warroom.svg",
        "warroom/resources/icons/png/22/tray-page.png",
        "warroom/resources/desktop/org.warroom.Warroom.desktop",
        "warroom/resources/desktop/org.warroom.Warroom.metainfo.xml",
        "warroom/store/migrations/script.py.mako",
        "warroom/store/migrations/versions/0001_initial_schema.py",
    ):
        assert expected in names
    resources = ROOT / "resources"
    shipped = {
        f"warroom/resources/{path.relative_to(resources).as_posix()}"
        for path in resources.glob("**/*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert shipped <= names
    migrations = {p.name for p in (ROOT / "warroom/store/migrations/versions").glob("*.py")}
    assert {f"warroom/store/migrations/versions/{name}" for name in migrations} <= names
    assert not [name for name in names if name.endswith(".pyc") or name.startswith("tests/")]


def test_warroom_version_runs_from_the_fresh_venv(installed: Path, tmp_path: Path) -> None:
    done = _run(installed, "warroom", "--version", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, f"warroom {__version__}\n"), done.stderr
    where = _run(
        installed, "python", "-c", "import warroom.resources as r; print(r.__file__)", cwd=tmp_path
    )
    assert where.stdout.startswith(str(installed.parent)), where.stdout + where.stderr


def test_warroom_demo_seeds_a_database_from_the_wheel_alone(
    installed: Path, tmp_path: Path
) -> None:
    database = tmp_path / "demo.db"
    url = f"sqlite:///{database}"
    done = _run(installed, "warroom", "demo", "--no-gui", "--database", url, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Seeded the demo organisation: 29 people")
    assert "8 runbooks" in done.stdout
    assert database.is_file()
