"""Alerts in: a webhook delivery (or a page made by hand) becomes pages in one transaction.

The delivery is folded first (within it the last word on an alert wins), then written with a
handful of statements whatever its size: resolves and repeats as one UPDATE each, new pages
as one INSERT that skips an alert a concurrent delivery inserted first (that one counts as a
repeat), their notifications as one more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import BigInteger, Text, bindparam, func, select, text, tuple_, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from warroom.domain.actors import ALERT_SOURCES, SystemActor
from warroom.domain.alerts import FIRING, AlertIn, urgency_for
from warroom.domain.errors import ValidationError
from warroom.domain.vocabulary import NotificationReason
from warroom.services.context import ServiceContext, UnitOfWork, unit_of_work
from warroom.services.paging.announce import (
    notified_payload,
    record_notifications,
    summary_payload,
)
from warroom.services.paging.claims import DEFERRED, PAGES, RESOLVED, TRIGGERED, id_in
from warroom.services.paging.reference import LevelTargets, Reference, Route, reference
from warroom.store.bulk import insert_many
from warroom.store.models import Page

#: The predicate of the partial unique index ``uq_pages_open_dedup``, spelled as the index
#: spells it: PostgreSQL infers the index for ON CONFLICT only from the same literal text.
_OPEN_DEDUP_PREDICATE = text("state <> 'resolved'")


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
    sources = {alert.source for alert in alerts}
    system = ALERT_SOURCES.get(sources.pop()) if len(sources) == 1 else SystemActor.WEBHOOK
    with unit_of_work(context, system=system) as work:
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
        .where(id_in(work.session, page_ids), Page.state != RESOLVED)
        .values(
            state=RESOLVED,
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
            summary_payload(page_id, summary, ref.names.get(service_id, ""), urgency),
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
            .where(id_in(work.session, page_ids))
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
    targets = LevelTargets(ref.roster, now)
    rows: list[dict[str, Any]] = []
    for item in fresh:
        route, alert = item.route, item.alert
        urgency = alert.urgency or urgency_for(alert.labels, route.urgency_rules)
        rules = ref.roster.support_hours(route.support_hours_id)
        levels = ref.roster.policy_levels(route.escalation_policy_id)
        state, deferred_until, next_at = TRIGGERED, None, None
        if item.resolved:
            state = RESOLVED
        elif urgency == "low" and rules is not None and not rules.contains(now):
            state, deferred_until = DEFERRED, rules.next_start(now)
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
            PAGES,
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
            **summary_payload(page_id, summary, ref.names.get(row["service_id"], ""), urgency),
            "runbook": row["runbook_id"] is not None,
        }
        if row["state"] == RESOLVED:
            result.resolved.append(page_id)
            work.emit("page.resolved", "page", page_id, payload)
            continue
        result.created.append(page_id)
        work.emit("page.triggered", "page", page_id, payload)
        if row["state"] == DEFERRED:
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
            notified_payload(
                page_id,
                summary,
                urgency,
                0,
                0,
                [p.handle for p in people],
                reason,
                service=ref.names.get(row["service_id"], ""),
                runbook=row["runbook_id"] is not None,
            ),
        )
    for policy_id, page_ids in paged.items():
        record_notifications(
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
        select(Page.id, Page.service_id, Page.dedup_key).where(among, Page.state != RESOLVED)
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
