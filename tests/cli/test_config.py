"""``warroom config`` and ``login``: no password in a file, one sentence for a broken one."""

from __future__ import annotations

import keyring
import keyring.backends.fail

from tests.cli.runner import run


def test_config_show_masks_the_password(capsys, monkeypatch) -> None:
    monkeypatch.setenv("WARROOM_DATABASE_URL", "postgresql://ada:hunter2@db.example/warroom")
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    assert "hunter2" not in out
    assert "ada:***@db.example" in out
    assert "WARROOM_DATABASE_URL" in out


def test_config_set_refuses_a_url_with_a_password(capsys) -> None:
    code, _, err = run(capsys, "config", "set", "--database", "postgresql://a:pw@db/w")
    assert code == 1
    assert "never hold passwords" in err


# ----------------------------------------------------------------------------- login


def test_login_without_a_keyring_fails_closed(capsys) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    code, _, err = run(capsys, "login", "--database", "postgresql://ada@db.example/warroom")
    assert code == 1
    assert "No OS keyring" in err
    assert "ask for it each time" in err


def test_login_on_sqlite_needs_no_password(capsys, tmp_path) -> None:
    code, out, _ = run(capsys, "login", "--database", f"sqlite:///{tmp_path / 'x.db'}")
    assert code == 0
    assert "needs no password" in out
