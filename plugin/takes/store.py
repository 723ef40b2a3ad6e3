"""The take store: every take of every filled slot, in ``<project>/takes.otio``.

Formats other than OTIO carry only the active take, so Pickup keeps the full set in
the project folder: an OTIO JSON timeline with one video track holding one clip per
filled slot (all its takes as media references, their facts in each reference's
``metadata["pickup"]``).  Positions in it mean nothing; slots are found by id.  It
opens in any OTIO tool.  Every change is written atomically, and merged with what
is there, so a second ``fill`` never drops a take or a status set earlier.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import opentimelineio as otio

from pickup.atomic import atomic_path
from pickup.errors import TimelineError
from pickup.project import Project
from pickup.takes.model import is_take_key, take_meta, utc_now
from pickup.timeline.otiofile import write_otio
from pickup.timeline.slots import slot_id_from_name

__all__ = ["KEEP_FIELDS", "TakeStore", "find_project", "slot_id_of"]

#: per-take fields a person set; a later fill never resets them
KEEP_FIELDS = ("status", "rating", "note")


def slot_id_of(clip: Any) -> str | None:
    """The slot id Pickup wrote on a clip (metadata, else its name)."""
    meta = clip.metadata.get("pickup") if clip.metadata else None
    if meta is not None and hasattr(meta, "get") and meta.get("slot_id"):
        return str(meta.get("slot_id"))
    return slot_id_from_name(getattr(clip, "name", None))


def find_project(timeline_path: Path, override: Path | None = None,
                 timeline: otio.schema.Timeline | None = None) -> Project:
    """The project folder of a timeline (:meth:`pickup.project.Project.find`)."""
    return Project.find(timeline_path, override, timeline)


@dataclass
class TakeStore:
    """The takes of a project's slots, by slot id."""

    path: Path
    clips: dict[str, otio.schema.Clip] = field(default_factory=dict)
    rate: float = 24.0
    source: str | None = None

    @classmethod
    def load(cls, project: Project) -> TakeStore:
        """The store of ``project`` (empty when there is none yet)."""
        path = project.takes_path
        store = cls(path)
        if not path.is_file():
            return store
        try:
            timeline = otio.adapters.read_from_file(str(path), adapter_name="otio_json")
        except Exception as exc:  # a damaged store must say so, never be overwritten silently
            raise TimelineError(f"the take store cannot be read: {type(exc).__name__}: {exc}",
                                where=str(path),
                                hint="restore takes.otio.bak, or move the file away to start "
                                "a new store") from None
        meta = timeline.metadata.get("pickup") or {}
        store.rate = float(meta.get("rate") or 24.0)
        store.source = meta.get("source")
        for clip in timeline.find_clips():
            slot_id = slot_id_of(clip)
            if slot_id:
                store.clips[slot_id] = copy.deepcopy(clip)
        return store

    def __contains__(self, slot_id: object) -> bool:
        return slot_id in self.clips

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.clips))

    def get(self, slot_id: str) -> otio.schema.Clip | None:
        return self.clips.get(slot_id)

    def put(self, clip: otio.schema.Clip, *, slot_id: str | None = None,
            keep_active: bool = False) -> otio.schema.Clip:
        """Store a copy of ``clip`` merged with what the store holds for its slot:
        takes only the store knows are kept, and per-take status, rating and note set
        earlier win over a fresh take's defaults.  ``keep_active`` keeps the stored
        active take instead of the clip's."""
        slot_id = slot_id or slot_id_of(clip)
        if not slot_id:
            raise ValueError("the clip carries no slot id")
        new = copy.deepcopy(clip)
        old = self.clips.get(slot_id)
        if old is not None:
            refs = dict(new.media_references())
            old_refs = old.media_references()
            for key, ref in old_refs.items():
                if key not in refs:
                    refs[key] = copy.deepcopy(ref)
                    continue
                if not is_take_key(key):
                    continue
                before, now = take_meta(ref), take_meta(refs[key])
                same = (before.get("media") or "") == (now.get("media") or "") or not now
                if same:
                    merged = {**before, **now}
                    for name in KEEP_FIELDS:
                        if name in before and (now.get(name) in (None, "", "temp")
                                               or name not in now):
                            merged[name] = before[name]
                    refs[key].metadata["pickup"] = merged
            active = new.active_media_reference_key
            if keep_active and old.active_media_reference_key in refs:
                active = old.active_media_reference_key
            new.set_media_references(refs, active)
        self.clips[slot_id] = new
        return new

    def remove_takes(self, slot_id: str, keys: Iterable[str]) -> None:
        clip = self.clips[slot_id]
        refs = {k: v for k, v in clip.media_references().items() if k not in set(keys)}
        clip.set_media_references(refs, clip.active_media_reference_key)

    def save(self, *, rate: float | None = None, source: str | None = None) -> Path:
        """Write the store atomically (keeping ``takes.otio.bak``); returns its path."""
        rate = rate or self.rate
        timeline = otio.schema.Timeline(name="pickup takes")
        timeline.metadata["pickup"] = {"rate": rate, "source": source or self.source,
                                       "updated": utc_now(),
                                       "about": "every take of every filled slot; slots are "
                                       "found by id, positions here mean nothing"}
        track = otio.schema.Track(name="takes", kind=otio.schema.TrackKind.Video)
        timeline.tracks.append(track)
        for slot_id in sorted(self.clips):
            clip = copy.deepcopy(self.clips[slot_id])
            if clip.source_range is None:
                clip.source_range = otio.opentime.TimeRange(
                    otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(1, rate))
            track.append(clip)
        Project(self.path.parent).ensure()
        with atomic_path(self.path, backup=True) as tmp:
            write_otio(timeline, tmp)
        return self.path
