"""Take a screenshot of the running app on the demo database, for the README and for review.

    python tools/screenshot.py docs/pages.png --view pages [--database URL]
    WARROOM_USER=carmen python tools/screenshot.py docs/updates.png --view war-room \
        --width 1500 --height 1000

``war-room`` opens the war room of the demo's open incident at its Stakeholder updates panel,
with the composer drafting an update for customers; where the demo has no open incident, it
declares one as the configured user (who must be on the roster) and posts a first update.

Runs the real app (offscreen unless DISPLAY is set), waits until the chosen view has its
data, sets it up as a person would (a page chosen, a runbook open), grabs the window, exits.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")

from PySide6.QtCore import QTimer

from warroom.store.config import load_settings
from warroom.ui.app import WarroomApp, create_application

VIEWS = ("activity", "roster", "pages", "runbooks", "reports", "war-room")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("--database")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--view", default="activity", choices=VIEWS)
    parser.add_argument("--page", type=int, help="the page to open in the Pages view")
    args = parser.parse_args()
    app = create_application()
    warroom = WarroomApp(load_settings(args.database))
    warroom.window.resize(args.width, args.height)
    warroom.start()
    shown = {"page": False}

    def grab() -> None:
        warroom.window.grab().save(args.output)
        warroom.window.close()
        app.quit()

    def ready() -> bool:
        if not warroom.activity.model.rowCount() or warroom.roster.snapshot is None:
            return False
        if args.view == "pages":
            return warroom.pages.view.model.rowCount() > 0
        if args.view == "runbooks":
            return bool(warroom.runbooks.view.summaries)
        if args.view == "reports":
            return warroom.reports.view.model.rowCount() > 0
        if args.view == "war-room":
            return warroom.incidents.view.model.rowCount() > 0
        return True

    def arrange() -> None:
        if args.view == "war-room":
            open_war_room(warroom, grab)
            return
        warroom.window.show_view(args.view)
        if args.view == "runbooks":
            runbooks = warroom.runbooks.view
            runbooks.results.setCurrentRow(runbooks.visible_slugs().index("database-failover"))
        elif args.view == "pages":
            pages = warroom.pages.view
            rows = range(pages.model.rowCount())
            row = (
                pages.model.row_of(args.page)
                if args.page
                else next((n for n in rows if pages.model.page_at(n).runbook_slug), 0)
            )
            warroom.pages.page_shown.connect(lambda _id: shown.update(page=True))
            pages.table.selectRow(row or 0)

    def wait(tries: list[int] = [0]) -> None:  # noqa: B006
        tries[0] += 1
        if ready() or tries[0] > 200:
            arrange()
            if args.view != "war-room":  # that one grabs once its panel has loaded
                QTimer.singleShot(1000, grab)
        else:
            QTimer.singleShot(50, wait)

    QTimer.singleShot(50, wait)
    app.exec()
    warroom.shutdown()
    print(f"saved {args.output}")
    return 0


def open_war_room(warroom: WarroomApp, grab: Callable[[], None]) -> None:
    """The war room of an open incident at its Stakeholder updates panel, the composer
    drafting for customers; grabbed once the panel shows the incident."""
    from warroom.services.comms.updates import post_update
    from warroom.services.incidents import lifecycle, roles

    context = warroom.context
    assert context is not None
    model = warroom.incidents.view.model
    open_rows = [
        model.incident_at(n)
        for n in range(model.rowCount())
        if model.incident_at(n).status not in ("resolved", "closed")
    ]
    impact = "Some searches show no products; checkout and orders are not affected."
    if open_rows:
        incident = open_rows[0].id
    else:
        impact = "Some card payments fail at checkout; no card is charged twice."
        incident = lifecycle.declare(
            context,
            title="Card payments failing at checkout",
            severity="SEV1",
            service="payment-gateway",
        ).id
        roles.assign(context, incident, "communication_coordinator", context.actor)
        post_update(
            context,
            incident,
            "internal",
            "About 8% of card payments fail at checkout since 14:02. Payments on-call is on "
            "the bridge; a certificate change on the payment proxy is the first suspect.",
        )
    panel = warroom.comms.view

    def loaded(shown: int) -> None:
        if shown != incident:
            return
        warroom.comms.updates_loaded.disconnect(loaded)
        panel.set_audience("customers")
        panel.impact.setText(impact)
        panel.impact.textEdited.emit(panel.impact.text())
        panel.bring_forward()
        QTimer.singleShot(1000, grab)

    warroom.comms.updates_loaded.connect(loaded)
    warroom.window.show_view("incidents")
    warroom.incidents.open_incident(incident)


if __name__ == "__main__":
    sys.exit(main())
