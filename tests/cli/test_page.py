"""``warroom page``: paging by hand, and ids that cannot be ids."""

from __future__ import annotations

import json

import pytest

from tests.cli.runner import run, run_argparse
from warroom.store.config import save_settings


def test_page_commands(capsys, database_url) -> None:
    run(capsys, "demo", "--no-gui", "--database", database_url)
    save_settings(user="amara")
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
        database_url,
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
        database_url,
    )
    assert code == 0
    assert "escalated; told:" in out
    code, out, _ = run(capsys, "page", "ack", str(mine["id"]), "--database", database_url)
    assert code == 0
    assert out.strip() == f"Page #{mine['id']} acknowledged."
    code, out, _ = run(capsys, "page", "resolve", str(mine["id"]), "--database", database_url)
    assert code == 0
    assert out.strip() == f"Page #{mine['id']} resolved."
    code, _, err = run(capsys, "page", "ack", "99999", "--database", database_url)
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


def test_the_largest_id_is_still_an_id(capsys, database_url) -> None:
    run(capsys, "demo", "--no-gui", "--database", database_url)
    save_settings(user="amara")
    code, _, err = run(capsys, "page", "resolve", str(2**63 - 1), "--database", database_url)
    assert code == 1
    assert "no page #9223372036854775807" in err
