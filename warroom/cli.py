"""The ``warroom`` command: the desktop app, and the database chores around it.

Every failure a person can cause or fix is one sentence on stderr and a non-zero exit; a bug
is logged with its traceback to a file, and the sentence says where.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import logging
import sys
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from warroom import __version__
from warroom.domain.errors import WarroomError
from warroom.store.config import (
    Settings,
    keyring_available,
    load_settings,
    mask_url,
    no_keyring_message,
    save_settings,
    store_password,
    stored_password,
)

EXIT_ERROR = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--database",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="database URL (sqlite:///PATH or postgresql://USER@HOST/DB); overrides "
        "WARROOM_DATABASE_URL and the config file",
    )
    parser = argparse.ArgumentParser(
        prog="warroom",
        parents=[database],
        description="The incident war room: on-call roster, paging, roles, scribe, runbooks.",
    )
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    parser.add_argument(
        "--tray",
        action="store_true",
        help="start in the system tray (the window opens from its menu)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    db = commands.add_parser("db", help="create or migrate the database schema")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", parents=[database], help="migrate the schema to this version")
    db_commands.add_parser("status", parents=[database], help="show the schema version")

    demo = commands.add_parser(
        "demo", parents=[database], help="seed the demo organisation and open the app"
    )
    demo.add_argument("--no-gui", action="store_true", help="seed only; do not open the app")

    commands.add_parser(
        "login",
        parents=[database],
        help="store the PostgreSQL password in the OS keyring (and remember --database)",
    )

    roster = commands.add_parser("roster", help="import or export the roster file (YAML)")
    roster_commands = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True)
    roster_import = roster_commands.add_parser(
        "import", parents=[database], help="apply a roster file; reports what changes"
    )
    roster_import.add_argument("file", metavar="FILE")
    roster_import.add_argument("--dry-run", action="store_true", help="report, write nothing")
    roster_export = roster_commands.add_parser(
        "export", parents=[database], help="write the current roster as a roster file"
    )
    roster_export.add_argument("file", metavar="FILE", help="'-' for standard output")

    serve = commands.add_parser(
        "serve",
        parents=[database],
        help="receive alert webhooks and run the escalation engine (headless)",
    )
    serve.add_argument(
        "--listen",
        default="127.0.0.1:8787",
        metavar="HOST:PORT",
        help="where to listen (default 127.0.0.1:8787, loopback only)",
    )
    serve.add_argument(
        "--default-service", metavar="SLUG", help="the service for alerts without a 'service' label"
    )
    serve.add_argument(
        "--no-token",
        action="store_true",
        help="accept webhooks without the bearer token even if one is stored",
    )

    page = commands.add_parser("page", help="pages from the command line")
    page_commands = page.add_subparsers(dest="page_command", metavar="ACTION", required=True)
    page_create = page_commands.add_parser("create", parents=[database], help="page by hand")
    page_create.add_argument("--service", required=True, metavar="S")
    page_create.add_argument("--summary", required=True, metavar="TEXT")
    page_create.add_argument("--urgency", choices=["high", "low"])
    page_create.add_argument("--dedup-key", metavar="K")
    page_list = page_commands.add_parser("list", parents=[database], help="recent pages")
    page_list.add_argument(
        "--state", metavar="S", help="triggered, acknowledged, deferred or resolved"
    )
    page_list.add_argument("--json", action="store_true")
    for action, text in (
        ("ack", "acknowledge a page (stops escalation)"),
        ("resolve", "resolve a page"),
    ):
        sub = page_commands.add_parser(action, parents=[database], help=text)
        sub.add_argument("id", type=int, metavar="ID")
    page_escalate = page_commands.add_parser(
        "escalate", parents=[database], help="escalate now: next level or an expertise"
    )
    page_escalate.add_argument("id", type=int, metavar="ID")
    page_escalate.add_argument("--to-expertise", metavar="TAG")

    report = commands.add_parser("report", help="reports")
    report_commands = report.add_subparsers(dest="report_command", metavar="REPORT", required=True)
    report_escalations = report_commands.add_parser(
        "escalations",
        parents=[database],
        help="per responder and team: pages, acknowledgements, escalations, noise",
    )
    report_escalations.add_argument("--days", type=int, default=30)
    report_escalations.add_argument("--json", action="store_true")

    webhook = commands.add_parser(
        "webhook-token",
        parents=[database],
        help="create the webhook bearer token (kept in the keyring)",
    )
    webhook.add_argument("--remove", action="store_true", help="delete it instead")

    runbooks = commands.add_parser("runbooks", help="the runbook library")
    runbook_commands = runbooks.add_subparsers(
        dest="runbooks_command", metavar="ACTION", required=True
    )
    runbooks_import = runbook_commands.add_parser(
        "import", parents=[database], help="import a folder of Markdown runbooks (recursively)"
    )
    runbooks_import.add_argument("folder", metavar="DIR")
    runbooks_list = runbook_commands.add_parser("list", parents=[database], help="list runbooks")
    runbooks_list.add_argument("--json", action="store_true", help="machine-readable output")
    runbooks_show = runbook_commands.add_parser("show", parents=[database], help="print one")
    runbooks_show.add_argument("slug", metavar="SLUG")
    runbooks_show.add_argument("--html", action="store_true", help="the rendered HTML")
    runbook_commands.add_parser(
        "report",
        parents=[database],
        help="services and alerts without a runbook, and stale runbooks",
    )

    oncall = commands.add_parser(
        "oncall", parents=[database], help="who is primary and secondary for each team"
    )
    oncall.add_argument("--at", metavar="ISO-8601", help="the instant to ask about (default now)")
    oncall.add_argument("--team", metavar="SLUG", help="only this team")
    oncall.add_argument("--json", action="store_true", help="machine-readable output")

    schedule = commands.add_parser("schedule", help="schedule exports")
    schedule_commands = schedule.add_subparsers(
        dest="schedule_command", metavar="ACTION", required=True
    )
    schedule_export = schedule_commands.add_parser(
        "export", parents=[database], help="write shifts as an iCalendar file"
    )
    schedule_export.add_argument("schedule", metavar="SCHEDULE", help="the schedule's slug")
    schedule_export.add_argument("--ics", metavar="FILE", required=True)
    schedule_export.add_argument("--person", metavar="HANDLE", help="only this person's shifts")
    schedule_export.add_argument("--weeks", type=int, default=8, help="how far ahead (default 8)")

    config = commands.add_parser("config", help="show or change the configuration")
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    config_commands.add_parser("show", parents=[database], help="print the effective configuration")
    config_set = config_commands.add_parser("set", help="change the config file")
    config_set.add_argument("--database", metavar="URL", help="database URL, without password")
    config_set.add_argument("--user", metavar="HANDLE", help="your handle on the roster")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # --database may come before or after the command; SUPPRESS keeps one from erasing the other
    args.database = getattr(args, "database", None)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return _dispatch(args)
    except WarroomError as error:
        print(f"warroom: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("warroom: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug: no traceback in the person's face, but keep it
        log_file = _write_crash_log(error)
        print(
            f"warroom: internal error ({type(error).__name__}: {error}); this is a bug. "
            f"The details are in {log_file}.",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _dispatch(args: argparse.Namespace) -> int:
    if args.command is None:
        # The window checks the URL on its worker and shows any problem in its banner.
        return _run_gui(load_settings(args.database, validate=False), tray=args.tray)
    if args.command == "db":
        return _db(args)
    if args.command == "demo":
        return _demo(args)
    if args.command == "login":
        return _login(args)
    if args.command == "config":
        return _config(args)
    if args.command == "roster":
        return _roster(args)
    if args.command == "oncall":
        return _oncall(args)
    if args.command == "runbooks":
        return _runbooks(args)
    if args.command == "serve":
        return _serve(args)
    if args.command == "page":
        return _page(args)
    if args.command == "webhook-token":
        return _webhook_token(args)
    if args.command == "report":
        return _report(args)
    if args.command == "schedule":
        return _schedule(args)
    raise AssertionError(f"unhandled command {args.command}")


def _ask_password_on_terminal(reason: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    print(reason, file=sys.stderr)
    return getpass.getpass("PostgreSQL password: ") or None


def _open(settings: Settings):  # type: ignore[no-untyped-def]
    from warroom.store.connect import open_database

    return open_database(settings, _ask_password_on_terminal)


def _db(args: argparse.Namespace) -> int:
    from warroom.store.schema import check_schema, head_revision, upgrade

    settings = load_settings(args.database)
    database = _open(settings)
    try:
        if args.db_command == "upgrade":
            before, after = upgrade(database)
            if before == after:
                print(f"{database.display_url}: schema already at {after}.")
            else:
                print(
                    f"{database.display_url}: schema migrated from {before or 'empty'} to {after}."
                )
        else:
            revision = check_schema(database)
            print(f"{database.display_url}: schema {revision} (this warroom: {head_revision()}).")
    finally:
        database.dispose()
    return 0


def _demo(args: argparse.Namespace) -> int:
    from warroom.services.context import ServiceContext
    from warroom.services.demo import seed_demo
    from warroom.store.schema import ensure_schema, upgrade

    settings = load_settings(args.database)
    database = _open(settings)
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
    return _run_gui(settings)


def _login(args: argparse.Namespace) -> int:
    settings = load_settings(args.database)
    url = settings.url
    if not settings.is_postgresql:
        print(f"{mask_url(url)} is an embedded SQLite database; it needs no password.")
        return 0
    if not keyring_available():
        raise WarroomError(no_keyring_message())
    if not sys.stdin.isatty():
        raise WarroomError("`warroom login` asks for the password on a terminal; run it in one.")
    password = getpass.getpass(f"Password for {url.username}@{url.host or 'localhost'}: ")
    if not password:
        raise WarroomError("No password given; nothing was stored.")
    from warroom.store.connect import open_database

    probe_settings = Settings(
        url.set(password=password).render_as_string(hide_password=False),
        settings.database_source,
        settings.user,
        settings.user_source,
        settings.config_file,
    )
    open_database(probe_settings).dispose()  # refuse to store a password that does not work
    store_password(url, password)
    if args.database:
        save_settings(database_url=args.database)
    print(f"Password for {mask_url(url)} stored in the OS keyring.")
    return 0


def _config(args: argparse.Namespace) -> int:
    if args.config_command == "set":
        if not args.database and not args.user:
            raise WarroomError("Nothing to set: give --database URL and/or --user HANDLE.")
        if args.database and load_settings(args.database).url.password:
            raise WarroomError(
                "The URL contains a password; config files never hold passwords. Set the URL "
                "without it and run `warroom login` to keep the password in the OS keyring."
            )
        if args.user:
            from warroom.domain.people import validate_handle

            validate_handle(args.user)
        path = save_settings(database_url=args.database, user=args.user)
        print(f"Saved {path}.")
        return 0
    settings = load_settings(args.database)
    url = settings.url
    if not settings.is_postgresql:
        password = "not needed (embedded SQLite)"
    elif url.password:
        password = "given in the URL (masked)"
    elif not keyring_available():
        password = "no OS keyring: asked for each session"
    elif stored_password(url):
        password = "stored in the OS keyring (masked)"
    else:
        password = "none stored (run `warroom login` if the server asks for one)"
    import keyring

    rows = [
        (
            "config file",
            f"{settings.config_file}"
            f"{'' if settings.config_file.exists() else ' (not created yet)'}",
        ),
        ("database", f"{mask_url(url)}  [{settings.database_source}]"),
        ("password", password),
        ("user", f"{settings.user}  [{settings.user_source}]"),
        ("keyring", type(keyring.get_keyring()).__name__ if keyring_available() else "none"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


def _with_context(args: argparse.Namespace, action):  # type: ignore[no-untyped-def]
    """Open the database, check its schema, and run ``action(context)``."""
    from warroom.services.context import ServiceContext
    from warroom.store.schema import ensure_schema

    settings = load_settings(args.database)
    database = _open(settings)
    try:
        ensure_schema(database)
        return action(ServiceContext(database, settings.user))
    finally:
        database.dispose()


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WarroomError(f"There is no file {path}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise WarroomError(f"Cannot read {path}: {error}") from None


def _roster(args: argparse.Namespace) -> int:
    from warroom.domain.roster_file import dump_roster, parse_roster
    from warroom.services.roster import export_roster, import_roster

    if args.roster_command == "import":
        text = _read_text(args.file)
        spec = parse_roster(text, args.file)  # a bad file fails before touching the database

        def apply(context):  # type: ignore[no-untyped-def]
            changes = import_roster(
                context, spec, dry_run=args.dry_run, source=Path(args.file).name
            )
            print(changes.describe())
            return 0

        return int(_with_context(args, apply))

    def export(context):  # type: ignore[no-untyped-def]
        text = dump_roster(export_roster(context))
        if args.file == "-":
            sys.stdout.write(text)
        else:
            try:
                Path(args.file).write_text(text, encoding="utf-8")
            except OSError as error:
                raise WarroomError(f"Cannot write {args.file}: {error}") from None
            print(f"Wrote the roster to {args.file}.")
        return 0

    return int(_with_context(args, export))


def _report(args: argparse.Namespace) -> int:
    import json

    from warroom.services.metrics import escalation_report

    if not 1 <= args.days <= 3660:
        raise WarroomError("--days must be between 1 and 3660.")

    def show(context):  # type: ignore[no-untyped-def]
        report = escalation_report(context, args.days)
        if args.json:
            print(
                json.dumps(
                    {
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
                    },
                    indent=2,
                )
            )
            return 0
        print(f"Escalations since {report.since:%Y-%m-%d} ({args.days} days)\n")
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
        return 0

    return int(_with_context(args, show))


WEBHOOK_ACCOUNT = "webhook-token"


def _webhook_token(args: argparse.Namespace) -> int:
    import secrets

    import keyring

    from warroom.store.config import KEYRING_SERVICE

    if not keyring_available():
        raise WarroomError(no_keyring_message())
    if args.remove:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(KEYRING_SERVICE, WEBHOOK_ACCOUNT)
        print("The webhook token is removed; `warroom serve` accepts alerts without one.")
        return 0
    token = secrets.token_urlsafe(32)
    keyring.set_password(KEYRING_SERVICE, WEBHOOK_ACCOUNT, token)
    print("Senders must now send this header (it is shown once; it is kept in the keyring):")
    print(f"Authorization: Bearer {token}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import signal
    import threading

    from warroom.engine.escalation import EscalationEngine
    from warroom.engine.receiver import AlertReceiver

    host, _, port_text = args.listen.rpartition(":")
    if not host or not port_text.isdigit():
        raise WarroomError(f"--listen {args.listen}: write it as HOST:PORT, e.g. 127.0.0.1:8787")
    token = None
    if not args.no_token and keyring_available():
        import keyring

        from warroom.store.config import KEYRING_SERVICE

        token = keyring.get_password(KEYRING_SERVICE, WEBHOOK_ACCOUNT)

    def run(context):  # type: ignore[no-untyped-def]
        try:
            receiver = AlertReceiver(
                context, host, int(port_text), token=token, default_service=args.default_service
            )
        except OSError as error:
            raise WarroomError(f"Cannot listen on {args.listen}: {error.strerror}.") from None
        engine = EscalationEngine(context)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        receiver.start()
        engine.start()
        where = "{}:{}".format(*receiver.address)
        print(
            f"warroom serve: receiving alerts on http://{where}/alertmanager, /grafana, "
            f"/generic ({'token required' if token else 'no token'}); escalation engine "
            "running. Ctrl+C stops.",
            flush=True,
        )
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            receiver.stop()
            engine.stop()
        return 0

    return int(_with_context(args, run))


def _page(args: argparse.Namespace) -> int:
    import json

    from warroom.services.paging import ingest, queries, responses

    def act(context):  # type: ignore[no-untyped-def]
        if args.page_command == "create":
            result = ingest.create_page(
                context,
                service=args.service,
                summary=args.summary,
                urgency=args.urgency,
                dedup_key=args.dedup_key,
            )
            print(result.describe())
        elif args.page_command == "list":
            lines = queries.list_pages(context, args.state)
            if args.json:
                print(
                    json.dumps(
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
                                "deferred_until": p.deferred_until.isoformat()
                                if p.deferred_until
                                else None,
                            }
                            for p in lines
                        ],
                        indent=2,
                    )
                )
            else:
                held = [p for p in lines if p.state == "deferred"]
                if held:
                    print(f"Waiting for business hours: {len(held)} held.")
                for p in lines:
                    flag = "" if p.runbook else "  [no runbook]"
                    print(
                        f"#{p.id:<5} {p.state:<13} {p.urgency:<5} {p.service:<16} "
                        f"{p.summary[:70]}{flag}"
                    )
        elif args.page_command == "ack":
            done = responses.acknowledge(context, args.id)
            print(
                f"Page #{args.id} acknowledged."
                if done
                else f"Page #{args.id} was already acknowledged."
            )
        elif args.page_command == "resolve":
            done = responses.resolve(context, args.id)
            print(
                f"Page #{args.id} resolved." if done else f"Page #{args.id} was already resolved."
            )
        else:
            told = responses.escalate(context, args.id, to_expertise=args.to_expertise)
            print(f"Page #{args.id} escalated; told: {', '.join(told) or 'nobody new'}.")
        return 0

    return int(_with_context(args, act))


def _runbooks(args: argparse.Namespace) -> int:
    import json

    from warroom.services import runbooks

    def act(context):  # type: ignore[no-untyped-def]
        if args.runbooks_command == "import":
            report = runbooks.import_runbooks(context, Path(args.folder))
            print(report.describe())
            return 0
        if args.runbooks_command == "list":
            summaries = runbooks.list_runbooks(context)
            if args.json:
                print(
                    json.dumps(
                        [
                            {
                                "slug": s.slug,
                                "title": s.title,
                                "services": list(s.services),
                                "alerts": list(s.alerts),
                                "owners": list(s.owners),
                                "last_reviewed": s.last_reviewed.isoformat()
                                if s.last_reviewed
                                else None,
                                "stale": s.stale,
                                "steps": s.steps,
                            }
                            for s in summaries
                        ],
                        indent=2,
                    )
                )
                return 0
            width = max((len(s.slug) for s in summaries), default=4)
            for s in summaries:
                flag = "  STALE" if s.stale else ""
                print(f"{s.slug:<{width}}  {s.title}  [{', '.join(s.services) or '-'}]{flag}")
            return 0
        if args.runbooks_command == "show":
            detail = runbooks.get_runbook(context, args.slug)
            if args.html:
                from warroom.domain.runbook_render import render_runbook

                print(render_runbook(detail.body).html)
            else:
                s = detail.summary
                print(
                    f"# {s.title}\n(slug {s.slug}; services: {', '.join(s.services) or '-'}; "
                    f"last reviewed {s.last_reviewed or 'never'}"
                    f"{'; STALE' if s.stale else ''})\n"
                )
                print(detail.body.strip())
            return 0
        print(runbooks.coverage_report(context).describe())
        return 0

    return int(_with_context(args, act))


def _parse_instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise WarroomError(
            f"'{text}' is not an ISO-8601 time; write it like 2026-11-24T03:00+00:00"
        ) from None
    if instant.tzinfo is None:
        instant = instant.astimezone()  # a time without offset is the computer's local time
    return instant.astimezone(UTC)


def _oncall(args: argparse.Namespace) -> int:
    import json

    from warroom.services.oncall import who_is_on_call
    from warroom.services.people import list_people

    at = _parse_instant(args.at) if args.at else None

    def show(context):  # type: ignore[no-untyped-def]
        moment = at or context.clock.now()
        teams = who_is_on_call(context, moment, args.team)
        names = {p.handle: p.name for p in list_people(context)}
        if args.json:
            print(
                json.dumps(
                    {
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
                                        "until": line.until.isoformat() if line.until else None,
                                        "next": line.next_person,
                                        "next_start": line.next_start.isoformat()
                                        if line.next_start
                                        else None,
                                    }
                                    for line in t.lines
                                ],
                            }
                            for t in teams
                        ],
                    },
                    indent=2,
                )
            )
            return 0
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
        return 0

    return int(_with_context(args, show))


def _schedule(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from warroom.domain.ics import shifts_to_ics
    from warroom.services.oncall import shifts_between
    from warroom.services.people import list_people

    if not 1 <= args.weeks <= 104:
        raise WarroomError("--weeks must be between 1 and 104.")

    def export(context):  # type: ignore[no-untyped-def]
        start = context.clock.now()
        info, shifts = shifts_between(
            context, args.schedule, start, start + timedelta(weeks=args.weeks), args.person
        )
        names = {p.handle: p.name for p in list_people(context)}
        if args.person and args.person not in names:
            raise WarroomError(f"There is no person '{args.person}'.")
        data = shifts_to_ics(info.slug, info.name, shifts, names, start)
        try:
            Path(args.ics).write_bytes(data)
        except OSError as error:
            raise WarroomError(f"Cannot write {args.ics}: {error}") from None
        count = len([s for s in shifts if s.person])
        print(f"Wrote {count} shifts of {info.name} over {args.weeks} weeks to {args.ics}.")
        return 0

    return int(_with_context(args, export))


def _run_gui(settings: Settings, tray: bool = False) -> int:
    from warroom.ui.app import run_app

    return run_app(settings, tray=tray)


def _write_crash_log(error: BaseException) -> Path:
    from warroom.store.config import data_dir

    path = data_dir() / "crash.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now().isoformat()} warroom {__version__}\n")
            handle.write("".join(traceback.format_exception(error)))
    except OSError:
        return Path("(could not write the crash log)")
    return path


if __name__ == "__main__":
    sys.exit(main())
