"""``warroom oncall``: who is primary and secondary for each team, now or at an instant."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from warroom.cli.common import iso, parse_instant, print_json, with_context

if TYPE_CHECKING:
    from warroom.cli.common import Commands
    from warroom.services.context import ServiceContext
    from warroom.services.oncall import TeamOnCall


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    oncall = commands.add_parser(
        "oncall", parents=[database], help="who is primary and secondary for each team"
    )
    oncall.add_argument(
        "--at",
        metavar="ISO-8601",
        help="the instant to ask about (default now), e.g. 2026-11-24T03:00+00:00; a time "
        "without an offset is in this computer's local time zone",
    )
    oncall.add_argument("--team", metavar="SLUG", help="only this team")
    oncall.add_argument("--json", action="store_true", help="machine-readable output")
    oncall.set_defaults(handler=_oncall)


def _oncall(args: argparse.Namespace) -> int:
    from warroom.services.oncall import who_is_on_call
    from warroom.services.people import list_people

    at = parse_instant(args.at) if args.at is not None else None

    def show(context: ServiceContext) -> int:
        moment = at or context.clock.now()
        teams = who_is_on_call(context, moment, args.team)
        if args.json:
            print_json(_as_json(moment, teams))
        else:
            names = {p.handle: p.name for p in list_people(context)}
            _print_text(moment, teams, names)
        return 0

    return with_context(args, show)


def _as_json(moment: datetime, teams: list[TeamOnCall]) -> dict[str, object]:
    return {
        "at": moment.isoformat(),
        "teams": [
            {
                "team": t.team,
                "name": t.team_name,
                "schedules": [
                    {
                        "schedule": line.schedule,
                        "kind": line.kind,
                        "person": line.person,
                        "until": iso(line.until),
                        "next": line.next_person,
                        "next_start": iso(line.next_start),
                    }
                    for line in t.lines
                ],
            }
            for t in teams
        ],
    }


def _print_text(moment: datetime, teams: list[TeamOnCall], names: dict[str, str]) -> None:
    local = moment.astimezone()
    print(f"On call at {local:%a %d %b %Y %H:%M %Z}")
    for team in teams:
        print(f"\n{team.team_name}")
        for line in team.lines:
            who = names.get(line.person, line.person) if line.person else "NOBODY (gap)"
            until = f"until {line.until.astimezone():%a %d %b %H:%M}" if line.until else ""
            following = (
                f"next: {names.get(line.next_person, line.next_person)} "
                f"from {line.next_start.astimezone():%a %d %b %H:%M}"
                if line.next_person and line.next_start
                else ""
            )
            print(f"  {line.kind:<10} {who:<22} {until:<24} {following}")
