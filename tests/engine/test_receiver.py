"""The webhook receiver over real HTTP: 2xx after commit, 4xx only for what is no alert
payload at all, 5xx only when the alerts could not be stored; every request answered."""

from __future__ import annotations

import json
import select as select_module
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from warroom.domain.clock import FakeClock
from warroom.engine.background import BackgroundEngine
from warroom.engine.receiver import AlertReceiver, ReceiverLimits
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.store.database import Database
from warroom.store.models import Page, Service
from warroom.store.schema import upgrade

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def post(url: str, body: bytes, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text)
        except ValueError:  # waitress's own answers (413, 400 for broken HTTP) are text
            return error.code, {"error": text.decode(errors="replace")}


def alertmanager_body(status: str = "firing") -> bytes:
    return json.dumps(
        {
            "version": "4",
            "status": status,
            "receiver": "warroom",
            "groupKey": "x",
            "newFieldFromAFutureVersion": [1, 2, 3],
            "alerts": [
                {
                    "status": status,
                    "fingerprint": "abc123",
                    "labels": {
                        "alertname": "KafkaConsumerLag",
                        "service": "event-pipeline",
                        "severity": "critical",
                    },
                    "annotations": {"summary": "warehouse-loader 2M behind"},
                }
            ],
        }
    ).encode()


@pytest.fixture
def serving(context: ServiceContext, clock: FakeClock) -> Iterator[Callable[..., str]]:
    """Starts receivers on the seeded demo (``serving(token=..., ...)`` → base URL)."""
    clock.set(NOW - timedelta(days=7))
    seed_demo(context)
    clock.set(NOW)
    started: list[AlertReceiver] = []

    def start(**options: object) -> str:
        server = AlertReceiver(context, "127.0.0.1", 0, **options)  # type: ignore[arg-type]
        server.start()
        started.append(server)
        host, port = server.address
        return f"http://{host}:{port}"

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def receiver(serving, context: ServiceContext) -> tuple[str, ServiceContext]:
    return serving(token="s3cret", default_service="edge"), context


def pages(context: ServiceContext) -> int:
    with context.database.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Page)) or 0)


def test_alertmanager_firing_then_retry_then_resolved(receiver) -> None:
    url, context = receiver
    before = pages(context)
    status, answer = post(f"{url}/alertmanager", alertmanager_body(), "s3cret")
    assert status == 200
    assert len(answer["created"]) == 1
    status, answer = post(f"{url}/alertmanager", alertmanager_body(), "s3cret")  # a retry
    assert (status, answer["created"], len(answer["repeated"])) == (200, [], 1)
    status, answer = post(f"{url}/alertmanager", alertmanager_body("resolved"), "s3cret")
    assert len(answer["resolved"]) == 1
    assert pages(context) == before + 1


def test_grafana_and_generic_formats(receiver) -> None:
    url, _ = receiver
    grafana = json.loads(alertmanager_body())
    grafana.update({"orgId": 1, "title": "[FIRING:1]", "state": "alerting"})
    status, answer = post(f"{url}/grafana", json.dumps(grafana).encode(), "s3cret")
    assert status == 200
    assert answer["created"]
    generic = {"summary": "Backups failed", "dedup_key": "backup-1", "urgency": "high"}
    status, answer = post(f"{url}/generic", json.dumps(generic).encode(), "s3cret")
    assert status == 200  # routed to the default service
    assert answer["created"]


