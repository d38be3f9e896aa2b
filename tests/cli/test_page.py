"""``warroom page``: paging by hand, and ids that cannot be ids."""

from __future__ import annotations

import json

import pytest

from tests.cli.runner import run, run_argparse


def test_page_commands(capsys, database_url, url_as) -> None:
    run(capsys, "demo", "--no-gui", "--database", database_url)
    amara = url_as("amara")  # on PostgreSQL amara's own login: the login is who acts
    code, out, _ = run(
        capsys,
        "page",
        "create",
        "--service",
        "postgres-main",
        "--summary",
        "Replica lag 90 s",
        "--urgency",
        "high",
        "--database",
        amara,
    )
    assert code == 0
    assert out.startswith("1 new")
    code, out, _ = run(
        capsys, "page", "list", "--state", "triggered", "--json", "--database", database_url
    )
    assert code == 0
    [mine] = [p for p in json.loads(out) if p["summary"] == "Replica lag 90 s"]
    assert mine["service"] == "postgres-main"
    code, out, _ = run(
        capsys,
        "page",
        "escalate",
        str(mine["id"]),
        "--to-expertise",
        "database",
        "--database",
        amara,
    )
    assert code == 0
    assert "escalated; told:" in out
    code, out, _ = run(capsys, "page", "ack", str(mine["id"]), "--database", amara)
    assert code == 0
    assert out.strip() == f"Page #{mine['id']} acknowledged."
    code, out, _ = run(capsys, "page", "resolve", str(mine["id"]), "--database", amara)
    assert code == 0
    assert out.strip() == f"Page #{mine['id']} resolved."
    code, _, err = run(capsys, "page", "ack", "99999", "--database", amara)
    assert code == 1
    assert "no page #99999" in err


@pytest.mark.parametrize("action", ["ack", "resolve", "escalate"])
@pytest.mark.parametrize(
    ("given", "complaint"),
    [
        ("99999999999999999999", "99999999999999999999 cannot be an id; ids run from 1 to"),
        ("9223372036854775808", "9223372036854775808 cannot be an id"),
        ("0", "0 cannot be an id"),
        ("-3", "-3 cannot be an id"),
        ("seven", "'seven' is not a number"),
    ],
)
def test_an_id_no_row_can_have_is_a_usage_error(capsys, sqlite_url, action, given, complaint):
    code, out, err = run_argparse(capsys, "page", action, "--database", sqlite_url, "--", given)
    assert code == 2
    assert out == ""
    assert err.startswith(f"warroom page {action}: argument ID: {complaint}")
    assert len(err.strip().splitlines()) == 1


def test_the_largest_id_is_still_an_id(capsys, database_url, url_as) -> None:
    run(capsys, "demo", "--no-gui", "--database", database_url)
    code, _, err = run(capsys, "page", "resolve", str(2**63 - 1), "--database", url_as("amara"))
    assert code == 1
    assert "no page #9223372036854775807" in err


def test_someone_not_on_the_roster_can_neither_page_nor_answer_a_page(capsys, database_url, url_as):
    """Issue 10.8: ``page create`` and ``page escalate`` accepted an unknown user while
    ``ack`` and ``resolve`` refused one. One rule for all: on PostgreSQL the login acts (here
    a login named ``nobody``), on SQLite the configured user (``WARROOM_USER=nobody``)."""
    run(capsys, "demo", "--no-gui", "--database", database_url)
    code, _, _ = run(
        capsys,
        "page",
        "create",
        "--service",
        "edge",
        "--summary",
        "DNS",
        "--database",
        url_as("amara"),
    )
    assert code == 0
    code, out, _ = run(capsys, "page", "list", "--json", "--database", database_url)
    [page_id] = [p["id"] for p in json.loads(out) if p["summary"] == "DNS"]
    nobody = url_as("nobody")
    if database_url.startswith("postgresql"):
        refusal = (
            "warroom: Your database login 'nobody' is not a person on the roster; on PostgreSQL "
            "each person signs in as their own handle (ask for a login named after yours).\n"
        )
    else:
        refusal = (
            "warroom: 'nobody' is not an active person on the roster; set who you are with "
            "`warroom config set --user HANDLE` (or WARROOM_USER for scripts).\n"
        )
    for command in (
        ["create", "--service", "edge", "--summary", "Made by nobody"],
        ["escalate", str(page_id)],
        ["escalate", str(page_id), "--to-expertise", "database"],
        ["ack", str(page_id)],
        ["resolve", str(page_id)],
    ):
        code, out, err = run(capsys, "page", *command, "--database", nobody)
        assert (code, out, err) == (1, "", refusal), command
    code, out, _ = run(capsys, "page", "list", "--json", "--database", database_url)
    pages = json.loads(out)
    assert [p["summary"] for p in pages if p["summary"] == "Made by nobody"] == []
    [page] = [p for p in pages if p["id"] == page_id]
    assert (page["state"], page["level"]) == ("triggered", 1)
