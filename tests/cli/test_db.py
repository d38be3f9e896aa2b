"""``warroom db``, and which database a command opens: URLs, paths, and what creates a file."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.cli.runner import run
from warroom.store.database import Database
from warroom.store.schema import head_revision


def test_db_upgrade_creates_then_reports_the_schema(capsys, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code, out, _ = run(capsys, "db", "upgrade", "--database", url)
    assert code == 0
    assert f"from empty to {head_revision()}" in out
    code, out, _ = run(capsys, "--database", url, "db", "upgrade")  # option before the command
    assert code == 0
    assert "already at" in out
    code, out, _ = run(capsys, "db", "status", "--database", url)
    assert code == 0
    assert f"schema {head_revision()}" in out


def test_the_environment_variable_chooses_the_database(capsys, monkeypatch, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("WARROOM_DATABASE_URL", url)
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0
    assert str(tmp_path / "env.db") in out


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("nonsense", "is not a database URL"),
        ("postgresql://postgres@127.0.0.1:1/warroom", "Cannot reach PostgreSQL at 127.0.0.1:1"),
    ],
)
def test_bad_databases_get_one_sentence(capsys, url: str, sentence: str) -> None:
    code, out, err = run(capsys, "db", "upgrade", "--database", url)
    assert code == 1
    assert out == ""
    assert sentence in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_database_from_a_newer_warroom_is_named(capsys, database_url: str) -> None:
    db = Database(make_url(database_url))
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'zz99'"))
    db.dispose()
    code, _, err = run(capsys, "db", "upgrade", "--database", database_url)
    assert code == 1
    assert "newer warroom" in err
    assert "upgrade warroom" in err


# ----------------------------------------------------------------------------- what creates a file


@pytest.mark.parametrize(
    "argv",
    [
        ["page", "list"],
        ["oncall"],
        ["runbooks", "list"],
        ["roster", "export", "-"],
        ["report", "escalations"],
        ["db", "status"],
    ],
    ids=lambda argv: " ".join(argv),
)
def test_a_mistyped_sqlite_path_is_named_not_created(capsys, tmp_path, argv) -> None:
    typo = tmp_path / "typo" / "x.db"
    code, out, err = run(capsys, *argv, "--database", f"sqlite:///{typo}")
    assert code == 1
    assert out == ""
    assert err.startswith(f"warroom: There is no warroom database at {typo}")
    assert "`warroom db upgrade` creates an empty one" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "typo").exists()


def test_a_relative_sqlite_path_is_shown_in_full(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "page", "list", "--database", "sqlite:///tmp/typo/x.db")
    assert code == 1
    assert err.startswith(
        f"warroom: There is no warroom database at {tmp_path / 'tmp' / 'typo' / 'x.db'} (check "
        "the path; sqlite:/// with three slashes is relative to the current folder, sqlite:////"
        " with four starts at /);"
    )
    assert not (tmp_path / "tmp").exists()


@pytest.mark.parametrize("argv", [["db", "upgrade"], ["demo", "--no-gui"]], ids=" ".join)
def test_demo_and_db_upgrade_create_the_file_and_its_folders(capsys, tmp_path, argv) -> None:
    path = tmp_path / "new" / "folder" / "warroom.db"
    code, _, err = run(capsys, *argv, "--database", f"sqlite:///{path}")
    assert (code, err) == (0, "")
    assert path.is_file()
    code, _, err = run(capsys, "page", "list", "--database", f"sqlite:///{path}")
    assert (code, err) == (0, "")


def test_the_default_database_is_created_on_a_fresh_computer(capsys, tmp_path) -> None:
    default = tmp_path / "data" / "warroom.db"  # the test's data dir
    assert not default.parent.exists()
    code, out, err = run(capsys, "page", "list")
    assert (code, out, err) == (0, "", "")
    assert default.is_file()


def test_a_folder_given_as_the_database_is_named(capsys, tmp_path) -> None:
    code, _, err = run(capsys, "db", "upgrade", "--database", f"sqlite:///{tmp_path}")
    assert code == 1
    assert err.strip() == (
        f"warroom: {tmp_path} is a folder, not a database file; name the file, e.g. "
        f"sqlite:///{tmp_path / 'warroom.db'}"
    )


def test_a_path_under_a_regular_file_is_named(capsys, tmp_path) -> None:
    regular = tmp_path / "notes.txt"
    regular.write_text("not a folder")
    path = regular / "sub" / "x.db"
    code, _, err = run(capsys, "db", "upgrade", "--database", f"sqlite:///{path}")
    assert code == 1
    assert (
        err.strip() == f"warroom: {path} cannot be a database: {regular} is a file, not a folder."
    )
    assert regular.read_text() == "not a folder"


# ----------------------------------------------------------------------------- PostgreSQL URLs


def test_postgres_scheme_is_postgresql(capsys, postgres_url) -> None:
    typed = postgres_url.replace("postgresql+psycopg://", "postgres://")
    code, out, err = run(capsys, "db", "status", "--database", typed)
    assert (code, err) == (0, "")
    assert f"schema {head_revision()}" in out


def test_messages_show_the_url_as_typed_not_the_driver(capsys, empty_postgres_url) -> None:
    typed = empty_postgres_url.replace("postgresql+psycopg://", "postgresql://")
    password = make_url(typed).password  # the tests' login may have one (CI's does)
    shown = typed.replace(f":{password}@", ":***@") if password else typed
    code, _, err = run(capsys, "runbooks", "list", "--database", typed)
    assert code == 1
    assert f"The database {shown} has no warroom schema yet" in err
    assert "+psycopg" not in err
    code, _, err = run(capsys, "db", "upgrade", "--database", "postgresql://ada:pw@db.example")
    assert code == 1
    assert "the PostgreSQL URL postgresql://ada:***@db.example names no database" in err
    assert "+psycopg" not in err


# ----------------------------------------------------------------------------- client grants


def test_db_grant_makes_a_least_privilege_client_role(capsys, private_postgres_cluster) -> None:
    url = private_postgres_cluster.url  # a cluster of the test's own: its roles go with it
    assert run(capsys, "db", "upgrade", "--database", url)[0] == 0
    code, out, err = run(capsys, "db", "grant", "warroom_client", "--database", url)
    assert (code, err) == (0, "")
    assert out.startswith("Created the role warroom_client (it cannot log in;")
    assert "`warroom db upgrade` keeps these grants up to date." in out
    code, out, _ = run(capsys, "db", "grant", "warroom_client", "--database", url)
    assert code == 0
    assert out.startswith("warroom_client may now read the")  # idempotent: nothing created


def test_db_grant_on_sqlite_is_one_sentence(capsys, sqlite_url) -> None:
    code, out, err = run(capsys, "db", "grant", "warroom_client", "--database", sqlite_url)
    assert (code, out) == (1, "")
    assert err.startswith("warroom: Roles and grants are for a shared PostgreSQL database;")
