"""Take a screenshot of the running app on the demo database, for the README and for review.

    python tools/screenshot.py docs/activity.png [--database URL]

Runs the real app (offscreen unless DISPLAY is set), waits until the Activity feed is
filled, grabs the window and exits.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")

from PySide6.QtCore import QTimer

from warroom.store.config import load_settings
from warroom.ui.app import WarroomApp, create_application


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("--database")
    parser.add_argument("--width", type=int, default=1180)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument(
        "--view", default="activity", help="activity, roster, pages, runbooks or reports"
    )
    args = parser.parse_args()
    app = create_application()
    warroom = WarroomApp(load_settings(args.database))
    warroom.window.resize(args.width, args.height)
    warroom.window.show_view(args.view)
    warroom.start()

    def grab() -> None:
        warroom.window.grab().save(args.output)
        warroom.window.close()
        app.quit()

    def wait_for_rows(tries: list[int] = [0]) -> None:  # noqa: B006
        tries[0] += 1
        ready = (
            warroom.activity_model.rowCount()
            and warroom.roster_view.snapshot is not None
            and warroom.runbooks_view.summaries
            and warroom.pages_view.model.rowCount()
        )
        if ready or tries[0] > 100:
            if args.view == "runbooks":
                runbooks = warroom.runbooks_view
                runbooks.results.setCurrentRow(runbooks.visible_slugs().index("database-failover"))
            elif args.view == "pages":
                pages = warroom.pages_view
                row = next(
                    n
                    for n in range(pages.model.rowCount())
                    if pages.model.page_at(n).runbook_slug == "elevated-error-rate"
                )
                pages.table.selectRow(row)
            QTimer.singleShot(800, grab)
        else:
            QTimer.singleShot(50, wait_for_rows)

    QTimer.singleShot(50, wait_for_rows)
    app.exec()
    warroom.shutdown()
    print(f"saved {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
