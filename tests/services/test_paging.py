"""Paging on both databases: alerts in, dedup, page only if actionable, escalation exactly once."""

from __future__ import annotations

import random
import socket
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from warroom.domain.alerts import parse_alertmanager
from warroom.domain.clock import FakeClock
from warroom.domain.errors import ConflictError, ValidationError
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.paging.escalation import next_due, sweep
from warroom.services.paging.ingest import create_page, ingest
from warroom.services.paging.queries import list_pages
from warroom.services.paging.responses import acknowledge, escalate, resolve
from warroom.store.models import Event, Notification, Page, Person

MONDAY_10_UTC = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # London at work, New York asleep


def alertmanager(status: str = "firing", fingerprint: str = "fp-disk-1", **labels: str) -> dict:
    return {
        "version": "4",
        "status": status,
        "receiver": "warroom",
        "groupKey": "{}:{}",
        "truncatedAlerts": 0,
        "externalURL": "http://am",
        "futureField": {"ignored": True},
        "commonLabels": {},
        "commonAnnotations": {},
        "alerts": [
            {
                "status": status,
                "fingerprint": fingerprint,
                "labels": {
                    "alertname": "NodeFilesystemAlmostFull",
                    "service": "kubernetes",
                    "severity": "critical",
                    "instance": "eu-west-7",
                    **labels,
                },
                "annotations": {
                    "summary": "Disk 93% full on eu-west-7",
                    "runbook_url": "runbook:disk-full",
                },
                "startsAt": "2026-03-02T09:59:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
            }
        ],
    }


@pytest.fixture
def paging(context: ServiceContext, clock: FakeClock) -> ServiceContext:
    clock.set(MONDAY_10_UTC - timedelta(days=7))
    seed_demo(context)  # its history is a week older than "now" below
    clock.set(MONDAY_10_UTC)
    return context


def notified(context: ServiceContext, page_id: int) -> list[tuple[int, int, str]]:
    with context.database.reading() as session:
        return sorted(
            session.execute(
                select(Notification.escalation_round, Notification.escalation_level, Person.handle)
                .join(Person, Person.id == Notification.person_id)
                .where(Notification.page_id == page_id)
            ).all()
        )


def test_an_alert_pages_the_primary_on_call_with_its_runbook(paging) -> None:
    result = ingest(paging, parse_alertmanager(alertmanager()))
    [page_id] = result.created
    # platform-primary in week 8 of its rota is lukas (the day layer: 10:00 in London)
    assert notified(paging, page_id) == [(0, 0, "lukas")]
    with paging.database.reading() as session:
        page = session.get(Page, page_id)
        assert (page.state, page.urgency) == ("triggered", "high")
        assert page.runbook_id is not None
        assert page.next_escalation_at == MONDAY_10_UTC + timedelta(minutes=5)


def test_repeats_and_duplicates_update_and_never_page_twice(paging) -> None:
    first = ingest(paging, parse_alertmanager(alertmanager()))
    again = ingest(paging, parse_alertmanager(alertmanager()))
    assert again.created == []
    assert again.repeated == first.created
    assert notified(paging, first.created[0]) == [(0, 0, "lukas")]
    done = ingest(paging, parse_alertmanager(alertmanager(status="resolved")))
    assert done.resolved == first.created
    assert list_pages(paging, state="resolved")[0].id == first.created[0]
    # the same alert firing again later is a new page
    assert ingest(paging, parse_alertmanager(alertmanager())).created != first.created


