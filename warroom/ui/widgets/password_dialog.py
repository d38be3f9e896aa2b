"""Asking for a database password for this session only, when the keyring has none."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

if TYPE_CHECKING:
    from warroom.store.config import Settings


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

    @classmethod
    def settings_with_password(
        cls, parent: QWidget, settings: Settings, reason: str
    ) -> Settings | None:
        """The settings with the password the person typed (None if they did not)."""
        password = cls.ask(parent, reason)
        if not password:
            return None
        url = settings.url.set(password=password)
        return replace(settings, database_url=url.render_as_string(hide_password=False))
