"""The post-incident report on both databases: what it gathers (deleted entries left out,
edited ones said, the impact marks, severity and role history, updates with their delivery,
runbook ticks) and how its stamps read, across a daylight-saving change."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.services.conftest import MONDAY_10_UTC
from warroom.domain.errors import NotFoundError, ValidationError
from warroom.domain.report import Report, Stamper
from warroom.domain.report_html import render_html
from warroom.domain.report_markdown import md_text, render_markdown
from warroom.domain.roster_file import parse_roster
from warroom.services.comms.updates import post_update
from warroom.services.incidents import lifecycle, roles
from warroom.services.roster import export_roster, import_roster
from warroom.services.runbooks import set_step
from warroom.services.transcript import entries
from warroom.services.transcript.entries import NewEntry
from warroom.services.transcript.report import export, gather, write_report
from warroom.store.models import Runbook, RunbookStep

BERLIN = ZoneInfo("Europe/Berlin")
DELIVER = """
incidents:
  updates:
    deliver:
      customers: {name: status page, url_env: WARROOM_TEST_STATUS_PAGE, format: json}
"""


def _note(context, incident: int, body: str, at: datetime, **fields) -> entries.EntryRow:
    return entries.record(context, NewEntry(incident, str(uuid.uuid4()), body, at, **fields))


def test_the_report_gathers_everything_in_order(demo, as_person, clock, tmp_path) -> None:
    amara, tom = as_person("amara"), as_person("tom.h")
    spec = parse_roster(DELIVER, "org.yaml")
    import_roster(demo, replace(export_roster(demo), updates=spec.updates))
    incident = lifecycle.declare(
        amara, title="Checkout 5xx", severity="SEV3", bridge_url="https://meet.example.com/x"
    ).id
    roles.assign(amara, incident, "scribe", "tom.h")
    start = _note(tom, incident, "", MONDAY_10_UTC - timedelta(minutes=4), mark="impact_start")
    clock.advance(timedelta(minutes=5))
    lifecycle.change_severity(amara, incident, "SEV1", "all EU | card payments")
    wrong = _note(tom, incident, "wrong words", clock.now(), kind="said")
    entries.delete(tom, wrong.id)
    edited = _note(tom, incident, "rollback strated", clock.now(), kind="did", speaker="lukas")
    entries.edit(tom, edited.id, 1, body="rollback started")
    decided = _note(tom, incident, "# roll back | now", clock.now(), kind="decided")
    item = _note(tom, incident, "write the review", clock.now(), kind="action", owner="priya")
    _note(tom, incident, "add an alert", clock.now(), kind="action", owner="lukas")
    clock.advance(timedelta(minutes=5))
    entries.set_done(as_person("priya"), item.id)
    roles.assign(amara, incident, "IC", "lukas")  # a handover
    post_update(amara, incident, "customers", "Checkout <fails>.\nWe roll back.")
    with amara.database.reading() as session:
        runbook_id, key, text = session.execute(
            select(RunbookStep.runbook_id, RunbookStep.step_key, RunbookStep.text).limit(1)
        ).one()
        slug = session.scalar(select(Runbook.slug).where(Runbook.id == runbook_id))
    set_step(amara, str(slug), key, True, incident_id=incident)
    lifecycle.set_status(amara, incident, "mitigated")
    clock.advance(timedelta(minutes=30))
    end = _note(tom, incident, "checkout ok", clock.now(), mark="impact_end")
    lifecycle.set_status(as_person("lukas"), incident, "resolved")

    report = gather(tom, incident)
    assert (report.ref, report.severity, report.status) == (f"INC-{incident}", "SEV1", "resolved")
    assert (report.impact.start, report.impact.end, report.impact.from_marks) == (
        start.occurred_at,
        end.occurred_at,
        True,
    )
    assert report.mitigated_at == MONDAY_10_UTC + timedelta(minutes=10)
    assert [(c.by, c.from_severity, c.to_severity, c.reason) for c in report.severity_changes] == [
        ("amara", "SEV3", "SEV1", "all EU | card payments")
    ]
    assert [(r.role, r.handle, r.took_over_from, r.released_by) for r in report.roles] == [
        ("Incident Commander", "amara", None, "amara"),
        ("Scribe", "tom.h", None, None),
        ("Incident Commander", "lukas", "amara", None),
    ]
    texts = [i.text for i in report.timeline if i.is_entry]
    assert "wrong words" not in texts  # deleted: left out
    assert texts == [
        "",
        "rollback started",
        "# roll back | now",
        "write the review",
        "add an alert",
        "checkout ok",
    ]
    assert [i.edited for i in report.timeline if i.is_entry] == [False, True] + [False] * 4
    kinds = [i.kind for i in report.timeline]
    # an entry and an event at the same instant: the entry first
    assert kinds.index("did") < kinds.index("severity") < kinds.index("update")
    assert kinds.index("update") < kinds.index("runbook") < kinds.index("status", 2)
    assert [i.at for i in report.timeline] == sorted(i.at for i in report.timeline)
    assert [d.text for d in report.decisions] == ["# roll back | now"]
    assert [(a.text, a.owner, a.done_by) for a in report.actions] == [
        ("write the review", "priya", "priya"),
        ("add an alert", "lukas", None),
    ]
    [update] = report.updates
    assert (update.audience, update.by, update.status, update.deliveries) == (
        "customers",
        "amara",
        "investigating",
        ("status page: queued",),
    )
    [followed] = report.runbooks
    assert (followed.slug, [(t.by, t.step) for t in followed.ticks]) == (slug, [("amara", text)])

    md = render_markdown(report, BERLIN)
    assert f"- {Stamper(BERLIN, report.declared_at)(decided.occurred_at)} · **decided** · " in md
    assert "\\# roll back \\| now" in md
    assert "rollback started — noted by @tom.h _(edited)_" in md
    assert "from the scribe's impact marks" in md
    assert "**Impact**: 2026-03-02 10:56:00 CET · T-00:04:00 → 2026-03-02 11:40:00 CET" in md
    assert "| all EU \\| card payments |" in md
    assert "> Checkout \\<fails\\>.\n> We roll back.\n" in md
    assert "- [x] write the review — owner @priya; done by @priya" in md
    assert "- [ ] add an alert — owner @lukas; **open**" in md
    html = render_html(report, BERLIN)
    assert "Checkout &lt;fails&gt;.<br>We roll back." in html
    assert "wrong words" not in html
    assert '<span class="edited">(edited)</span>' in html
    assert export(tom, incident, "html", BERLIN).startswith("<!DOCTYPE html>")

    out = tmp_path / "out"
    out.mkdir()
    target = write_report(tom, incident, "md", out / "r.md", UTC)
    assert target.read_text().startswith(f"# INC-{incident}: Checkout 5xx\n")
    with pytest.raises(ValidationError, match="'pdf' is not a report format"):
        write_report(tom, incident, "pdf", out / "x.pdf")
    with pytest.raises(NotFoundError, match="There is no incident INC-999"):
        write_report(tom, 999, "md", out / "y.md")
    assert [p.name for p in out.iterdir()] == ["r.md"]  # nothing half-written


def test_stamps_carry_date_zone_and_t_plus_across_a_daylight_saving_change() -> None:
    declared = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET; clocks go on at 01:00 UTC
    stamp = Stamper(BERLIN, declared)
    assert stamp(declared) == "2026-03-29 01:30:00 CET · T+00:00:00"
    assert stamp(declared + timedelta(minutes=29, seconds=59.9)) == (
        "2026-03-29 01:59:59 CET · T+00:29:59"
    )
    assert stamp(declared + timedelta(minutes=30)) == "2026-03-29 03:00:00 CEST · T+00:30:00"
    assert stamp(declared - timedelta(days=1)) == "2026-03-28 01:30:00 CET · T-24:00:00"
    assert Stamper(ZoneInfo("Asia/Kathmandu"), declared)(declared) == (
        "2026-03-29 06:15:00 +0545 · T+00:00:00"
    )
    assert Stamper(UTC, declared).wall(declared) == "2026-03-29 00:30:00 UTC"


@pytest.mark.parametrize(
    ("words", "shown"),
    [
        ("# not a heading | x", "\\# not a heading \\| x"),
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("> not a quote", "\\> not a quote"),
        (
            "a *b* _c_ [d](e) `f` ![g](h) &amp;",
            "a \\*b\\* \\_c\\_ \\[d\\](e) \\`f\\` \\!\\[g\\](h) \\&amp;",
        ),
        ("line one\n## two\n\n- three", "line one\\\n  \\#\\# two\\\n  \\- three"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_user_words_cannot_make_markdown_structure(words, shown) -> None:
    assert md_text(words) == shown


def test_an_empty_incident_says_so_in_each_section(demo, as_person) -> None:
    amara = as_person("amara")
    incident = lifecycle.declare(amara, title="Quiet", severity="SEV4").id
    report: Report = gather(amara, incident)
    md = render_markdown(report, UTC)
    for sentence in (
        "_No summary yet._",
        "no impact marks were set",
        "Declared SEV4; never changed.",
        "No decision was recorded.",
        "No action item was recorded.",
        "No update was sent.",
        "No page was linked.",
        "No runbook was followed.",
    ):
        assert sentence in md, sentence
    assert "Mitigated: not yet" in md