def test_a_delivery_is_folded_before_it_is_written(paging) -> None:
    """Within one delivery the last word on an alert wins, and every alert is counted once."""
    firing = parse_alertmanager(alertmanager(fingerprint="fp-a"))
    flapped = parse_alertmanager(alertmanager(fingerprint="fp-b")) + parse_alertmanager(
        alertmanager(status="resolved", fingerprint="fp-b")
    )
    result = ingest(paging, firing + firing + flapped)
    assert (len(result.created), len(result.resolved)) == (1, 1)
    with paging.database.reading() as session:
        page = session.get(Page, result.created[0])
        assert (page.occurrences, page.state) == (2, "triggered")
        assert session.get(Page, result.resolved[0]).state == "resolved"
    assert notified(paging, result.created[0]) == [(0, 0, "lukas")]
    assert notified(paging, result.resolved[0]) == []


def test_concurrent_duplicate_deliveries_make_one_page(paging) -> None:
    """Alertmanager's HA pair sends the same alert at the same moment from two replicas."""
    barrier = threading.Barrier(4)
    results, errors = [], []

    def deliver() -> None:
        try:
            barrier.wait()
            results.append(ingest(paging, parse_alertmanager(alertmanager(fingerprint="fp-ha"))))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    [page_id] = [p for r in results for p in r.created]
    assert sorted(p for r in results for p in r.repeated) == [page_id] * 3
    with paging.database.reading() as session:
        assert session.get(Page, page_id).occurrences == 4
    assert notified(paging, page_id) == [(0, 0, "lukas")]


def test_an_override_made_after_the_last_delivery_is_obeyed(paging) -> None:
    """Routing data is kept between deliveries, and reloaded when the roster changes."""
    from warroom.services.oncall import create_override

    [first] = ingest(paging, parse_alertmanager(alertmanager(fingerprint="fp-1"))).created
    assert notified(paging, first) == [(0, 0, "lukas")]
    create_override(
        paging,
        schedule="platform-primary",
        person="amara",
        starts_at=MONDAY_10_UTC,
        ends_at=MONDAY_10_UTC + timedelta(hours=2),
    )
    [second] = ingest(paging, parse_alertmanager(alertmanager(fingerprint="fp-2"))).created
    assert notified(paging, second) == [(0, 0, "amara")]


def test_low_urgency_outside_support_hours_waits_for_them(paging, clock) -> None:
    result = ingest(
        paging,
        parse_alertmanager(
            alertmanager(
                fingerprint="fp-recon", service="ledger", severity="warning", alertname="Recon"
            )
        ),
    )
    [page_id] = result.deferred
    assert notified(paging, page_id) == []
    opens = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 08:00 in New York
    assert next_due(paging) <= opens
    clock.set(opens)
    assert sweep(paging).released == 1
    assert sweep(paging).released == 0
    assert [h for _, _, h in notified(paging, page_id)]  # payments primary is told now


def test_escalation_climbs_the_ladder_and_acknowledging_stops_it(paging, clock, as_person) -> None:
    lukas, amara = as_person("lukas"), as_person("amara")
    [page_id] = ingest(paging, parse_alertmanager(alertmanager())).created
    clock.advance(timedelta(minutes=4))
    sweep(paging)
    assert {(r, lvl) for r, lvl, _ in notified(paging, page_id)} == {(0, 0)}
    clock.advance(timedelta(minutes=1))
    sweep(paging)
    assert {(r, lvl) for r, lvl, _ in notified(paging, page_id)} == {(0, 0), (0, 1)}
    assert acknowledge(lukas, page_id) is True
    assert acknowledge(amara, page_id) is False  # already acknowledged
    clock.advance(timedelta(minutes=59))
    sweep(paging)
    with paging.database.reading() as session:
        assert session.get(Page, page_id).state == "acknowledged"
    assert len(notified(paging, page_id)) == 2
    # acknowledged but still open after the policy's 60 minutes: back to triggered, paged again
    clock.advance(timedelta(minutes=1))
    sweep(paging)
    with paging.database.reading() as session:
        assert session.get(Page, page_id).state == "triggered"
    assert (1, 0) in {(r, lvl) for r, lvl, _ in notified(paging, page_id)}
    assert resolve(lukas, page_id) is True
    with pytest.raises(ConflictError, match="already resolved"):
        acknowledge(lukas, page_id)


