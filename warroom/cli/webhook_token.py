"""``warroom webhook-token``: the bearer token alert senders must send, kept in the keyring."""

from __future__ import annotations

import argparse
import contextlib
from typing import TYPE_CHECKING

from warroom.cli.common import WEBHOOK_ACCOUNT
from warroom.domain.errors import WarroomError
from warroom.store.config import KEYRING_SERVICE, keyring_available, no_keyring_message

if TYPE_CHECKING:
    from warroom.cli.common import Commands


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    webhook = commands.add_parser(
        "webhook-token",
        parents=[database],
        help="create the webhook bearer token (kept in the keyring)",
    )
    webhook.add_argument("--remove", action="store_true", help="delete it instead")
    webhook.set_defaults(handler=_webhook_token)


def _webhook_token(args: argparse.Namespace) -> int:
    import secrets

    import keyring
    import keyring.errors

    if not keyring_available():
        raise WarroomError(no_keyring_message())
    if args.remove:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(KEYRING_SERVICE, WEBHOOK_ACCOUNT)
        print("The webhook token is removed; `warroom serve` accepts alerts without one.")
        return 0
    token = secrets.token_urlsafe(32)
    keyring.set_password(KEYRING_SERVICE, WEBHOOK_ACCOUNT, token)
    print("Senders must now send this header (it is shown once; it is kept in the keyring):")
    print(f"Authorization: Bearer {token}")
    return 0
