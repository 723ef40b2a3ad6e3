"""The panel's state of every slot (prompt, settings, takes, choice), Qt-free.

The widgets show a :class:`PanelModel`; undo commands and the controller change it
and then tell the widgets.  It can be saved to and restored from plain JSON
(``<project>/panel.json``), so choices survive closing the panel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pickup.timeline import Slot
from pickup.ui.services import Session, SlotChoice, TakeAsk, TakeRecord

__all__ = ["STATUSES", "PanelModel", "SlotState"]

#: slot statuses, in the order the strip's legend shows them
STATUSES = ("empty", "generating", "takes", "approved", "stale")


@dataclass
class SlotState:
    """One slot as the editor has set it up in the panel."""

    slot: Slot
    prompt: str
    kind: str | None = None
    negative: str = ""
    provider: str = "previz"
    model: str | None = None
    handles: int = 0
    seed: int | None = None
    takes_wanted: int = 2
    use_first: bool = True
    use_last: bool = True
    takes: list[TakeRecord] = field(default_factory=list)
    chosen: int | None = None
    running: int = 0

    @property
    def id(self) -> str:
        return self.slot.id

    def take(self, number: int | None) -> TakeRecord | None:
        return next((t for t in self.takes if t.number == number), None)

    def is_stale(self, take: TakeRecord) -> bool:
        """A take made from another prompt than the slot's current one."""
        return take.prompt.strip() != self.prompt.strip()

    @property
    def chosen_take(self) -> TakeRecord | None:
        return self.take(self.chosen)

    @property
    def approved(self) -> bool:
        take = self.chosen_take
        return take is not None and take.status in ("approved", "locked")

    @property
    def status(self) -> str:
        if self.running:
            return "generating"
        if not self.takes:
            return "empty"
        chosen = self.chosen_take
        if chosen is not None:
            if self.is_stale(chosen):
                return "stale"
            return "approved" if chosen.status in ("approved", "locked") else "takes"
        if all(self.is_stale(t) for t in self.takes):
            return "stale"
        return "takes"

    def approve(self, number: int, *, keep_other: bool = False) -> list[int]:
        """Approve take ``number`` and choose it; other approved takes go back to new
        unless ``keep_other``.  Returns the takes un-approved."""
        self.chosen = number
        dropped: list[int] = []
        for take in self.takes:
            if take.number == number:
                take.status = "approved"
            elif take.status == "approved" and not keep_other:
                take.status = "new"
                dropped.append(take.number)
        return dropped

    def other_approved(self, number: int) -> list[int]:
        return [t.number for t in self.takes if t.number != number
                and t.status in ("approved", "locked")]

    def add_take(self, take: TakeRecord) -> None:
        existing = self.take(take.number)
        if existing is not None:
            take.status, take.note = existing.status, existing.note
            self.takes.remove(existing)
        self.takes.append(take)
        self.takes.sort(key=lambda t: t.number)


class PanelModel:
    """Every slot's state for one :class:`Session`."""

    def __init__(self, session: Session, *, provider: str = "previz") -> None:
        self.session = session
        self.slots: dict[str, SlotState] = {}
        for slot in session.slots:
            state = SlotState(slot=slot, prompt=slot.prompt or "", kind=slot.kind,
                              provider=provider)
            for take in session.takes.get(slot.id, []):
                state.add_take(take)
            state.chosen = session.active_takes.get(slot.id)
            self.slots[slot.id] = state
        self.restore(session.saved)

    @property
    def order(self) -> list[str]:
        return list(self.slots)

    def __getitem__(self, slot_id: str) -> SlotState:
        return self.slots[slot_id]

    def ask(self, slot_id: str) -> TakeAsk:
        """The generation request for a slot, as the inspector has set it."""
        s = self.slots[slot_id]
        return TakeAsk(slot=s.slot, prompt=s.prompt, provider=s.provider, takes=s.takes_wanted,
                       kind=s.kind, negative_prompt=s.negative, model=s.model, seed=s.seed,
                       handles=s.handles, use_first=s.use_first, use_last=s.use_last,
                       size=self.session.size, profile=self.session.profile,
                       start_frame=self.session.start_frame)

    def choices(self) -> list[SlotChoice]:
        """Slots with a chosen take, for send back (rejected takes are left out)."""
        out: list[SlotChoice] = []
        for s in self.slots.values():
            take = s.chosen_take
            if take is None:
                continue
            others = tuple(t for t in s.takes if t.number != take.number
                           and t.status != "rejected")
            out.append(SlotChoice(slot=s.slot, take=take, others=others,
                                  approved=take.status == "approved"))
        return out

    def shown(self) -> dict[str, Any]:
        """What the panel shows, as plain JSON (``pickup-panel --state``): the
        timeline, and every slot's status, chosen take and takes with status and note."""
        return {"timeline": str(self.session.loaded.path),
                "slots": [{"id": s.id, "status": s.status,
                           "active": s.chosen_take.key if s.chosen_take else None,
                           "takes": [{"key": t.key, "status": t.status,
                                      "note": t.note or None} for t in s.takes]}
                          for s in self.slots.values()]}

    # -- persistence -------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        slots: dict[str, Any] = {}
        for s in self.slots.values():
            slots[s.id] = {
                "prompt": s.prompt, "negative": s.negative, "provider": s.provider,
                "model": s.model, "handles": s.handles, "seed": s.seed,
                "takes_wanted": s.takes_wanted, "use_first": s.use_first,
                "use_last": s.use_last, "chosen": s.chosen,
                "takes": {str(t.number): {"status": t.status, "note": t.note}
                          for t in s.takes if t.status != "new" or t.note},
                # the project state's active take when this was saved: a later change
                # by another face (pickup use) wins over "chosen" on reopening
                "seen_active": self._state_active(s.id),
            }
        return {"version": 1, "slots": slots}

    def _state_active(self, slot_id: str) -> int | None:
        state = self.session.decisions.get(slot_id)
        return state.active if state is not None else None

    def restore(self, data: dict[str, Any]) -> None:
        """Put back the panel's settings; what the project state records (statuses,
        notes, an active take another face chose since) wins over them."""
        for slot_id, saved in (data.get("slots") or {}).items():
            s = self.slots.get(slot_id)
            if s is None or not isinstance(saved, dict):
                continue
            for key in ("prompt", "negative", "provider", "model", "handles", "seed",
                        "takes_wanted", "use_first", "use_last"):
                if key in saved:
                    setattr(s, key, saved[key])
            state = self.session.decisions.get(slot_id)
            # another face made another take active, or reverted the slot (no active
            # take now), since this was saved: what it did wins over "chosen"
            moved = state is not None and saved.get("seen_active") != state.active
            if not moved and saved.get("chosen") is not None and \
                    s.take(saved["chosen"]) is not None:
                s.chosen = int(saved["chosen"])
            for number, extra in (saved.get("takes") or {}).items():
                take = s.take(int(number))
                if state is not None and int(number) in state.takes:
                    continue  # the project state has it
                if take is not None:
                    take.status = extra.get("status", "new")
                    take.note = extra.get("note", "")
