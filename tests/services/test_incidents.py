"""Incidents on both databases: declare, staff, hand over, close — and the race for command."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.services.conftest import MONDAY_10_UTC, incident_events
from warroom.domain.errors import ConflictError, NotFoundError, ValidationError
from warroom.services.context import ServiceContext
from warroom.services.incidents import lifecycle, presence, reminders, roles
from warroom.services.incidents.bench import bench
from warroom.services.incidents.queries import incident_detail, list_incidents
from warroom.services.paging.ingest import create_page
from warroom.store.models import IncidentReminder, Page, RoleAssignment


def _page(context: ServiceContext) -> int:
    [page_id] = create_page(
        context, service="kubernetes", summary="Node eu-west-7 NotReady", urgency="high"
    ).created
    return page_id


def test_declaring_from_a_page_makes_the_declarer_commander_and_links_the_page(
    demo, as_person
) -> None:
    amara = as_person("amara")
    page_id = _page(amara)
    declared = lifecycle.declare(
        amara, title="Pods evicted on eu-west-7", severity="2", page_id=page_id
    )
    assert (declared.ref, declared.severity, declared.commander) == (
        f"INC-{declared.id}",
        "SEV2",
        "amara",
    )
    detail = incident_detail(amara, declared.id)
    assert detail.row.status == "investigating"
    assert detail.row.service == "Kubernetes clusters"  # the page's service
    assert [h.handle for h in detail.roles["incident_commander"]] == ["amara"]
    assert [p.id for p in detail.pages] == [page_id]
    topics = [e.topic for e in incident_events(amara, declared.id, "incident.declared")]
    assert topics == ["incident.declared"]
    with pytest.raises(ConflictError, match=f"already belongs to INC-{declared.id}"):
        lifecycle.declare(amara, title="Again", severity="SEV3", page_id=page_id)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": "  ", "severity": "SEV1"}, "needs a title"),
        ({"title": "x", "severity": "SEV9"}, "not a severity"),
        ({"title": "x", "severity": "SEV1", "service": "nope"}, "no service 'nope'"),
        ({"title": "x", "severity": "SEV1", "page_id": 99_999}, "no page #99999"),
        ({"title": "x", "severity": "SEV1", "bridge_url": "two words"}, "one address"),
    ],
)
def test_bad_input_is_one_sentence_and_changes_nothing(demo, as_person, kwargs, message) -> None:
    amara = as_person("amara")
    before = len(list_incidents(amara))
    with pytest.raises((ValidationError, NotFoundError), match=message):
        lifecycle.declare(amara, **kwargs)
    assert len(list_incidents(amara)) == before


def test_a_person_not_on_the_roster_cannot_act(demo, as_person) -> None:
    if demo.database.is_postgresql:
        # the tests' own login is not a person: on PostgreSQL the login is who acts
        with demo.database.reading() as session:
            login = session.scalar(select(func.session_user()))
        with pytest.raises(ValidationError, match=f"login '{login}' is not a person"):
            lifecycle.declare(demo, title="Anything", severity="SEV3")
        # claiming a person's name changes nothing: the login decides
        claimed = ServiceContext(demo.database, "amara", demo.clock)
        with pytest.raises(ValidationError, match="is not a person on the roster"):
            lifecycle.declare(claimed, title="Anything", severity="SEV3")
    else:
        with pytest.raises(ValidationError, match="'tester' is not an active person"):
            lifecycle.declare(demo, title="Anything", severity="SEV3")


def test_status_severity_and_the_commander_closing(demo, as_person, clock) -> None:
    amara, tom = as_person("amara"), as_person("tom.h")
    incident = lifecycle.declare(amara, title="Checkout 5xx", severity="SEV2").id
    clock.advance(timedelta(minutes=5))
    assert lifecycle.set_status(tom, incident, "identified") == "investigating"
    with pytest.raises(ValidationError, match="already identified"):
        lifecycle.set_status(tom, incident, "identified")
    with pytest.raises(ValidationError, match="Closing is done with Close"):
        lifecycle.set_status(tom, incident, "closed")
    with pytest.raises(ValidationError, match="Say why"):
        lifecycle.change_severity(tom, incident, "SEV1", "  ")
    assert lifecycle.change_severity(tom, incident, "SEV1", "all card payments fail") == "SEV2"
    [changed] = incident_events(amara, incident, "incident.severity_changed")
    assert changed.payload["from"] == "SEV2"
    assert changed.payload["to"] == "SEV1"
    assert changed.payload["reason"] == "all card payments fail"
    lifecycle.set_status(tom, incident, "mitigated")
    lifecycle.set_status(tom, incident, "resolved")
    lifecycle.propose_close(tom, incident, "fixed by the rollback")
    detail = incident_detail(amara, incident)
    assert detail.close_proposed_by == "tom.h"
    assert detail.row.close_proposed
    with pytest.raises(ConflictError, match="Only the Incident Commander, Amara Okafor, can close"):
        lifecycle.close(tom, incident, "done")
    with pytest.raises(ValidationError, match="needs a summary"):
        lifecycle.close(amara, incident, " ")
    lifecycle.close(amara, incident, "A bad deploy; rolled back in 12 minutes.")
    detail = incident_detail(amara, incident)
    assert detail.row.status == "closed"
    assert detail.summary == "A bad deploy; rolled back in 12 minutes."
    with pytest.raises(ValidationError, match="is closed; reopen it first"):
        lifecycle.set_status(tom, incident, "identified")
    lifecycle.reopen(tom, incident, "errors are back")
    detail = incident_detail(amara, incident)
    assert (detail.row.status, detail.close_proposed_by) == ("investigating", None)


def test_roles_assigned_handed_over_moved_and_released(demo, as_person) -> None:
    amara = as_person("amara")
    incident = lifecycle.declare(amara, title="Checkout 5xx", severity="SEV1").id
    roles.assign(amara, incident, "scribe", "tom.h", expected_holder=None)
    roles.assign(amara, incident, "sme", "priya", expertise="kubernetes")
    roles.assign(amara, incident, "sme", "lukas", expertise="Network")
    with pytest.raises(ValidationError, match="already a Subject Matter Expert"):
        roles.assign(amara, incident, "sme", "priya")
    change = roles.assign(amara, incident, "ic", "lukas", expected_holder="amara")  # hand over
    assert change.previous == "amara"
    with pytest.raises(ConflictError, match="Lukas Brandt became Incident Commander"):
        roles.assign(amara, incident, "ic", "priya", expected_holder="amara")  # stale view
    roles.move(amara, incident, "tom.h", "scribe", "communication_coordinator")
    roles.release(amara, incident, "sme", "priya")
    with pytest.raises(NotFoundError, match="priya does not hold Subject Matter Expert"):
        roles.release(amara, incident, "sme", "priya")
    detail = incident_detail(amara, incident)
    now = {role: [(h.handle, h.expertise) for h in held] for role, held in detail.roles.items()}
    assert now == {
        "incident_commander": [("lukas", None)],
        "primary_responder": [],
        "secondary_responder": [],
        "communication_coordinator": [("tom.h", None)],
        "scribe": [],
        "subject_matter_expert": [("lukas", "network")],
    }
    commanders = [h for h in detail.history if h.role == "incident_commander"]
    assert [(h.handle, h.previous, h.released_by) for h in commanders] == [
        ("amara", None, "amara"),
        ("lukas", "amara", None),
    ]
    [handover] = [
        e
        for e in incident_events(amara, incident, "incident.role_assigned")
        if e.payload.get("previous")
    ]
    assert (handover.payload["handle"], handover.payload["previous"]) == ("lukas", "amara")


def test_the_race_for_incident_commander_has_one_winner(demo, as_person) -> None:
    """Two desktops drop two different people onto an empty Incident Commander at once."""
    amara, tom = as_person("amara"), as_person("tom.h")
    incident = lifecycle.declare(amara, title="Checkout 5xx", severity="SEV1").id
    roles.release(amara, incident, "ic", "amara")
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def drop(context: ServiceContext, who: str) -> None:
        barrier.wait()
        try:
            outcomes[who] = roles.assign(context, incident, "ic", who, expected_holder=None)
        except ConflictError as error:
            outcomes[who] = error

    threads = [
        threading.Thread(target=drop, args=(amara, "priya")),
        threading.Thread(target=drop, args=(tom, "lukas")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winners = [who for who, out in outcomes.items() if isinstance(out, roles.RoleChange)]
    losers = [out for out in outcomes.values() if isinstance(out, ConflictError)]
    assert len(winners) == 1
    assert len(losers) == 1
    names = {"priya": "Priya Raman", "lukas": "Lukas Brandt"}
    assert f"{names[winners[0]]} became Incident Commander" in str(losers[0])
    with amara.database.reading() as session:
        active = session.scalars(
            select(RoleAssignment).where(
                RoleAssignment.incident_id == incident,
                RoleAssignment.role == "incident_commander",
                RoleAssignment.released_at.is_(None),
            )
        ).all()
        assert len(active) == 1
    assigned = incident_events(amara, incident, "incident.role_assigned")
    assert [e.payload["handle"] for e in assigned] == ["amara", winners[0]]


def test_linking_and_unlinking_pages(demo, as_person) -> None:
    amara = as_person("amara")
    incident = lifecycle.declare(amara, title="Checkout 5xx", severity="SEV2").id
    first, second = _page(amara), create_page(amara, service="edge", summary="DNS").created[0]
    lifecycle.link_page(amara, incident, first)
    lifecycle.link_page(amara, incident, second)
    assert [p.id for p in incident_detail(amara, incident).pages] == [first, second]
    other = lifecycle.declare(amara, title="Other", severity="SEV4").id
    with pytest.raises(ConflictError, match=f"belongs to INC-{incident}"):
        lifecycle.link_page(amara, other, first)
    lifecycle.unlink_page(amara, incident, first)
    with pytest.raises(NotFoundError, match="is not part of"):
        lifecycle.unlink_page(amara, incident, first)
    with amara.database.reading() as session:
        assert session.get(Page, first).incident_id is None


def test_the_bench_offers_who_is_on_call_experts_and_names(demo, as_person) -> None:
    amara = as_person("amara")
    incident = lifecycle.declare(
        amara, title="Pods evicted", severity="SEV2", service="kubernetes"
    ).id
    offered = bench(amara, incident)
    assert offered[0].handle == "amara"
    assert offered[0].participant
    by_handle = {b.handle: b for b in offered}
    assert by_handle["lukas"].suggested_role == "primary_responder"  # platform primary now
    assert "Platform primary" in by_handle["lukas"].on_call
    secondary = [b for b in offered if b.suggested_role == "secondary_responder"]
    assert secondary
    experts = bench(amara, incident, "database")
    tagged = [b for b in experts if "database" in b.expertise]
    assert tagged
    assert all(b.suggested_role == "subject_matter_expert" for b in tagged if not b.participant)
    assert [b.handle for b in bench(amara, incident, "Hargreaves")][-1] == "tom.h"
    busy = lifecycle.declare(as_person("tom.h"), title="Elsewhere", severity="SEV3").id
    assert busy
    assert {b.handle: b for b in bench(amara, incident, "tom")}["tom.h"].roles_elsewhere == 1


def test_presence_joins_leaves_and_times_out(demo, as_person, clock) -> None:
    amara, tom = as_person("amara"), as_person("tom.h")
    incident = lifecycle.declare(amara, title="Checkout 5xx", severity="SEV2").id
    assert presence.heartbeat(amara, incident, "desktop-a")
    assert not presence.heartbeat(amara, incident, "desktop-a")  # still there: no event
    assert presence.heartbeat(tom, incident, "desktop-b")
    assert incident_detail(amara, incident).present == ("amara", "tom.h")
    presence.leave(tom, incident, "desktop-b")
    assert incident_detail(amara, incident).present == ("amara",)
    clock.advance(timedelta(seconds=61))  # amara's desktop crashed: no heartbeat for a minute
    assert incident_detail(tom, incident).present == ()
    joined = [
        e.payload["handle"] for e in incident_events(amara, incident, "incident.presence_joined")
    ]
    left = [e.payload["handle"] for e in incident_events(amara, incident, "incident.presence_left")]
    assert (joined, left) == (["amara", "tom.h"], ["tom.h"])


def test_reminders_are_given_once_each_by_competing_engines(demo, as_person, clock) -> None:
    """Four engines sweep at every step; each reminder is given exactly once, to the
    commander, as the system."""
    amara = as_person("amara")
    incident = lifecycle.declare(amara, title="Checkout 5xx", severity="SEV1").id
    engines = [ServiceContext(demo.database, f"desktop-{n}", clock) for n in range(4)]

    def sweep_all() -> None:
        barrier = threading.Barrier(len(engines))
        errors: list[BaseException] = []

        def run(context: ServiceContext) -> None:
            try:
                barrier.wait()
                reminders.sweep(context)
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=run, args=(c,)) for c in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []

    assert reminders.next_due(amara) == MONDAY_10_UTC + timedelta(minutes=10)  # staffing
    clock.advance(timedelta(minutes=10))  # SEV1: no Scribe, no Comms after 10 minutes
    sweep_all()
    clock.advance(timedelta(minutes=5))  # quiet for 15 minutes
    sweep_all()
    sweep_all()  # nothing new: nothing given twice
    lifecycle.set_status(amara, incident, "mitigated")  # activity: a new quiet spell begins
    clock.advance(timedelta(minutes=60))  # mitigated for an hour (and quiet again)
    sweep_all()
    lifecycle.set_status(amara, incident, "resolved")
    clock.advance(timedelta(minutes=60))
    sweep_all()
    given = incident_events(amara, incident, "incident.reminder")
    kinds = sorted(e.payload["kind"] for e in given)
    assert kinds == sorted(
        [
            "no_scribe",
            "no_communication_coordinator",
            "quiet",
            "quiet",
            "mitigated_too_long",
            "close_and_review",
        ]
    )
    assert {e.actor for e in given} == {"system:reminders"}
    assert {e.payload["handle"] for e in given} == {"amara"}
    with demo.database.reading() as session:
        rows = session.scalar(
            select(func.count())
            .select_from(IncidentReminder)
            .where(IncidentReminder.incident_id == incident)
        )
    assert rows == len(given)
    assert incident_detail(amara, incident).warnings == (
        "It is resolved: close it with a summary, and hold the post-incident review.",
    )


def test_the_roster_file_sets_the_pace_per_severity(demo, as_person, clock) -> None:
    from warroom.services.roster import export_roster, import_roster

    text = """
