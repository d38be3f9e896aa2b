"""Deliveries of stakeholder updates to webhooks, claimed in the database.

Any engine may deliver (every desktop and ``warroom serve``). One that finds a delivery due
claims it with a conditional UPDATE — only while it is still in the state and at the attempt
it was seen at — and commits that before it calls the webhook, so a second engine finds
nothing to claim; the claim carries a lease and a token of the engine's own. The engine
calls the webhook outside any transaction (:mod:`warroom.engine.update_delivery`) and writes
the answer back only while its token still holds. A lease that runs out (the engine died
during the call) makes the delivery due again: a crash may cost a repeat, never a loss (the
repeat carries the same ``Idempotency-Key``).

Each change of state appends an event, so every desktop shows "sent", "retrying (503)" or
"failed: 403" on the update at once. Neither the rows nor the events hold the webhook's
address, only the name of the target and where its address is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from warroom.domain.actors import SystemActor
from warroom.domain.comms import WebhookAnswer, delivery_outcome
from warroom.domain.incidents import incident_ref
from warroom.domain.vocabulary import DeliveryState
from warroom.services.context import ServiceContext, UnitOfWork, reading, unit_of_work
from warroom.services.paging.claims import claimed_count
from warroom.store.models import (
    DeliveryTarget,
    Incident,
    Service,
    StatusUpdate,
    UpdateDelivery,
)

#: How long a claim holds: far longer than one call to a webhook may take.
LEASE = timedelta(minutes=2)
#: At most this many deliveries are claimed by one engine in one run.
BATCH = 8

_WAITING = (DeliveryState.PENDING.value, DeliveryState.RETRYING.value)


@dataclass(frozen=True)
class Address:
    """Where a target's webhook address is kept (never the address)."""

    url_env: str | None
    url_keyring: str | None

    def describe(self) -> str:
        if self.url_env:
            return f"${self.url_env}"
        return f"the keyring entry {self.url_keyring}"


@dataclass(frozen=True)
class Claimed:
    """A delivery this engine holds now, with everything its webhook call needs."""

    delivery_id: int
    token: str
    attempts: int
    target: str
    address: Address
    format: str
    content: dict[str, Any]  # what the update says, for :func:`warroom.domain.comms` payloads
    event: dict[str, Any]  # what its events carry


@dataclass
class DeliveryClaims:
    claimed: list[Claimed] = field(default_factory=list)
    next_due: datetime | None = None


def _due(now: datetime) -> Any:
    return or_(
        and_(UpdateDelivery.state.in_(_WAITING), UpdateDelivery.next_attempt_at <= now),
        and_(
            UpdateDelivery.state == DeliveryState.SENDING.value, UpdateDelivery.lease_until <= now
        ),
    )


def next_due(session: Session) -> datetime | None:
    """When the next delivery falls due (a retry, or a lease that runs out)."""
    retry = session.scalar(
        select(func.min(UpdateDelivery.next_attempt_at)).where(UpdateDelivery.state.in_(_WAITING))
    )
    lease = session.scalar(
        select(func.min(UpdateDelivery.lease_until)).where(
            UpdateDelivery.state == DeliveryState.SENDING.value
        )
    )
    return min((t for t in (retry, lease) if t is not None), default=None)


def claim_due(
    context: ServiceContext, can_reach: Callable[[Address], bool], limit: int = BATCH
) -> DeliveryClaims:
    """Claim up to ``limit`` deliveries that are due and whose address this engine knows
    (``can_reach``). One this engine cannot reach is left for one that can, with a note."""
    now = context.clock.now()
    result = DeliveryClaims()
    with reading(context) as session:
        seen = session.execute(
            select(UpdateDelivery, DeliveryTarget)
            .outerjoin(DeliveryTarget, DeliveryTarget.audience == UpdateDelivery.audience)
            .where(_due(now))
            .order_by(UpdateDelivery.next_attempt_at, UpdateDelivery.id)
            .limit(limit * 4)
        ).all()
        result.next_due = next_due(session)
    if not seen:
        return result
    with unit_of_work(context, system=SystemActor.UPDATE_DELIVERY) as work:
        for delivery, target in seen:
            if target is None:
                _give_up(work, delivery, "no webhook for this audience in the roster any more")
                continue
            address = Address(target.url_env, target.url_keyring)
            if not can_reach(address):
                _note(work, delivery, f"waiting for an engine that has {address.describe()}")
                continue
            if len(result.claimed) >= limit:
                continue
            claimed = _claim(work, delivery, target, address)
            if claimed is not None:
                result.claimed.append(claimed)
    return result


