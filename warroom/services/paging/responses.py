"""What people do to a page: acknowledge it, resolve it, escalate it by hand.

Each is a claim: an acknowledgement only takes a page still triggered (or held), so two
people acknowledging at once, or an acknowledgement racing a sweep, end with exactly one
acknowledgement and no escalation after it.

Each is a person's act, so each acts as :func:`~warroom.services.identity.acting` says: on
PostgreSQL the database login, on SQLite the configured user (or the ``handle`` the desktop
names). The page's ``acknowledged_by``/``resolved_by``, the notification's ``acted_at``, the
payload's ``handle``/``by`` and the events' actor all name that one person.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from warroom.domain.errors import ConflictError, NotFoundError
from warroom.domain.vocabulary import NotificationReason, PageState
from warroom.services.context import ServiceContext
from warroom.services.identity import acting
from warroom.services.paging.announce import notified_payload, record_told
from warroom.services.paging.claims import claimed_count
from warroom.services.paging.reference import reference
from warroom.store.models import Notification, Page


def _page(session: Session, page_id: int) -> Page:
    page = session.get(Page, page_id)
    if page is None:
        raise NotFoundError(f"there is no page #{page_id}")
    return page


def acknowledge(context: ServiceContext, page_id: int, handle: str | None = None) -> bool:
    """Stop escalation. Returns False if it was already acknowledged (by anyone).

    ``handle`` (the desktop's user) names who acknowledges; see :func:`acting`.
    """
    with acting(context, handle) as (work, who):
        page = _page(work.session, page_id)
        if page.state == PageState.RESOLVED.value:
            raise ConflictError(f"page #{page_id} is already resolved")
        claimed = claimed_count(
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
    """The problem is gone. Returns False if it was already resolved."""
    with acting(context, handle) as (work, who):
        page = _page(work.session, page_id)
        claimed = claimed_count(
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
    with acting(context, handle) as (work, who):
        page = _page(work.session, page_id)
        if page.state == PageState.RESOLVED.value:
            raise ConflictError(f"page #{page_id} is already resolved")
        ref = reference(context, work.session)
        roster = ref.roster
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
        told = record_told(work, page, people, reason)
        work.emit(
            "page.escalated",
            "page",
            page_id,
            {
                **notified_payload(
                    page_id,
                    page.summary,
                    page.urgency,
                    page.escalation_level,
                    page.escalation_round,
                    told,
                    reason,
                    service=ref.names.get(page.service_id, ""),
                    runbook=page.runbook_id is not None,
                ),
                "by_hand": True,
                "by": who.handle,
                "expertise": to_expertise,
            },
            incident_id=page.incident_id,
        )
        return told
