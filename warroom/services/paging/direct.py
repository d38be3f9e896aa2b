"""Paging one person directly (into an incident, say): a page that starts with them and, if
nobody acknowledges, escalates along its service's policy like any other."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from warroom.domain.errors import ConflictError, NotFoundError
from warroom.domain.text import clean_text
from warroom.domain.vocabulary import NotificationReason, PageSource, PageState, Urgency
from warroom.services.context import ServiceContext, unit_of_work
from warroom.services.identity import acting_person
from warroom.services.paging.announce import notified_payload, record_told
from warroom.services.paging.claims import RESOLVED
from warroom.services.paging.reference import Target, reference
from warroom.store.models import Page, Person, Service


def page_person(
    context: ServiceContext,
    *,
    handle: str,
    service_id: int,
    summary: str,
    dedup_key: str,
    incident_id: int | None = None,
    details: str = "",
) -> int:
    """Page ``handle`` now, high urgency; the page's later levels are its service's policy.

    One open page per ``dedup_key``: asking twice while the first is open is refused with
    the page's number, not a second page.
    """
    text = clean_text(summary).strip()[:1000]
    with unit_of_work(context) as work:
        session = work.session
        me = acting_person(work, context)
        person = session.scalar(select(Person).where(Person.handle == handle, Person.active))
        if person is None:
            raise NotFoundError(f"There is no active person '{handle}' to page.")
        service = session.get(Service, service_id)
        if service is None:
            raise NotFoundError(f"There is no service #{service_id}.")
        open_page = session.scalar(
            select(Page.id).where(
                Page.service_id == service_id, Page.dedup_key == dedup_key, Page.state != RESOLVED
            )
        )
        if open_page is not None:
            raise ConflictError(
                f"{person.name} was already paged for this (page #{open_page}); it is still open."
            )
        levels = reference(context, session).roster.policy_levels(service.escalation_policy_id)
        page = Page(
            service_id=service_id,
            dedup_key=dedup_key[:255],
            summary=text,
            details=clean_text(details)[:10_000],
            source=PageSource.MANUAL.value,
            urgency=Urgency.HIGH.value,
            state=PageState.TRIGGERED.value,
            labels={"paged_by": me.handle},
            annotations={},
            escalation_policy_id=service.escalation_policy_id,
            escalation_level=0,
            escalation_round=0,
            next_escalation_at=(
                work.now + timedelta(minutes=levels[0].delay_minutes) if levels else None
            ),
            occurrences=1,
            triggered_at=work.now,
            last_seen_at=work.now,
            incident_id=incident_id,
            version=1,
        )
        session.add(page)
        session.flush()
        reason = NotificationReason.INITIAL.value
        told = record_told(work, page, [Target(person.id, person.handle)], reason)
        base = {"page_id": page.id, "summary": text[:200], "service": service.name}
        work.emit(
            "page.triggered", "page", page.id, {**base, "urgency": "high"}, incident_id=incident_id
        )
        work.emit(
            "page.notified",
            "page",
            page.id,
            {
                **notified_payload(
                    page.id, text, "high", 0, 0, told, reason, service=service.name, runbook=False
                ),
                "by": me.handle,
            },
            incident_id=incident_id,
        )
        return page.id
