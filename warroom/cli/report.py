"""``warroom report escalations``: who gets paged, who escalates, and how much is noise."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from warroom.cli.common import print_json, with_context
from warroom.domain.errors import WarroomError

if TYPE_CHECKING:
    from warroom.cli.common import Commands
    from warroom.services.context import ServiceContext
    from warroom.services.metrics import EscalationReport


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    report = commands.add_parser("report", help="reports")
    reports = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    escalations = reports.add_parser(
        "escalations",
        parents=[database],
        help="per responder and team: pages, acknowledgements, escalations, noise",
    )
    escalations.add_argument("--days", type=int, default=30)
    escalations.add_argument("--json", action="store_true")
    escalations.set_defaults(handler=_escalations)


def _escalations(args: argparse.Namespace) -> int:
    from warroom.services.metrics import escalation_report

    if not 1 <= args.days <= 3660:
        raise WarroomError("--days must be between 1 and 3660.")

    def show(context: ServiceContext) -> int:
        report = escalation_report(context, args.days)
        if args.json:
            print_json(_as_json(report))
        else:
            _print_text(report, args.days)
        return 0

    return with_context(args, show)


def _as_json(report: EscalationReport) -> dict[str, object]:
    return {
        "since": report.since.isoformat(),
        "flagged": list(report.flagged),
        "responders": [
            {
                "handle": s.handle,
                "teams": list(s.teams),
                "received": s.received,
                "acknowledged": s.acknowledged,
                "escalated_by_timeout": s.escalated_by_timeout,
                "escalated_by_hand": s.escalated_by_hand,
                "outside_hours": s.outside_hours,
                "median_minutes_to_ack": s.median_ack_minutes,
            }
            for s in report.responders
        ],
        "teams": [
            {
                "team": t.team,
                "received": t.received,
                "escalated_by_timeout": t.escalated_by_timeout,
                "escalated_by_hand": t.escalated_by_hand,
                "noise": t.noise,
            }
            for t in report.teams
        ],
    }


def _print_text(report: EscalationReport, days: int) -> None:
    print(f"Escalations since {report.since:%Y-%m-%d} ({days} days)\n")
    print(
        f"{'responder':<22}{'pages':>6}{'acked':>7}{'timeout':>9}{'by hand':>9}"
        f"{'off-hours':>11}{'ack min':>9}"
    )
    for s in report.responders:
        ack = f"{s.median_ack_minutes:.0f}" if s.median_ack_minutes is not None else "-"
        mark = "  << well above the team" if s.handle in report.flagged else ""
        print(
            f"{s.name[:21]:<22}{s.received:>6}{s.acknowledged:>7}"
            f"{s.escalated_by_timeout:>9}{s.escalated_by_hand:>9}{s.outside_hours:>11}"
            f"{ack:>9}{mark}"
        )
    print(f"\n{'team':<22}{'pages':>6}{'timeout':>9}{'by hand':>9}{'noise':>7}")
    for t in report.teams:
        print(
            f"{t.team:<22}{t.received:>6}{t.escalated_by_timeout:>9}"
            f"{t.escalated_by_hand:>9}{t.noise:>7}"
        )
