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


# ----------------------------------------------------------------------------- PostgreSQL URLs


def test_postgres_scheme_is_postgresql(capsys, postgres_url) -> None:
    typed = postgres_url.replace("postgresql+psycopg://", "postgres://")
    code, out, err = run(capsys, "db", "status", "--database", typed)
    assert (code, err) == (0, "")
    assert f"schema {head_revision()}" in out


def test_messages_show_the_url_as_typed_not_the_driver(capsys, empty_postgres_url) -> None:
    typed = empty_postgres_url.replace("postgresql+psycopg://", "postgresql://")
    code, _, err = run(capsys, "runbooks", "list", "--database", typed)
    assert code == 1
    assert f"The database {typed} has no warroom schema yet" in err
    assert "+psycopg" not in err
    code, _, err = run(capsys, "db", "upgrade", "--database", "postgresql://ada:pw@db.example")
    assert code == 1
    assert "the PostgreSQL URL postgresql://ada:***@db.example names no database" in err
    assert "+psycopg" not in err
