"""The post-incident report as Markdown.

Everything a person typed is escaped by backslashes before the characters that make
structure, so a body such as ``# not a heading | x`` stays words in its list item or table
cell. The timeline is rendered into a list of strings joined once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from functools import cache

from warroom.domain.report import (
    Report,
    Stamper,
    TimelineItem,
    duration,
    impact_sentence,
    is_web_address,
    kind_title,
)
from warroom.domain.transcript import MARK_TITLE

# ----------------------------------------------------------------------------- Markdown

#: The characters that can make Markdown structure anywhere in a line; each gets a backslash
#: (CommonMark lets any ASCII punctuation be escaped so). The backslash itself goes first.
_MD_SPECIAL = tuple((c, "\\" + c) for c in "\\`*_{}[]<>#|!~&")


def _md_escape(text: str) -> str:
    """One ``str.replace`` per character present: 3x faster than ``translate`` or a regex."""
    for char, escaped in _MD_SPECIAL:
        if char in text:
            text = text.replace(char, escaped)
    return text


#: What makes structure only at the start of a line: a list, a quote, a setext underline.
_MD_LINE_START = re.compile(r"^(\d*)([-+=>.)])")
_LINE_STARTERS = frozenset("-+=>0123456789")


def _md_line(line: str) -> str:
    line = _md_escape(line.strip())
    if line and line[0] in _LINE_STARTERS:
        line = _MD_LINE_START.sub(r"\1\\\2", line)
    return line


def md_text(text: str) -> str:
    """User words made inert in Markdown, on one line or many (a hard break between lines,
    each continued inside its list item)."""
    if "\n" not in text and "\r" not in text:
        return _md_line(text)
    lines = (_md_line(line) for line in text.replace("\r", "\n").split("\n"))
    return "\\\n  ".join(line for line in lines if line)


def md_cell(text: str) -> str:
    """User words in a table cell: escaped, on one line."""
    return _md_escape(" ".join(text.split()))


@cache
def _md_who(handle: str | None) -> str:
    return f"@{md_cell(handle)}" if handle else "—"


def render_markdown(report: Report, zone: tzinfo) -> str:
    stamp = Stamper(zone, report.declared_at)
    out: list[str] = []
    add = out.append
    add(f"# {report.ref}: {md_cell(report.title)}\n")
    add(
        f"**Severity** {md_cell(report.severity)} · **Status** {md_cell(report.status)}"
        + (f" · **Service** {md_cell(report.service)}" if report.service else "")
        + f"  \n**Declared** {stamp(report.declared_at)} by {_md_who(report.declared_by)}"
    )
    if report.bridge_url:
        add(f"  \n**Bridge** {_md_link(report.bridge_url)}")
    add("\n\n## Summary\n\n")
    add((md_text(report.summary) if report.summary.strip() else "_No summary yet._") + "\n")

    add("\n## Impact window\n\n")
    add(f"- Declared: {stamp(report.declared_at)}\n")
    add(f"- Mitigated: {stamp.maybe(report.mitigated_at, 'not yet')}\n")
    add(f"- Resolved: {stamp.maybe(report.resolved_at, 'not yet')}\n")
    if report.closed_at:
        add(f"- Closed: {stamp(report.closed_at)}\n")
    impact = report.impact
    length = f" ({duration(impact.start, impact.end)})" if impact.end else ""
    add(
        f"- **Impact**: {stamp(impact.start)} → {stamp.maybe(impact.end, 'still going')}"
        f"{length}, {impact_sentence(report)}\n"
    )

    add("\n## Severity history\n\n")
    if report.severity_changes:
        add("| When | Who | From | To | Why |\n|---|---|---|---|---|\n")
        for c in report.severity_changes:
            add(
                f"| {stamp(c.at)} | {_md_who(c.by)} | {md_cell(c.from_severity)} | "
                f"{md_cell(c.to_severity)} | {md_cell(c.reason)} |\n"
            )
    else:
        add(f"Declared {md_cell(report.severity)}; never changed.\n")

    add("\n## Roles\n\n")
    if report.roles:
        add("| Role | Who | From | Until | Handover |\n|---|---|---|---|---|\n")
        for r in report.roles:
            expertise = f" ({md_cell(r.expertise)})" if r.expertise else ""
            until = (
                f"{stamp(r.released_at)} by {_md_who(r.released_by)}" if r.released_at else "now"
            )
            handover = f"took over from {_md_who(r.took_over_from)}" if r.took_over_from else ""
            add(
                f"| {md_cell(r.role)}{expertise} | {md_cell(r.name)} ({_md_who(r.handle)}) | "
                f"{stamp(r.assigned_at)} by {_md_who(r.assigned_by)} | {until} | {handover} |\n"
            )
    else:
        add("Nobody held a role.\n")

    add("\n## Timeline\n\n")
    if not report.timeline:
        add("Nothing was recorded.\n")
    add("".join(_md_timeline(report.timeline, stamp)))

    add("\n## Decisions\n\n")
    add("".join(_md_timeline(report.decisions, stamp)) or "No decision was recorded.\n")

    add("\n## Action items\n\n")
    for a in report.actions:
        state = f"done by {_md_who(a.done_by)} at {stamp(a.done_at)}" if a.done_at else "**open**"
        add(
            f"- [{'x' if a.done_at else ' '}] {md_text(a.text)} — owner {_md_who(a.owner)}; "
            f"{state} (noted {stamp(a.at)} by {_md_who(a.by)})\n"
        )
    if not report.actions:
        add("No action item was recorded.\n")

    add("\n## Stakeholder updates\n\n")
    for u in report.updates:
        delivery = "; ".join(md_cell(d) for d in u.deliveries) or "not delivered by a webhook"
        add(
            f"### {md_cell(u.audience)}, {stamp(u.at)}\n\n"
            f"Status {md_cell(u.status)}, by {_md_who(u.by)}; delivery: {delivery}\n\n"
        )
        add(
            "".join(
                f"> {md_text(line)}\n" if line.strip() else ">\n" for line in u.text.split("\n")
            )
        )
        add("\n")
    if not report.updates:
        add("No update was sent.\n")

    add("\n## Linked pages\n\n")
    for p in report.pages:
        add(
            f"- #{p.id} {md_cell(p.service)} ({md_cell(p.urgency)}, {md_cell(p.state)}), "
            f"triggered {stamp(p.triggered_at)}: {md_cell(p.summary)}\n"
        )
    if not report.pages:
        add("No page was linked.\n")

    add("\n## Runbooks followed\n\n")
    for rb in report.runbooks:
        done = sum(1 for t in rb.ticks if t.unticked_at is None)
        add(f"- **{md_cell(rb.title)}** ({md_cell(rb.slug)}): {done} of {rb.steps} steps ticked\n")
        for t in rb.ticks:
            undone = f" (unticked {stamp(t.unticked_at)})" if t.unticked_at else ""
            add(f"  - {stamp(t.at)} {_md_who(t.by)}: {md_cell(t.step)}{undone}\n")
    if not report.runbooks:
        add("No runbook was followed.\n")
    if report.generated_at:
        add(f"\n---\n\n_Generated {stamp.wall(report.generated_at)}._\n")
    return "".join(out)


def _md_link(url: str) -> str:
    if is_web_address(url):
        return f"<{url}>" if not re.search(r"[\s<>]", url) else md_cell(url)
    return md_cell(url)


def _md_timeline(items: Iterable[TimelineItem], stamp: Callable[[datetime], str]) -> list[str]:
    lines = []
    for i in items:
        if i.is_entry:
            said = f"{_md_who(i.speaker)}: " if i.speaker else ""
            owner = f" (owner {_md_who(i.owner)})" if i.owner else ""
            mark = f" **{MARK_TITLE[i.mark]}**" if i.mark and i.text else ""
            edited = " _(edited)_" if i.edited else ""
            lines.append(
                f"- {stamp(i.at)} · **{kind_title(i)}**{mark} · {said}{md_text(i.text)}{owner}"
                f" — noted by {_md_who(i.by)}{edited}\n"
            )
        else:
            lines.append(
                f"- {stamp(i.at)} · _{kind_title(i)}_ · {_md_who(i.by)} {md_text(i.text)}\n"
            )
    return lines
