"""``warroom page create|list|ack|resolve|escalate``: paging from the terminal."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from warroom.cli.common import iso, print_json, row_id, with_context

if TYPE_CHECKING:
    from warroom.cli.common import Commands
    from warroom.services.context import ServiceContext


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    page = commands.add_parser("page", help="pages from the command line")
    actions = page.add_subparsers(dest="page_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", parents=[database], help="page by hand")
    create.add_argument("--service", required=True, metavar="S")
    create.add_argument("--summary", required=True, metavar="TEXT")
    create.add_argument("--urgency", choices=["high", "low"])
    create.add_argument("--dedup-key", metavar="K")
    create.set_defaults(handler=_create)
    listing = actions.add_parser("list", parents=[database], help="recent pages")
    listing.add_argument(
        "--state", metavar="S", help="triggered, acknowledged, deferred or resolved"
    )
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)
    for action, text, handler in (
        ("ack", "acknowledge a page (stops escalation)", _ack),
        ("resolve", "resolve a page", _resolve),
    ):
        sub = actions.add_parser(action, parents=[database], help=text)
        sub.add_argument("id", type=row_id, metavar="ID")
        sub.set_defaults(handler=handler)
    escalate = actions.add_parser(
        "escalate", parents=[database], help="escalate now: next level or an expertise"
    )
    escalate.add_argument("id", type=row_id, metavar="ID")
    escalate.add_argument("--to-expertise", metavar="TAG")
    escalate.set_defaults(handler=_escalate)


def _create(args: argparse.Namespace) -> int:
    from warroom.services.paging import ingest

    def create(context: ServiceContext) -> int:
        result = ingest.create_page(
            context,
            service=args.service,
            summary=args.summary,
            urgency=args.urgency,
            dedup_key=args.dedup_key,
        )
        print(result.describe())
        return 0

    return with_context(args, create)


def _list(args: argparse.Namespace) -> int:
    from warroom.services.paging import queries

    def listing(context: ServiceContext) -> int:
        lines = queries.list_pages(context, args.state)
        if args.json:
            print_json(
                [
                    {
                        "id": p.id,
                        "state": p.state,
                        "urgency": p.urgency,
                        "service": p.service,
                        "summary": p.summary,
                        "triggered_at": p.triggered_at.isoformat(),
                        "level": p.level,
                        "occurrences": p.occurrences,
                        "runbook": p.runbook,
                        "note": p.note,
                        "deferred_until": iso(p.deferred_until),
                    }
                    for p in lines
                ]
            )
            return 0
        held = [p for p in lines if p.state == "deferred"]
        if held:
            print(f"Waiting for business hours: {len(held)} held.")
        for p in lines:
            flag = ("" if p.runbook else "  [no runbook]") + (f"  [{p.note}]" if p.note else "")
            print(f"#{p.id:<5} {p.state:<13} {p.urgency:<5} {p.service:<16} {p.summary[:70]}{flag}")
        return 0

    return with_context(args, listing)


def _ack(args: argparse.Namespace) -> int:
    from warroom.services.paging import responses

    def ack(context: ServiceContext) -> int:
        done = responses.acknowledge(context, args.id)
        print(
            f"Page #{args.id} acknowledged."
            if done
            else f"Page #{args.id} was already acknowledged."
        )
        return 0

    return with_context(args, ack)


def _resolve(args: argparse.Namespace) -> int:
    from warroom.services.paging import responses

    def resolve(context: ServiceContext) -> int:
        done = responses.resolve(context, args.id)
        print(f"Page #{args.id} resolved." if done else f"Page #{args.id} was already resolved.")
        return 0

    return with_context(args, resolve)


def _escalate(args: argparse.Namespace) -> int:
    from warroom.services.paging import responses

    def escalate(context: ServiceContext) -> int:
        told = responses.escalate(context, args.id, to_expertise=args.to_expertise)
        print(f"Page #{args.id} escalated; told: {', '.join(told) or 'nobody new'}.")
        return 0

    return with_context(args, escalate)
