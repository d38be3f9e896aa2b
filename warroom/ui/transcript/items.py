"""The timeline's rows as plain objects: transcript entries (sent or still pending) and the
incident's other events, each with the key it is ordered by.

Plain Python without Qt, so the worker builds 100,000 of them while the window keeps
painting; the model only swaps its lists.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from warroom.domain.events import FeedEvent, describe
from warroom.domain.transcript import event_category

if TYPE_CHECKING:
    from warroom.domain.transcript import EntryRow
    from warroom.engine.scribe_journal import JournalEntry

#: Ties at the same instant: events (a status change) before the words about them.
EVENT_ORDER, ENTRY_ORDER = 0, 1

Key = tuple[datetime, int, int]


@dataclass
class Item:
    at: datetime
    kind: str  # a transcript kind, or an event's category (status, role, page…)
    text: str
    who: str  # the speaker's handle (entries; may be empty) or the event's actor
    author: str  # who wrote the entry (entries); the actor (events)
    key: Key
    uuid: str | None = None  # entries, pending ones included
    entry: EntryRow | None = None  # None for events and for entries not sent yet
    pending: bool = False
    mark: str | None = None
    owner: str | None = None
    done: bool = False
    edited: bool = False
    search: str = ""  # what the search box matches, folded once

    @property
    def is_entry(self) -> bool:
        return self.uuid is not None


def _folded(*parts: str | None) -> str:
    return " ".join(p for p in parts if p).casefold()


def entry_item(row: EntryRow) -> Item:
    return Item(
        row.occurred_at,
        row.kind,
        row.body,
        row.speaker or "",
        row.author,
        (row.occurred_at, ENTRY_ORDER, row.id),
        uuid=row.client_uuid,
        entry=row,
        mark=row.mark,
        owner=row.owner,
        done=row.done_at is not None,
        edited=row.edited,
        search=_folded(row.body, row.speaker, row.author, row.owner, row.kind),
    )


#: Pending entries sort after sent ones at the same instant (they have no id yet); each
#: gets its own number so two typed in the same second keep their order.
_pending_ids = itertools.count(1 << 62)


def pending_item(entry: JournalEntry) -> Item:
    at = datetime.fromisoformat(entry.occurred_at)
    return Item(
        at,
        entry.kind,
        entry.body,
        entry.speaker or "",
        entry.handle,
        (at, ENTRY_ORDER, next(_pending_ids)),
        uuid=entry.uuid,
        pending=True,
        mark=entry.mark,
        owner=entry.owner if entry.kind == "action" else None,
        search=_folded(entry.body, entry.speaker, entry.handle, entry.owner, entry.kind),
    )


def event_item(event: FeedEvent) -> Item | None:
    category = event_category(event.topic)
    if category is None:
        return None
    text = describe(event)
    return Item(
        event.at,
        category,
        text,
        event.actor,
        event.actor,
        (event.at, EVENT_ORDER, event.id),
        search=_folded(text, event.actor, category),
    )


@dataclass
class Ordered:
    """A timeline's items in order with what the model looks them up by, built on the
    worker: sorting and indexing 100,000 items must not happen on the GUI thread."""

    items: list[Item]
    keys: list[Key]
    by_uuid: dict[str, Item]
    event_keys: set[Key]


def order(items: Iterable[Item]) -> Ordered:
    ordered = sorted(items, key=lambda i: i.key)
    return Ordered(
        ordered,
        [i.key for i in ordered],
        {i.uuid: i for i in ordered if i.uuid is not None},
        {i.key for i in ordered if i.uuid is None},
    )