def test_a_flood_of_due_pages_escalates_each_once_in_chunks(
    paging, clock, monkeypatch, as_person
) -> None:
    """Many pages due at once are claimed a chunk per transaction (two at a time on
    PostgreSQL); each escalates exactly once and tells its level's on-call."""
    import warroom.services.paging.escalation as paging_service

    monkeypatch.setattr(paging_service, "SWEEP_CHUNK", 4)
    alerts = [
        alert
        for n in range(15)
        for alert in parse_alertmanager(alertmanager(fingerprint=f"fp-{n}", instance=f"n{n}"))
    ]
    pages = ingest(paging, alerts).created
    assert len(pages) == 15
    acknowledge(as_person("lukas"), pages[0])
    clock.advance(timedelta(minutes=5))
    assert sweep(paging).escalated == 14
    assert sweep(paging).escalated == 0
    with paging.database.reading() as session:
        levels = session.execute(
            select(Page.escalation_level, func.count())
            .where(Page.id.in_(pages))
            .group_by(Page.escalation_level)
        ).all()
        told = session.execute(
            select(Notification.escalation_level, func.count())
            .where(Notification.page_id.in_(pages))
            .group_by(Notification.escalation_level)
        ).all()
    assert sorted(levels) == [(0, 1), (1, 14)]
    assert sorted(told) == [(0, 15), (1, 14)]


def test_escalating_by_hand_to_an_expertise(paging, as_person) -> None:
    lukas = as_person("lukas")
    [page_id] = ingest(paging, parse_alertmanager(alertmanager())).created
    told = escalate(lukas, page_id, to_expertise="database")
    assert len(told) == 1
    with paging.database.reading() as session:
        tags = session.scalars(select(Person).where(Person.handle == told[0])).one().expertise
    assert "database" in [t.tag for t in tags]
    with pytest.raises(Exception, match="nobody has the expertise 'juggling'"):
        escalate(lukas, page_id, to_expertise="juggling")


def test_manual_pages_and_bad_input(paging, as_person) -> None:
    lukas = as_person("lukas")
    result = create_page(lukas, service="edge", summary="DNS looks wrong", urgency="high")
    assert len(result.created) == 1
    with pytest.raises(ValidationError, match="no service 'nope'"):
        create_page(lukas, service="nope", summary="x")
    with pytest.raises(ValidationError, match="no 'alerts' list"):
        parse_alertmanager({"version": "4"})
    with paging.database.reading() as session:
        assert (
            session.scalar(select(func.count()).select_from(Page).where(Page.summary == "x")) == 0
        )


# ----------------------------------------------------------------------------- competing engines


@pytest.mark.parametrize("seed", [1, 2])
def test_four_engines_escalate_each_step_exactly_once(paging, clock, seed, as_person) -> None:
    """Random pages and acknowledgements; 4 engines sweep at every minute at once."""
    lukas = as_person("lukas")
    rng = random.Random(seed)
    pages = []
    for n in range(6):
        clock.set(MONDAY_10_UTC + timedelta(minutes=rng.randint(0, 10)))
        pages.append(
            ingest(
                paging,
                parse_alertmanager(
                    alertmanager(fingerprint=f"fp-{seed}-{n}", instance=f"node-{n}")
                ),
            ).created[0]
        )
    acks = {page: rng.choice([None, 3, 7, 12, 20]) for page in pages}
    errors: list[BaseException] = []
    start = MONDAY_10_UTC
    for minute in range(0, 41):
        clock.set(start + timedelta(minutes=minute))
        for page, at in acks.items():
            if at == minute:
                acknowledge(lukas, page)
        barrier = threading.Barrier(4)

        def engine(barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait()
                sweep(paging)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=engine) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    with paging.database.reading() as session:
        for page_id in pages:
            page = session.get(Page, page_id)
            escalations = session.scalars(
                select(Event.payload)
                .where(Event.topic == "page.escalated", Event.entity_id == str(page_id))
                .order_by(Event.tx, Event.id)
            ).all()
            steps = [(e["round"], e["level"]) for e in escalations]
            assert len(steps) == len(set(steps)), f"page {page_id} escalated a step twice"
            expected = _expected_steps(
                page.triggered_at, acks[page_id], start + timedelta(minutes=40)
            )
            assert steps == expected, f"page {page_id}: {steps} != {expected}"


