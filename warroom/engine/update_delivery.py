"""Stakeholder updates delivered to webhooks: a background step of every engine.

The step claims what is due in the database (:mod:`warroom.services.comms.deliveries`), then
calls each webhook outside any transaction and off the GUI thread, several at once with a
short timeout so a webhook that hangs delays the next run by seconds, not minutes, and
writes each answer back. 5xx answers, timeouts and refused connections are retried later;
a 4xx is final (asking again will not change it), as is a redirect (the address is stale;
redirects are never followed, since following one would turn the POST into a GET).

The address of a webhook is a secret (a chat webhook's token is part of it). It is read only
here, at the moment of the call, from the environment variable or the keyring entry the
roster file names; it is never logged, stored, or put in an event, and what an attempt
records is the status code or a fixed phrase ("timed out"), never the error's own text,
which may quote the address.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from warroom import __version__
from warroom.domain.comms import WebhookAnswer, webhook_payload
from warroom.domain.errors import WarroomError
from warroom.services.comms import deliveries
from warroom.services.context import ServiceContext, reading
from warroom.store.config import KEYRING_SERVICE

log = logging.getLogger(__name__)

#: Seconds one call may take, connecting and answering together (well inside the lease).
TIMEOUT = 10.0
#: The keyring account of a webhook address is this prefix and the file's ``url_keyring``.
KEYRING_PREFIX = "update-webhook:"

Resolver = Callable[[deliveries.Address], str | None]


def keyring_address(name: str) -> str | None:
    """The address kept in the OS keyring under ``update-webhook:NAME``; None where there is
    no keyring or no such entry (another engine may have it)."""
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, KEYRING_PREFIX + name)
    except Exception:  # no backend, a locked keyring: this engine cannot deliver it
        return None


def resolver(environ: Mapping[str, str] = os.environ) -> Resolver:
    """Where this engine finds addresses: its environment, then its keyring."""

    def resolve(address: deliveries.Address) -> str | None:
        if address.url_env:
            return environ.get(address.url_env) or None
        if address.url_keyring:
            return keyring_address(address.url_keyring)
        return None

    return resolve


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx comes back as an HTTPError: a stale address, said as such


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(url: str, payload: dict[str, Any], idempotency_key: str, timeout: float) -> WebhookAnswer:
    """POST the payload as JSON; what came back, in words that never quote the address."""
    try:
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": f"warroom/{__version__}",
                "Idempotency-Key": idempotency_key,
            },
        )
        if request.type not in ("http", "https"):
            raise ValueError("not http")
    except ValueError:
        return WebhookAnswer(None, "the configured address is not an http(s) URL", permanent=True)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(65_536)
            return WebhookAnswer(int(response.status))
    except urllib.error.HTTPError as error:
        error.close()
        return WebhookAnswer(int(error.code))
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            return WebhookAnswer(None, "timed out")
        if isinstance(error.reason, socket.gaierror):
            return WebhookAnswer(None, "unknown host")
        if isinstance(error.reason, ConnectionRefusedError):
            return WebhookAnswer(None, "connection refused")
        return WebhookAnswer(None, "connection failed")
    except TimeoutError:
        return WebhookAnswer(None, "timed out")
    except (http.client.HTTPException, OSError):
        return WebhookAnswer(None, "connection failed")


@dataclass
class DeliveryRun:
    """What one run did: (delivery id, new state) per call; when it wants to run again."""

    done: list[tuple[int, str | None]] = field(default_factory=list)
    next_due: datetime | None = None


def deliver(
    context: ServiceContext,
    *,
    resolve: Resolver | None = None,
    timeout: float = TIMEOUT,
) -> DeliveryRun:
    """Deliver every update that is due and whose address this engine knows."""
    resolve = resolve or resolver()
    addresses: dict[deliveries.Address, str | None] = {}

    def address_of(address: deliveries.Address) -> str | None:
        if address not in addresses:
            addresses[address] = resolve(address)
        return addresses[address]

    claims = deliveries.claim_due(context, lambda a: address_of(a) is not None)
    run = DeliveryRun()

    def attempt(claimed: deliveries.Claimed) -> tuple[int, str | None]:
        url = address_of(claimed.address)
        if url is None:  # gone since the claim (a keyring locked meanwhile): try again later
            answer = WebhookAnswer(None, "the address could not be read")
        else:
            payload = webhook_payload(claimed.format, claimed.content)
            key = f"warroom-update-{claimed.content['update_id']}-{claimed.target}"
            answer = post(url, payload, key, timeout)
        if answer.code is None or answer.code >= 300:
            log.info(
                "delivering update %s to %s: %s",
                claimed.content["update_id"],
                claimed.target,
                answer.code or answer.error,
            )
        try:
            return claimed.delivery_id, deliveries.record(context, claimed, answer)
        except WarroomError as error:  # the lease runs out and another engine retries
            log.warning("could not record delivery %s: %s", claimed.delivery_id, error)
            return claimed.delivery_id, None

    if claims.claimed:
        with ThreadPoolExecutor(
            max_workers=len(claims.claimed), thread_name_prefix="warroom-deliver"
        ) as pool:
            run.done = list(pool.map(attempt, claims.claimed))
        with reading(context) as session:
            run.next_due = deliveries.next_due(session)
    else:
        run.next_due = claims.next_due
    return run
