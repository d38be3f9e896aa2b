"""The scribe's transcript on both databases: recorded once per client UUID at the first
keystroke's time, speakers by handle, action items, edits with revisions and conflicts, soft
deletes, the quiet rule, follow-ups, and the timeline it joins."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.services.conftest import MONDAY_10_UTC, incident_events
from warroom.domain.errors import NotFoundError, ValidationError
from warroom.domain.transcript import EditConflictError, entry_from_payload
from warroom.services.comms.updates import post_update
from warroom.services.context import ServiceContext
from warroom.services.incidents import lifecycle, roles
from warroom.services.incidents.queries import open_follow_ups
from warroom.services.paging.ingest import create_page
from warroom.services.runbooks import set_step
from warroom.services.transcript import entries, reading
from warroom.services.transcript.entries import NewEntry
from warroom.store.models import Incident, Runbook, RunbookStep, TranscriptEntry


def _uuid() -> str:
    return str(uuid.uuid4())


def _note(
    context: ServiceContext,
    incident_id: int,
    body: str,
    at: datetime | None = None,
    *,
    client_uuid: str | None = None,
    lenient: bool = False,
    **fields: str | None,
) -> entries.EntryRow:
    return entries.record(
        context,
        NewEntry(
            incident_id,
            client_uuid or _uuid(),
            body,
            at or context.clock.now(),
            **fields,  # type: ignore[arg-type]
        ),
        lenient=lenient,
    )


def _count(context: ServiceContext, incident_id: int) -> int:
    with context.database.reading() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(TranscriptEntry)
                .where(TranscriptEntry.incident_id == incident_id)
            )
        )


@pytest.fixture
def incident(demo: ServiceContext, as_person) -> int:
    return lifecycle.declare(as_person("amara"), title="Checkout 5xx", severity="SEV2").id


def test_recording_the_same_client_uuid_twice_keeps_one_entry_and_one_event(
    demo, as_person, incident, clock
) -> None:
    tom = as_person("tom.h")
    key = _uuid()
    first = _note(tom, incident, "we see 5xx on checkout", client_uuid=key, kind="said")
    clock.advance(timedelta(minutes=1))
    again = _note(tom, incident, "a replay, other words", client_uuid=key, kind="note")
    assert again == first
    assert (first.kind, first.body, first.author, first.version, first.deleted) == (
        "said",
        "we see 5xx on checkout",
        "tom.h",
        1,
        False,
    )
    assert _count(tom, incident) == 1
    [event] = incident_events(tom, incident, "transcript.recorded")
    assert (event.entity, event.entity_id, event.actor) == ("transcript", str(first.id), "tom.h")
    carried = dict(event.payload)
    entry = carried.pop("entry")  # the whole entry travels, so desktops need not fetch it
    assert carried == {
        "incident_id": incident,
        "ref": f"INC-{incident}",
        "kind": "said",
        "excerpt": "we see 5xx on checkout",
        "handle": "tom.h",
    }
    assert entry_from_payload(entry) == first


def test_the_time_kept_is_the_first_keystroke_not_the_commit(
    demo, as_person, incident, clock
) -> None:
    tom = as_person("tom.h")
    keystroke = clock.now()
    clock.advance(timedelta(seconds=47))  # the scribe took a while to finish the line
    row = _note(tom, incident, "primary failed over", keystroke, kind="did")
    assert row.occurred_at == keystroke == MONDAY_10_UTC
    assert row.recorded_at == MONDAY_10_UTC + timedelta(seconds=47)


def test_speakers_and_owners_by_handle_and_an_unknown_one_is_refused(
    demo, as_person, incident
) -> None:
    tom = as_person("tom.h")
    said = _note(tom, incident, "rolling back", kind="said", speaker="@lukas")
    assert (said.speaker, said.author, said.owner) == ("lukas", "tom.h", None)
    with pytest.raises(
        ValidationError, match=r"There is no @ghost on the roster to be the speaker"
    ):
        _note(tom, incident, "boo", kind="said", speaker="ghost")
    with pytest.raises(ValidationError, match=r"There is no @ghost on the roster to be the owner"):
        _note(tom, incident, "boo", kind="action", owner="ghost")
    assert _count(tom, incident) == 1
    replayed = _note(tom, incident, "it was me", kind="said", speaker="ghost", lenient=True)
    assert (replayed.speaker, replayed.body) == (None, "@ghost it was me")
    # an owner only means something for an action item
    assert _note(tom, incident, "fyi", kind="note", owner="priya").owner is None
    with pytest.raises(NotFoundError, match="There is no incident INC-999"):
        _note(tom, 999, "nowhere")
    with pytest.raises(ValidationError, match="needs a time zone"):
        _note(tom, incident, "naive", datetime(2026, 3, 2, 10, 0))
    with pytest.raises(ValidationError, match="needs words"):
        _note(tom, incident, "   ")
    assert _note(tom, incident, "", mark="impact_start").mark == "impact_start"


def test_action_items_stay_open_until_done(demo, as_person, incident, clock) -> None:
    tom, priya = as_person("tom.h"), as_person("priya")
    item = _note(tom, incident, "write the review", kind="action", owner="priya")
    other = _note(tom, incident, "add an alert on 5xx", kind="a", owner="lukas")
    assert (item.owner, item.open_action, item.done_at) == ("priya", True, None)
    assert open_follow_ups(tom, incident) == [
        "write the review (@priya)",
        "add an alert on 5xx (@lukas)",
    ]
    clock.advance(timedelta(hours=1))
    done = entries.set_done(priya, item.id)
    assert (done.done_at, done.done_by, done.open_action) == (clock.now(), "priya", False)
    assert open_follow_ups(tom, incident) == ["add an alert on 5xx (@lukas)"]
    entries.delete(tom, other.id)
    assert open_follow_ups(tom, incident) == []  # a deleted item is no follow-up
    reopened = entries.set_done(priya, item.id, False)
    assert (reopened.done_at, reopened.done_by) == (None, None)
    assert open_follow_ups(tom, incident) == ["write the review (@priya)"]
    said = _note(tom, incident, "words", kind="said")
    with pytest.raises(ValidationError, match="Only an action item can be done"):
        entries.set_done(tom, said.id)
    topics = [
        e.topic
        for topic in ("transcript.action_done", "transcript.action_reopened")
        for e in incident_events(tom, incident, topic)
    ]
    assert topics == ["transcript.action_done", "transcript.action_reopened"]


def test_an_edit_keeps_every_revision_the_original_first(demo, as_person, incident, clock) -> None:
    tom, lukas = as_person("tom.h"), as_person("lukas")
    typed_at = clock.now()
    row = _note(tom, incident, "restartd the primary", typed_at, kind="did", speaker="lukas")
    assert entries.revisions(tom, row.id) == []
    clock.advance(timedelta(minutes=2))
    backdated = typed_at - timedelta(minutes=10)
    edited = entries.edit(tom, row.id, 1, body="restarted the primary", occurred_at=backdated)
    assert (edited.body, edited.occurred_at, edited.version, edited.edited) == (
        "restarted the primary",
        backdated,
        2,
        True,
    )
    assert edited.edited_at == clock.now()
    assert edited.speaker == "lukas"  # KEEP: left as it was
    clock.advance(timedelta(minutes=1))
    third = entries.edit(lukas, row.id, 2, kind="decided", speaker=None)
    assert (third.kind, third.speaker, third.version) == ("decided", None, 3)
    kept = entries.revisions(tom, row.id)
    assert [(r.version, r.body, r.occurred_at, r.speaker, r.edited_by) for r in kept] == [
        (1, "restartd the primary", typed_at, "lukas", "tom.h"),  # the original
        (2, "restarted the primary", backdated, "lukas", "tom.h"),
        (3, "restarted the primary", backdated, None, "lukas"),
    ]
    assert kept[0].edited_at == typed_at  # the original's time is when it was recorded
    assert [r.kind for r in kept] == ["did", "did", "decided"]
    [event, _] = incident_events(tom, incident, "transcript.edited")
    assert event.payload["entry"]["version"] == 2


def test_an_edit_of_a_stale_version_raises_with_both_texts_and_changes_nothing(
    demo, as_person, incident
) -> None:
    tom, lukas = as_person("tom.h"), as_person("lukas")
    row = _note(tom, incident, "db is slow", kind="said")
    entries.edit(lukas, row.id, 1, body="db is slow (p99 4 s)")
    with pytest.raises(EditConflictError) as raised:
        entries.edit(tom, row.id, 1, body="db is very slow")
    conflict = raised.value
    assert (conflict.mine, conflict.theirs, conflict.theirs_by, conflict.version) == (
        "db is very slow",
        "db is slow (p99 4 s)",
        "lukas",
        2,
    )
    assert "@lukas edited this entry while you were editing it" in str(conflict)
    [now] = reading.entries(tom, [row.id])
    assert (now.body, now.version) == ("db is slow (p99 4 s)", 2)
    assert len(entries.revisions(tom, row.id)) == 2
    assert len(incident_events(tom, incident, "transcript.edited")) == 1
    # applying mine over theirs is an edit of the version they left
    mine = entries.edit(tom, row.id, conflict.version, body=conflict.mine)
    assert (mine.body, mine.version) == ("db is very slow", 3)


def test_delete_is_soft_and_restore_brings_it_back(demo, as_person, incident) -> None:
    tom = as_person("tom.h")
    row = _note(tom, incident, "wrong incident, sorry")
    gone = entries.delete(tom, row.id)
    assert gone.deleted
    assert entries.delete(tom, row.id).deleted  # again: nothing more happens
    assert len(incident_events(tom, incident, "transcript.deleted")) == 1
    assert _count(tom, incident) == 1  # still there, for Undo and the audit
    [listed] = reading.load(tom, incident).entries
    assert listed.deleted
    back = entries.restore(tom, row.id)
    assert (back.deleted, back.body) == (False, "wrong incident, sorry")
    assert len(incident_events(tom, incident, "transcript.restored")) == 1
    with pytest.raises(NotFoundError, match="There is no transcript entry 99999"):
        entries.delete(tom, 99_999)


def _incident_row(context: ServiceContext, incident_id: int) -> tuple[datetime, int, str]:
    with context.database.reading() as session:
        found = session.get(Incident, incident_id)
        assert found is not None
        return found.last_activity_at, found.version, found.status


def test_an_entry_keeps_the_incident_from_being_quiet_without_touching_its_version(
    demo, as_person, incident, clock
) -> None:
    tom = as_person("tom.h")
    before, version, _ = _incident_row(tom, incident)
    clock.advance(timedelta(minutes=25))
    _note(tom, incident, "still looking", clock.now() - timedelta(minutes=1))
    after, version_after, _ = _incident_row(tom, incident)
    assert after == clock.now() > before  # the commit's time: the incident is not quiet
    assert version_after == version  # a status change that read the incident still applies
    # an entry backdated into the past never moves the activity back
    _note(tom, incident, "earlier", MONDAY_10_UTC - timedelta(hours=1))
    assert _incident_row(tom, incident)[0] == after


def test_an_entry_recorded_while_a_status_change_is_in_flight_conflicts_with_nothing(
    demo, database, as_person, incident, clock, monkeypatch
) -> None:
    """The commander's status change has read the incident when the scribe's entry commits;
    the status change still commits (PostgreSQL; SQLite serialises writers anyway)."""
    amara, tom = as_person("amara"), as_person("tom.h")
    clock.advance(timedelta(minutes=5))
    recorded: list[entries.EntryRow] = []
    errors: list[BaseException] = []
    real_check = lifecycle.check_status_change

    def scribe() -> None:
        try:
            recorded.append(_note(tom, incident, "mitigation is in"))
        except BaseException as error:
            errors.append(error)

    def interleaved(current: str, wanted: object) -> None:
        if database.is_postgresql and not recorded:
            thread = threading.Thread(target=scribe)
            thread.start()
            thread.join(30)
        real_check(current, wanted)  # type: ignore[arg-type]

    monkeypatch.setattr(lifecycle, "check_status_change", interleaved)
    assert lifecycle.set_status(amara, incident, "mitigated") == "investigating"
    if not database.is_postgresql:
        scribe()
    assert errors == []
    assert len(recorded) == 1
    _, _, status = _incident_row(amara, incident)
    assert status == "mitigated"
    assert len(incident_events(amara, incident, "incident.status_changed")) == 1
    assert _count(amara, incident) == 1


def test_load_gives_entries_in_time_order_and_the_timeline_s_events(
    demo, as_person, incident, clock
) -> None:
    amara, tom = as_person("amara"), as_person("tom.h")
    [page_id] = create_page(
        amara, service="kubernetes", summary="Node eu-west-7 NotReady", urgency="high"
    ).created
    lifecycle.link_page(amara, incident, page_id)
    roles.assign(amara, incident, "scribe", "tom.h")
    clock.advance(timedelta(minutes=3))
    late = _note(tom, incident, "said at the start", MONDAY_10_UTC + timedelta(seconds=30))
    early = _note(tom, incident, "impact began before we declared", MONDAY_10_UTC - timedelta(1))
    now_row = _note(tom, incident, "now", kind="decided")
    lifecycle.set_status(amara, incident, "mitigated")
    post_update(amara, incident, "internal", "Mitigated.")
    with amara.database.reading() as session:
        step = session.execute(select(RunbookStep.runbook_id, RunbookStep.step_key).limit(1)).one()
        slug = session.scalar(select(Runbook.slug).where(Runbook.id == step.runbook_id))
    set_step(amara, str(slug), step.step_key, True, incident_id=incident)
    data = reading.load(tom, incident)
    assert (data.incident_id, data.ref, data.title) == (incident, f"INC-{incident}", "Checkout 5xx")
    assert data.declared_at == MONDAY_10_UTC
    assert [e.id for e in data.entries] == [early.id, late.id, now_row.id]
    topics = [e.topic for e in data.events]
    for topic in (
        "page.triggered",  # the page's own history joins the incident's
        "incident.declared",
        "incident.page_linked",
        "incident.role_assigned",
        "incident.status_changed",
        "status_update.posted",
        "runbook.step_ticked",
    ):
        assert topic in topics, topic
    assert not [t for t in topics if t.startswith("transcript.")]  # entries are shown themselves
    assert [e.at for e in data.events] == sorted(e.at for e in data.events)
    assert data.speakers[0].rank == 0  # role holders first
    assert {s.handle for s in data.speakers if s.rank == 0} == {"amara", "tom.h"}


def test_a_time_no_incident_can_have_is_refused_and_a_replay_is_kept_at_the_nearest(
    demo, as_person, incident, clock
) -> None:
    """A bot's 9999-12-31 would reach every desktop's timeline and the report: refused with
    a sentence. The journal's replay is never refused over a skewed clock: it is clamped."""
    tom = as_person("tom.h")
    now = clock.now()
    for far in (now + timedelta(hours=2), now - timedelta(days=8)):
        with pytest.raises(ValidationError, match="must lie between a week before"):
            _note(tom, incident, "typo", far)
    assert _count(tom, incident) == 0
    ahead = _note(tom, incident, "laptop clock ahead", now + timedelta(hours=3), lenient=True)
    assert ahead.occurred_at == now
    soon = _note(tom, incident, "a bot's clock a little ahead", now + timedelta(minutes=30))
    assert soon.occurred_at == now + timedelta(minutes=30)
    with pytest.raises(ValidationError, match="must lie between a week before"):
        entries.edit(tom, soon.id, soon.version, occurred_at=now + timedelta(days=365))
