"""The demo organisation: a realistic shop with four teams, seeded idempotently.

Running the seed twice adds nothing the second time: every row is looked up by its natural
key (handle, slug, dedup key, title) before it is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.domain.durations import parse_duration
from warroom.domain.errors import ValidationError
from warroom.domain.events import NewEvent
from warroom.domain.incidents import incident_ref
from warroom.domain.roster_file import parse_roster
from warroom.domain.vocabulary import (
    IncidentRole,
    IncidentStatus,
    NotificationReason,
    PageState,
)
from warroom.services.context import ServiceContext, UnitOfWork, unit_of_work
from warroom.services.incidents.common import incident_payload
from warroom.services.roster import RosterChanges, apply_roster
from warroom.services.runbooks import apply_runbook_files, match_runbook
from warroom.store.models import (
    Incident,
    Notification,
    Page,
    Participant,
    Person,
    RoleAssignment,
    Service,
    StatusUpdate,
    Team,
    TranscriptEntry,
)

DEMO_PACKAGE = "warroom.resources"


@dataclass
class SeedReport:
    """What the seed added, per kind of thing; all zeros on a second run."""

    added: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.added[kind] = self.added.get(kind, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.added.values())

    def describe(self) -> str:
        if not self.total:
            return "The demo organisation is already there; nothing was added."
        parts = ", ".join(f"{n} {kind}" for kind, n in self.added.items())
        return f"Seeded the demo organisation: {parts}."


def demo_roster_text() -> str:
    return (resources.files(DEMO_PACKAGE) / "demo" / "organisation.yaml").read_text("utf-8")


def load_demo_files() -> tuple[str, dict[str, Any], dict[str, str]]:
    root = resources.files(DEMO_PACKAGE)
    organisation = demo_roster_text()
    history = yaml.safe_load((root / "demo" / "history.yaml").read_text("utf-8"))
    runbooks = {
        entry.name.removesuffix(".md"): entry.read_text("utf-8")
        for entry in (root / "runbooks").iterdir()
        if entry.name.endswith(".md")
    }
    return organisation, history, runbooks


def seed_demo(context: ServiceContext) -> SeedReport:
    """Seed the demo organisation in one transaction; a second run adds nothing."""
    organisation, history, runbooks = load_demo_files()
    report = SeedReport()
    with unit_of_work(context) as work:
        seeder = _Seeder(work, report)
        seeder.roster(organisation)
        seeder.runbooks(runbooks)
        seeder.incidents(history["incidents"])
        seeder.pages(history["pages"])
        # The past goes into the feed in the order it happened, so timelines read right.
        work.events[0:0] = sorted(seeder.history, key=lambda e: e.at or work.now)
        if report.total:
            work.emit(
                "demo.seeded",
                "organisation",
                "demo",
                {
                    "people": len(seeder.person_ids),
                    "teams": len(seeder.team_ids),
                    "summary": report.describe(),
                },
            )
    return report


class _Seeder:
    def __init__(self, work: UnitOfWork, report: SeedReport) -> None:
        self.work = work
        self.session: Session = work.session
        self.report = report
        self.now = work.now
        self.person_ids: dict[str, int] = {}
        self.team_ids: dict[str, int] = {}
        self.support_ids: dict[str, int] = {}
        self.schedule_ids: dict[str, int] = {}
        self.policy_ids: dict[str, int] = {}
        self.service_ids: dict[str, int] = {}
        self.incident_ids: dict[str, int] = {}
        self.history: list[NewEvent] = []

    def _existing(self, model: Any, key_column: Any) -> dict[str, int]:
        return {key: id_ for key, id_ in self.session.execute(select(key_column, model.id))}

    def person(self, handle: str) -> int:
        try:
            return self.person_ids[handle]
        except KeyError:
            raise ValidationError(f"the demo names an unknown person '{handle}'") from None

    def roster(self, text: str) -> None:
        """The roster part goes through roster-as-code, adding and updating only."""
        spec = parse_roster(text, "demo/organisation.yaml", today=self.now.date())
        changes = RosterChanges()
        apply_roster(self.work, spec, changes, prune=False)
        for item in changes.added:
            kind = item.split(" ")[0]
            kind = {
                "person": "people",
                "support": "support hours",
                "escalation": "escalation policies",
                "incident": "incident paces",
                "update": "update templates",
            }.get(kind, kind + "s")
            self.report.count(kind)
        self.session.flush()
        self.person_ids = self._existing(Person, Person.handle)
        self.team_ids = self._existing(Team, Team.slug)
        self.service_ids = self._existing(Service, Service.slug)

    def runbooks(self, files: dict[str, str]) -> None:
        """The demo library goes through the runbook importer, never retiring anything."""
        report = apply_runbook_files(
            self.work, {f"{slug}.md": text for slug, text in files.items()}, retire_missing=False
        )
        for _ in report.added:
            self.report.count("runbooks")
        self.session.flush()

    # ------------------------------------------------------------------ history

    def incidents(self, specs: list[dict[str, Any]]) -> None:
        self.incident_ids = self._existing(Incident, Incident.title)
        for spec in specs:
            if spec["title"] in self.incident_ids:
                continue
            declared = self.now - parse_duration(spec["ago"])
            commander = spec["roles"].get("incident_commander")
            incident = Incident(
                title=spec["title"],
                summary=" ".join(spec.get("summary", "").split()),
                severity=spec["severity"],
                status=IncidentStatus.INVESTIGATING.value,
                service_id=self.service_ids[spec["service"]],
                declared_at=declared,
                declared_by=commander or self.work.actor,
                bridge_url=spec.get("bridge_url"),
                last_activity_at=declared,
            )
            self.session.add(incident)
            self.session.flush()
            self.incident_ids[incident.title] = incident.id
            self.report.count("incidents")
            self._incident_history(incident, spec, declared)

    def _incident_history(self, incident: Incident, spec: dict[str, Any], start: datetime) -> None:
        iid = incident.id
        self._past(
            start,
            incident.declared_by,
            "incident.declared",
            "incident",
            iid,
            {**incident_payload(incident), "handle": incident.declared_by},
            iid,
        )
        people: set[int] = set()
        for role_name, holders in spec["roles"].items():
            role = IncidentRole(role_name)
            for offset, handle in enumerate(holders if isinstance(holders, list) else [holders]):
                person_id = self.person(handle)
                people.add(person_id)
                assigned = start + timedelta(minutes=1 + offset)
                assignment = RoleAssignment(
                    incident_id=iid,
                    role=role.value,
                    person_id=person_id,
                    assigned_at=assigned,
                    assigned_by=incident.declared_by,
                )
                self.session.add(assignment)
                self._past(
                    assigned,
                    incident.declared_by,
                    "incident.role_assigned",
                    "incident",
                    iid,
                    {**incident_payload(incident), "handle": handle, "role": role.value},
                    iid,
                )
        for person_id in sorted(people):
            self.session.add(Participant(incident_id=iid, person_id=person_id, joined_at=start))
        scribe = spec["roles"].get("scribe", incident.declared_by)
        for n, entry in enumerate(spec.get("transcript", [])):
            at = start + parse_duration(entry["at"])
            transcript = TranscriptEntry(
                incident_id=iid,
                client_uuid=f"demo-{iid:04d}-{n:04d}-seed",
                kind=entry["kind"],
                body=entry["text"],
                speaker_id=self.person(entry["speaker"]),
                author=scribe,
                occurred_at=at,
                recorded_at=at + timedelta(seconds=20),
                mark=entry.get("mark"),
                owner_id=self.person(entry["owner"]) if entry.get("owner") else None,
                done_at=at + timedelta(minutes=9) if entry.get("done") else None,
                done_by=entry["owner"] if entry.get("done") else None,
            )
            self.session.add(transcript)
            self.session.flush()
            incident.last_activity_at = max(incident.last_activity_at, at)
            self._past(
                at + timedelta(seconds=20),
                scribe,
                "transcript.recorded",
                "transcript",
                transcript.id,
                {
                    "incident_id": iid,
                    "ref": incident_ref(iid),
                    "kind": entry["kind"],
                    "excerpt": _excerpt(entry["text"]),
                },
                iid,
            )
        for update in spec.get("status_updates", []):
            posted = start + parse_duration(update["at"])
            poster = spec["roles"].get("communication_coordinator", incident.declared_by)
            status_update = StatusUpdate(
                incident_id=iid,
                audience=update["audience"],
                status=update["status"],
                body=update["text"],
                posted_at=posted,
                posted_by=poster,
            )
            self.session.add(status_update)
            self.session.flush()
            self._past(
                posted,
                poster,
                "status_update.posted",
                "status_update",
                status_update.id,
                {
                    "incident_id": iid,
                    "ref": incident_ref(iid),
                    "audience": update["audience"],
                    "excerpt": _excerpt(update["text"]),
                },
                iid,
            )
        for change in spec.get("statuses", []):
            at = start + parse_duration(change["at"])
            incident.status = change["status"]
            incident.last_activity_at = max(incident.last_activity_at, at)
            if change["status"] == "mitigated":
                incident.mitigated_at = at
            elif change["status"] == "resolved":
                incident.resolved_at = at
            elif change["status"] == "closed":
                incident.closed_at = at
            self._past(
                at,
                incident.declared_by,
                "incident.status_changed",
                "incident",
                iid,
                {**incident_payload(incident), "status": change["status"]},
                iid,
            )

    def _past(
        self,
        at: datetime,
        actor: str,
        topic: str,
        entity: str,
        entity_id: int,
        payload: dict[str, Any],
        incident_id: int | None = None,
    ) -> None:
        """Collect a backdated event; they are appended in time order at the end."""
        self.history.append(
            NewEvent(topic, entity, str(entity_id), payload, incident_id, at, actor)
        )

    def pages(self, specs: list[dict[str, Any]]) -> None:
        existing = set(self.session.scalars(select(Page.dedup_key)))
        for spec in specs:
            if spec["dedup_key"] in existing:
                continue
            self._page(spec)
            existing.add(spec["dedup_key"])
            self.report.count("pages")

    def _page(self, spec: dict[str, Any]) -> None:
        service = self.session.get(Service, self.service_ids[spec["service"]])
        assert service is not None
        triggered = self.now - parse_duration(spec["ago"])
        url = spec.get("annotations", {}).get("runbook_url")
        runbook_id = match_runbook(
            self.session, service.id, spec.get("labels", {}), spec.get("annotations", {})
        )
        page = Page(
            service_id=service.id,
            dedup_key=spec["dedup_key"],
            summary=spec["summary"],
            source=spec["source"],
            urgency=spec["urgency"],
            state=PageState.TRIGGERED.value,
            labels=spec.get("labels", {}),
            annotations=spec.get("annotations", {}),
            runbook_url=url,
            runbook_id=runbook_id,
            escalation_policy_id=service.escalation_policy_id,
            triggered_at=triggered,
            last_seen_at=triggered,
            incident_id=self.incident_ids.get(spec["incident"]) if "incident" in spec else None,
        )
        self.session.add(page)
        self.session.flush()
        summary = {"page_id": page.id, "summary": page.summary, "service": service.name}
        self._past(
            triggered, spec["source"], "page.triggered", "page", page.id, summary, page.incident_id
        )
        for escalation in spec.get("escalated", []):
            page.escalation_level = int(escalation["level"])
            self._past(
                triggered + parse_duration(escalation["after"]),
                "escalation",
                "page.escalated",
                "page",
                page.id,
                {**summary, "level": page.escalation_level + 1},
                page.incident_id,
            )
        if "acknowledged" in spec:
            ack = spec["acknowledged"]
            page.state = PageState.ACKNOWLEDGED.value
            page.acknowledged_at = triggered + parse_duration(ack["after"])
            page.acknowledged_by_id = self.person(ack["by"])
            self.session.add(
                Notification(
                    page_id=page.id,
                    person_id=page.acknowledged_by_id,
                    escalation_level=page.escalation_level,
                    reason=(
                        NotificationReason.ESCALATION
                        if page.escalation_level
                        else NotificationReason.INITIAL
                    ).value,
                    created_at=triggered,
                    delivered_at=triggered,
                    acted_at=page.acknowledged_at,
                )
            )
            self._past(
                page.acknowledged_at,
                ack["by"],
                "page.acknowledged",
                "page",
                page.id,
                summary,
                page.incident_id,
            )
        if "resolved" in spec:
            resolution = spec["resolved"]
            page.state = PageState.RESOLVED.value
            page.resolved_at = triggered + parse_duration(resolution["after"])
            if "by" in resolution:
                page.resolved_by_id = self.person(resolution["by"])
            self._past(
                page.resolved_at,
                resolution.get("by", spec["source"]),
                "page.resolved",
                "page",
                page.id,
                summary,
                page.incident_id,
            )


def _excerpt(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
