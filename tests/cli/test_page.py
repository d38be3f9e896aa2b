"""``warroom page``: paging by hand, and ids that cannot be ids."""

from __future__ import annotations

import json

from tests.cli.runner import run
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
