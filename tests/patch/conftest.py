"""Helpers for the write-back patcher tests: tiny real media, slots, walkers, diffs."""

from __future__ import annotations

import difflib
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

import aaf2
import opentimelineio as otio
import pytest

from pickup.media import probe
from pickup.timeline import PlacedMedia, Placement, Slot, place_all, read_timeline
from pickup.timeline.writeback import write_back
from tests.conftest import FIXTURES, make_video_file


def _make_clip(path: Path, rate: Fraction, frames: int) -> Path:
    return make_video_file(path, frames, rate=rate, size=(64, 36))


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory):
    """``media(rate)``: a real 720-frame 64x36 .mov at that rate (made once per rate)."""
    folder = tmp_path_factory.mktemp("media")
    made: dict[Fraction, Path] = {}

    def get(rate: float | Fraction = 24) -> Path:
        exact = Fraction(rate).limit_denominator(1001)
        if exact not in made:
            name = f"take_{exact.numerator}_{exact.denominator}.mov"
            made[exact] = _make_clip(folder / name, exact, 720)
        return made[exact]

    return get


@pytest.fixture
def fixture_copy(tmp_path: Path):
    """``fixture_copy(name)``: a copy of a shared fixture in tmp_path (inputs stay pristine)."""

    def get(name: str) -> Path:
        dest = tmp_path / name
        shutil.copyfile(FIXTURES / name, dest)
        return dest

    return get


def video_stack_index(timeline: otio.schema.Timeline, number: int) -> int:
    video = [i for i, t in enumerate(timeline.tracks) if t.kind == otio.schema.TrackKind.Video]
    return video[number - 1]


def make_slot(loaded: Any, track: int, start: int, duration: int, item: str,
              slot_id: str | None = None) -> Slot:
    """A slot as the scan would list it (tests pick places the scan would not mark)."""
    return Slot(id=slot_id or f"V{track}-T{start:07d}", track=f"V{track}", track_index=track,
                stack_index=video_stack_index(loaded.timeline, track), track_name="",
                start=start, duration=duration, rate=loaded.rate, kind=None, prompt=None,
                mark="unmarked", item=item, item_name="")


def placement(slot: Slot, media_path: Path) -> Placement:
    info = probe(media_path)
    return Placement(slot=slot, media=PlacedMedia(path=info.path, frames=info.frames,
                                                  rate=info.rate, width=info.width,
                                                  height=info.height))


def fill(src: Path, slots: list[tuple[int, int, int, str]], media_path: Path,
         out: Path | None = None) -> tuple[Any, Any, list[Placement], Path]:
    """Read ``src``, place ``media_path`` into each (track, start, duration, item),
    write back next to it; returns (loaded input, loaded output, placements, out)."""
    loaded = read_timeline(src)
    places = [placement(make_slot(loaded, *s), media_path) for s in slots]
    edited = place_all(loaded.timeline, places)
    out = out or src.with_name(f"{src.stem}.pickup{src.suffix}")
    write_back(loaded, edited, places, out)
    return loaded, read_timeline(out), places, out


def item_at(timeline: otio.schema.Timeline, stack_index: int, start: int, rate: float
            ) -> otio.core.Item:
    track = timeline.tracks[stack_index]
    for item in track:
        if isinstance(item, otio.schema.Transition):
            continue
        rng = item.range_in_parent()
        if round(rng.start_time.value_rescaled_to(rate)) == start:
            return item
    raise AssertionError(f"nothing starts at {start} on track {stack_index}")


def assert_slot_filled(after: Any, place: Placement) -> None:
    """The slot holds a clip referencing the media with exactly the slot's record range."""
    slot = place.slot
    item = item_at(after.timeline, slot.stack_index, slot.start, after.rate)
    assert isinstance(item, otio.schema.Clip), type(item)
    rng = item.range_in_parent()
    assert round(rng.duration.value_rescaled_to(after.rate)) == slot.duration
    url = item.media_reference.target_url
    target = Path(url[7:] if url.startswith("file://") else url)
    assert target.resolve() == Path(place.media.path).resolve()
    assert place.name in (item.name or "") or place.name == item.name


def signature(timeline: otio.schema.Timeline, rate: float) -> list[tuple[Any, ...]]:
    """(track, kind, name, start, duration, markers) of every item, for before/after."""
    out = []
    for ti, track in enumerate(timeline.tracks):
        for item in track:
            rng = item.range_in_parent() if not isinstance(item, otio.schema.Transition) \
                else None
            start = round(rng.start_time.value_rescaled_to(rate)) if rng else None
            dur = round(rng.duration.value_rescaled_to(rate)) if rng else None
            out.append((ti, type(item).__name__, item.name, start, dur,
                        len(getattr(item, "markers", []))))
    return out


def marker_count(timeline: otio.schema.Timeline) -> int:
    n = len(timeline.tracks.markers) + sum(len(t.markers) for t in timeline.tracks)
    return n + sum(len(i.markers) for i in timeline.find_children()
                   if isinstance(i, otio.core.Item))


