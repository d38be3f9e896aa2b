"""Stakeholder updates delivered to a real local HTTP receiver that fails and then succeeds:
retried on 5xx and timeouts, not on 4xx, once across competing engines, the state kept in
the database — and the webhook's secret address in no event, no log and no export."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.webhook_receiver import Receiver, running_receiver
from warroom.domain.clock import FakeClock
from warroom.domain.roster_file import dump_roster, parse_roster
from warroom.engine import update_delivery
from warroom.engine.background import BackgroundEngine
from warroom.services.comms import deliveries
from warroom.services.comms.updates import list_updates, post_update
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.incidents import lifecycle
from warroom.services.roster import export_roster, import_roster
from warroom.store.models import Event, UpdateDelivery

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ENV = "WARROOM_TEST_WEBHOOK"
SECRET = "T0ABC/B0DEF/xoxb-s3cr3t-t0ken"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver(f"/services/{SECRET}") as state:
        yield state


@pytest.fixture
def world(context: ServiceContext, clock: FakeClock, as_person) -> tuple[ServiceContext, int]:
    """The demo, a webhook for customers (its address in $WARROOM_TEST_WEBHOOK) and one for
    executives (in the keyring), and a SEV2 incident commanded by amara."""
    clock.set(NOW - timedelta(days=7))
    seed_demo(context)
    clock.set(NOW)
    spec = parse_roster(
        "incidents:\n  updates:\n    deliver:\n"
        f"      customers: {{name: status page, url_env: {ENV}, format: json}}\n"
        "      executive: {name: exec chat, url_keyring: exec-chat}\n",
        "org.yaml",
    )
    import_roster(context, replace(export_roster(context), updates=spec.updates))
    amara = as_person("amara")
    incident = lifecycle.declare(amara, title="Card payments fail", severity="SEV2").id
    return amara, incident


def _resolve(url: str | None) -> update_delivery.Resolver:
    return update_delivery.resolver({ENV: url} if url else {})


def _state(context: ServiceContext, incident: int) -> list[str]:
    return [d.label for u in list_updates(context, incident) for d in u.deliveries]


def _events(context: ServiceContext, prefix: str = "status_update.") -> list[Event]:
    with context.database.reading() as session:
        return list(
            session.scalars(select(Event).where(Event.topic.startswith(prefix)).order_by(Event.id))
        )


def test_a_receiver_that_fails_then_succeeds_gets_the_update_retried_until_sent(
    world, receiver, clock
) -> None:
    amara, incident = world
    receiver.answers = [503, 502, 200]
    posted = post_update(amara, incident, "customers", "Some card payments fail.\nWe are on it.")
    first = update_delivery.deliver(amara, resolve=_resolve(receiver.url))
    assert [state for _, state in first.done] == ["retrying"]
    assert _state(amara, incident) == ["retrying (503)"]
    assert first.next_due == NOW + timedelta(seconds=30)  # the engine's alarm is set for it
    assert update_delivery.deliver(amara, resolve=_resolve(receiver.url)).done == []  # not yet
    clock.advance(timedelta(seconds=30))
    update_delivery.deliver(amara, resolve=_resolve(receiver.url))
    assert _state(amara, incident) == ["retrying (502)"]
    clock.advance(timedelta(minutes=1))
    last = update_delivery.deliver(amara, resolve=_resolve(receiver.url))
    assert [state for _, state in last.done] == ["sent"]
    assert last.next_due is None
    [row] = list_updates(amara, incident)[0].deliveries
    assert (row.label, row.attempts, row.code) == ("sent", 3, 200)
    # three calls, each the same update with the same idempotency key
    assert len(receiver.requests) == 3
    keys = {headers["Idempotency-Key"] for _, headers, _ in receiver.requests}
    assert keys == {f"warroom-update-{posted.id}-status page"}
    _, headers, payload = receiver.requests[-1]
    assert headers["Content-Type"] == "application/json"
    assert payload["update"]["body"] == "Some card payments fail.\nWe are on it."
    assert payload["update"]["audience"] == "customers"
    assert payload["incident"]["ref"] == f"INC-{incident}"
    assert payload["text"].startswith("Card payments fail — Investigating\n\n")
    topics = [(e.topic, e.actor) for e in _events(amara, "status_update.deliver")]
    assert topics == [
        ("status_update.delivery_retrying", "system:update-delivery"),
        ("status_update.delivery_retrying", "system:update-delivery"),
        ("status_update.delivered", "system:update-delivery"),
    ]


def test_a_4xx_is_final_and_a_redirect_is_not_followed(world, receiver, clock) -> None:
    amara, incident = world
    receiver.answers = [403]
    post_update(amara, incident, "customers", "Refused.")
    update_delivery.deliver(amara, resolve=_resolve(receiver.url))
    assert _state(amara, incident) == ["failed: 403"]
    clock.advance(timedelta(hours=1))
    assert update_delivery.deliver(amara, resolve=_resolve(receiver.url)).done == []
    assert len(receiver.requests) == 1  # never asked again
    receiver.answers = [308]
    post_update(amara, incident, "customers", "Moved.")
    update_delivery.deliver(amara, resolve=_resolve(receiver.url))
    assert _state(amara, incident) == ["failed: 308", "failed: 403"]
    assert [path for path, _, _ in receiver.requests].count("/moved") == 0
    [failed, _] = [e for e in _events(amara) if e.topic == "status_update.delivery_failed"]
    assert (failed.payload["detail"], failed.payload["target"]) == ("403", "status page")


def test_timeouts_and_refused_connections_are_retried_then_given_up(world, receiver, clock) -> None:
    amara, incident = world
    receiver.answers = ["hang"]
    post_update(amara, incident, "customers", "Slow receiver.")
    update_delivery.deliver(amara, resolve=_resolve(receiver.url), timeout=0.5)
    assert _state(amara, incident) == ["retrying (timed out)"]
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{unused.getsockname()[1]}/hook"
    for delay in (30, 60, 120, 300):
        clock.advance(timedelta(seconds=delay))
        update_delivery.deliver(amara, resolve=_resolve(closed))
        assert _state(amara, incident) == ["retrying (connection refused)"]
    clock.advance(timedelta(minutes=10))
    update_delivery.deliver(amara, resolve=_resolve(closed))
    assert _state(amara, incident) == ["failed: connection refused after 6 attempts"]
    clock.advance(timedelta(hours=1))
    assert update_delivery.deliver(amara, resolve=_resolve(closed)).done == []


def test_four_competing_engines_deliver_each_update_exactly_once(world, receiver) -> None:
    amara, incident = world
    for n in range(6):
        post_update(amara, incident, "customers", f"Update {n}.")
    engines = [ServiceContext(amara.database, f"desktop-{n}", amara.clock) for n in range(4)]
    barrier = threading.Barrier(len(engines))
    errors: list[BaseException] = []

    def run(context: ServiceContext) -> None:
        try:
            barrier.wait()
            update_delivery.deliver(context, resolve=_resolve(receiver.url))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    bodies = sorted(payload["update"]["body"] for _, _, payload in receiver.requests)
    assert bodies == [f"Update {n}." for n in range(6)]  # each once, none twice
    assert _state(amara, incident) == ["sent"] * 6
    assert len(_events(amara, "status_update.delivered")) == 6


def test_a_claim_whose_engine_died_is_taken_over_after_its_lease(world, receiver, clock) -> None:
    amara, incident = world
    post_update(amara, incident, "customers", "The first engine dies mid-call.")
    [dead] = deliveries.claim_due(amara, lambda _address: True).claimed  # and never answers
    assert _state(amara, incident) == ["sending…"]
    assert update_delivery.deliver(amara, resolve=_resolve(receiver.url)).done == []
    clock.advance(deliveries.LEASE)
    update_delivery.deliver(amara, resolve=_resolve(receiver.url))
    assert _state(amara, incident) == ["sent"]
    late = deliveries.record(amara, dead, update_delivery.WebhookAnswer(503))
    assert late is None  # its claim ran out: the other engine's answer stands
    assert _state(amara, incident) == ["sent"]


def test_an_engine_without_the_address_leaves_the_delivery_to_one_that_has_it(
    world, receiver, monkeypatch
) -> None:
    amara, incident = world
    post_update(amara, incident, "customers", "Only serve knows the address.")
    post_update(amara, incident, "executive", "The address is in the keyring.")
    assert update_delivery.deliver(amara, resolve=_resolve(None)).done == []
    assert _state(amara, incident) == [
        "waiting for an engine that has the keyring entry exec-chat",
        f"waiting for an engine that has ${ENV}",
    ]
    import keyring

    keyring.set_password("warroom", "update-webhook:exec-chat", receiver.url)
    monkeypatch.setenv(ENV, receiver.url)
    update_delivery.deliver(amara)  # this engine's own environment and keyring
    assert _state(amara, incident) == ["sent", "sent"]
    chat = next(p for _, _, p in receiver.requests if "text" in p and len(p) == 1)
    assert chat["text"] == (
        f"**\\[INC-{incident}\\] Card payments fail — Investigating**\n\n"
        "The address is in the keyring.\n"
    )


def test_an_address_that_is_no_url_fails_at_once(world) -> None:
    amara, incident = world
    post_update(amara, incident, "customers", "Misconfigured.")
    update_delivery.deliver(amara, resolve=_resolve("ftp://example.com/hook"))
    assert _state(amara, incident) == ["failed: the configured address is not an http(s) URL"]


def test_the_secret_address_is_in_no_event_no_log_no_row_and_no_export(
    world, receiver, clock, caplog
) -> None:
    amara, incident = world
    caplog.set_level(logging.DEBUG)
    receiver.answers = [500, 404]
    post_update(amara, incident, "customers", "Secrets stay secret.")
    update_delivery.deliver(amara, resolve=_resolve(receiver.url))
    clock.advance(timedelta(seconds=30))
    update_delivery.deliver(amara, resolve=_resolve(receiver.url))
    assert _state(amara, incident) == ["failed: 404"]
    assert len(receiver.requests) == 2  # it was really called at the secret address
    assert "s3cr3t" in receiver.url
    assert all("s3cr3t" not in json.dumps(dict(e.payload)) for e in _events(amara, ""))
    assert "s3cr3t" not in caplog.text
    assert "status page" in caplog.text  # the log names the target instead
    with amara.database.reading() as session:
        rows = session.scalars(select(UpdateDelivery)).all()
        assert all("s3cr3t" not in f"{r.detail} {r.note} {r.target}" for r in rows)
    assert "s3cr3t" not in dump_roster(export_roster(amara))
    assert f"url_env: {ENV}" in dump_roster(export_roster(amara))


def test_every_engine_runs_the_delivery_step(world, receiver, monkeypatch) -> None:
    amara, incident = world
    monkeypatch.setenv(ENV, receiver.url)
    post_update(amara, incident, "customers", "Through the engine's own steps.")
    run = BackgroundEngine(amara).run_once()
    assert [state for _, state in run["update deliveries"].done] == ["sent"]
    assert run["update reminders"].next_due == NOW + timedelta(minutes=60)
