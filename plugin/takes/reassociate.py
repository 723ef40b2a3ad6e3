"""Find Pickup's slots again in a timeline, even one the editor re-exported.

A re-exported cut may have moved, trimmed or deleted clips and added tracks.  Each
clip is matched to a slot of the take store by what Pickup wrote: the slot id in
its ``metadata["pickup"]`` or in its name (``V1-01000412_T02``), else its media
file (the take's path, or its file name if the media was relinked elsewhere), else
its EDL reel.  Slots of the store that no clip matches are reported as missing,
and a slot id found on two clips as ambiguous — Pickup never guesses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import opentimelineio as otio

from pickup.errors import SlotError
from pickup.project import Project
from pickup.slotmarks import read_marks, slot_marks
from pickup.takes.model import SlotTakes, is_take_key, media_path_of, slot_takes
from pickup.takes.store import TakeStore, slot_id_of
from pickup.timeline import LoadedTimeline, find_slots, frames_to_timecode
from pickup.timeline.marks import DEFAULT_TAGS

__all__ = ["Association", "FoundSlot", "associate"]


@dataclass(frozen=True)
class FoundSlot:
    """A slot as it sits in the timeline now, with its takes."""

    slot_id: str
    track: str
    stack_index: int
    start: int  # frames from the sequence start, at the sequence rate
    duration: int
    rate: float
    how: str  # metadata | name | media | reel | slot (an unfilled marked slot)
    takes: SlotTakes
    clip: otio.schema.Clip | None = None  # the clip in the timeline (None: not filled)

    @property
    def active(self) -> str | None:
        return self.takes.active

    def record_in(self, start_frame: int) -> str:
        return frames_to_timecode(start_frame + self.start, self.rate)

    def record_out(self, start_frame: int) -> str:
        return frames_to_timecode(start_frame + self.start + self.duration, self.rate)


@dataclass(frozen=True)
class Association:
    """Every slot found, and the store's slots that were not."""

    slots: tuple[FoundSlot, ...]
    missing: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    where: str = ""

    def get(self, slot_id: str) -> FoundSlot:
        if slot_id in self.ambiguous:
            raise SlotError(f"slot {slot_id} is on more than one clip in this timeline",
                            where=self.where, hint="remove the duplicate clip or rename it, "
                            "then run the command again")
        for found in self.slots:
            if found.slot_id == slot_id:
                return found
        if slot_id in self.missing:
            raise SlotError(f"slot {slot_id} is in the take store but not in this timeline "
                            "(deleted, or re-exported without Pickup's clip name and media)",
                            where=self.where, hint="put a clip of one of its takes back in "
                            "the cut, or use the timeline Pickup wrote")
        known = ", ".join(f.slot_id for f in self.slots) or "none"
        raise SlotError(f"no slot {slot_id!r}", where=self.where,
                        hint=f"slots found: {known}; `pickup takes TIMELINE` lists them")

    def warnings(self) -> list[str]:
        lines = [f"slot {s} (in the take store) is not in {self.where}: deleted, or "
                 "re-exported without Pickup's clip name and media; its takes stay in the "
                 "store" for s in self.missing]
        lines += [f"slot {s} is on more than one clip in {self.where}; none is used"
                  for s in self.ambiguous]
        return lines


def _reel(clip: otio.schema.Clip) -> str | None:
    meta = clip.metadata.get("cmx_3600") if clip.metadata else None
    if meta is not None and hasattr(meta, "get") and meta.get("reel"):
        return str(meta.get("reel")).upper()
    return None


def _media_index(store: TakeStore) -> tuple[dict[str, tuple[str, str]],
                                            dict[str, tuple[str, str]], dict[str, str]]:
    by_path: dict[str, tuple[str, str]] = {}
    by_name: dict[str, tuple[str, str]] = {}
    by_reel: dict[str, str] = {}
    for slot_id, clip in store.clips.items():
        for key, ref in clip.media_references().items():
            path = media_path_of(ref)
            if path is None or not is_take_key(key):
                continue
            by_path[str(path.resolve())] = (slot_id, key)
            by_name[path.name] = (slot_id, key)
        meta = clip.metadata.get("pickup") if clip.metadata else None
        if meta is not None and hasattr(meta, "get") and meta.get("reel"):
            by_reel[str(meta.get("reel")).upper()] = slot_id
    return by_path, by_name, by_reel


