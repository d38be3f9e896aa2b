"""Opening the configured database: password from the keyring, one clear sentence on failure."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import URL

from warroom.store.config import (
    PasswordRequiredError,
    Settings,
    keyring_available,
    no_keyring_message,
    stored_password,
    without_password,
)
from warroom.store.database import Database, database_from_url, explain_database_error

#: Asked for a password with a sentence saying why; returns None when the person declines.
PasswordPrompt = Callable[[str], str | None]


def _needs_password(exc: BaseException) -> bool:
    message = str(getattr(exc, "orig", None) or exc).lower()
    return "password authentication failed" in message or "no password supplied" in message


def _with_stored_password(url: URL) -> URL:
    if url.get_backend_name() != "postgresql" or url.password:
        return url
    password = stored_password(url)
    return url.set(password=password) if password else url


def open_database(
    settings: Settings,
    ask_password: PasswordPrompt | None = None,
    *,
    probe: bool = True,
    create: bool | None = None,
) -> Database:
    """Connect to the configured database, or raise a WarroomError that says what to do.

    Where PostgreSQL asks for a password the keyring does not have, ``ask_password`` is asked
    once (with the reason: no keyring, or nothing stored yet); without it the caller gets
    :class:`PasswordRequiredError`.

    A SQLite file that does not exist is created only when ``create`` says so; left as None,
    only the app's own default file is (a path someone typed may be a typo).
    """
    if create is None:
        create = settings.is_default_database
    url = _with_stored_password(settings.url)
    database = database_from_url(url, create=create)
    if not probe:
        return database
    try:
        _probe(database)
        return database
    except Exception as exc:
        database.dispose()
        if not (url.get_backend_name() == "postgresql" and _needs_password(exc)):
            raise explain_database_error(exc, url) from exc
        reason = (
            no_keyring_message()
            if not keyring_available()
            else "No password is stored for this database yet (run `warroom login` to store it)."
        )
        if ask_password is None:
            raise PasswordRequiredError(
                f"PostgreSQL needs the password of '{url.username}'. {reason}"
            ) from None
        password = ask_password(reason)
        if not password:
            raise PasswordRequiredError("No password given; not connected.") from None
        database = database_from_url(url.set(password=password), create=create)
        try:
            _probe(database)
        except Exception as retry_exc:
            database.dispose()
            raise explain_database_error(retry_exc, url) from retry_exc
        return database


def server_wants_password(url: URL) -> bool:
    """Whether PostgreSQL turns this login away for want of a password.

    The probe sends none (neither the URL's nor the keyring's), so ``warroom login`` can tell a
    server that lets the user in without one from one that needs it.
    """
    database = database_from_url(without_password(url))
    try:
        _probe(database)
    except Exception as exc:
        if _needs_password(exc):
            return True
        raise explain_database_error(exc, url) from exc
    finally:
        database.dispose()
    return False


def _probe(database: Database) -> None:
    with database.read_engine.connect() as connection:
        connection.execute(text("SELECT 1"))
