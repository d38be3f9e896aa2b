"""The scribe's journal: every entry is on this computer's disk before anything else happens.

A line of JSON per record, appended and fsync'd: ``entry`` when the scribe presses Enter (or
amends an entry not yet sent), ``sent`` when the database has it, ``refused`` when the
database answered that it can never take it (the words stay in the file, and the person is
told). Whatever has an ``entry`` but no ``sent`` or ``refused`` is pending: it is sent when
the database is reachable, after a reconnect, and at the next start after a crash or
``kill -9``. Recording is idempotent by the entry's client UUID, so sending twice is
harmless; the database, not this file, decides what exists.

A line torn by a crash in the middle of a write is skipped: its Enter never returned.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: Once this many records are settled, the file is rewritten with only what is pending.
COMPACT_AFTER = 500


@dataclass(frozen=True)
class JournalEntry:
    uuid: str
    incident_id: int
    body: str
    kind: str
    occurred_at: str  # ISO, with its offset: the first keystroke
    handle: str  # who typed it
    speaker: str | None = None
    owner: str | None = None
    mark: str | None = None


class ScribeJournal:
    """Thread-safe: the GUI thread appends, the worker marks entries sent."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._pending: dict[str, JournalEntry] = {}
        self._settled = 0
        self._load()

    # ------------------------------------------------------------------ writing

    def append(self, entry: JournalEntry) -> None:
        """Keep an entry (or a newer version of one not sent yet) on disk, then return."""
        with self._lock:
            self._write({"op": "entry", **asdict(entry)})
            self._pending.pop(entry.uuid, None)
            self._pending[entry.uuid] = entry

    def mark_sent(self, uuid: str) -> None:
        self._settle(uuid, "sent")

    def mark_refused(self, uuid: str, why: str) -> None:
        """The database can never take this entry (it said why); it stops being sent, and its
        words stay in the file."""
        self._settle(uuid, "refused", why=why)

    def _settle(self, uuid: str, op: str, **extra: str) -> None:
        with self._lock:
            entry = self._pending.get(uuid)
            if entry is None:
                return
            words = {"entry": asdict(entry)} if op == "refused" else {}
            self._write({"op": op, "uuid": uuid, **extra, **words})
            del self._pending[uuid]
            self._settled += 1
            if not self._pending and self._settled >= COMPACT_AFTER:
                self._compact()

    # ------------------------------------------------------------------ reading

    def pending(self, incident_id: int | None = None) -> list[JournalEntry]:
        """Entries not in the database yet, in the order they were typed."""
        with self._lock:
            entries = list(self._pending.values())
        if incident_id is not None:
            entries = [e for e in entries if e.incident_id == incident_id]
        return sorted(entries, key=lambda e: e.occurred_at)

    # ------------------------------------------------------------------ the file

    def _write(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def _load(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return
        for line in text.splitlines():
            try:
                record = json.loads(line)
                op = record.pop("op")
                if op == "entry":
                    entry = JournalEntry(**record)
                    self._pending.pop(entry.uuid, None)
                    self._pending[entry.uuid] = entry
                elif op in ("sent", "refused") and record["uuid"] in self._pending:
                    del self._pending[record["uuid"]]
                    self._settled += 1
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a crash mid-write, or from a newer version

    def _compact(self) -> None:
        """Everything was sent: start the file again (refused words are kept aside)."""
        refused = [line for line in self._lines() if '"op": "refused"' in line]
        kept = self.path.with_suffix(".refused")
        if refused:
            with kept.open("a", encoding="utf-8") as handle:
                handle.writelines(line + "\n" for line in refused)
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        temporary.replace(self.path)
        self._settled = 0

    def _lines(self) -> list[str]:
        try:
            return self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return []
