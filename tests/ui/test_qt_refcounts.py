"""Guard against a PySide6 build that over-releases None/True (6.12.0 does, and aborts
the panel after a few thousand Qt calls with "none_dealloc")."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget


class _Emitter(QObject):
    fired = Signal(bool)


def test_void_calls_and_emits_keep_singleton_refcounts(qtbot) -> None:  # type: ignore[no-untyped-def]
    widget = QWidget()
    qtbot.addWidget(widget)
    emitter = _Emitter()
    emitter.fired.connect(lambda _value: None)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(500):
        widget.setWindowTitle("pickup")
        emitter.fired.emit(True)
    # A correct binding leaves both counts where they were (a few references of slack
    # for the interpreter); the broken build drops each by one per call.
    assert sys.getrefcount(None) - none_before > -50
    assert sys.getrefcount(True) - true_before > -50
