"""What a page notification says: enough to decide without opening the app.

Title: the service and the summary. Body: the urgency and the step (and whether it was
escalated to the reader), whether a runbook is waiting, and who else was told.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def page_notice(
    page_id: int, payload: Mapping[str, Any], me: str, names: Mapping[str, str]
) -> tuple[str, str, bool]:
    """(title, body, urgent) for the ``page.notified``/``page.escalated`` event ``payload``."""
    service = str(payload.get("service") or "")
    summary = str(payload.get("summary") or f"Page #{page_id}")
    urgent = payload.get("urgency") == "high"
    level = int(payload.get("level") or 1)
    title = f"{service}: {summary}" if service else summary
    step = f"{'High' if urgent else 'Low'} urgency · page #{page_id} · level {level}"
    if payload.get("by_hand"):
        by = str(payload.get("by") or "")
        step += f" — escalated to you by {names.get(by, by)}" if by else " — escalated to you"
    elif level > 1 or int(payload.get("round") or 0) > 0:
        step += " — escalated to you"
    runbook = "Runbook ready in warroom." if payload.get("runbook") else "No runbook yet."
    others = [names.get(h, h) for h in payload.get("handles", []) if h != me]
    told = f"Also told: {', '.join(others)}." if others else "Only you were told."
    return title, f"{step}\n{runbook} {told}", urgent
