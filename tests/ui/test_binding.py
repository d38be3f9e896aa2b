"""Guards against known defects of the Qt binding that would crash the app, not just a test."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    flag = Signal(bool, str)
    anything = Signal(object)


def test_emitting_booleans_does_not_corrupt_their_reference_counts(qapp) -> None:
    """PySide6 6.12.0 decremented True's refcount on every emission until CPython aborted."""
    emitter = _Emitter()
    emitter.flag.connect(lambda value, text: None)
    emitter.anything.connect(lambda value: None)
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.flag.emit(True, "x")
        emitter.anything.emit(True)
    # The defect loses one reference per emission (-400 here). Other threads (a feed listener,
    # a scheduler) hold and drop references to True meanwhile, so only a large loss counts.
    assert sys.getrefcount(True) - before > -200
