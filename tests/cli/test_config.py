"""``warroom config`` and ``login``: no password in a file, one sentence for a broken one."""

from __future__ import annotations

import json

import keyring
import keyring.backends.fail
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from tests.cli.fake_postgres import PasswordDemandingServer
from tests.cli.runner import run, run_on_terminal
from warroom.store.config import config_path, load_settings
from warroom.store.database import Database
from warroom.store.models import Event


def test_config_show_masks_the_password(capsys, monkeypatch) -> None:
    monkeypatch.setenv("WARROOM_DATABASE_URL", "postgresql://ada:hunter2@db.example/warroom")
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    assert "hunter2" not in out
    assert "ada:***@db.example" in out
    assert "WARROOM_DATABASE_URL" in out


def test_config_show_masks_a_password_given_as_a_parameter(capsys, monkeypatch) -> None:
    monkeypatch.setenv(
        "WARROOM_DATABASE_URL", "postgresql://ada@db.example/warroom?password=hunter2"
    )
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    assert "hunter2" not in out
    assert "postgresql://ada@db.example/warroom?password=***" in out
    assert "given in the URL (masked)" in out


def test_config_set_refuses_a_url_with_a_password(capsys) -> None:
    code, _, err = run(capsys, "config", "set", "--database", "postgresql://a:pw@db/w")
    assert code == 1
    assert "never hold passwords" in err


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("postgresql://u@h/db?password=secret", "the 'password' parameter"),
        ("postgresql://u@h/db?sslmode=require&PASSWORD=secret", "the 'PASSWORD' parameter"),
        ("postgresql://u@h/db?sslpassword=secret", "the 'sslpassword' parameter"),
        ("postgresql://u@h/db?passfile=/home/u/pgpass", "the 'passfile' parameter"),
        ("postgres://u:secret@h/db", "a password after the user name"),
    ],
)
def test_config_set_refuses_a_password_anywhere_in_the_url(capsys, url, where) -> None:
    code, out, err = run(capsys, "config", "set", "--database", url, "--user", "ada")
    assert code == 1
    assert out == ""
    assert f"The URL carries a password ({where}); config files never hold passwords" in err
    assert "`warroom login`" in err
    assert "secret" not in err
    assert len(err.strip().splitlines()) == 1
    assert not config_path().exists()  # nothing written, not even the handle


def test_login_refuses_a_url_with_a_password_parameter(capsys) -> None:
    code, _, err = run(capsys, "login", "--database", "postgresql://u@h/db?password=secret")
    assert code == 1
    assert "never hold passwords" in err
    assert not config_path().exists()


# ----------------------------------------------------------------------------- a broken file


BROKEN = "[database\nurl = 1"


@pytest.mark.parametrize(
    "argv",
    [[], ["config", "show"], ["oncall"], ["page", "list"], ["login"], ["db", "status"]],
    ids=lambda argv: " ".join(argv) or "the app",
)
def test_a_broken_config_file_is_one_sentence_for_every_command(capsys, argv) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN)
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert out == ""
    assert err.startswith(f"warroom: the config file {path} is not valid TOML (")
    assert "run `warroom config set` to start a new one" in err
    assert "internal error" not in err
    assert len(err.strip().splitlines()) == 1
    assert path.read_text() == BROKEN


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('database = "sqlite:///x.db"\n', "has 'database' as a value where a [database] table"),
        ("[user]\nhandle = 7\n", "has a user.handle that is not text"),
        (b"[user]\nhandle = '\xff'\n", "is not valid TOML"),
    ],
)
def test_a_config_file_of_the_wrong_shape_is_named(capsys, content, problem) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    code, _, err = run(capsys, "config", "show")
    assert code == 1
    assert f"the config file {path} {problem}" in err


def test_config_set_repairs_a_broken_file_and_keeps_it(capsys) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN)
    code, out, err = run(capsys, "config", "set", "--user", "ada")
    assert code == 0
    assert out.strip() == f"Saved {path}."
    kept = path.with_name("config.toml.broken")
    assert err.strip() == (
        f"warroom: the config file {path} is not valid TOML (Expected ']' at the end of a table "
        f"declaration (at line 1, column 10)); it is kept as {kept}, and the new file holds only "
        "what you set now."
    )
    assert kept.read_text() == BROKEN
    assert load_settings().user == "ada"
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    assert f"ada  [config file {path}]" in out


