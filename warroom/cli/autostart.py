"""``warroom autostart enable|disable``: start in the system tray when the person logs in.

The entry is the app's own desktop entry (``resources/desktop/org.warroom.Warroom.desktop``,
shipped in the wheel and the bundle) written to the XDG autostart folder with ``--tray`` and
the absolute path of the program that ran this command: the bundle's executable, the
``warroom`` a pipx or venv installed, or ``python -m warroom``. An absolute path, because the
PATH of a login session is not the PATH of the shell the person typed this in.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.domain.errors import WarroomError

if TYPE_CHECKING:
    from warroom.cli.common import Commands

DESKTOP_ID = "org.warroom.Warroom.desktop"

#: Characters that make the desktop entry spec quote an argument of Exec.
_RESERVED = re.compile(r"[\s\"'\\><~|&;$*?#()`]")


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    autostart = commands.add_parser(
        "autostart",
        parents=[database],
        help="start warroom in the system tray when you log in (or stop doing so)",
    )
    autostart.add_argument(
        "action",
        choices=["enable", "disable"],
        help="enable: write the XDG autostart entry; disable: remove it",
    )
    autostart.set_defaults(handler=_autostart)


def _autostart(args: argparse.Namespace) -> int:
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        raise WarroomError(
            "warroom autostart writes an XDG autostart entry, which this system does not read; "
            "see packaging/README.md for macOS and Windows."
        )
    path = autostart_path()
    if args.action == "disable":
        return _disable(path)
    entry = autostart_entry(program(), database=args.database)
    try:
        unchanged = path.is_file() and path.read_text(encoding="utf-8") == entry
        if not unchanged:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(entry, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise WarroomError(f"Cannot write the autostart entry {path}: {error}") from None
    already = "already starts" if unchanged else "will start"
    print(f"warroom {already} in the system tray when you log in ({path}).")
    return 0


def _disable(path: Path) -> int:
    try:
        path.unlink()
    except FileNotFoundError:
        print(f"warroom was not set to start when you log in (there is no {path}).")
        return 0
    except OSError as error:
        raise WarroomError(f"Cannot remove the autostart entry {path}: {error}") from None
    print(f"warroom will no longer start when you log in (removed {path}).")
    return 0


def autostart_path(environ: dict[str, str] | None = None) -> Path:
    """$XDG_CONFIG_HOME/autostart/org.warroom.Warroom.desktop (~/.config when unset or
    relative, as the XDG base directory spec says)."""
    env = os.environ if environ is None else environ
    config = env.get("XDG_CONFIG_HOME", "")
    base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return base / "autostart" / DESKTOP_ID


def program() -> list[str]:
    """The command that runs this warroom, as absolute paths."""
    if getattr(sys, "frozen", False):  # the PyInstaller bundle's executable
        return [os.path.abspath(sys.executable)]
    launcher = Path(sys.argv[0])
    if launcher.name == "warroom" and launcher.is_file():  # the console script
        return [os.path.abspath(launcher)]  # not resolved: pipx's link survives upgrades
    return [os.path.abspath(sys.executable), "-m", "warroom"]


def desktop_entry_template() -> str:
    return (resources.files("warroom.resources") / "desktop" / DESKTOP_ID).read_text("utf-8")


def autostart_entry(command: list[str], *, database: str | None = None) -> str:
    """The app's desktop entry, made to start ``command --tray`` at login."""
    arguments = [*command, "--tray"]
    if database:
        _check_database(database)
        arguments += ["--database", database]
    lines = []
    for line in desktop_entry_template().splitlines():
        if line.startswith("[") and line != "[Desktop Entry]":
            break  # the menu's actions mean nothing to a session starting the app
        if line.startswith("Actions="):
            continue
        if line.startswith("Exec="):
            line = "Exec=" + " ".join(exec_argument(argument) for argument in arguments)
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    # Plasma starts it once the panel (and its tray) is there; GNOME honours the switch.
    lines += ["X-GNOME-Autostart-enabled=true", "X-KDE-autostart-after=panel"]
    return "\n".join(lines) + "\n"


def exec_argument(argument: str) -> str:
    """One argument of an Exec key, quoted and escaped as the desktop entry spec says: field
    codes doubled, reserved characters inside double quotes, then the string escapes."""
    argument = argument.replace("%", "%%")
    if _RESERVED.search(argument) or not argument:
        argument = '"' + re.sub(r'(["`$\\])', r"\\\1", argument) + '"'
    return argument.replace("\\", "\\\\")


def _check_database(database: str) -> None:
    """A login session starts the entry in the home folder, with the file readable by all."""
    from warroom.store.config import parse_database_url, password_parts

    url = parse_database_url(database)
    if password_parts(url):
        raise WarroomError(
            "The database URL holds a password, which an autostart entry would keep in plain "
            "text; give the URL without it (`warroom login` keeps the password in the keyring)."
        )
    if url.get_backend_name() == "sqlite" and not os.path.isabs(url.database or ""):
        raise WarroomError(
            f"The SQLite path {url.database} is relative, and a login session starts warroom "
            "elsewhere; give an absolute one (sqlite:////home/you/warroom.db)."
        )
