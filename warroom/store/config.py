"""Who the user is and which database they use: the config file, the environment, the keyring.

The config file holds the database URL *without* its password and the user's handle.
Passwords live only in the OS keyring. Where no keyring backend exists we fail closed: the
caller is told so and must ask for the password each session.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from warroom.domain.errors import ValidationError, WarroomError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

# SQLAlchemy and keyring are imported where they are used: the desktop app shows its window
# before either is needed, and importing them costs more than showing the window.

APP_NAME = "warroom"
KEYRING_SERVICE = "warroom"
ENV_DATABASE_URL = "WARROOM_DATABASE_URL"
ENV_CONFIG_DIR = "WARROOM_CONFIG_DIR"
ENV_DATA_DIR = "WARROOM_DATA_DIR"
#: The webhook bearer token for hosts without a keyring (a container, a systemd unit).
ENV_WEBHOOK_TOKEN = "WARROOM_WEBHOOK_TOKEN"
WEBHOOK_ACCOUNT = "webhook-token"
#: Who the acting person is, for scripts; beats the config file's handle.
ENV_USER = "WARROOM_USER"
DEFAULT_DATABASE_SOURCE = "default (embedded SQLite)"

#: Connection parameters libpq takes that carry a password or point at a file of them.
PASSWORD_PARAMETERS = frozenset({"password", "sslpassword", "passfile"})
#: Of those, the ones whose value is itself a secret and is masked wherever a URL is shown.
_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
_SECRET_IN_TEXT = re.compile(r"([?&](?:ssl)?password=)[^&#]*", re.IGNORECASE)


class KeyringUnavailableError(WarroomError):
    """No OS keyring backend: passwords cannot be stored and must be typed each session."""


class PasswordRequiredError(WarroomError):
    """PostgreSQL wants a password that neither the URL nor the keyring has."""


class BrokenConfigError(ValidationError):
    """The config file cannot be read; ``warroom config set`` sets it aside and starts anew."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(
            f"the config file {path} {problem}; fix it, or run `warroom config set` to start a "
            "new one (the broken file is kept beside it)"
        )
        self.path = path
        self.problem = problem


def config_dir(env: Mapping[str, str] = os.environ) -> Path:
    return (
        Path(env[ENV_CONFIG_DIR])
        if env.get(ENV_CONFIG_DIR)
        else platformdirs.user_config_path(APP_NAME)
    )


def data_dir(env: Mapping[str, str] = os.environ) -> Path:
    return (
        Path(env[ENV_DATA_DIR]) if env.get(ENV_DATA_DIR) else platformdirs.user_data_path(APP_NAME)
    )


def config_path(env: Mapping[str, str] = os.environ) -> Path:
    return config_dir(env) / "config.toml"


def default_database_url(env: Mapping[str, str] = os.environ) -> str:
    return f"sqlite:///{data_dir(env) / 'warroom.db'}"


@dataclass(frozen=True)
class Settings:
    """The effective configuration, and where each part of it came from."""

    database_url: str
    database_source: str
    user: str
    user_source: str
    config_file: Path
    #: ``warroom webhook-token`` created a token (kept in the keyring, never in the file):
    #: ``warroom serve`` that cannot read it must refuse to start, not accept anyone.
    webhook_token_created: bool = False

    @property
    def url(self) -> URL:
        return parse_database_url(self.database_url)

    @property
    def is_postgresql(self) -> bool:
        return self.url.get_backend_name() == "postgresql"

    @property
    def is_default_database(self) -> bool:
        """The app's own embedded file, which nobody can mistype, so opening it may create it."""
        return self.database_source == DEFAULT_DATABASE_SOURCE

    @property
    def display_url(self) -> str:
        """The URL with any password masked, without parsing it (no SQLAlchemy needed)."""
        return mask_url_text(self.database_url)


