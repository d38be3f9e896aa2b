"""The alert webhook receiver: Alertmanager, Grafana and the generic format over HTTP.

Answers are what senders act on, and Alertmanager never retries a 4xx, so a 4xx would lose
the delivery: 2xx only after the commit; 4xx with a one-line reason only when the request is
no alert payload at all (not JSON, not the format's shape, too big, no such endpoint, wrong
token), with nothing written; 5xx only when the alerts could not be stored (the database is
down, or an alert names no known service and the roster has no catch-all), so the sender
retries. Each endpoint also takes a service in its URL (``/alertmanager/checkout-api``), one
URL per service, which beats the alert's own ``service`` label.

HTTP is served by waitress rather than ``http.server``: its asynchronous front end reads
every request whole before a worker thread sees it (a slow or idle connection costs a socket,
not a thread), closes connections idle for ``idle_timeout``, stops accepting beyond
``max_connections`` (later ones wait in the listen backlog instead of being refused), parses
HTTP strictly (a ``Content-Length`` that is not digits is a 400; chunked bodies are decoded),
caps the body, and answers every request, even one this code fails on.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import waitress
from waitress import wasyncore
from waitress.server import BaseWSGIServer

from warroom.domain.alerts import (
    MAX_ALERTS_PER_DELIVERY,
    MAX_BODY_BYTES,
    AlertIn,
    cap_delivery,
    load_json,
    parse_alertmanager,
    parse_generic,
)
from warroom.domain.errors import ValidationError, WarroomError
from warroom.services.context import ServiceContext
from warroom.services.paging.ingest import IngestResult, ingest

log = logging.getLogger(__name__)

PARSERS: dict[str, Callable[[Any], list[AlertIn]]] = {
    "alertmanager": parse_alertmanager,
    "grafana": lambda document: parse_alertmanager(document, source="grafana"),
    "generic": parse_generic,
}
ENDPOINTS = ", ".join(f"/{name}[/SERVICE]" for name in PARSERS)

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


@dataclass(frozen=True)
class ReceiverLimits:
    """What one receiver allows; the README's "Alerts in" documents the defaults."""

    #: Open connections at once; more wait in the listen backlog until one closes.
    max_connections: int = 100
    #: Seconds a connection may stay idle (or hold an unfinished request) before it is closed.
    idle_timeout: int = 30
    #: How often (seconds) idle connections are looked for.
    cleanup_interval: int = 5
    #: Worker threads that store deliveries (each holds one database connection at a time).
    threads: int = 4
    max_body_bytes: int = MAX_BODY_BYTES
    #: Alerts stored per delivery; the rest become one flagged page.
    max_alerts: int = MAX_ALERTS_PER_DELIVERY


