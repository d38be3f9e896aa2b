"""A scribe's desktop as a process of its own, driven line by line through stdin.

    python -m tests.ui.scribe_process --database URL --user HANDLE --incident ID

The real :class:`~warroom.ui.app.WarroomApp` (offscreen Qt, the system clock, no background
engine) opens the incident's war room. ``WARROOM_DATA_DIR`` / ``WARROOM_CONFIG_DIR`` choose
where the scribe's journal and the config live, so a second process started with the same
folders finds what the first one left on disk, as a restarted desktop would.

It prints ``ready online`` once the timeline shows, or ``ready offline`` once the database
could not be opened and the war room is open anyway (the scribe can type; the entries wait in
the journal). Then it answers one command per line on stdin, one line on stdout each:

``type <words>``
    Types the words into the scribe's line with real key events, then presses Enter; answers
    ``journaled <uuid> <ms> <enter>`` once the journal file on disk holds the entry, ``<ms>``
    being the time from the Enter key to then and ``<enter>`` the wall-clock instant of the
    Enter key (``time.time()``) (or ``not-journaled`` if it is not there).
``count``
    ``pending <n>``: entries in the journal not yet in the database.
``state``
    ``state <database open 0/1> <offline 0/1> <pending> <saved here>``.
``retry``
    Clicks the banner's Retry (after the database could not be opened at start); ``retried``.
``quit``
    Closes the window, shuts the app down and exits 0 (``bye`` first).

Anything the test may want to see as it happens is printed as it happens too:
``saved <uuid> <wall time>`` when an entry typed here is in the database, ``failed
<sentence>`` when the database could not be opened.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse
import sys
import threading
import time

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from warroom.domain.clock import SystemClock
from warroom.store.config import load_settings, save_settings
from warroom.ui.app import WarroomApp


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Commands(QObject):
    """Lines read from stdin on a plain thread, handed to the GUI thread as a queued signal."""

    line = Signal(str)

    def listen(self) -> None:
        for raw in sys.stdin:
            self.line.emit(raw.rstrip("\n"))
        self.line.emit("quit")  # the test went away: leave too


class Scribe(QObject):
    def __init__(self, app: QApplication, warroom: WarroomApp, incident: int) -> None:
        super().__init__()
        self.app, self.warroom, self.incident = app, warroom, incident
        self.ready = False
        self.saved = 0
        self.typed: list[str] = []
        transcript = warroom.transcript
        warroom.database_ready.connect(self._on_database_ready)
        warroom.database_failed.connect(self._on_database_failed)
        transcript.timeline_loaded.connect(self._on_timeline_loaded)
        transcript.entry_saved.connect(self._on_entry_saved)
        # Connected after the controller's own slot (the panel was built with the app), so it
        # runs once the controller has journaled the draft.
        transcript.view.record_requested.connect(self._on_record_requested)

    # ------------------------------------------------------------------ the app's signals

    def _open(self) -> None:
        self.warroom.window.show_view("incidents")
        self.warroom.incidents.open_incident(self.incident)

    def _on_database_ready(self) -> None:
        self._open()

    def _on_database_failed(self, message: str) -> None:
        say(f"failed {message}")
        self._open()
        if not self.ready:
            self.ready = True
            say("ready offline")

    def _on_timeline_loaded(self, incident: int) -> None:
        if incident == self.incident and not self.ready:
            self.ready = True
            say("ready online")

    def _on_entry_saved(self, uuid: str) -> None:
        self.saved += 1
        say(f"saved {uuid} {time.time():.6f}")

    def _on_record_requested(self, draft: object) -> None:
        self.typed.append(str(getattr(draft, "uuid", "")))

    # ------------------------------------------------------------------ commands

    def run(self, line: str) -> None:
        command, _, rest = line.partition(" ")
        if command == "type":
            self.type(rest)
        elif command == "count":
            say(f"pending {len(self.warroom.transcript.journal.pending())}")
        elif command == "state":
            transcript = self.warroom.transcript
            say(
                f"state {int(self.warroom.database is not None)} {int(transcript.offline)} "
                f"{len(transcript.journal.pending())} {self.saved}"
            )
        elif command == "retry":
            self.warroom.window.banner.action.click()
            say("retried")
        elif command == "quit":
            say("bye")
            self.warroom.window.close()
            self.warroom.shutdown()
            self.app.quit()
        elif command:
            say(f"unknown {command}")

    def type(self, words: str) -> None:
        editor = self.warroom.transcript.view.editor
        before = len(self.typed)
        QTest.keyClicks(editor, words)
        pressed, wall = time.perf_counter(), time.time()
        QTest.keyClick(editor, Qt.Key.Key_Return)
        if len(self.typed) == before:
            say("not-journaled (Enter recorded nothing)")
            return
        uuid = self.typed[-1]
        journal = self.warroom.transcript.journal
        try:
            on_disk = f'"uuid": "{uuid}"' in journal.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            on_disk = False
        took = (time.perf_counter() - pressed) * 1000
        say(f"journaled {uuid} {took:.2f} {wall:.6f}" if on_disk else f"not-journaled {uuid}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--incident", type=int, required=True)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

    app = QApplication([])
    save_settings(user=args.user)
    warroom = WarroomApp(
        load_settings(args.database), SystemClock(), feed_poll=0.5, run_engine=False
    )
    scribe = Scribe(app, warroom, args.incident)
    commands = Commands()
    commands.line.connect(scribe.run)
    threading.Thread(target=commands.listen, daemon=True).start()
    warroom.start()
    code = app.exec()
    warroom.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
