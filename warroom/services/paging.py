"""Paging: alerts in, pages that only page when actionable, escalation that fires exactly once.

Every step that changes a page's escalation is *claimed* with a conditional update on the row
(``... WHERE escalation_level = :seen AND escalation_round = :seen AND state = 'triggered'``),
so any number of engines (every desktop and ``warroom serve``) may sweep at once: one wins,
the others update nothing. An acknowledgement that commits first makes every later claim miss.

Both hot paths are set-based, because both come in floods: a webhook delivery is one
transaction of a few statements whatever its size, and a sweep claims every page due at the
same step with one UPDATE and records who was told with one INSERT … SELECT.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CursorResult,
    Table,
    Text,
    and_,
    any_,
    bindparam,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, selectinload

from warroom.domain.alerts import FIRING, AlertIn, urgency_for
from warroom.domain.errors import ConflictError, NotFoundError, ValidationError
from warroom.domain.support_hours import SupportHoursRules, Window
from warroom.domain.vocabulary import NotificationReason, PageState
from warroom.services.context import ServiceContext, UnitOfWork, reading, unit_of_work
from warroom.services.oncall import ScheduleInfo, load_schedules
from warroom.services.runbooks import RunbookCatalog
from warroom.store.bulk import dialect_insert, insert_many
from warroom.store.feed import append_events_from, json_object
from warroom.store.models import (
    EscalationLevel,
    EscalationPolicy,
    Event,
    Notification,
    Page,
    Person,
    PersonExpertise,
    Service,
    SupportHours,
)

#: Events after which the routing data below (services, people, schedules and overrides,
#: escalation policies, support hours, runbooks) is reloaded. Every service call that changes
#: any of it emits one of these; ``test_paging`` proves an override is obeyed at once.
REFERENCE_TOPICS = (
    "demo.seeded",
    "roster.imported",
    "person.created",
    "schedule.override_created",
    "runbook.imported",
)

#: Pages claimed per sweep transaction: large enough that 10,000 due at once are a handful of
#: statements, small enough to stay well under SQLite's limit of bound parameters.
SWEEP_CHUNK = 1000

_TRIGGERED = PageState.TRIGGERED.value
_DEFERRED = PageState.DEFERRED.value
_ACKNOWLEDGED = PageState.ACKNOWLEDGED.value
_RESOLVED = PageState.RESOLVED.value
#: The predicate of the partial unique index ``uq_pages_open_dedup``, spelled as the index
#: spells it: PostgreSQL infers the index for ON CONFLICT only from the same literal text.
_OPEN_DEDUP_PREDICATE = text("state <> 'resolved'")
_PAGES = cast(Table, Page.__table__)
_NOTIFICATIONS = cast(Table, Notification.__table__)


@dataclass
class IngestResult:
    created: list[int] = field(default_factory=list)
    repeated: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"{len(self.created)} new, {len(self.repeated)} repeated, "
            f"{len(self.resolved)} resolved, {len(self.deferred)} held for support hours"
        )


def _claimed(session: Session, statement: Any) -> int:
    """Run a conditional UPDATE and say how many rows it claimed (0: someone else did)."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(cast(CursorResult[Any], result).rowcount)


