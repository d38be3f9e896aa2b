"""The ``warroom`` command: the desktop app, and the database chores around it.

Each command group lives in its own module and registers its sub-parser and handler; this
module only builds the parser from them and runs what was asked. Every failure a person can
cause or fix is one sentence on stderr and a non-zero exit; a bug is logged with its
traceback to a file, and the sentence says where. Output into a pipe whose reader has gone
(``warroom oncall | head -1``) ends quietly with success, as it does for other tools.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from warroom import __version__
from warroom.cli import app
from warroom.cli.common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    Parser,
    database_option,
    silence_stdout,
    write_crash_log,
)
from warroom.domain.errors import WarroomError

__all__ = ["EXIT_ERROR", "EXIT_USAGE", "build_parser", "main"]

#: In the order ``warroom --help`` lists them; imported only when a command is asked for, so
#: starting the desktop app (no command) reads none of them.
COMMAND_GROUPS = (
    "db",
    "demo",
    "config",
    "roster",
    "serve",
    "page",
    "incident",
    "report",
    "webhook_token",
    "runbooks",
    "oncall",
    "schedule",
    "autostart",
)
#: What ``warroom`` without a command takes (the flags that take no value, then those that do).
_APP_FLAGS = frozenset({"--tray", "--smoke-test"})
_APP_OPTIONS = frozenset({"--database"})


def _wants_the_app(argv: Sequence[str]) -> bool:
    """No command, only the app's own options: the desktop app starts without the parser of
    every command (a person clicking the icon waits for the window, not for argparse)."""
    tokens = list(argv)
    while tokens:
        token = tokens.pop(0)
        if token in _APP_FLAGS or (token.split("=", 1)[0] in _APP_OPTIONS and "=" in token):
            continue
        if token in _APP_OPTIONS and tokens and not tokens[0].startswith("-"):
            tokens.pop(0)
            continue
        return False
    return True


def build_parser(app_only: bool = False) -> argparse.ArgumentParser:
    """The whole parser, or (``app_only``) just what the desktop app takes."""
    from importlib import import_module

    database = database_option()
    parser = Parser(
        prog="warroom",
        parents=[database],
        description="The incident war room: on-call roster, paging, roles, scribe, runbooks.",
    )
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    app.register_root(parser)
    if app_only:
        return parser
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_GROUPS:
        import_module(f"warroom.cli.{name}").register(commands, database)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            given = sys.argv[1:] if argv is None else list(argv)
            args = build_parser(app_only=_wants_the_app(given)).parse_args(given)
        except SystemExit:
            sys.stdout.flush()  # --help into a closed pipe fails here, not in the interpreter
            raise
        # --database may come before or after the command; SUPPRESS keeps one from erasing the
        # other, and commands that never saw it get None
        args.database = getattr(args, "database", None)
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        code = _run(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        silence_stdout()
        return 0


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.handler(args))
    except WarroomError as error:
        print(f"warroom: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("warroom: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        raise  # the reader of our output went away: not a bug, see main()
    except Exception as error:  # a bug: no traceback in the person's face, but keep it
        log_file = write_crash_log(error)
        print(
            f"warroom: internal error ({type(error).__name__}: {error}); this is a bug. "
            f"The details are in {log_file}.",
            file=sys.stderr,
        )
        return EXIT_ERROR
