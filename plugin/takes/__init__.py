"""Takes: several per slot, their facts and status, the take store, swaps, reports.

``model`` (what a take records and how clips are named), ``store`` (the full take set
in ``<project>/takes.otio``), ``reassociate`` (finding slots again in a re-exported
cut), ``ops`` (use, approve/reject/lock, revert, prune), ``report`` (the AI-shot
report), ``provenance`` (C2PA and container marks), ``record`` (fill's hooks).
"""

from __future__ import annotations

from pickup.takes.model import STATUSES, SlotTakes, Take, clip_name, slot_takes
from pickup.takes.reassociate import Association, FoundSlot, associate
from pickup.takes.store import TakeStore, find_project

__all__ = [
    "STATUSES",
    "Association",
    "FoundSlot",
    "SlotTakes",
    "Take",
    "TakeStore",
    "associate",
    "clip_name",
    "find_project",
    "slot_takes",
]
