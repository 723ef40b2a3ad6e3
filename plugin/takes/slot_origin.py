"""What a filled slot was before Pickup filled it, as the take store remembers it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pickup.takes.store import TakeStore, find_project
from pickup.timeline import PLACEHOLDER_KEY

__all__ = ["origin_of", "slot_origins"]


def origin_of(clip: Any) -> str:
    """``unmarked gap``, ``marked gap``, ``placeholder clip``, or ``gap``/``clip marked
    in Pickup`` for a store clip."""
    from pickup.timeline.patch.unfill import is_gap

    meta = clip.metadata.get("pickup")
    mark = meta.get("mark") if meta is not None and hasattr(meta, "get") else None
    gap = is_gap(clip.media_references().get(PLACEHOLDER_KEY))
    if mark == "project":
        return f"{'gap' if gap else 'clip'} marked in Pickup"
    if gap:
        return "unmarked gap" if mark == "unmarked" else "marked gap"
    return "placeholder clip"


def slot_origins(timeline: Path, override: Path | str | None = None) -> dict[str, str]:
    """slot id -> what it was, for every slot in the project's take store (empty when
    the timeline has no project folder yet)."""
    project = find_project(Path(timeline), Path(override) if override else None)
    if not project.takes_path.is_file():
        return {}
    store = TakeStore.load(project)
    return {slot_id: origin_of(clip) for slot_id, clip in store.clips.items()}
