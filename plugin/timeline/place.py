"""Put media into slots: a function that returns a new timeline, never edits in place.

A gap slot becomes a clip (the gap is split when the slot covers only part of it);
a placeholder clip keeps its identity, effects and markers and gets the new media
as its active reference, with the old one kept under ``PLACEHOLDER``.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from pickup.errors import SlotError
from pickup.timeline.layout import Entry, TrackLayout
from pickup.timeline.metadata import set_metadata
from pickup.timeline.rates import exact_rate
from pickup.timeline.slots import Slot

__all__ = ["PLACEHOLDER_KEY", "PlacedMedia", "Placement", "place_all", "take_key"]

PLACEHOLDER_KEY = "PLACEHOLDER"


def take_key(number: int) -> str:
    """The media-reference key of take ``number``: ``T01``, ``T02``, ..."""
    return f"T{number:02d}"


@dataclass(frozen=True)
class PlacedMedia:
    """A media file as it goes into a slot."""

    path: Path
    frames: int
    rate: Fraction
    width: int | None = None
    height: int | None = None
    start_frame: int = 0  # the media's start timecode, in frames at its rate
    handles: int = 0  # frames of handle before the slot's first frame


@dataclass(frozen=True)
class Placement:
    """One slot to fill with one media file."""

    slot: Slot
    media: PlacedMedia
    clip_name: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    hold: bool = False
    #: further takes, kept as (inactive) media references after ``media``
    extra_takes: tuple[PlacedMedia, ...] = ()
    #: take numbers of ``media`` then ``extra_takes``; default: the next free ones
    take_numbers: tuple[int, ...] = ()

    @property
    def name(self) -> str:
        return self.clip_name or self.slot.id


def _rt(frames: int | float, rate: float | Fraction) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(float(frames), float(rate))


@functools.lru_cache(maxsize=1024)
def _resolved(path: Path) -> tuple[str, str, str]:
    """(absolute path, file:// URL, file name) of ``path``; cached, a batch places the
    same files."""
    absolute = Path(path).resolve()
    return str(absolute), absolute.as_uri(), Path(path).name


def _external_ref(media: PlacedMedia) -> otio.schema.ExternalReference:
    _, url, name = _resolved(media.path)
    ref = otio.schema.ExternalReference(
        target_url=url,
        available_range=otio.opentime.TimeRange(_rt(media.start_frame, media.rate),
                                                _rt(media.frames, media.rate)))
    ref.name = name  # (the constructor takes no name)
    return ref


def _check_length(p: Placement) -> None:
    if p.hold or (p.media.frames / float(p.media.rate) + 0.001
                  >= p.slot.duration / float(p.slot.rate) + 1e-6):
        return  # plainly long enough: skip the exact arithmetic
    needed = Fraction(p.slot.duration) / exact_rate(p.slot.rate)
    have = Fraction(p.media.frames) / p.media.rate
    if have + Fraction(1, 1000) < needed and not p.hold:
        raise SlotError(
            f"the media is {float(have):.2f} s, the slot is {float(needed):.2f} s",
            where=f"slot {p.slot.id}",
            hint="use longer media, or --hold to hold its last frame")


def _find(layout: TrackLayout, slot: Slot) -> Entry:
    """The entry that holds ``slot`` now, or :class:`SlotError`."""
    entry = layout.at(slot.start)
    if entry is None:
        raise SlotError("the timeline changed since it was scanned: nothing is there any more",
                        where=f"slot {slot.id}", hint="scan the timeline again")
    return entry


def _fill_gap(gap: otio.schema.Gap, start: int, dur: int, p: Placement
              ) -> list[otio.core.Item]:
    """The items that replace ``gap``: [gap before], the new clip, [gap after]."""
    slot, rate = p.slot, p.slot.rate
    before = slot.start - start
    after = start + dur - slot.end
    if after < 0:
        raise SlotError("the timeline changed since it was scanned: the gap is shorter now",
                        where=f"slot {slot.id}", hint="scan the timeline again")
    # Fields go in through the constructors: each attribute set afterwards costs a
    # Python-level __setattr__ in OTIO.
    clip_start = _rt(p.media.start_frame + p.media.handles, p.media.rate)
    clip = otio.schema.Clip(name=p.name, source_range=otio.opentime.TimeRange(
        clip_start, _rt(slot.duration, rate).rescaled_to(float(p.media.rate))))
    missing = otio.schema.MissingReference(name="gap")
    key, takes = _take_refs(p, 1)
    clip.set_media_references({PLACEHOLDER_KEY: missing, **takes}, key)
    pieces: list[otio.core.Item] = []
    if before > 0:
        pieces.append(otio.schema.Gap(name=gap.name, duration=_rt(before, rate)))
    pieces.append(clip)
    if after > 0:
        pieces.append(otio.schema.Gap(name=gap.name, duration=_rt(after, rate)))
    # Markers go where they were in record time.  They move out of the gap (which
    # leaves the timeline) rather than being copied: a clone costs more than the rest.
    gap_markers = gap.markers
    # (A slice copies in one call; list() iterates OTIO's vector until IndexError.)
    markers = gap_markers[:] if gap_markers else []
    if markers:
        gap_start = gap.trimmed_range().start_time
        del gap_markers[:]
    for moved in markers:
        at = round((moved.marked_range.start_time - gap_start).value_rescaled_to(rate))
        if at < before and before > 0:
            pieces[0].markers.append(moved)
        elif at >= before + slot.duration and after > 0:
            moved.marked_range = otio.opentime.TimeRange(
                _rt(at - before - slot.duration, rate), moved.marked_range.duration)
            pieces[-1].markers.append(moved)
        else:
            moved.marked_range = otio.opentime.TimeRange(
                clip_start + _rt(max(at - before, 0), rate), moved.marked_range.duration)
            clip.markers.append(moved)
    gap_meta = gap.metadata
    previous: dict[str, Any] = {}
    if len(gap_meta):  # most gaps carry none; copying an empty AnyDictionary still costs
        clip.metadata.update(copy.deepcopy(dict(gap_meta)))
        previous = dict(gap_meta.get("pickup") or {})
    set_metadata(clip.metadata, "pickup", _pickup_meta(p, previous))
    return pieces


def _fill_placeholder(clip: otio.schema.Clip, start: int, dur: int, p: Placement
                      ) -> otio.schema.Clip:
    slot, rate = p.slot, p.slot.rate
    if start != slot.start or dur != slot.duration:
        raise SlotError("the timeline changed since it was scanned: the placeholder moved "
                        "or changed length", where=f"slot {slot.id}",
                        hint="scan the timeline again")
    refs = dict(clip.media_references())
    active = clip.active_media_reference_key
    if not _is_take_key(active) and PLACEHOLDER_KEY not in refs:
        refs[PLACEHOLDER_KEY] = refs.pop(active, None) or otio.schema.MissingReference()
    numbers = [int(k[1:]) for k in refs if _is_take_key(k)]
    key, takes = _take_refs(p, max(numbers, default=0) + 1)
    refs.update(takes)
    old_start = clip.source_range.start_time if clip.source_range else _rt(0, rate)
    new_start = _rt(p.media.start_frame + p.media.handles, p.media.rate)
    clip.set_media_references(refs, key)
    clip.source_range = otio.opentime.TimeRange(
        new_start, _rt(slot.duration, rate).rescaled_to(float(p.media.rate)))
    for marker in clip.markers:
        shift = marker.marked_range.start_time - old_start
        marker.marked_range = otio.opentime.TimeRange(new_start + shift,
                                                      marker.marked_range.duration)
    previous = clip.metadata.get("pickup")
    meta = _pickup_meta(p, dict(previous) if previous is not None else {})
    meta.setdefault("placeholder_name", clip.name)
    set_metadata(clip.metadata, "pickup", meta)
    clip.name = p.name
    return clip


def _take_refs(p: Placement, first: int) -> tuple[str, dict[str, otio.schema.ExternalReference]]:
    """(active key, {key: reference}) for ``p.media`` and ``p.extra_takes``."""
    media = (p.media, *p.extra_takes)
    numbers = p.take_numbers or tuple(range(first, first + len(media)))
    refs = {take_key(n): _external_ref(m) for n, m in zip(numbers, media, strict=True)}
    return take_key(numbers[0]), refs


def _is_take_key(key: str) -> bool:
    return len(key) >= 3 and key[0] == "T" and key[1:].isdigit()


def _pickup_meta(p: Placement, previous: dict[str, Any]) -> dict[str, Any]:
    meta = dict(previous)
    meta.update({"slot_id": p.slot.id, "kind": p.slot.kind, "prompt": p.slot.prompt,
                 "mark": p.slot.mark, "media": _resolved(p.media.path)[0]})
    if p.hold:
        meta["hold"] = True
    meta.update(dict(p.metadata))
    return meta


def place_all(timeline: otio.schema.Timeline, placements: Sequence[Placement], *,
              in_place: bool = False,
              layouts: Mapping[int, TrackLayout] | None = None) -> otio.schema.Timeline:
    """A copy of ``timeline`` with every placement made; the input is not changed.

    ``in_place`` edits ``timeline`` itself instead (for callers that own it and do not
    need the original: copying a 10,000-clip timeline costs more than reading it).
    ``layouts`` are the track layouts :func:`find_slots` measured on ``timeline``
    (before any edit); positions are looked up in them, items by index in the copy.

    Raises :class:`SlotError` when a slot no longer is a gap or placeholder where
    the scan found it, or when media is shorter than its slot (unless ``hold``).
    """
    for p in placements:
        _check_length(p)
    out = timeline if in_place else timeline.deepcopy()
    by_track: dict[int, list[Placement]] = {}
    for p in placements:
        by_track.setdefault(p.slot.stack_index, []).append(p)
    for stack_index, group in by_track.items():
        try:
            track = out.tracks[stack_index]
        except IndexError:
            raise SlotError("the timeline changed since it was scanned: its track is gone",
                            where=f"slot {group[0].slot.id}") from None
        layout = (layouts or {}).get(stack_index) or TrackLayout(track, group[0].slot.rate)
        # Later slots first, so the indices of earlier items stay valid.
        for p in sorted(group, key=lambda q: -q.slot.start):
            found = _find(layout, p.slot)
            position, start, dur = found.index, found.start, found.duration
            item = found.item if found.item.parent() is track else track[position]
            if isinstance(item, otio.schema.Gap):
                pieces = _fill_gap(item, start, dur, p)
                # The gap's markers are copied by now.  The first piece takes the gap's
                # place (one assignment costs a quarter of an insert plus a delete);
                # the others follow it.  (Slice assignment crashes OTIO 0.18.)
                track[position] = pieces[0]
                for offset, piece in enumerate(pieces[1:], start=1):
                    track.insert(position + offset, piece)
            elif isinstance(item, otio.schema.Clip):
                _fill_placeholder(item, start, dur, p)
            else:
                raise SlotError(f"the slot now holds a {type(item).__name__}, not a gap or "
                                "clip", where=f"slot {p.slot.id}",
                                hint="scan the timeline again")
    return out