def _expected_steps(triggered: datetime, ack_minute: int | None, end: datetime) -> list:
    """platform-default: levels after 5, 10, 15 minutes, repeated twice more."""
    delays = [5, 10, 15]
    ack = MONDAY_10_UTC + timedelta(minutes=ack_minute) if ack_minute is not None else None
    steps, level, round_, due = [], 0, 0, triggered + timedelta(minutes=5)
    while due <= end and (ack is None or due < ack):
        if level + 1 < 3:
            level += 1
        elif round_ < 2:
            level, round_ = 0, round_ + 1
        else:
            break
        steps.append((round_, level + 1))
        due = due + timedelta(minutes=delays[level])
    return steps


def test_the_escalation_report_flags_a_responder_well_above_the_team(
    paging, clock, as_person
) -> None:
    from warroom.services.metrics import escalation_report

    amara_acts = as_person("amara")

    def stats(report, handle):
        found = next((s for s in report.responders if s.handle == handle), None)
        return (
            (found.received, found.escalated_by_timeout, found.acknowledged) if found else (0, 0, 0)
        )

    before = escalation_report(paging, days=30)  # the demo's own history
    # lukas (primary) lets three pages escalate to the secondary (amara this week), who acks
    for n in range(3):
        [page_id] = ingest(
            paging, parse_alertmanager(alertmanager(fingerprint=f"fp-report-{n}", instance=f"n{n}"))
        ).created
        clock.advance(timedelta(minutes=5))
        sweep(paging)
        acknowledge(amara_acts, page_id)
        resolve(amara_acts, page_id)
    report = escalation_report(paging, days=30)
    lukas = [a - b for a, b in zip(stats(report, "lukas"), stats(before, "lukas"), strict=True)]
    assert lukas == [3, 3, 0]
    amara = [a - b for a, b in zip(stats(report, "amara"), stats(before, "amara"), strict=True)]
    assert amara == [3, 0, 3]
    assert "lukas" in report.flagged
    assert "amara" not in report.flagged


def _events(context: ServiceContext, topic: str, page_id: int) -> list[Event]:
    with context.database.reading() as session:
        return list(
            session.scalars(
                select(Event)
                .where(Event.topic == topic, Event.entity_id == str(page_id))
                .order_by(Event.id)
            )
        )


def _login(context: ServiceContext) -> str:
    with context.database.reading() as session:
        return str(session.scalar(select(func.session_user())))


