"""Asking for a database password for this session only, when the keyring has none."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget


class PasswordDialog:
    """Asks for a database password for this session only (tests monkeypatch ``ask``)."""

    @classmethod
    def ask(cls, parent: QWidget, reason: str) -> str | None:
        text, accepted = QInputDialog.getText(
            parent,
            "PostgreSQL password",
            f"{reason}\n\nPassword for this session:",
            QLineEdit.EchoMode.Password,
        )
        return text if accepted and text else None