people:
  - {handle: amara, name: Amara Okafor, time_zone: Europe/London}
teams:
  - {slug: platform, name: Platform, members: [amara]}
incidents:
  severities:
    SEV3: {quiet_minutes: 5, staff_within_minutes: 3}
    SEV4: {quiet_minutes: null}
"""
    from warroom.domain.roster_file import RosterFileError, parse_roster

    spec = parse_roster(text, "org.yaml")
    sev3 = next(p for p in spec.severities if p.severity == "SEV3")
    assert (sev3.quiet_minutes, sev3.staffing_minutes, sev3.mitigated_minutes) == (5, 3, 480)
    with pytest.raises(RosterFileError, match=r"org.yaml:4: incidents: SEV1: quiet_minutes is a"):
        parse_roster(
            "incidents:\n  severities:\n    SEV1:\n      {quiet_minutes: -5}\n", "org.yaml"
        )
    with pytest.raises(RosterFileError, match="'SEV9' is not a severity"):
        parse_roster("incidents: {severities: {SEV9: {}}}\n", "org.yaml")
    # the demo's roster plus this pace: SEV3 incidents are reminded after 5 quiet minutes
    current = export_roster(demo)
    from dataclasses import replace

    import_roster(demo, replace(current, severities=spec.severities))
    assert {p.severity for p in export_roster(demo).severities} == {"SEV3", "SEV4"}
    amara = as_person("amara")
    incident = lifecycle.declare(amara, title="Slow search", severity="SEV3").id
    assert reminders.next_due(amara) == MONDAY_10_UTC + timedelta(minutes=3)
    clock.advance(timedelta(minutes=5))
    given = reminders.sweep(amara).given
    assert sorted(kind for i, kind in given if i == incident) == [
        "no_communication_coordinator",
        "no_scribe",
        "quiet",
    ]
