"""Opening the configured database for the desktop app, on the worker thread.

The database layers are imported here, inside the functions, which run on the worker: the
window has painted by then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.store.config import Settings

if TYPE_CHECKING:
    from warroom.store.database import Database


def open_database(settings: Settings) -> Database:
    from warroom.store.connect import open_database as open_configured

    return open_configured(settings)


def open_and_check(settings: Settings) -> Database:
    """Runs on the worker: connect, then make sure the schema is one this build can use."""
    from warroom.store.schema import ensure_schema

    database = open_database(settings)
    try:
        ensure_schema(database)
    except BaseException:
        database.dispose()
        raise
    return database
