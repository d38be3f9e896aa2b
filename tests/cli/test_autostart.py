"""``warroom autostart enable|disable``: the XDG autostart entry that starts the tray at login."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.runner import child_environment, run
from tests.packaging.programs import need
from warroom.cli.autostart import autostart_entry, autostart_path, exec_argument


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


def _exec_line(entry: str) -> str:
    return next(line for line in entry.splitlines() if line.startswith("Exec="))


def _split_exec(value: str) -> list[str]:
    """Exec's arguments read back as a desktop environment reads them (the spec's rules)."""
    value = re.sub(r"\\(.)", lambda m: {"s": " ", "n": "\n", "t": "\t"}.get(m[1], m[1]), value)
    arguments, current, quoted, escaped = [], "", False, False
    for char in value:
        if escaped:
            current, escaped = current + char, False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == " " and not quoted:
            arguments.append(current)
            current = ""
        else:
            current += char
    return [*arguments, current]


def test_enable_writes_an_entry_that_starts_the_tray_and_disable_removes_it(
    capsys: pytest.CaptureFixture[str], config_home: Path
) -> None:
    path = config_home / "autostart" / "org.warroom.Warroom.desktop"
    code, out, _ = run(capsys, "autostart", "enable")
    assert code == 0
    assert out == f"warroom will start in the system tray when you log in ({path}).\n"
    entry = path.read_text()
    assert _split_exec(_exec_line(entry).removeprefix("Exec="))[-1] == "--tray"
    assert "X-GNOME-Autostart-enabled=true" in entry
    assert "[Desktop Action" not in entry  # the menu's actions stay in the menu
    subprocess.run([need("desktop-file-validate", "desktop-file-utils"), str(path)], check=True)

    code, out, _ = run(capsys, "autostart", "enable")
    assert (code, out) == (
        0,
        f"warroom already starts in the system tray when you log in ({path}).\n",
    )

    code, out, _ = run(capsys, "autostart", "disable")
    assert (code, out) == (0, f"warroom will no longer start when you log in (removed {path}).\n")
    assert not path.exists()
    code, out, _ = run(capsys, "autostart", "disable")
    assert (code, out) == (
        0,
        f"warroom was not set to start when you log in (there is no {path}).\n",
    )


def test_the_entry_runs_this_warroom_by_its_absolute_path(
    config_home: Path, tmp_path: Path
) -> None:
    # A real process (python -m warroom): the session at login has another PATH and folder.
    done = subprocess.run(
        [sys.executable, "-m", "warroom", "autostart", "enable"],
        capture_output=True,
        text=True,
        env=child_environment(XDG_CONFIG_HOME=str(config_home)),
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    entry = (config_home / "autostart" / "org.warroom.Warroom.desktop").read_text()
    command = _split_exec(_exec_line(entry).removeprefix("Exec="))
    assert command == [sys.executable, "-m", "warroom", "--tray"]
    assert Path(command[0]).is_absolute()


@pytest.mark.parametrize(
    "program",
    ["/opt/war room/warroom", '/opt/"odd"/$HOME/100%/back\\slash/warroom', "/usr/bin/warroom"],
)
def test_any_install_path_survives_the_exec_quoting(tmp_path: Path, program: str) -> None:
    entry = autostart_entry([program], database="sqlite:////srv/team warroom.db")
    assert _split_exec(_exec_line(entry).removeprefix("Exec=").replace("%%", "%")) == [
        program,
        "--tray",
        "--database",
        "sqlite:////srv/team warroom.db",
    ]
    path = tmp_path / "org.warroom.Warroom.desktop"
    path.write_text(entry)
    validated = subprocess.run(
        [need("desktop-file-validate", "desktop-file-utils"), str(path)],
        capture_output=True,
        text=True,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert validated.stdout == ""


def test_a_plain_path_is_left_as_it_is() -> None:
    assert exec_argument("/usr/bin/warroom") == "/usr/bin/warroom"


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("postgresql://alice:secret@db/warroom", "holds a password"),
        ("postgresql://alice@db/warroom?password=secret", "holds a password"),
        ("sqlite:///relative.db", "is relative"),
        ("mysql://x@y/z", "supports SQLite and PostgreSQL"),
    ],
)
def test_a_database_the_entry_cannot_use_is_refused_and_nothing_written(
    capsys: pytest.CaptureFixture[str], config_home: Path, url: str, complaint: str
) -> None:
    code, out, err = run(capsys, "autostart", "enable", "--database", url)
    assert code == 1
    assert out == ""
    assert complaint in err
    assert err.count("\n") == 1
    assert not (config_home / "autostart").exists()


def test_xdg_config_home_that_is_relative_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    # The base directory spec: relative paths are invalid and must be ignored.
    monkeypatch.setenv("HOME", "/home/someone")
    assert autostart_path({"XDG_CONFIG_HOME": "relative"}) == Path(
        "/home/someone/.config/autostart/org.warroom.Warroom.desktop"
    )
    assert autostart_path({}) == autostart_path({"XDG_CONFIG_HOME": "relative"})
