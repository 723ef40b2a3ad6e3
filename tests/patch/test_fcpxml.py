"""FCPXML write-back: the gap splits around a new asset-clip; markers move; the rest stays."""

from __future__ import annotations

import re

import pytest

from pickup.cli import main
from pickup.errors import SlotError
from pickup.timeline import place_all, read_timeline
from pickup.timeline.writeback import write_back
from tests.patch.conftest import assert_slot_filled, diff_lines, fill, make_slot, placement


def _markers(data: bytes) -> list[str]:
    return re.findall(r'<marker [^>]*value="([^"]*)"', data.decode())


def test_gap_split_marker_moves_onto_clip(fixture_copy, media):
    src = fixture_copy("fcpx_example.fcpxml")
    # The 30s..40s gap of the project's storyline carries "Marker 9" at 6.5 s in.
    before, after, places, out = fill(src, [(1, 1080, 60, "gap")], media(30))
    assert_slot_filled(after, places[0])
    assert round(after.timeline.duration().value) == round(before.timeline.duration().value)
    assert len(after.timeline.tracks) == len(before.timeline.tracks)
    original, patched = src.read_bytes(), out.read_bytes()
    assert sorted(_markers(patched)) == sorted(_markers(original))
    removed, added = diff_lines(original, patched)
    assert [r.strip() for r in removed] == [
        '<gap name="Gap" offset="30s" duration="10s" start="3600s">',
        '<marker start="2596698013/720000s" duration="1/48000s" value="Marker 9"/>',
        "</gap>"]
    text = "\n".join(added)
    assert '<asset-clip name="V1-T0001080" offset="36s"' in text
    assert 'value="Marker 9"' in text and "<asset id=" in text and "<format id=" in text
    clip = next(c for c in after.timeline.find_clips() if c.name == "V1-T0001080")
    # OTIO's reader drops markers on gaps; on the new clip it finally sees this one.
    assert [m.name for m in clip.markers] == ["Marker 9"]


def test_two_adjacent_slots_and_ids_unique(fixture_copy, media):
    src = fixture_copy("fcpx_example.fcpxml")
    _, after, places, out = fill(src, [(1, 300, 100, "gap"), (1, 400, 100, "gap")],
                                      media(30))
    for p in places:
        assert_slot_filled(after, p)
    ids = re.findall(r'\bid="([^"]+)"', out.read_text())
    assert len(ids) == len(set(ids))
    assert out.read_text().count("<format id=") == src.read_text().count("<format id=") + 1


def test_connected_lane_is_refused(fixture_copy, media):
    src = fixture_copy("fcpx_example.fcpxml")
    loaded = read_timeline(src)
    p = placement(make_slot(loaded, 2, 0, 60, "gap"), media(30))
    out = src.with_name("o.fcpxml")
    with pytest.raises(SlotError, match="primary storyline"):
        write_back(loaded, place_all(loaded.timeline, [p]), [p], out)
    assert not out.exists()


def test_clips_only_file_is_bad_input(fixture_copy, media, capsys):
    src = fixture_copy("fcpx_clips.fcpxml")
    assert main(["place", str(src), "V1-00000000", str(media(30))]) == 2
    assert "no sequence" in capsys.readouterr().err
