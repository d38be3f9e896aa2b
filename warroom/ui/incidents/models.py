"""The Qt models of the Incidents feature: the list, the board's role columns and the bench.

Drag and drop lives on the models (as napari's list models do): a person is dragged as a small
MIME document (who, and from which role if any) and dropped on a role column or the bench. A
drop changes nothing by itself — the model asks (``drop_requested``) and the controller has
the database decide; the board then shows what the database says, on every desktop alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from warroom.domain.comms import overdue_text
from warroom.domain.incidents import ROLE_TITLE, elapsed, elapsed_brief, incident_ref
from warroom.ui.common.timefmt import is_night, short_time
from warroom.ui.widgets.tables import HeaderedTableModel

if TYPE_CHECKING:  # the services load SQLAlchemy: imported after the first paint
    from warroom.services.incidents.bench import BenchPerson
    from warroom.services.incidents.queries import Holder, IncidentRow

_Index = QModelIndex | QPersistentModelIndex

#: The MIME type of a person dragged on the board: {"handle", "name", "from_role"}.
PERSON_MIME = "application/x-warroom-person"

SEVERITY_COLOURS = {
    "SEV1": QColor("#cf1124"),
    "SEV2": QColor("#e12d39"),
    "SEV3": QColor("#de911d"),
    "SEV4": QColor("#616e7c"),
}
#: An overdue stakeholder update, in the list and in the war room's header.
OVERDUE_COLOUR = "#cf1124"
STATUS_COLOURS = {
    "investigating": QColor("#cf1124"),
    "identified": QColor("#de911d"),
    "mitigated": QColor("#2680c2"),
    "resolved": QColor("#199473"),
    "closed": QColor("#616e7c"),
}


#: What the bench says of someone suggested for a role.
_OFFERED = {
    "primary_responder": "on call: primary",
    "secondary_responder": "on call: secondary",
    "subject_matter_expert": "expert",
}


@dataclass(frozen=True)
class DraggedPerson:
    handle: str
    name: str
    from_role: str | None  # None: from the bench


def person_mime(person: DraggedPerson) -> QMimeData:
    mime = QMimeData()
    payload = {"handle": person.handle, "name": person.name, "from_role": person.from_role}
    mime.setData(PERSON_MIME, json.dumps(payload).encode())
    mime.setText(f"@{person.handle}")
    return mime


def dragged_person(mime: QMimeData | None) -> DraggedPerson | None:
    """The person a drag carries, or None when it carries something else (or is malformed)."""
    if mime is None or not mime.hasFormat(PERSON_MIME):
        return None
    try:
        data = json.loads(bytes(mime.data(PERSON_MIME).data()).decode())
        from_role = data.get("from_role")
        return DraggedPerson(
            str(data["handle"]), str(data.get("name") or data["handle"]), from_role or None
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


# ----------------------------------------------------------------------------- the list


class IncidentsModel(HeaderedTableModel):
    """Open incidents first, then the recently closed; T+ and last activity follow the clock."""

    SEVERITY, REF, TITLE, STATUS, AGE, COMMANDER, ACTIVITY, NEXT_UPDATE = range(8)
    HEADERS = ("Sev", "Ref", "Title", "Status", "Age", "Commander", "Last activity", "Next update")

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._rows: list[IncidentRow] = []
        self._now = clock
        self._bold = QFont()
        self._bold.setBold(True)

    def set_incidents(self, rows: Sequence[IncidentRow]) -> None:
        self.beginResetModel()
        self._rows = sorted(rows, key=lambda r: (r.status == "closed", -r.id))
        self.endResetModel()

    def incident_at(self, row: int) -> IncidentRow:
        return self._rows[row]

    def row_of(self, incident_id: int) -> int | None:
        return next((n for n, r in enumerate(self._rows) if r.id == incident_id), None)

    def tick(self) -> None:
        """The clock moved: ages, last activity and updates falling due change."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, self.AGE), self.index(len(self._rows) - 1, self.NEXT_UPDATE)
            )

    def row_total(self) -> int:
        return len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column, now = self._rows[index.row()], index.column(), self._now()
        closed = row.status == "closed"
        if column == self.NEXT_UPDATE:
            return self._next_update(row, role, now)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.SEVERITY:
                return row.severity
            if column == self.REF:
                return incident_ref(row.id)
            if column == self.TITLE:
                return row.title + ("  · closing proposed" if row.close_proposed else "")
            if column == self.STATUS:
                return row.status
            if column == self.AGE:
                if closed and row.closed_at and row.declared_at:
                    return f"closed {short_time(row.closed_at, now)}"
                return elapsed(row.declared_at, now) if row.declared_at else ""
            if column == self.COMMANDER:
                return row.commander or "— nobody —"
            if column == self.ACTIVITY:
                return short_time(row.last_activity_at, now) if row.last_activity_at else ""
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.SEVERITY and not closed:
                return SEVERITY_COLOURS.get(row.severity)
            if column == self.STATUS:
                return STATUS_COLOURS.get(row.status)
            if column == self.COMMANDER and not row.commander and not closed:
                return QColor("#cf1124")
            if closed:
                return QColor("#7b8794")
        if role == Qt.ItemDataRole.FontRole and column == self.SEVERITY and not closed:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and column == self.TITLE:
            return row.title
        return None

    def _next_update(self, row: IncidentRow, role: int, now: datetime) -> Any:
        """When stakeholders are due an update: red and bold once it is overdue."""
        due, audience = row.update_due_at, row.update_due_audience
        if due is None:
            return None
        overdue = due <= now
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{audience}: {overdue_text(due, now)}"
        if role == Qt.ItemDataRole.ForegroundRole and overdue:
            return QColor(OVERDUE_COLOUR)
        if role == Qt.ItemDataRole.FontRole and overdue:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"The next update to {audience} is due {short_time(due, now)}"
        return None