@pytest.mark.parametrize(
    ("path", "body", "token", "status", "says"),
    [
        ("/alertmanager", b"{not json", "s3cret", 400, "not valid JSON"),
        ("/alertmanager", b'{"version": "4"}', "s3cret", 400, "no 'alerts' list"),
        ("/generic", b'"just text"', "s3cret", 400, "object or a list"),
        ("/alertmanager/edge/extra", b"{}", "s3cret", 404, "no endpoint"),
        ("/alertmanager", b"{}", "wrong", 401, "bearer token"),
        ("/elsewhere", b"{}", "s3cret", 404, "no endpoint"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(receiver, path, body, token, status, says):
    url, context = receiver
    before = pages(context)
    got, answer = post(f"{url}{path}", body, token)
    assert got == status
    assert says in answer["error"]
    assert pages(context) == before


def test_a_body_over_the_limit_is_refused(receiver) -> None:
    url, context = receiver
    before = pages(context)
    headers = (b"Authorization: Bearer s3cret", b"Content-Length: 1100000")
    status, _ = _raw(url, _request("/generic", b"", *headers))  # answered before the body
    assert status == 413
    assert pages(context) == before


def test_the_engine_sweeps_what_is_due_and_sets_its_alarm(receiver, clock) -> None:
    url, context = receiver
    post(f"{url}/alertmanager", alertmanager_body(), "s3cret")
    engine = BackgroundEngine(context)
    first = engine.run_once()
    assert first.paging is not None
    assert first.next_due == first.paging.next_due
    clock.set(first.next_due)
    assert engine.run_once().paging.escalated >= 1


def test_the_engine_starts_sweeping_at_once_and_stops_cleanly(receiver) -> None:
    import time as _time

    _, context = receiver
    engine = BackgroundEngine(context, safety_seconds=3600)
    engine.start()
    deadline = _time.monotonic() + 10
    while engine.last is None and _time.monotonic() < deadline:
        _time.sleep(0.02)
    assert engine.last is not None  # the catch-up sweep ran without waiting an hour
    assert {job.id for job in engine.scheduler.get_jobs()} == {"safety", "alarm"}
    engine.stop()


# ----------------------------------------------------------------------------- never lost


def _page_rows(context: ServiceContext) -> list[tuple[str, str, str | None]]:
    """(service slug, summary, routing note) of every page made since the demo's history."""
    with context.database.reading() as session:
        return [
            tuple(row)
            for row in session.execute(
                select(Service.slug, Page.summary, Page.routing_note)
                .join(Service, Service.id == Page.service_id)
                .where(Page.triggered_at >= NOW)
                .order_by(Page.id)
            )
        ]


def _alert(fingerprint: str, summary: str, **labels: str) -> dict:
    return {
        "status": "firing",
        "fingerprint": fingerprint,
        "labels": {"alertname": "A", "severity": "critical", **labels},
        "annotations": {"summary": summary},
    }


def _delivery(*alerts: dict) -> bytes:
    return json.dumps({"version": "4", "status": "firing", "alerts": list(alerts)}).encode()


def test_a_good_alert_beside_unroutable_ones_is_stored(serving, context) -> None:
    """Issue 10.1: no service label, or an unknown one, answered 400 and lost the group's
    critical alert (Alertmanager never retries a 4xx)."""
    url = serving()  # no --default-service
    body = _delivery(
        _alert("fp-1", "checkout down", service="checkout-api"),
        _alert("fp-2", "no label"),
        _alert("fp-3", "typo", service="checkout-apii"),
    )
    status, answer = post(f"{url}/alertmanager", body)
    assert status == 200
    assert len(answer["created"]) == 3
    assert len(answer["flagged"]) == 2
    assert _page_rows(context) == [
        ("checkout-api", "checkout down", None),
        (
            "unrouted",
            "no label",
            "unrouted: the alert names no service and there is no default service",
        ),
        ("unrouted", "typo", "unrouted: no service 'checkout-apii'"),
    ]


def test_one_url_per_service_beats_the_label(serving, context) -> None:
    url = serving()
    assert (
        post(f"{url}/alertmanager/kubernetes", _delivery(_alert("a", "a", service="ledger")))[0]
        == 200
    )
    generic = {"summary": "recon late", "dedup_key": "g"}
    assert post(f"{url}/generic/ledger", json.dumps(generic).encode())[0] == 200
    assert post(f"{url}/grafana/nope", _delivery(_alert("b", "b")))[0] == 200
    assert _page_rows(context) == [
        ("kubernetes", "a", None),
        ("ledger", "recon late", None),
        ("unrouted", "b", "unrouted: no service 'nope'"),
    ]


def test_without_a_catch_all_the_rest_is_stored_and_the_sender_retries(serving, context) -> None:
    from sqlalchemy import update

    url = serving()
    with context.database.transaction() as session:  # a roster without a catch-all
        session.execute(update(Service).values(catch_all=False))
    body = _delivery(_alert("ok", "ok", service="edge"), _alert("lost", "lost", service="nope"))
    status, answer = post(f"{url}/alertmanager", body)
    assert status == 503  # Alertmanager retries: the alert lands once the roster is fixed
    assert "no catch-all" in answer["error"]
    assert len(answer["created"]) == 1
    assert [row[1] for row in _page_rows(context)] == ["ok"]


def test_a_bad_holiday_code_never_takes_the_critical_alert_down(serving, context) -> None:
    """Issue 10.3 over HTTP: a mixed delivery answered 400 and its critical alert was lost."""
    from sqlalchemy import update

    from warroom.store.models import SupportHours

    with context.database.transaction() as session:
        session.execute(update(SupportHours).values(holiday_country="gb"))
    url = serving()
    body = _delivery(
        _alert("c", "critical", service="ledger"),
        _alert("w", "warning", service="ledger", severity="warning"),
    )
    status, answer = post(f"{url}/alertmanager", body)
    assert status == 200
    assert (len(answer["created"]), answer["deferred"]) == (2, [])
    [(_, _, none), (_, _, flagged)] = _page_rows(context)
    assert none is None
    assert "support hours could not be evaluated" in flagged


def test_a_delivery_over_the_cap_stores_the_first_and_flags_the_rest(serving, context) -> None:
    url = serving(limits=ReceiverLimits(max_alerts=20))
    body = _delivery(*(_alert(f"fp-{n}", f"alert {n}", service="edge") for n in range(25)))
    status, answer = post(f"{url}/alertmanager", body)
    assert status == 200
    assert len(answer["created"]) == 21
    assert answer["flagged"] == answer["created"][-1:]
    assert "5 of 25 alerts over the limit of 20" in _page_rows(context)[-1][2]


# ----------------------------------------------------------------------------- HTTP itself


def _raw(url: str, request: bytes, timeout: float = 10) -> tuple[int, bytes]:
    """Send bytes as they are; (status, body), status 0 if no answer came."""
    host, port = url.removeprefix("http://").split(":")
    chunks = []
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
    response = b"".join(chunks)
    if not response.startswith(b"HTTP/"):
        return 0, response
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _request(path: str, body: bytes, *headers: bytes) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1".encode(),
        b"Host: localhost",
        b"Connection: close",
        b"Content-Type: application/json",
        *headers,
    ]
    if not any(h.lower().startswith((b"content-length", b"transfer-encoding")) for h in headers):
        lines.append(f"Content-Length: {len(body)}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        # Content-Length -1 read to the end of the stream (and stored what it found)
        (alertmanager_body(), (b"Content-Length: -1",), 400),
        (alertmanager_body(), (b"Content-Length: 1e3",), 400),
        # a non-ASCII Authorization made compare_digest raise: no answer at all
        (alertmanager_body(), (b"Authorization: Bearer s3cr\xc3\xa9t",), 401),
        # deep JSON raised RecursionError: no answer at all
        (b"[" * 50_000 + b"]" * 50_000, (b"Authorization: Bearer s3cret",), 400),
    ],
    ids=["content-length-minus-one", "content-length-not-digits", "non-ascii-token", "deep-json"],
)
def test_broken_requests_get_an_answer_and_write_nothing(receiver, body, headers, status) -> None:
    url, context = receiver
    before = pages(context)
    got, _ = _raw(url, _request("/alertmanager", body, *headers))
    assert got == status
    assert pages(context) == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"summary": "a number", "dedup_key": "n", "details": ' + b"9" * 5000 + b"}",
        json.dumps(
            {"summary": "surrogates \ud800 and NUL \u0000", "dedup_key": "s\udfff"}
        ).encode(),
        json.dumps(
            {"summary": "long", "dedup_key": "k" * 400, "runbook_url": "https://x/" + "r" * 2100}
        ).encode(),
    ],
    ids=["5000-digits", "surrogates-and-nul", "long-key-and-url"],
)
def test_odd_but_valid_alerts_are_stored(receiver, body) -> None:
    """Issue 10.2/10.4: a 5,000-digit number and surrogates escaped as exceptions (no answer);
    a NUL, a long key or URL made PostgreSQL refuse the delivery with a 503, forever."""
    url, context = receiver
    before = pages(context)
    got, answer = _raw(url, _request("/generic", body, b"Authorization: Bearer s3cret"))
    assert got == 200, answer
    assert pages(context) == before + 1