def _id_in(session: Session, ids: Sequence[int]) -> ColumnElement[bool]:
    """``pages.id`` among ``ids``: one array parameter on PostgreSQL, an IN list on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return Page.id == any_(bindparam("page_ids", list(ids), type_=postgresql.ARRAY(BigInteger)))
    return Page.id.in_(ids)


def _insert_ignoring_duplicates(session: Session) -> Any:
    """INSERT for notifications that skips a (page, round, level, person) already told."""
    return dialect_insert(session, _NOTIFICATIONS).on_conflict_do_nothing()


# ----------------------------------------------------------------------------- reference data


@dataclass(frozen=True)
class Target:
    id: int
    handle: str


@dataclass(frozen=True)
class LevelTarget:
    kind: str
    schedule_id: int | None
    person_id: int | None
    expertise: str | None


@dataclass(frozen=True)
class Level:
    delay_minutes: int
    targets: tuple[LevelTarget, ...]


@dataclass(frozen=True)
class Route:
    """What routing needs of a service, detached from any session so it can be kept."""

    id: int
    name: str
    urgency_rules: Mapping[str, Any]
    support_hours_id: int | None
    escalation_policy_id: int | None


class RosterCache:
    """Who can be paged and how: schedules, people, experts, policies and support hours.

    Plain values only, so one load serves many deliveries and sweeps (see :class:`Reference`).
    """

    def __init__(self, session: Session) -> None:
        self.schedules: dict[int, ScheduleInfo] = {
            info.id: info for info in load_schedules(session)
        }
        self.by_id: dict[int, Target] = {}
        self.by_handle: dict[str, Target] = {}
        for person_id, handle in session.execute(
            select(Person.id, Person.handle).where(Person.active)
        ):
            target = Target(person_id, handle)
            self.by_id[person_id] = target
            self.by_handle[handle] = target
        self.experts: dict[str, list[Target]] = {}
        for tag, person_id in session.execute(
            select(PersonExpertise.tag, PersonExpertise.person_id)
            .join(Person, Person.id == PersonExpertise.person_id)
            .order_by(Person.name)
        ):
            if person_id in self.by_id:
                self.experts.setdefault(tag, []).append(self.by_id[person_id])
        self.support: dict[int, SupportHoursRules] = {
            hours.id: SupportHoursRules(
                hours.time_zone,
                tuple(Window(w.weekday, w.start_minute, w.end_minute) for w in hours.windows),
                hours.holiday_country,
                hours.holiday_subdivision,
            )
            for hours in session.scalars(
                select(SupportHours).options(selectinload(SupportHours.windows))
            )
        }
        self.repeats: dict[int, int] = {}
        self.ack_timeouts: dict[int, int] = {}
        for policy_id, repeats, timeout in session.execute(
            select(
                EscalationPolicy.id,
                EscalationPolicy.repeat_count,
                EscalationPolicy.ack_timeout_minutes,
            )
        ):
            self.repeats[policy_id] = repeats
            if timeout:
                self.ack_timeouts[policy_id] = timeout
        self.levels: dict[int, list[Level]] = {}
        for level in session.scalars(
            select(EscalationLevel)
            .options(selectinload(EscalationLevel.targets))
            .order_by(EscalationLevel.policy_id, EscalationLevel.position)
        ):
            self.levels.setdefault(level.policy_id, []).append(
                Level(
                    level.delay_minutes,
                    tuple(
                        LevelTarget(t.kind, t.schedule_id, t.person_id, t.expertise)
                        for t in level.targets
                    ),
                )
            )

    def support_hours(self, support_hours_id: int | None) -> SupportHoursRules | None:
        return None if support_hours_id is None else self.support.get(support_hours_id)

    def policy_levels(self, policy_id: int | None) -> list[Level]:
        return self.levels.get(policy_id or -1, [])

    def on_call(self, at: datetime) -> set[str]:
        return {
            h for info in self.schedules.values() if (h := info.rules.person_at(at)[0]) is not None
        }

    def experts_for(self, tag: str, at: datetime) -> list[Target]:
        """The subject matter experts for ``tag``: those on call now first, else all."""
        experts = self.experts.get(tag, [])
        if not experts:
            return []
        on_call = self.on_call(at)
        return [p for p in experts if p.handle in on_call] or list(experts)

    def level_targets(self, level: Level, at: datetime) -> list[Target]:
        people: dict[int, Target] = {}
        for target in level.targets:
            if target.kind == "schedule" and target.schedule_id in self.schedules:
                handle = self.schedules[target.schedule_id].rules.person_at(at)[0]
                if handle in self.by_handle:
                    people[self.by_handle[handle].id] = self.by_handle[handle]
            elif target.kind == "person" and target.person_id in self.by_id:
                people[target.person_id] = self.by_id[target.person_id]
            elif target.kind == "expertise" and target.expertise:
                for expert in self.experts_for(target.expertise, at)[:1]:
                    people[expert.id] = expert
        return list(people.values())


@dataclass(frozen=True)
class Reference:
    """Everything a delivery or a sweep routes with, kept in the context between calls."""

    services: Mapping[str, Route]
    roster: RosterCache
    catalog: RunbookCatalog
    names: Mapping[int, str]  # service id → name

    @classmethod
    def load(cls, session: Session) -> Reference:
        services = {
            s.slug: Route(
                s.id,
                s.name,
                dict(s.urgency_rules or {}),
                s.support_hours_id,
                s.escalation_policy_id,
            )
            for s in session.scalars(select(Service))
        }
        names = {s.id: s.name for s in services.values()}
        return cls(services, RosterCache(session), RunbookCatalog.load(session), names)


def reference(context: ServiceContext, session: Session) -> Reference:
    """The routing data, reloaded only when a reference event was appended since it was read.

    The feed is append-only, so the number of reference events only ever grows: a count that
    moved means something changed (an index on ``topic`` keeps the count cheap).
    """
    generation = session.scalar(
        select(func.count()).select_from(Event).where(Event.topic.in_(REFERENCE_TOPICS))
    )
    return context.memo.get("paging.reference", generation, lambda: Reference.load(session))


class _Targets:
    """Who a level notifies, worked out once per (policy, level) for a sweep's instant."""

    def __init__(self, roster: RosterCache, at: datetime) -> None:
        self.roster, self.at = roster, at
        self._known: dict[tuple[int, int], list[Target]] = {}

    def __call__(self, policy_id: int | None, level_index: int) -> list[Target]:
        key = (policy_id or -1, level_index)
        if key not in self._known:
            levels = self.roster.policy_levels(policy_id)
            self._known[key] = (
                self.roster.level_targets(levels[min(level_index, len(levels) - 1)], self.at)
                if levels
                else []
            )
        return self._known[key]


