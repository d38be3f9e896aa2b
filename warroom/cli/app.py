"""``warroom`` with no command: the desktop app, in a window or in the system tray."""

from __future__ import annotations

import argparse
import os

from warroom.cli.common import run_gui
from warroom.store.config import Settings, load_settings


def register_root(parser: argparse.ArgumentParser) -> None:
    how = parser.add_mutually_exclusive_group()
    how.add_argument(
        "--tray",
        action="store_true",
        help="start in the system tray (the window opens from its menu)",
    )
    how.add_argument(
        "--smoke-test",
        action="store_true",
        help="check this installation: open the window (offscreen unless QT_QPA_PLATFORM is "
        "set), wait for its first paint and the database, close it; exit 0 if all went well",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    # The window checks the URL on its worker and shows any problem in its banner.
    settings = load_settings(args.database, validate=False)
    if args.smoke_test:
        return _smoke_test(settings)
    return run_gui(settings, tray=args.tray)


def _smoke_test(settings: Settings) -> int:
    """Qt is imported only here and in run_gui, so other commands start without it."""
    # Offscreen by default: the check must run in CI and over SSH, and flash nothing on a
    # desktop; QT_QPA_PLATFORM=xcb (or wayland) tries the real display instead.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from warroom.ui.platform_check import check_platform

    check_platform()
    from warroom.ui.smoke import run_smoke_test

    return run_smoke_test(settings)
