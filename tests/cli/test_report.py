"""``warroom report escalations``."""

from __future__ import annotations

import json

from tests.cli.runner import run


def test_report_escalations(capsys, database_url) -> None:
    run(capsys, "demo", "--no-gui", "--database", database_url)
    code, out, _ = run(
        capsys, "report", "escalations", "--days", "3650", "--json", "--database", database_url
    )
    assert code == 0
    report = json.loads(out)
    assert {t["team"] for t in report["teams"]} >= {"Platform", "Payments"}
    assert sum(r["received"] for r in report["responders"]) > 0
    code, out, _ = run(capsys, "report", "escalations", "--database", database_url)
    assert code == 0
    assert "responder" in out
    code, _, err = run(capsys, "report", "escalations", "--days", "0")
    assert code == 1
    assert "--days must be between" in err
