"""The webhook receiver over real HTTP: 2xx after commit, 4xx for bad input, 5xx when down."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from warroom.domain.clock import FakeClock
from warroom.engine.escalation import EscalationEngine
from warroom.engine.receiver import AlertReceiver
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.store.models import Page

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
        return error.code, json.loads(error.read())


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
def receiver(context: ServiceContext, clock: FakeClock) -> Iterator[tuple[str, ServiceContext]]:
    clock.set(NOW - timedelta(days=7))
    seed_demo(context)
    clock.set(NOW)
    server = AlertReceiver(context, "127.0.0.1", 0, token="s3cret", default_service="edge")
    server.start()
    host, port = server.address
    yield f"http://{host}:{port}", context
    server.stop()


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
        ("/generic", b'{"summary": "x", "urgency": "medium"}', "s3cret", 400, "high or low"),
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
    url, _ = receiver
    status, answer = post(f"{url}/generic", b" " * 1_100_000, "s3cret")
    assert status == 413
    assert "limit" in answer["error"]


def test_database_down_answers_503_so_the_sender_retries(receiver, monkeypatch) -> None:
    url, _ = receiver
    from warroom.engine import receiver as receiver_module
    from warroom.store.database import DatabaseUnavailableError

    def down(*args, **kwargs):
        raise DatabaseUnavailableError("Cannot reach PostgreSQL at db:5432 (refused).")

    monkeypatch.setattr(receiver_module, "ingest", down)
    status, answer = post(f"{url}/alertmanager", alertmanager_body(), "s3cret")
    assert status == 503
    assert "Cannot reach PostgreSQL" in answer["error"]


def test_the_engine_sweeps_what_is_due_and_sets_its_alarm(receiver, clock) -> None:
    url, context = receiver
    post(f"{url}/alertmanager", alertmanager_body(), "s3cret")
    engine = EscalationEngine(context)
    first = engine.run_once()
    assert first is not None
    assert first.next_due is not None
    clock.set(first.next_due)
    assert engine.run_once().escalated >= 1


def test_the_engine_starts_sweeping_at_once_and_stops_cleanly(receiver) -> None:
    import time as _time

    _, context = receiver
    engine = EscalationEngine(context, safety_seconds=3600)
    engine.start()
    deadline = _time.monotonic() + 10
    while engine.last is None and _time.monotonic() < deadline:
        _time.sleep(0.02)
    assert engine.last is not None  # the catch-up sweep ran without waiting an hour
    assert {job.id for job in engine.scheduler.get_jobs()} == {"safety", "alarm"}
    engine.stop()
