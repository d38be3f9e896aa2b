"""The runbook library: import from a folder, list, read, match to pages, tick steps.

The library is one folder (usually a git checkout): importing it adds new runbooks, updates
changed ones (by content hash), and retires those no longer in the folder. Progress survives
a re-import for every step whose text did not change, because ticks are keyed by a hash of
the step's text. A bad file is rejected with its reason and never stops the others.

An import that would retire more than a quarter of the library needs ``allow_removals``: an
empty folder, a wrong path or a folder whose every file is rejected looks exactly like a
library that was deleted on purpose, and would otherwise retire everything with a "done".
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from warroom.domain.errors import NotFoundError, RemovalRefusedError, ValidationError
from warroom.domain.runbook_render import Tick
from warroom.domain.runbook_search import SearchableRunbook
from warroom.domain.runbook_text import ParsedRunbook, parse_runbook
from warroom.services.context import ServiceContext, UnitOfWork, reading, unit_of_work
from warroom.store.models import (
    ChecklistTick,
    Incident,
    Page,
    Runbook,
    RunbookService,
    RunbookStep,
    Service,
)

STALE_AFTER = timedelta(days=90)
MAX_FILE_BYTES = 2_000_000
#: Retiring more than this share of the library needs ``allow_removals``.
MUCH = 0.25


@dataclass
class RunbookImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    #: Runbooks in use (not retired) before this import.
    library: int = 0
    dry_run: bool = False

    @property
    def needs_consent(self) -> bool:
        """Whether this import retires so much of the library that it needs allow_removals."""
        return len(self.retired) > MUCH * self.library

    def describe(self) -> str:
        counts = (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.retired)} retired, {self.unchanged} unchanged, "
            f"{len(self.rejected)} rejected."
        )
        lines = [f"Would be: {counts}" if self.dry_run else counts]
        for title, items in (
            ("added", self.added),
            ("updated", self.updated),
            ("retired", self.retired),
        ):
            if items:
                lines.append(f"{title}: " + ", ".join(items))
        for path, reason in self.rejected:
            lines.append(f"rejected {path}: {reason}")
        if self.dry_run:
            if self.needs_consent:
                lines.append(f"It would {self._retires()}, so it needs --allow-removals.")
            lines.append("Dry run: nothing was written.")
        return "\n".join(lines)

    def refusal(self, folder: Path) -> str:
        """The sentence for an import refused for want of ``allow_removals``."""
        return (
            f"Importing {folder} would {self._retires()}; nothing was changed. Run it with "
            "--dry-run to see every change, and with --allow-removals if that is what you mean."
        )

    def _retires(self) -> str:
        usable = len(self.added) + len(self.updated) + self.unchanged
        why = ""
        if not usable and not self.rejected:
            why = " (the folder has no Markdown files)"
        elif not usable:
            count = len(self.rejected)
            why = f" (the folder has no usable runbook: {'its' if count == 1 else 'all'} "
            why += f"{count} file{'s were' if count > 1 else ' was'} rejected)"
        return f"retire {len(self.retired)} of the {self.library} runbooks in the library{why}"


@dataclass(frozen=True)
class RunbookSummary:
    slug: str
    title: str
    services: tuple[str, ...]
    alerts: tuple[str, ...]
    owners: tuple[str, ...]
    last_reviewed: date | None
    stale: bool
    steps: int
    retired: bool


@dataclass(frozen=True)
class RunbookDetail:
    summary: RunbookSummary
    body: str
    source_path: str
    severity_hints: Mapping[str, Any]
    ticks: Mapping[str, Tick]


def slug_for(relative_path: str) -> str:
    """``database/failover.md`` → ``database-failover``."""
    stem = relative_path.removesuffix(".md").removesuffix(".markdown")
    return "-".join(part for part in stem.lower().replace("\\", "/").split("/") if part)


def read_directory(root: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Every Markdown file below ``root`` (relative path → text), and unreadable ones."""
    if not root.is_dir():
        raise ValidationError(f"{root} is not a folder")
    files: dict[str, str] = {}
    rejected: list[tuple[str, str]] = []
    for path in sorted(root.rglob("*.md")):
        relative = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue  # .git, .github…
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                rejected.append((relative, f"larger than {MAX_FILE_BYTES // 1_000_000} MB"))
                continue
            files[relative] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            rejected.append((relative, "not UTF-8 text"))
        except OSError as error:
            rejected.append((relative, f"cannot be read ({error.strerror})"))
    return files, rejected


