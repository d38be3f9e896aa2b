"""The desktop entry and the AppStream metainfo: valid, consistent, and laid out installably."""

from __future__ import annotations

import configparser
import importlib.util
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

from tests.packaging.programs import need
from warroom import __version__
from warroom.cli.autostart import DESKTOP_ID
from warroom.ui.common.icons import APP_ICON

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "resources" / "desktop" / DESKTOP_ID
METAINFO = ROOT / "resources" / "desktop" / "org.warroom.Warroom.metainfo.xml"


def _validate(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_the_desktop_entry_passes_desktop_file_validate_without_a_word() -> None:
    done = _validate(need("desktop-file-validate", "desktop-file-utils"), str(DESKTOP))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout + done.stderr == ""  # not even a hint


def test_the_metainfo_passes_appstreamcli_validate() -> None:
    done = _validate(need("appstreamcli", "appstream"), "validate", "--no-net", str(METAINFO))
    assert done.returncode == 0, done.stdout + done.stderr


def test_entry_metainfo_icon_and_version_name_the_same_app() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP, encoding="utf-8")
    metainfo = ET.parse(METAINFO).getroot()
    assert metainfo.findtext("id") == DESKTOP_ID.removesuffix(".desktop") == APP_ICON
    assert metainfo.findtext("launchable") == DESKTOP_ID
    assert entry["Desktop Entry"]["Icon"] == APP_ICON
    assert entry["Desktop Entry"]["Exec"] == "warroom"
    assert entry["Desktop Action tray"]["Exec"] == "warroom --tray"
    newest = metainfo.find("releases/release")
    assert newest is not None
    assert newest.get("version") == __version__, "add a <release> for the new version"


def _share_tree() -> ModuleType:
    spec = importlib.util.spec_from_file_location("share_tree", ROOT / "packaging/share_tree.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("share_tree", module)
    spec.loader.exec_module(module)
    return module


def test_the_installed_tree_passes_appstreamcli_validate_tree(tmp_path: Path) -> None:
    # validate-tree also checks that the launchable's desktop entry is there beside it.
    written = _share_tree().lay_out(tmp_path)
    icons = {
        path.relative_to(tmp_path / "share/icons/hicolor").parts[0]
        for path in written
        if "icons" in path.parts
    }
    assert {"scalable", "16x16", "48x48", "256x256", "512x512"} <= icons
    done = _validate(need("appstreamcli", "appstream"), "validate-tree", "--no-net", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "org.warroom.Warroom.metainfo.xml" in done.stdout
