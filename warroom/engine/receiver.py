"""The alert webhook receiver: Alertmanager, Grafana and the generic format over HTTP.

Answers are what senders act on: 2xx only after the commit; 4xx with a one-line reason for
input that will never work (malformed JSON, wrong shape, too big, unknown service, wrong
token) and nothing written, so Alertmanager does not retry it; 5xx when the database is down,
so the sender retries.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from warroom.domain.alerts import (
    MAX_BODY_BYTES,
    AlertIn,
    load_json,
    parse_alertmanager,
    parse_generic,
)
from warroom.domain.errors import ValidationError, WarroomError
from warroom.services.context import ServiceContext
from warroom.services.paging.ingest import ingest

log = logging.getLogger(__name__)

PARSERS: dict[str, Callable[[Any], list[AlertIn]]] = {
    "/alertmanager": parse_alertmanager,
    "/grafana": lambda document: parse_alertmanager(document, source="grafana"),
    "/generic": parse_generic,
}


class AlertReceiver:
    """A threaded HTTP server on ``host:port`` (loopback by default)."""

    def __init__(
        self,
        context: ServiceContext,
        host: str = "127.0.0.1",
        port: int = 8787,
        *,
        token: str | None = None,
        default_service: str | None = None,
    ) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "warroom"

            def log_message(self, format: str, *args: Any) -> None:
                log.info("%s %s", self.address_string(), format % args)

            def do_GET(self) -> None:
                if self.path == "/health":
                    self._answer(HTTPStatus.OK, {"status": "ok"})
                else:
                    self._answer(
                        HTTPStatus.NOT_FOUND, {"error": "POST alerts to " + ", ".join(PARSERS)}
                    )

            def do_POST(self) -> None:
                status, answer = receiver.handle(
                    self.path.split("?", 1)[0],
                    self.headers.get("Authorization"),
                    self.headers.get("Content-Length"),
                    self.rfile,
                )
                self._answer(status, answer)

            def _answer(self, status: HTTPStatus, answer: dict[str, Any]) -> None:
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.context = context
        self.token = token
        self.default_service = default_service
        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server.server_address[:2]
        return str(host), int(port)

    def handle(
        self, path: str, authorization: str | None, length: str | None, stream: Any
    ) -> tuple[HTTPStatus, dict[str, Any]]:
        parser = PARSERS.get(path)
        if parser is None:
            return HTTPStatus.NOT_FOUND, {"error": f"no endpoint {path}; use " + ", ".join(PARSERS)}
        if self.token is not None:
            expected = f"Bearer {self.token}"
            if not authorization or not hmac.compare_digest(authorization, expected):
                return HTTPStatus.UNAUTHORIZED, {"error": "missing or wrong bearer token"}
        try:
            size = int(length or "0")
        except ValueError:
            return HTTPStatus.BAD_REQUEST, {"error": "Content-Length is not a number"}
        if size > MAX_BODY_BYTES:
            # Read (and drop) what the sender is already writing, within reason, so it gets
            # the answer instead of a reset connection.
            remaining = min(size, 16 * MAX_BODY_BYTES)
            while remaining > 0:
                chunk = stream.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)
            return HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {
                "error": f"the body is {size} bytes; the limit is {MAX_BODY_BYTES}"
            }
        try:
            alerts = parser(load_json(stream.read(size)))
            result = ingest(self.context, alerts, self.default_service)
        except ValidationError as error:
            return HTTPStatus.BAD_REQUEST, {"error": str(error)}
        except WarroomError as error:  # the database is down or refused: let the sender retry
            log.warning("alerts not stored: %s", error)
            return HTTPStatus.SERVICE_UNAVAILABLE, {"error": str(error)}
        return HTTPStatus.OK, {
            "created": result.created,
            "repeated": result.repeated,
            "resolved": result.resolved,
            "deferred": result.deferred,
        }

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.server.serve_forever, name="warroom-http", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(5)