def _told_fields(
    handles: Sequence[str], level: Any, round_: Any, urgency: Any, reason: str
) -> dict[str, Any]:
    """What an event that tells people about a page carries besides the page's id and
    summary. ``level`` (0-based), ``round_`` and ``urgency`` are values, or the page's own
    columns when the database builds the payload (:func:`_announce`)."""
    return {
        "handles": list(handles),
        "level": level + 1,
        "round": round_,
        "urgency": urgency,
        "reason": reason,
    }


def _notified_payload(
    page_id: int,
    summary: str,
    urgency: str,
    level: int,
    round_: int,
    handles: Sequence[str],
    reason: str,
) -> dict[str, Any]:
    return {
        "page_id": page_id,
        "summary": summary[:200],
        **_told_fields(handles, level, round_, urgency, reason),
    }


def _record_told(work: UnitOfWork, page: Page, people: Sequence[Target], reason: str) -> list[str]:
    """Record who is told at the page's current step, once per (page, round, level, person);
    the handles of those newly told. The caller's event says so."""
    told = []
    for person in people:
        exists = work.session.scalar(
            select(Notification.id).where(
                Notification.page_id == page.id,
                Notification.person_id == person.id,
                Notification.escalation_round == page.escalation_round,
                Notification.escalation_level == page.escalation_level,
            )
        )
        if exists is not None:
            continue
        work.session.add(
            Notification(
                page_id=page.id,
                person_id=person.id,
                escalation_round=page.escalation_round,
                escalation_level=page.escalation_level,
                reason=reason,
                created_at=work.now,
            )
        )
        told.append(person.handle)
    work.session.flush()
    return told


def _summary_payload(page_id: int, summary: str, service: str, urgency: str) -> dict[str, object]:
    return {"page_id": page_id, "summary": summary[:200], "service": service, "urgency": urgency}


# ----------------------------------------------------------------------------- alerts in


@dataclass
class _Fresh:
    """An alert with no open page: the page it will become, folded over the delivery."""

    route: Route
    alert: AlertIn
    occurrences: int = 1
    resolved: bool = False


def ingest(
    context: ServiceContext, alerts: Sequence[AlertIn], default_service: str | None = None
) -> IngestResult:
    """One webhook delivery: one transaction. Repeats and HA duplicates update, never page.

    The delivery is folded first (within it the last word on an alert wins), then written
    with a handful of statements whatever its size: resolves and repeats as one UPDATE each,
    new pages as one INSERT that skips an alert a concurrent delivery inserted first (that
    one counts as a repeat), their notifications as one more.
    """
    result = IngestResult()
    with unit_of_work(context) as work:
        session = work.session
        ref = reference(context, session)
        routed = [(_route(ref.services, alert, default_service), alert) for alert in alerts]
        open_pages = {
            key: page_id
            for page_id, key in _open_pages(
                session, {(route.id, alert.dedup_key) for route, alert in routed}
            )
        }
        fresh: dict[tuple[int, str], _Fresh] = {}
        repeats: Counter[int] = Counter()
        resolving: list[int] = []
        for route, alert in routed:
            key = (route.id, alert.dedup_key)
            firing = alert.status == FIRING
            if key in fresh:
                fresh[key].occurrences += firing
                fresh[key].resolved = not firing
            elif key in open_pages:
                if firing:
                    repeats[open_pages[key]] += 1
                else:
                    resolving.append(open_pages.pop(key))
            elif firing:
                fresh[key] = _Fresh(route, alert)
        if resolving:
            _resolve_from_alerts(work, ref, resolving, result)
        _count_repeats(work, {p: n for p, n in repeats.items() if p not in resolving}, result)
        if fresh:
            _create_pages(work, ref, list(fresh.values()), result)
    return result


def _route(services: Mapping[str, Route], alert: AlertIn, default_service: str | None) -> Route:
    slug = alert.service or alert.labels.get("service") or default_service
    if slug in services:
        return services[str(slug)]
    if default_service in services:
        return services[str(default_service)]
    raise ValidationError(
        f"no service '{slug}' for alert '{alert.summary[:80]}'"
        if slug
        else f"alert '{alert.summary[:80]}' has no 'service' label and there is no default "
        "service (warroom serve --default-service SLUG)"
    )


