"""``warroom runbooks import|list|show|report``: the runbook library from the terminal."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.cli.common import iso, print_json, with_context

if TYPE_CHECKING:
    from warroom.cli.common import Commands
    from warroom.services.context import ServiceContext


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    runbooks = commands.add_parser("runbooks", help="the runbook library")
    actions = runbooks.add_subparsers(dest="runbooks_command", metavar="ACTION", required=True)
    load = actions.add_parser(
        "import", parents=[database], help="import a folder of Markdown runbooks (recursively)"
    )
    load.add_argument("folder", metavar="DIR")
    load.add_argument("--dry-run", action="store_true", help="report, write nothing")
    load.add_argument(
        "--allow-removals",
        action="store_true",
        help="import a folder that retires more than a quarter of the library",
    )
    load.set_defaults(handler=_import)
    listing = actions.add_parser("list", parents=[database], help="list runbooks")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(handler=_list)
    show = actions.add_parser("show", parents=[database], help="print one")
    show.add_argument("slug", metavar="SLUG")
    show.add_argument("--html", action="store_true", help="the rendered HTML")
    show.set_defaults(handler=_show)
    report = actions.add_parser(
        "report",
        parents=[database],
        help="services and alerts without a runbook, and stale runbooks",
    )
    report.set_defaults(handler=_report)


def _import(args: argparse.Namespace) -> int:
    from warroom.services.runbooks import import_runbooks

    def load(context: ServiceContext) -> int:
        report = import_runbooks(
            context,
            Path(args.folder),
            dry_run=args.dry_run,
            allow_removals=args.allow_removals,
        )
        print(report.describe())
        return 0

    return with_context(args, load)


def _list(args: argparse.Namespace) -> int:
    from warroom.services.runbooks import list_runbooks

    def listing(context: ServiceContext) -> int:
        summaries = list_runbooks(context)
        if args.json:
            print_json(
                [
                    {
                        "slug": s.slug,
                        "title": s.title,
                        "services": list(s.services),
                        "alerts": list(s.alerts),
                        "owners": list(s.owners),
                        "last_reviewed": iso(s.last_reviewed),
                        "stale": s.stale,
                        "steps": s.steps,
                    }
                    for s in summaries
                ]
            )
            return 0
        width = max((len(s.slug) for s in summaries), default=4)
        for s in summaries:
            flag = "  STALE" if s.stale else ""
            print(f"{s.slug:<{width}}  {s.title}  [{', '.join(s.services) or '-'}]{flag}")
        return 0

    return with_context(args, listing)


def _show(args: argparse.Namespace) -> int:
    from warroom.services.runbooks import get_runbook

    def show(context: ServiceContext) -> int:
        detail = get_runbook(context, args.slug)
        if args.html:
            from warroom.domain.runbook_render import render_runbook

            print(render_runbook(detail.body).html)
            return 0
        s = detail.summary
        print(
            f"# {s.title}\n(slug {s.slug}; services: {', '.join(s.services) or '-'}; "
            f"last reviewed {s.last_reviewed or 'never'}"
            f"{'; STALE' if s.stale else ''})\n"
        )
        print(detail.body.strip())
        return 0

    return with_context(args, show)


def _report(args: argparse.Namespace) -> int:
    from warroom.services.runbooks import coverage_report

    def report(context: ServiceContext) -> int:
        print(coverage_report(context).describe())
        return 0

    return with_context(args, report)
