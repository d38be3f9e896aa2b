"""``warroom incident note`` and ``export``: the transcript from a script, and the
post-incident report checked entry by entry (order, stamps, escaping)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.cli.runner import run, run_argparse

BERLIN = ZoneInfo("Europe/Berlin")


def _incident(capsys, database_url: str, amara: str) -> tuple[str, datetime]:
    code, _, _ = run(capsys, "demo", "--no-gui", "--database", database_url)
    assert code == 0
    code, out, _ = run(
        capsys,
        "incident",
        "declare",
        "--title",
        "Checkout 5xx | EU",
        "--severity",
        "SEV2",
        "--bridge",
        "https://meet.example.com/inc",
        "--json",
        "--database",
        amara,
    )
    assert code == 0
    number = str(json.loads(out)["id"])
    code, out, _ = run(capsys, "incident", "show", number, "--json", "--database", amara)
    assert code == 0
    return number, datetime.fromisoformat(json.loads(out)["declared_at"])


def _stamp(at: datetime, zone: ZoneInfo, t_plus: str) -> str:
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M:%S %Z} · {t_plus}"


def test_notes_and_the_report_entry_by_entry(capsys, database_url, url_as, tmp_path) -> None:
    amara = url_as("amara")
    number, declared = _incident(capsys, database_url, amara)
    ref = f"INC-{number}"

    def note(text: str, after: timedelta, *options: str) -> dict:
        at = (declared + after).astimezone(BERLIN).isoformat()
        code, out, err = run(
            capsys,
            "incident",
            "note",
            number,
            text,
            "--at",
            at,
            *options,
            "--json",
            "--database",
            amara,
        )
        assert (code, err) == (0, "")
        return json.loads(out)

    said = note("we see 5xx", timedelta(minutes=5), "--kind", "said", "--speaker", "lukas")
    script = note("<script>alert(1)</script>", timedelta(minutes=12, seconds=40), "--kind", "s")
    note("# not a heading | x", timedelta(minutes=20), "--kind", "decided")
    action = note(
        "write the review", timedelta(minutes=25), "--kind", "action", "--owner", "@priya"
    )
    before = note("impact began earlier", -timedelta(minutes=3), "--kind", "felt")
    assert (script["ref"], script["kind"], script["t_plus"]) == (ref, "said", "T+00:12:40")
    assert (said["speaker"], action["owner"], before["t_plus"]) == ("lukas", "priya", "T-00:03:00")
    assert len(script["client_uuid"]) == 36
    assert len({said["client_uuid"], script["client_uuid"]}) == 2  # a fresh uuid each time
    code, out, err = run(capsys, "incident", "note", number, "plain", "--database", amara)
    assert (code, err) == (0, "")
    assert re.fullmatch(rf"Noted entry \d+ \(note\) on {ref} at T\+\d\d:\d\d:\d\d\.\n", out)

    code, md, err = run(
        capsys, "incident", "export", number, "--format", "md", "--tz", "Europe/Berlin",
        "--database", amara,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert md.startswith(f"# {ref}: Checkout 5xx \\| EU\n")
    assert "**Severity** SEV2 · **Status** investigating" in md
    assert "**Bridge** <https://meet.example.com/inc>" in md
    sections = re.findall(r"^## (.+)$", md, re.MULTILINE)
    assert sections == [
        "Summary",
        "Impact window",
        "Severity history",
        "Roles",
        "Timeline",
        "Decisions",
        "Action items",
        "Stakeholder updates",
        "Linked pages",
        "Runbooks followed",
    ]
    timeline = md.split("## Timeline\n\n")[1].split("\n\n## ")[0].splitlines()
    entries = [line for line in timeline if "noted by @amara" in line and "plain" not in line]
    minutes = timedelta(minutes=1)
    assert entries[:5] == [
        f"- {_stamp(declared - 3 * minutes, BERLIN, 'T-00:03:00')} · **felt** · "
        "impact began earlier — noted by @amara",
        f"- {_stamp(declared + 5 * minutes, BERLIN, 'T+00:05:00')} · **said** · @lukas: "
        "we see 5xx — noted by @amara",
        f"- {_stamp(declared + timedelta(minutes=12, seconds=40), BERLIN, 'T+00:12:40')} · "
        "**said** · \\<script\\>alert(1)\\</script\\> — noted by @amara",
        f"- {_stamp(declared + 20 * minutes, BERLIN, 'T+00:20:00')} · **decided** · "
        "\\# not a heading \\| x — noted by @amara",
        f"- {_stamp(declared + 25 * minutes, BERLIN, 'T+00:25:00')} · **action** · "
        "write the review (owner @priya) — noted by @amara",
    ]
    declared_line = next(line for line in timeline if "declared SEV2 incident" in line)
    assert declared_line.startswith(f"- {_stamp(declared, BERLIN, 'T+00:00:00')} · _status_ · ")
    assert timeline.index(declared_line) == 1  # between the entry before it and the ones after
    assert not re.search(r"^#+ not a heading", md, re.MULTILINE)
    decisions = md.split("## Decisions\n\n")[1].split("\n\n## ")[0]
    assert decisions.strip() == entries[3]
    actions = md.split("## Action items\n\n")[1].split("\n\n## ")[0]
    assert actions.startswith("- [ ] write the review — owner @priya; **open**")
    impact = md.split("## Impact window\n\n")[1].split("\n\n## ")[0]
    assert "no impact marks were set" in impact
    assert "Incident Commander | Amara Okafor (@amara)" in md

    utc = run(capsys, "incident", "export", number, "--tz", "UTC", "--database", amara)[1]
    assert f"- {declared:%Y-%m-%d %H:%M:%S} UTC · T-00:03:00" not in utc  # declared itself…
    assert f"- {declared - 3 * minutes:%Y-%m-%d %H:%M:%S} UTC · T-00:03:00 · **felt**" in utc

    page = tmp_path / "report.html"
    code, out, err = run(
        capsys, "incident", "export", number, "-o", str(page), "--tz", "Europe/Berlin",
        "--database", amara,
    )  # fmt: skip
    assert (code, out) == (0, "")
    assert err == f"Wrote the report of {ref} to {page}.\n"
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp;lt;" not in html  # escaped once, not twice
    assert "# not a heading | x" in html
    assert "<title>" + f"{ref}: Checkout 5xx | EU</title>" in html
    assert re.findall(r"https?://[^\s\"<]+", html) == [
        "https://meet.example.com/inc",
        "https://meet.example.com/inc",
    ]
    assert '<a href="https://meet.example.com/inc" rel="noopener noreferrer">' in html
    assert not re.search(r"<link|@import|url\(|src=", html)
    cells = re.findall(r'<td class="stamp">([^<]+)</td><td class="kind">([^<]+)</td>', html)
    stamps = [s for s, _ in cells]
    assert _stamp(declared + timedelta(minutes=12, seconds=40), BERLIN, "T+00:12:40") in stamps
    kinds = [k for _, k in cells[: stamps.index(_stamp(declared, BERLIN, "T+00:00:00")) + 1]]
    assert kinds == ["felt", "status"]


def test_export_writes_atomically_and_refuses_bad_input_without_writing(
    capsys, database_url, url_as, tmp_path
) -> None:
    amara = url_as("amara")
    number, _ = _incident(capsys, database_url, amara)
    target = tmp_path / "report.md"
    target.write_text("the old report")
    code, _, err = run(
        capsys, "incident", "export", number, "-o", str(target), "--tz", "Mars/Base",
        "--database", amara,
    )  # fmt: skip
    assert (code, err) == (
        1,
        "warroom: 'Mars/Base' is not a time zone; use a name like Europe/Berlin or UTC.\n",
    )
    code, _, err = run(capsys, "incident", "export", "999", "-o", str(target), "--database", amara)
    assert (code, err) == (1, "warroom: There is no incident INC-999.\n")
    assert target.read_text() == "the old report"
    code, _, err = run_argparse(
        capsys, "incident", "export", number, "--format", "pdf", "--database", amara
    )
    assert code == 2
    assert "invalid choice: 'pdf'" in err
    code, _, err = run(
        capsys, "incident", "export", number, "-o", str(tmp_path / "nowhere" / "r.md"),
        "--database", amara,
    )  # fmt: skip
    assert (code, err) == (
        1,
        f"warroom: There is no folder {tmp_path / 'nowhere'} to write r.md into.\n",
    )
    code, _, _ = run(capsys, "incident", "export", number, "-o", str(target), "--database", amara)
    assert code == 0
    assert target.read_text().startswith(f"# INC-{number}: ")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary
    code, _, _ = run(
        capsys, "incident", "export", number, "-o", str(tmp_path / "r.html"), "--database", amara
    )
    assert code == 0
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")


def test_note_reads_a_time_like_every_at_and_refuses_what_no_incident_can_have(
    capsys, database_url, url_as
) -> None:
    amara = url_as("amara")
    number, declared = _incident(capsys, database_url, amara)
    local = (declared - timedelta(minutes=3)).astimezone().replace(tzinfo=None, microsecond=0)
    code, out, err = run(
        capsys, "incident", "note", number, "before the bridge opened", "--at",
        local.isoformat(), "--json", "--database", amara,
    )  # fmt: skip
    assert (code, err) == (0, "")  # without an offset: this computer's local time, as --at is
    noted = datetime.fromisoformat(json.loads(out)["occurred_at"])
    assert noted == local.astimezone()
    for far in ("9999-12-31T23:59+00:00", "0001-01-01T00:00+00:00", "2099-01-01T00:00+00:00"):
        code, out, err = run(
            capsys, "incident", "note", number, "x", "--at", far, "--database", amara
        )
        assert (code, out) == (1, ""), far
        assert err.startswith("warroom: "), far
        assert "Traceback" not in err
    code, _, err = run(
        capsys, "incident", "note", number, "words", "--owner", "felix", "--database", amara
    )
    assert (code, err) == (1, "warroom: --owner is for action items; add --kind action.\n")
    code, _, err = run(
        capsys, "incident", "note", number, "words", "--at", "yesterday", "--database", amara
    )
    assert (code, err) == (
        1,
        "warroom: 'yesterday' is not an ISO-8601 time; write it like 2026-11-24T03:00+00:00\n",
    )
    code, _, err = run(
        capsys, "incident", "note", number, "words", "--speaker", "ghost", "--database", amara
    )
    assert (code, err) == (1, "warroom: There is no @ghost on the roster to be the speaker.\n")
    code, _, err = run(
        capsys, "incident", "note", number, "words", "--kind", "shout", "--database", amara
    )
    assert code == 1
    assert err.startswith("warroom: 'shout' is not a kind of entry; use one of said")
    code, _, err = run(capsys, "incident", "note", "999", "words", "--database", amara)
    assert (code, err) == (1, "warroom: There is no incident INC-999.\n")
    code, md, _ = run(capsys, "incident", "export", number, "--database", amara)
    assert code == 0
    timeline = md.split("## Timeline")[1]
    assert timeline.count("noted by @amara") == 1  # nothing refused was written
    assert "before the bridge opened" in timeline


def test_closing_names_the_open_action_items_with_their_owners(
    capsys, database_url, url_as
) -> None:
    amara = url_as("amara")
    number, _declared = _incident(capsys, database_url, amara)
    for text, owner in (("write the review", "priya"), ("add an alert on 5xx", "lukas")):
        code, _, err = run(
            capsys,
            "incident",
            "note",
            number,
            text,
            "--kind",
            "action",
            "--owner",
            owner,
            "--database",
            amara,
        )
        assert code == 0, err
    code, out, err = run(
        capsys, "incident", "close", number, "--summary", "Rolled back.", "--database", amara
    )
    assert code == 0, err
    assert out.splitlines() == [
        f"INC-{number} is closed.",
        "  follow-up still open: write the review (@priya)",
        "  follow-up still open: add an alert on 5xx (@lukas)",
    ]
