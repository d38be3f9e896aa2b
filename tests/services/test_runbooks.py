"""The runbook library on both databases: import reports, updates that keep progress,
retirement, matching pages to runbooks, ticking steps into the timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from warroom.domain.errors import RemovalRefusedError, ValidationError
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.services.runbooks import (
    coverage_report,
    get_runbook,
    import_runbooks,
    list_runbooks,
    match_runbook,
    set_step,
)
from warroom.store.models import Event, Page, Service

GOOD = """---
title: {title}
services: [postgres-main]
alerts:
  - alertname: {alert}
last_reviewed: 2026-10-01
---
# {title}

- [ ] First step
- [ ] Second step
- [ ] {third}
"""


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "runbooks"
    write(folder, "db/failover.md", GOOD.format(title="Failover", alert="PgDown", third="Third"))
    write(folder, "disk.md", GOOD.format(title="Disk", alert="DiskFull", third="Clean"))
    write(folder, "bad/yaml.md", "---\ntitle: [oops\n---\nbody")
    write(folder, "bad/untitled.md", "---\nowners: [x]\n---\nbody")
    write(folder, "bad/copy.md", "---\ntitle: Copy\nslug: disk\n---\nbody")
    write(folder, ".git/ignored.md", "not a runbook")
    return folder


def test_import_reports_added_and_every_rejected_file(context, library) -> None:
    seed_demo(context)
    report = import_runbooks(context, library, allow_removals=True)  # it retires the demo's
    assert sorted(report.added) == ["db-failover", "disk"]
    reasons = dict(report.rejected)
    assert "not valid YAML (line " in reasons["bad/yaml.md"]
    assert "no title" in reasons["bad/untitled.md"]
    assert "duplicate slug 'disk'" in reasons["bad/copy.md"]
    assert ".git/ignored.md" not in reasons
    # the folder is the library: the demo's runbooks are retired
    assert "database-failover" in report.retired
    assert [s.slug for s in list_runbooks(context)] == ["disk", "db-failover"]  # by title


def test_reimport_keeps_ticks_of_unchanged_steps(context, library) -> None:
    seed_demo(context)
    import_runbooks(context, library, allow_removals=True)
    with context.database.reading() as session:
        page_id = session.scalar(select(Page.id).order_by(Page.id))
    detail = get_runbook(context, "disk")
    first, _, third = _keys(context, "disk")
    set_step(context, "disk", first, True, page_id=page_id)
    set_step(context, "disk", third, True, page_id=page_id)
    write(library, "disk.md", GOOD.format(title="Disk", alert="DiskFull", third="Clean harder"))
    again = import_runbooks(context, library)
    assert again.updated == ["disk"]
    assert again.unchanged == 1
    ticks = get_runbook(context, "disk", page_id=page_id).ticks
    assert set(ticks) == {first}  # the changed step starts over
    assert detail.summary.steps == 3
    assert import_runbooks(context, library).updated == []


def _keys(context: ServiceContext, slug: str) -> list[str]:
    from warroom.store.models import Runbook, RunbookStep

    with context.database.reading() as session:
        return list(
            session.scalars(
                select(RunbookStep.step_key)
                .join(Runbook, Runbook.id == RunbookStep.runbook_id)
                .where(Runbook.slug == slug)
                .order_by(RunbookStep.position)
            )
        )


def test_a_removed_file_is_retired(context, library) -> None:
    import_runbooks(context, library)
    (library / "disk.md").unlink()
    (library / "bad" / "copy.md").unlink()  # it would otherwise take the free slug
    with pytest.raises(RemovalRefusedError, match="retire 1 of the 2 runbooks"):
        import_runbooks(context, library)  # half the library: the person must say so
    assert import_runbooks(context, library, allow_removals=True).retired == ["disk"]
    assert [s.slug for s in list_runbooks(context)] == ["db-failover"]
    assert [s.slug for s in list_runbooks(context, include_retired=True)] == ["disk", "db-failover"]


def test_ticks_are_shared_and_join_the_incident_timeline(context) -> None:
    seed_demo(context)
    with context.database.reading() as session:
        page = session.scalars(select(Page).where(Page.incident_id.is_not(None))).first()
    key = _keys(context, "elevated-error-rate")[0]
    set_step(context, "elevated-error-rate", key, True, page_id=page.id)
    set_step(context, "elevated-error-rate", key, True, page_id=page.id)  # idempotent
    assert set(get_runbook(context, "elevated-error-rate", page_id=page.id).ticks) == {key}
    set_step(context, "elevated-error-rate", key, False, page_id=page.id)
    assert get_runbook(context, "elevated-error-rate", page_id=page.id).ticks == {}
    with context.database.reading() as session:
        events = session.scalars(
            select(Event).where(Event.topic.like("runbook.step_%")).order_by(Event.id)
        ).all()
    assert [e.topic for e in events] == ["runbook.step_ticked", "runbook.step_unticked"]
    assert all(e.incident_id == page.incident_id for e in events)
    with pytest.raises(ValidationError, match="page or for an incident"):
        set_step(context, "elevated-error-rate", key, True)


def test_pages_find_their_runbook(context) -> None:
    seed_demo(context)
    with context.database.reading() as session:
        ids = dict(session.execute(select(Service.slug, Service.id)).all())

        def slug(service: str, labels: dict, annotations: dict) -> str | None:
            found = match_runbook(session, ids[service], labels, annotations)
            if found is None:
                return None
            from warroom.store.models import Runbook

            return session.get(Runbook, found).slug

        assert slug("kubernetes", {}, {"runbook_url": "https://git.example/rb/dns.md"}) == "dns"
        assert slug("kubernetes", {"alertname": "NodeFilesystemAlmostFull"}, {}) == "disk-full"
        # matchers that need the service label too
        assert slug("checkout-api", {"alertname": "CheckoutErrorRate"}, {}) in (
            "elevated-error-rate",
            "payment-provider-outage",
        )
        assert slug("event-pipeline", {"alertname": "Unknown"}, {}) == "queue-backlog"
        assert slug("ledger", {"alertname": "Unknown"}, {}) is None


def test_the_coverage_report_names_gaps_and_stale_runbooks(context, clock) -> None:
    clock.set(datetime(2026, 11, 23, 9, tzinfo=UTC))
    seed_demo(context)
    report = coverage_report(context)
    assert "ledger" in report.services_without_runbook
    assert report.alerts_without_runbook == ("RecommendationsStale",)
    assert "dns" in [slug for slug, _ in report.stale]
    assert "Stale runbooks" in report.describe()


def test_importing_something_that_is_not_a_folder_is_explained(context, tmp_path) -> None:
    with pytest.raises(ValidationError, match="is not a folder"):
        import_runbooks(context, tmp_path / "nowhere")


# ----------------------------------------------------------------------------- removing much


def _library_state(context: ServiceContext) -> tuple[list[str], int]:
    with context.database.reading() as session:
        events = len(session.scalars(select(Event.id)).all())
    return [s.slug for s in list_runbooks(context)], events


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ({}, "the folder has no Markdown files"),
        (
            {"a.md": "no front matter", "b.md": "---\nowners: [x]\n---\nbody"},
            "the folder has no usable runbook: all 2 files were rejected",
        ),
    ],
    ids=["empty folder", "every file rejected"],
)
def test_a_folder_that_would_retire_the_library_needs_allow_removals(
    context, tmp_path, files: dict[str, str], why: str
) -> None:
    seed_demo(context)
    folder = tmp_path / "checkout"
    folder.mkdir()
    for name, text in files.items():
        write(folder, name, text)
    before = _library_state(context)
    assert len(before[0]) == 8

    with pytest.raises(RemovalRefusedError) as caught:
        import_runbooks(context, folder)
    assert str(caught.value) == (
        f"Importing {folder} would retire 8 of the 8 runbooks in the library ({why}); nothing "
        "was changed. Run it with --dry-run to see every change, and with --allow-removals if "
        "that is what you mean."
    )
    assert _library_state(context) == before

    preview = import_runbooks(context, folder, dry_run=True)
    assert "database-failover" in preview.retired
    described = preview.describe()
    assert described.startswith(
        f"Would be: 0 added, 0 updated, 8 retired, 0 unchanged, {len(files)} rejected."
    )
    assert f"It would retire 8 of the 8 runbooks in the library ({why}), so it needs " in (
        described
    )
    assert described.endswith("Dry run: nothing was written.")
    assert _library_state(context) == before

    assert len(import_runbooks(context, folder, allow_removals=True).retired) == 8
    assert list_runbooks(context) == []


def test_a_dry_run_reports_and_writes_nothing(context, library) -> None:
    report = import_runbooks(context, library, dry_run=True)
    assert sorted(report.added) == ["db-failover", "disk"]
    assert not report.needs_consent
    assert _library_state(context) == ([], 0)
