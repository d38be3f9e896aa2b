"""``warroom db upgrade|status|grant``: the schema, created, migrated or reported; client grants."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from warroom.cli.common import open_database
from warroom.store.config import load_settings

if TYPE_CHECKING:
    from warroom.cli.common import Commands


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    db = commands.add_parser("db", help="create or migrate the database schema")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = actions.add_parser(
        "upgrade",
        parents=[database],
        help="migrate the schema to this version (creates an embedded SQLite file if need be)",
    )
    upgrade.set_defaults(handler=_upgrade)
    status = actions.add_parser("status", parents=[database], help="show the schema version")
    status.set_defaults(handler=_status)
    grant = actions.add_parser(
        "grant",
        parents=[database],
        help="PostgreSQL: make ROLE a least-privilege client (run as the schema's owner)",
    )
    grant.add_argument("role", metavar="ROLE")
    grant.set_defaults(handler=_grant)


def _upgrade(args: argparse.Namespace) -> int:
    from warroom.store.schema import upgrade

    database = open_database(load_settings(args.database), create=True)
    try:
        before, after = upgrade(database)
    finally:
        database.dispose()
    if before == after:
        print(f"{database.display_url}: schema already at {after}.")
    else:
        print(f"{database.display_url}: schema migrated from {before or 'empty'} to {after}.")
    return 0


def _status(args: argparse.Namespace) -> int:
    from warroom.store.schema import check_schema, head_revision

    database = open_database(load_settings(args.database), create=False)
    try:
        revision = check_schema(database)
    finally:
        database.dispose()
    print(f"{database.display_url}: schema {revision} (this warroom: {head_revision()}).")
    return 0


def _grant(args: argparse.Namespace) -> int:
    from warroom.store.privileges import grant_client_role

    database = open_database(load_settings(args.database), create=False)
    try:
        granted = grant_client_role(database, args.role)
    finally:
        database.dispose()
    print(granted.describe())
    return 0
