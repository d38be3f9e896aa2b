"""Before any QApplication: a machine where Qt would abort (exit 134) with its own misleading
message gets one sentence with the command that fixes it instead."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from warroom.domain.errors import WarroomError
from warroom.ui.platform_check import (
    Host,
    check_platform,
    platform_problem,
    pyside_platforms_dir,
    remembering,
)

LDD_WITHOUT_ICCCM = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f5a)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f59)
\tlibxcb-icccm.so.4 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f58)
"""


@pytest.fixture
def plugins(tmp_path: Path) -> Path:
    folder = tmp_path / "platforms"
    folder.mkdir()
    for name in ("libqxcb.so", "libqwayland.so"):
        (folder / name).write_bytes(b"")
    return folder


def host(plugins: Path, listing: str = "", **environ: str) -> Host:
    return Host(environ, plugins, ldd=lambda _plugin: listing, has_apt=True)


def test_missing_xcb_libraries_are_named_with_the_install_command(plugins: Path) -> None:
    problem = platform_problem(host(plugins, LDD_WITHOUT_ICCCM, DISPLAY=":0"))
    assert problem == (
        "Qt cannot open a window: its xcb platform plugin needs libraries that are missing "
        "(libxcb-icccm.so.4, libxkbcommon-x11.so.0); install them with "
        "`sudo apt-get install libxcb-icccm4 libxkbcommon-x11-0`, or use "
        "`warroom demo --no-gui` for no window at all."
    )  # the one really missing, not libxcb-cursor0 as Qt's own message says


def test_as_root_or_without_apt_the_command_fits(plugins: Path) -> None:
    as_root = Host({"DISPLAY": ":0"}, plugins, lambda _p: LDD_WITHOUT_ICCCM, True, True)
    assert "`apt-get install libxcb-icccm4 libxkbcommon-x11-0`" in str(platform_problem(as_root))
    elsewhere = Host({"DISPLAY": ":0"}, plugins, lambda _p: LDD_WITHOUT_ICCCM)
    assert "with your system's package manager" in str(platform_problem(elsewhere))


def test_no_display_is_one_sentence(plugins: Path) -> None:
    problem = platform_problem(host(plugins, LDD_WITHOUT_ICCCM))
    assert problem is not None
    assert problem.startswith("There is no display to open the window on (DISPLAY is not set)")
    assert "--no-gui" in problem


def test_a_working_desktop_and_chosen_platforms_pass(plugins: Path) -> None:
    assert platform_problem(host(plugins, "", DISPLAY=":0")) is None
    assert platform_problem(host(plugins, LDD_WITHOUT_ICCCM, QT_QPA_PLATFORM="offscreen")) is None
    # a Wayland desktop: Qt tries wayland first, so missing xcb libraries do not matter
    wayland = host(plugins, "", WAYLAND_DISPLAY="wayland-0", XDG_SESSION_TYPE="wayland")
    assert platform_problem(wayland) is None


def test_the_real_plugin_is_checked_with_the_real_ldd(tmp_path: Path) -> None:
    if shutil.which("ldd") is None:
        pytest.skip("ldd is not installed")
    platforms = pyside_platforms_dir()
    assert platforms is not None
    assert (platforms / "libqxcb.so").exists()
    assert platform_problem(Host.current({"DISPLAY": ":99"})) is None  # libraries all here
    # The same plugin copied away from PySide6 loses its own Qt libraries: ldd says so.
    moved = tmp_path / "platforms"
    moved.mkdir()
    shutil.copy(platforms / "libqxcb.so", moved / "libqxcb.so")
    problem = platform_problem(Host({"DISPLAY": ":99"}, moved, has_apt=True))
    assert problem is not None
    assert "libQt6XcbQpa.so.6" in problem
    assert "with your system's package manager" in problem


def test_a_plugin_found_whole_is_not_looked_at_again_until_it_changes(tmp_path: Path) -> None:
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"plugin")
    calls: list[Path] = []
    listing = {"text": LDD_WITHOUT_ICCCM}

    def ldd(library: Path) -> str | None:
        calls.append(library)
        return listing["text"]

    remembered = remembering(ldd, tmp_path / "data")
    # libraries missing: asked every time, since the person may be installing them right now
    assert "not found" in (remembered(plugin) or "")
    assert "not found" in (remembered(plugin) or "")
    assert len(calls) == 2
    listing["text"] = "\tlibc.so.6 => /lib/libc.so.6 (0x1)\n"
    assert remembered(plugin) == listing["text"]
    assert len(calls) == 3
    # found whole: a later start (a new closure, as a new process has) does not run ldd
    assert remembering(ldd, tmp_path / "data")(plugin) == ""
    assert len(calls) == 3
    # a new PySide6 (the plugin file changed): looked at again
    plugin.write_bytes(b"a newer plugin")
    listing["text"] = LDD_WITHOUT_ICCCM
    assert "not found" in (remembering(ldd, tmp_path / "data")(plugin) or "")
    assert len(calls) == 4


def test_check_platform_raises_the_sentence() -> None:
    with pytest.raises(WarroomError, match="DISPLAY is not set"):
        check_platform({})
    check_platform({"QT_QPA_PLATFORM": "offscreen"})


def test_the_check_loads_no_qt() -> None:
    code = (
        "import sys\n"
        "from warroom.ui.platform_check import check_platform, Host, platform_problem\n"
        "platform_problem(Host.current({'DISPLAY': ':99'}))\n"
        "loaded = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