class _DryRunError(Exception):
    """Raised inside the transaction so a dry run rolls back what it did."""


def import_runbooks(
    context: ServiceContext, root: Path, *, dry_run: bool = False, allow_removals: bool = False
) -> RunbookImportReport:
    """Make the library what the folder holds; see the module's docstring for what is refused.

    Raises :class:`RemovalRefusedError` when it would retire more than a quarter of the
    library and ``allow_removals`` is not given (a dry run reports that instead).
    """
    files, unreadable = read_directory(root)
    report = RunbookImportReport()
    try:
        with unit_of_work(context) as work:
            report = apply_runbook_files(work, files, retire_missing=True)
            report.rejected[0:0] = unreadable
            report.dry_run = dry_run
            if report.needs_consent and not (allow_removals or dry_run):
                raise RemovalRefusedError(report.refusal(root))
            if dry_run:
                raise _DryRunError
    except _DryRunError:
        pass
    return report


def apply_runbook_files(
    work: UnitOfWork, files: Mapping[str, str], *, retire_missing: bool
) -> RunbookImportReport:
    """Apply a whole library inside a caller's transaction (the demo seeds with it too).

    Files whose content hash matches what is stored are not even parsed, and rows are
    written in bulk: a re-import of a large library costs about as much as hashing it.
    """
    report = RunbookImportReport()
    session = work.session
    report.library = int(
        session.scalar(select(func.count()).where(Runbook.retired.is_(False))) or 0
    )
    stored = {
        row.source_path: row
        for row in session.execute(
            select(
                Runbook.id, Runbook.slug, Runbook.source_path, Runbook.content_hash, Runbook.retired
            )
        )
    }
    by_slug = {row.slug: row for row in stored.values()}
    candidates: list[tuple[bool, str, str, ParsedRunbook | None]] = []
    for relative, text in sorted(files.items()):
        known = stored.get(relative)
        if known is not None and not known.retired and known.content_hash == _hash(text):
            candidates.append((known.slug != slug_for(relative), relative, known.slug, None))
            continue
        try:
            runbook = parse_runbook(text, relative)
        except ValidationError as error:
            report.rejected.append((relative, str(error).removeprefix(f"{relative}: ")))
            continue
        slug = runbook.slug or slug_for(relative)
        candidates.append((slug != slug_for(relative), relative, slug, runbook))
    # A file whose path gives the slug owns it; a file borrowing it by front matter loses.
    parsed: dict[str, tuple[str, ParsedRunbook | None]] = {}
    for _borrowed, relative, slug, candidate in sorted(candidates, key=lambda c: c[:2]):
        if slug in parsed:
            report.rejected.append((relative, f"duplicate slug '{slug}' (also {parsed[slug][0]})"))
            continue
        parsed[slug] = (relative, candidate)

    changed: dict[str, ParsedRunbook] = {}
    for slug, (_path, maybe) in parsed.items():
        if maybe is None:
            report.unchanged += 1
        else:
            changed[slug] = maybe
            (report.updated if slug in by_slug else report.added).append(slug)

    def values(slug: str, runbook: ParsedRunbook) -> dict[str, Any]:
        return {
            "slug": slug,
            "title": runbook.title,
            "source_path": parsed[slug][0],
            "body": runbook.body,
            "content_hash": runbook.content_hash,
            "alert_matchers": runbook.alert_matchers,
            "owners": runbook.owners,
            "severity_hints": runbook.severity_hints,
            "last_reviewed": runbook.last_reviewed,
            "retired": False,
            "imported_at": work.now,
        }

    new = [values(slug, changed[slug]) for slug in report.added]
    if new:
        session.execute(insert(Runbook), new)
    for slug in report.updated:
        session.execute(
            update(Runbook)
            .where(Runbook.id == by_slug[slug].id)
            .values(version=Runbook.version + 1, **values(slug, changed[slug]))
        )
    ids = (
        dict(
            session.execute(
                select(Runbook.slug, Runbook.id).where(Runbook.slug.in_(list(changed)))
            ).all()
        )
        if changed
        else {}
    )
    if changed:
        touched = list(ids.values())
        session.execute(delete(RunbookStep).where(RunbookStep.runbook_id.in_(touched)))
        session.execute(delete(RunbookService).where(RunbookService.runbook_id.in_(touched)))
        services = dict(session.execute(select(Service.slug, Service.id)).all())
        steps = [
            {
                "runbook_id": ids[slug],
                "position": step.position,
                "step_key": step.key,
                "text": step.text,
            }
            for slug, runbook in changed.items()
            for step in runbook.steps
        ]
        links = [
            {"runbook_id": ids[slug], "service_id": services[service]}
            for slug, runbook in changed.items()
            for service in dict.fromkeys(runbook.services)
            if service in services
        ]
        if steps:
            session.execute(insert(RunbookStep), steps)
        if links:
            session.execute(insert(RunbookService), links)
    if retire_missing:
        gone = [row for slug, row in by_slug.items() if slug not in parsed and not row.retired]
        if gone:
            session.execute(
                update(Runbook)
                .where(Runbook.id.in_([r.id for r in gone]))
                .values(retired=True, version=Runbook.version + 1)
            )
            report.retired.extend(row.slug for row in gone)
    if report.added or report.updated or report.retired:
        work.emit(
            "runbook.imported",
            "runbook",
            "library",
            {
                "title": f"{len(report.added)} new, {len(report.updated)} updated, "
                f"{len(report.retired)} retired runbooks",
                "summary": report.describe().splitlines()[0],
            },
        )
    return report


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# ----------------------------------------------------------------------------- reading