def _resolve_from_alerts(
    work: UnitOfWork, ref: Reference, page_ids: Sequence[int], result: IngestResult
) -> None:
    rows = work.session.execute(
        update(Page)
        .where(_id_in(work.session, page_ids), Page.state != _RESOLVED)
        .values(
            state=_RESOLVED,
            resolved_at=work.now,
            next_escalation_at=None,
            deferred_until=None,
            version=Page.version + 1,
        )
        .returning(Page.id, Page.summary, Page.service_id, Page.urgency, Page.incident_id)
        .execution_options(synchronize_session=False)
    ).all()
    for page_id, summary, service_id, urgency, incident_id in sorted(rows):
        result.resolved.append(page_id)
        work.emit(
            "page.resolved",
            "page",
            page_id,
            _summary_payload(page_id, summary, ref.names.get(service_id, ""), urgency),
            incident_id=incident_id,
        )


def _count_repeats(work: UnitOfWork, repeats: Mapping[int, int], result: IngestResult) -> None:
    """Count repeats: one UPDATE per distinct count (nearly always just one)."""
    by_count: dict[int, list[int]] = {}
    for page_id, count in repeats.items():
        by_count.setdefault(count, []).append(page_id)
    for count, page_ids in by_count.items():
        work.session.execute(
            update(Page)
            .where(_id_in(work.session, page_ids))
            .values(
                occurrences=Page.occurrences + count,
                last_seen_at=work.now,
                version=Page.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
    result.repeated.extend(repeats)


def _create_pages(
    work: UnitOfWork, ref: Reference, fresh: Sequence[_Fresh], result: IngestResult
) -> None:
    """Insert the delivery's new pages already in their first state, then tell whom it pages.

    A page is decided before it is written (urgency, held for support hours or paging level
    one now) so that it is written once, not inserted and then updated.
    """
    session, now = work.session, work.now
    targets = _Targets(ref.roster, now)
    rows: list[dict[str, Any]] = []
    for item in fresh:
        route, alert = item.route, item.alert
        urgency = alert.urgency or urgency_for(alert.labels, route.urgency_rules)
        rules = ref.roster.support_hours(route.support_hours_id)
        levels = ref.roster.policy_levels(route.escalation_policy_id)
        state, deferred_until, next_at = _TRIGGERED, None, None
        if item.resolved:
            state = _RESOLVED
        elif urgency == "low" and rules is not None and not rules.contains(now):
            state, deferred_until = _DEFERRED, rules.next_start(now)
        elif levels:
            next_at = now + timedelta(minutes=levels[0].delay_minutes)
        rows.append(
            {
                "service_id": route.id,
                "dedup_key": alert.dedup_key,
                "summary": alert.summary,
                "details": alert.details,
                "source": alert.source,
                "urgency": urgency,
                "state": state,
                "labels": dict(alert.labels),
                "annotations": dict(alert.annotations),
                "runbook_url": alert.runbook_url,
                "runbook_id": ref.catalog.match(route.id, alert.labels, alert.annotations),
                "escalation_policy_id": route.escalation_policy_id,
                "escalation_level": 0,
                "escalation_round": 0,
                "next_escalation_at": next_at,
                "deferred_until": deferred_until,
                "occurrences": item.occurrences,
                "triggered_at": now,
                "last_seen_at": now,
                "resolved_at": now if item.resolved else None,
                "version": 1,
            }
        )
    inserted = {
        (service_id, key): page_id
        for page_id, service_id, key in insert_many(
            session,
            _PAGES,
            rows,
            (Page.id, Page.service_id, Page.dedup_key),
            skip_conflicts_on=("service_id", "dedup_key"),
            conflict_where=_OPEN_DEDUP_PREDICATE,
        )
    }
    lost = {
        (row["service_id"], row["dedup_key"]): row["occurrences"]
        for row in rows
        if (row["service_id"], row["dedup_key"]) not in inserted
    }
    if lost:  # a concurrent delivery inserted these first: they are repeats of its pages
        _count_repeats(work, _open_page_ids(session, lost), result)
    paged: dict[int | None, list[int]] = {}  # policy → pages that page its first level now
    for row in rows:
        page_id = inserted.get((row["service_id"], row["dedup_key"]))
        if page_id is None:
            continue
        summary, urgency = row["summary"], row["urgency"]
        payload = {
            **_summary_payload(page_id, summary, ref.names.get(row["service_id"], ""), urgency),
            "runbook": row["runbook_id"] is not None,
        }
        if row["state"] == _RESOLVED:
            result.resolved.append(page_id)
            work.emit("page.resolved", "page", page_id, payload)
            continue
        result.created.append(page_id)
        work.emit("page.triggered", "page", page_id, payload)
        if row["state"] == _DEFERRED:
            result.deferred.append(page_id)
            work.emit(
                "page.deferred",
                "page",
                page_id,
                {**payload, "until": row["deferred_until"].isoformat()},
            )
            continue
        people = targets(row["escalation_policy_id"], 0)  # nobody if the policy has no levels
        if not people:
            continue
        reason = NotificationReason.INITIAL.value
        paged.setdefault(row["escalation_policy_id"], []).append(page_id)
        work.emit(
            "page.notified",
            "page",
            page_id,
            _notified_payload(page_id, summary, urgency, 0, 0, [p.handle for p in people], reason),
        )
    for policy_id, page_ids in paged.items():
        _record_notifications(
            work, page_ids, targets(policy_id, 0), NotificationReason.INITIAL.value
        )


def _open_pages(
    session: Session, keys: Iterable[tuple[int, str]]
) -> list[tuple[int, tuple[int, str]]]:
    """The open pages (id, (service id, dedup key)) among ``keys``; on PostgreSQL the keys
    go as two array parameters, so the statement is the same for any number of them."""
    wanted = sorted(set(keys))
    if not wanted:
        return []
    pair = tuple_(Page.service_id, Page.dedup_key)
    if session.get_bind().dialect.name == "postgresql":
        among = pair.in_(
            select(
                func.unnest(
                    bindparam(
                        "service_ids", [k[0] for k in wanted], type_=postgresql.ARRAY(BigInteger)
                    )
                ),
                func.unnest(
                    bindparam("dedup_keys", [k[1] for k in wanted], type_=postgresql.ARRAY(Text))
                ),
            )
        )
    else:
        among = pair.in_(wanted)
    rows = session.execute(
        select(Page.id, Page.service_id, Page.dedup_key).where(among, Page.state != _RESOLVED)
    )
    return [(page_id, (service_id, key)) for page_id, service_id, key in rows]


def _open_page_ids(session: Session, counts: Mapping[tuple[int, str], int]) -> dict[int, int]:
    return {page_id: counts[key] for page_id, key in _open_pages(session, counts)}


def create_page(
    context: ServiceContext,
    *,
    service: str,
    summary: str,
    urgency: str | None = None,
    dedup_key: str | None = None,
    details: str = "",
) -> IngestResult:
    """A page by hand (the CLI, scripts): the same path as an alert."""
    from warroom.domain.alerts import fingerprint

    if not summary.strip():
        raise ValidationError("a page needs a summary")
    if urgency is not None and urgency not in ("high", "low"):
        raise ValidationError("urgency is high or low")
    key = dedup_key or f"manual-{fingerprint({'summary': summary, 'service': service})}"
    alert = AlertIn(
        "manual",
        key,
        FIRING,
        summary.strip()[:1000],
        details=details,
        service=service,
        urgency=urgency,
    )
    return ingest(context, [alert])


# ----------------------------------------------------------------------------- people act


def _person(session: Session, handle: str) -> Person:
    person = session.scalar(select(Person).where(Person.handle == handle, Person.active))
    if person is None:
        raise NotFoundError(
            f"there is no active person '{handle}' (check `warroom config set --user`)"
        )
    return person


def _page(session: Session, page_id: int) -> Page:
    page = session.get(Page, page_id)
    if page is None:
        raise NotFoundError(f"there is no page #{page_id}")
    return page


def acknowledge(context: ServiceContext, page_id: int, handle: str | None = None) -> bool:
    """Stop escalation. Returns False if it was already acknowledged (by anyone)."""
    with unit_of_work(context) as work:
        who = _person(work.session, handle or work.actor)
        page = _page(work.session, page_id)
        if page.state == PageState.RESOLVED.value:
            raise ConflictError(f"page #{page_id} is already resolved")
        claimed = _claimed(
            work.session,
            update(Page)
            .where(
                Page.id == page_id,
                Page.state.in_([PageState.TRIGGERED.value, PageState.DEFERRED.value]),
            )
            .values(
                state=PageState.ACKNOWLEDGED.value,
                acknowledged_at=work.now,
                acknowledged_by_id=who.id,
                next_escalation_at=None,
                deferred_until=None,
                version=Page.version + 1,
            ),
        )
        if not claimed:
            return False
        work.session.execute(
            update(Notification)
            .where(
                Notification.page_id == page_id,
                Notification.person_id == who.id,
                Notification.acted_at.is_(None),
            )
            .values(acted_at=work.now)
        )
        work.emit(
            "page.acknowledged",
            "page",
            page_id,
            {"page_id": page_id, "summary": page.summary[:200], "handle": who.handle},
            incident_id=page.incident_id,
        )
        return True


def resolve(context: ServiceContext, page_id: int, handle: str | None = None) -> bool:
    with unit_of_work(context) as work:
        who = _person(work.session, handle or work.actor)
        page = _page(work.session, page_id)
        claimed = _claimed(
            work.session,
            update(Page)
            .where(Page.id == page_id, Page.state != PageState.RESOLVED.value)
            .values(
                state=PageState.RESOLVED.value,
                resolved_at=work.now,
                resolved_by_id=who.id,
                next_escalation_at=None,
                deferred_until=None,
                version=Page.version + 1,
            ),
        )
        if claimed:
            work.emit(
                "page.resolved",
                "page",
                page_id,
                {"page_id": page_id, "summary": page.summary[:200], "handle": who.handle},
                incident_id=page.incident_id,
            )
        return bool(claimed)


def escalate(
    context: ServiceContext,
    page_id: int,
    *,
    to_expertise: str | None = None,
    handle: str | None = None,
) -> list[str]:
    """Escalate by hand: to the next level now, or to the subject matter expert for a tag."""
    with unit_of_work(context) as work:
        page = _page(work.session, page_id)
        if page.state == PageState.RESOLVED.value:
            raise ConflictError(f"page #{page_id} is already resolved")
        roster = reference(context, work.session).roster
        if to_expertise:
            experts = roster.experts_for(to_expertise.strip().lower(), work.now)
            if not experts:
                raise NotFoundError(f"nobody has the expertise '{to_expertise}'")
            people = experts[:1]
        else:
            levels = roster.policy_levels(page.escalation_policy_id)
            if page.escalation_level + 1 >= len(levels):
                raise ConflictError(f"page #{page_id} is already at the last escalation level")
            level = levels[page.escalation_level + 1]
            page.next_escalation_at = work.now + timedelta(minutes=level.delay_minutes)
            people = roster.level_targets(level, work.now)
        page.escalation_level += 1
        page.state = PageState.TRIGGERED.value
        reason = NotificationReason.MANUAL_ESCALATION.value
        told = _record_told(work, page, people, reason)
        work.emit(
            "page.escalated",
            "page",
            page_id,
            {
                **_notified_payload(
                    page_id,
                    page.summary,
                    page.urgency,
                    page.escalation_level,
                    page.escalation_round,
                    told,
                    reason,
                ),
                "by_hand": True,
                "by": handle or work.actor,
                "expertise": to_expertise,
            },
            incident_id=page.incident_id,
        )
        return told


# ----------------------------------------------------------------------------- the sweep


@dataclass
class SweepResult:
    escalated: int = 0
    released: int = 0
    reopened: int = 0
    next_due: datetime | None = None


def sweep(context: ServiceContext, limit: int = 20_000) -> SweepResult:
    """Do every step that is due: escalations, releases at the start of support hours, and
    acknowledgements that timed out. Claimed set by set, a chunk per transaction."""
    result = SweepResult()
    now = context.clock.now()
    with reading(context) as session:
        ref = reference(context, session)
        due = session.execute(
            select(Page.id, Page.escalation_policy_id, Page.escalation_level, Page.escalation_round)
            .where(Page.state == _TRIGGERED, Page.next_escalation_at <= now)
            .order_by(Page.next_escalation_at)
            .limit(limit)
        ).all()
        held = session.execute(
            select(Page.id, Page.escalation_policy_id)
            .where(Page.state == _DEFERRED, Page.deferred_until <= now)
            .order_by(Page.deferred_until)
            .limit(limit)
        ).all()
        timeouts = ref.roster.ack_timeouts
        timed_out = (
            session.execute(
                select(Page.id, Page.escalation_policy_id)
                .where(
                    Page.state == _ACKNOWLEDGED,
                    or_(
                        *(
                            and_(
                                Page.escalation_policy_id == policy_id,
                                Page.acknowledged_at <= now - timedelta(minutes=minutes),
                            )
                            for policy_id, minutes in timeouts.items()
                        )
                    ),
                )
                .order_by(Page.acknowledged_at)
                .limit(limit)
            ).all()
            if timeouts
            else []
        )
    result.escalated = _in_chunks(context, ref, _escalate_due, due)
    result.released = _in_chunks(context, ref, _release_held, held)
    result.reopened = _in_chunks(context, ref, _reopen_timed_out, timed_out)
    result.next_due = next_due(context)
    return result


def _in_chunks(
    context: ServiceContext,
    ref: Reference,
    step: Callable[[ServiceContext, Reference, Sequence[Any]], int],
    rows: Sequence[Any],
) -> int:
    """Run ``step`` over ``rows`` a chunk per transaction, oldest first.

    On PostgreSQL two chunks are in flight at once, on two connections: most of a chunk's
    time is the server's work, which then runs on a second core while this process prepares
    the next. Chunks hold disjoint pages, so they never wait on each other's locks. SQLite
    has one writer at a time; there the chunks run one after the other.
    """
    chunks = [rows[start : start + SWEEP_CHUNK] for start in range(0, len(rows), SWEEP_CHUNK)]
    if len(chunks) < 2 or context.database.url.get_backend_name() != "postgresql":
        return sum(step(context, ref, chunk) for chunk in chunks)
    with ThreadPoolExecutor(2, thread_name_prefix="warroom-sweep") as pool:
        return sum(pool.map(lambda chunk: step(context, ref, chunk), chunks))


def _grouped(rows: Iterable[Sequence[Any]]) -> dict[tuple[Any, ...], list[int]]:
    """Page ids by everything after the id in their row: pages that take the same step."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for page_id, *rest in rows:
        groups.setdefault(tuple(rest), []).append(page_id)
    return groups


def _escalate_due(context: ServiceContext, ref: Reference, due: Sequence[Any]) -> int:
    """Escalate a chunk of due pages; pages at the same step are claimed by one UPDATE.

    The UPDATE only takes a page at the level and round it was seen at, while triggered and
    due, so a competing engine (or an acknowledgement) that committed first makes that row
    drop out of what comes back. Who is told and the events are written by the database from
    the claimed rows: nothing is done per page in Python.
    """
    claimed = 0
    with unit_of_work(context) as work:
        now, session = work.now, work.session
        targets = _Targets(ref.roster, now)
        for (policy_id, level, round_), page_ids in _grouped(due).items():
            levels = ref.roster.policy_levels(policy_id)
            if level + 1 < len(levels):
                new_level, new_round = level + 1, round_
            elif levels and round_ < ref.roster.repeats.get(policy_id, 0):
                new_level, new_round = 0, round_ + 1
            else:
                new_level, new_round = level, round_  # the end of the ladder
            exhausted = (new_level, new_round) == (level, round_)
            ids = _claim(
                session,
                page_ids,
                [
                    Page.escalation_level == level,
                    Page.escalation_round == round_,
                    Page.state == _TRIGGERED,
                    Page.next_escalation_at <= now,
                ],
                escalation_level=new_level,
                escalation_round=new_round,
                next_escalation_at=(
                    None if exhausted else now + timedelta(minutes=levels[new_level].delay_minutes)
                ),
            )
            claimed += len(ids)
            if exhausted:
                _announce(work, "page.escalation_exhausted", ids, {})
                continue
            reason = (
                NotificationReason.REPEAT if new_round != round_ else NotificationReason.ESCALATION
            ).value
            _notify_many(
                work, ids, targets(policy_id, new_level), reason, "page.escalated", by_hand=False
            )
    return claimed


def _release_held(context: ServiceContext, ref: Reference, held: Sequence[Any]) -> int:
    """Support hours began: page what was held, from the first level."""
    claimed = 0
    with unit_of_work(context) as work:
        now, session = work.now, work.session
        targets = _Targets(ref.roster, now)
        for (policy_id,), page_ids in _grouped(held).items():
            levels = ref.roster.policy_levels(policy_id)
            ids = _claim(
                session,
                page_ids,
                [Page.state == _DEFERRED, Page.deferred_until <= now],
                state=_TRIGGERED,
                deferred_until=None,
                escalation_level=0,
                next_escalation_at=(
                    now + timedelta(minutes=levels[0].delay_minutes) if levels else None
                ),
            )
            claimed += len(ids)
            _announce(work, "page.released", ids, {})
            if levels:
                _notify_many(work, ids, targets(policy_id, 0), NotificationReason.RELEASED.value)
    return claimed


def _reopen_timed_out(context: ServiceContext, ref: Reference, timed_out: Sequence[Any]) -> int:
    """Acknowledged but not resolved in time: back to triggered, paging from the first level
    in a new round. A fresh acknowledgement since it was seen moves ``acknowledged_at`` past
    the cut-off, so the claim misses it."""
    claimed = 0
    with unit_of_work(context) as work:
        now, session = work.now, work.session
        targets = _Targets(ref.roster, now)
        for (policy_id,), page_ids in _grouped(timed_out).items():
            levels = ref.roster.policy_levels(policy_id)
            cutoff = now - timedelta(minutes=ref.roster.ack_timeouts.get(policy_id, 0))
            ids = _claim(
                session,
                page_ids,
                [Page.state == _ACKNOWLEDGED, Page.acknowledged_at <= cutoff],
                state=_TRIGGERED,
                acknowledged_at=None,
                acknowledged_by_id=None,
                escalation_level=0,
                escalation_round=Page.escalation_round + 1,
                next_escalation_at=(
                    now + timedelta(minutes=levels[0].delay_minutes) if levels else None
                ),
            )
            claimed += len(ids)
            _announce(work, "page.reopened", ids, {"why": "acknowledged but not resolved in time"})
            if levels:
                _notify_many(work, ids, targets(policy_id, 0), NotificationReason.REPEAT.value)
    return claimed


def _claim(
    session: Session, page_ids: Sequence[int], seen: Sequence[Any], **values: Any
) -> list[int]:
    """Take the pages among ``page_ids`` that are still as they were ``seen``; their ids."""
    return list(
        session.scalars(
            update(Page)
            .where(_id_in(session, page_ids), *seen)
            .values(**values, version=Page.version + 1)
            .returning(Page.id)
            .execution_options(synchronize_session=False)
        )
    )


def _announce(
    work: UnitOfWork, topic: str, page_ids: Sequence[int], fields: Mapping[str, Any]
) -> None:
    """One event per page, its payload (the page's id and summary, then ``fields``, which may
    be columns of the page) made by the database."""
    if not page_ids:
        return
    session = work.session
    payload = json_object(
        session, {"page_id": Page.id, "summary": func.substr(Page.summary, 1, 200), **fields}
    )
    append_events_from(
        session,
        work.actor,
        work.now,
        topic,
        "page",
        select(Page.id, Page.incident_id, payload)
        .where(_id_in(session, page_ids))
        .order_by(Page.id),
    )


def _notify_many(
    work: UnitOfWork,
    page_ids: Sequence[int],
    people: Sequence[Target],
    reason: str,
    topic: str = "page.notified",
    **extra: Any,
) -> None:
    """Tell ``people`` about pages just claimed, at the level and round the claim left them,
    and announce it: ``page.notified``, or for an escalation the ``page.escalated`` event
    itself (one event per step; it names whom it told). An escalation is announced even when
    its level has nobody to tell."""
    if not page_ids or (not people and topic == "page.notified"):
        return
    _record_notifications(work, page_ids, people, reason)
    _announce(
        work,
        topic,
        page_ids,
        {
            **_told_fields(
                [p.handle for p in people],
                Page.escalation_level,
                Page.escalation_round,
                Page.urgency,
                reason,
            ),
            **extra,
        },
    )


def _record_notifications(
    work: UnitOfWork, page_ids: Sequence[int], people: Sequence[Target], reason: str
) -> None:
    """Who is told, for pages just claimed: one INSERT … SELECT from the pages per person,
    taking each page's level and round as the claim left them. A (page, round, level,
    person) already recorded is skipped."""
    if not page_ids:
        return
    for person in people:
        work.session.execute(
            _insert_ignoring_duplicates(work.session).from_select(
                [
                    "page_id",
                    "person_id",
                    "escalation_round",
                    "escalation_level",
                    "reason",
                    "created_at",
                ],
                select(
                    Page.id,
                    literal(person.id, BigInteger),
                    Page.escalation_round,
                    Page.escalation_level,
                    literal(reason),
                    literal(work.now, Notification.created_at.type),
                ).where(_id_in(work.session, page_ids)),
            )
        )


def next_due(context: ServiceContext) -> datetime | None:
    """When the next step falls due: what a local alarm clock should be set to."""
    with reading(context) as session:
        escalation = session.scalar(
            select(func.min(Page.next_escalation_at)).where(Page.state == _TRIGGERED)
        )
        release = session.scalar(
            select(func.min(Page.deferred_until)).where(Page.state == _DEFERRED)
        )
    candidates = [t for t in (escalation, release) if t is not None]
    return min(candidates) if candidates else None


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class PageLine:
    id: int
    state: str
    urgency: str
    service: str
    summary: str
    triggered_at: datetime
    level: int
    occurrences: int
    runbook: bool
    deferred_until: datetime | None


def list_pages(
    context: ServiceContext, state: str | None = None, limit: int = 200
) -> list[PageLine]:
    if state is not None and state not in {s.value for s in PageState}:
        raise ValidationError("state is one of " + ", ".join(s.value for s in PageState))
    with reading(context) as session:
        query = (
            select(Page, Service.slug)
            .join(Service, Service.id == Page.service_id)
            .order_by(Page.triggered_at.desc(), Page.id.desc())
            .limit(limit)
        )
        if state is not None:
            query = query.where(Page.state == state)
        return [
            PageLine(
                p.id,
                p.state,
                p.urgency,
                slug,
                p.summary,
                p.triggered_at,
                p.escalation_level + 1,
                p.occurrences,
                p.runbook_id is not None,
                p.deferred_until,
            )
            for p, slug in session.execute(query)
        ]


@dataclass(frozen=True)
class MyPage:
    id: int
    state: str
    urgency: str
    service: str
    summary: str
    runbook_slug: str | None
    escalated_past_me: bool


def my_open_pages(context: ServiceContext, handle: str) -> list[MyPage]:
    """Open pages this person was told about (what the tray menu lists)."""
    from warroom.store.models import Runbook

    with reading(context) as session:
        person = session.scalar(select(Person).where(Person.handle == handle))
        if person is None:
            return []
        rows = session.execute(
            select(Page, Service.name, Runbook.slug, func.max(Notification.escalation_level))
            .join(Notification, Notification.page_id == Page.id)
            .join(Service, Service.id == Page.service_id)
            .outerjoin(Runbook, Runbook.id == Page.runbook_id)
            .where(
                Notification.person_id == person.id,
                Page.state.in_([PageState.TRIGGERED.value, PageState.ACKNOWLEDGED.value]),
            )
            .group_by(Page.id, Service.name, Runbook.slug)
            .order_by(Page.triggered_at.desc())
        ).all()
        return [
            MyPage(
                page.id,
                page.state,
                page.urgency,
                service,
                page.summary,
                slug,
                page.state == PageState.TRIGGERED.value and page.escalation_level > level,
            )
            for page, service, slug, level in rows
        ]
