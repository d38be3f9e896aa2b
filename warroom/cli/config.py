"""``warroom config show|set`` and ``warroom login``: who you are, which database, its password.

The config file holds the database URL without password and your handle; the password goes
to the OS keyring through ``login``, and only when the server asks for one.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from warroom.cli.common import read_password
from warroom.domain.errors import WarroomError
from warroom.store.config import (
    BrokenConfigError,
    Settings,
    keyring_available,
    load_settings,
    mask_url,
    no_keyring_message,
    parse_database_url,
    password_parts,
    save_settings,
    set_aside_broken_config,
    store_password,
    stored_password,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from warroom.cli.common import Commands


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    login = commands.add_parser(
        "login",
        parents=[database],
        help="store the PostgreSQL password in the OS keyring (and remember --database)",
    )
    login.set_defaults(handler=_login)

    config = commands.add_parser("config", help="show or change the configuration")
    actions = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", parents=[database], help="print the effective configuration")
    show.set_defaults(handler=_show)
    change = actions.add_parser(
        "set",
        help="change the config file (a broken one is kept as config.toml.broken)",
    )
    change.add_argument("--database", metavar="URL", help="database URL, without password")
    change.add_argument("--user", metavar="HANDLE", help="your handle on the roster")
    change.set_defaults(handler=_set)


def _refuse_password(url: URL) -> None:
    parts = password_parts(url)
    if parts:
        raise WarroomError(
            f"The URL carries a password ({' and '.join(parts)}); config files never hold "
            "passwords. Give the URL without it and run `warroom login` to keep the password "
            "in the OS keyring."
        )


def _set(args: argparse.Namespace) -> int:
    if not args.database and not args.user:
        raise WarroomError("Nothing to set: give --database URL and/or --user HANDLE.")
    if args.database:
        _refuse_password(parse_database_url(args.database))
    if args.user:
        from warroom.domain.people import validate_handle

        validate_handle(args.user)
    try:
        path = save_settings(database_url=args.database, user=args.user)
    except BrokenConfigError as broken:
        # `config set` is how a broken file gets repaired, so it may not refuse to run: the
        # broken file is kept for the person to read, and a new one holds what was given.
        kept = set_aside_broken_config()
        path = save_settings(database_url=args.database, user=args.user)
        print(
            f"warroom: the config file {broken.path} {broken.problem}; it is kept as {kept}, and "
            "the new file holds only what you set now.",
            file=sys.stderr,
        )
    print(f"Saved {path}.")
    return 0


def _show(args: argparse.Namespace) -> int:
    import keyring

    settings = load_settings(args.database)
    url = settings.url
    rows = [
        (
            "config file",
            f"{settings.config_file}"
            f"{'' if settings.config_file.exists() else ' (not created yet)'}",
        ),
        ("database", f"{mask_url(url)}  [{settings.database_source}]"),
        ("password", _password_state(settings)),
        ("user", f"{settings.user}  [{settings.user_source}]"),
        ("keyring", type(keyring.get_keyring()).__name__ if keyring_available() else "none"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


def _password_state(settings: Settings) -> str:
    url = settings.url
    if not settings.is_postgresql:
        return "not needed (embedded SQLite)"
    if password_parts(url):
        return "given in the URL (masked)"
    if not keyring_available():
        return "no OS keyring: asked for each session"
    if stored_password(url):
        return "stored in the OS keyring (masked)"
    return "none stored (run `warroom login` if the server asks for one)"


def _login(args: argparse.Namespace) -> int:
    from warroom.store.connect import open_database, server_wants_password

    settings = load_settings(args.database)
    url = settings.url
    if not settings.is_postgresql:
        print(f"{mask_url(url)} is an embedded SQLite database; it needs no password.")
        return 0
    _refuse_password(url)
    if not keyring_available():
        raise WarroomError(no_keyring_message())
    who = f"'{url.username}'" if url.username else "your login"
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    if not server_wants_password(url):
        _remember(args.database)
        print(f"PostgreSQL at {where} lets {who} in without a password; nothing was stored.")
        return 0
    if not sys.stdin.isatty():
        raise WarroomError("`warroom login` asks for the password on a terminal; run it in one.")
    password = read_password(f"Password for {url.username or ''}@{url.host or 'localhost'}: ")
    if not password:
        raise WarroomError("No password given; nothing was stored.")
    probe_settings = Settings(
        url.set(password=password).render_as_string(hide_password=False),
        settings.database_source,
        settings.user,
        settings.user_source,
        settings.config_file,
    )
    open_database(probe_settings).dispose()  # refuse to store a password that does not work
    store_password(url, password)
    _remember(args.database)
    print(f"Password for {mask_url(url)} stored in the OS keyring.")
    return 0


def _remember(database_url: str | None) -> None:
    if database_url:
        save_settings(database_url=database_url)
