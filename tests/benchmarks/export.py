"""Post-incident report figures: export an incident with 100,000 transcript entries.

    .venv/bin/python tests/benchmarks/export.py [--entries 100000]

Seeds the demo organisation into a fresh SQLite file, declares an incident and bulk-inserts
the entries through the store (one INSERT of many rows), then times ``export`` to Markdown
and to HTML (gathering included). Baselines in the same run: reading the same rows alone
(one SELECT of the columns the report uses, as tuples) and ``json.dumps`` of them.
Target: each export of 100,000 entries <= 2 s.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from warroom.domain.clock import FakeClock
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.incidents import lifecycle
from warroom.services.transcript.report import export
from warroom.store.database import Database
from warroom.store.models import Person, TranscriptEntry
from warroom.store.schema import upgrade

WORDS = [
    "primary",
    "replica",
    "failover",
    "latency",
    "p99",
    "rollback",
    "deploy",
    "checkout",
    "5xx",
    "<b>bold</b>",
    "cache",
    "purge",
    "#",
    "heading",
    "|",
    "pipe",
    "*",
    "star",
    "_under_",
    "[link](x)",
    "kafka",
    "lag",
    "dns",
    "ttl",
]
KINDS = ("said", "did", "decided", "action", "felt", "note")


def seed(context: ServiceContext, incident_id: int, count: int) -> None:
    rng = random.Random(12)
    start = context.clock.now()
    with context.database.transaction() as session:
        people = list(session.scalars(select(Person.id)))
        rows = []
        for n in range(count):
            kind = KINDS[n % len(KINDS)]
            at = start + timedelta(seconds=n * 1.7)
            rows.append(
                {
                    "incident_id": incident_id,
                    "client_uuid": str(uuid.UUID(int=rng.getrandbits(128))),
                    "kind": kind,
                    "body": " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 25))),
                    "speaker_id": rng.choice(people) if n % 3 else None,
                    "author": "amara",
                    "occurred_at": at,
                    "recorded_at": at + timedelta(seconds=2),
                    "deleted": n % 97 == 0,
                    "version": 2 if n % 50 == 0 else 1,
                    "mark": "impact_start" if n == 10 else None,
                    "owner_id": rng.choice(people) if kind == "action" else None,
                    "done_at": at + timedelta(hours=1) if kind == "action" and n % 2 else None,
                    "done_by": "priya" if kind == "action" and n % 2 else None,
                    "edited_at": at + timedelta(minutes=1) if n % 50 == 0 else None,
                }
            )
        for chunk in range(0, count, 20_000):
            session.execute(insert(TranscriptEntry), rows[chunk : chunk + 20_000])


def best(action: Callable[[], object], runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    count = parser.parse_args().entries
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(make_url(f"sqlite:///{Path(tmp) / 'bench.db'}"))
        upgrade(database)
        clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        context = ServiceContext(database, "amara", clock)
        seed_demo(context)
        incident = lifecycle.declare(context, title="Checkout 5xx", severity="SEV1").id
        start = time.perf_counter()
        seed(context, incident, count)
        seeded = time.perf_counter() - start
        print(f"Seeded {count:,} entries in {seeded:.2f} s (bulk INSERT through the store)")

        def read_rows() -> list[tuple[object, ...]]:
            e = TranscriptEntry
            with database.reading() as session:
                return [
                    tuple(row)
                    for row in session.connection().execute(
                        select(
                            e.occurred_at,
                            e.kind,
                            e.author,
                            e.body,
                            e.speaker_id,
                            e.edited_at,
                            e.version,
                            e.mark,
                            e.owner_id,
                            e.done_at,
                            e.done_by,
                        )
                        .where(e.incident_id == incident, e.deleted.is_(False))
                        .order_by(e.occurred_at, e.id)
                    )
                ]

        reading, rows = best(read_rows)
        dumping, _ = best(lambda: json.dumps(rows, default=str))
        zone = ZoneInfo("Europe/Berlin")
        md_time, md = best(lambda: export(context, incident, "md", zone))
        html_time, page = best(lambda: export(context, incident, "html", zone))
        assert isinstance(md, str)
        assert isinstance(page, str)
        kept = len(rows)  # type: ignore[arg-type]
        assert md.count(" — noted by @amara") >= kept  # every entry (decisions twice)
        print(f"Export of {count:,} entries ({kept:,} not deleted), best of 3")
        print(f"  read the rows alone  : {reading:6.2f} s   (baseline)")
        print(f"  json.dumps of them   : {dumping:6.2f} s   (baseline)")
        for name, took, text in (("Markdown", md_time, md), ("HTML", html_time, page)):
            print(
                f"  export to {name:<10} : {took:6.2f} s   {len(text) / 1e6:5.1f} MB   "
                f"{took / reading:4.1f}x reading, {took / dumping:4.1f}x json.dumps   "
                f"(target <= 2 s: {'ok' if took <= 2 else 'MISSED'})"
            )
        database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
