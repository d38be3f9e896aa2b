"""``warroom demo``: the demo organisation, seeded once."""

from __future__ import annotations

from tests.cli.runner import run


def test_demo_without_gui_seeds_once(capsys, database_url: str) -> None:
    code, out, _ = run(capsys, "demo", "--no-gui", "--database", database_url)
    assert code == 0
    assert out.startswith("Seeded the demo organisation: 29 people, 4 teams")
    code, out, _ = run(capsys, "demo", "--no-gui", "--database", database_url)
    assert code == 0
    assert "already there" in out