def parse_database_url(text: str) -> URL:
    """A SQLAlchemy URL for SQLite or PostgreSQL, or a sentence saying what is wrong with it.

    ``postgres://`` is taken as PostgreSQL, as libpq and most tools take it. Sentences quote
    the URL as it was typed (password masked), not the driver name warroom swaps in.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text)
    except ArgumentError:
        raise ValidationError(
            f"'{mask_url_text(text)}' is not a database URL; use sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DATABASE"
        ) from None
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql", "postgres"):
        raise ValidationError(
            f"warroom supports SQLite and PostgreSQL, not '{backend}' "
            f"(from the URL {mask_url_text(text)})"
        )
    if backend in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")  # the one driver warroom ships
        if not url.database:
            raise ValidationError(
                f"the PostgreSQL URL {mask_url_text(text)} names no database; add /DATABASE at "
                "the end"
            )
    elif not url.database:
        raise ValidationError(
            "an in-memory SQLite database cannot be shared; use sqlite:///PATH/TO/FILE.db"
        )
    return url


def password_parts(url: URL) -> list[str]:
    """Where in ``url`` a password hides: after the user name, or in a libpq parameter."""
    parts = ["a password after the user name"] if url.password else []
    parts += [f"the '{key}' parameter" for key in url.query if key.lower() in PASSWORD_PARAMETERS]
    return parts


def without_password(url: URL) -> URL:
    """``url`` without any password: neither after the user name nor in a libpq parameter."""
    # URL.set(password=None) means "leave it as it is"; the tuple replace really clears it.
    cleared = url._replace(password=None)
    return cleared.difference_update_query(
        [key for key in url.query if key.lower() in PASSWORD_PARAMETERS]
    )


def mask_url(url: URL) -> str:
    """The URL to show a person: passwords masked, and no driver name they never typed."""
    shown = url.set(drivername=url.get_backend_name())
    secret = [key for key in url.query if key.lower() in _SECRET_PARAMETERS]
    if secret:
        shown = shown.update_query_dict({key: "***" for key in secret})
    return shown.render_as_string(hide_password=True).replace("%2A%2A%2A", "***")


def mask_url_text(text: str) -> str:
    """Best-effort masking of a string that may not even parse as a URL."""
    text = _SECRET_IN_TEXT.sub(r"\1***", text)
    if "://" in text and "@" in text:
        scheme, rest = text.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        if ":" in credentials:
            return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"
    return text


def load_settings(
    database_override: str | None = None,
    env: Mapping[str, str] = os.environ,
    *,
    validate: bool = True,
) -> Settings:
    """Resolve the configuration: ``--database`` beats the environment beats the file.

    The acting person: ``WARROOM_USER`` (for scripts) beats the file, which beats the login
    name. ``validate=False`` leaves checking the URL to whoever connects (the desktop app does
    it on its worker and shows the sentence in the window).
    """
    path = config_path(env)
    stored = _read_config_file(path)
    file_url = stored.get("database", {}).get("url")
    file_user = stored.get("user", {}).get("handle")
    token_created = stored.get("webhook", {}).get("token") == "keyring"

    if database_override:
        url, url_source = database_override, "--database"
    elif env.get(ENV_DATABASE_URL):
        url, url_source = env[ENV_DATABASE_URL], ENV_DATABASE_URL
    elif isinstance(file_url, str) and file_url:
        url, url_source = file_url, f"config file {path}"
    else:
        url, url_source = default_database_url(env), DEFAULT_DATABASE_SOURCE
    if validate:
        parse_database_url(url)  # fail early, with a sentence, on a malformed URL

    if env.get(ENV_USER):
        user, user_source = env[ENV_USER], ENV_USER
        if validate:
            from warroom.domain.people import validate_handle

            try:
                validate_handle(user)
            except ValidationError as exc:
                raise ValidationError(f"{ENV_USER}: {exc}") from None
    elif isinstance(file_user, str) and file_user:
        user, user_source = file_user, f"config file {path}"
    else:
        user, user_source = _login_name(), "operating system login"
    return Settings(url, url_source, user, user_source, path, token_created)


def _read_config_file(path: Path) -> dict[str, dict[str, object]]:
    """The file's tables, or :class:`BrokenConfigError` naming what is wrong with it."""
    if not path.exists():
        return {}  # the default set-up has no file: tomllib is not imported (~8 ms of start-up)
    import tomllib

    try:
        loaded = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        problem = "is a folder, not a file"
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problem = f"is not valid TOML ({exc})"
    except OSError as exc:
        problem = f"cannot be read ({exc.strerror})"
    else:
        shape = _shape_problem(loaded)
        if shape is None:
            return {k: dict(v) for k, v in loaded.items() if isinstance(v, dict)}
        problem = shape
    raise BrokenConfigError(path, problem)


