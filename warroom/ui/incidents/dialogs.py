"""The Incidents feature's dialogs: declare, close, change severity, pick a person.

Each has an ``ask`` class method returning what the person chose (None when cancelled), so
the controller stays testable (tests monkeypatch ``ask``).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from warroom.domain.incidents import SEVERITY_MEANING
from warroom.domain.vocabulary import Severity


@dataclass(frozen=True)
class Declaration:
    title: str
    severity: str
    service: str | None
    bridge_url: str | None


class DeclareDialog(QDialog):
    """Title, severity (with what each means), service, bridge link."""

    def __init__(
        self,
        parent: QWidget | None,
        services: list[tuple[str, str]],
        title: str = "",
        service: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Declare an incident")
        self.setMinimumWidth(520)
        self.title = QLineEdit(title)
        self.title.setPlaceholderText(
            "What is broken, for whom: 'Checkout fails for card payments'"
        )
        self.severity = QComboBox()
        for level in Severity:
            self.severity.addItem(level.value, level.value)
        self.severity.setCurrentIndex(1)  # SEV2: declare rather than wait
        self.meaning = QLabel()
        self.meaning.setObjectName("viewSubtitle")
        self.meaning.setWordWrap(True)
        self.severity.currentIndexChanged.connect(self._on_severity_current_index_changed)
        self.service = QComboBox()
        self.service.addItem("— no service —", None)
        for slug, name in services:
            self.service.addItem(f"{name} ({slug})", slug)
        if service is not None:
            self.service.setCurrentIndex(max(0, self.service.findData(service)))
        self.bridge = QLineEdit()
        self.bridge.setPlaceholderText("https://meet.example.com/inc (optional)")
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #cf1124")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Declare")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("Severity", self.severity)
        form.addRow("", self.meaning)
        form.addRow("Service", self.service)
        form.addRow("Bridge", self.bridge)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._on_severity_current_index_changed()

    def _on_severity_current_index_changed(self, *_: object) -> None:
        self.meaning.setText(SEVERITY_MEANING[str(self.severity.currentData())])

    def accept(self) -> None:
        if not self.title.text().strip():
            self.error.setText("Give it a title: what is broken, for whom.")
            return
        super().accept()

    def declaration(self) -> Declaration:
        return Declaration(
            self.title.text().strip(),
            str(self.severity.currentData()),
            self.service.currentData(),
            self.bridge.text().strip() or None,
        )

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        services: list[tuple[str, str]],
        title: str = "",
        service: str | None = None,
    ) -> Declaration | None:
        dialog = cls(parent, services, title, service)
        return dialog.declaration() if dialog.exec() == QDialog.DialogCode.Accepted else None


class CloseDialog(QDialog):
    """A summary for the report, with the action items still open shown as follow-ups."""

    def __init__(self, parent: QWidget | None, ref: str, open_items: list[str]) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Close {ref}")
        self.setMinimumWidth(520)
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText("What happened, the impact, and what fixed it.")
        self.items = QListWidget()
        self.items.addItems(open_items or ["No open action items."])
        self.items.setMaximumHeight(120)
        self.error = QLabel()
        self.error.setStyleSheet("color: #cf1124")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Close the incident")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Summary for the post-incident report"))
        layout.addWidget(self.summary)
        layout.addWidget(QLabel(f"Open action items ({len(open_items)}) — they stay as follow-ups"))
        layout.addWidget(self.items)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def accept(self) -> None:
        if not self.summary.toPlainText().strip():
            self.error.setText("Closing needs a summary.")
            return
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget | None, ref: str, open_items: list[str]) -> str | None:
        dialog = cls(parent, ref, open_items)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.summary.toPlainText().strip()
        return None


class TextDialog:
    """One line of text: a reason, a proposal's note (tests monkeypatch ``ask``)."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, label: str) -> str | None:
        text, accepted = QInputDialog.getText(parent, title, label)
        return text.strip() if accepted and text.strip() else None


class PersonDialog:
    """Pick a person (to hand a role over to); tests monkeypatch ``ask``."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, people: list[tuple[str, str]]) -> str | None:
        labels = [f"{name} (@{handle})" for handle, name in people]
        chosen, accepted = QInputDialog.getItem(parent, title, "Who?", labels, 0, False)
        if not accepted or chosen not in labels:
            return None
        return people[labels.index(chosen)][0]
