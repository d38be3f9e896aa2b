"""Can Qt open a window here? Asked before any QApplication exists.

When Qt cannot load a platform plugin it prints its own message and aborts the process (exit
134), and its message misleads: it blames ``libxcb-cursor0`` whatever library is really
missing. This module looks first, without importing Qt: which platform Qt will pick (from
``QT_QPA_PLATFORM``, else the session), whether there is a display for it, and which shared
libraries its plugin lacks (``ldd`` on the plugin in the PySide6 installation, ~40 ms, so a
plugin found whole is remembered and not looked at again until it changes). A problem becomes
one sentence with the command that fixes it.

Nothing here imports PySide6, so the check can run before the GUI is even loaded; the
caller (the GUI start-up) raises the sentence as a :class:`WarroomError`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from warroom.domain.errors import WarroomError
from warroom.store.config import data_dir

#: Shared libraries Qt's window plugins load, and the Debian/Ubuntu package of each.
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
}

#: The platform plugins that draw real windows, and their files in PySide6's Qt/plugins.
_PLUGIN_FILES = {"xcb": "libqxcb.so", "wayland": "libqwayland.so"}


def _run_ldd(library: Path) -> str | None:
    import subprocess  # only on a first start, or after PySide6 changed: see remembering()

    ldd = shutil.which("ldd")
    if ldd is None:
        return None
    try:
        done = subprocess.run(
            [ldd, str(library)], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def remembering(ldd: Callable[[Path], str | None], folder: Path) -> Callable[[Path], str | None]:
    """``ldd`` that remembers, in ``folder``, each plugin it found with all its libraries
    (by path, size and modification time), and answers "nothing missing" for it afterwards.

    ``ldd`` costs about 40 ms of every start-up otherwise. A library uninstalled later makes
    Qt abort with its own message: this check is for the first run of a new installation.
    """

    def listing(plugin: Path) -> str | None:
        stamp = folder / f"platform-ok-{plugin.name}"
        try:
            info = plugin.stat()
        except OSError:
            return ldd(plugin)
        key = f"{plugin}\n{info.st_size}\n{info.st_mtime_ns}\n"
        try:
            if stamp.read_text(encoding="utf-8") == key:
                return ""
        except (OSError, UnicodeDecodeError):
            pass
        found = ldd(plugin)
        if found is not None and "=> not found" not in found:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                stamp.write_text(key, encoding="utf-8")
            except OSError:
                pass  # a read-only home: the check runs again next time, nothing worse
        return found

    return listing


def pyside_platforms_dir() -> Path | None:
    spec = importlib.util.find_spec("PySide6")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms"


@dataclass(frozen=True)
class Host:
    """What the check looks at; tests describe a machine instead of having one."""

    environ: Mapping[str, str]
    platforms_dir: Path | None  # PySide6's Qt/plugins/platforms, if PySide6 is installed
    ldd: Callable[[Path], str | None] = field(default=_run_ldd)  # None: cannot tell
    has_apt: bool = False
    is_root: bool = False

    @classmethod
    def current(cls, environ: Mapping[str, str] | None = None) -> Host:
        environ = dict(os.environ if environ is None else environ)
        return cls(
            environ=environ,
            platforms_dir=pyside_platforms_dir(),
            ldd=remembering(_run_ldd, data_dir()),  # this machine's, whatever the environ
            has_apt=shutil.which("apt-get") is not None,
            is_root=os.geteuid() == 0,
        )


def platform_problem(host: Host) -> str | None:
    """One sentence saying why Qt could not open a window on ``host``, or None if it can
    (or if this check cannot tell: then Qt is left to try)."""
    requested = [
        name.split(":", 1)[0].strip()
        for name in host.environ.get("QT_QPA_PLATFORM", "").split(";")
        if name.strip()
    ]
    if requested and requested[0] not in ("xcb", "wayland", "wayland-egl"):
        return None  # offscreen, vnc, eglfs…: asked for on purpose, nothing to check here
    if requested:
        candidates = ["wayland" if name.startswith("wayland") else name for name in requested]
    elif host.environ.get("XDG_SESSION_TYPE") == "wayland" or host.environ.get("WAYLAND_DISPLAY"):
        candidates = ["wayland", "xcb"]  # what Qt tries on a Wayland desktop
    else:
        candidates = ["xcb"]
    problems = [_problem(host, name) for name in candidates if name in _PLUGIN_FILES]
    if not problems or any(p is None for p in problems):
        return None  # one of the platforms Qt will try can work (or we cannot tell)
    # Where there is a display but libraries are missing, installing them is the fix.
    return sorted((p for p in problems if p is not None), key=lambda p: not p[0])[0][1]


def _problem(host: Host, platform: str) -> tuple[bool, str] | None:
    """(the libraries are missing?, the sentence) for one platform plugin, or None."""
    if platform == "xcb" and not host.environ.get("DISPLAY"):
        return False, (
            "There is no display to open the window on (DISPLAY is not set): start warroom "
            "from a desktop session, or set DISPLAY (for a virtual screen: "
            "`Xvfb :99 & DISPLAY=:99 warroom`), or use `warroom demo --no-gui` for no "
            "window at all."
        )
    if platform == "wayland" and not host.environ.get("WAYLAND_DISPLAY"):
        return False, (
            "There is no Wayland display to open the window on (WAYLAND_DISPLAY is not "
            "set): start warroom from a desktop session, or set QT_QPA_PLATFORM=xcb and DISPLAY."
        )
    missing = _missing_libraries(host, platform)
    return None if missing is None else (True, missing)


def _missing_libraries(host: Host, platform: str) -> str | None:
    if host.platforms_dir is None:
        return None
    plugin = host.platforms_dir / _PLUGIN_FILES[platform]
    if not plugin.exists():
        return None
    listing = host.ldd(plugin)
    if listing is None:
        return None
    missing = [
        line.split("=>", 1)[0].strip()
        for line in listing.splitlines()
        if line.strip().endswith("=> not found")
    ]
    if not missing:
        return None
    named = ", ".join(missing)
    packages = sorted({PACKAGES.get(library, library) for library in missing})
    if host.has_apt and all(library in PACKAGES for library in missing):
        sudo = "" if host.is_root else "sudo "
        fix = f"install them with `{sudo}apt-get install {' '.join(packages)}`"
    else:
        fix = "install them with your system's package manager"
    return (
        f"Qt cannot open a window: its {platform} platform plugin needs libraries that are "
        f"missing ({named}); {fix}, or use `warroom demo --no-gui` for no window at all."
    )


def check_platform(environ: Mapping[str, str] | None = None) -> None:
    """Raise a one-sentence :class:`WarroomError` where Qt would abort; call it before any
    QApplication is created."""
    problem = platform_problem(Host.current(environ))
    if problem is not None:
        raise WarroomError(problem)
