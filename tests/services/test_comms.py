"""Stakeholder updates on both databases: posted and kept, drafted from the roster file's
templates, due on the severity's cadence, reminded once across competing engines, snoozed."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.services.conftest import MONDAY_10_UTC, incident_events
from warroom.domain.errors import NotFoundError, ValidationError
from warroom.domain.roster_file import RosterFileError, dump_roster, parse_roster
from warroom.services.comms import reminders
from warroom.services.comms.updates import composer_facts, list_updates, post_update
from warroom.services.context import ServiceContext
from warroom.services.incidents import lifecycle, roles
from warroom.services.incidents.queries import incident_detail, list_incidents
from warroom.services.roster import export_roster, import_roster
from warroom.store.models import IncidentReminder, StatusUpdate, UpdateDelivery


def _count(context: ServiceContext, model: type, incident_id: int) -> int:
    with context.database.reading() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(model).where(model.incident_id == incident_id)
            )
        )


UPDATES_ROSTER = """
teams: [{slug: payments, name: Payments}]
incidents:
  updates:
    templates:
      internal: |
        {ref} {severity} {status}: {title}
        Impact: {impact}
        Doing: {actions}
        {next_update}
    teams:
      payments:
        customers: "Payments notice ({status}): {impact} {next_update} {{braces}}"
    deliver:
      customers: {name: status page, url_env: WARROOM_TEST_STATUS_PAGE, format: json}
      internal: {name: "#incidents", url_keyring: chat-incidents}
