"""``warroom roster import|export``: the roster as a YAML file kept in git."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.cli.common import read_text, with_context
from warroom.domain.errors import WarroomError

if TYPE_CHECKING:
    from warroom.cli.common import Commands
    from warroom.services.context import ServiceContext


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    roster = commands.add_parser("roster", help="import or export the roster file (YAML)")
    actions = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True)
    apply = actions.add_parser(
        "import", parents=[database], help="apply a roster file; reports what changes"
    )
    apply.add_argument("file", metavar="FILE")
    apply.add_argument("--dry-run", action="store_true", help="report, write nothing")
    apply.add_argument(
        "--allow-removals",
        action="store_true",
        help="apply a file that removes a lot (most people, a schedule someone is on call for…)",
    )
    apply.set_defaults(handler=_import)
    export = actions.add_parser(
        "export", parents=[database], help="write the current roster as a roster file"
    )
    export.add_argument("file", metavar="FILE", help="'-' for standard output")
    export.set_defaults(handler=_export)


def _import(args: argparse.Namespace) -> int:
    from warroom.domain.roster_file import parse_roster
    from warroom.services.roster import import_roster

    text = read_text(args.file)
    spec = parse_roster(text, args.file)  # a bad file fails before touching the database

    def apply(context: ServiceContext) -> int:
        changes = import_roster(
            context,
            spec,
            dry_run=args.dry_run,
            allow_removals=args.allow_removals,
            source=Path(args.file).name,
        )
        print(changes.describe())
        return 0

    return with_context(args, apply)


def _export(args: argparse.Namespace) -> int:
    from warroom.domain.roster_file import dump_roster
    from warroom.services.roster import export_roster

    def export(context: ServiceContext) -> int:
        text = dump_roster(export_roster(context))
        if args.file == "-":
            sys.stdout.write(text)
            return 0
        try:
            Path(args.file).write_text(text, encoding="utf-8")
        except OSError as error:
            raise WarroomError(f"Cannot write {args.file}: {error}") from None
        print(f"Wrote the roster to {args.file}.")
        return 0

    return with_context(args, export)