def test_automatic_steps_are_recorded_as_the_system_not_the_person_who_ran_them(
    paging, clock, as_person
) -> None:
    """Tom's desktop ran the sweep; the escalation policy, the support hours and the ack
    timeout did the steps. Who ran them (login and host) is kept in the payload."""
    tom = as_person("tom.h")
    tom_login = _login(tom) if paging.database.is_postgresql else "tom.h"
    [page_id] = ingest(tom, parse_alertmanager(alertmanager())).created
    [triggered] = _events(paging, "page.triggered", page_id)
    assert triggered.actor == "system:alertmanager"
    assert triggered.payload["run_by"] == {"login": tom_login, "host": socket.gethostname()}
    [held] = ingest(
        tom,
        parse_alertmanager(
            alertmanager(fingerprint="fp-r", service="ledger", severity="warning", alertname="R")
        ),
    ).deferred
    clock.advance(timedelta(minutes=6))
    sweep(tom)
    [escalated] = _events(paging, "page.escalated", page_id)
    assert escalated.actor == "system:escalation-policy"
    assert escalated.payload["run_by"] == {"login": tom_login, "host": socket.gethostname()}
    acknowledge(tom, page_id)
    [acknowledged] = _events(paging, "page.acknowledged", page_id)
    assert acknowledged.actor == tom_login  # a person's act is the person's
    assert "run_by" not in acknowledged.payload
    clock.advance(timedelta(minutes=61))  # platform-default: back after 60 minutes
    sweep(tom)
    [reopened] = _events(paging, "page.reopened", page_id)
    assert reopened.actor == "system:ack-timeout"
    clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))  # 08:00 in New York: ledger's hours
    sweep(tom)
    [released] = _events(paging, "page.released", held)
    assert released.actor == "system:support-hours"
    [by_hand] = create_page(tom, service="kubernetes", summary="by hand").created
    assert _events(paging, "page.triggered", by_hand)[0].actor == tom_login


# ----------------------------------------------------------------------------- who acts


def _footprint(context: ServiceContext, page_id: int) -> tuple:
    """Everything an act on a page could change: its row, the pages, who was told and who
    acted, and the feed."""
    with context.database.reading() as session:
        page = session.get(Page, page_id)
        return (
            (page.state, page.escalation_level, page.acknowledged_by_id, page.resolved_by_id),
            page.version,
            session.scalar(select(func.count()).select_from(Page)),
            sorted(session.execute(select(Notification.id, Notification.acted_at)).all()),
            session.scalar(select(func.count()).select_from(Event)),
        )


def _who_acted(context: ServiceContext, page_id: int) -> dict:
    """Who each record of the acts on a page names: the page's row, the notifications acted
    on, and each event's actor and the person its payload names."""
    with context.database.reading() as session:
        handles = dict(session.execute(select(Person.id, Person.handle)).all())
        page = session.get(Page, page_id)
        acted = session.scalars(
            select(Notification.person_id).where(
                Notification.page_id == page_id, Notification.acted_at.is_not(None)
            )
        )
        events = session.scalars(
            select(Event).where(
                Event.entity_id == str(page_id),
                Event.topic.in_(["page.acknowledged", "page.resolved", "page.escalated"]),
                Event.actor.not_like("system:%"),
            )
        )
        return {
            "acknowledged_by": handles.get(page.acknowledged_by_id),
            "resolved_by": handles.get(page.resolved_by_id),
            "acted": sorted(handles[person_id] for person_id in acted),
            "events": {
                e.topic: (e.actor, e.payload.get("handle", e.payload.get("by"))) for e in events
            },
        }


#: Every act of a person on a page; ``handle`` is the name a desktop gives (create has none).
ACTS = {
    "create": lambda context, page_id, handle: create_page(
        context, service="edge", summary="Made by hand"
    ),
    "acknowledge": lambda context, page_id, handle: acknowledge(context, page_id, handle),
    "resolve": lambda context, page_id, handle: resolve(context, page_id, handle),
    "escalate": lambda context, page_id, handle: escalate(context, page_id, handle=handle),
    "escalate to an expert": lambda context, page_id, handle: escalate(
        context, page_id, to_expertise="database", handle=handle
    ),
}


def test_who_is_not_a_person_cannot_page_acknowledge_resolve_or_escalate(paging) -> None:
    """Issue 10.8: one rule for every act on a page. On PostgreSQL the login acts, and the
    tests' own login is nobody on the roster: claiming a person's name (in the config file or
    by the desktop) does not help. On SQLite the configured user acts ('tester' is nobody).
    Each is refused in one sentence and nothing is written."""
    [page_id] = ingest(paging, parse_alertmanager(alertmanager())).created
    if paging.database.is_postgresql:
        refusal = f"Your database login '{_login(paging)}' is not a person on the roster;"
        claims = [(paging, None), (paging, "lukas"), (replace(paging, actor="lukas"), None)]
    else:
        refusal = "'tester' is not an active person on the roster;"
        claims = [(paging, None)]
    before = _footprint(paging, page_id)
    for context, handle in claims:
        for name, act in ACTS.items():
            if name == "create" and handle:
                continue
            with pytest.raises(ValidationError) as refused:
                act(context, page_id, handle)
            assert str(refused.value).startswith(refusal), name
            assert len(str(refused.value).splitlines()) == 1
            assert _footprint(paging, page_id) == before, name