def _shape_problem(loaded: dict[str, object]) -> str | None:
    for table, key in (("database", "url"), ("user", "handle")):
        value = loaded.get(table, {})
        if not isinstance(value, dict):
            return f"has '{table}' as a value where a [{table}] table belongs"
        if key in value and not isinstance(value[key], str):
            return f"has a {table}.{key} that is not text"
    return None


def save_settings(
    *,
    database_url: str | None = None,
    user: str | None = None,
    webhook_token_created: bool | None = None,
    env: Mapping[str, str] = os.environ,
) -> Path:
    """Write the given values to the config file, never with a password in the URL (nor a
    token: ``webhook_token_created`` only records that one is kept in the keyring).

    A broken file is not overwritten here (:class:`BrokenConfigError`); the caller decides
    to :func:`set_aside_broken_config` first.
    """
    import tomli_w

    path = config_path(env)
    stored = _read_config_file(path)
    if database_url is not None:
        from sqlalchemy.engine import make_url

        parse_database_url(database_url)  # refuse to save what could not be used
        as_written = without_password(make_url(database_url))
        stored.setdefault("database", {})["url"] = as_written.render_as_string(hide_password=False)
    if user is not None:
        stored.setdefault("user", {})["handle"] = user
    if webhook_token_created is True:
        stored.setdefault("webhook", {})["token"] = "keyring"
    elif webhook_token_created is False:
        stored.pop("webhook", None)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(stored), encoding="utf-8")
    return path


def set_aside_broken_config(env: Mapping[str, str] = os.environ) -> Path:
    """Move a broken config file out of the way (to ``config.toml.broken``); returns where."""
    path = config_path(env)
    kept = path.with_name(path.name + ".broken")
    try:
        os.replace(path, kept)
    except OSError as exc:
        raise WarroomError(
            f"The config file {path} is broken and cannot be moved aside ({exc.strerror}); "
            "delete or fix it by hand."
        ) from None
    return kept


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# ------------------------------------------------------------------------- keyring


def keyring_account(url: URL) -> str:
    """The keyring entry a password is filed under: user@host:port/database."""
    return f"{url.username or ''}@{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def keyring_available() -> bool:
    import keyring
    import keyring.backends.fail

    backend = keyring.get_keyring()
    return not isinstance(backend, keyring.backends.fail.Keyring) and backend.priority > 0


_NO_KEYRING = (
    "No OS keyring is available on this computer (keyring found no backend), so warroom will "
    "not store the password; it will ask for it each time. Install and unlock a keyring "
    "(e.g. gnome-keyring or KWallet) to have it remembered."
)


def store_password(url: URL, password: str) -> None:
    import keyring
    import keyring.errors

    if not keyring_available():
        raise KeyringUnavailableError(_NO_KEYRING)
    try:
        keyring.set_password(KEYRING_SERVICE, keyring_account(url), password)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(f"The OS keyring refused the password: {exc}") from None


def stored_password(url: URL) -> str | None:
    """The keyring's password for this database, or None (also when there is no keyring)."""
    import keyring
    import keyring.errors

    if not keyring_available():
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_account(url))
    except keyring.errors.KeyringError:
        return None


def no_keyring_message() -> str:
    return _NO_KEYRING
