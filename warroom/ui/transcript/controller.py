"""The Transcript feature: the scribe's line and the incident's one timeline in the war room.

No word is lost: an entry goes to the journal on disk (fsync'd) before anything else, shows
at once as "sending…", and is sent to the database one at a time, in the order typed. While
the database is unreachable entries stay pending with their first-keystroke time and are sent
when it is back (the feed's reconnect, and a retry every few seconds); at start-up whatever a
crash left in the journal is sent. The client UUID makes a second send harmless.

Like the stakeholder updates, it has no view of its own in the navigation: the root puts its
panel in the war room and tells it which incident is open (``show_incident``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog

from warroom.domain.errors import ConflictError, NotFoundError, ValidationError, WarroomError
from warroom.domain.events import FeedEvent
from warroom.domain.transcript import EditConflictError, entry_from_payload
from warroom.engine.scribe_journal import JournalEntry, ScribeJournal
from warroom.ui.common.feature import Environment, Feature
from warroom.ui.common.timefmt import full_time
from warroom.ui.transcript.items import (
    Ordered,
    entry_item,
    event_item,
    order,
    pending_item,
)
from warroom.ui.transcript.panel import Draft, Person, TranscriptPanel

if TYPE_CHECKING:
    from warroom.domain.transcript import EntryRow
    from warroom.services.context import ServiceContext
    from warroom.services.transcript.reading import TranscriptData

#: How often pending entries are tried again while the database is away.
RETRY_SECONDS = 3
JOURNAL_FILE = "scribe-journal.jsonl"
Loaded = tuple["TranscriptData", Ordered]
#: How many of the newest entries a war room shows before the whole timeline has loaded.
FIRST_ENTRIES = 300


def _refused(error: WarroomError) -> bool:
    """The database answered and will never take this entry (not: it could not be reached)."""
    return isinstance(error, ValidationError | NotFoundError)


class TranscriptFeature(Feature):
    """Signals:
    timeline_loaded(int): the panel shows this incident's timeline.
    entry_saved(str): an entry typed here (its client UUID) is in the database.
    """

    key = "transcript"
    topics = ("transcript.", "incident.", "status_update.", "runbook.", "page.")
    timeline_loaded = Signal(int)
    entry_saved = Signal(str)

    def __init__(
        self, env: Environment, journal_dir: Path | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(env, parent)
        if journal_dir is None:
            from warroom.store.config import data_dir

            journal_dir = data_dir()
        self.journal = ScribeJournal(journal_dir / JOURNAL_FILE)
        self._panel: TranscriptPanel | None = None
        self.current: int | None = None
        self._in_flight: str | None = None
        self.offline = False
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_SECONDS * 1000)
        self._retry.timeout.connect(self.send_pending)
        self._people_soon = QTimer(self)
        self._people_soon.setSingleShot(True)
        self._people_soon.setInterval(1000)
        self._people_soon.timeout.connect(self._load_people)

    @property
    def view(self) -> TranscriptPanel:
        """The panel the root adds to the war room ("Transcript")."""
        if self._panel is None:
            panel = TranscriptPanel(self.env.clock.now, self.env.user)
            panel.record_requested.connect(self._on_panel_record_requested)
            panel.edit_requested.connect(self._on_panel_edit_requested)
            panel.delete_requested.connect(self._on_panel_delete_requested)
            panel.restore_requested.connect(self._on_panel_restore_requested)
            panel.done_requested.connect(self._on_panel_done_requested)
            panel.revisions_requested.connect(self._on_panel_revisions_requested)
            panel.export_requested.connect(self._on_panel_export_requested)
            self._panel = panel
        return self._panel

    # ------------------------------------------------------------------ the root calls these

    def start(self, context: ServiceContext) -> None:
        super().start(context)
        self.send_pending()  # what a crash or a lost connection left in the journal

    def reload(self) -> None:
        if self.current is not None:
            self._load()

    def show_incident(self, incident_id: int) -> None:
        """The war room of this incident is open: show its timeline."""
        if incident_id != self.current:
            self.current = incident_id
            self.view.model.clear()
        self._load()

    def on_events(self, events: list[FeedEvent]) -> None:
        current = self.current
        if current is None:
            return
        changed: list[int] = []
        people_changed = False
        for event in events:
            if (event.incident_id or event.payload.get("incident_id")) != current:
                continue
            if event.topic.startswith("transcript."):
                carried = event.payload.get("entry")
                row = entry_from_payload(carried) if isinstance(carried, dict) else None
                if row is None:  # words too long for an event, or an older desktop's event
                    changed.append(int(event.entity_id))
                else:
                    self.view.put(entry_item(row))
                continue
            item = event_item(event)
            if item is not None:
                self.view.put(item)
            people_changed |= event.topic.startswith("incident.role_")
        if changed:
            self._fetch(changed)
        if people_changed and not self._people_soon.isActive():
            self._people_soon.start()  # roles change in bursts: who may speak, once after

    def on_connection_changed(self, connected: bool) -> None:
        if connected:
            self.send_pending()

    def shutdown(self) -> None:
        self._retry.stop()
        self._people_soon.stop()
        super().shutdown()

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        """The newest entries first, painted at once; then the whole timeline (an incident
        of 100,000 entries takes the worker a second or more to read)."""
        incident = self.current
        if incident is None:
            return
        journal = self.journal

        def loader(
            newest: int | None,
        ) -> Callable[[ServiceContext], tuple[TranscriptData, Ordered]]:
            def load(context: ServiceContext) -> Loaded:
                from warroom.services.transcript.reading import load

                data = load(context, incident, newest)
                items = [entry_item(row) for row in data.entries]
                sent = {row.client_uuid for row in data.entries}
                pending = journal.pending(incident)
                items += [pending_item(e) for e in pending if e.uuid not in sent]
                items += [i for i in map(event_item, data.events) if i is not None]
                return data, order(items)

            return load

        def loaded(result: Loaded) -> None:
            data, items = result
            if data.incident_id != self.current:
                return  # another war room was opened meanwhile
            people = [Person(s.handle, s.name, s.rank, s.role) for s in data.speakers]
            self.view.show_timeline(data.ref, data.declared_at, items, people)
            self._show_pending()
            if len(data.entries) < FIRST_ENTRIES or not data.partial:
                self.timeline_loaded.emit(data.incident_id)
            else:
                self.submit(loader(None), loaded, self.show_error)

        self.submit(loader(FIRST_ENTRIES), loaded, self.show_error)

    def _load_people(self) -> None:
        incident = self.current
        if incident is None:
            return

        def load(context: ServiceContext) -> tuple[int, list[Person]]:
            from warroom.services.transcript.reading import speakers

            found = speakers(context, incident)
            return incident, [Person(s.handle, s.name, s.rank, s.role) for s in found]

        def loaded(result: tuple[int, list[Person]]) -> None:
            if result[0] == self.current:
                self.view.set_people(result[1])

        self.submit(load, loaded, self.show_error)

    def _fetch(self, ids: list[int]) -> None:
        def fetch(context: ServiceContext) -> list[EntryRow]:
            from warroom.services.transcript.reading import entries

            return entries(context, ids)

        self.submit(fetch, self._show_rows, self.show_error)

    def _show_rows(self, rows: list[EntryRow]) -> None:
        for row in rows:
            if row.incident_id == self.current:
                self.view.put(entry_item(row))

    # ------------------------------------------------------------------ recording

    def record(self, draft: Draft) -> None:
        """On disk first (this returns once the journal is fsync'd), on screen, then sent."""
        if self.current is None:
            return
        entry = JournalEntry(
            draft.uuid,
            self.current,
            draft.body,
            draft.kind,
            draft.occurred_at.isoformat(),
            self.env.user,
            draft.speaker,
            draft.owner,
            draft.mark,
        )
        self.journal.append(entry)
        self.view.put(pending_item(entry))
        self._show_pending()
        self.send_pending()

    def send_pending(self) -> None:
        """Send the oldest pending entry; the next goes when it is in (one at a time, in the
        order typed). Nothing to do while one is in flight or before the database is open."""
        if self._in_flight is not None:
            return
        if not self.running:  # the database is not open (yet): nothing is being sent
            self.offline = True
            self._show_pending()
            return
        pending = self.journal.pending()
        if not pending:
            self.offline = False
            self._show_pending()
            return
        entry = pending[0]
        self._in_flight = entry.uuid

        def send(context: ServiceContext) -> EntryRow:
            from warroom.services.transcript.entries import NewEntry, record

            return record(
                context,
                NewEntry(
                    entry.incident_id,
                    entry.uuid,
                    entry.body,
                    datetime.fromisoformat(entry.occurred_at),
                    entry.kind,
                    entry.speaker,
                    entry.owner,
                    entry.mark,
                ),
                lenient=True,
            )

        def sent(row: EntryRow) -> None:
            self.journal.mark_sent(entry.uuid)
            self._in_flight = None
            self.offline = False
            self._show_rows([row])
            self.entry_saved.emit(entry.uuid)
            self.send_pending()

        def failed(error: WarroomError) -> None:
            self._in_flight = None
            if _refused(error):
                self.journal.mark_refused(entry.uuid, str(error))
                self.show_error(
                    f"An entry could not be saved: {error} Its words are kept in "
                    f"{self.journal.path}: “{entry.body[:120]}”"
                )
                self.send_pending()
                return
            self.offline = True
            self._show_pending()
            self._retry.start()

        self.submit(send, sent, failed)

    def _show_pending(self) -> None:
        if self._panel is not None:
            self._panel.set_pending_count(len(self.journal.pending()), self.offline)

    # ------------------------------------------------------------------ what the panel asks

    def _on_panel_record_requested(self, draft: Draft) -> None:
        self.record(draft)

    def _on_panel_edit_requested(self, entry_id: int, version: int, changes: Any) -> None:
        def edit(context: ServiceContext) -> EntryRow:
            from warroom.services.transcript.entries import edit

            return edit(context, entry_id, version, **changes)

        def failed(error: WarroomError) -> None:
            if isinstance(error, EditConflictError):
                self.view.show_conflict(
                    entry_id, error.version, changes, error.theirs, error.theirs_by
                )
                self._fetch([entry_id])
            elif isinstance(error, ConflictError):
                self.show_error(str(error))
                self._fetch([entry_id])
            else:
                self.show_error(error)

        self.submit(edit, self._on_entry_changed, failed)

    def _on_entry_changed(self, row: EntryRow) -> None:
        self._show_rows([row])

    def _on_panel_delete_requested(self, entry_id: int) -> None:
        def delete(context: ServiceContext) -> EntryRow:
            from warroom.services.transcript.entries import delete

            return delete(context, entry_id)

        def deleted(row: EntryRow) -> None:
            self._show_rows([row])
            self.view.offer_undo(row.id, f"Entry deleted: “{row.body[:80]}”")

        self.submit(delete, deleted, self.show_error)

    def _on_panel_restore_requested(self, entry_id: int) -> None:
        def restore(context: ServiceContext) -> EntryRow:
            from warroom.services.transcript.entries import restore

            return restore(context, entry_id)

        self.submit(restore, self._on_entry_changed, self.show_error)

    def _on_panel_done_requested(self, entry_id: int, done: bool) -> None:
        def tick(context: ServiceContext) -> EntryRow:
            from warroom.services.transcript.entries import set_done

            return set_done(context, entry_id, done)

        self.submit(tick, self._on_entry_changed, self.show_error)

    def _on_panel_revisions_requested(self, entry_id: int) -> None:
        def load(context: ServiceContext) -> list[tuple[int, str, str, str, str]]:
            from warroom.services.transcript.entries import revisions

            return [
                (
                    r.version,
                    r.kind,
                    r.body,
                    full_time(r.occurred_at) if r.occurred_at else "—",
                    f"@{r.edited_by}, {full_time(r.edited_at)}",
                )
                for r in revisions(context, entry_id)
            ]

        def loaded(rows: list[tuple[int, str, str, str, str]]) -> None:
            self.view.show_revisions("Revisions of the entry", rows)

        self.submit(load, loaded, self.show_error)

    def _on_panel_export_requested(self, form: str) -> None:
        incident = self.current
        if incident is None:
            return
        suffix = "md" if form == "md" else "html"
        ref = getattr(self.view, "ref", f"incident-{incident}")
        path, _ = QFileDialog.getSaveFileName(
            self.view,
            "Export the post-incident report",
            str(Path.home() / f"{ref}-report.{suffix}"),
            "Markdown (*.md)" if form == "md" else "HTML (*.html)",
        )
        if path:
            self.export(incident, form, Path(path))

    def export(self, incident_id: int, form: str, path: Path) -> None:
        """Write the post-incident report of an incident to a file (on the worker)."""

        def write(context: ServiceContext) -> Path:
            from warroom.services.transcript.report import write_report

            write_report(context, incident_id, form, path)
            return path

        def written(done: Path) -> None:
            self.show_info(f"The report is in {done}.")

        self.submit(write, written, self.show_error)
