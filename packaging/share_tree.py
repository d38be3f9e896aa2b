"""Lay out warroom's desktop integration as an XDG ``share/`` tree, from resources/.

    python3 packaging/share_tree.py DEST     # DEST/share/applications, metainfo, icons

What a desktop needs to list, launch and show warroom: the desktop entry, the AppStream
metainfo, and the app icon in the hicolor theme (the SVG and every PNG size). The bundle's
tarball carries this tree and its ``install`` script copies it into ~/.local/share;
a distribution package would install it into /usr/share. The same tree is what
``appstreamcli validate-tree`` checks in tests/packaging/test_desktop_files.py.
Standard library only: it runs with any Python 3.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
APP_ID = "org.warroom.Warroom"


def lay_out(destination: Path) -> list[Path]:
    """Write the tree under ``destination/share``; the files written."""
    share = destination / "share"
    copies = {
        RESOURCES / "desktop" / f"{APP_ID}.desktop": share / "applications" / f"{APP_ID}.desktop",
        RESOURCES / "desktop" / f"{APP_ID}.metainfo.xml": share
        / "metainfo"
        / f"{APP_ID}.metainfo.xml",
        RESOURCES / "icons" / f"{APP_ID}.svg": share
        / "icons/hicolor/scalable/apps"
        / f"{APP_ID}.svg",
    }
    for png in sorted((RESOURCES / "icons" / "png").glob(f"*/{APP_ID}.png")):
        size = png.parent.name
        copies[png] = share / "icons/hicolor" / f"{size}x{size}" / "apps" / png.name
    for source, target in copies.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return sorted(copies.values())


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    for path in lay_out(Path(argv[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