class AlertReceiver:
    """A waitress server on ``host:port`` (loopback by default), answering in JSON."""

    def __init__(
        self,
        context: ServiceContext,
        host: str = "127.0.0.1",
        port: int = 8787,
        *,
        token: str | None = None,
        default_service: str | None = None,
        limits: ReceiverLimits | None = None,
    ) -> None:
        self.context = context
        self.token = token
        self.default_service = default_service
        self.limits = limits or ReceiverLimits()
        self.server: Any = waitress.create_server(
            self.wsgi,
            host=host,
            port=port,
            threads=self.limits.threads,
            # waitress counts its listening socket and its wake-up pipe among connections
            connection_limit=self.limits.max_connections + 2,
            channel_timeout=self.limits.idle_timeout,
            cleanup_interval=self.limits.cleanup_interval,
            # waitress refuses a body of this many bytes or more: allow exactly the limit
            max_request_body_size=self.limits.max_body_bytes + 1,
            asyncore_use_poll=True,  # select() stops working past 1,024 descriptors
            expose_tracebacks=False,
            ident="warroom",
        )
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        """Where it listens (the first address, if the host name had several)."""
        listen = getattr(self.server, "effective_listen", None)
        if listen:
            host, port = listen[0][:2]
        else:
            host, port = self.server.effective_host, self.server.effective_port
        return str(host), int(port)

    # ------------------------------------------------------------------------- HTTP

    def wsgi(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Every request gets an answer; a failure of this code is a 500 that says nothing
        about the database, with the detail in the log."""
        try:
            status, answer = self.respond(environ)
        except Exception:
            log.exception("webhook request %s failed", environ.get("PATH_INFO"))
            status, answer = (
                HTTPStatus.INTERNAL_SERVER_ERROR,
                {"error": "the receiver failed on this request; see its log"},
            )
        body = json.dumps(answer).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        if status == HTTPStatus.UNAUTHORIZED:
            headers.append(("WWW-Authenticate", "Bearer"))
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            headers.append(("Allow", "POST"))
        start_response(f"{status.value} {status.phrase}", headers)
        return [body]

    def respond(self, environ: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
        method = environ.get("REQUEST_METHOD", "")
        path = _text(environ.get("PATH_INFO", ""))
        if method == "GET" and path == "/health":
            return HTTPStatus.OK, {"status": "ok"}
        parts = path.strip("/").split("/")
        if parts[0] not in PARSERS or len(parts) > 2 or (len(parts) == 2 and not parts[1]):
            return HTTPStatus.NOT_FOUND, {"error": f"no endpoint {path[:100]}; use {ENDPOINTS}"}
        if method != "POST":
            return HTTPStatus.METHOD_NOT_ALLOWED, {"error": f"POST alerts to {ENDPOINTS}"}
        if not self._authorised(environ.get("HTTP_AUTHORIZATION")):
            return HTTPStatus.UNAUTHORIZED, {"error": "missing or wrong bearer token"}
        length = int(environ.get("CONTENT_LENGTH") or 0)  # waitress checked it is digits
        if length > self.limits.max_body_bytes:
            return HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {
                "error": f"the body is {length} bytes; the limit is {self.limits.max_body_bytes}"
            }
        body = environ["wsgi.input"].read(length)
        try:
            alerts = PARSERS[parts[0]](load_json(body))
        except ValidationError as error:
            return HTTPStatus.BAD_REQUEST, {"error": str(error)}
        service = parts[1] if len(parts) == 2 else None
        return self.store(cap_delivery(alerts, self.limits.max_alerts), service)

    def store(
        self, alerts: list[AlertIn], service: str | None
    ) -> tuple[HTTPStatus, dict[str, Any]]:
        try:
            result = ingest(self.context, alerts, self.default_service, service=service)
        except WarroomError as error:
            # The detail (which may name the database's address) goes to the log only.
            log.warning("alerts not stored: %s", error)
            return HTTPStatus.SERVICE_UNAVAILABLE, {
                "error": "the alerts could not be stored right now; nothing was written; try again"
            }
        answer = _counts(result)
        if result.unroutable:
            for why in result.unroutable:
                log.error("an alert was not stored: %s", why)
            return HTTPStatus.SERVICE_UNAVAILABLE, {
                **answer,
                "error": f"{len(result.unroutable)} alert(s) name no known service and the "
                "roster declares no catch-all service (catch_all: true); the others were "
                "stored; try again",
            }
        return HTTPStatus.OK, answer

    def _authorised(self, header: str | None) -> bool:
        """Compare bytes: WSGI hands headers over as Latin-1 text, and compare_digest
        refuses non-ASCII text (it raised, and the sender got no answer at all)."""
        if self.token is None:
            return True
        expected = b"Bearer " + self.token.encode("utf-8")
        given = (header or "").encode("latin-1", "replace")
        return hmac.compare_digest(given, expected)

    # ------------------------------------------------------------------------- running

    def start(self) -> None:
        self._thread = threading.Thread(target=self.server.run, name="warroom-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close every connection from the server's own thread, then stop its workers."""
        sockets: dict[int, Any] = getattr(self.server, "map", None) or self.server._map
        trigger = next(d.trigger for d in list(sockets.values()) if isinstance(d, BaseWSGIServer))
        if self._thread is not None and self._thread.is_alive():
            trigger.pull_trigger(lambda: wasyncore.close_all(sockets))
            self._thread.join(5)
        else:
            wasyncore.close_all(sockets)
        self.server.task_dispatcher.shutdown()


def _text(path: str) -> str:
    """A WSGI path (bytes as Latin-1) as the UTF-8 the sender meant, undecodable bytes
    replaced, so a service named in the URL is text like any other."""
    return path.encode("latin-1", "replace").decode("utf-8", "replace")


def _counts(result: IngestResult) -> dict[str, Any]:
    return {
        "created": result.created,
        "repeated": result.repeated,
        "resolved": result.resolved,
        "deferred": result.deferred,
        "flagged": result.flagged,
    }
