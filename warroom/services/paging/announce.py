"""Who was told about a page, and the events that say so.

A step that tells people is recorded twice in one transaction: a row per person in
``notifications`` (unique per page, round, level and person, which is what keeps a step's
notifications exactly-once across competing engines), and an event naming them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import BigInteger, func, literal, select

from warroom.services.context import UnitOfWork
from warroom.services.paging.claims import id_in, insert_ignoring_duplicates
from warroom.services.paging.reference import Target
from warroom.store.feed import append_events_from, json_object, run_by
from warroom.store.models import Notification, Page, Service


def told_fields(
    handles: Sequence[str],
    level: Any,
    round_: Any,
    urgency: Any,
    reason: str,
    service: Any,
    runbook: Any,
) -> dict[str, Any]:
    """What an event that tells people about a page carries besides the page's id and
    summary: enough for a desktop notification to say what happened without a query.
    ``level`` (0-based), ``round_``, ``urgency``, ``service`` (its name) and ``runbook``
    (whether it has one) are values, or expressions over the page's own columns when the
    database builds the payload (:func:`announce`)."""
    return {
        "handles": list(handles),
        "level": level + 1,
        "round": round_,
        "urgency": urgency,
        "reason": reason,
        "service": service,
        "runbook": runbook,
    }


def notified_payload(
    page_id: int,
    summary: str,
    urgency: str,
    level: int,
    round_: int,
    handles: Sequence[str],
    reason: str,
    *,
    service: str,
    runbook: bool,
) -> dict[str, Any]:
    return {
        "page_id": page_id,
        "summary": summary[:200],
        **told_fields(handles, level, round_, urgency, reason, service[:200], runbook),
    }


def record_told(work: UnitOfWork, page: Page, people: Sequence[Target], reason: str) -> list[str]:
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


def summary_payload(page_id: int, summary: str, service: str, urgency: str) -> dict[str, object]:
    return {"page_id": page_id, "summary": summary[:200], "service": service, "urgency": urgency}


def announce(
    work: UnitOfWork, topic: str, page_ids: Sequence[int], fields: Mapping[str, Any]
) -> None:
    """One event per page, its payload (the page's id and summary, then ``fields``, which may
    be columns of the page) made by the database."""
    if not page_ids:
        return
    session = work.session
    extra = {"run_by": run_by(session, work.actor)} if work.system else {}
    payload = json_object(
        session,
        {"page_id": Page.id, "summary": func.substr(Page.summary, 1, 200), **fields, **extra},
    )
    append_events_from(
        session,
        work.actor,
        work.now,
        topic,
        "page",
        select(Page.id, Page.incident_id, payload)
        .where(id_in(session, page_ids))
        .order_by(Page.id),
        system=work.system,
    )


def notify_many(
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
    record_notifications(work, page_ids, people, reason)
    announce(
        work,
        topic,
        page_ids,
        {
            **told_fields(
                [p.handle for p in people],
                Page.escalation_level,
                Page.escalation_round,
                Page.urgency,
                reason,
                select(Service.name).where(Service.id == Page.service_id).scalar_subquery(),
                Page.runbook_id.is_not(None),
            ),
            **extra,
        },
    )


def record_notifications(
    work: UnitOfWork, page_ids: Sequence[int], people: Sequence[Target], reason: str
) -> None:
    """Who is told, for pages just claimed: one INSERT … SELECT from the pages per person,
    taking each page's level and round as the claim left them. A (page, round, level,
    person) already recorded is skipped."""
    if not page_ids:
        return
    for person in people:
        work.session.execute(
            insert_ignoring_duplicates(work.session).from_select(
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
                ).where(id_in(work.session, page_ids)),
            )
        )
