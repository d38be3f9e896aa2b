"""``warroom incident update`` and ``updates``: telling stakeholders from a terminal or a bot."""

from __future__ import annotations

import json

from tests.cli.runner import run, run_argparse


def _incident(capsys, database_url: str, amara: str) -> str:
    code, _, _ = run(capsys, "demo", "--no-gui", "--database", database_url)
    assert code == 0
    code, out, _ = run(
        capsys,
        "incident",
        "declare",
        "--title",
        "Checkout 5xx",
        "--severity",
        "SEV2",
        "--json",
        "--database",
        amara,
    )
    assert code == 0
    return str(json.loads(out)["id"])


def test_post_updates_and_list_them(capsys, database_url, url_as) -> None:
    amara = url_as("amara")
    number = _incident(capsys, database_url, amara)
    code, out, err = run(
        capsys,
        "incident",
        "update",
        number,
        "--audience",
        "internal",
        "Checkout fails for 5% of EU customers.\nRolling back.",
        "--database",
        amara,
    )
    assert (code, err) == (0, "")
    assert out == f"Posted the internal update of INC-{number} (investigating).\n"
    code, out, _ = run(
        capsys,
        "incident",
        "update",
        number,
        "--audience",
        "customers",
        "--status",
        "mitigated",
        "Checkout works again.",
        "--json",
        "--database",
        amara,
    )
    assert code == 0
    posted = json.loads(out)
    assert (posted["audience"], posted["status"], posted["deliveries"]) == (
        "customers",
        "mitigated",
        [],
    )
    code, out, _ = run(capsys, "incident", "updates", number, "--json", "--database", amara)
    assert code == 0
    listed = json.loads(out)
    assert [(u["audience"], u["status"], u["posted_by"]) for u in listed] == [
        ("customers", "mitigated", "amara"),
        ("internal", "investigating", "amara"),
    ]
    assert listed[1]["body"] == "Checkout fails for 5% of EU customers.\nRolling back."
    code, out, _ = run(capsys, "incident", "updates", number, "--database", amara)
    assert code == 0
    lines = out.splitlines()
    assert "customers mitigated     @amara" in lines[0]
    assert lines[1] == "    Checkout works again."
    assert lines[3:] == ["    Checkout fails for 5% of EU customers.", "    Rolling back."]


def test_update_mistakes_are_one_sentence_and_change_nothing(capsys, database_url, url_as) -> None:
    amara = url_as("amara")
    number = _incident(capsys, database_url, amara)
    cases = [
        (("update", number, "--audience", "board", "x"), "'board' is not an audience"),
        (("update", number, "--audience", "internal", "  "), "An update needs words"),
        (
            ("update", number, "--audience", "internal", "--status", "closed", "x"),
            "'closed' is not a status an update can report",
        ),
        (("update", "999999", "--audience", "internal", "x"), "There is no incident INC-999999."),
        (("updates", "999999"), "There is no incident INC-999999."),
    ]
    for argv, said in cases:
        code, _out, err = run(capsys, "incident", *argv, "--database", amara)
        assert code == 1, argv
        assert err.startswith("warroom: ")
        assert said in err
        assert "Traceback" not in err
    code, out, _ = run(capsys, "incident", "updates", number, "--database", amara)
    assert (code, out) == (0, f"Nobody has been told anything about INC-{number} yet.\n")
    code, _, err = run_argparse(capsys, "incident", "update", number, "x", "--database", amara)
    assert code == 2
    assert "--audience" in err