def test_every_record_of_an_act_names_the_one_person_acting(paging, clock, as_person) -> None:
    """The page's acknowledged_by and resolved_by, the notification acted on, the payload's
    handle or by, and the events' actor name one person. On PostgreSQL that is the login,
    whatever the config file says, and a name the desktop gives that is not the login is
    refused; on SQLite nothing vouches for anyone, so the named person acts (a queued
    acknowledgement replays as whoever clicked)."""
    postgres = paging.database.is_postgresql
    lukas = as_person("lukas")
    says_amara = replace(lukas, actor="amara")  # the config file says amara
    first, second, third = (
        ingest(paging, parse_alertmanager(alertmanager(fingerprint=f"fp-{n}"))).created[0]
        for n in range(3)
    )
    clock.advance(timedelta(minutes=5))
    sweep(paging)  # the secondary, amara this week, is told too
    assert acknowledge(says_amara, first)
    assert resolve(says_amara, first)
    escalate(says_amara, second)
    who = "lukas" if postgres else "amara"
    assert _who_acted(paging, first) == {
        "acknowledged_by": who,
        "resolved_by": who,
        "acted": [who],
        "events": {"page.acknowledged": (who, who), "page.resolved": (who, who)},
    }
    assert _who_acted(paging, second)["events"] == {"page.escalated": (who, who)}
    if postgres:
        before = _footprint(paging, third)
        for name in ("acknowledge", "resolve", "escalate", "escalate to an expert"):
            with pytest.raises(ValidationError) as refused:
                ACTS[name](lukas, third, "amara")
            assert str(refused.value) == (
                "Your database login is 'lukas', so you cannot act as 'amara': on PostgreSQL "
                "each person acts as their own login."
            )
            assert _footprint(paging, third) == before, name
    else:
        assert acknowledge(lukas, third, "amara")  # the desktop names who clicked
        assert _who_acted(paging, third) == {
            "acknowledged_by": "amara",
            "resolved_by": None,
            "acted": ["amara"],
            "events": {"page.acknowledged": ("amara", "amara")},
        }


def test_the_report_counts_escalations_by_hand_for_who_the_database_says(paging, as_person) -> None:
    """An escalation by hand counts as by hand, for its event's actor (on PostgreSQL the
    login, not the name the config file claims), and never as a timeout of the responder
    it moved past."""
    from warroom.services.metrics import escalation_report

    def counts(report, handle: str) -> tuple[int, int, int, int]:
        s = next((s for s in report.responders if s.handle == handle), None)
        if s is None:
            return (0, 0, 0, 0)
        return (s.received, s.escalated_by_timeout, s.escalated_by_hand, s.acknowledged)

    def grew(handle: str) -> list[int]:
        return [a - b for a, b in zip(counts(after, handle), counts(before, handle), strict=True)]

    lukas, amara = as_person("lukas"), as_person("amara")
    before = escalation_report(paging, days=30)
    [mine] = ingest(paging, parse_alertmanager(alertmanager(fingerprint="fp-1"))).created
    assert escalate(lukas, mine) == ["amara"]  # the primary asks the secondary at once
    assert acknowledge(amara, mine)
    [other] = ingest(paging, parse_alertmanager(alertmanager(fingerprint="fp-2"))).created
    assert escalate(replace(lukas, actor="amara"), other) == ["amara"]
    after = escalation_report(paging, days=30)
    if paging.database.is_postgresql:  # the login escalated both: lukas
        assert (grew("lukas"), grew("amara")) == ([2, 0, 2, 0], [2, 0, 0, 1])
    else:  # the configured user escalated the second: amara
        assert (grew("lukas"), grew("amara")) == ([2, 0, 1, 0], [2, 0, 1, 1])


