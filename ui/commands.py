"""Undoable edits of a slot (prompt, chosen take, take status and note) for QUndoStack.

Every command stores the slot's editable state before and after, so undo and redo
restore it exactly (staleness of takes follows from the prompt).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QUndoCommand

from pickup.ui.controller import Controller

__all__ = ["SlotEdit", "snapshot"]


@dataclass(frozen=True)
class _Snap:
    prompt: str
    chosen: int | None
    takes: tuple[tuple[int, str, str], ...]  # (number, status, note)


def snapshot(controller: Controller, slot_id: str) -> _Snap:
    assert controller.model is not None
    s = controller.model[slot_id]
    return _Snap(s.prompt, s.chosen, tuple((t.number, t.status, t.note) for t in s.takes))


def _apply(controller: Controller, slot_id: str, snap: _Snap) -> None:
    assert controller.model is not None
    s = controller.model[slot_id]
    s.prompt, s.chosen = snap.prompt, snap.chosen
    saved = {n: (status, note) for n, status, note in snap.takes}
    for take in s.takes:
        if take.number in saved:
            take.status, take.note = saved[take.number]
    controller.touch(slot_id)


class SlotEdit(QUndoCommand):
    """Change a slot with ``change(state)``; undo restores the state before."""

    def __init__(self, controller: Controller, slot_id: str, text: str, change) -> None:  # type: ignore[no-untyped-def]
        super().__init__(text)
        self.controller, self.slot_id = controller, slot_id
        self.before = snapshot(controller, slot_id)
        assert controller.model is not None
        change(controller.model[slot_id])
        self.after = snapshot(controller, slot_id)
        _apply(controller, slot_id, self.before)  # redo() applies it when pushed

    def redo(self) -> None:
        _apply(self.controller, self.slot_id, self.after)

    def undo(self) -> None:
        _apply(self.controller, self.slot_id, self.before)
