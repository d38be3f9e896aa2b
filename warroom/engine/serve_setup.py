"""What ``warroom serve`` checks before it listens, so a mistake stops it instead of
silently losing alerts or accepting anyone.

* ``--listen HOST:PORT`` is parsed and judged: loopback, or reachable from other computers.
* The webhook token is found (``--token-file``, ``WARROOM_WEBHOOK_TOKEN``, the keyring). A
  token that was created (the config file records that, never the token) but cannot be read
  stops it; so does a non-loopback address without a token, unless ``--no-token`` says so.
* Routing must be possible: the roster has a catch-all service, and ``--default-service``
  names a service.

Every refusal is a ValidationError whose sentence says what to do.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from warroom.domain.errors import ValidationError
from warroom.services.context import ServiceContext
from warroom.services.paging.queries import routing
from warroom.store.config import ENV_WEBHOOK_TOKEN, KeyringUnavailableError, load_settings
from warroom.store.webhook_token import HEADLESS_HINT, keyring_webhook_token


@dataclass(frozen=True)
class ListenAddress:
    host: str
    port: int
    loopback: bool

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_listen(text: str) -> ListenAddress:
    """``HOST:PORT`` (``[::1]:8787`` for IPv6); a name is resolved to judge loopback."""
    host, sep, port_text = text.strip().rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not (port_text.isascii() and port_text.isdigit()):
        raise ValidationError(
            f"--listen {text}: write it as HOST:PORT, e.g. 127.0.0.1:8787 or [::1]:8787"
        )
    if int(port_text) > 65535:
        raise ValidationError(f"--listen {text}: a port is a number from 0 to 65535.")
    return ListenAddress(host, int(port_text), is_loopback(host))


def is_loopback(host: str) -> bool:
    """Only loopback addresses: a name counts only if every address it has is loopback."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        raise ValidationError(
            f"--listen: '{host}' is not an address or a known host name"
        ) from None
    return bool(found) and all(
        ipaddress.ip_address(str(address).split("%")[0]).is_loopback for address in found
    )


@dataclass(frozen=True)
class TokenChoice:
    token: str | None
    source: str  # where it came from, for the start-up banner (never the token)


def _checked_token(text: str, where: str) -> str:
    token = text.strip()
    if not token:
        raise ValidationError(f"{where} is empty; put the webhook token in it")
    if not all(0x21 <= ord(c) <= 0x7E for c in token):
        raise ValidationError(
            f"{where} holds characters a sender cannot put in an HTTP header; "
            "use printable ASCII without spaces (e.g. `openssl rand -base64 32`)"
        )
    return token


def read_token_file(path: str | os.PathLike[str]) -> str:
    """The token in a file only its owner may read (mode 0600 or 0400)."""
    file = Path(path)
    try:
        status = file.stat()
        if not stat.S_ISREG(status.st_mode):
            raise ValidationError(f"--token-file {file}: not a regular file")
        if status.st_mode & 0o077:
            raise ValidationError(
                f"--token-file {file} can be read by other users (mode "
                f"{stat.S_IMODE(status.st_mode):04o}); run `chmod 600 {file}`"
            )
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationError(f"--token-file {file}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ValidationError(f"--token-file {file} is not text") from None
    return _checked_token(text, f"--token-file {file}")


def resolve_token(
    *,
    token_file: str | None,
    no_token: bool,
    env: Mapping[str, str] = os.environ,
    created: bool | None = None,
) -> TokenChoice:
    """The token ``serve`` requires: ``--token-file``, else ``WARROOM_WEBHOOK_TOKEN``, else the
    keyring. ``created`` (default: what the config file records) says a token exists
    somewhere; then not being able to read one is a refusal, never an open receiver."""
    if no_token and token_file:
        raise ValidationError("--no-token and --token-file contradict each other; choose one")
    if no_token:
        return TokenChoice(None, "none (--no-token)")
    if token_file:
        return TokenChoice(read_token_file(token_file), f"--token-file {token_file}")
    if env.get(ENV_WEBHOOK_TOKEN):
        return TokenChoice(
            _checked_token(env[ENV_WEBHOOK_TOKEN], ENV_WEBHOOK_TOKEN), ENV_WEBHOOK_TOKEN
        )
    if created is None:
        created = load_settings(env=env, validate=False).webhook_token_created
    try:
        token = keyring_webhook_token()
    except KeyringUnavailableError as error:
        if created:
            raise ValidationError(
                "A webhook token was created (`warroom webhook-token`) but cannot be read: "
                f"{error} {HEADLESS_HINT} To accept alerts without a token, pass --no-token."
            ) from None
        token = None
    if token:
        return TokenChoice(token, "the keyring")
    if created:
        raise ValidationError(
            "A webhook token was created (`warroom webhook-token`) but the keyring holds none; "
            f"create it again, or give it another way. {HEADLESS_HINT}"
        )
    return TokenChoice(None, "none")


def check_routing(context: ServiceContext, default_service: str | None) -> str:
    """The catch-all's slug, once routing is known to be possible for every alert."""
    found = routing(context)
    if default_service is not None and default_service not in found.services:
        raise ValidationError(
            f"--default-service {default_service}: there is no such service; "
            "use one of the roster's services (`warroom roster export -`)"
        )
    if found.catch_all is None:
        raise ValidationError(
            "The roster declares no catch-all service, so an alert naming no known service "
            "would have nowhere to page. Add `catch_all: true` to one service in the roster "
            "file (e.g. one the platform team owns) and import it."
        )
    return found.catch_all


@dataclass(frozen=True)
class ServePlan:
    listen: ListenAddress
    token: TokenChoice
    default_service: str | None
    catch_all: str

    def banner(self, address: tuple[str, int]) -> str:
        """The line ``serve`` prints once listening (``address`` as the receiver reports it)."""
        host, port = address
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        token = f"token required, from {self.token.source}" if self.token.token else "no token"
        default = f"default service {self.default_service}, " if self.default_service else ""
        return (
            f"warroom serve: receiving alerts on http://{where}/alertmanager[/SERVICE], "
            f"/grafana[/SERVICE], /generic[/SERVICE] ({token}; {default}catch-all "
            f"{self.catch_all}); background engine (escalations, reminders) running. Ctrl+C stops."
        )


def plan_serve(
    context: ServiceContext,
    *,
    listen: str,
    default_service: str | None,
    token_file: str | None,
    no_token: bool,
    env: Mapping[str, str] = os.environ,
) -> ServePlan:
    """Everything ``serve`` must know before it listens, or the sentence why it must not."""
    address = parse_listen(listen)
    token = resolve_token(token_file=token_file, no_token=no_token, env=env)
    if token.token is None and not no_token and not address.loopback:
        raise ValidationError(
            f"--listen {listen} can be reached from other computers and no webhook token is "
            "set: anyone there could page your team. Create one (`warroom webhook-token`, or "
            "--token-file FILE), or pass --no-token to accept alerts without one."
        )
    catch_all = check_routing(context, default_service)
    return ServePlan(address, token, default_service, catch_all)