def _take_of(clip: otio.schema.Clip, by_path: dict[str, tuple[str, str]],
             by_name: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    path = media_path_of(clip.media_reference)
    if path is None:
        return None
    return by_path.get(str(path.resolve())) or by_name.get(path.name)


def _video_clips(timeline: otio.schema.Timeline, rate: float
                 ) -> Iterable[tuple[str, int, int, int, otio.schema.Clip]]:
    number = 0
    for stack_index, track in enumerate(timeline.tracks):
        if not isinstance(track, otio.schema.Track) or track.kind != otio.schema.TrackKind.Video:
            continue
        number += 1
        ranges = track.range_of_all_children()
        for item in track:
            if isinstance(item, otio.schema.Clip):
                rng = ranges[item]
                yield (f"V{number}", stack_index, round(rng.start_time.value_rescaled_to(rate)),
                       round(rng.duration.value_rescaled_to(rate)), item)


def associate(loaded: LoadedTimeline, store: TakeStore, *,
              tags: Iterable[str] = DEFAULT_TAGS) -> Association:
    """Match the clips of ``loaded`` to the slots of ``store`` (see the module doc)."""
    rate = loaded.rate
    by_path, by_name, by_reel = _media_index(store)
    hits: dict[str, list[tuple[str, int, int, int, otio.schema.Clip, str, str | None]]] = {}
    for track, stack_index, start, dur, clip in _video_clips(loaded.timeline, rate):
        meta_id = None
        meta = clip.metadata.get("pickup") if clip.metadata else None
        if meta is not None and hasattr(meta, "get") and meta.get("slot_id"):
            meta_id = str(meta.get("slot_id"))
        sid, how = (meta_id, "metadata") if meta_id else (slot_id_of(clip), "name")
        media_hit = _take_of(clip, by_path, by_name)
        if not sid and media_hit:
            sid, how = media_hit[0], "media"
        if not sid:
            reel = _reel(clip)
            if reel and reel in by_reel:
                sid, how = by_reel[reel], "reel"
        if not sid:
            continue
        key = media_hit[1] if media_hit and media_hit[0] == sid else None
        hits.setdefault(sid, []).append((track, stack_index, start, dur, clip, how, key))

    found: list[FoundSlot] = []
    ambiguous = sorted(s for s, h in hits.items() if len(h) > 1)
    for sid, rows in hits.items():
        if len(rows) > 1:
            continue
        track, stack_index, start, dur, clip, how, key = rows[0]
        stored = store.get(sid)
        source = stored if stored is not None else clip
        takes = slot_takes(source, duration=dur)
        active = key
        if active is None:
            current = clip.active_media_reference_key
            keys = {t.key for t in takes.takes}
            active = current if is_take_key(current) and current in keys else takes.active
        takes = replace(takes, active=active)
        found.append(FoundSlot(sid, track, stack_index, start, dur, rate, how, takes, clip))

    # Marked slots not filled in this timeline: listed with the takes the store holds.
    # Unmarked gaps too when the store knows them (a slot filled, then reverted).
    seen = set(hits)
    all_gaps = any(s not in seen for s in store.clips)
    marked = slot_marks(loaded, read_marks(Project(store.path.parent)))  # marked in Pickup
    for slot in find_slots(loaded.timeline, rate=rate, start_frame=loaded.start_frame,
                           tags=tuple(tags), all_gaps=all_gaps, marked=marked):
        if slot.id in seen or slot.filled:
            continue
        if slot.mark == "unmarked" and slot.id not in store.clips:
            continue
        seen.add(slot.id)
        stored = store.get(slot.id)
        takes = (replace(slot_takes(stored, duration=slot.duration, prompt=slot.prompt),
                         active=None) if stored is not None
                 else SlotTakes(slot.id, None, (), slot.kind, slot.prompt))
        found.append(FoundSlot(slot.id, slot.track, slot.stack_index, slot.start,
                               slot.duration, rate, "slot", takes, None))
    missing = sorted(s for s in store.clips if s not in seen)
    found.sort(key=lambda f: (f.start, f.track))
    return Association(tuple(found), tuple(missing), tuple(ambiguous), str(loaded.path))

