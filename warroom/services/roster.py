"""Roster as code: import a roster file into the database and export it back.

Import is idempotent and reports what it added, changed and removed; ``dry_run`` reports
without writing. The file is the source of truth for what it declares, with two exceptions
that protect history: a person left out of the file is deactivated (their pages and incident
roles stay), and a service that has pages or incidents is kept. Overrides made in the app
(``I'll take this shift``) are never removed by an import; overrides that came from a file and
left it are.

A file that declares no people is refused outright, and an import that would remove much
needs ``allow_removals`` (see :mod:`warroom.services.roster_removals`): an empty or cut-off
file must not be able to wipe out the roster with a cheerful "done".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from warroom.domain.errors import RemovalRefusedError
from warroom.domain.roster_file import (
    DeliverySpec,
    LayerSpec,
    LevelSpec,
    OverrideSpec,
    PersonSpec,
    PolicySpec,
    RestrictionSpec,
    RosterFileError,
    RosterSpec,
    ScheduleSpec,
    ServiceSpec,
    SeverityPaceSpec,
    SupportHoursSpec,
    TargetSpec,
    TeamSpec,
    UpdatesSpec,
    UpdateTemplateSpec,
    updates_spec,
)
from warroom.domain.vocabulary import ScheduleKind
from warroom.services.context import ServiceContext, UnitOfWork, reading, unit_of_work
from warroom.services.roster_removals import RemovalPlan, join_and, plan_removals
from warroom.store.models import (
    DeliveryTarget,
    EscalationLevel,
    EscalationPolicy,
    EscalationTarget,
    LayerMember,
    LayerRestriction,
    Page,
    Person,
    PersonExpertise,
    RotationLayer,
    Schedule,
    ScheduleOverride,
    Service,
    SeverityPolicyRow,
    SupportHours,
    SupportWindow,
    Team,
    TeamMembership,
    UpdateTemplate,
)

FROM_FILE = "roster-file"
_Slugged = TypeVar("_Slugged", Team, SupportHours, EscalationPolicy, Service)


@dataclass
class RosterChanges:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    dry_run: bool = False
    #: Why this import needs ``allow_removals`` ("deactivate 26 of 29 people"), if it does.
    needs_consent: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def describe(self) -> str:
        lines = []
        verb = "would be " if self.dry_run else ""
        for title, items in (
            ("added", self.added),
            ("changed", self.changed),
            ("removed", self.removed),
            ("kept", self.kept),
        ):
            if items:
                lines.append(f"{verb if title != 'kept' else ''}{title} ({len(items)}):")
                lines.extend(f"  {item}" for item in items)
        if not lines:
            return "The roster is already up to date; nothing to change."
        if self.needs_consent and self.dry_run:
            lines.append("It removes a lot, so it needs --allow-removals; it would:")
            lines.extend(f"  {reason}" for reason in self.needs_consent)
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return "\n".join(lines)

    def refusal(self) -> str:
        """The sentence for an import refused for want of ``allow_removals``."""
        return (
            f"This roster file would {join_and(self.needs_consent)}; nothing was changed. Run it "
            "with --dry-run to see every change, and with --allow-removals if that is what "
            "you mean."
        )


class _DryRunError(Exception):
    """Raised inside the transaction so a dry run rolls back what it did."""


def import_roster(
    context: ServiceContext,
    spec: RosterSpec,
    *,
    dry_run: bool = False,
    allow_removals: bool = False,
    source: str = "roster",
) -> RosterChanges:
    """Apply ``spec``; see the module's docstring for what is removed and what is refused.

    Raises :class:`RosterFileError` for problems only the database shows (nothing changed,
    dry run or not) and :class:`RemovalRefusedError` for a large removal without
    ``allow_removals`` (a dry run reports it in ``needs_consent`` instead).
    """
    changes = RosterChanges(dry_run=dry_run)
    try:
        with unit_of_work(context) as work:
            apply_roster(work, spec, changes, allow_removals=allow_removals)
            if not changes.empty:
                work.emit(
                    "roster.imported",
                    "roster",
                    source,
                    {
                        "summary": f"imported {source}: {len(changes.added)} added, "
                        f"{len(changes.changed)} changed, {len(changes.removed)} removed",
                    },
                )
            if dry_run:
                raise _DryRunError
    except _DryRunError:
        pass
    return changes


def export_roster(context: ServiceContext) -> RosterSpec:
    with reading(context) as session:
        return read_roster(session, since=context.clock.now())


# ----------------------------------------------------------------------------- reading


def read_roster(session: Session, since: datetime | None = None) -> RosterSpec:
    """The roster as it is in the database (overrides ending after ``since``)."""
    handles = dict(session.execute(select(Person.id, Person.handle)).all())
    team_slugs = dict(session.execute(select(Team.id, Team.slug)).all())
    schedule_slugs = dict(session.execute(select(Schedule.id, Schedule.slug)).all())
    policy_slugs = dict(session.execute(select(EscalationPolicy.id, EscalationPolicy.slug)).all())
    support_slugs = dict(session.execute(select(SupportHours.id, SupportHours.slug)).all())

    people = tuple(
        PersonSpec(
            p.handle, p.name, p.time_zone, p.email, p.phone, tuple(e.tag for e in p.expertise)
        )
        for p in session.scalars(select(Person).where(Person.active).order_by(Person.id))
    )
    teams = tuple(
        TeamSpec(
            t.slug,
            t.name,
            t.description,
            tuple(
                (handles[m.person_id], m.role) for m in sorted(t.memberships, key=lambda m: m.id)
            ),
        )
        for t in session.scalars(select(Team).order_by(Team.id))
    )
    support = tuple(
        SupportHoursSpec(
            s.slug,
            s.name,
            s.time_zone,
            tuple(
                (w.weekday, w.start_minute, w.end_minute)
                for w in sorted(s.windows, key=lambda w: w.id)
            ),
            s.holiday_country,
            s.holiday_subdivision,
        )
        for s in session.scalars(select(SupportHours).order_by(SupportHours.id))
    )
    schedules = []
    for schedule in session.scalars(select(Schedule).order_by(Schedule.id)):
        overrides_query = (
            select(ScheduleOverride)
            .where(ScheduleOverride.schedule_id == schedule.id)
            .order_by(ScheduleOverride.starts_at, ScheduleOverride.id)
        )
        if since is not None:
            overrides_query = overrides_query.where(ScheduleOverride.ends_at > since)
        schedules.append(
            ScheduleSpec(
                schedule.slug,
                schedule.name,
                team_slugs[schedule.team_id],
                schedule.kind,
                schedule.time_zone,
                tuple(_layer_spec(layer, handles) for layer in schedule.layers),
                tuple(
                    OverrideSpec(handles[o.person_id], o.starts_at, o.ends_at, o.reason)
                    for o in session.scalars(overrides_query)
                ),
            )
        )
    policies = tuple(
        PolicySpec(
            p.slug,
            p.name,
            p.repeat_count,
            p.ack_timeout_minutes,
            tuple(
                LevelSpec(
                    level.delay_minutes,
                    tuple(
                        TargetSpec(
                            t.kind,
                            _target_ref(t, schedule_slugs, handles),
                        )
                        for t in sorted(level.targets, key=lambda t: t.id)
                    ),
                )
                for level in p.levels
            ),
        )
        for p in session.scalars(select(EscalationPolicy).order_by(EscalationPolicy.id))
    )
    services = tuple(
        ServiceSpec(
            s.slug,
            s.name,
            s.description,
            team_slugs[s.owner_team_id],
            policy_slugs.get(s.escalation_policy_id) if s.escalation_policy_id else None,
            support_slugs.get(s.support_hours_id) if s.support_hours_id else None,
            dict(s.urgency_rules or {}),
            s.catch_all,
        )
        for s in session.scalars(select(Service).order_by(Service.id))
    )
    severities = tuple(
        SeverityPaceSpec(
            row.severity,
            row.quiet_minutes,
            row.mitigated_minutes,
            row.staffing_minutes,
            row.close_minutes,
            row.update_minutes,
        )
        for row in session.scalars(select(SeverityPolicyRow).order_by(SeverityPolicyRow.severity))
    )
    updates = updates_spec(
        (
            UpdateTemplateSpec(t.scope, t.audience, t.body)
            for t in session.scalars(select(UpdateTemplate))
        ),
        (
            DeliverySpec(d.audience, d.name, d.url_env, d.url_keyring, d.format)
            for d in session.scalars(select(DeliveryTarget))
        ),
    )
    return RosterSpec(
        people, teams, support, tuple(schedules), policies, services, severities, updates
    )


def _target_ref(
    target: EscalationTarget, schedules: dict[int, str], handles: dict[int, str]
) -> str:
    if target.kind == "schedule" and target.schedule_id is not None:
        return schedules[target.schedule_id]
    if target.kind == "person" and target.person_id is not None:
        return handles[target.person_id]
    return str(target.expertise)


def _layer_spec(layer: RotationLayer, handles: dict[int, str]) -> LayerSpec:
    return LayerSpec(
        layer.name,
        layer.rotation_kind,
        layer.rotation_length,
        layer.handoff_weekday,
        layer.handoff_minute,
        layer.start_date,
        layer.end_date,
        tuple(handles[m.person_id] for m in layer.members),
        tuple(
            RestrictionSpec(r.kind, r.start_minute, r.duration_minutes, r.start_weekday)
            for r in sorted(layer.restrictions, key=lambda r: r.id)
        ),
    )


# ----------------------------------------------------------------------------- writing


def apply_roster(
    work: UnitOfWork,
    spec: RosterSpec,
    changes: RosterChanges,
    *,
    prune: bool = True,
    allow_removals: bool = False,
) -> None:
    """Apply ``spec`` inside a caller's unit of work (the demo seeds in one transaction)."""
    _Importer(work, changes, prune, allow_removals).run(spec)


