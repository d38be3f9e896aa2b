"""What every command shares: one-sentence errors, exit codes, opening the database, output.

Nothing here imports SQLAlchemy or the services at module level: ``warroom --version`` and
``--help`` must answer without loading the database layers. This module is also on the desktop
app's way to its first paint, so even ``json``, ``getpass`` and ``datetime`` are imported
where they are used (together ~10 ms of start-up; ``tests/benchmarks/startup.py``).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeAlias, TypeVar

from warroom import __version__
from warroom.domain.errors import WarroomError
from warroom.store.config import Settings, load_settings

if TYPE_CHECKING:
    from datetime import date, datetime

    from warroom.services.context import ServiceContext
    from warroom.store.database import Database

    #: What each command group's ``register`` adds its sub-parser to.
    Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

#: The keyring entry holding the webhook bearer token (``webhook-token`` writes, ``serve`` reads).

#: Ids are PostgreSQL bigints; anything larger cannot name a row and would fail in the driver.
LARGEST_ID = 2**63 - 1

#: Instants the schedule arithmetic can work with, with room for a shift's length either side.
EARLIEST_YEAR, LATEST_YEAR = 1970, 9000

T = TypeVar("T")


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other mistake."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}; see `{self.prog} --help`.\n")


def database_option() -> argparse.ArgumentParser:
    """The ``--database`` option every command accepts, before or after its name."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--database",
        metavar="URL",
        default=argparse.SUPPRESS,  # so one given before the command is not erased after it
        help="database URL (sqlite:///PATH or postgresql://USER@HOST/DB); overrides "
        "WARROOM_DATABASE_URL and the config file",
    )
    return parent


def row_id(text: str) -> int:
    """An argparse type for page ids: a number a database row can actually have."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 1 <= value <= LARGEST_ID:
        raise argparse.ArgumentTypeError(f"{text} cannot be an id; ids run from 1 to {LARGEST_ID}")
    return value


def parse_instant(text: str, option: str = "--at") -> datetime:
    """An ISO-8601 instant in UTC; a time without offset is this computer's local time."""
    from datetime import UTC, datetime

    if not text.strip():
        raise WarroomError(f"{option} is empty; write a time like 2026-11-24T03:00+00:00")
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise WarroomError(
            f"'{text}' is not an ISO-8601 time; write it like 2026-11-24T03:00+00:00"
        ) from None
    if not EARLIEST_YEAR <= instant.year < LATEST_YEAR:
        raise WarroomError(
            f"{option} {text} is out of range; give a time between the years {EARLIEST_YEAR} "
            f"and {LATEST_YEAR - 1}"
        )
    if instant.tzinfo is None:
        instant = instant.astimezone()  # a time without offset is the computer's local time
    return instant.astimezone(UTC)


def read_password(prompt: str) -> str | None:
    """The password typed at the terminal; None when nothing is typed or the input ends."""
    import getpass

    try:
        return getpass.getpass(prompt) or None
    except EOFError:  # Ctrl+D, or a terminal that closed
        print(file=sys.stderr)
        return None


def ask_password_on_terminal(reason: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    print(reason, file=sys.stderr)
    return read_password("PostgreSQL password: ")


def open_database(settings: Settings, *, create: bool | None = None) -> Database:
    """Connect, asking for a password on the terminal if PostgreSQL wants one.

    ``create``: see :func:`warroom.store.connect.open_database`; only ``demo`` and
    ``db upgrade`` pass True, so a mistyped path is reported instead of created.
    """
    from warroom.store.connect import open_database as open_configured

    return open_configured(settings, ask_password_on_terminal, create=create)


def with_context(args: argparse.Namespace, action: Callable[[ServiceContext], T]) -> T:
    """Open the database, check its schema, and run ``action(context)``."""
    from warroom.services.context import ServiceContext
    from warroom.store.schema import ensure_schema

    settings = load_settings(args.database)
    database = open_database(settings)
    try:
        ensure_schema(database)
        return action(ServiceContext(database, settings.user))
    finally:
        database.dispose()


def run_gui(settings: Settings, *, tray: bool = False) -> int:
    """Qt is imported only here, so every other command starts without it."""
    from warroom.ui.platform_check import check_platform

    check_platform()  # a desktop that cannot show the window is one sentence, not an abort
    from warroom.ui.launch import run_app

    return run_app(settings, tray=tray)


def read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WarroomError(f"There is no file {path}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise WarroomError(f"Cannot read {path}: {error}") from None


def print_json(data: object) -> None:
    import json

    print(json.dumps(data, indent=2))


def iso(moment: date | None) -> str | None:
    return moment.isoformat() if moment else None


def write_crash_log(error: BaseException) -> Path:
    from datetime import datetime

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


def silence_stdout() -> None:
    """Point standard output at /dev/null after its reader went away.

    Python flushes stdout once more on the way out; into a closed pipe that flush fails again
    and the interpreter complains, so whatever is still buffered goes nowhere instead.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor behind stdout (e.g. captured in tests)
        pass
    finally:
        os.close(devnull)
