"""``warroom demo``: seed the demo organisation (idempotent), then open the app."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from warroom.cli.common import open_database, run_gui
from warroom.store.config import load_settings

if TYPE_CHECKING:
    from warroom.cli.common import Commands


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    demo = commands.add_parser(
        "demo",
        parents=[database],
        help="seed the demo organisation and open the app (creates the database if need be)",
    )
    demo.add_argument("--no-gui", action="store_true", help="seed only; do not open the app")
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from warroom.services.context import ServiceContext
    from warroom.services.demo import seed_demo
    from warroom.store.schema import ensure_schema, upgrade

    settings = load_settings(args.database)
    if not args.no_gui:
        from warroom.ui.platform_check import check_platform

        check_platform()  # say so before seeding, not after
    database = open_database(settings, create=True)  # `demo` asks for this database set up
    try:
        if database.is_postgresql:
            upgrade(database)
        else:
            ensure_schema(database)
        report = seed_demo(ServiceContext(database, settings.user))
        print(report.describe())
    finally:
        database.dispose()
    if args.no_gui:
        return 0
    return run_gui(settings)
