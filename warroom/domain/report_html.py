"""The post-incident report as one self-contained HTML file: styles inline, no script.

Everything a person typed goes through ``html.escape`` (no script runs, no attribute is broken
out of); only the bridge's http(s) address becomes a link. The timeline is rendered into a
list of strings joined once.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo

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
            if is_web_address(url)
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