class _Importer:
    """Applies a roster spec. ``prune=False`` only adds and updates (the demo uses it, so
    seeding a database that already holds a real roster never removes anyone)."""

    def __init__(
        self,
        work: UnitOfWork,
        changes: RosterChanges,
        prune: bool = True,
        allow_removals: bool = False,
    ) -> None:
        self.work = work
        self.session = work.session
        self.changes = changes
        self.prune = prune
        self.allow_removals = allow_removals

    def run(self, spec: RosterSpec) -> None:
        plan = self._plan(spec) if self.prune else None
        if plan is not None:
            self._demote(plan.schedules)
        current = read_roster(self.session)
        self.people(spec.people, current.people)
        ids = self._ids()
        self.teams(spec.teams, current.teams, ids)
        self.support_hours(spec.support_hours, current.support_hours)
        self.session.flush()
        ids = self._ids()
        self.schedules(spec.schedules, current.schedules, ids)
        self.session.flush()
        ids = self._ids()
        self.policies(spec.escalation_policies, current.escalation_policies, ids)
        self.session.flush()
        ids = self._ids()
        self.services(spec.services, current.services, ids)
        self.severities(spec.severities, current.severities)
        self.updates(spec.updates, current.updates)
        if plan is not None:
            self._remove(plan)

    def severities(
        self, wanted: tuple[SeverityPaceSpec, ...], current: tuple[SeverityPaceSpec, ...]
    ) -> None:
        """The pace per severity is exactly what the file says; a severity it leaves out
        keeps the defaults (``prune=False`` only adds and updates)."""
        have = {pace.severity: pace for pace in current}
        for pace in wanted:
            if have.get(pace.severity) == pace:
                continue
            row = self.session.get(SeverityPolicyRow, pace.severity)
            if row is None:
                row = SeverityPolicyRow(severity=pace.severity)
                self.session.add(row)
                self.changes.added.append(f"incident pace {pace.severity}")
            else:
                self.changes.changed.append(f"incident pace {pace.severity}")
            row.quiet_minutes = pace.quiet_minutes
            row.mitigated_minutes = pace.mitigated_minutes
            row.staffing_minutes = pace.staffing_minutes
            row.close_minutes = pace.close_minutes
            row.update_minutes = pace.update_minutes
            row.needs_staff = pace.staffing_minutes is not None
        if self.prune:
            for severity in set(have) - {pace.severity for pace in wanted}:
                row = self.session.get(SeverityPolicyRow, severity)
                if row is not None:
                    self.session.delete(row)
                    self.changes.removed.append(f"incident pace {severity} (back to defaults)")

    def updates(self, wanted: UpdatesSpec, current: UpdatesSpec) -> None:
        """Update templates and webhooks are exactly what the file says (a template it
        leaves out falls back to everyone's, then to the one that ships)."""
        have = {(t.scope, t.audience): t for t in current.templates}
        want = {(t.scope, t.audience): t for t in wanted.templates}
        for (scope, audience), template in want.items():
            label = f"update template {scope + '/' if scope else ''}{audience}"
            if have.get((scope, audience)) == template:
                continue
            row = self.session.scalar(
                select(UpdateTemplate).where(
                    UpdateTemplate.scope == scope, UpdateTemplate.audience == audience
                )
            )
            if row is None:
                row = UpdateTemplate(scope=scope, audience=audience)
                self.session.add(row)
                self.changes.added.append(label)
            else:
                self.changes.changed.append(label)
            row.body = template.body
        targets = {d.audience: d for d in current.deliveries}
        for delivery in wanted.deliveries:
            if targets.get(delivery.audience) == delivery:
                continue
            target = self.session.get(DeliveryTarget, delivery.audience)
            label = f"update delivery {delivery.audience} → {delivery.name}"
            if target is None:
                target = DeliveryTarget(audience=delivery.audience)
                self.session.add(target)
                self.changes.added.append(label)
            else:
                self.changes.changed.append(label)
            target.name, target.format = delivery.name, delivery.format
            target.url_env, target.url_keyring = delivery.url_env, delivery.url_keyring
        if not self.prune:
            return
        for scope, audience in sorted(set(have) - set(want)):
            self.session.execute(
                delete(UpdateTemplate).where(
                    UpdateTemplate.scope == scope, UpdateTemplate.audience == audience
                )
            )
            self.changes.removed.append(f"update template {scope + '/' if scope else ''}{audience}")
        for audience in sorted(set(targets) - {d.audience for d in wanted.deliveries}):
            self.session.execute(delete(DeliveryTarget).where(DeliveryTarget.audience == audience))
            self.changes.removed.append(f"update delivery {audience}")

    def _demote(self, leaving: tuple[str, ...]) -> None:
        """A schedule on its way out gives up its team's primary or secondary slot first, so
        the file's new schedule can take it (renaming a team's primary schedule)."""
        for schedule in self.session.scalars(
            select(Schedule).where(Schedule.slug.in_(leaving), Schedule.kind != ScheduleKind.OTHER)
        ):
            schedule.kind = ScheduleKind.OTHER.value
        self.session.flush()

    def _plan(self, spec: RosterSpec) -> RemovalPlan:
        """Decide every removal before the first write; refuse what must be refused."""
        if not spec.people:
            raise RosterFileError(
                [
                    f"{spec.where('people')}: the file declares no people; importing it would "
                    "deactivate everyone and remove every team, schedule and service (is it "
                    "empty or cut off?)"
                ]
            )
        plan = plan_removals(self.session, spec, self.work.now)
        if plan.problems:
            raise RosterFileError(list(plan.problems))
        self.changes.needs_consent = plan.consent_reasons()
        if self.changes.needs_consent and not (self.allow_removals or self.changes.dry_run):
            raise RemovalRefusedError(self.changes.refusal())
        return plan

    def _find_or_create(
        self, model: type[_Slugged], slug: str, label: str
    ) -> tuple[_Slugged, bool]:
        """The row with this slug, or a new one; either way the change is recorded."""
        row = self.session.scalar(select(model).where(model.slug == slug))
        if row is None:
            row = model(slug=slug)
            self.session.add(row)
            self.changes.added.append(f"{label} {slug}")
            return row, True
        self.changes.changed.append(f"{label} {slug}")
        return row, False

    def _ids(self) -> dict[str, dict[str, int]]:
        s = self.session
        return {
            "person": dict(s.execute(select(Person.handle, Person.id)).all()),
            "team": dict(s.execute(select(Team.slug, Team.id)).all()),
            "schedule": dict(s.execute(select(Schedule.slug, Schedule.id)).all()),
            "policy": dict(s.execute(select(EscalationPolicy.slug, EscalationPolicy.id)).all()),
            "support": dict(s.execute(select(SupportHours.slug, SupportHours.id)).all()),
        }

    # people ----------------------------------------------------------------

    def people(self, wanted: tuple[PersonSpec, ...], current: tuple[PersonSpec, ...]) -> None:
        existing = {p.handle: p for p in current}
        for spec in wanted:
            person = self.session.scalar(select(Person).where(Person.handle == spec.handle))
            if person is None:
                person = Person(handle=spec.handle, created_at=self.work.now)
                self.session.add(person)
                self.changes.added.append(f"person {spec.handle}")
            elif not person.active:
                self.changes.added.append(f"person {spec.handle} (reactivated)")
            elif existing.get(spec.handle) != spec:
                self.changes.changed.append(f"person {spec.handle}")
            else:
                continue
            person.name, person.time_zone = spec.name, spec.time_zone
            person.email, person.phone, person.active = spec.email, spec.phone, True
            if tuple(e.tag for e in person.expertise) != spec.expertise:
                person.expertise = []
                self.session.flush()
                person.expertise = [PersonExpertise(tag=tag) for tag in spec.expertise]

    # teams -----------------------------------------------------------------

    def teams(
        self,
        wanted: tuple[TeamSpec, ...],
        current: tuple[TeamSpec, ...],
        ids: dict[str, dict[str, int]],
    ) -> None:
        existing = {t.slug: t for t in current}
        for spec in wanted:
            if existing.get(spec.slug) == spec:
                continue
            team, _new = self._find_or_create(Team, spec.slug, "team")
            team.name, team.description = spec.name, spec.description
            team.memberships = []
            self.session.flush()  # the old rows go before the new ones meet the unique key
            team.memberships = [
                TeamMembership(person_id=ids["person"][handle], role=role)
                for handle, role in spec.members
            ]

    def support_hours(
        self, wanted: tuple[SupportHoursSpec, ...], current: tuple[SupportHoursSpec, ...]
    ) -> None:
        existing = {s.slug: s for s in current}
        for spec in wanted:
            if existing.get(spec.slug) == spec:
                continue
            hours, new = self._find_or_create(SupportHours, spec.slug, "support hours")
            if not new:
                hours.windows = []
                self.session.flush()
            hours.name, hours.time_zone = spec.name, spec.time_zone
            hours.holiday_country = spec.holiday_country
            hours.holiday_subdivision = spec.holiday_subdivision
            hours.windows = [
                SupportWindow(weekday=d, start_minute=s, end_minute=e) for d, s, e in spec.windows
            ]

    # schedules -------------------------------------------------------------

    def schedules(
        self,
        wanted: tuple[ScheduleSpec, ...],
        current: tuple[ScheduleSpec, ...],
        ids: dict[str, dict[str, int]],
    ) -> None:
        existing = {s.slug: s for s in current}
        people = ids["person"]
        for spec in wanted:
            before = existing.get(spec.slug)
            schedule = self.session.scalar(select(Schedule).where(Schedule.slug == spec.slug))
            same_shape = before is not None and _without_overrides(before) == _without_overrides(
                spec
            )
            if schedule is None:
                schedule = Schedule(slug=spec.slug)
                self.session.add(schedule)
                self.changes.added.append(f"schedule {spec.slug}")
            elif not same_shape:
                self.changes.changed.append(f"schedule {spec.slug}")
                schedule.layers = []
                self.session.flush()
            if not same_shape:
                schedule.name, schedule.kind = spec.name, spec.kind
                schedule.team_id, schedule.time_zone = ids["team"][spec.team], spec.time_zone
                schedule.layers = [
                    _layer_row(position, layer, people)
                    for position, layer in enumerate(spec.layers)
                ]
                self.session.flush()
            self._overrides(schedule, spec, people)

    def _overrides(self, schedule: Schedule, spec: ScheduleSpec, people: dict[str, int]) -> None:
        rows = self.session.scalars(
            select(ScheduleOverride).where(ScheduleOverride.schedule_id == schedule.id)
        ).all()
        have = {(r.person_id, r.starts_at, r.ends_at): r for r in rows}
        want = {(people[o.person], o.starts_at, o.ends_at): o for o in spec.overrides}
        for key, override in want.items():
            if key not in have:
                self.session.add(
                    ScheduleOverride(
                        schedule_id=schedule.id,
                        person_id=key[0],
                        starts_at=key[1],
                        ends_at=key[2],
                        reason=override.reason,
                        created_by=FROM_FILE,
                        created_at=self.work.now,
                    )
                )
                self.changes.added.append(
                    f"override {spec.slug}: {override.person} {key[1]:%Y-%m-%d %H:%M}Z"
                )
        for key, row in have.items():
            if key not in want and row.created_by == FROM_FILE:
                self.session.delete(row)
                self.changes.removed.append(f"override {spec.slug} {key[1]:%Y-%m-%d %H:%M}Z")

    # escalation and services -----------------------------------------------

    def policies(
        self,
        wanted: tuple[PolicySpec, ...],
        current: tuple[PolicySpec, ...],
        ids: dict[str, dict[str, int]],
    ) -> None:
        existing = {p.slug: p for p in current}
        for spec in wanted:
            if existing.get(spec.slug) == spec:
                continue
            policy, new = self._find_or_create(EscalationPolicy, spec.slug, "escalation policy")
            if not new:
                policy.levels = []
                self.session.flush()
            policy.name, policy.repeat_count = spec.name, spec.repeat_count
            policy.ack_timeout_minutes = spec.ack_timeout_minutes
            policy.levels = [
                EscalationLevel(
                    position=n,
                    delay_minutes=level.delay_minutes,
                    targets=[
                        EscalationTarget(
                            kind=t.kind,
                            schedule_id=ids["schedule"][t.ref] if t.kind == "schedule" else None,
                            person_id=ids["person"][t.ref] if t.kind == "person" else None,
                            expertise=t.ref if t.kind == "expertise" else None,
                        )
                        for t in level.targets
                    ],
                )
                for n, level in enumerate(spec.levels)
            ]

    def services(
        self,
        wanted: tuple[ServiceSpec, ...],
        current: tuple[ServiceSpec, ...],
        ids: dict[str, dict[str, int]],
    ) -> None:
        existing = {s.slug: s for s in current}
        # The catch-all moves (or goes) before anyone takes it: one at a time, by index.
        catch_all = next((s.slug for s in wanted if s.catch_all), None)
        for row in self.session.scalars(select(Service).where(Service.catch_all)).all():
            if row.slug != catch_all:
                row.catch_all = False
                if row.slug not in {s.slug for s in wanted}:
                    self.changes.changed.append(f"service {row.slug} (no longer the catch-all)")
        self.session.flush()
        for spec in wanted:
            if existing.get(spec.slug) == spec:
                continue
            service, _new = self._find_or_create(Service, spec.slug, "service")
            service.name, service.description = spec.name, spec.description
            service.owner_team_id = ids["team"][spec.team]
            service.escalation_policy_id = (
                ids["policy"][spec.escalation_policy] if spec.escalation_policy else None
            )
            service.support_hours_id = (
                ids["support"][spec.support_hours] if spec.support_hours else None
            )
            service.urgency_rules = dict(spec.urgency)
            service.catch_all = spec.catch_all

    # removal ---------------------------------------------------------------

    def _remove(self, plan: RemovalPlan) -> None:
        """Carry out the plan: everything in it was checked to be removable."""
        s = self.session
        for slug, why in plan.kept_services:
            self.changes.kept.append(f"service {slug} ({why})")
        for slug in plan.services:
            s.delete(s.scalars(select(Service).where(Service.slug == slug)).one())
            self.changes.removed.append(f"service {slug}")
        for slug in plan.policies:
            policy = s.scalars(select(EscalationPolicy).where(EscalationPolicy.slug == slug)).one()
            detached = plan.detached_pages.get(slug, 0)
            if detached:
                s.execute(
                    update(Page)
                    .where(Page.escalation_policy_id == policy.id)
                    .values(escalation_policy_id=None, version=Page.version + 1)
                )
            s.delete(policy)
            note = f" ({detached} resolved pages no longer name it)" if detached else ""
            self.changes.removed.append(f"escalation policy {slug}{note}")
        s.flush()
        for slug in plan.schedules:
            schedule = s.scalars(select(Schedule).where(Schedule.slug == slug)).one()
            s.execute(delete(ScheduleOverride).where(ScheduleOverride.schedule_id == schedule.id))
            s.delete(schedule)
            self.changes.removed.append(f"schedule {slug}")
        s.flush()
        for model, slugs, label in (
            (SupportHours, plan.support_hours, "support hours"),
            (Team, plan.teams, "team"),
        ):
            for slug in slugs:
                s.delete(s.scalars(select(model).where(model.slug == slug)).one())
                self.changes.removed.append(f"{label} {slug}")
            s.flush()
        for handle in plan.people:
            person = s.scalars(select(Person).where(Person.handle == handle)).one()
            person.active = False
            s.execute(delete(TeamMembership).where(TeamMembership.person_id == person.id))
            self.changes.removed.append(f"person {handle} (deactivated)")


def _without_overrides(spec: ScheduleSpec) -> ScheduleSpec:
    return ScheduleSpec(spec.slug, spec.name, spec.team, spec.kind, spec.time_zone, spec.layers)


def _layer_row(position: int, spec: LayerSpec, people: dict[str, int]) -> RotationLayer:
    return RotationLayer(
        position=position,
        name=spec.name,
        rotation_kind=spec.rotation,
        rotation_length=spec.length,
        handoff_minute=spec.handoff_minute,
        handoff_weekday=spec.handoff_weekday,
        start_date=spec.start,
        end_date=spec.end,
        members=[LayerMember(position=n, person_id=people[h]) for n, h in enumerate(spec.people)],
        restrictions=[
            LayerRestriction(
                kind=r.kind,
                start_minute=r.start_minute,
                duration_minutes=r.duration_minutes,
                start_weekday=r.start_weekday,
            )
            for r in spec.restrictions
        ],
    )
