"""The post-incident report as a document: Markdown or one self-contained HTML file.

Pure: the services gather a :class:`Report` (plain values, read in one transaction) and this
module turns it into text, with no I/O. Every stamp carries the date, the time, the zone and
T+ (``2026-03-02 14:02:05 CET · T+00:12:40``), in the zone the reader asked for.

Everything a person typed is escaped: in HTML by ``html.escape`` (no script runs, no
attribute is broken out of, only the bridge's http(s) address becomes a link); in Markdown
by backslashes before the characters that make structure, so a body such as
``# not a heading | x`` stays words in its list item or table cell.

An incident may hold 100,000 entries: the timeline is rendered into a list of strings joined
once, and the stamp of each instant is a few string operations, not a ``strftime`` per part.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import cache

from warroom.domain.transcript import EVENT_CATEGORIES, MARK_TITLE, ImpactWindow, t_plus

# ----------------------------------------------------------------------------- the values


@dataclass(slots=True)
class TimelineItem:
    """One line of the timeline: a transcript entry, or another event of the incident.

    Not frozen: an export makes 100,000 of them, and a frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` per field) was a third of gathering them."""

    at: datetime
    #: A transcript kind (``said``, ``decided``…) or an event category (``status``, ``role``…).
    kind: str
    #: Who wrote it down (an entry's author) or who did it (an event's actor).
    by: str
    text: str
    #: An entry's speaker (handle); None for events and unattributed entries.
    speaker: str | None = None
    edited: bool = False
    mark: str | None = None
    is_entry: bool = True
    owner: str | None = None  # an action item's


@dataclass(frozen=True)
class SeverityChange:
    at: datetime
    by: str
    from_severity: str
    to_severity: str
    reason: str


@dataclass(frozen=True)
class RoleSpell:
    """Someone holding a role from ``assigned_at`` until ``released_at`` (None: still)."""

    role: str  # its title
    handle: str
    name: str
    assigned_at: datetime
    assigned_by: str
    released_at: datetime | None
    released_by: str | None
    took_over_from: str | None
    expertise: str | None = None


@dataclass(frozen=True)
class ActionItem:
    at: datetime
    text: str
    owner: str | None
    by: str
    done_at: datetime | None
    done_by: str | None


@dataclass(frozen=True)
class UpdateSent:
    at: datetime
    audience: str
    status: str
    by: str
    text: str
    #: ``status page: sent``, ``#incidents: retrying (503)``; empty when nothing delivers it.
    deliveries: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageLinked:
    id: int
    service: str
    summary: str
    urgency: str
    state: str
    triggered_at: datetime


@dataclass(frozen=True)
class Tick:
    at: datetime
    by: str
    step: str
    unticked_at: datetime | None = None


@dataclass(frozen=True)
class RunbookFollowed:
    slug: str
    title: str
    steps: int
    ticks: tuple[Tick, ...] = ()


@dataclass(frozen=True)
class Report:
    ref: str
    title: str
    severity: str
    status: str
    service: str | None
    summary: str
    bridge_url: str | None
    declared_at: datetime
    declared_by: str
    mitigated_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    impact: ImpactWindow
    severity_changes: Sequence[SeverityChange] = ()
    roles: Sequence[RoleSpell] = ()
    #: Entries (deleted ones left out) and events, oldest first.
    timeline: Sequence[TimelineItem] = ()
    actions: Sequence[ActionItem] = ()
    updates: Sequence[UpdateSent] = ()  # oldest first
    pages: Sequence[PageLinked] = ()
    runbooks: Sequence[RunbookFollowed] = ()
    generated_at: datetime | None = None

    @property
    def decisions(self) -> list[TimelineItem]:
        """The decisions, listed again on their own."""
        return [i for i in self.timeline if i.is_entry and i.kind == "decided"]


# ----------------------------------------------------------------------------- stamps


class Stamper:
    """``2026-03-02 14:02:05 CET · T+00:12:40`` for instants in one zone.

    The local date, hour, minute and zone name are worked out once per minute of UTC (a
    zone's offset changes only at a transition, on a whole minute); the seconds and T+ are
    arithmetic. A ``ZoneInfo`` conversion and ``isoformat`` per entry were half the export.
    """

    def __init__(self, zone: tzinfo, declared: datetime) -> None:
        self.zone = zone
        self.declared = declared
        self._minutes: dict[int, tuple[str, str]] = {}

    def wall(self, at: datetime) -> str:
        """``2026-03-02 14:02:05 CET``."""
        whole = math.floor(at.timestamp())
        minute, second = divmod(whole, 60)
        known = self._minutes.get(minute)
        if known is None:
            local = datetime.fromtimestamp(minute * 60, self.zone)
            name = local.tzname() or _offset_name(local.utcoffset() or timedelta(0))
            known = (f"{local:%Y-%m-%d %H:%M}:", f" {name}")
            self._minutes[minute] = known
        return known[0] + _SECONDS[second] + known[1]

    def __call__(self, at: datetime) -> str:
        return f"{self.wall(at)} · {t_plus(at, self.declared)}"

    def maybe(self, at: datetime | None, missing: str = "—") -> str:
        return self(at) if at is not None else missing


_SECONDS = tuple(f"{n:02d}" for n in range(60))


def _offset_name(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def duration(start: datetime, end: datetime) -> str:
    """``1 h 07 min``, ``3 d 2 h 05 min``, ``45 s``."""
    seconds = int((end - start).total_seconds())
    if seconds < 60:
        return f"{max(seconds, 0)} s"
    days, rest = divmod(seconds // 60, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if days or hours:
        parts.append(f"{hours} h")
    parts.append(f"{minutes:02d} min" if parts else f"{minutes} min")
    return " ".join(parts)


def kind_title(item: TimelineItem) -> str:
    if item.is_entry:
        return MARK_TITLE[item.mark] if item.mark and not item.text else item.kind
    return EVENT_CATEGORIES.get(item.kind, item.kind).lower()


def impact_sentence(report: Report) -> str:
    if report.impact.from_marks:
        return "from the scribe's impact marks"
    return "no impact marks were set: from the incident's own clock (declared → resolved)"


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
    if _is_web_address(url):
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


# ----------------------------------------------------------------------------- HTML

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2430;
margin:2em auto;max-width:70em;padding:0 1.2em}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #d5dae1;padding-bottom:.2em;
margin-top:1.8em}table{border-collapse:collapse;width:100%}th,td{text-align:left;
vertical-align:top;padding:.25em .5em;border-bottom:1px solid #eceff3}th{background:#f4f6f8}
.stamp{white-space:nowrap;font-variant-numeric:tabular-nums;color:#4a5462}
.kind{white-space:nowrap;font-weight:600}.event td{color:#5b6572}.event .kind{font-weight:400;
font-style:italic}.decided .kind{color:#8a3ffc}.action .kind{color:#b25e00}
.edited{color:#8a8f98;font-size:.85em}.open{color:#b00020;font-weight:600}
.done{color:#2e7d32}blockquote{margin:.4em 0 1em;padding:.2em 1em;border-left:3px solid #d5dae1}
.meta{color:#4a5462}.mark{background:#ffe9e9;border-radius:3px;padding:0 .3em}
""".replace("\n", "")


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def _h_text(text: str) -> str:
    """Escaped words with their line breaks."""
    escaped = html.escape(text, quote=True)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>") if "\n" in escaped else escaped


def _h_who(handle: str | None) -> str:
    return f"@{_h(handle)}" if handle else "—"


def _is_web_address(url: str) -> bool:
    return re.match(r"(?i)^https?://[^\s/]", url.strip()) is not None


def render_html(report: Report, zone: tzinfo) -> str:
    stamp = Stamper(zone, report.declared_at)
    out: list[str] = []
    add = out.append
    title = f"{_h(report.ref)}: {_h(report.title)}"
    add(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>\n"
    )
    add(
        f'<h1>{title}</h1>\n<p class="meta">Severity <b>{_h(report.severity)}</b> · '
        f"Status <b>{_h(report.status)}</b>"
    )
    if report.service:
        add(f" · Service <b>{_h(report.service)}</b>")
    add(f"<br>Declared {stamp(report.declared_at)} by {_h_who(report.declared_by)}")
    if report.bridge_url:
        url = report.bridge_url.strip()
        shown = (
            f'<a href="{_h(url)}" rel="noopener noreferrer">{_h(url)}</a>'
            if _is_web_address(url)
            else _h(url)
        )
        add(f"<br>Bridge {shown}")
    add("</p>\n<h2>Summary</h2>\n")
    add(
        f"<p>{_h_text(report.summary)}</p>\n"
        if report.summary.strip()
        else "<p><i>No summary yet.</i></p>\n"
    )

    impact = report.impact
    length = f" ({duration(impact.start, impact.end)})" if impact.end else ""
    add(
        "<h2>Impact window</h2>\n<table>"
        f'<tr><th>Declared</th><td class="stamp">{stamp(report.declared_at)}</td></tr>'
        f'<tr><th>Mitigated</th><td class="stamp">{stamp.maybe(report.mitigated_at, "not yet")}'
        "</td></tr>"
        f'<tr><th>Resolved</th><td class="stamp">{stamp.maybe(report.resolved_at, "not yet")}'
        "</td></tr>"
    )
    if report.closed_at:
        add(f'<tr><th>Closed</th><td class="stamp">{stamp(report.closed_at)}</td></tr>')
    add(
        f'<tr><th>Impact</th><td><span class="stamp">{stamp(impact.start)}</span> → '
        f'<span class="stamp">{stamp.maybe(impact.end, "still going")}</span>{length}, '
        f"{_h(impact_sentence(report))}</td></tr></table>\n"
    )

    add("<h2>Severity history</h2>\n")
    if report.severity_changes:
        add("<table><tr><th>When</th><th>Who</th><th>From</th><th>To</th><th>Why</th></tr>")
        for c in report.severity_changes:
            add(
                f'<tr><td class="stamp">{stamp(c.at)}</td><td>{_h_who(c.by)}</td>'
                f"<td>{_h(c.from_severity)}</td><td>{_h(c.to_severity)}</td>"
                f"<td>{_h_text(c.reason)}</td></tr>"
            )
        add("</table>\n")
    else:
        add(f"<p>Declared {_h(report.severity)}; never changed.</p>\n")

    add("<h2>Roles</h2>\n")
    if report.roles:
        add("<table><tr><th>Role</th><th>Who</th><th>From</th><th>Until</th><th>Handover</th></tr>")
        for r in report.roles:
            expertise = f" ({_h(r.expertise)})" if r.expertise else ""
            until = (
                f'<span class="stamp">{stamp(r.released_at)}</span> by {_h_who(r.released_by)}'
                if r.released_at
                else "now"
            )
            handover = f"took over from {_h_who(r.took_over_from)}" if r.took_over_from else ""
            add(
                f"<tr><td>{_h(r.role)}{expertise}</td><td>{_h(r.name)} ({_h_who(r.handle)})</td>"
                f'<td><span class="stamp">{stamp(r.assigned_at)}</span> by '
                f"{_h_who(r.assigned_by)}</td><td>{until}</td><td>{handover}</td></tr>"
            )
        add("</table>\n")
    else:
        add("<p>Nobody held a role.</p>\n")

    add("<h2>Timeline</h2>\n")
    add(_html_timeline(report.timeline, stamp, "Nothing was recorded."))
    add("<h2>Decisions</h2>\n")
    add(_html_timeline(report.decisions, stamp, "No decision was recorded."))

    add("<h2>Action items</h2>\n")
    if report.actions:
        add("<table><tr><th>Action</th><th>Owner</th><th>State</th><th>Noted</th></tr>")
        for a in report.actions:
            state = (
                f'<span class="done">done</span> by {_h_who(a.done_by)} '
                f'<span class="stamp">{stamp(a.done_at)}</span>'
                if a.done_at
                else '<span class="open">open</span>'
            )
            add(
                f"<tr><td>{_h_text(a.text)}</td><td>{_h_who(a.owner)}</td><td>{state}</td>"
                f'<td><span class="stamp">{stamp(a.at)}</span> by {_h_who(a.by)}</td></tr>'
            )
        add("</table>\n")
    else:
        add("<p>No action item was recorded.</p>\n")

    add("<h2>Stakeholder updates</h2>\n")
    for u in report.updates:
        delivery = "; ".join(_h(d) for d in u.deliveries) or "not delivered by a webhook"
        add(
            f'<h3>{_h(u.audience)}, <span class="stamp">{stamp(u.at)}</span></h3>'
            f'<p class="meta">Status {_h(u.status)}, by {_h_who(u.by)}; delivery: {delivery}'
            f"</p><blockquote>{_h_text(u.text)}</blockquote>\n"
        )
    if not report.updates:
        add("<p>No update was sent.</p>\n")

    add("<h2>Linked pages</h2>\n")
    if report.pages:
        add("<ul>")
        for p in report.pages:
            add(
                f"<li>#{p.id} {_h(p.service)} ({_h(p.urgency)}, {_h(p.state)}), triggered "
                f'<span class="stamp">{stamp(p.triggered_at)}</span>: {_h(p.summary)}</li>'
            )
        add("</ul>\n")
    else:
        add("<p>No page was linked.</p>\n")

    add("<h2>Runbooks followed</h2>\n")
    if report.runbooks:
        add("<ul>")
        for rb in report.runbooks:
            done = sum(1 for t in rb.ticks if t.unticked_at is None)
            add(f"<li><b>{_h(rb.title)}</b> ({_h(rb.slug)}): {done} of {rb.steps} steps ticked<ul>")
            for t in rb.ticks:
                undone = f" (unticked {stamp(t.unticked_at)})" if t.unticked_at else ""
                add(
                    f'<li><span class="stamp">{stamp(t.at)}</span> {_h_who(t.by)}: '
                    f"{_h(t.step)}{undone}</li>"
                )
            add("</ul></li>")
        add("</ul>\n")
    else:
        add("<p>No runbook was followed.</p>\n")
    if report.generated_at:
        add(f'<hr><p class="meta">Generated {stamp.wall(report.generated_at)}.</p>\n')
    add("</body></html>\n")
    return "".join(out)


def _html_timeline(
    items: Sequence[TimelineItem], stamp: Callable[[datetime], str], empty: str
) -> str:
    if not items:
        return f"<p>{empty}</p>\n"
    rows = ["<table><tr><th>When</th><th>What</th><th>Who</th><th>Words</th></tr>\n"]
    add = rows.append
    for i in items:
        if i.is_entry:
            said = f"{_h_who(i.speaker)}: " if i.speaker else ""
            owner = f" (owner {_h_who(i.owner)})" if i.owner else ""
            mark = f' <span class="mark">{MARK_TITLE[i.mark]}</span>' if i.mark and i.text else ""
            edited = ' <span class="edited">(edited)</span>' if i.edited else ""
            add(
                f'<tr class="{_h(i.kind)}"><td class="stamp">{stamp(i.at)}</td>'
                f'<td class="kind">{_h(kind_title(i))}{mark}</td><td>{_h_who(i.by)}</td>'
                f"<td>{said}{_h_text(i.text)}{owner}{edited}</td></tr>\n"
            )
        else:
            add(
                f'<tr class="event"><td class="stamp">{stamp(i.at)}</td>'
                f'<td class="kind">{_h(kind_title(i))}</td><td>{_h_who(i.by)}</td>'
                f"<td>{_h_text(i.text)}</td></tr>\n"
            )
    add("</table>\n")
    return "".join(rows)
