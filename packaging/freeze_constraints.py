"""Write packaging/constraints.txt: warroom's runtime dependencies at the versions installed here.

    .venv/bin/python packaging/freeze_constraints.py          # after the tests passed
    .venv/bin/python packaging/freeze_constraints.py --check  # does this venv match the file?

Run it with the interpreter of the virtual environment the tests passed in: it walks warroom's
requirements (pyproject.toml), and theirs (the installed metadata), and pins each at the
version that is installed. ``./dev`` installs the development venv with the file and
``packaging/build`` the bundle's, so the bundle holds the versions the tests ran on, whenever
it is built. Only what this platform needs is listed (keyring's SecretStorage on Linux, say);
a build on another platform pins what both share and resolves the rest.

To upgrade a dependency: raise it in pyproject.toml if needed, ``pip install -U NAME`` into
.venv, run the tests, run this, commit the new file. tests/packaging/test_constraints.py
fails while the venv and the file disagree.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

CONSTRAINTS = Path(__file__).resolve().parent / "constraints.txt"
PYPROJECT = CONSTRAINTS.parents[1] / "pyproject.toml"
HEADER = """\
# warroom's runtime dependencies at the versions the tests passed with (Linux, CPython {python}).
# ./dev installs the development venv with this file, packaging/build the bundle's.
# Made by packaging/freeze_constraints.py; do not edit by hand.
"""


def closure(requirements: list[str] | None = None) -> dict[str, str]:
    """{canonical name: installed version} of everything warroom needs here.

    warroom's own requirements come from pyproject.toml, not from its installed metadata,
    which an editable install leaves as they were when it was made."""
    environment = default_environment()
    found: dict[str, str] = {}
    todo = [Requirement(line) for line in (requirements or project_requirements())]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        extras = frozenset(requirement.extras)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise SystemExit(f"{name} is required but not installed here") from None
        found[name] = distribution.version
        for line in distribution.requires or []:
            needed = Requirement(line)
            if needed.marker is None or any(
                needed.marker.evaluate({**environment, "extra": extra})
                for extra in (extras or {""})
            ):
                todo.append(needed)
    return found


def project_requirements() -> list[str]:
    with PYPROJECT.open("rb") as file:
        return list(tomllib.load(file)["project"]["dependencies"])


def render(pins: dict[str, str]) -> str:
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    lines = [f"{name}=={version}" for name, version in sorted(pins.items())]
    return HEADER.format(python=python) + "\n".join(lines) + "\n"


def read(path: Path = CONSTRAINTS) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    return pins


def differences(installed: dict[str, str], pinned: dict[str, str]) -> list[str]:
    """What a person must fix, one line each; empty when the venv matches the file."""
    problems = []
    for name in sorted(installed.keys() | pinned.keys()):
        have, want = installed.get(name), pinned.get(name)
        if want is None:
            problems.append(f"{name} {have} is needed but not in {CONSTRAINTS.name}")
        elif have is None:
            problems.append(f"{name}=={want} is pinned but warroom no longer needs it")
        elif have != want:
            problems.append(f"{name} is {have} here but pinned at {want}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    installed = closure()
    if args.check:
        problems = differences(installed, read())
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    CONSTRAINTS.write_text(render(installed), encoding="utf-8")
    print(f"wrote {len(installed)} pins to {CONSTRAINTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
