"""A real drag in the real app, for tests/ui/test_war_room.py: run it with a real X server.

    python tests/ui/real_drag.py DATABASE_URL INCIDENT_ID HANDLE ROLE

Opens the incident's war room as the configured user, presses the mouse on HANDLE's card on
the bench, moves it over ROLE's column and lets go — Qt's own drag (QDrag) carries the person,
which only a real windowing system runs (the offscreen platform starts no drag). Exits 0 once
the board shows HANDLE holding ROLE, 1 if it does not within ten seconds.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from warroom.store.config import load_settings
from warroom.ui.app import WarroomApp, create_application


def main() -> int:
    url, incident, handle, role = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    app = create_application()
    warroom = WarroomApp(load_settings(url), run_engine=False)
    warroom.window.resize(1400, 900)
    outcome = {"code": 1}

    def holders() -> list[str]:
        return [h.handle for h in warroom.incidents.view.war_room.board.models[role].holders()]

    def opened() -> None:
        warroom.window.show_view("incidents")
        warroom.incidents.open_incident(incident)
        warroom.incidents.view.war_room.bench.search.setText(handle)  # find them by name
        QTimer.singleShot(100, wait_for_bench)

    def wait_for_bench(tries: list[int] = [0]) -> None:  # noqa: B006
        tries[0] += 1
        bench = warroom.incidents.view.war_room.bench_model
        if bench.row_of(handle) is None:
            if tries[0] < 100:
                QTimer.singleShot(100, wait_for_bench)
            else:
                app.quit()
            return
        drag(bench.row_of(handle))

    def drag(row: int | None) -> None:
        room = warroom.incidents.view.war_room
        source, target = room.bench.list, room.board.columns[role].list
        start = source.visualRect(source.model().index(row or 0, 0)).center()
        end = target.viewport().rect().center()

        def finish() -> None:  # runs inside QDrag's loop
            QTest.mouseMove(target.viewport(), end)
            QTest.mouseMove(target.viewport(), end + QPoint(1, 1))
            QTest.mouseRelease(
                target.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end
            )

        QTimer.singleShot(200, finish)
        press = Qt.KeyboardModifier.NoModifier
        QTest.mousePress(source.viewport(), Qt.MouseButton.LeftButton, press, start)
        QTest.mouseMove(source.viewport(), start + QPoint(5, 0))
        far = start + QPoint(QApplication.startDragDistance() * 4, 0)
        QTest.mouseMove(source.viewport(), far)  # QDrag.exec: returns after the drop
        QTimer.singleShot(50, check)

    def check(tries: list[int] = [0]) -> None:  # noqa: B006
        tries[0] += 1
        if handle in holders():
            outcome["code"] = 0
            app.quit()
        elif tries[0] < 100:
            QTimer.singleShot(100, check)
        else:
            app.quit()

    warroom.database_ready.connect(lambda: QTimer.singleShot(200, opened))
    warroom.start()
    app.exec()
    warroom.shutdown()
    print("dropped" if outcome["code"] == 0 else "not dropped", flush=True)
    return outcome["code"]


if __name__ == "__main__":
    sys.exit(main())