def test_config_set_validates_before_it_moves_a_broken_file(capsys) -> None:
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN)
    code, _, err = run(capsys, "config", "set", "--user", "Not A Handle")
    assert code == 1
    assert "is not a valid handle" in err
    assert path.read_text() == BROKEN
    assert not path.with_name("config.toml.broken").exists()


# ----------------------------------------------------------------------------- who is acting


def test_warroom_user_beats_the_config_file_and_says_so(capsys, monkeypatch) -> None:
    run(capsys, "config", "set", "--user", "ada")
    monkeypatch.setenv("WARROOM_USER", "lukas")
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    assert "lukas  [WARROOM_USER]" in out


def test_a_bad_warroom_user_is_named(capsys, monkeypatch) -> None:
    monkeypatch.setenv("WARROOM_USER", "Lukas Brandt")
    code, _, err = run(capsys, "config", "show")
    assert code == 1
    assert err.startswith("warroom: WARROOM_USER: 'Lukas Brandt' is not a valid handle")


def test_pages_are_acknowledged_as_warroom_user(capsys, sqlite_url, monkeypatch) -> None:
    run(capsys, "demo", "--no-gui", "--database", sqlite_url)
    run(capsys, "config", "set", "--user", "amara")
    monkeypatch.setenv("WARROOM_USER", "lukas")
    code, out, _ = run(
        capsys, "page", "create", "--service", "postgres-main", "--summary", "Lag",
        "--database", sqlite_url,
    )  # fmt: skip
    assert code == 0
    _, out, _ = run(capsys, "page", "list", "--json", "--database", sqlite_url)
    [page] = [p for p in json.loads(out) if p["summary"] == "Lag"]
    code, _, _ = run(capsys, "page", "ack", str(page["id"]), "--database", sqlite_url)
    assert code == 0
    database = Database(make_url(sqlite_url))
    with database.reading() as session:
        actors = session.scalars(
            select(Event.actor).where(Event.topic == "page.acknowledged")
        ).all()
    database.dispose()
    assert actors[-1] == "lukas"


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


def test_login_to_a_server_that_needs_no_password_says_so(
    capsys, private_postgres_cluster, isolated_user
) -> None:
    typed = private_postgres_cluster.url.replace(
        "postgresql+psycopg://", "postgresql://"
    )  # trust auth
    code, out, err = run(capsys, "login", "--database", typed)
    assert (code, err) == (0, "")
    port = private_postgres_cluster.port
    assert out.strip() == (
        f"PostgreSQL at 127.0.0.1:{port} lets 'postgres' in without a password; nothing was stored."
    )
    assert isolated_user.passwords == {}
    assert load_settings().database_url == typed  # remembered, as login promises


def test_login_says_when_the_server_needs_a_password_but_there_is_no_terminal(capsys) -> None:
    with PasswordDemandingServer() as server:
        url = f"postgresql://ada@127.0.0.1:{server.port}/warroom"
        code, _, err = run(capsys, "login", "--database", url)
    assert code == 1
    assert "asks for the password on a terminal" in err
    assert server.connections == 1  # it asked the server first


def test_end_of_input_at_the_login_prompt_stores_nothing() -> None:
    with PasswordDemandingServer() as server:
        url = f"postgresql://ada@127.0.0.1:{server.port}/warroom"
        code, shown = run_on_terminal(
            "login", "--database", url, answer_to=b"Password for ada@", answer=b"\x04"
        )
    assert code == 1, shown
    assert shown.strip().endswith("warroom: No password given; nothing was stored.")
    assert "internal error" not in shown
    assert "Traceback" not in shown
    assert not config_path().exists()


def test_end_of_input_at_the_connection_prompt_is_one_sentence() -> None:
    with PasswordDemandingServer() as server:
        url = f"postgresql://ada@127.0.0.1:{server.port}/warroom"
        code, shown = run_on_terminal(
            "oncall", "--database", url, answer_to=b"PostgreSQL password:", answer=b"\x04"
        )
    assert code == 1, shown
    assert "No password is stored for this database yet" in shown
    assert shown.strip().endswith("warroom: No password given; not connected.")
    assert "internal error" not in shown
