"""``warroom schedule export``: shifts as iCalendar, to a file or to standard output."""

from __future__ import annotations

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
