"""Runbook figures: import 2,000 runbooks, re-import with 10 changed, search, render 200 KB.

    .venv/bin/python tests/benchmarks/runbooks.py

Baselines in the same run: reading and hashing the same files without the database (what any
import must at least do), a naive search that lower-cases every body per query, and
markdown-it's plain HTML rendering of the same 200 KB text.
"""

from __future__ import annotations

import hashlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from markdown_it import MarkdownIt
from sqlalchemy.engine import make_url

from warroom.domain.runbook_render import render_runbook
from warroom.domain.runbook_search import RunbookIndex
from warroom.services.context import ServiceContext
from warroom.services.runbooks import import_runbooks, searchable_library
from warroom.store.database import Database
from warroom.store.schema import upgrade

WORDS = [
    "check",
    "restart",
    "replica",
    "primary",
    "disk",
    "queue",
    "certificate",
    "dns",
    "latency",
    "error",
    "rate",
    "deploy",
    "rollback",
    "kafka",
    "consumer",
    "lag",
    "node",
    "pod",
    "cluster",
    "payment",
    "provider",
    "failover",
    "backup",
    "restore",
    "index",
    "cache",
    "timeout",
]


def runbook(n: int, rng: random.Random, paragraphs: int = 8) -> str:
    body = []
    for p in range(paragraphs):
        body.append(f"## Section {p}\n")
        body.append(" ".join(rng.choice(WORDS) for _ in range(60)) + "\n")
        body.extend(
            f"- [ ] Step {p}.{s}: {' '.join(rng.choice(WORDS) for _ in range(8))}" for s in range(3)
        )
        body.append("\n```sh\nkubectl get pods -n ns\n```\n")
    return (
        f"---\ntitle: Runbook {n} {rng.choice(WORDS)}\nservices: []\nalerts:\n"
        f"  - alertname: Alert{n}\nlast_reviewed: 2026-10-01\n---\n# Runbook {n}\n\n"
        + "\n".join(body)
    )


def main() -> int:
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "library"
        for n in range(2000):
            path = folder / f"team{n % 20}" / f"runbook-{n}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(runbook(n, rng))
        database = Database(make_url(f"sqlite:///{Path(tmp) / 'bench.db'}"))
        upgrade(database)
        context = ServiceContext(database, "bench")

        start = time.perf_counter()
        hashes = [hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.md")]
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        report = import_runbooks(context, folder)
        first = time.perf_counter() - start
        assert len(report.added) == 2000, report.describe()[:200]
        assert len(hashes) == 2000
        for n in range(10):
            path = folder / f"team{n % 20}" / f"runbook-{n}.md"
            path.write_text(path.read_text() + "\n- [ ] One more step\n")
        start = time.perf_counter()
        again = import_runbooks(context, folder)
        second = time.perf_counter() - start
        assert len(again.updated) == 10, again.describe()[:200]
        print("Import into SQLite")
        print(
            f"  2,000 runbooks      : {first:6.2f} s   (target <= 5 s; reading+hashing "
            f"alone {baseline:5.2f} s)"
        )
        print(f"  re-import, 10 changed: {second:6.2f} s   (target <= 1 s)")

        library = searchable_library(context)
        index = RunbookIndex(library)
        queries = [
            "failover",
            "kafka consumer",
            "Runbook 1999",
            "certificate dns latency",
            "nothing-matches-this",
            "restore",
        ]
        ours, naive = [], []
        for query in queries:
            start = time.perf_counter()
            index.search(query)
            ours.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            words = query.lower().split()
            [r.slug for r in library if all(w in (r.title + " " + r.body).lower() for w in words)]
            naive.append((time.perf_counter() - start) * 1000)
        print("Full-text search over 2,000 runbooks, per query")
        print(
            f"  warroom index      : median {statistics.median(ours):6.2f} ms, worst "
            f"{max(ours):6.2f} ms   (target <= 50 ms)"
        )
        print(
            f"  naive lower() scan : median {statistics.median(naive):6.2f} ms   ratio "
            f"{statistics.median(naive) / statistics.median(ours):4.1f}x"
        )
        database.dispose()

    big = runbook(0, rng, paragraphs=290)  # 200 KB
    plain = MarkdownIt("commonmark")
    times, plain_times = [], []
    for _ in range(5):
        start = time.perf_counter()
        render_runbook(big)
        times.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        plain.render(big)
        plain_times.append((time.perf_counter() - start) * 1000)
    print(f"Render a {len(big.encode()) // 1000} KB runbook")
    print(f"  warroom render     : median {statistics.median(times):6.1f} ms   (target <= 100 ms)")
    print(
        f"  plain markdown-it  : median {statistics.median(plain_times):6.1f} ms   ratio "
        f"{statistics.median(times) / statistics.median(plain_times):4.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
