"""Slot detection on marked copies of real timelines."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import opentimelineio as otio

from pickup.timeline import find_slots, read_timeline
from tests.conftest import FIXTURES

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange


def _slots(path: Path, **kw: object):
    loaded = read_timeline(path)
    return loaded, find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame,
                              **kw)  # type: ignore[arg-type]


def test_unmarked_timeline_has_no_slots_unless_all_gaps() -> None:
    _, slots = _slots(FIXTURES / "gap_test.edl")
    assert slots == []
    _, slots = _slots(FIXTURES / "gap_test.edl", all_gaps=True)
    assert [(s.start, s.duration, s.mark) for s in slots] == [(24, 16, "unmarked"),
                                                              (64, 38, "unmarked")]


def test_otio_gap_marker_and_placeholder_clip(tmp_path: Path) -> None:
    timeline = otio.adapters.read_from_file(str(FIXTURES / "simple_cut.otio"))
    track = timeline.tracks[0]
    rate = track[0].trimmed_range().duration.rate
    gap = otio.schema.Gap(duration=RT(30, rate))
    gap.markers.append(otio.schema.Marker(name="GEN establishing: farm at dusk",
                                          marked_range=TR(RT(0, rate), RT(30, rate))))
    track.insert(1, gap)
    slug = otio.schema.Clip(name="GEN stunt: roof jump",
                            media_reference=otio.schema.GeneratorReference(generator_kind="Slug"),
                            source_range=TR(RT(0, rate), RT(20, rate)))
    track.append(slug)
    path = tmp_path / "marked.otio"
    otio.adapters.write_to_file(timeline, str(path))
    _, slots = _slots(path)
    assert [(s.kind, s.prompt, s.mark, s.item) for s in slots] == [
        ("establishing", "farm at dusk", "marker", "gap"),
        ("stunt", "roof jump", "placeholder", "clip")]
    first = track[0].trimmed_range().duration.value
    assert slots[0].start == first and slots[0].duration == 30
    assert slots[1].start == track.trimmed_range().duration.value - 20
    # Ids: track and record-in TC, stable across reads.
    assert all(re.fullmatch(r"V1-\d{8}", s.id) for s in slots)
    _, again = _slots(path)
    assert [s.id for s in again] == [s.id for s in slots]


def test_edl_loc_marks_black_event(tmp_path: Path) -> None:
    text = (FIXTURES / "gap_test.edl").read_text()
    text += ("004  BL       V     C        00:00:00:00 00:00:02:00 00:00:05:06 00:00:07:06 \n"
             "* LOC: 00:00:05:10 RED     GEN stunt: a car flips over the rail\n")
    path = tmp_path / "marked.edl"
    path.write_text(text)
    loaded, slots = _slots(path)
    assert len(slots) == 1
    slot = slots[0]
    assert (slot.kind, slot.prompt, slot.duration) == ("stunt", "a car flips over the rail", 48)
    assert slot.record_in(loaded.start_frame) == "00:00:05:06"


def test_premiere_sequence_marker_on_a_gap(tmp_path: Path) -> None:
    loaded = read_timeline(FIXTURES / "premiere_example.xml")
    # Find a frame where V1 has a gap.
    track = loaded.timeline.tracks[0]
    ranges = track.range_of_all_children()
    gap = next(item for item in track if isinstance(item, otio.schema.Gap))
    rng = ranges[gap]
    frame = int(rng.start_time.value) + 1
    text = (FIXTURES / "premiere_example.xml").read_text()
    marker = (f"<marker><comment>GEN insert: a phone screen lights up</comment>"
              f"<name>Marker 9</name><in>{frame}</in><out>-1</out></marker>")
    # The sequence's own markers close the <sequence>; add ours beside them.
    idx = text.rindex("<marker>")
    path = tmp_path / "marked.xml"
    path.write_text(text[:idx] + marker + text[idx:])
    loaded, slots = _slots(path)
    marked = [s for s in slots if s.mark == "marker"]
    assert len(marked) == 1
    assert marked[0].kind == "insert"
    assert marked[0].start == int(rng.start_time.value)
    assert marked[0].duration == int(rng.duration.value)


def test_aaf_locator_comment_on_filler() -> None:
    loaded = read_timeline(FIXTURES / "multiple_markers.aaf")
    hits = 0
    for track in loaded.timeline.tracks:
        for item in track:
            for marker in getattr(item, "markers", []):
                if isinstance(item, otio.schema.Gap) and hits == 0:
                    marker.metadata["AAF"]["Comment"] = "GEN plate: night sky over the city"
                    hits += 1
    assert hits == 1
    slots = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame)
    assert [(s.kind, s.prompt, s.item) for s in slots] == [
        ("plate", "night sky over the city", "gap")]


def test_sequence_marker_over_picture_warns(tmp_path: Path) -> None:
    timeline = otio.adapters.read_from_file(str(FIXTURES / "simple_cut.otio"))
    rate = timeline.tracks[0][0].trimmed_range().duration.rate
    timeline.tracks.markers.append(otio.schema.Marker(
        name="GEN cutaway: clock", marked_range=TR(RT(2, rate), RT(0, rate))))
    warnings: list[str] = []
    slots = find_slots(timeline, rate=rate, warnings=warnings)
    assert slots == []
    assert "sits over no gap" in warnings[0]


def test_all_gaps_skips_gaps_covered_by_other_tracks() -> None:
    _, slots = _slots(FIXTURES / "premiere_example.xml", all_gaps=True)
    loaded = read_timeline(FIXTURES / "premiere_example.xml")
    video = [t for t in loaded.timeline.tracks if t.kind == "Video"]
    for slot in slots:
        for other in video:
            if other is video[slot.track_index - 1]:
                continue
            for item, rng in other.range_of_all_children().items():
                if isinstance(item, (otio.schema.Gap, otio.schema.Transition)):
                    continue
                s, e = rng.start_time.value, rng.end_time_exclusive().value
                assert e <= slot.start or s >= slot.end, f"{slot.id} is under {item.name}"


def test_multitrack_copy_is_not_modified(tmp_path: Path) -> None:
    src = tmp_path / "multitrack.otio"
    shutil.copy(FIXTURES / "multitrack.otio", src)
    before = src.read_bytes()
    _slots(src, all_gaps=True)
    assert src.read_bytes() == before


def test_sequence_marker_prefers_the_hole_under_a_title_and_stays_put_once_filled(
        tmp_path: Path) -> None:
    """premiere_example.xml has a slug title on V3 over a hole on V1 at frame 120: the
    sequence marker's slot is the V1 hole, and after filling it the same marker still
    names the filled clip (no new slot appears in the next hole up)."""
    from fractions import Fraction

    from pickup.timeline import PlacedMedia, Placement, place_all

    text = (FIXTURES / "premiere_example.xml").read_text()
    idx = text.rindex("<marker>")
    marker = ("<marker><comment>GEN establishing: a harbour at dawn</comment>"
              "<name>Marker 9</name><in>120</in><out>-1</out></marker>")
    path = tmp_path / "marked.xml"
    path.write_text(text[:idx] + marker + text[idx:])
    loaded, slots = _slots(path)
    assert [(s.track, s.item, s.start) for s in slots] == [("V1", "gap", 0)]
    media = PlacedMedia(path=tmp_path / "t.mov", frames=slots[0].duration, rate=Fraction(30))
    filled = place_all(loaded.timeline, [Placement(slot=slots[0], media=media)])
    again = find_slots(filled, rate=loaded.rate, start_frame=loaded.start_frame)
    assert [(s.id, s.filled) for s in again] == [(slots[0].id, True)]
