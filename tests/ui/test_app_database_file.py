"""The app's own SQLite file is made on a first start; a path someone typed never is."""

from __future__ import annotations

from warroom.store.config import load_settings
from warroom.ui.app import WarroomApp


def test_a_first_start_creates_the_default_database(qtbot, tmp_path) -> None:
    default = tmp_path / "data" / "warroom.db"  # the tests' data dir
    assert not default.parent.exists()
    warroom = WarroomApp(load_settings(validate=False))
    qtbot.addWidget(warroom.window)
    with qtbot.waitSignal(warroom.database_ready, timeout=10_000):
        warroom.start()
    warroom.window.close()
    warroom.shutdown()
    assert default.is_file()


def test_a_mistyped_database_path_is_shown_not_created(qtbot, tmp_path) -> None:
    typo = tmp_path / "typo" / "warroom.db"
    warroom = WarroomApp(load_settings(f"sqlite:///{typo}", validate=False))
    qtbot.addWidget(warroom.window)
    with qtbot.waitSignal(warroom.database_failed, timeout=10_000) as failed:
        warroom.start()
    warroom.window.close()
    warroom.shutdown()
    assert failed.args[0].startswith(f"There is no warroom database at {typo}")
    assert not typo.parent.exists()
