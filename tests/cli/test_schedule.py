"""``warroom schedule export``: shifts as iCalendar, to a file or to standard output."""

from __future__ import annotations

import json

import yaml
from icalendar import Calendar

from tests.cli.runner import run


def _summaries(ics: bytes) -> list[str]:
    calendar = Calendar.from_ical(ics)
    return [str(c["summary"]) for c in calendar.walk() if c.name == "VEVENT"]


def test_schedule_export_writes_an_icalendar_file(capsys, database_url, tmp_path) -> None:
    run(capsys, "demo", "--no-gui", "--database", database_url)
    target = tmp_path / "shifts.ics"
    code, out, _ = run(
        capsys,
        "schedule",
        "export",
        "payments-primary",
        "--ics",
        str(target),
        "--weeks",
        "6",
        "--database",
        database_url,
    )
    assert code == 0
    assert "Payments primary" in out
    calendar = Calendar.from_ical(target.read_bytes())
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) >= 6
    assert all(str(e["summary"]).startswith("On call: ") for e in events)
    code, _, err = run(
        capsys, "schedule", "export", "nope", "--ics", str(target), "--database", database_url
    )
    assert code == 1
    assert "no schedule 'nope'" in err


def test_schedule_export_for_one_person_has_only_their_shifts(capsys, database_url, tmp_path):
    run(capsys, "demo", "--no-gui", "--database", database_url)
    everyone, mine = tmp_path / "all.ics", tmp_path / "mine.ics"
    args = ("schedule", "export", "payments-primary", "--weeks", "8", "--database", database_url)
    assert run(capsys, *args, "--ics", str(everyone))[0] == 0
    _, out, _ = run(capsys, "oncall", "--team", "payments", "--json", "--database", database_url)
    handle = json.loads(out)["teams"][0]["schedules"][0]["person"]
    _, out, _ = run(capsys, "roster", "export", "-", "--database", database_url)
    name = {p["handle"]: p["name"] for p in yaml.safe_load(out)["people"]}[handle]

    code, out, _ = run(capsys, *args, "--ics", str(mine), "--person", handle)
    assert code == 0
    all_shifts, my_shifts = _summaries(everyone.read_bytes()), _summaries(mine.read_bytes())
    assert my_shifts
    assert all(s == f"On call: {name} (Payments primary)" for s in my_shifts)
    assert my_shifts == [s for s in all_shifts if s.startswith(f"On call: {name} (")]
    assert len(my_shifts) < len(all_shifts)
    code, _, err = run(capsys, *args, "--ics", str(mine), "--person", "nobody-here")
    assert code == 1
    assert "There is no person 'nobody-here'." in err


def test_schedule_export_to_standard_output(capsys, database_url, tmp_path, monkeypatch):
    run(capsys, "demo", "--no-gui", "--database", database_url)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(
        capsys, "schedule", "export", "payments-primary", "--ics", "-", "--database", database_url
    )
    assert (code, err) == (0, "")
    assert out.startswith("BEGIN:VCALENDAR")
    assert _summaries(out.encode())
    assert not (tmp_path / "-").exists()
