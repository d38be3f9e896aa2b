"""``warroom schedule export``: a schedule's shifts as iCalendar, for calendar apps."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.cli.common import with_context
from warroom.domain.errors import WarroomError

if TYPE_CHECKING:
    from warroom.cli.common import Commands
    from warroom.services.context import ServiceContext


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    schedule = commands.add_parser("schedule", help="schedule exports")
    actions = schedule.add_subparsers(dest="schedule_command", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export", parents=[database], help="write shifts as an iCalendar file"
    )
    export.add_argument("schedule", metavar="SCHEDULE", help="the schedule's slug")
    export.add_argument("--ics", metavar="FILE", required=True, help="'-' for standard output")
    export.add_argument("--person", metavar="HANDLE", help="only this person's shifts")
    export.add_argument("--weeks", type=int, default=8, help="how far ahead (default 8)")
    export.set_defaults(handler=_export)


def _export(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from warroom.domain.ics import shifts_to_ics
    from warroom.services.oncall import shifts_between
    from warroom.services.people import list_people

    if not 1 <= args.weeks <= 104:
        raise WarroomError("--weeks must be between 1 and 104.")

    def export(context: ServiceContext) -> int:
        start = context.clock.now()
        info, shifts = shifts_between(
            context, args.schedule, start, start + timedelta(weeks=args.weeks), args.person
        )
        names = {p.handle: p.name for p in list_people(context)}
        if args.person and args.person not in names:
            raise WarroomError(f"There is no person '{args.person}'.")
        data = shifts_to_ics(info.slug, info.name, shifts, names, start)
        if args.ics == "-":
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            return 0
        try:
            Path(args.ics).write_bytes(data)
        except OSError as error:
            raise WarroomError(f"Cannot write {args.ics}: {error}") from None
        count = len([s for s in shifts if s.person])
        print(f"Wrote {count} shifts of {info.name} over {args.weeks} weeks to {args.ics}.")
        return 0

    return with_context(args, export)
