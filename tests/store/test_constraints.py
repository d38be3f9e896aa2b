"""Rules the database itself enforces, whichever client writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError, StatementError

from warroom.store.database import Database
from warroom.store.models import (
    Incident,
    Page,
    Person,
    RoleAssignment,
    Schedule,
    Service,
    Team,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _person(session, handle: str = "ada") -> Person:
    person = Person(handle=handle, name=handle.title(), time_zone="Europe/London", created_at=NOW)
    session.add(person)
    session.flush()
    return person


def _incident(session) -> Incident:
    incident = Incident(
        title="Checkout down",
        severity="SEV1",
        status="investigating",
        declared_at=NOW,
        declared_by="ada",
        last_activity_at=NOW,
    )
    session.add(incident)
    session.flush()
    return incident


def test_only_one_active_commander_per_incident(database: Database) -> None:
    with database.transaction() as session:
        ada, bob = _person(session, "ada"), _person(session, "bob")
        incident = _incident(session)
        session.add(
            RoleAssignment(
                incident_id=incident.id,
                role="incident_commander",
                person_id=ada.id,
                assigned_at=NOW,
                assigned_by="ada",
            )
        )
        ids = (ada.id, bob.id, incident.id)
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(
            RoleAssignment(
                incident_id=ids[2],
                role="incident_commander",
                person_id=ids[1],
                assigned_at=NOW,
                assigned_by="bob",
            )
        )
    # a released commander makes room; subject matter experts may be many
    with database.transaction() as session:
        current = session.query(RoleAssignment).one()
        current.released_at = NOW + timedelta(minutes=5)
        session.add(
            RoleAssignment(
                incident_id=ids[2],
                role="incident_commander",
                person_id=ids[1],
                assigned_at=NOW + timedelta(minutes=5),
                assigned_by="bob",
            )
        )
        for person_id in ids[:2]:
            session.add(
                RoleAssignment(
                    incident_id=ids[2],
                    role="subject_matter_expert",
                    person_id=person_id,
                    assigned_at=NOW,
                    assigned_by="bob",
                )
            )


def test_enum_columns_refuse_unknown_values(database: Database) -> None:
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(
            Incident(
                title="x",
                severity="SEV9",
                status="investigating",
                declared_at=NOW,
                declared_by="ada",
                last_activity_at=NOW,
            )
        )


def test_one_open_page_per_dedup_key_but_a_new_one_after_resolution(database: Database) -> None:
    with database.transaction() as session:
        team = Team(slug="platform", name="Platform")
        session.add(team)
        session.flush()
        service = Service(slug="db", name="DB", owner_team_id=team.id)
        session.add(service)
        session.flush()
        service_id = service.id

    def page(state: str) -> Page:
        return Page(
            service_id=service_id,
            dedup_key="disk-full",
            summary="Disk full",
            source="manual",
            urgency="high",
            state=state,
            triggered_at=NOW,
            last_seen_at=NOW,
        )

    with database.transaction() as session:
        session.add(page("triggered"))
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(page("acknowledged"))
    with database.transaction() as session:
        session.add(page("resolved"))  # history does not collide


def test_a_team_has_one_primary_schedule_and_any_number_of_others(database: Database) -> None:
    with database.transaction() as session:
        team = Team(slug="platform", name="Platform")
        session.add(team)
        session.flush()
        team_id = team.id
        for n, kind in enumerate(["primary", "secondary", "other", "other"]):
            session.add(
                Schedule(slug=f"s{n}", name=f"S{n}", team_id=team_id, kind=kind, time_zone="UTC")
            )
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(
            Schedule(slug="again", name="Again", team_id=team_id, kind="primary", time_zone="UTC")
        )


def test_a_team_has_one_secondary_schedule_but_each_team_has_its_own(
    database: Database,
) -> None:
    with database.transaction() as session:
        teams = [Team(slug="platform", name="Platform"), Team(slug="data", name="Data")]
        session.add_all(teams)
        session.flush()
        platform, data = (team.id for team in teams)
        for team_id in (platform, data):  # one secondary per team is fine
            session.add(
                Schedule(
                    slug=f"secondary-{team_id}",
                    name="Secondary",
                    team_id=team_id,
                    kind="secondary",
                    time_zone="UTC",
                )
            )
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(
            Schedule(
                slug="again", name="Again", team_id=platform, kind="secondary", time_zone="UTC"
            )
        )
    with database.transaction() as session:  # refused alone, not with the rest
        assert session.query(Schedule).filter_by(kind="secondary").count() == 2


def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError), database.transaction() as session:
        session.add(
            RoleAssignment(
                incident_id=999, role="scribe", person_id=999, assigned_at=NOW, assigned_by="x"
            )
        )
        session.flush()


def test_naive_datetimes_are_refused_and_utc_comes_back(database: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"), database.transaction() as s:
        _person(s, "naive").created_at = datetime(2026, 1, 1)
        s.flush()
    with database.transaction() as session:
        _person(session, "zoned").created_at = datetime(2026, 1, 1, 9, tzinfo=UTC)
    with database.reading() as session:
        stored = session.query(Person).filter_by(handle="zoned").one().created_at
    assert stored == datetime(2026, 1, 1, 9, tzinfo=UTC)
    assert stored.tzinfo is not None


def test_version_columns_detect_concurrent_edits(database: Database) -> None:
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    with database.transaction() as session:
        person_id = _person(session).id
    first = Session(database.engine, expire_on_commit=False)
    second = Session(database.engine, expire_on_commit=False)
    mine = first.get(Person, person_id)  # read in one transaction, as a form would
    first.commit()
    theirs = second.get(Person, person_id)
    assert mine is not None
    assert theirs is not None
    theirs.name = "Theirs"
    second.commit()
    mine.name = "Mine"
    with pytest.raises(StaleDataError):
        first.commit()
    first.close()
    second.close()
