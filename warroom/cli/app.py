"""``warroom`` with no command: the desktop app, in a window or in the system tray."""

from __future__ import annotations

import argparse

from warroom.cli.common import run_gui
from warroom.store.config import load_settings


def register_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tray",
        action="store_true",
        help="start in the system tray (the window opens from its menu)",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    # The window checks the URL on its worker and shows any problem in its banner.
    return run_gui(load_settings(args.database, validate=False), tray=args.tray)
