"""Errors that reach a person: each carries one sentence saying what is wrong and what to do."""

from __future__ import annotations


class WarroomError(Exception):
    """An error whose message is written for the person in front of the screen.

    Entry points (CLI, GUI, webhook receiver) show ``str(error)`` as it is; anything that is not
    a ``WarroomError`` is a bug and is reported as one.
    """


class ValidationError(WarroomError):
    """Input that cannot be accepted; nothing was changed."""


class NotFoundError(WarroomError):
    """The thing asked for does not exist."""


class ConflictError(WarroomError):
    """Someone else changed the same thing first; the caller's copy is stale."""


class RemovalRefusedError(ValidationError):
    """An import would remove or retire much of what exists; nothing was changed.

    An empty, cut-off or mistaken file looks exactly like a deliberate clean-up, so a large
    removal needs the person to say they mean it (``--allow-removals``).
    """
