"""Which SQLite files warroom may create, and a plain sentence for paths that cannot be one."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from warroom.domain.errors import WarroomError
from warroom.store.config import load_settings
from warroom.store.connect import open_database
from warroom.store.database import Database, NoDatabaseError


def test_a_missing_file_is_refused_when_it_may_not_be_created(tmp_path) -> None:
    path = tmp_path / "typo" / "x.db"
    with pytest.raises(NoDatabaseError, match=f"There is no warroom database at {path}"):
        Database(make_url(f"sqlite:///{path}"), create=False)
    assert not path.parent.exists()


def test_only_the_default_file_is_created_unless_the_caller_says_so(tmp_path) -> None:
    default = tmp_path / "data" / "warroom.db"
    open_database(load_settings()).dispose()
    assert default.is_file()
    typed = tmp_path / "elsewhere" / "warroom.db"
    with pytest.raises(NoDatabaseError):
        open_database(load_settings(f"sqlite:///{typed}"))
    assert not typed.parent.exists()
    open_database(load_settings(f"sqlite:///{typed}"), create=True).dispose()
    assert typed.is_file()


def test_an_existing_file_opens_without_permission_to_create(sqlite_url) -> None:
    Database(make_url(sqlite_url), create=False).dispose()


@pytest.mark.parametrize("create", [True, False])
def test_a_folder_and_a_path_under_a_file_are_named(tmp_path, create: bool) -> None:
    with pytest.raises(WarroomError, match="is a folder, not a database file"):
        Database(make_url(f"sqlite:///{tmp_path}"), create=create)
    regular = tmp_path / "notes.txt"
    regular.write_text("")
    with pytest.raises(WarroomError, match=f"{regular} is a file, not a folder"):
        Database(make_url(f"sqlite:///{regular / 'x.db'}"), create=create)
