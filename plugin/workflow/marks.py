"""Gaps and clips the editor marks as slots in Pickup, kept in the project state.

An editor who did not put a ``GEN`` marker on a shot can still make it a slot: the
panel's "Mark as slot…" (right-click or ``M`` on the strip) and ``pickup mark`` keep
the mark in ``<project>/marks.json``; the timeline file is never changed by marking.
A mark is keyed by what survives a re-export: the video track (``V1``), the record
range as timecodes, and for a clip its name (a clip that moved on its track is still
found by name).  :func:`discover` is how every face finds slots (``pickup scan``,
``pickup fill``, the panel, the contact sheet): the file's marks plus these, each
saying it was ``marked in Pickup``.  A fill writes a marked slot back like any other:
a gap is filled, a clip is replaced in its range.

The file itself is read and written by :mod:`pickup.slotmarks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import opentimelineio as otio

from pickup.errors import InputError
from pickup.project import Project
from pickup.slotmarks import SavedMark, read_marks, slot_marks, write_marks
from pickup.timeline import (
    DEFAULT_TAGS,
    LoadedTimeline,
    Slot,
    find_slots,
    frames_to_timecode,
    mark_label,
)
from pickup.timeline.layout import Entry, TrackLayout
from pickup.timeline.rates import timecode_frames

__all__ = ["SavedMark", "Target", "discover", "locate", "mark", "read_marks", "slot_marks",
           "unmark"]


@dataclass(frozen=True)
class Target:
    """A gap or clip of the timeline, as :func:`locate` found it."""

    track: str
    stack_index: int
    start: int  # frames from the sequence start
    duration: int
    item: Literal["gap", "clip"]
    name: str


# -- finding slots ---------------------------------------------------------------------
def discover(loaded: LoadedTimeline, *, project: Project | None = None,
             all_gaps: bool = False, tags: Sequence[str] | None = None,
             warnings: list[str] | None = None,
             layouts: dict[int, TrackLayout] | None = None) -> list[Slot]:
    """Every slot of ``loaded``: the file's marks and the ones marked in Pickup (in
    ``project``, by default the timeline's project folder)."""
    home = project if project is not None else Project.find(loaded.path, None,
                                                             loaded.timeline)
    marked = slot_marks(loaded, read_marks(home))
    return find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame,
                      all_gaps=all_gaps, tags=tuple(tags) if tags is not None else DEFAULT_TAGS,
                      warnings=warnings, layouts=layouts, marked=marked)


def _video(loaded: LoadedTimeline) -> list[tuple[str, int, otio.schema.Track]]:
    out = []
    for stack_index, track in enumerate(loaded.timeline.tracks):
        if isinstance(track, otio.schema.Track) and track.kind == otio.schema.TrackKind.Video:
            out.append((f"V{len(out) + 1}", stack_index, track))
    return out


def _target(label: str, stack_index: int, entry: Entry) -> Target:
    return Target(track=label, stack_index=stack_index, start=entry.start,
                  duration=entry.duration, item="gap" if entry.is_gap else "clip",
                  name=entry.item.name)


def locate(loaded: LoadedTimeline, *, at: str | int | None = None, clip: str | None = None,
           track: str | None = None) -> Target:
    """The gap or clip at record timecode ``at`` (or frame from the sequence start), or
    the clip named ``clip``, on video track ``track`` (``V1``).  Without a track, ``at``
    finds the top-most clip there, else the lowest gap (the hole in the picture)."""
    where = str(loaded.path)
    video = _video(loaded)
    if track is not None:
        wanted = track.strip().upper()
        chosen = [v for v in video if v[0] == wanted]
        if not chosen:
            have = ", ".join(v[0] for v in video) or "none"
            raise InputError(f"no video track {track}", where=where,
                             hint=f"video tracks: {have}; audio tracks cannot hold a slot")
        video = chosen
    layouts = [(label, index, TrackLayout(trk, loaded.rate, frozenset()))
               for label, index, trk in video]
    if clip is not None:
        found = [(label, index, e) for label, index, layout in layouts
                 for e in layout.entries
                 if not e.is_gap and isinstance(e.item, otio.schema.Clip)
                 and e.item.name == clip]
        if not found:
            raise InputError(f"no clip named {clip!r} on "
                             f"{track.upper() if track else 'a video track'}", where=where,
                             hint="names are matched exactly; `pickup scan` shows the cut, "
                             "or use --at TC")
        if len(found) > 1:
            spots = ", ".join(
                f"{label} {frames_to_timecode(loaded.start_frame + e.start, loaded.rate)}"
                for label, _, e in found[:4])
            raise InputError(f"{len(found)} clips are named {clip!r} ({spots})", where=where,
                             hint="pick one with --at TC and --track")
        return _target(*found[0])
    if at is None:
        raise InputError("say which gap or clip: --at TC or --clip NAME", where=where)
    if isinstance(at, int):
        frame = at
        tc = frames_to_timecode(loaded.start_frame + frame, loaded.rate)
    else:
        tc = at.strip()
        try:
            frame = timecode_frames(tc, loaded.rate) - loaded.start_frame
        except ValueError:
            raise InputError(f"not a timecode: {at!r}", where=where,
                             hint=f"a record timecode like "
                             f"{frames_to_timecode(loaded.start_frame, loaded.rate)}") from None
    hits = [(label, index, layout.at(frame)) for label, index, layout in layouts]
    hits = [(label, index, e) for label, index, e in hits
            if e is not None and e.duration > 0
            and isinstance(e.item, (otio.schema.Gap, otio.schema.Clip))]
    clips = [h for h in reversed(hits) if not h[2].is_gap]
    if clips:
        return _target(*clips[0])
    if hits:
        return _target(*hits[0])
    on = track.upper() if track else "any video track"
    end = loaded.start_frame + round(loaded.timeline.duration().rescaled_to(loaded.rate).value)
    raise InputError(f"no gap or clip at {tc} on {on}", where=where,
                     hint="give a record timecode from "
                     f"{frames_to_timecode(loaded.start_frame, loaded.rate)} to "
                     f"{frames_to_timecode(end, loaded.rate)}")


