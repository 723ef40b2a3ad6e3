"""Find the marked slots of a timeline: tagged markers, placeholder clips, unmarked gaps.

Slot ids
--------
A slot's id is its video track and its record-in timecode without separators,
``V1-01000412`` for a slot on V1 starting at 01:00:04:12.  That is stable for an
unchanged file, readable in every editing app, and stays the same after the slot
is filled, because the filled clip sits where the slot was and Pickup writes the
id into the clip's name (``V1-01000412``, or ``V1-01000412_T01`` for a take) and
into ``metadata["pickup"]["slot_id"]``.  A clip that carries an id keeps it even
if the editor later moves the clip.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Literal

import opentimelineio as otio

from pickup.timeline.layout import Entry, TrackLayout
from pickup.timeline.marks import DEFAULT_TAGS, Mark, marker_texts, parse_mark
from pickup.timeline.names import is_safe_id

__all__ = ["MARK_LABELS", "PROJECT_MARK_TEXT", "SLOT_ID_RE", "MarkerCensus", "Slot",
           "SlotMark", "find_slots", "frames_to_timecode", "mark_label", "marker_census",
           "slot_id_from_name"]

_log = logging.getLogger(__name__)
SLOT_ID_RE = re.compile(r"\b(V\d+-\d{8})(?:_T\d+)?\b")
MarkKind = Literal["marker", "placeholder", "unmarked", "project"]
#: what each way of marking a slot is called where a face says where a slot came from
MARK_LABELS: dict[str, str] = {"marker": "marker", "placeholder": "placeholder",
                               "unmarked": "unmarked", "project": "marked in Pickup"}
#: the ``mark_text`` of a slot the editor marked in Pickup (not in the file)
PROJECT_MARK_TEXT = "marked in Pickup"


def mark_label(mark: str) -> str:
    """Where a slot came from, in words (``marked in Pickup`` for a project mark)."""
    return MARK_LABELS.get(mark, mark)


@dataclass(frozen=True)
class SlotMark:
    """A gap or clip the editor marked as a slot in Pickup, kept in the project state
    (never in the timeline file): where it is, by video track label and record frames
    (the sequence start included), and for a clip its name."""

    track: str
    record_in: int
    duration: int
    item: Literal["gap", "clip"]
    clip_name: str | None
    kind: str | None
    prompt: str | None


def frames_to_timecode(frames: int, rate: float) -> str:
    """``HH:MM:SS:FF`` (``;`` before frames for drop-frame rates) for a frame count."""
    return otio.opentime.to_timecode(otio.opentime.RationalTime(frames, rate), rate)


def slot_id_from_name(name: str | None) -> str | None:
    """The slot id Pickup wrote into a clip name, if any."""
    match = SLOT_ID_RE.search(name or "")
    return match.group(1) if match else None


@dataclass(frozen=True)
class Slot:
    """A place in the sequence that Pickup fills.

    ``start`` and ``duration`` are frames at the sequence rate, ``start`` counted
    from the sequence start (add the start timecode for record timecodes).
    ``stack_index`` is the track's index in ``timeline.tracks``; ``track_index`` is
    its number among video tracks (1 for V1).
    """

    id: str
    track: str
    track_index: int
    stack_index: int
    track_name: str
    start: int
    duration: int
    rate: float
    kind: str | None
    prompt: str | None
    mark: MarkKind
    item: Literal["gap", "clip"]
    item_name: str
    filled: bool = False
    mark_text: str | None = None

    @property
    def end(self) -> int:
        return self.start + self.duration

    def record_in(self, start_frame: int = 0) -> str:
        return frames_to_timecode(start_frame + self.start, self.rate)

    def record_out(self, start_frame: int = 0) -> str:
        return frames_to_timecode(start_frame + self.end, self.rate)

    def to_json(self, start_frame: int = 0) -> dict[str, Any]:
        data = asdict(self)
        data["record_in"] = self.record_in(start_frame)
        data["record_out"] = self.record_out(start_frame)
        return data


@dataclass
class _Track:
    track: otio.schema.Track
    stack_index: int
    label: str
    number: int
    layout: TrackLayout

    @property
    def entries(self) -> list[Entry]:
        return self.layout.entries

    @property
    def starts(self) -> list[int]:
        return self.layout.starts

    def at(self, frame: int) -> Entry | None:
        return self.layout.at(frame)


def _frames(time: otio.opentime.RationalTime, rate: float) -> int:
    return round(time.value_rescaled_to(rate))


def _tracks(timeline: otio.schema.Timeline, rate: float, initials: frozenset[str]
            ) -> list[_Track]:
    out: list[_Track] = []
    counts = {"Video": 0, "Audio": 0}
    for stack_index, track in enumerate(timeline.tracks):
        if not isinstance(track, otio.schema.Track):
            continue
        kind = "Video" if track.kind == otio.schema.TrackKind.Video else "Audio"
        counts[kind] += 1
        out.append(_Track(track, stack_index, f"{kind[0]}{counts[kind]}", counts[kind],
                          TrackLayout(track, rate, initials)))
    return out


def _is_placeholder_ref(clip: otio.schema.Clip) -> bool:
    ref = clip.media_reference
    return isinstance(ref, (otio.schema.GeneratorReference, otio.schema.MissingReference))


def _marker_mark(marker: otio.schema.Marker, tags: Iterable[str]) -> Mark | None:
    """The first tagged text with a prompt (name, then the app's comment), else a bare tag."""
    bare = parse_mark(marker.name, tags)
    if bare and (bare.prompt or bare.kind):
        return bare  # the name says it all; reading metadata is slow
    for text in marker_texts(marker.name, marker.metadata):
        mark = parse_mark(text, tags)
        if mark and (mark.prompt or mark.kind):
            return mark
        bare = bare or mark
    return bare


def _pickup_meta(item: otio.core.Item) -> dict[str, Any] | None:
    metadata = item.metadata
    if not metadata or "pickup" not in metadata:
        return None
    meta = metadata["pickup"]
    if meta is not None and hasattr(meta, "get") and meta.get("slot_id"):
        if not is_safe_id(meta.get("slot_id")):
            # Slot ids become folder and file names: one from a file that is not a
            # plain name (../x, /abs, NUL, backslash, 10,000 characters) is not Pickup's.
            _log.warning("%s: ignoring slot id %r in metadata.pickup (not a plain name)",
                         item.name or type(item).__name__, str(meta.get("slot_id"))[:60])
            return None
        return dict(meta)
    return None


def _iter_markers(tracks: list[_Track], timeline: otio.schema.Timeline, rate: float,
                  tags: tuple[str, ...]) -> Iterator[tuple[Mark, int, int, _Track | None,
                                                           Entry | None]]:
    """(mark, track frame, duration, track or None for the sequence, item or None)."""
    for marker in timeline.tracks.markers:
        mark = _marker_mark(marker, tags)
        if mark:
            rng = marker.marked_range
            yield mark, _frames(rng.start_time, rate), _frames(rng.duration, rate), None, None
    for trk in tracks:
        for marker in trk.track.markers:
            mark = _marker_mark(marker, tags)
            if mark:
                rng = marker.marked_range
                yield (mark, _frames(rng.start_time, rate), _frames(rng.duration, rate), trk,
                       None)
        for entry, markers in trk.layout.marked:
            trimmed_start = entry.item.trimmed_range().start_time
            for marker in markers[:]:  # a slice: cheaper than iterating OTIO's vector
                mark = _marker_mark(marker, tags)
                if mark:
                    rng = marker.marked_range
                    offset = _frames(rng.start_time - trimmed_start, rate)
                    yield (mark, entry.start + offset, _frames(rng.duration, rate), trk, entry)


def find_slots(timeline: otio.schema.Timeline, *, rate: float, start_frame: int = 0,
               all_gaps: bool = False, tags: Iterable[str] = DEFAULT_TAGS,
               warnings: list[str] | None = None,
               layouts: dict[int, TrackLayout] | None = None,
               marked: Iterable[SlotMark] = ()) -> list[Slot]:
    """Every slot of ``timeline`` in record order (then track).

    ``marked`` are the gaps and clips the editor marked in Pickup (the project state):
    each is a slot with ``mark="project"`` where its track still has that gap, that
    clip (by name; the clip may have moved on its track) or the clip Pickup filled it
    with; one that finds none of them is reported in ``warnings``.
    ``start_frame`` is the sequence start timecode in frames (it is part of ids).
    Messages about marks that locate nothing are appended to ``warnings``.
    ``layouts``, when given, receives each track's layout by stack index, so that
    :func:`~pickup.timeline.place.place_all` need not measure the tracks again.
    """
    tags = tuple(tags)
    warn = warnings if warnings is not None else []
    initials = frozenset(tag[:1].upper() for tag in tags)
    tracks = _tracks(timeline, rate, initials)
    if layouts is not None:
        layouts.update({t.stack_index: t.layout for t in tracks})
    video = [t for t in tracks if t.label.startswith("V")]
    found: dict[tuple[int, int], Slot] = {}

    def add(trk: _Track, entry: Entry, mark: Mark | None, how: MarkKind,
            start: int | None = None, duration: int | None = None) -> None:
        start = entry.start if start is None else start
        duration = entry.duration if duration is None else duration
        key = (trk.stack_index, start)
        meta = _pickup_meta(entry.item)
        previous = found.get(key)
        if previous is not None and (previous.prompt or mark is None or not mark.prompt):
            return
        slot_id = (meta or {}).get("slot_id") or slot_id_from_name(entry.item.name)
        if not slot_id:
            slot_id = f"{trk.label}-{frames_to_timecode(start_frame + start, rate)}"
            slot_id = re.sub(r"[:;.]", "", slot_id)
        kind = mark.kind if mark else (meta or {}).get("kind")
        prompt = mark.prompt if mark else (meta or {}).get("prompt")
        found[key] = Slot(
            id=str(slot_id), track=trk.label, track_index=trk.number,
            stack_index=trk.stack_index, track_name=trk.track.name, start=start,
            duration=duration, rate=rate, kind=kind, prompt=prompt, mark=how,
            item="gap" if entry.is_gap else "clip", item_name=entry.item.name,
            filled=meta is not None or (not entry.is_gap and slot_id_from_name(
                entry.item.name) is not None),
            mark_text=mark.text if mark else None)

    # 1. Tagged markers.
    for mark, frame, length, trk, entry in _iter_markers(tracks, timeline, rate, tags):
        if trk is not None and not trk.label.startswith("V"):
            # A mark on an audio track or audio clip locates the picture above it.
            trk, entry = None, None
        if entry is not None and not isinstance(entry.item, (otio.schema.Gap,
                                                             otio.schema.Clip)):
            warn.append(f"mark {mark.text!r} sits on a nested {type(entry.item).__name__} "
                        f"({entry.item.name!r}); Pickup fills gaps and clips on the top "
                        "level: put the mark there")
            continue
        if entry is not None and trk is not None:
            inside = entry.start <= frame and frame + length <= entry.start + entry.duration
            if entry.is_gap and length > 0 and inside:
                add(trk, entry, mark, "marker", frame, length)  # the marked part of the gap
            else:
                add(trk, entry, mark, "marker")
            continue
        candidates = [trk] if trk is not None else _search_order(video, frame)
        placed = False
        for cand in candidates:
            hit = cand.at(frame)
            if hit is None:
                continue
            if hit.is_gap and length > 0:
                start = max(frame, hit.start)
                end = min(frame + length, hit.start + hit.duration)
                add(cand, hit, mark, "marker", start, end - start)
            else:
                add(cand, hit, mark, "marker")
            placed = True
            break
        if not placed:
            tc = frames_to_timecode(start_frame + frame, rate)
            warn.append(f"mark {mark.text!r} at {tc} sits over no gap or placeholder; "
                        "put it on a gap or a placeholder clip")

    # 1b. Gaps and clips marked in Pickup (the project state, not the file).
    for smark in marked:
        _add_project_mark(smark, video, start_frame, rate, add, warn)

    # 2. Tagged placeholder clips and clips Pickup filled earlier.  The layout pass
    # kept only names that start with a tag's first letter or hold a "-": on a big
    # cut almost every name fails those cheap tests.
    for trk in video:
        for entry in trk.layout.named:
            item = entry.item
            if (trk.stack_index, entry.start) in found:
                continue
            name = item.name
            mark = (parse_mark(name, tags) if name.lstrip()[:1].upper() in initials
                    else None)
            if mark:
                add(trk, entry, mark, "placeholder")
            elif "-" in name and isinstance(item, otio.schema.Clip) and slot_id_from_name(
                    name):
                # Clips Pickup filled carry the slot id in their name (metadata is read
                # only for those: reading every clip's metadata is slow on big cuts).
                meta = _pickup_meta(item) or {}
                stored: object = meta.get("mark")
                how: MarkKind = stored if stored in ("marker", "placeholder",
                                                     "unmarked") else "marker"
                add(trk, entry, None, how)

    # 3. Unmarked holes in the picture.
    if all_gaps:
        for trk in video:
            for entry in trk.entries:
                if not entry.is_gap or entry.duration <= 0:
                    continue
                if (trk.stack_index, entry.start) in found:
                    continue
                if _is_hole(entry, trk, video):
                    add(trk, entry, None, "unmarked")

    return sorted(found.values(), key=lambda s: (s.start, s.track_index))


def _add_project_mark(smark: SlotMark, video: list[_Track], start_frame: int, rate: float,
                      add: Any, warn: list[str]) -> None:
    """Locate one project mark on its track and ``add`` it (see :func:`find_slots`)."""
    tc = frames_to_timecode(smark.record_in, rate)
    what = f"clip {smark.clip_name!r}" if smark.item == "clip" else "gap"
    trk = next((t for t in video if t.label == smark.track), None)
    if trk is None:
        warn.append(f"the {what} marked in Pickup at {smark.track} {tc} is gone: the "
                    f"sequence has no track {smark.track}; `pickup unmark` drops the mark")
        return
    frame = smark.record_in - start_frame
    mark = Mark(tag="", kind=smark.kind, prompt=smark.prompt, text=PROJECT_MARK_TEXT)
    hit = trk.at(frame)
    if hit is not None and hit.start == frame and not hit.is_gap and \
            slot_id_from_name(hit.item.name):
        add(trk, hit, mark, "project")  # the clip Pickup filled the slot with
        return
    if smark.item == "gap":
        if hit is not None and hit.is_gap:
            end = min(frame + smark.duration, hit.start + hit.duration)
            add(trk, hit, mark, "project", frame, end - frame)
            return
    else:
        if hit is not None and hit.start == frame and not hit.is_gap and \
                hit.item.name == smark.clip_name:
            add(trk, hit, mark, "project")
            return
        named = [e for e in trk.entries if not e.is_gap and e.item.name == smark.clip_name
                 and isinstance(e.item, otio.schema.Clip)]
        if len(named) == 1:  # the clip moved on its track
            add(trk, named[0], mark, "project")
            return
    warn.append(f"the {what} marked in Pickup at {smark.track} {tc} is not there any "
                "more; mark it again in the panel or with `pickup mark`, or drop it with "
                "`pickup unmark`")


def _search_order(video: list[_Track], frame: int) -> list[_Track]:
    """Where a sequence (or track-less) marker looks, in order:

    1. a clip Pickup already filled for it (it carries a slot id), top track down: the
       mark is served, and filling it must not move the slot to the next hole;
    2. a placeholder clip named with the tag, top track down;
    3. a gap, V1 up (the hole in the picture);
    4. an untagged slug, solid colour or offline clip, top track down.
    A title or slug laid over a hole is not the slot: the hole under it is.
    """
    hits = [(trk, trk.at(frame)) for trk in video]
    clips = [(trk, hit) for trk, hit in reversed(hits)
             if hit is not None and isinstance(hit.item, otio.schema.Clip)]
    order = [trk for trk, hit in clips if slot_id_from_name(hit.item.name)]
    order += [trk for trk, hit in clips if parse_mark(hit.item.name) and trk not in order]
    order += [trk for trk, hit in hits if hit is not None and hit.is_gap]
    order += [trk for trk, hit in clips
              if _is_placeholder_ref(hit.item) and trk not in order]
    return order


def _is_hole(entry: Entry, trk: _Track, video: list[_Track]) -> bool:
    """True when no other video track shows picture over ``entry`` and no lower track
    already has a gap there (that one is reported instead)."""
    lo, hi = entry.start, entry.start + entry.duration
    for other in video:
        if other is trk:
            continue
        pos = max(bisect.bisect_right(other.starts, lo) - 1, 0)
        while pos < len(other.entries) and other.entries[pos].start < hi:
            e = other.entries[pos]
            if e.start + e.duration > lo:
                if not e.is_gap:
                    return False
                if other.number < trk.number:
                    return False
            pos += 1
    return True


@dataclass(frozen=True)
class MarkerCensus:
    """The markers/locators of a timeline, for saying why no slot was found."""

    markers: int
    samples: tuple[str, ...]  # the first few marker texts, as the editor wrote them


def marker_census(timeline: otio.schema.Timeline, limit: int = 3) -> MarkerCensus:
    """Count every marker of the sequence, its tracks and their items (nested too)."""
    count = 0
    samples: list[str] = []

    def seen(markers: Iterable[otio.schema.Marker]) -> None:
        nonlocal count
        for marker in markers:
            count += 1
            if len(samples) < limit:
                text = next(iter(marker_texts(marker.name, marker.metadata)), "")
                samples.append(text.strip() or "(no name)")

    seen(timeline.tracks.markers[:])
    for track in timeline.tracks:
        seen(track.markers[:])
        for item in track.find_children():
            markers = getattr(item, "markers", None)
            if markers:
                seen(markers[:])
    return MarkerCensus(count, tuple(samples))
