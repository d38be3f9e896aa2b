"""``warroom oncall``: who is on call at an instant, and every bad instant in one sentence."""

from __future__ import annotations

import json

from tests.cli.runner import run


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
