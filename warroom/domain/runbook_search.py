"""Full-text search over the runbook library, in memory.

The whole library of a team (thousands of runbooks, a few kilobytes each) is a few megabytes
of text: lower-cased once, it is searched with plain substring tests in well under the 50 ms
a keystroke allows, on SQLite and PostgreSQL alike, without two full-text engines to keep in
step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchableRunbook:
    slug: str
    title: str
    body: str
    services: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()  # alert names it answers


class RunbookIndex:
    def __init__(self, runbooks: Iterable[SearchableRunbook]) -> None:
        self._entries = [
            (
                r.slug,
                r.title.lower(),
                " ".join((r.title, r.body, *r.services, *r.alerts)).lower(),
                frozenset(r.services),
                frozenset(a.lower() for a in r.alerts),
            )
            for r in runbooks
        ]

    def __len__(self) -> int:
        return len(self._entries)

    def search(
        self, text: str = "", service: str | None = None, alert: str | None = None
    ) -> list[str]:
        """Slugs matching every word, best first (title matches before body matches)."""
        words = text.lower().split()
        alert = alert.lower() if alert else None
        in_title: list[str] = []
        in_body: list[str] = []
        for slug, title, haystack, services, alerts in self._entries:
            if service is not None and service not in services:
                continue
            if alert is not None and alert not in alerts:
                continue
            if all(word in haystack for word in words):
                (in_title if words and all(w in title for w in words) else in_body).append(slug)
        return in_title + in_body
