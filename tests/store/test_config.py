"""Configuration: precedence, no passwords in files, and a keyring that fails closed."""

from __future__ import annotations

import keyring
import keyring.backends.fail
import pytest
from sqlalchemy.engine import make_url

from warroom.domain.errors import ValidationError
from warroom.store.config import (
    BrokenConfigError,
    KeyringUnavailableError,
    config_path,
    keyring_available,
    load_settings,
    mask_url,
    mask_url_text,
    parse_database_url,
    password_parts,
    save_settings,
    set_aside_broken_config,
    store_password,
    stored_password,
    without_password,
)


def test_the_default_is_an_embedded_sqlite_file_in_the_data_dir(tmp_path) -> None:
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'warroom.db'}"
    assert settings.database_source.startswith("default")


def test_option_beats_environment_beats_file(monkeypatch: pytest.MonkeyPatch) -> None:
    save_settings(database_url="postgresql://file@db/warroom", user="ada")
    assert load_settings().database_url == "postgresql://file@db/warroom"
    monkeypatch.setenv("WARROOM_DATABASE_URL", "postgresql://env@db/warroom")
    assert load_settings().database_url == "postgresql://env@db/warroom"
    settings = load_settings("sqlite:////tmp/option.db")
    assert settings.database_url == "sqlite:////tmp/option.db"
    assert settings.database_source == "--database"
    assert settings.user == "ada"


def test_the_config_file_never_holds_a_password(tmp_path) -> None:
    path = save_settings(database_url="postgresql://ada:hunter2@db/warroom")
    assert "hunter2" not in path.read_text()
    assert load_settings().url.password is None


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://x@db/warroom", "not 'mysql'"),
        ("postgresql://ada@db", "names no database"),
        ("sqlite://", "in-memory SQLite"),
    ],
)
def test_bad_urls_are_named_in_one_sentence(url: str, complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        parse_database_url(url)


def test_a_password_in_a_bad_url_is_not_echoed() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_database_url("mysql://ada:hunter2@db/warroom")
    assert "hunter2" not in str(caught.value)


def test_passwords_round_trip_through_the_keyring() -> None:
    url = make_url("postgresql+psycopg://ada@db:5432/warroom")
    store_password(url, "s3cret")
    assert stored_password(url) == "s3cret"
    assert stored_password(url.set(username="bob")) is None


def test_without_a_keyring_nothing_is_stored_and_the_reason_is_given() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    url = make_url("postgresql+psycopg://ada@db/warroom")
    assert not keyring_available()
    with pytest.raises(KeyringUnavailableError, match="ask for it each time"):
        store_password(url, "s3cret")
    assert stored_password(url) is None


def test_a_broken_config_file_is_named(tmp_path) -> None:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("[database\nurl = 1")
    with pytest.raises(ValidationError, match=r"config\.toml is not valid TOML"):
        load_settings()


def test_postgres_is_postgresql() -> None:
    url = parse_database_url("postgres://ada@db/warroom")
    assert url.drivername == "postgresql+psycopg"
    assert load_settings("postgres://ada@db/warroom").is_postgresql


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://ada:hunter2@db/w", "postgresql://ada:***@db/w"),
        ("postgresql://ada@db/w?password=hunter2", "postgresql://ada@db/w?password=***"),
        (
            "postgresql://ada@db/w?sslmode=require&sslpassword=hunter2",
            "postgresql://ada@db/w?sslmode=require&sslpassword=***",
        ),
        ("postgres://ada@db/w?Password=hunter2", "postgresql://ada@db/w?Password=***"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_shown_urls_mask_every_password_and_name_no_driver(url: str, shown: str) -> None:
    assert mask_url(parse_database_url(url)) == shown
    assert "hunter2" not in mask_url_text(url)


def test_where_a_password_hides_in_a_url() -> None:
    url = make_url("postgresql://ada:pw@db/w?password=a&sslpassword=b&passfile=/p&sslmode=require")
    assert password_parts(url) == [
        "a password after the user name",
        "the 'password' parameter",
        "the 'sslpassword' parameter",
        "the 'passfile' parameter",
    ]
    clean = without_password(url)
    assert password_parts(clean) == []
    assert clean.render_as_string(hide_password=False) == "postgresql://ada@db/w?sslmode=require"


def test_the_config_file_never_holds_a_password_parameter() -> None:
    path = save_settings(
        database_url="postgresql://ada@db/warroom?password=hunter2&sslmode=require"
    )
    assert "hunter2" not in path.read_text()
    assert load_settings().database_url == "postgresql://ada@db/warroom?sslmode=require"


def test_a_broken_config_file_is_not_overwritten_unless_set_aside(tmp_path) -> None:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("[database\nurl = 1")
    with pytest.raises(BrokenConfigError):
        save_settings(user="ada")
    assert path.read_text() == "[database\nurl = 1"
    kept = set_aside_broken_config()
    assert kept == path.with_name("config.toml.broken")
    assert kept.read_text() == "[database\nurl = 1"
    save_settings(user="ada")
    assert load_settings().user == "ada"


def test_warroom_user_beats_the_config_file(monkeypatch: pytest.MonkeyPatch) -> None:
    save_settings(user="ada")
    assert (load_settings().user, load_settings().user_source) == (
        "ada",
        f"config file {config_path()}",
    )
    monkeypatch.setenv("WARROOM_USER", "lukas")
    settings = load_settings("sqlite:////tmp/x.db")
    assert (settings.user, settings.user_source) == ("lukas", "WARROOM_USER")