# ----------------------------------------------------------------------------- never lost


def _page(context: ServiceContext, page_id: int) -> tuple[str, str, str | None]:
    """(service slug, state, routing note) of a page."""
    from warroom.store.models import Service

    with context.database.reading() as session:
        page = session.get(Page, page_id)
        slug = session.scalar(select(Service.slug).where(Service.id == page.service_id))
        return slug, page.state, page.routing_note


def test_alerts_that_cannot_be_routed_page_the_catch_all_flagged(paging) -> None:
    """Issue 10.1: a good alert beside unroutable ones in one group is never lost."""
    delivery = alertmanager(fingerprint="fp-checkout", service="checkout-api")
    no_service = alertmanager(fingerprint="fp-none")["alerts"][0]
    del no_service["labels"]["service"]
    typo = alertmanager(fingerprint="fp-typo", service="checkout-apii")["alerts"][0]
    delivery["alerts"] += [no_service, typo]
    result = ingest(paging, parse_alertmanager(delivery))
    assert len(result.created) == 3
    checkout, nothing, misspelt = (_page(paging, page_id) for page_id in result.created)
    assert checkout == ("checkout-api", "triggered", None)
    assert nothing == (
        "unrouted",
        "triggered",
        "unrouted: the alert names no service and there is no default service",
    )
    assert misspelt == ("unrouted", "triggered", "unrouted: no service 'checkout-apii'")
    assert sorted(result.flagged) == sorted(result.created[1:])
    assert [h for _, _, h in notified(paging, result.created[2])]  # platform was paged
    listed = {line.id: line.note for line in list_pages(paging)}
    assert listed[result.created[2]] == "unrouted: no service 'checkout-apii'"
    assert listed[result.created[0]] is None
    # a repeat and the resolve find the catch-all's page, as they would any other
    typo["status"] = "resolved"
    assert ingest(paging, parse_alertmanager({**delivery, "alerts": [typo]})).resolved == [
        result.created[2]
    ]


def test_the_url_beats_the_label_which_beats_the_default(paging) -> None:
    labelled = parse_alertmanager(alertmanager(fingerprint="fp-l", service="ledger"))
    [by_url] = ingest(paging, labelled, "edge", service="kubernetes").created
    assert _page(paging, by_url)[0] == "kubernetes"
    [by_label] = ingest(paging, labelled, "edge").created
    assert _page(paging, by_label)[0] == "ledger"
    unlabelled = alertmanager(fingerprint="fp-u")
    del unlabelled["alerts"][0]["labels"]["service"]
    [by_default] = ingest(paging, parse_alertmanager(unlabelled), "edge").created
    assert _page(paging, by_default) == ("edge", "triggered", None)
    # a wrong name goes to the catch-all, not to the default: the default is for no name
    [wrong_url] = ingest(
        paging, parse_alertmanager(alertmanager(fingerprint="fp-w")), "edge", service="nope"
    ).created
    assert _page(paging, wrong_url) == ("unrouted", "triggered", "unrouted: no service 'nope'")
    [bad_default] = ingest(
        paging, parse_alertmanager({**unlabelled, "alerts": unlabelled["alerts"]}), "gone"
    ).created
    assert _page(paging, bad_default)[2] == "unrouted: the default service 'gone' does not exist"