def _summaries(session: Session, today: date, include_retired: bool) -> list[RunbookSummary]:
    service_slugs = dict(session.execute(select(Service.id, Service.slug)).all())
    links: dict[int, list[str]] = {}
    for runbook_id, service_id in session.execute(
        select(RunbookService.runbook_id, RunbookService.service_id)
    ):
        links.setdefault(runbook_id, []).append(service_slugs[service_id])
    steps: dict[int, int] = {}
    for runbook_id in session.scalars(select(RunbookStep.runbook_id)):
        steps[runbook_id] = steps.get(runbook_id, 0) + 1
    query = select(Runbook).order_by(Runbook.title)
    if not include_retired:
        query = query.where(Runbook.retired.is_(False))
    return [
        RunbookSummary(
            r.slug,
            r.title,
            tuple(sorted(links.get(r.id, []))),
            tuple(m.get("alertname", "") for m in r.alert_matchers if m.get("alertname")),
            tuple(r.owners),
            r.last_reviewed,
            is_stale(r.last_reviewed, today),
            steps.get(r.id, 0),
            r.retired,
        )
        for r in session.scalars(query)
    ]


def is_stale(last_reviewed: date | None, today: date) -> bool:
    return last_reviewed is None or today - last_reviewed > STALE_AFTER


def list_runbooks(context: ServiceContext, include_retired: bool = False) -> list[RunbookSummary]:
    with reading(context) as session:
        return _summaries(session, context.clock.now().date(), include_retired)


def searchable_library(context: ServiceContext) -> list[SearchableRunbook]:
    """Everything the in-memory search index needs, in one query."""
    summaries = {s.slug: s for s in list_runbooks(context)}
    with reading(context) as session:
        rows = session.execute(
            select(Runbook.slug, Runbook.title, Runbook.body).where(Runbook.retired.is_(False))
        ).all()
    return [
        SearchableRunbook(slug, title, body, summaries[slug].services, summaries[slug].alerts)
        for slug, title, body in rows
    ]


