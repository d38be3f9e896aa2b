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


def test_a_folder_that_retires_the_library_needs_allow_removals(capsys, database_url, tmp_path):
    run(capsys, "demo", "--no-gui", "--database", database_url)
    empty = tmp_path / "checkout"
    empty.mkdir()
    args = ("runbooks", "import", str(empty), "--database", database_url)
    code, out, err = run(capsys, *args, "--dry-run")
    assert (code, err) == (0, "")
    assert out.startswith("Would be: 0 added, 0 updated, 8 retired, 0 unchanged, 0 rejected.")
    assert out.strip().endswith("Dry run: nothing was written.")
    code, out, _ = run(capsys, "runbooks", "list", "--json", "--database", database_url)
    assert len(json.loads(out)) == 8
    code, out, _ = run(capsys, *args, "--allow-removals")
    assert code == 0
    assert out.startswith("0 added, 0 updated, 8 retired, 0 unchanged, 0 rejected.")
    code, out, _ = run(capsys, "runbooks", "list", "--json", "--database", database_url)
    assert json.loads(out) == []
