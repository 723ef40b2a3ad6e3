"""AAF write-back with pyaaf2: the patched component and the new mobs are the only change."""

from __future__ import annotations

from pathlib import Path

import aaf2
import opentimelineio as otio
import pytest

from pickup.errors import SlotError
from pickup.timeline import find_slots, place_all, read_timeline
from pickup.timeline.writeback import write_back
from tests.patch.conftest import (
    aaf_walk,
    assert_slot_filled,
    assert_untouched_equal,
    fill,
    item_at,
    make_slot,
    marker_count,
    placement,
)


def _otio_writer(loaded, tmp: Path) -> tuple[int, int, int]:
    out = tmp / "otio_writer.aaf"
    otio.adapters.write_to_file(loaded.timeline, str(out), adapter_name="AAF")
    back = read_timeline(out)
    return (marker_count(back.timeline), len(back.timeline.tracks),
            round(back.timeline.duration().value))


def _walk_diff(src: Path, out: Path, places) -> None:
    """Walk both files: every original mob is unchanged except the top-level sequence,
    whose only change is the patched picture layer; new mobs link the media."""
    a, b = aaf_walk(src), aaf_walk(out)
    added = set(b) - set(a)
    assert not set(a) - set(b)
    with aaf2.open(str(src), "r") as f:
        top = str(next(iter(f.content.toplevel())).mob_id)
    for mob_id, mob in a.items():
        if mob_id != top:
            assert b[mob_id] == mob, mob["name"]
    assert b[top]["comments"] == a[top]["comments"]
    changed_slots = [sa[0] for sa, sb in zip(a[top]["slots"], b[top]["slots"], strict=True)
                     if sa != sb]
    assert len(changed_slots) == len({p.slot.track_index for p in places}) or len(
        changed_slots) == 1  # layers of one NestedScope live in one slot
    kinds = sorted(b[m]["class"] for m in added)
    assert kinds == sorted(["MasterMob", "SourceMob", "SourceMob"] * len(places))
    names = {b[m]["name"] for m in added if b[m]["class"] == "MasterMob"}
    assert names == {p.name for p in places}
    with aaf2.open(str(out), "r") as f:
        urls = [loc["URLString"].value for mob in f.content.sourcemobs()
                for loc in getattr(mob.descriptor, "locator", []) or []]
    assert any(u.endswith(Path(places[0].media.path).name) for u in urls)


@pytest.mark.parametrize("name,slots", [
    ("2997fps.aaf", [(1, 0, 28, "clip")]),                     # 29.97, sequence start
    ("30fps.aaf", [(1, 120, 38, "clip")]),                      # sequence end
    ("one_clip.aaf", [(1, 0, 10, "clip")]),                      # start and end at once
    ("multitrack.aaf", [(1, 2677, 100, "gap"), (1, 2777, 100, "gap")]),  # two adjacent
    ("transitions.aaf", [(1, 206, 17, "gap")]),
    ("trims.aaf", [(1, 2038, 108, "gap")]),
    ("multiple_markers.aaf", [(2, 100, 40, "gap")]),             # V2 above clips
    ("simple.aaf", [(1, 0, None, "clip")]),
])
def test_every_aaf_fixture(fixture_copy, media, tmp_path, name, slots):
    src = fixture_copy(name)
    loaded = read_timeline(src)
    if slots[0][2] is None:
        clips = [c for c in loaded.timeline.tracks[0] if isinstance(c, otio.schema.Clip)]
        short = min(clips, key=lambda c: c.duration().value)
        slots = [(1, round(short.range_in_parent().start_time.value),
                  round(short.duration().value), "clip")]
    if name == "30fps.aaf":
        last = list(loaded.timeline.tracks[0])[-1]
        slots = [(1, round(last.range_in_parent().start_time.value),
                  round(last.duration().value), "clip")]
    before, after, places, out = fill(src, slots, media(loaded.rate))
    for p in places:
        assert_slot_filled(after, p)
    assert_untouched_equal(before, after, places)
    # Locators of the sequence all stay (the walk below checks every DescriptiveMarker);
    # OTIO also shows markers of a replaced placeholder's own source, which go with it.
    from_sources = sum(len(item_at(before.timeline, p.slot.stack_index, p.slot.start,
                                   before.rate).markers) for p in places if p.slot.item == "clip")
    assert marker_count(after.timeline) >= marker_count(before.timeline) - from_sources
    _walk_diff(src, out, places)
    ours = (marker_count(after.timeline), len(after.timeline.tracks),
            round(after.timeline.duration().value))
    if name not in ("multiple_markers.aaf", "transitions.aaf", "one_clip.aaf"):
        return  # OTIO's own writer is slow; it is compared on the files it damages
    theirs = _otio_writer(before, tmp_path)
    assert ours[0] >= theirs[0] and ours[1] >= theirs[1]
    if name == "one_clip.aaf":
        assert theirs[0] == 0  # its locator is dropped by OTIO's writer
    if name == "multiple_markers.aaf":
        assert ours[:2] == (10, 5) and theirs[:2] == (0, 2)
    if name == "transitions.aaf":
        assert ours[2] == 521 and theirs[2] == 701


def test_unmarked_gap_from_the_scan(fixture_copy, media):
    src = fixture_copy("trims.aaf")
    loaded = read_timeline(src)
    slot = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame,
                      all_gaps=True)[0]
    p = placement(slot, media(24))
    out = src.with_name("out.aaf")
    write_back(loaded, place_all(loaded.timeline, [p]), [p], out)
    after = read_timeline(out)
    assert_slot_filled(after, p)
    assert after.start_frame == loaded.start_frame


def test_transition_overlapping_gap_is_refused(fixture_copy, media):
    src = fixture_copy("transitions.aaf")
    loaded = read_timeline(src)
    p = placement(make_slot(loaded, 1, 194, 53, "gap"), media(24))
    out = src.with_name("out.aaf")
    with pytest.raises(SlotError, match="transition"):
        write_back(loaded, place_all(loaded.timeline, [p]), [p], out)
    assert sorted(x.name for x in src.parent.iterdir()) == ["transitions.aaf"]