def get_runbook(
    context: ServiceContext,
    slug: str,
    *,
    page_id: int | None = None,
    incident_id: int | None = None,
) -> RunbookDetail:
    with reading(context) as session:
        row = session.scalar(select(Runbook).where(Runbook.slug == slug))
        if row is None:
            raise NotFoundError(f"there is no runbook '{slug}'")
        summary = next(
            s for s in _summaries(session, context.clock.now().date(), True) if s.slug == slug
        )
        ticks = current_ticks(session, row.id, page_id, incident_id)
        return RunbookDetail(summary, row.body, row.source_path, dict(row.severity_hints), ticks)


def current_ticks(
    session: Session, runbook_id: int, page_id: int | None, incident_id: int | None
) -> dict[str, Tick]:
    if page_id is None and incident_id is None:
        return {}
    current_steps = select(RunbookStep.step_key).where(RunbookStep.runbook_id == runbook_id)
    query = select(ChecklistTick).where(
        ChecklistTick.runbook_id == runbook_id,
        ChecklistTick.unticked_at.is_(None),
        ChecklistTick.step_key.in_(current_steps),  # a reworded step starts unticked
    )
    query = query.where(
        ChecklistTick.page_id == page_id
        if page_id is not None
        else ChecklistTick.incident_id == incident_id
    )
    return {
        t.step_key: Tick(t.ticked_by, t.ticked_at)
        for t in session.scalars(query.order_by(ChecklistTick.id))
    }


# ----------------------------------------------------------------------------- ticking


def set_step(
    context: ServiceContext,
    slug: str,
    step: str,
    done: bool,
    *,
    page_id: int | None = None,
    incident_id: int | None = None,
) -> None:
    """Tick (or untick) a step in the context of a page or an incident; joins the timeline."""
    if (page_id is None) == (incident_id is None):
        raise ValidationError("a step is ticked for a page or for an incident")
    with unit_of_work(context) as work:
        session = work.session
        runbook = session.scalar(select(Runbook).where(Runbook.slug == slug))
        if runbook is None:
            raise NotFoundError(f"there is no runbook '{slug}'")
        text = session.scalar(
            select(RunbookStep.text).where(
                RunbookStep.runbook_id == runbook.id, RunbookStep.step_key == step
            )
        )
        if text is None:
            raise NotFoundError(f"the runbook '{runbook.title}' has no such step")
        incident = incident_id
        if page_id is not None:
            page = session.get(Page, page_id)
            if page is None:
                raise NotFoundError(f"there is no page #{page_id}")
            incident = page.incident_id
        elif session.get(Incident, incident_id) is None:
            raise NotFoundError(f"there is no incident #{incident_id}")
        ticked = current_ticks(session, runbook.id, page_id, incident_id)
        if done == (step in ticked):
            return  # already so: someone else got there first
        if done:
            session.add(
                ChecklistTick(
                    runbook_id=runbook.id,
                    step_key=step,
                    page_id=page_id,
                    incident_id=incident_id,
                    ticked_by=work.actor,
                    ticked_at=work.now,
                )
            )
        else:
            session.execute(
                update(ChecklistTick)
                .where(
                    ChecklistTick.runbook_id == runbook.id,
                    ChecklistTick.step_key == step,
                    ChecklistTick.unticked_at.is_(None),
                    (ChecklistTick.page_id == page_id)
                    if page_id is not None
                    else (ChecklistTick.incident_id == incident_id),
                )
                .values(unticked_at=work.now)
            )
        work.emit(
            "runbook.step_ticked" if done else "runbook.step_unticked",
            "runbook",
            runbook.id,
            {
                "title": runbook.title,
                "slug": slug,
                "step": _short(text),
                "step_key": step,
                "page_id": page_id,
            },
            incident_id=incident,
        )