def test_a_chunked_body_is_read(receiver) -> None:
    url, context = receiver
    before = pages(context)
    body = alertmanager_body()
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    got, _ = _raw(
        url,
        _request(
            "/alertmanager",
            chunked,
            b"Authorization: Bearer s3cret",
            b"Transfer-Encoding: chunked",
        ),
    )
    assert got == 200
    assert pages(context) == before + 1


def _slow_connections(url: str, count: int) -> list[socket.socket]:
    """Connections that send half a request and then nothing."""
    host, port = url.removeprefix("http://").split(":")
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=10)
        sock.sendall(b"POST /alertmanager HTTP/1.1\r\nContent-Length: 500\r\n")
        sockets.append(sock)
    return sockets


def _closed_by_server(sock: socket.socket) -> bool:
    """Waits (up to the socket's timeout) for the server to close it."""
    try:
        return sock.recv(1) == b""
    except (TimeoutError, ConnectionResetError):
        return False


def test_slow_connections_hold_no_thread_and_are_closed_when_idle(serving) -> None:
    """Issue 10.4: 300 slow connections held 300 threads forever, never closed."""
    url = serving(limits=ReceiverLimits(idle_timeout=1, cleanup_interval=1))
    threads_before = threading.active_count()
    slow = _slow_connections(url, 40)
    try:
        # a delivery on a new connection still lands, after the server accepted the others
        assert post(f"{url}/alertmanager", alertmanager_body())[0] == 200
        assert threading.active_count() <= threads_before + 2
        assert all(_closed_by_server(sock) for sock in slow)
    finally:
        for sock in slow:
            sock.close()