def test_without_a_catch_all_the_routable_alerts_land_and_the_rest_are_reported(paging) -> None:
    from sqlalchemy import update

    from warroom.store.models import Service

    with paging.database.transaction() as session:  # a roster that declares no catch-all
        session.execute(update(Service).values(catch_all=False))
    delivery = alertmanager(fingerprint="fp-ok")
    delivery["alerts"] += alertmanager(fingerprint="fp-lost", service="nope")["alerts"]
    result = ingest(paging, parse_alertmanager(delivery))
    assert len(result.created) == 1
    assert result.unroutable == ["unrouted: no service 'nope' (and there is no catch-all service)"]


def test_fields_the_database_cannot_hold_are_stored_alike_on_both_databases(paging) -> None:
    """Issue 10.2: NUL bytes, lone surrogates, a 300-character key and a 2,100-character
    runbook URL made PostgreSQL refuse the whole delivery; the good alert beside them lands."""
    bad = alertmanager(fingerprint="k" * 300)["alerts"][0]
    bad["labels"]["instance"] = "node\x00-7 \ud800"
    bad["annotations"] = {
        "summary": "disk \x00full \udfff",
        "runbook_url": "https://runbooks.example.com/" + "r" * 2100,
        "description": "zero \x00 byte",
    }
    delivery = alertmanager(fingerprint="fp-good")
    delivery["alerts"].append(bad)
    result = ingest(paging, parse_alertmanager(delivery))
    assert len(result.created) == 2
    with paging.database.reading() as session:
        page = session.get(Page, result.created[1])
        assert page.summary == "disk full \ufffd"
        assert page.labels["instance"] == "node-7 \ufffd"
        assert page.details == "zero  byte"
        assert page.runbook_url is None
        assert len(page.dedup_key) == 255
    again = ingest(paging, parse_alertmanager({**delivery, "alerts": [bad]}))
    assert again.repeated == [result.created[1]]  # dedup still works on the hashed key


def test_support_hours_that_cannot_be_evaluated_page_now_and_say_so(paging) -> None:
    """Issue 10.3: a holiday code the import never checked (an older warroom wrote it) made
    every low-urgency alert of the service fail, and took its delivery's critical alert along."""
    from sqlalchemy import update

    from warroom.store.models import SupportHours

    with paging.database.transaction() as session:
        session.execute(
            update(SupportHours)
            .where(SupportHours.slug == "new-york-business")
            .values(holiday_country="XX")
        )
    delivery = alertmanager(fingerprint="fp-crit", service="ledger", alertname="Recon")
    delivery["alerts"] += alertmanager(
        fingerprint="fp-warn", service="ledger", severity="warning", alertname="Recon"
    )["alerts"]
    result = ingest(paging, parse_alertmanager(delivery))
    assert len(result.created) == 2
    assert result.deferred == []  # New York is asleep, but its hours cannot be worked out
    critical, warning = (_page(paging, page_id) for page_id in result.created)
    assert critical == ("ledger", "triggered", None)
    assert warning[:2] == ("ledger", "triggered")
    assert "support hours could not be evaluated" in warning[2]
    assert "paged now" in warning[2]
    assert notified(paging, result.created[1])  # someone was told at once


def test_whatever_text_an_alert_carries_it_is_stored(paging) -> None:
    """Property: any text in any field of an alert (hypothesis draws every code point,
    surrogates and NUL included, at any length) is stored, on both databases."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    nasty = st.sampled_from(["\x00", "\ud800", "\udfff", "\ud83d"])
    text = st.text(nasty | st.characters(exclude_categories=()), max_size=300) | st.text(
        max_size=3000
    )

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(key=text, summary=text, label=text, value=text, url=text)
    def check(key: str, summary: str, label: str, value: str, url: str) -> None:
        delivery = alertmanager(fingerprint=key or "k", **{"instance": value})
        alert = delivery["alerts"][0]
        alert["labels"][label or "l"] = value
        alert["annotations"] = {"summary": summary, "runbook_url": url, "description": value}
        result = ingest(paging, parse_alertmanager(delivery))
        assert len(result.created) + len(result.repeated) == 1

    check()