"""


def _with_updates(demo: ServiceContext, text: str = UPDATES_ROSTER) -> None:
    spec = parse_roster(text, "org.yaml")
    import_roster(demo, replace(export_roster(demo), updates=spec.updates))


def test_a_posted_update_is_kept_whole_and_announced_small(demo, as_person, clock) -> None:
    amara, tom = as_person("amara"), as_person("tom.h")
    incident = lifecycle.declare(amara, title="Checkout 5xx", severity="SEV2").id
    clock.advance(timedelta(minutes=7))
    first = post_update(amara, incident, "internal", "  Checkout fails for 5%.\n\nWe are on it. ")
    assert (first.ref, first.audience, first.status, first.deliveries) == (
        f"INC-{incident}",
        "internal",
        "investigating",
        (),
    )
    lifecycle.set_status(tom, incident, "mitigated")
    clock.advance(timedelta(minutes=3))
    second = post_update(tom, incident, "Executives", "Mitigated; revenue impact small.")
    rows = list_updates(amara, incident)
    assert [r.id for r in rows] == [second.id, first.id]  # newest first
    assert (rows[0].audience, rows[0].status, rows[0].posted_by, rows[0].poster_name) == (
        "executive",
        "mitigated",  # the status at the time
        "tom.h",
        "Tom Hargreaves",
    )
    assert rows[1].body == "Checkout fails for 5%.\n\nWe are on it."
    assert rows[1].posted_at == MONDAY_10_UTC + timedelta(minutes=7)
    [posted, _] = incident_events(amara, incident, "status_update.posted")
    assert posted.entity_id == str(first.id)
    assert posted.actor == "amara"
    assert dict(posted.payload) == {
        "incident_id": incident,
        "ref": f"INC-{incident}",
        "audience": "internal",
        "status": "investigating",
        "excerpt": "Checkout fails for 5%. We are on it.",
    }
    long = post_update(amara, incident, "customers", "word " * 500, status="resolved")
    [*_, announced] = incident_events(amara, incident, "status_update.posted")
    assert len(announced.payload["excerpt"]) == 200
    assert announced.payload["status"] == "resolved"  # what the update reports
    assert (
        next(r for r in list_updates(amara, incident) if r.id == long.id).body.count("word") == 500
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("board", "text"), {}, "'board' is not an audience; use internal, executive"),
        (("internal", "  \n "), {}, "An update needs words"),
        (("internal", "x" * 10_001), {}, "keep it under 10000"),
        (("internal", "text"), {"status": "closed"}, "'closed' is not a status an update"),
    ],
)
def test_bad_input_is_one_sentence_and_changes_nothing(
    demo, as_person, args, kwargs, message
) -> None:
    amara = as_person("amara")
    incident = lifecycle.declare(amara, title="Checkout 5xx", severity="SEV2").id
    with pytest.raises(ValidationError, match=message):
        post_update(amara, incident, *args, **kwargs)
    with pytest.raises(NotFoundError, match="There is no incident INC-999"):
        post_update(amara, 999, "internal", "text")
    assert _count(amara, StatusUpdate, incident) == 0
    assert incident_events(amara, incident, "status_update.posted") == []


def test_the_composer_drafts_from_the_teams_template_then_everyones_then_the_default(
    demo, as_person, clock
) -> None:
    _with_updates(demo)
    amara = as_person("amara")
    declared = lifecycle.declare(
        amara, title="Card payments fail", severity="SEV2", service="payment-gateway"
    )
    roles.assign(amara, declared.id, "comms", "tom.h")
    facts = composer_facts(amara, declared.id)
    assert (facts.service, facts.commander, facts.coordinator) == (
        "Payment gateway",
        "Amara Okafor",
        "Tom Hargreaves",
    )
    assert facts.cadence_minutes == 60
    assert facts.targets == {"internal": "#incidents", "customers": "status page"}
    now = clock.now()
    # the payments team's own template for customers, with the status filled in
    assert facts.draft("customers", "mitigated", now, impact="Some cards fail.") == (
        "Payments notice (Mitigated): Some cards fail. Next update by 11:00 UTC. {braces}"
    )
    # everyone's internal template: what is being done follows the status until typed
    assert facts.draft("internal", "investigating", now) == (
        f"{declared.ref} SEV2 Investigating: Card payments fail\n"
        "Impact: We are still assessing the impact.\n"
        "Doing: We are investigating the cause.\n"
        "Next update by 11:00 UTC.\n"
    )
    # no template for executives anywhere: the one that ships, naming the commander
    executive = facts.draft("executive", "resolved", now, actions="Rolled back the proxy.")
    assert executive.startswith("Card payments fail (SEV2, Resolved)\n")
    assert "What we are doing: Rolled back the proxy.\n" in executive
    assert "Incident Commander: Amara Okafor." in executive
    assert executive.endswith("This is the last update about this incident.")
    # an incident of another team gets everyone's template for customers: the default
    other = lifecycle.declare(amara, title="Search slow", severity="SEV3", service="product-search")
    assert (
        composer_facts(amara, other.id)
        .draft("customers", "identified", now)
        .startswith(
            "Identified: Search slow\n\nWe are still assessing the impact.\n"
            "We have found the cause and are working on a fix."
        )
    )


def test_an_audience_with_a_webhook_gets_a_delivery_with_the_update(demo, as_person) -> None:
    _with_updates(demo)
    amara = as_person("amara")
    incident = lifecycle.declare(amara, title="Card payments fail", severity="SEV2").id
    posted = post_update(amara, incident, "customers", "Some card payments fail.")
    assert posted.deliveries == ("status page",)
    post_update(amara, incident, "executive", "No webhook for executives.")
    [row] = list_updates(amara, incident)[1].deliveries
    assert (row.target, row.state, row.label) == ("status page", "pending", "queued")
    assert list_updates(amara, incident)[0].deliveries == ()
    assert _count(amara, UpdateDelivery, incident) == 1


def test_updates_are_due_on_the_severitys_cadence_and_posting_resets_the_clock(
    demo, as_person, clock
) -> None:
    amara = as_person("amara")
    start = clock.now()
    sev2 = lifecycle.declare(amara, title="Checkout 5xx", severity="SEV2").id
    sev1 = lifecycle.declare(amara, title="Nothing loads", severity="SEV1").id
    sev4 = lifecycle.declare(amara, title="Typo in footer", severity="SEV4").id

    def due(incident: int) -> tuple[datetime | None, str | None]:
        row = next(r for r in list_incidents(amara) if r.id == incident)
        return row.update_due_at, row.update_due_audience

    # internal is due from the start; SEV4 has no cadence
    assert due(sev2) == (start + timedelta(minutes=60), "internal")
    assert due(sev4) == (None, None)
    # SEV1: executives and customers are due from the start as well, every 30 minutes
    assert [(d.audience, d.due) for d in composer_facts(amara, sev1).dues] == [
        ("internal", start + timedelta(minutes=30)),
        ("executive", start + timedelta(minutes=30)),
        ("customers", start + timedelta(minutes=30)),
    ]
    clock.advance(timedelta(minutes=10))
    post_update(amara, sev2, "customers", "We are looking into checkout errors.")  # now on it
    clock.advance(timedelta(minutes=40))
    post_update(amara, sev2, "internal", "Still on it.")
    assert [(d.audience, d.due) for d in composer_facts(amara, sev2).dues] == [
        ("internal", start + timedelta(minutes=110)),
        ("customers", start + timedelta(minutes=70)),
    ]
    assert due(sev2) == (start + timedelta(minutes=70), "customers")
    assert incident_detail(amara, sev2).row.update_due_audience == "customers"
    lifecycle.set_status(amara, sev2, "mitigated")
    assert due(sev2)[1] == "customers"  # still worked on: still on the cadence
    lifecycle.set_status(amara, sev2, "resolved")
    assert due(sev2) == (None, None)  # the resolution is the last word


def test_reminders_are_given_once_each_by_four_competing_engines(demo, as_person, clock) -> None:
    """The coordinator (the commander while nobody holds that role) is reminded of each
    due update exactly once, as the system, whatever number of engines sweep."""
    amara = as_person("amara")
    for ongoing in list_incidents(amara):  # the demo's incident in progress ends first
        if ongoing.status not in ("resolved", "closed"):
            lifecycle.set_status(amara, ongoing.id, "resolved")
    start = clock.now()
    incident = lifecycle.declare(amara, title="Nothing loads", severity="SEV1").id
    engines = [ServiceContext(demo.database, f"desktop-{n}", clock) for n in range(4)]

    def sweep_all() -> list[tuple[int, str]]:
        barrier = threading.Barrier(len(engines))
        errors: list[BaseException] = []
        given: list[tuple[int, str]] = []

        def run(context: ServiceContext) -> None:
            try:
                barrier.wait()
                given.extend(reminders.sweep(context).given)
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=run, args=(c,)) for c in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        return sorted(given)

    assert reminders.next_due(amara) == start + timedelta(minutes=30)
    clock.advance(timedelta(minutes=29))
    assert sweep_all() == []
    clock.advance(timedelta(minutes=1))
    assert sweep_all() == [(incident, "customers"), (incident, "executive"), (incident, "internal")]
    assert sweep_all() == []  # nothing given twice
    roles.assign(amara, incident, "communication_coordinator", "tom.h")
    tom = as_person("tom.h")
    until = reminders.snooze(tom, incident, "internal", 15)
    assert until == clock.now() + timedelta(minutes=15)
    post_update(tom, incident, "customers", "Our shop is down; we are on it.")  # resets
    assert reminders.next_due(amara) == clock.now() + timedelta(minutes=15)  # the snooze
    clock.advance(timedelta(minutes=15))
    assert sweep_all() == [(incident, "internal")]  # the snooze is over
    clock.advance(timedelta(minutes=15))
    assert sweep_all() == [(incident, "customers")]  # 30 minutes after the update
    given = incident_events(amara, incident, "status_update.due")
    assert [(e.payload["audience"], e.payload["handle"]) for e in given] == [
        ("internal", "amara"),
        ("executive", "amara"),
        ("customers", "amara"),
        ("internal", "tom.h"),  # the coordinator now
        ("customers", "tom.h"),
    ]
    assert {e.actor for e in given} == {"system:reminders"}
    assert given[3].payload["due_at"] == (start + timedelta(minutes=45)).isoformat()
    with demo.database.reading() as session:
        rows = session.scalar(
            select(func.count())
            .select_from(IncidentReminder)
            .where(
                IncidentReminder.incident_id == incident,
                IncidentReminder.kind.startswith("update:"),
            )
        )
    assert rows == len(given)
    [snoozed] = incident_events(amara, incident, "status_update.snoozed")
    assert (snoozed.actor, snoozed.payload["minutes"]) == ("tom.h", 15)
    # the drag-on reminders are not disturbed by these
    assert "update:internal" not in {
        e.payload.get("kind") for e in incident_events(amara, incident, "incident.reminder")
    }


def test_snoozing_takes_15_30_or_60_minutes_of_an_open_incident(demo, as_person) -> None:
    amara = as_person("amara")
    incident = lifecycle.declare(amara, title="Checkout 5xx", severity="SEV2").id
    with pytest.raises(ValidationError, match="snoozed for 15, 30, 60 minutes, not 20"):
        reminders.snooze(amara, incident, "internal", 20)
    with pytest.raises(ValidationError, match="'ceo' is not an audience"):
        reminders.snooze(amara, incident, "ceo", 15)
    lifecycle.set_status(amara, incident, "resolved")
    with pytest.raises(ValidationError, match="is resolved: no update is due to snooze"):
        reminders.snooze(amara, incident, "internal", 15)
    assert incident_events(amara, incident, "status_update.snoozed") == []


def test_the_roster_file_declares_templates_and_webhooks_without_their_secret(demo) -> None:
    spec = parse_roster(UPDATES_ROSTER, "org.yaml")
    assert [(t.scope, t.audience) for t in spec.updates.templates] == [
        ("", "internal"),
        ("payments", "customers"),
    ]
    assert [
        (d.audience, d.name, d.url_env, d.url_keyring, d.format) for d in spec.updates.deliveries
    ] == [
        ("internal", "#incidents", None, "chat-incidents", "chat"),
        ("customers", "status page", "WARROOM_TEST_STATUS_PAGE", None, "json"),
    ]
    with_updates = replace(export_roster(demo), updates=spec.updates)
    changes = import_roster(demo, with_updates)
    assert sorted(changes.added) == [
        "update delivery customers → status page",
        "update delivery internal → #incidents",
        "update template internal",
        "update template payments/customers",
    ]
    assert import_roster(demo, with_updates).empty  # idempotent
    exported = export_roster(demo)
    assert exported.updates == spec.updates
    text = dump_roster(exported)
    assert "url_env: WARROOM_TEST_STATUS_PAGE" in text
    assert "      internal: |\n        {ref} {severity} {status}: {title}\n" in text  # a block
    assert parse_roster(text, "again.yaml").updates == spec.updates  # a round trip
    # a file that drops them: back to the defaults, nothing left behind
    changes = import_roster(demo, replace(exported, updates=parse_roster("", "x").updates))
    assert sorted(changes.removed) == [
        "update delivery customers",
        "update delivery internal",
        "update template internal",
        "update template payments/customers",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "incidents:\n  updates:\n    deliver:\n      internal:\n"
            "        {url: 'https://hooks.example.com/T0/B0/secret'}\n",
            "org.yaml:5: incidents.updates.deliver: internal: a webhook address holds its "
            "secret token",
        ),
        (
            "incidents:\n  updates:\n    deliver:\n      internal: {url_env: 'https://x'}\n",
            "org.yaml:4: incidents.updates.deliver: internal: url_env names an environment "
            "variable",
        ),
        (
            "incidents:\n  updates:\n    deliver:\n      internal: {format: chat}\n",
            "org.yaml:4: incidents.updates.deliver: internal needs one of url_env or url_keyring",
        ),
        (
            "incidents:\n  updates:\n    deliver:\n      internal: {url_env: X, fromat: json}\n",
            "org.yaml:4: incidents.updates.deliver: internal has an unknown key 'fromat'",
        ),
        (
            "incidents:\n  updates:\n    deliver:\n      internal: {url_env: X, format: xml}\n",
            "org.yaml:4: incidents.updates.deliver: internal: format is chat or json, not 'xml'",
        ),
        (
            "incidents:\n  updates:\n    templates:\n      board: Hello\n",
            "org.yaml:4: incidents.updates.templates: 'board' is not an audience",
        ),
        (
            "incidents:\n  updates:\n    templates:\n      internal: 'Hi {titel}'\n",
            "org.yaml:4: incidents.updates.templates: the internal template: unknown "
            "placeholder {titel} (use {ref}, {title}",
        ),
        (
            "incidents:\n  updates:\n    teams:\n      nope: {internal: Hi}\n",
            "org.yaml:4: incidents.updates names unknown team 'nope'",
        ),
        (
            "incidents:\n  updates:\n    tempaltes: {}\n",
            "org.yaml:3: incidents.updates has an unknown key 'tempaltes'",
        ),
        (
            "incidents:\n  update: {}\n",
            "org.yaml:2: incidents: unknown key 'update' (expected severities or updates)",
        ),
    ],
)
def test_a_roster_files_update_section_is_checked_line_by_line(text, problem) -> None:
    with pytest.raises(RosterFileError) as refused:
        parse_roster(text, "org.yaml")
    assert any(p.startswith(problem) for p in refused.value.problems), refused.value.problems
    assert "hooks.example.com" not in str(refused.value)  # not even the refusal repeats it
