"""Find the clips Pickup filled in a timeline, with their slot, active take and other takes.

A filled clip carries ``metadata["pickup"]`` (with ``slot_id``) in OTIO, or at
least the slot id in its name (``V1-01000200_T01``) in formats that keep no
metadata.  Its takes are the media references keyed ``T01``, ``T02`` ... (only
OTIO keeps more than the active one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import opentimelineio as otio

from pickup.errors import InputError
from pickup.timeline import LoadedTimeline, Slot, find_slots, slot_id_from_name
from pickup.timeline.refs import path_of_url

__all__ = ["FilledClip", "Take", "filled_clips", "require_filled", "url_to_path"]


@dataclass(frozen=True)
class Take:
    """One take of a filled slot: its reference key (``T01``) and media file."""

    key: str
    path: Path
    start_frame: int = 0  # the media's first frame (its start timecode), at its rate
    frames: int | None = None
    rate: float | None = None

    @property
    def number(self) -> int:
        return int(self.key[1:]) if self.key[1:].isdigit() else 0


@dataclass(frozen=True)
class FilledClip:
    """A clip Pickup put into a slot."""

    slot: Slot
    clip: otio.schema.Clip
    record_start: int  # absolute record frame (sequence start timecode included)
    active: Take
    takes: tuple[Take, ...]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.clip.name

    @property
    def is_placeholder(self) -> bool:
        """The slot was a placeholder clip (not a gap) in the editor's timeline."""
        return self.meta.get("mark") == "placeholder" or self.slot.mark == "placeholder"

    @property
    def source_offset(self) -> int:
        """Frames from the active media's first frame to the clip's first frame."""
        rng = self.clip.source_range
        if rng is None:
            return 0
        rate = self.active.rate or rng.start_time.rate
        return max(round(rng.start_time.value_rescaled_to(rate)) - self.active.start_frame, 0)


def url_to_path(url: str) -> Path:
    """A media reference's ``target_url`` (``file://`` URL or plain path) as a path."""
    return path_of_url(url) or Path(url)


def _take(key: str, ref: Any) -> Take | None:
    url = getattr(ref, "target_url", None)
    if not url:
        return None
    start, frames, rate = 0, None, None
    rng = getattr(ref, "available_range", None)
    if rng is not None:
        rate = float(rng.start_time.rate)
        start = round(rng.start_time.value)
        frames = round(rng.duration.value_rescaled_to(rate))
    return Take(key=key, path=url_to_path(str(url)), start_frame=start, frames=frames,
                rate=rate)


def _is_take_key(key: str) -> bool:
    return len(key) >= 3 and key[0] == "T" and key[1:].isdigit()


def filled_clips(loaded: LoadedTimeline) -> list[FilledClip]:
    """Every filled clip of ``loaded`` in record order; empty if Pickup filled nothing."""
    slots = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame)
    found: list[FilledClip] = []
    for slot in slots:
        if slot.item != "clip":
            continue
        track = loaded.timeline.tracks[slot.stack_index]
        clip = _clip_at(track, slot, loaded.rate)
        if clip is None:
            continue
        raw = clip.metadata.get("pickup") if clip.metadata else None
        meta = dict(raw) if raw is not None and hasattr(raw, "get") else {}
        if not meta.get("slot_id") and not slot_id_from_name(clip.name):
            continue
        refs = dict(clip.media_references())
        active_key = clip.active_media_reference_key
        active = _take(active_key, refs.get(active_key))
        if active is None:
            continue  # still a placeholder: the slot was found but never filled
        takes = [t for k, r in sorted(refs.items()) if _is_take_key(k)
                 for t in [_take(k, r)] if t is not None]
        if not takes:
            takes = [active]
        found.append(FilledClip(slot=slot, clip=clip,
                                record_start=loaded.start_frame + slot.start,
                                active=active, takes=tuple(takes), meta=meta))
    return found


def _clip_at(track: otio.schema.Track, slot: Slot, rate: float) -> otio.schema.Clip | None:
    ranges = track.range_of_all_children()
    for item in track:
        if not isinstance(item, otio.schema.Clip):
            continue
        start = round(ranges[item].start_time.value_rescaled_to(rate))
        if start == slot.start:
            return item
    return None


def require_filled(loaded: LoadedTimeline) -> list[FilledClip]:
    """:func:`filled_clips`, or an :class:`InputError` saying how to get some."""
    found = filled_clips(loaded)
    if not found:
        raise InputError("holds no clips that Pickup filled", where=str(loaded.path),
                         hint="run `pickup fill TIMELINE` first and pass the file it wrote "
                         "(<name>.pickup.otio)")
    return found