# ----------------------------------------------------------------------------- the board


class _PersonListModel(QAbstractListModel):
    """A list of people that can be dragged from, and dropped on.

    Signals:
        drop_requested(str, object, object): a person (handle) was dropped here, coming from a
            role (its value) or from the bench (None); the last is the person's name.
    """

    drop_requested = Signal(str, object, object)
    PersonRole = Qt.ItemDataRole.UserRole + 1

    #: The role this list stands for; None for the bench.
    role_key: str | None = None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        return (
            base
            | Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | (Qt.ItemFlag.ItemIsDragEnabled)
        )

    def mimeTypes(self) -> list[str]:
        return [PERSON_MIME]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def dragged(self, row: int) -> DraggedPerson:
        raise NotImplementedError

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        mime = person_mime(self.dragged(rows[0])) if rows else QMimeData()
        return mime

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: _Index,
    ) -> bool:
        person = dragged_person(data)
        return person is not None and person.from_role != self.role_key

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: _Index,
    ) -> bool:
        person = dragged_person(data)
        if person is None or person.from_role == self.role_key:
            return False
        self.drop_requested.emit(person.handle, person.from_role, person.name)
        return True


class RoleColumnModel(_PersonListModel):
    """The holders of one role, each with since when (T+ from the declaration)."""

    def __init__(
        self,
        role: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.role_key = role
        self.title = ROLE_TITLE[role]
        self._holders: list[Holder] = []
        self._declared: datetime | None = None
        self._now = clock

    def set_holders(self, holders: Sequence[Holder], declared_at: datetime | None) -> None:
        self.beginResetModel()
        self._holders = list(holders)
        self._declared = declared_at
        self.endResetModel()

    def holders(self) -> list[Holder]:
        return list(self._holders)

    def hold(self, holder: Holder) -> None:
        """Someone took the role (a committed event says so): shown before the reload."""
        keep = [h for h in self._holders if h.handle != holder.handle]
        if self.role_key != "subject_matter_expert":
            keep = []  # a single-holder role: the previous holder was handed over
        self.set_holders([*keep, holder], self._declared)

    def let_go(self, handle: str) -> None:
        """Someone released the role (a committed event says so)."""
        if any(h.handle == handle for h in self._holders):
            self.set_holders([h for h in self._holders if h.handle != handle], self._declared)

    def holder_at(self, row: int) -> Holder:
        return self._holders[row]

    def dragged(self, row: int) -> DraggedPerson:
        holder = self._holders[row]
        return DraggedPerson(holder.handle, holder.name, self.role_key)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._holders)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._holders):
            return None
        holder = self._holders[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            # to the minute: a role column is narrow, and the tooltip has the clock time
            since = (
                f"since {elapsed_brief(self._declared, holder.assigned_at)}"
                if self._declared
                else ""
            )
            expertise = f"{holder.expertise} · " if holder.expertise else ""
            return f"{holder.name}\n{expertise}{since}"
        if role == Qt.ItemDataRole.ToolTipRole:
            took = f", took over from @{holder.previous}" if holder.previous else ""
            since = short_time(holder.assigned_at, self._now())
            return (
                f"@{holder.handle}: {self.title} since {since}"
                f" (assigned by {holder.assigned_by}{took})"
            )
        if role == self.PersonRole:
            return holder.handle
        return None


class BenchModel(_PersonListModel):
    """The incident's people and the suggestions: local time with a night cue, whether on
    call, and how many other incidents they already hold a role in."""

    role_key = None

    def __init__(
        self,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._people: list[BenchPerson] = []
        self._zones: dict[str, ZoneInfo] = {}
        self._now = clock

    def set_people(self, people: Sequence[BenchPerson]) -> None:
        self.beginResetModel()
        self._people = list(people)
        for person in self._people:
            if person.time_zone not in self._zones:
                self._zones[person.time_zone] = ZoneInfo(person.time_zone)
        self.endResetModel()

    def people(self) -> list[BenchPerson]:
        return list(self._people)

    def person_at(self, row: int) -> BenchPerson:
        return self._people[row]

    def row_of(self, handle: str) -> int | None:
        return next((n for n, p in enumerate(self._people) if p.handle == handle), None)

    def dragged(self, row: int) -> DraggedPerson:
        person = self._people[row]
        return DraggedPerson(person.handle, person.name, None)

    def tick(self) -> None:
        if self._people:
            self.dataChanged.emit(self.index(0), self.index(len(self._people) - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._people)

    def local_time(self, person: BenchPerson) -> tuple[str, bool]:
        local = self._now().astimezone(self._zones[person.time_zone])
        return local.strftime("%H:%M"), is_night(local.hour)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._people):
            return None
        person = self._people[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            clock, night = self.local_time(person)
            facts = [f"{clock} {'☾' if night else '☀'}"]
            if person.suggested_role in _OFFERED:
                facts.append(_OFFERED[person.suggested_role])
            elif person.on_call:
                facts.append("on call")
            if person.roles_elsewhere:
                plural = "s" if person.roles_elsewhere != 1 else ""
                facts.append(f"in {person.roles_elsewhere} other incident{plural}")
            return f"{person.name}\n{' · '.join(facts)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            tags = ", ".join(person.expertise) or "no expertise listed"
            return f"@{person.handle} — {person.why}\n{person.time_zone} · {tags}"
        if role == Qt.ItemDataRole.ForegroundRole and person.roles_elsewhere >= 2:
            return QColor("#b44d12")  # already busy: think twice
        if role == self.PersonRole:
            return person.handle
        return None
