"""The webhook bearer token: kept in the OS keyring, and the record that one exists.

The token itself is never written to the config file. What the file records is *that* a token
was created, so ``warroom serve`` on a host whose keyring is missing or locked knows a token
is expected and refuses to start, instead of printing "(no token)" and accepting anyone.
Hosts without a keyring give the token another way (a file only its owner can read, or
``WARROOM_WEBHOOK_TOKEN``); see :mod:`warroom.engine.serve_setup`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping

from warroom.store.config import (
    KEYRING_SERVICE,
    WEBHOOK_ACCOUNT,
    KeyringUnavailableError,
    keyring_available,
    no_keyring_message,
    save_settings,
)

HEADLESS_HINT = (
    "On a server without a keyring, write a token to a file only you can read "
    "(chmod 600) and start `warroom serve --token-file FILE`, or set WARROOM_WEBHOOK_TOKEN."
)


def create_webhook_token(env: Mapping[str, str] = os.environ) -> str:
    """A new token, stored in the keyring and recorded (without it) in the config file."""
    import keyring
    import keyring.errors

    if not keyring_available():
        raise KeyringUnavailableError(f"{no_keyring_message()} {HEADLESS_HINT}")
    token = secrets.token_urlsafe(32)
    try:
        keyring.set_password(KEYRING_SERVICE, WEBHOOK_ACCOUNT, token)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(f"The OS keyring refused the token: {exc}") from None
    save_settings(webhook_token_created=True, env=env)
    return token


def remove_webhook_token(env: Mapping[str, str] = os.environ) -> None:
    """Forget the token: out of the keyring (where there is one) and out of the record."""
    import keyring
    import keyring.errors

    if keyring_available():
        with contextlib.suppress(keyring.errors.KeyringError):  # none stored: nothing to do
            keyring.delete_password(KEYRING_SERVICE, WEBHOOK_ACCOUNT)
    save_settings(webhook_token_created=False, env=env)


def keyring_webhook_token() -> str | None:
    """The token in the keyring; None if none is stored there.

    Raises KeyringUnavailableError when there is no keyring or it fails (locked, no D-Bus):
    "cannot read" is not "there is none".
    """
    import keyring
    import keyring.errors

    if not keyring_available():
        raise KeyringUnavailableError(no_keyring_message())
    try:
        return keyring.get_password(KEYRING_SERVICE, WEBHOOK_ACCOUNT)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(f"The OS keyring could not be read: {exc}") from None
