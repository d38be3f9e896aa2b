"""packaging/constraints.txt pins what the tests run on, so the bundle ships the same."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _freeze() -> ModuleType:
    path = ROOT / "packaging" / "freeze_constraints.py"
    spec = importlib.util.spec_from_file_location("freeze_constraints", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("freeze_constraints", module)
    spec.loader.exec_module(module)
    return module


def test_the_tests_run_on_exactly_the_pinned_versions() -> None:
    # ./dev installs with the file; this fails when a dependency was added or upgraded
    # without freezing again (python packaging/freeze_constraints.py in the venv).
    freeze = _freeze()
    assert freeze.differences(freeze.closure(), freeze.read()) == []


def test_every_requirement_of_pyproject_is_pinned_at_a_version_it_allows() -> None:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    freeze = _freeze()
    pins = freeze.read()
    for line in freeze.project_requirements():
        requirement = Requirement(line)
        pinned = pins[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(pinned), f"{requirement} does not allow {pinned}"


def test_a_drift_is_named_package_by_package() -> None:
    freeze = _freeze()
    installed = {"sqlalchemy": "2.1.9", "pyyaml": "6.0.4", "waitress": "3.0.2"}
    pinned = {"sqlalchemy": "2.0.0", "pyyaml": "6.0.4", "holidays": "0.1"}
    assert freeze.differences(installed, pinned) == [
        "holidays==0.1 is pinned but warroom no longer needs it",
        "sqlalchemy is 2.1.9 here but pinned at 2.0.0",
        "waitress 3.0.2 is needed but not in constraints.txt",
    ]
