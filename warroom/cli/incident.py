"""``warroom incident …``: declare, staff, move on and close incidents from a terminal or a
script (a bridge bot, a deploy hook). The acting person is the configured user
(``WARROOM_USER`` for scripts); on PostgreSQL it is the database login.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING, Any

from warroom.cli.common import iso, parse_instant, print_json, row_id, with_context
from warroom.domain.errors import WarroomError
from warroom.domain.transcript import parse_kind
from warroom.domain.vocabulary import TranscriptKind

if TYPE_CHECKING:
    from warroom.cli.common import Commands
    from warroom.services.context import ServiceContext
    from warroom.services.incidents.queries import IncidentDetail

ROLES_HELP = (
    "incident_commander (ic), primary_responder (primary), secondary_responder (secondary), "
    "communication_coordinator (comms), scribe, subject_matter_expert (sme)"
)


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    incident = commands.add_parser("incident", help="declared incidents and their war room")
    actions = incident.add_subparsers(dest="incident_command", metavar="ACTION", required=True)

    declare = actions.add_parser(
        "declare", parents=[database], help="declare an incident (you are its commander)"
    )
    declare.add_argument("--title", required=True, metavar="T", help="what is broken, for whom")
    declare.add_argument("--severity", required=True, metavar="SEV", help="SEV1 … SEV4")
    declare.add_argument("--service", metavar="S", help="the service it is about (its slug)")
    declare.add_argument("--page", type=row_id, metavar="ID", help="declare from this page")
    declare.add_argument("--bridge", metavar="URL", help="the bridge call's link")
    declare.add_argument("--json", action="store_true")
    declare.set_defaults(handler=_declare)

    listing = actions.add_parser(
        "list", parents=[database], help="open incidents, then those closed this week"
    )
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    show = actions.add_parser(
        "show", parents=[database], help="one incident: roles, who held them when, pages"
    )
    show.add_argument("id", type=row_id, metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    status = actions.add_parser("status", parents=[database], help="move it on (or back)")
    status.add_argument("id", type=row_id, metavar="ID")
    status.add_argument(
        "status", metavar="STATUS", help="investigating, identified, mitigated, resolved"
    )
    status.add_argument("--note", default="", metavar="TEXT")
    status.set_defaults(handler=_status)

    severity = actions.add_parser("severity", parents=[database], help="change the severity")
    severity.add_argument("id", type=row_id, metavar="ID")
    severity.add_argument("severity", metavar="SEV")
    severity.add_argument("--reason", required=True, metavar="TEXT", help="why (kept)")
    severity.set_defaults(handler=_severity)

    close = actions.add_parser(
        "close", parents=[database], help="close it (the Incident Commander only)"
    )
    close.add_argument("id", type=row_id, metavar="ID")
    close.add_argument("--summary", required=True, metavar="TEXT")
    close.set_defaults(handler=_close)

    propose = actions.add_parser(
        "propose-close", parents=[database], help="propose closing it (the commander decides)"
    )
    propose.add_argument("id", type=row_id, metavar="ID")
    propose.add_argument("--note", default="", metavar="TEXT")
    propose.set_defaults(handler=_propose)

    reopen = actions.add_parser("reopen", parents=[database], help="it is back")
    reopen.add_argument("id", type=row_id, metavar="ID")
    reopen.add_argument("--reason", required=True, metavar="TEXT")
    reopen.set_defaults(handler=_reopen)

    link = actions.add_parser("link-page", parents=[database], help="add a page to it")
    link.add_argument("id", type=row_id, metavar="ID")
    link.add_argument("page", type=row_id, metavar="PAGE")
    link.add_argument("--unlink", action="store_true", help="take the page out instead")
    link.set_defaults(handler=_link)

    role = actions.add_parser("role", help="who holds which role")
    role_actions = role.add_subparsers(dest="role_command", metavar="ACTION", required=True)
    assign = role_actions.add_parser(
        "assign",
        parents=[database],
        help="give a role (a single-holder role someone holds is handed over)",
    )
    assign.add_argument("id", type=row_id, metavar="ID")
    assign.add_argument("role", metavar="ROLE", help=ROLES_HELP)
    assign.add_argument("handle", metavar="HANDLE")
    assign.add_argument("--expertise", metavar="TAG", help="what an expert is brought in for")
    assign.set_defaults(handler=_assign)
    release = role_actions.add_parser("release", parents=[database], help="take a role back")
    release.add_argument("id", type=row_id, metavar="ID")
    release.add_argument("role", metavar="ROLE", help=ROLES_HELP)
    release.add_argument("handle", metavar="HANDLE")
    release.set_defaults(handler=_release)

    _register_updates(actions, database)
    _register_transcript(actions, database)


def _register_updates(actions: Any, database: argparse.ArgumentParser) -> None:
    """``update`` and ``updates``: what the stakeholders are told (issue 13)."""
    post = actions.add_parser(
        "update", parents=[database], help="tell an audience how it stands (a stakeholder update)"
    )
    post.add_argument("id", type=row_id, metavar="ID")
    post.add_argument(
        "--audience", required=True, metavar="A", help="internal, executive or customers"
    )
    post.add_argument(
        "--status",
        metavar="STATUS",
        help="what the update reports (default: the incident's status now)",
    )
    post.add_argument("text", metavar="TEXT", help="the update, as the audience will read it")
    post.add_argument("--json", action="store_true")
    post.set_defaults(handler=_post_update)

    listing = actions.add_parser(
        "updates", parents=[database], help="what the stakeholders were told, and its delivery"
    )
    listing.add_argument("id", type=row_id, metavar="ID")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list_updates)


def _register_transcript(actions: Any, database: argparse.ArgumentParser) -> None:
    """``note`` and ``export``: the scribe's transcript from a script, and the post-incident
    report (issue 12)."""
    note = actions.add_parser(
        "note", parents=[database], help="add an entry to the transcript (from a script, a bot)"
    )
    note.add_argument("id", type=row_id, metavar="ID")
    note.add_argument("text", metavar="TEXT", help="the words, as the report will show them")
    note.add_argument(
        "--kind", default="note", metavar="K", help="said, did, decided, action, felt, note"
    )
    note.add_argument("--speaker", metavar="H", help="who said or did it (a handle)")
    note.add_argument("--owner", metavar="H", help="an action item's owner (a handle)")
    note.add_argument(
        "--at",
        metavar="ISO",
        help="when it happened (2026-03-02T14:02:05+01:00; without an offset, this computer's "
        "local time); default now",
    )
    note.add_argument("--json", action="store_true")
    note.set_defaults(handler=_note)

    export = actions.add_parser(
        "export", parents=[database], help="the post-incident report as Markdown or HTML"
    )
    export.add_argument("id", type=row_id, metavar="ID")
    export.add_argument(
        "--format",
        choices=("md", "html"),
        metavar="md|html",
        help="default: from the -o file's name (.html, .htm), otherwise md",
    )
    export.add_argument(
        "-o", "--output", metavar="FILE", help="write it there (atomically); default stdout"
    )
    export.add_argument(
        "--tz",
        metavar="ZONE",
        help="the time zone of every stamp (Europe/Berlin, UTC…); default this computer's",
    )
    export.set_defaults(handler=_export)


# ----------------------------------------------------------------------------- handlers


def _declare(args: argparse.Namespace) -> int:
    def act(context: ServiceContext) -> int:
        from warroom.services.incidents.lifecycle import declare

        declared = declare(
            context,
            title=args.title,
            severity=args.severity,
            service=args.service,
            bridge_url=args.bridge,
            page_id=args.page,
        )
        if args.json:
            print_json(
                {
                    "id": declared.id,
                    "ref": declared.ref,
                    "severity": declared.severity,
                    "commander": declared.commander,
                }
            )
        else:
            print(
                f"Declared {declared.ref} ({declared.severity}): {declared.title}. "
                f"Incident Commander: @{declared.commander}."
            )
        return 0

    return with_context(args, act)


def _list(args: argparse.Namespace) -> int:
    def act(context: ServiceContext) -> int:
        from warroom.domain.incidents import elapsed
        from warroom.services.incidents.queries import list_incidents

        now = context.clock.now()
        rows = list_incidents(context)
        if args.json:
            print_json(
                [
                    {
                        "id": r.id,
                        "ref": r.ref,
                        "title": r.title,
                        "severity": r.severity,
                        "status": r.status,
                        "declared_at": iso(r.declared_at),
                        "last_activity_at": iso(r.last_activity_at),
                        "closed_at": iso(r.closed_at),
                        "commander": r.commander_handle,
                        "service": r.service,
                        "close_proposed": r.close_proposed,
                    }
                    for r in rows
                ]
            )
            return 0
        if not rows:
            print("No incident is open, and none was closed in the last week.")
        for r in rows:
            age = elapsed(r.declared_at, r.closed_at or now) if r.declared_at else ""
            who = f"@{r.commander_handle}" if r.commander_handle else "no commander"
            print(f"{r.ref:<8} {r.severity:<5} {r.status:<13} {age:<14} {who:<16} {r.title[:60]}")
        return 0

    return with_context(args, act)


def _detail_json(detail: IncidentDetail) -> dict[str, Any]:
    row = detail.row
    return {
        "id": row.id,
        "ref": row.ref,
        "title": row.title,
        "severity": row.severity,
        "status": row.status,
        "service": row.service,
        "summary": detail.summary,
        "bridge_url": detail.bridge_url,
        "declared_at": iso(row.declared_at),
        "mitigated_at": iso(detail.mitigated_at),
        "resolved_at": iso(detail.resolved_at),
        "closed_at": iso(row.closed_at),
        "roles": {
            role: [
                {"handle": h.handle, "since": iso(h.assigned_at), "expertise": h.expertise}
                for h in holders
            ]
            for role, holders in detail.roles.items()
        },
        "history": [
            {
                "role": h.role,
                "handle": h.handle,
                "expertise": h.expertise,
                "assigned_at": iso(h.assigned_at),
                "assigned_by": h.assigned_by,
                "released_at": iso(h.released_at),
                "released_by": h.released_by,
                "took_over_from": h.previous,
            }
            for h in detail.history
        ],
        "close_proposed_by": detail.close_proposed_by,
        "close_proposal": detail.close_proposal or None,
        "warnings": list(detail.warnings),
        "pages": [
            {"id": p.id, "state": p.state, "service": p.service, "summary": p.summary}
            for p in detail.pages
        ],
        "runbooks": [
            {"slug": r.slug, "title": r.title, "ticked": r.ticked, "steps": r.steps}
            for r in detail.runbooks
        ],
        "present": list(detail.present),
        "severity_history": [
            {
                "at": iso(e.at),
                "by": e.actor,
                "from": e.payload.get("from"),
                "to": e.payload.get("to"),
                "reason": e.payload.get("reason"),
            }
            for e in detail.severity_history
        ],
    }


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone():%a %d %b %H:%M %Z}" if moment else "—"


def _show(args: argparse.Namespace) -> int:
    def act(context: ServiceContext) -> int:
        from warroom.domain.incidents import ROLE_TITLE, elapsed
        from warroom.services.incidents.queries import incident_detail

        detail = incident_detail(context, args.id)
        if args.json:
            print_json(_detail_json(detail))
            return 0
        row = detail.row
        end = row.closed_at or context.clock.now()
        print(f"{row.ref} {row.severity} {row.status}: {row.title}")
        age = elapsed(row.declared_at, end) if row.declared_at else ""
        print(f"  declared {_when(row.declared_at)} ({age}); service: {row.service or '—'}")
        if detail.bridge_url:
            print(f"  bridge: {detail.bridge_url}")
        for warning in detail.warnings:
            print(f"  ⚠ {warning}")
        if detail.close_proposed_by:
            print(f"  closing proposed by @{detail.close_proposed_by}: {detail.close_proposal}")
        print("\nRoles now")
        for role, holders in detail.roles.items():
            names = ", ".join(
                f"{h.name} (@{h.handle}{', ' + h.expertise if h.expertise else ''})"
                for h in holders
            )
            print(f"  {ROLE_TITLE[role]:<27} {names or '—'}")
        print("\nWho held which role when")
        for h in detail.history:
            took = f", took over from @{h.previous}" if h.previous else ""
            until = f" until {_when(h.released_at)} (by {h.released_by})" if h.released_at else ""
            print(
                f"  {ROLE_TITLE[h.role]:<27} @{h.handle:<12} from {_when(h.assigned_at)} "
                f"(by {h.assigned_by}{took}){until}"
            )
        if detail.pages:
            print("\nPages")
            for p in detail.pages:
                print(f"  #{p.id:<5} {p.state:<13} {p.service}: {p.summary[:70]}")
        if detail.summary:
            print(f"\nSummary: {detail.summary}")
        return 0

    return with_context(args, act)


def _status(args: argparse.Namespace) -> int:
    def act(context: ServiceContext) -> int:
        from warroom.services.incidents.lifecycle import set_status

        before = set_status(context, args.id, args.status, args.note)
        print(f"INC-{args.id}: {before} → {args.status.strip().lower()}.")
        return 0

    return with_context(args, act)


def _severity(args: argparse.Namespace) -> int:
    def act(context: ServiceContext) -> int:
        from warroom.domain.incidents import parse_severity
        from warroom.services.incidents.lifecycle import change_severity

        before = change_severity(context, args.id, args.severity, args.reason)
        print(f"INC-{args.id}: {before} → {parse_severity(args.severity).value}.")
        return 0

    return with_context(args, act)


def _close(args: argparse.Namespace) -> int:
    def act(context: ServiceContext) -> int:
        from warroom.services.incidents.lifecycle import close
        from warroom.services.incidents.queries import open_follow_ups

        close(context, args.id, args.summary)
        print(f"INC-{args.id} is closed.")
        for item in open_follow_ups(context, args.id):
            print(f"  follow-up still open: {item}")
        return 0

    return with_context(args, act)


def _propose(args: argparse.Namespace) -> int:
    def act(context: ServiceContext) -> int:
        from warroom.services.incidents.lifecycle import propose_close

        propose_close(context, args.id, args.note)
        print(f"Proposed closing INC-{args.id}; its Incident Commander decides.")
        return 0

    return with_context(args, act)


def _reopen(args: argparse.Namespace) -> int:
    def act(context: ServiceContext) -> int:
        from warroom.services.incidents.lifecycle import reopen

        reopen(context, args.id, args.reason)
        print(f"INC-{args.id} is open again (investigating).")
        return 0

    return with_context(args, act)


def _link(args: argparse.Namespace) -> int:
    def act(context: ServiceContext) -> int:
        from warroom.services.incidents.lifecycle import link_page, unlink_page

        if args.unlink:
            unlink_page(context, args.id, args.page)
            print(f"Page #{args.page} is no longer part of INC-{args.id}.")
        else:
            link_page(context, args.id, args.page)
            print(f"Page #{args.page} is now part of INC-{args.id}.")
        return 0

    return with_context(args, act)


def _assign(args: argparse.Namespace) -> int:
    def act(context: ServiceContext) -> int:
        from warroom.domain.incidents import ROLE_TITLE
        from warroom.services.incidents.roles import assign

        change = assign(context, args.id, args.role, args.handle, expertise=args.expertise)
        handed = f", handed over from @{change.previous}" if change.previous else ""
        print(f"@{change.handle} is {ROLE_TITLE[change.role]} of INC-{args.id}{handed}.")
        return 0

    return with_context(args, act)


def _release(args: argparse.Namespace) -> int:
    def act(context: ServiceContext) -> int:
        from warroom.domain.incidents import ROLE_TITLE, parse_role
        from warroom.services.incidents.roles import release

        release(context, args.id, args.role, args.handle)
        title = ROLE_TITLE[parse_role(args.role).value]
        print(f"@{args.handle} no longer holds {title} of INC-{args.id}.")
        return 0

    return with_context(args, act)


def _post_update(args: argparse.Namespace) -> int:
    def act(context: ServiceContext) -> int:
        from warroom.services.comms.updates import post_update

        posted = post_update(context, args.id, args.audience, args.text, args.status)
        if args.json:
            print_json(
                {
                    "id": posted.id,
                    "ref": posted.ref,
                    "audience": posted.audience,
                    "status": posted.status,
                    "deliveries": list(posted.deliveries),
                }
            )
            return 0
        going = (
            f"; delivering it to {', '.join(posted.deliveries)} in the background"
            if posted.deliveries
            else ""
        )
        print(f"Posted the {posted.audience} update of {posted.ref} ({posted.status}){going}.")
        return 0

    return with_context(args, act)


def _list_updates(args: argparse.Namespace) -> int:
    def act(context: ServiceContext) -> int:
        from warroom.services.comms.updates import list_updates

        rows = list_updates(context, args.id)
        if args.json:
            print_json(
                [
                    {
                        "id": u.id,
                        "audience": u.audience,
                        "status": u.status,
                        "posted_by": u.posted_by,
                        "posted_at": iso(u.posted_at),
                        "body": u.body,
                        "deliveries": [
                            {
                                "target": d.target,
                                "state": d.state,
                                "shown": d.label,
                                "attempts": d.attempts,
                                "code": d.code,
                                "delivered_at": iso(d.delivered_at),
                            }
                            for d in u.deliveries
                        ],
                    }
                    for u in rows
                ]
            )
            return 0
        if not rows:
            print(f"Nobody has been told anything about INC-{args.id} yet.")
        for u in rows:
            sent = "".join(f"  [{d.target}: {d.label}]" for d in u.deliveries)
            print(f"{_when(u.posted_at)}  {u.audience:<9} {u.status:<13} @{u.posted_by}{sent}")
            for line in u.body.splitlines():
                print(f"    {line}")
        return 0

    return with_context(args, act)


def _note(args: argparse.Namespace) -> int:
    at = parse_instant(args.at) if args.at is not None else None
    if args.owner and parse_kind(args.kind or "note") is not TranscriptKind.ACTION:
        raise WarroomError("--owner is for action items; add --kind action.")

    def act(context: ServiceContext) -> int:
        from warroom.services.transcript.notes import note

        noted = note(
            context,
            args.id,
            args.text,
            kind=args.kind,
            speaker=args.speaker,
            owner=args.owner,
            at=at,
        )
        entry = noted.entry
        if args.json:
            print_json(
                {
                    "id": entry.id,
                    "ref": noted.ref,
                    "kind": entry.kind,
                    "occurred_at": iso(entry.occurred_at),
                    "t_plus": noted.t_plus,
                    "speaker": entry.speaker,
                    "owner": entry.owner,
                    "client_uuid": entry.client_uuid,
                }
            )
        else:
            print(f"Noted entry {entry.id} ({entry.kind}) on {noted.ref} at {noted.t_plus}.")
        return 0

    return with_context(args, act)


def _export(args: argparse.Namespace) -> int:
    from warroom.services.transcript.report import export, local_zone, write_report, zone_named

    # a bad zone is refused before anything is read or written
    zone = zone_named(args.tz) if args.tz is not None else local_zone()
    fmt = args.format
    if fmt is None:
        fmt = "html" if args.output and args.output.lower().endswith((".html", ".htm")) else "md"

    def act(context: ServiceContext) -> int:
        import sys

        if args.output is None:
            sys.stdout.write(export(context, args.id, fmt, zone))
            return 0
        written = write_report(context, args.id, fmt, args.output, zone)
        print(f"Wrote the report of INC-{args.id} to {written}.", file=sys.stderr)
        return 0

    return with_context(args, act)
