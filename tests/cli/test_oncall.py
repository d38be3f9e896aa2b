"""``warroom oncall``: who is on call at an instant, and every bad instant in one sentence."""

from __future__ import annotations

import json
import time

import pytest

from tests.cli.runner import run, run_argparse

GAPPY_ROSTER = """\
people:
  - {handle: ann, name: Ann Example, time_zone: Europe/London}
teams:
  - {slug: ops, name: Ops, members: [ann]}
schedules:
  - slug: ops-primary
    name: Ops primary
    team: ops
    kind: primary
    time_zone: Europe/London
    layers:
      - name: Office hours only
        rotation: weekly
        handoff: mon 09:00
        start: 2026-01-05
        people: [ann]
        restrictions: [{daily: "09:00", hours: 8}]
"""


def test_oncall_answers_for_an_instant_in_text_and_json(capsys, database_url) -> None:
    run(capsys, "demo", "--no-gui", "--database", database_url)
    code, out, _ = run(
        capsys,
        "oncall",
        "--at",
        "2026-03-02T10:00:00+00:00",
        "--team",
        "platform",
        "--json",
        "--database",
        database_url,
    )
    assert code == 0
    answer = json.loads(out)
    [team] = answer["teams"]
    primary = team["schedules"][0]
    # rota starts Mon 5 Jan with 5 people; 2 March is week 8, so the 4th person: lukas
    assert (primary["kind"], primary["person"]) == ("primary", "lukas")
    # at 20:00 London the Bangalore night layer takes over (follow the sun)
    assert primary["until"] == "2026-03-02T20:00:00+00:00"
    assert primary["next"] == "priya"
    code, out, _ = run(
        capsys, "oncall", "--at", "2026-03-02T10:00:00+00:00", "--database", database_url
    )
    assert code == 0
    assert "Platform" in out
    assert "Lukas Brandt" in out
    code, _, err = run(capsys, "oncall", "--team", "nope", "--database", database_url)
    assert code == 1
    assert "no team 'nope'" in err
    code, _, err = run(capsys, "oncall", "--at", "yesterday", "--database", database_url)
    assert code == 1
    assert "not an ISO-8601 time" in err


def test_a_gap_in_the_schedule_says_nobody(capsys, database_url, tmp_path) -> None:
    roster = tmp_path / "ops.yaml"
    roster.write_text(GAPPY_ROSTER)
    assert run(capsys, "roster", "import", str(roster), "--database", database_url)[0] == 0
    code, out, _ = run(
        capsys, "oncall", "--at", "2026-03-04T03:00+00:00", "--database", database_url
    )
    assert code == 0
    [line] = [line for line in out.splitlines() if line.strip().startswith("primary")]
    assert line.split()[1:3] == ["NOBODY", "(gap)"]
    code, out, _ = run(
        capsys, "oncall", "--at", "2026-03-04T10:00+00:00", "--database", database_url
    )
    assert code == 0
    assert "Ann Example" in out
    assert "NOBODY (gap)" not in out


@pytest.mark.parametrize(
    ("at", "sentence"),
    [
        ("9999-12-31T23:59:59+00:00", "is out of range; give a time between the years 1970"),
        ("0001-01-01T00:00+05:00", "is out of range; give a time between the years 1970"),
        ("", "--at is empty; write a time like 2026-11-24T03:00+00:00"),
        ("  ", "--at is empty"),
    ],
)
def test_an_instant_it_cannot_answer_for_is_one_sentence(capsys, sqlite_url, at, sentence):
    code, out, err = run(capsys, "oncall", "--at", at, "--database", sqlite_url)
    assert code == 1
    assert out == ""
    assert sentence in err
    assert "internal error" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_time_without_offset_is_the_computers_local_time(capsys, sqlite_url, monkeypatch):
    _, out, _ = run_argparse(capsys, "oncall", "--help")
    assert "without an offset is in this computer's local time zone" in " ".join(out.split())
    try:
        with monkeypatch.context() as patch:
            patch.setenv("TZ", "Asia/Kolkata")
            time.tzset()
            code, out, _ = run(
                capsys, "oncall", "--at", "2026-03-02T15:30", "--json", "--database", sqlite_url
            )
    finally:
        time.tzset()  # back to the zone the environment had before
    assert code == 0
    assert json.loads(out)["at"] == "2026-03-02T10:00:00+00:00"