def _claim(
    work: UnitOfWork, delivery: UpdateDelivery, target: DeliveryTarget, address: Address
) -> Claimed | None:
    """Take the delivery if it is still as it was seen; None if another engine did."""
    token = str(uuid.uuid4())
    attempts = delivery.attempts + 1
    taken = claimed_count(
        work.session,
        update(UpdateDelivery)
        .where(
            UpdateDelivery.id == delivery.id,
            UpdateDelivery.state == delivery.state,
            UpdateDelivery.attempts == delivery.attempts,
        )
        .values(
            state=DeliveryState.SENDING.value,
            attempts=attempts,
            lease_until=work.now + LEASE,
            claim_token=token,
            note="",
        ),
    )
    if not taken:
        return None
    found = work.session.execute(
        select(StatusUpdate, Incident, Service.name)
        .join(Incident, Incident.id == StatusUpdate.incident_id)
        .outerjoin(Service, Service.id == Incident.service_id)
        .where(StatusUpdate.id == delivery.status_update_id)
    ).one()
    posted, incident, service = found
    ref = incident_ref(incident.id)
    content = {
        "update_id": posted.id,
        "ref": ref,
        "title": incident.title,
        "severity": incident.severity,
        "incident_status": incident.status,
        "service": service,
        "audience": posted.audience,
        "status": posted.status,
        "body": posted.body,
        "posted_at": posted.posted_at.isoformat(),
        "posted_by": posted.posted_by,
    }
    return Claimed(
        delivery.id,
        token,
        attempts,
        target.name,
        address,
        target.format,
        content,
        _event(delivery, ref),
    )


def _event(delivery: UpdateDelivery, ref: str) -> dict[str, Any]:
    return {
        "incident_id": delivery.incident_id,
        "ref": ref,
        "update_id": delivery.status_update_id,
        "audience": delivery.audience,
        "target": delivery.target,
    }


def _note(work: UnitOfWork, delivery: UpdateDelivery, note: str) -> None:
    """Say why nobody delivers yet, once (the next engine that can reach it clears it)."""
    if delivery.note != note:
        work.session.execute(
            update(UpdateDelivery)
            .where(UpdateDelivery.id == delivery.id, UpdateDelivery.state == delivery.state)
            .values(note=note)
            .execution_options(synchronize_session=False)
        )


def _give_up(work: UnitOfWork, delivery: UpdateDelivery, why: str) -> None:
    gave_up = claimed_count(
        work.session,
        update(UpdateDelivery)
        .where(
            UpdateDelivery.id == delivery.id,
            UpdateDelivery.state == delivery.state,
            UpdateDelivery.attempts == delivery.attempts,
        )
        .values(
            state=DeliveryState.FAILED.value,
            detail=why,
            next_attempt_at=None,
            lease_until=None,
            claim_token=None,
        ),
    )
    if gave_up:
        work.emit(
            "status_update.delivery_failed",
            "status_update",
            delivery.status_update_id,
            {
                **_event(delivery, incident_ref(delivery.incident_id)),
                "state": DeliveryState.FAILED.value,
                "detail": why,
                "attempts": delivery.attempts,
            },
            incident_id=delivery.incident_id,
        )


_TOPIC = {
    DeliveryState.SENT.value: "status_update.delivered",
    DeliveryState.RETRYING.value: "status_update.delivery_retrying",
    DeliveryState.FAILED.value: "status_update.delivery_failed",
}


def record(context: ServiceContext, claimed: Claimed, answer: WebhookAnswer) -> str | None:
    """Write what the webhook answered; the new state, or None when the claim had run out
    and another engine holds the delivery now (its answer is the one that counts)."""
    with unit_of_work(context, system=SystemActor.UPDATE_DELIVERY) as work:
        outcome = delivery_outcome(answer, claimed.attempts, work.now)
        sent = outcome.state == DeliveryState.SENT.value
        kept = claimed_count(
            work.session,
            update(UpdateDelivery)
            .where(
                UpdateDelivery.id == claimed.delivery_id,
                UpdateDelivery.claim_token == claimed.token,
            )
            .values(
                state=outcome.state,
                detail=outcome.detail[:200],
                last_code=answer.code,
                next_attempt_at=outcome.next_attempt_at,
                lease_until=None,
                claim_token=None,
                delivered_at=work.now if sent else None,
            ),
        )
        if not kept:
            return None
        work.emit(
            _TOPIC[outcome.state],
            "status_update",
            claimed.event["update_id"],
            {
                **claimed.event,
                "state": outcome.state,
                "detail": outcome.detail[:200],
                "attempts": claimed.attempts,
            },
            incident_id=claimed.event["incident_id"],
        )
        return outcome.state