def _short(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ----------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class RunbookCatalog:
    """What matching needs, loaded once: a webhook delivery or a sweep matches many pages."""

    runbooks: tuple[tuple[int, str, str, tuple[dict[str, str], ...], str], ...]
    links: Mapping[int, frozenset[int]]  # service id → runbook ids

    @classmethod
    def load(cls, session: Session) -> RunbookCatalog:
        rows = session.execute(
            select(
                Runbook.id, Runbook.slug, Runbook.title, Runbook.alert_matchers, Runbook.source_path
            ).where(Runbook.retired.is_(False))
        ).all()
        links: dict[int, set[int]] = {}
        for runbook_id, service_id in session.execute(
            select(RunbookService.runbook_id, RunbookService.service_id)
        ):
            links.setdefault(service_id, set()).add(runbook_id)
        return cls(
            tuple(
                (r.id, r.slug, r.title, tuple(r.alert_matchers or ()), r.source_path) for r in rows
            ),
            {k: frozenset(v) for k, v in links.items()},
        )

    def match(
        self, service_id: int | None, labels: Mapping[str, str], annotations: Mapping[str, str]
    ) -> int | None:
        """The runbook for an alert: its ``runbook_url`` if that names a known runbook, else
        the runbook whose alert matchers all match the labels (one linked to the service
        first), else the service's runbook if it has exactly one."""
        by_slug = {slug: runbook_id for runbook_id, slug, _, _, _ in self.runbooks}
        url = (annotations.get("runbook_url") or annotations.get("runbook") or "").strip()
        if url:
            candidate = url.removeprefix("runbook:").rstrip("/").rsplit("/", 1)[-1]
            candidate = candidate.removesuffix(".md").lower()
            if candidate in by_slug:
                return by_slug[candidate]
            for runbook_id, _, _, _, path in self.runbooks:
                if url.endswith(path):
                    return runbook_id
        linked = self.links.get(service_id, frozenset()) if service_id is not None else frozenset()
        matching = sorted(
            (
                (runbook_id not in linked, title, runbook_id)
                for runbook_id, _, title, matchers, _ in self.runbooks
                if any(m and all(labels.get(k) == v for k, v in m.items()) for m in matchers)
            ),
        )
        if matching:
            return matching[0][2]
        if len(linked) == 1:  # the service's only runbook is the best guess there is
            return next(iter(linked))
        return None


def match_runbook(
    session: Session,
    service_id: int | None,
    labels: Mapping[str, str],
    annotations: Mapping[str, str],
) -> int | None:
    """One-off matching; see :meth:`RunbookCatalog.match`."""
    return RunbookCatalog.load(session).match(service_id, labels, annotations)


@dataclass(frozen=True)
class CoverageReport:
    services_without_runbook: tuple[str, ...]
    alerts_without_runbook: tuple[str, ...]
    stale: tuple[tuple[str, date | None], ...]

    def describe(self) -> str:
        lines = []
        lines.append(f"Services without a runbook ({len(self.services_without_runbook)}):")
        lines.extend(f"  {s}" for s in self.services_without_runbook)
        lines.append(f"Alerts paged without a runbook ({len(self.alerts_without_runbook)}):")
        lines.extend(f"  {a}" for a in self.alerts_without_runbook)
        lines.append(
            f"Stale runbooks, not reviewed in {STALE_AFTER.days} days ({len(self.stale)}):"
        )
        lines.extend(
            f"  {slug} (last reviewed {reviewed or 'never'})" for slug, reviewed in self.stale
        )
        return "\n".join(lines)


def coverage_report(context: ServiceContext) -> CoverageReport:
    today = context.clock.now().date()
    with reading(context) as session:
        covered = set(
            session.scalars(
                select(RunbookService.service_id)
                .join(Runbook, Runbook.id == RunbookService.runbook_id)
                .where(Runbook.retired.is_(False))
            )
        )
        services = tuple(
            s.slug
            for s in session.scalars(select(Service).order_by(Service.slug))
            if s.id not in covered
        )
        alerts: dict[str, bool] = {}
        for page in session.scalars(select(Page)):
            name = (page.labels or {}).get("alertname")
            if name:
                found = match_runbook(
                    session, page.service_id, page.labels or {}, page.annotations or {}
                )
                alerts[name] = alerts.get(name, False) or found is not None
        stale = tuple(
            (s.slug, s.last_reviewed) for s in _summaries(session, today, False) if s.stale
        )
    return CoverageReport(services, tuple(sorted(a for a, ok in alerts.items() if not ok)), stale)
