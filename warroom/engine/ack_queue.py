"""Acknowledgements clicked while the database is unreachable: kept on disk, sent later, once.

Acknowledging is idempotent in the database (a second acknowledgement changes nothing), so
replaying the queue after a crash or a reconnect can never acknowledge twice; an entry leaves
the queue only when the database has answered (acknowledged, already acknowledged, resolved
or gone, or refused).

An entry replays as the person who clicked, under the same rule as any act of a person: on
SQLite it acts as the handle it was queued with; on PostgreSQL the connection's login acts,
and an entry queued in another person's name is refused (the login would have to change for
it to pass, so it leaves the queue and its sentence is handed back to be shown).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.domain.errors import ConflictError, NotFoundError, ValidationError

if TYPE_CHECKING:
    from warroom.services.context import ServiceContext

# The queue is written on the GUI thread (it must be on disk before the click returns), so
# this module is imported before the database layers are; only flushing needs them.


@dataclass(frozen=True)
class PendingAck:
    page_id: int
    handle: str
    clicked_at: str


@dataclass
class Flushed:
    """What one flush did; both lists have left the queue."""

    #: Pages the database has answered for: acknowledged now, or already, resolved or gone.
    sent: list[int] = field(default_factory=list)
    #: (page, why) for acknowledgements the database refused: who clicked cannot act here.
    refused: list[tuple[int, str]] = field(default_factory=list)


class AckQueue:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def pending(self) -> list[PendingAck]:
        with self._lock:
            return self._read()

    def _read(self) -> list[PendingAck]:
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, json.JSONDecodeError):
            return []
        return [
            PendingAck(int(e["page_id"]), str(e["handle"]), str(e["clicked_at"])) for e in entries
        ]

    def _write(self, entries: list[PendingAck]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump([e.__dict__ for e in entries], handle)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.path)

    def add(self, page_id: int, handle: str, clicked_at: str) -> None:
        with self._lock:
            entries = [e for e in self._read() if e.page_id != page_id]
            entries.append(PendingAck(page_id, handle, clicked_at))
            self._write(entries)

    def flush(self, context: ServiceContext) -> Flushed:
        """Send what is queued; says which pages the database has now answered for."""
        from warroom.services.paging.responses import acknowledge
        from warroom.store.database import DatabaseUnavailableError

        with self._lock:
            entries = self._read()
            flushed = Flushed()
            for entry in entries:
                try:
                    acknowledge(context, entry.page_id, entry.handle)
                except DatabaseUnavailableError:
                    break  # still down: keep this one and the rest
                except (ConflictError, NotFoundError):
                    pass  # resolved or gone meanwhile: nothing left to acknowledge
                except ValidationError as refused:  # not this login's, or not a person now
                    flushed.refused.append((entry.page_id, str(refused)))
                    continue
                flushed.sent.append(entry.page_id)
            done = set(flushed.sent) | {page_id for page_id, _ in flushed.refused}
            if done:
                self._write([e for e in entries if e.page_id not in done])
            return flushed
