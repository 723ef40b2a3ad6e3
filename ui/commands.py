"""Undoable edits of a slot for QUndoStack: prompt, every inspector setting (kind,
negative prompt, provider, model, handles, seed, number of takes, first/last frame),
chosen take, take status and note.

Every command stores the slot's editable state before and after, so undo and redo
restore it exactly (staleness of takes follows from the prompt).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QUndoCommand

from pickup.ui.controller import Controller

__all__ = ["SETTINGS", "MarkEdit", "SlotEdit", "snapshot"]


#: the inspector's settings of a slot, each undoable
SETTINGS = ("kind", "negative", "provider", "model", "handles", "seed", "takes_wanted",
            "use_first", "use_last")


@dataclass(frozen=True)
class _Snap:
    prompt: str
    chosen: int | None
    takes: tuple[tuple[int, str, str], ...]  # (number, status, note)
    settings: tuple[object, ...] = ()


def snapshot(controller: Controller, slot_id: str) -> _Snap:
    assert controller.model is not None
    s = controller.model[slot_id]
    return _Snap(s.prompt, s.chosen, tuple((t.number, t.status, t.note) for t in s.takes),
                 tuple(getattr(s, name) for name in SETTINGS))


def _apply(controller: Controller, slot_id: str, snap: _Snap) -> None:
    assert controller.model is not None
    s = controller.model[slot_id]
    s.prompt, s.chosen = snap.prompt, snap.chosen
    for name, value in zip(SETTINGS, snap.settings, strict=False):
        setattr(s, name, value)
    saved = {n: (status, note) for n, status, note in snap.takes}
    for take in s.takes:
        if take.number in saved:
            take.status, take.note = saved[take.number]
    controller.touch(slot_id)


class SlotEdit(QUndoCommand):
    """Change a slot with ``change(state)``; undo restores the state before."""

    def __init__(self, controller: Controller, slot_id: str, text: str, change,  # type: ignore[no-untyped-def]
                 merge_key: str = "") -> None:
        """``merge_key``: consecutive edits with the same key (one setting of one slot,
        e.g. spin box steps) merge into one undo step."""
        super().__init__(text)
        self.controller, self.slot_id = controller, slot_id
        self.merge_key = merge_key
        self.before = snapshot(controller, slot_id)
        assert controller.model is not None
        change(controller.model[slot_id])
        self.after = snapshot(controller, slot_id)
        _apply(controller, slot_id, self.before)  # redo() applies it when pushed

    def id(self) -> int:
        return 1 if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SlotEdit) or not self.merge_key \
                or (other.slot_id, other.merge_key) != (self.slot_id, self.merge_key):
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        _apply(self.controller, self.slot_id, self.after)

    def undo(self) -> None:
        _apply(self.controller, self.slot_id, self.before)


class MarkEdit(QUndoCommand):
    """Mark a gap or clip as a slot in the project state, or drop that mark; undo puts
    the mark back as it was (``None``: no mark).  Pushed once the change is on disk, so
    the first ``redo`` does nothing; later ones, and undo, write through the controller
    (off the GUI thread)."""

    def __init__(self, controller: Controller, target: object,
                 before: tuple[str | None, str | None] | None,
                 after: tuple[str | None, str | None] | None, text: str) -> None:
        super().__init__(text)
        self.controller, self.target = controller, target
        self.before, self.after = before, after
        self._pushed = False

    def _set(self, state: tuple[str | None, str | None] | None) -> None:
        if state is None:
            self.controller.unmark(self.target)
        else:
            self.controller.mark(self.target, *state)

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self._set(self.after)

    def undo(self) -> None:
        self._set(self.before)
