"""Data files shipped with warroom: the demo organisation, runbooks, icons."""

from pathlib import Path

#: The folder of these files: a checkout's ``resources/``, an installed wheel's
#: ``warroom/resources/`` or a PyInstaller bundle's. The desktop app reads its stylesheet and
#: icons from here before its first paint, where importing ``importlib.resources`` would cost
#: ~10 ms; warroom is never run from a zip archive, so the folder is always a real one.
FOLDER = Path(__file__).resolve().parent
