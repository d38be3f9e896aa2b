"""``warroom webhook-token``: the bearer token alert senders must send, kept in the keyring."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from warroom.domain.errors import WarroomError
from warroom.store.config import keyring_available, no_keyring_message

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
    from warroom.store.webhook_token import create_webhook_token, remove_webhook_token

    if not keyring_available():
        raise WarroomError(no_keyring_message())
    if args.remove:
        remove_webhook_token()
        print("The webhook token is removed; `warroom serve` accepts alerts without one.")
        return 0
    token = create_webhook_token()
    print("Senders must now send this header (it is shown once; it is kept in the keyring):")
    print(f"Authorization: Bearer {token}")
    return 0
