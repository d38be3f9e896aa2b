"""``warroom runbooks import|list|show|report``."""

from __future__ import annotations

import json

from tests.cli.runner import run


def test_runbook_commands(capsys, database_url, tmp_path) -> None:
    run(capsys, "demo", "--no-gui", "--database", database_url)
    code, out, _ = run(capsys, "runbooks", "list", "--json", "--database", database_url)
    listed = json.loads(out)
    assert code == 0
    assert {r["slug"] for r in listed} >= {"database-failover", "dns", "payment-provider-outage"}
    code, out, _ = run(capsys, "runbooks", "show", "dns", "--database", database_url)
    assert code == 0
    assert out.startswith("# DNS resolution failures")
    code, out, _ = run(capsys, "runbooks", "show", "dns", "--html", "--database", database_url)
    assert code == 0
    assert "<html>" in out
    assert 'href="step:' in out
    code, out, _ = run(capsys, "runbooks", "report", "--database", database_url)
    assert code == 0
    assert "Services without a runbook" in out
    folder = tmp_path / "rb"
    folder.mkdir()
    (folder / "ok.md").write_text("---\ntitle: OK\n---\n- [ ] do it\n")
    (folder / "broken.md").write_text("no front matter here")
    code, _, err = run(capsys, "runbooks", "import", str(folder), "--database", database_url)
    assert code == 1  # it would retire the demo's whole library
    assert "would retire 8 of the 8 runbooks in the library; nothing was changed" in err
    code, _, err = run(capsys, "runbooks", "show", "nope", "--database", database_url)
    assert code == 1
    assert "no runbook 'nope'" in err
