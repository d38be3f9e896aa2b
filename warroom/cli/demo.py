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
        help="seed the demo organisation and open the app",
    )
    demo.add_argument("--no-gui", action="store_true", help="seed only; do not open the app")
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from warroom.services.context import ServiceContext
    from warroom.services.demo import seed_demo
    from warroom.store.schema import ensure_schema, upgrade

    settings = load_settings(args.database)
    database = open_database(settings)
    try:
        if database.is_postgresql:
            upgrade(database)  # `demo` is an explicit request to set this database up
        else:
            ensure_schema(database)
        report = seed_demo(ServiceContext(database, settings.user))
        print(report.describe())
    finally:
        database.dispose()
    if args.no_gui:
        return 0
    return run_gui(settings)