# -- the verbs -----------------------------------------------------------------------------
def _same(m: SavedMark, target: Target, loaded: LoadedTimeline) -> bool:
    """True when ``m`` marks ``target`` (a gap's mark may cover part of the gap)."""
    if m.track != target.track:
        return False
    try:
        start = timecode_frames(m.record_in, loaded.rate) - loaded.start_frame
    except ValueError:
        return False
    if target.item == "gap" and m.item == "gap":
        return target.start <= start < target.start + target.duration
    return start == target.start


def _slot_at(slots: Sequence[Slot], target: Target) -> Slot | None:
    return next((s for s in slots if s.stack_index == target.stack_index
                 and s.start <= target.start < s.end), None)


def mark(loaded: LoadedTimeline, project: Project, target: Target, *, kind: str | None,
         prompt: str | None, tags: Sequence[str] | None = None) -> Slot:
    """Mark ``target`` as a slot with ``kind`` and ``prompt`` in the project state (a
    mark already there is replaced).  Returns the slot as every face now finds it.
    Refuses a gap or clip the file already marks (it is a slot already)."""
    kind = (kind or "").strip() or None
    prompt = (prompt or "").strip() or None
    where = str(loaded.path)
    if kind is None and prompt is None:
        raise InputError("a slot needs a kind or a prompt", where=where,
                         hint="say what the shot shows: --kind establishing "
                         "--prompt 'farmhouse at dusk'")
    from pickup.workflow.state import locked_state

    rin = loaded.start_frame + target.start
    saved = SavedMark(track=target.track, record_in=frames_to_timecode(rin, loaded.rate),
                      record_out=frames_to_timecode(rin + target.duration, loaded.rate),
                      item=target.item,
                      clip_name=target.name if target.item == "clip" else None,
                      kind=kind, prompt=prompt)
    with locked_state(project):
        marks = read_marks(project)
        others = [m for m in marks if not _same(m, target, loaded)]
        existing = _slot_at(discover(loaded, project=project, tags=tags), target)
        if existing is not None and existing.mark != "project":
            raise InputError(f"the {target.item} on {target.track} at {saved.record_in} is "
                             f"already slot {existing.id} ({mark_label(existing.mark)}"
                             + (f" {existing.mark_text!r}" if existing.mark_text else "")
                             + ")", where=where,
                             hint=f"edit its prompt in the panel or with pickup fill "
                             f"--slots {existing.id} --prompt TEXT")
        write_marks(project, [*others, saved])
        slots = discover(loaded, project=project, tags=tags)
    slot = _slot_at(slots, target)
    if slot is None:  # cannot happen for a target locate() found; say so plainly
        raise InputError(f"the {saved.where()} was marked but is not found as a slot",
                         where=where, hint="run `pickup scan` to see why")
    return slot


def unmark(loaded: LoadedTimeline, project: Project, *, target: Target | None = None,
           slot_id: str | None = None) -> SavedMark:
    """Drop the mark of ``target`` (or of slot ``slot_id``) from the project state;
    returns it.  Takes made for the slot stay in the project."""
    where = str(loaded.path)
    from pickup.workflow.state import locked_state

    with locked_state(project):
        marks = read_marks(project)
        if slot_id is not None:
            slot = next((s for s in discover(loaded, project=project)
                         if s.id == slot_id), None)
            if slot is None or slot.mark != "project":
                raise InputError(f"slot {slot_id} is not marked in Pickup", where=where,
                                 hint="`pickup scan` lists the slots marked in Pickup "
                                 "(mark column); marks in the file are removed in the "
                                 "editing app")
            target = Target(track=slot.track, stack_index=slot.stack_index,
                            start=slot.start, duration=slot.duration, item=slot.item,
                            name=slot.item_name)
        if target is None:
            raise InputError("say which mark: --at TC, --clip NAME or --slot ID", where=where)
        gone = [m for m in marks if _same(m, target, loaded)]
        if not gone and target.item == "clip":  # a clip found by name after it moved
            gone = [m for m in marks if m.item == "clip" and m.track == target.track
                    and m.clip_name == target.name]
        if not gone:
            tc = frames_to_timecode(loaded.start_frame + target.start, loaded.rate)
            raise InputError(f"nothing is marked in Pickup at {target.track} {tc}",
                             where=where, hint="`pickup scan` lists the slots and where "
                             "each came from")
        write_marks(project, [m for m in marks if m not in gone])
    return gone[0]

