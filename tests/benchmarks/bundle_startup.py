"""Start-up of the bundle against the virtual environment: process start → first paint.

    .venv/bin/python tests/benchmarks/bundle_startup.py dist/warroom-*-linux-*.tar.gz \
        [--venv-warroom .venv/bin/warroom] [--runs 9]

Both run ``warroom --smoke-test`` on the same demo database, alternately, in the same run: the
parent notes the wall clock before starting the process, the child prints the wall clock of
its window's first paint (the first UpdateRequest on the top-level window, as
tests/benchmarks/startup.py measures it). The figure is the ratio of the medians (target
≤ 1.2), with the bundle's size (target ≤ 200 MB).

The venv is measured at its best: its bytecode is written first by one run with writing
allowed, into a cache of this benchmark's own (PYTHONPYCACHEPREFIX), because this
environment sets PYTHONDONTWRITEBYTECODE and an editable install would otherwise compile
every module it imports on every start. A pip-installed wheel has its .pyc from the install.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def first_paint(command: list[str], database: str, env: dict[str, str]) -> float:
    """Seconds from starting ``command --smoke-test`` to its first paint."""
    start = time.time()
    done = subprocess.run(
        [*command, "--smoke-test", "--database", database],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} --smoke-test failed:\n{done.stdout}{done.stderr}")
    line = next(line for line in done.stdout.splitlines() if line.startswith("first paint at "))
    return float(line.split()[3]) - start


def unpacked(bundle: Path, into: Path) -> Path:
    """The bundle's folder: as given, or unpacked from its tarball."""
    if bundle.is_dir():
        return bundle
    with tarfile.open(bundle) as archive:
        archive.extractall(into, filter="data")
    return next(path for path in into.iterdir() if path.is_dir())


def size_mb(folder: Path) -> float:
    files = (path for path in folder.rglob("*") if path.is_file() and not path.is_symlink())
    return sum(path.stat().st_size for path in files) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("bundle", type=Path, help="the tarball packaging/build made, or its folder")
    parser.add_argument("--venv-warroom", default=str(ROOT / ".venv" / "bin" / "warroom"))
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = unpacked(args.bundle.resolve(), Path(tmp) / "bundle")
        bundle, venv = [str(folder / "warroom")], [args.venv_warroom]
        env = {
            **os.environ,
            "WARROOM_CONFIG_DIR": str(Path(tmp) / "config"),
            "WARROOM_DATA_DIR": str(Path(tmp) / "data"),
            "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache"),
            "QT_QPA_PLATFORM": "offscreen",
            "LANG": "C.UTF-8",
        }
        env.pop("PYTHONPATH", None)  # each runs its own installation's warroom
        database = f"sqlite:///{Path(tmp) / 'demo.db'}"
        subprocess.run(
            [*bundle, "demo", "--no-gui", "--database", database],
            check=True,
            env=env,
            capture_output=True,
        )
        writing = {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}
        first_paint(venv, database, writing)  # writes the venv's bytecode
        first_paint(bundle, database, env)  # and warms the file cache for both
        venv_times, bundle_times = [], []
        for _ in range(args.runs):
            venv_times.append(first_paint(venv, database, env))
            bundle_times.append(first_paint(bundle, database, env))
        megabytes = size_mb(folder)
    venv_median, bundle_median = statistics.median(venv_times), statistics.median(bundle_times)
    print(f"venv   ({args.venv_warroom}): median {venv_median * 1000:6.0f} ms to first paint")
    print(f"bundle ({folder.name}): median {bundle_median * 1000:6.0f} ms  (runs: {args.runs})")
    print(f"ratio bundle/venv : {bundle_median / venv_median:.2f}  (target <= 1.2)")
    print(f"bundle size       : {megabytes:.0f} MB unpacked  (target <= 200 MB)")
    if args.bundle.is_file():
        print(f"tarball size      : {args.bundle.stat().st_size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
