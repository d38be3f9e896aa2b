"""``warroom roster import|export``."""

from __future__ import annotations

import re

from tests.cli.runner import ROOT, run


def test_roster_import_reports_then_is_idempotent(capsys, database_url, tmp_path) -> None:
    from warroom.services.demo import demo_roster_text

    path = tmp_path / "org.yaml"
    path.write_text(demo_roster_text())
    code, out, _ = run(
        capsys, "roster", "import", str(path), "--dry-run", "--database", database_url
    )
    assert code == 0
    assert "would be added" in out
    assert "Dry run: nothing was written." in out
    code, out, _ = run(capsys, "roster", "import", str(path), "--database", database_url)
    assert code == 0
    assert "person amara" in out
    code, out, _ = run(capsys, "roster", "import", str(path), "--database", database_url)
    assert code == 0
    assert out.strip() == "The roster is already up to date; nothing to change."
    exported = tmp_path / "exported.yaml"
    code, out, _ = run(capsys, "roster", "export", str(exported), "--database", database_url)
    assert code == 0
    code, out, _ = run(capsys, "roster", "import", str(exported), "--database", database_url)
    assert code == 0
    assert "already up to date" in out


def test_a_bad_roster_file_names_the_line(capsys, tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("people:\n  - {handle: ann, name: Ann, time_zone: Mars/Base}\n")
    code, _, err = run(capsys, "roster", "import", str(path))
    assert code == 1
    assert f"{path}:2: person 'ann'" in err
    assert "Mars/Base" in err
    code, _, err = run(capsys, "roster", "import", str(tmp_path / "missing.yaml"))
    assert code == 1
    assert "There is no file" in err


def test_a_file_that_removes_a_lot_needs_allow_removals(capsys, database_url, tmp_path) -> None:
    from warroom.services.demo import demo_roster_text

    organisation = tmp_path / "org.yaml"
    organisation.write_text(demo_roster_text())
    assert run(capsys, "roster", "import", str(organisation), "--database", database_url)[0] == 0
    readme = (ROOT / "README.md").read_text()
    small = re.search(r"A complete small example:\n\n```yaml\n(.*?)```", readme, re.S)
    assert small, "README.md no longer has its small roster example"
    path = tmp_path / "small.yaml"
    path.write_text(small.group(1))
    args = ("roster", "import", str(path), "--database", database_url)

    code, out, err = run(capsys, *args)
    assert (code, out) == (1, "")
    assert "deactivate 26 of 29 people" in err
    assert "--allow-removals" in err
    code, out, _ = run(capsys, *args, "--dry-run")
    assert code == 0
    assert "It removes a lot, so it needs --allow-removals; it would:" in out
    assert "Dry run: nothing was written." in out
    code, out, _ = run(capsys, *args, "--allow-removals")
    assert code == 0
    assert "person sam.w (deactivated)" in out
    code, out, _ = run(capsys, *args)
    assert (code, out.strip()) == (0, "The roster is already up to date; nothing to change.")
