"""Runbooks render safely, with steps keyed like the importer keys them, and search works."""

from __future__ import annotations

from datetime import UTC, datetime

from warroom.domain.runbook_render import Tick, render_runbook
from warroom.domain.runbook_search import RunbookIndex, SearchableRunbook
from warroom.domain.runbook_text import parse_runbook

TEXT = """---
title: Disk full
services: [db]
alerts:
  - alertname: DiskFull
last_reviewed: 2026-10-01
---

# Disk full

## Check

- [ ] Look at `df -h` on the node
- [x] Tell the bridge
- not a step

```sh
sudo du -xh / | sort -h
```

<script>alert("owned")</script>

![graph](https://evil.example/track.png)

[dashboard](https://grafana.example/d/disk)
"""


def test_steps_carry_the_same_keys_the_importer_stores() -> None:
    parsed = parse_runbook(TEXT, "disk.md")
    rendered = render_runbook(parsed.body)
    assert rendered.step_keys == [step.key for step in parsed.steps]
    assert len(rendered.step_keys) == 2
    assert f'href="step:{parsed.steps[0].key}"' in rendered.html


def test_ticks_show_who_ticked_and_when() -> None:
    parsed = parse_runbook(TEXT, "disk.md")
    tick = Tick("amara", datetime(2026, 11, 23, 3, 12, tzinfo=UTC))
    rendered = render_runbook(parsed.body, {parsed.steps[0].key: tick}, zone=UTC)
    assert "☑" in rendered.html
    assert "ticked by amara at 03:12" in rendered.html


def test_nothing_runs_and_nothing_is_fetched() -> None:
    rendered = render_runbook(parse_runbook(TEXT, "disk.md").body)
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "<img" not in rendered.html
    assert "[image: graph — https://evil.example/track.png]" in rendered.html
    assert 'href="https://grafana.example/d/disk"' in rendered.html  # opened only on click


def test_contents_and_copyable_code() -> None:
    rendered = render_runbook(parse_runbook(TEXT, "disk.md").body)
    assert [(h.level, h.text) for h in rendered.headings] == [(1, "Disk full"), (2, "Check")]
    assert '<a name="check"></a>' in rendered.html
    assert rendered.code_blocks == ["sudo du -xh / | sort -h\n"]
    assert 'href="copy:0"' in rendered.html


def test_search_by_words_service_and_alert_title_matches_first() -> None:
    index = RunbookIndex(
        [
            SearchableRunbook("disk", "Disk full", "free space with du", ("db",), ("DiskFull",)),
            SearchableRunbook("dns", "DNS failures", "check the disk of the resolver", ("edge",)),
        ]
    )
    assert index.search("disk") == ["disk", "dns"]
    assert index.search("DISK resolver") == ["dns"]
    assert index.search("", service="edge") == ["dns"]
    assert index.search("", alert="diskfull") == ["disk"]
    assert index.search("nothing like this") == []
