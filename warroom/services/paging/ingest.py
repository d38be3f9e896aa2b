"""Alerts in: a webhook delivery (or a page made by hand) becomes pages in one transaction.

An alert is never refused for routing or classification: one that names no known service
pages through the roster's catch-all service, and one whose support hours cannot be
evaluated pages now; either way its page carries a ``routing_note`` saying why. Routing
order: the service in the URL, then the alert's own (the generic format's ``service``, else
its ``service`` label), then the receiver's default service, then the catch-all.

The delivery is folded first (within it the last word on an alert wins), then written with a
handful of statements whatever its size: resolves and repeats as one UPDATE each, new pages
as one INSERT that skips an alert a concurrent delivery inserted first (that one counts as a
repeat), their notifications as one more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Text, bindparam, func, select, text, tuple_, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from warroom.domain.actors import ALERT_SOURCES, SystemActor
from warroom.domain.alerts import FIRING, NOTE_MAX, AlertIn, urgency_for
from warroom.domain.errors import ValidationError
from warroom.domain.text import clean_text
from warroom.domain.vocabulary import NotificationReason
from warroom.services.context import ServiceContext, UnitOfWork, unit_of_work
from warroom.services.identity import acting_person
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
    #: New pages that carry a routing note (unrouted, malformed, support hours failed).
    flagged: list[int] = field(default_factory=list)
    #: Why each alert that could not be written was not: it names no known service and the
    #: roster has no catch-all. The others were written; the sender must try again.
    unroutable: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"{len(self.created)} new, {len(self.repeated)} repeated, "
            f"{len(self.resolved)} resolved, {len(self.deferred)} held for support hours"
            + (f", {len(self.flagged)} flagged" if self.flagged else "")
        )


@dataclass
class _Fresh:
    """An alert with no open page: the page it will become, folded over the delivery."""

    route: Route
    alert: AlertIn
    note: str | None = None
    occurrences: int = 1
    resolved: bool = False


def ingest(
    context: ServiceContext,
    alerts: Sequence[AlertIn],
    default_service: str | None = None,
    *,
    service: str | None = None,
    by_hand: bool = False,
) -> IngestResult:
    """One webhook delivery: one transaction. Repeats and HA duplicates update, never page.

    ``service`` is the one the delivery's URL names (``/alertmanager/SERVICE``). With
    ``by_hand`` (a person paging: :func:`create_page`) it is that person's act, so it acts
    as :func:`acting_person` says (on PostgreSQL the login) or is refused, like every other
    act of a person; and an unknown service is an error to correct now instead of a flagged
    page on the catch-all.

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
        if by_hand:
            acting_person(work, context)
        ref = reference(context, session)
        routed: list[tuple[Route, str | None, AlertIn]] = []
        for alert in alerts:
            route, why = route_alert(ref, alert, service, default_service)
            if route is None or (by_hand and why):
                if by_hand:
                    raise ValidationError((why or "no service").removeprefix("unrouted: "))
                result.unroutable.append(f"{why} (and there is no catch-all service)")
                continue
            routed.append((route, why, alert))
        open_pages = {
            key: page_id
            for page_id, key in _open_pages(
                session, {(route.id, alert.dedup_key) for route, _, alert in routed}
            )
        }
        fresh: dict[tuple[int, str], _Fresh] = {}
        repeats: Counter[int] = Counter()
        resolving: list[int] = []
        for route, why, alert in routed:
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
                fresh[key] = _Fresh(route, alert, _join(alert.note, why))
        if resolving:
            _resolve_from_alerts(work, ref, resolving, result)
        _count_repeats(work, {p: n for p, n in repeats.items() if p not in resolving}, result)
        if fresh:
            _create_pages(work, ref, list(fresh.values()), result)
    return result


def route_alert(
    ref: Reference, alert: AlertIn, url_service: str | None, default_service: str | None
) -> tuple[Route | None, str | None]:
    """Where an alert pages, and why it is flagged if it did not route as configured.

    The first service named decides: the URL's, then the alert's own, then the default.
    A name that is no service sends the alert to the catch-all rather than to the default:
    the default is for alerts that name nothing, and an alert that names a wrong service is
    a configuration to fix, which the flag says. ``(None, why)`` when there is no catch-all.
    """
    named = url_service or alert.service or alert.labels.get("service")
    if named:
        if named in ref.services:
            return ref.services[named], None
        why = f"unrouted: no service '{named}'"
    elif default_service:
        if default_service in ref.services:
            return ref.services[default_service], None
        why = f"unrouted: the default service '{default_service}' does not exist"
    else:
        why = "unrouted: the alert names no service and there is no default service"
    return ref.catch_all, why


def _join(*notes: str | None) -> str | None:
    text = "; ".join(n for n in notes if n)
    return clean_text(text, NOTE_MAX) if text else None


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
        route, alert, note = item.route, item.alert, item.note
        urgency = alert.urgency or urgency_for(alert.labels, route.urgency_rules)
        levels = ref.roster.policy_levels(route.escalation_policy_id)
        state, deferred_until, next_at = TRIGGERED, None, None
        if item.resolved:
            state = RESOLVED
        elif urgency == "low":
            deferred_until, trouble = _held_until(ref, route, now)
            if deferred_until is not None:
                state = DEFERRED
            note = _join(note, trouble)
        if state == TRIGGERED and levels:
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
                "routing_note": note,
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
            **({"note": row["routing_note"]} if row["routing_note"] else {}),
        }
        if row["routing_note"]:
            result.flagged.append(page_id)
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


def _held_until(ref: Reference, route: Route, now: datetime) -> tuple[datetime | None, str | None]:
    """When a low-urgency page may page (None: now), and what went wrong working it out.

    Support hours that cannot be evaluated (a holiday calendar the ``holidays`` package does
    not know, support hours that never begin) fail open: the page pages now and is flagged,
    because a configuration mistake must never hold, or refuse, a page.
    """
    rules = ref.roster.support_hours(route.support_hours_id)
    if rules is None:
        return None, None
    try:
        if rules.contains(now):
            return None, None
        starts = rules.next_start(now)
    except Exception as error:  # any failure of our configuration: page now, say why
        return None, f"support hours could not be evaluated ({error}); paged now"
    if starts is None:
        return None, "support hours never begin within a year; paged now"
    return starts, None


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
    """A page by hand (the CLI, scripts): the same path as an alert, made by the person acting
    (on PostgreSQL the login, on SQLite the configured user), who must be on the roster."""
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
        summary.strip(),
        details=details,
        service=service,
        urgency=urgency,
    )
    return ingest(context, [alert], by_hand=True)
