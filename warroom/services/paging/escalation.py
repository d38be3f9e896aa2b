"""The sweep: every step that is due (escalations, releases at the start of support hours,
acknowledgements that timed out), claimed set by set so any number of engines may run it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from warroom.domain.actors import SystemActor
from warroom.domain.vocabulary import NotificationReason
from warroom.services.context import ServiceContext, reading, unit_of_work
from warroom.services.paging.announce import announce, notify_many
from warroom.services.paging.claims import ACKNOWLEDGED, DEFERRED, TRIGGERED, claim
from warroom.services.paging.reference import LevelTargets, Reference, reference
from warroom.store.models import Page

#: Pages claimed per sweep transaction: large enough that 10,000 due at once are a handful of
#: statements, small enough to stay well under SQLite's limit of bound parameters.
SWEEP_CHUNK = 1000


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
            .where(Page.state == TRIGGERED, Page.next_escalation_at <= now)
            .order_by(Page.next_escalation_at)
            .limit(limit)
        ).all()
        held = session.execute(
            select(Page.id, Page.escalation_policy_id)
            .where(Page.state == DEFERRED, Page.deferred_until <= now)
            .order_by(Page.deferred_until)
            .limit(limit)
        ).all()
        timeouts = ref.roster.ack_timeouts
        timed_out = (
            session.execute(
                select(Page.id, Page.escalation_policy_id)
                .where(
                    Page.state == ACKNOWLEDGED,
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
    with unit_of_work(context, system=SystemActor.ESCALATION_POLICY) as work:
        now, session = work.now, work.session
        targets = LevelTargets(ref.roster, now)
        for (policy_id, level, round_), page_ids in _grouped(due).items():
            levels = ref.roster.policy_levels(policy_id)
            if level + 1 < len(levels):
                new_level, new_round = level + 1, round_
            elif levels and round_ < ref.roster.repeats.get(policy_id, 0):
                new_level, new_round = 0, round_ + 1
            else:
                new_level, new_round = level, round_  # the end of the ladder
            exhausted = (new_level, new_round) == (level, round_)
            ids = claim(
                session,
                page_ids,
                [
                    Page.escalation_level == level,
                    Page.escalation_round == round_,
                    Page.state == TRIGGERED,
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
                announce(work, "page.escalation_exhausted", ids, {})
                continue
            reason = (
                NotificationReason.REPEAT if new_round != round_ else NotificationReason.ESCALATION
            ).value
            notify_many(
                work, ids, targets(policy_id, new_level), reason, "page.escalated", by_hand=False
            )
    return claimed


def _release_held(context: ServiceContext, ref: Reference, held: Sequence[Any]) -> int:
    """Support hours began: page what was held, from the first level."""
    claimed = 0
    with unit_of_work(context, system=SystemActor.SUPPORT_HOURS) as work:
        now, session = work.now, work.session
        targets = LevelTargets(ref.roster, now)
        for (policy_id,), page_ids in _grouped(held).items():
            levels = ref.roster.policy_levels(policy_id)
            ids = claim(
                session,
                page_ids,
                [Page.state == DEFERRED, Page.deferred_until <= now],
                state=TRIGGERED,
                deferred_until=None,
                escalation_level=0,
                next_escalation_at=(
                    now + timedelta(minutes=levels[0].delay_minutes) if levels else None
                ),
            )
            claimed += len(ids)
            announce(work, "page.released", ids, {})
            if levels:
                notify_many(work, ids, targets(policy_id, 0), NotificationReason.RELEASED.value)
    return claimed


def _reopen_timed_out(context: ServiceContext, ref: Reference, timed_out: Sequence[Any]) -> int:
    """Acknowledged but not resolved in time: back to triggered, paging from the first level
    in a new round. A fresh acknowledgement since it was seen moves ``acknowledged_at`` past
    the cut-off, so the claim misses it."""
    claimed = 0
    with unit_of_work(context, system=SystemActor.ACK_TIMEOUT) as work:
        now, session = work.now, work.session
        targets = LevelTargets(ref.roster, now)
        for (policy_id,), page_ids in _grouped(timed_out).items():
            levels = ref.roster.policy_levels(policy_id)
            cutoff = now - timedelta(minutes=ref.roster.ack_timeouts.get(policy_id, 0))
            ids = claim(
                session,
                page_ids,
                [Page.state == ACKNOWLEDGED, Page.acknowledged_at <= cutoff],
                state=TRIGGERED,
                acknowledged_at=None,
                acknowledged_by_id=None,
                escalation_level=0,
                escalation_round=Page.escalation_round + 1,
                next_escalation_at=(
                    now + timedelta(minutes=levels[0].delay_minutes) if levels else None
                ),
            )
            claimed += len(ids)
            announce(work, "page.reopened", ids, {"why": "acknowledged but not resolved in time"})
            if levels:
                notify_many(work, ids, targets(policy_id, 0), NotificationReason.REPEAT.value)
    return claimed


def next_due(context: ServiceContext) -> datetime | None:
    """When the next step falls due: what a local alarm clock should be set to."""
    with reading(context) as session:
        escalation = session.scalar(
            select(func.min(Page.next_escalation_at)).where(Page.state == TRIGGERED)
        )
        release = session.scalar(
            select(func.min(Page.deferred_until)).where(Page.state == DEFERRED)
        )
    candidates = [t for t in (escalation, release) if t is not None]
    return min(candidates) if candidates else None