def assert_untouched_equal(before: Any, after: Any, places: list[Placement]) -> None:
    """Tracks, clip counts (+ the filled), duration and every untouched item are equal."""
    tb, ta = before.timeline, after.timeline
    assert len(ta.tracks) == len(tb.tracks)
    assert ta.duration().value_rescaled_to(before.rate) == pytest.approx(
        tb.duration().value_rescaled_to(before.rate))
    filled = {(p.slot.stack_index, p.slot.start) for p in places}
    new_clips = sum(1 for p in places if p.slot.item == "gap")
    assert len(list(ta.find_clips())) == len(list(tb.find_clips())) + new_clips
    sig_after = signature(ta, after.rate)
    sig_before = signature(tb, before.rate)
    # Items outside the filled slots' tracks and ranges are identical.
    spans = {(p.slot.stack_index, p.slot.start, p.slot.end) for p in places}

    def outside(row: tuple[Any, ...]) -> bool:
        ti, _, _, start, dur, _ = row
        if start is None:
            return True
        return not any(ti == si and start < e and start + dur > s for si, s, e in spans)

    kept_before = [r for r in sig_before if outside(r) and r[1] != "Gap"]
    kept_after = [r for r in sig_after if outside(r) and r[1] != "Gap"]
    assert kept_after == kept_before
    # Gaps shrink by exactly the filled gap slots, track by track.
    for ti in range(len(tb.tracks)):
        gaps_before = sum(r[4] for r in sig_before if r[0] == ti and r[1] == "Gap")
        gaps_after = sum(r[4] for r in sig_after if r[0] == ti and r[1] == "Gap")
        filled_here = sum(p.slot.duration for p in places
                          if p.slot.stack_index == ti and p.slot.item == "gap")
        assert gaps_after == gaps_before - filled_here, ti
    assert filled  # at least one slot was filled


def diff_lines(a: bytes, b: bytes) -> tuple[list[str], list[str]]:
    """(lines removed from a, lines added in b)."""
    la = a.decode("utf-8", "replace").splitlines()
    lb = b.decode("utf-8", "replace").splitlines()
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, la, lb, autojunk=False
                                                       ).get_opcodes():
        if tag in ("replace", "delete"):
            removed += la[i1:i2]
        if tag in ("replace", "insert"):
            added += lb[j1:j2]
    return removed, added


def aaf_walk(path: Path) -> dict[str, Any]:
    """Every mob of an AAF: name, class, comments and each slot's component tree,
    with markers (DescriptiveMarker position, length, comment) and source references."""
    def comp(c: Any) -> Any:
        row: list[Any] = [type(c).__name__, getattr(c, "length", None)]
        if isinstance(c, aaf2.components.SourceClip):
            row += [str(c["SourceID"].value) if "SourceID" in c else None, c.start]
        if type(c).__name__ in ("DescriptiveMarker", "CommentMarker", "Event"):
            row += [c["Position"].value if "Position" in c else None,
                    c["Comment"].value if "Comment" in c else None,
                    sorted((k, str(v)) for k, v in c["CommentMarkerUser"].value.items())
                    if "CommentMarkerUser" in c and hasattr(c["CommentMarkerUser"].value, "items")
                    else None]
        if isinstance(c, aaf2.components.Sequence):
            row.append([comp(x) for x in c.components])
        if isinstance(c, aaf2.components.NestedScope):
            row.append([comp(x) for x in c["Slots"]])
        if isinstance(c, aaf2.components.OperationGroup):
            row.append([comp(x) for x in c["InputSegments"]])
        if isinstance(c, aaf2.components.Transition):
            row.append(comp(c["OperationGroup"].value))
        return row

    with aaf2.open(str(path), "r") as f:
        mobs = {}
        for mob in f.content.mobs:
            mobs[str(mob.mob_id)] = {
                "class": type(mob).__name__, "name": mob.name,
                "comments": sorted((k, str(v)) for k, v in mob.comments.items()),
                "slots": [(s.slot_id, type(s).__name__, str(s.media_kind), comp(s.segment))
                          for s in mob.slots],
            }
        return mobs


#: The smallest 16:9 size DNxHR HQ encodes here: FFmpeg's dnxhd encoder refuses a
#: width under 256 (64x36, 128x72, 160x90, 192x108 fail; 256x144 and 256x120 work).
DNXHR_SIZE = (256, 144)


@pytest.fixture(scope="session")
def dnxhr_take(tmp_path_factory: pytest.TempPathFactory):
    """``dnxhr_take(rate, frames, timecode, handles)``: a real take conformed by
    :func:`pickup.media.conform.conform` to DNxHR HQ in OP1a MXF, as ``pickup fill``
    makes for AAF and EDL (made once per argument set)."""
    from pickup.media.conform import ConformTarget, conform

    folder = tmp_path_factory.mktemp("dnxhr")
    made: dict[tuple[Any, ...], Path] = {}

    def get(rate: float | Fraction = 24, frames: int = 24, timecode: str = "01:00:00:00",
            handles: int = 0, audio: bool = False) -> Path:
        exact = Fraction(rate).limit_denominator(1001)
        key = (exact, frames, timecode, handles, audio)
        if key not in made:
            total = frames + 2 * handles
            src = folder / f"src_{exact.numerator}_{exact.denominator}_{total}.mov"
            if not src.exists():
                _make_clip(src, exact, total)
            dest = folder / f"take_{len(made):02d}.mxf"
            conform(src, ConformTarget(frames=frames, rate=exact, width=DNXHR_SIZE[0],
                                       height=DNXHR_SIZE[1], profile="dnxhr_hq",
                                       handles=handles, timecode=timecode, audio=audio,
                                       slot_id=f"take{len(made):02d}"), dest)
            made[key] = dest
        return made[key]

    return get
