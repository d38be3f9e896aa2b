"""``warroom roster import|export``."""

from __future__ import annotations

from tests.cli.runner import run


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
