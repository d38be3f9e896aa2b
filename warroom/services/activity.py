"""The Activity feed's history: what the listener does not deliver live."""

from __future__ import annotations

from warroom.domain.events import Cursor, FeedEvent
from warroom.services.context import ServiceContext, reading
from warroom.store.feed import read_before


def older_events(context: ServiceContext, before: Cursor, limit: int = 200) -> list[FeedEvent]:
    """Events before ``before``, newest first, for scrolling back through history."""
    with reading(context) as session:
        return read_before(session.connection(), before, limit)