def test_connections_over_the_cap_wait_until_one_closes(serving) -> None:
    url = serving(limits=ReceiverLimits(max_connections=3, idle_timeout=1, cleanup_interval=1))
    slow = _slow_connections(url, 3)
    try:
        status, _ = post(f"{url}/alertmanager", alertmanager_body())
        assert status == 200  # answered once an idle connection made room
        readable, _, _ = select_module.select(slow, [], [], 0)
        assert readable  # ... so one of them had been closed by then
    finally:
        for sock in slow:
            sock.close()


# ----------------------------------------------------------------------------- a real outage


def test_a_stopped_database_answers_503_without_its_address_then_the_retry_lands(
    private_postgres_cluster, clock
) -> None:
    cluster = private_postgres_cluster
    database = Database(make_url(cluster.url))
    upgrade(database)
    context = ServiceContext(database, "tester", clock)
    clock.set(NOW - timedelta(days=7))
    seed_demo(context)
    clock.set(NOW)
    server = AlertReceiver(context, "127.0.0.1", 0)
    server.start()
    host, port = server.address
    try:
        cluster.stop()
        status, answer = post(f"http://{host}:{port}/alertmanager", alertmanager_body())
        assert status == 503
        text = json.dumps(answer)
        assert str(cluster.port) not in text
        assert "127.0.0.1" not in text
        assert "postgres" not in text.lower()
        cluster.start()
        status, answer = post(f"http://{host}:{port}/alertmanager", alertmanager_body())
        assert status == 200
        assert len(answer["created"]) == 1
    finally:
        server.stop()
        database.dispose()
