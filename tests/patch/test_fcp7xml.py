"""FCP7 XML write-back: only the filled slots change; every other line stays byte-identical."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from pickup.cli import main
from pickup.timeline import find_slots, read_timeline
from tests.patch.conftest import (
    assert_slot_filled,
    assert_untouched_equal,
    diff_lines,
    fill,
    marker_count,
)


def _otio_writer_counts(loaded) -> tuple[int, int]:
    text = otio.adapters.write_to_string(loaded.timeline, "fcp_xml")
    back = otio.adapters.read_from_string(text, "fcp_xml")
    if isinstance(back, otio.schema.SerializableCollection):
        back = next(iter(back.find_children(descended_from_type=otio.schema.Timeline)))
    return marker_count(back), len(back.tracks)


def test_gap_on_v2_above_clips_and_at_sequence_start(fixture_copy, media):
    src = fixture_copy("premiere_example.xml")
    # V2 113..165 lies between two clips, above V1's gap; V1 0..100 is the very start.
    before, after, places, out = fill(src, [(2, 113, 52, "gap"), (1, 0, 100, "gap")],
                                      media(30))
    for p in places:
        assert_slot_filled(after, p)
    assert_untouched_equal(before, after, places)
    assert marker_count(after.timeline) == marker_count(before.timeline) == 4
    removed, added = diff_lines(src.read_bytes(), out.read_bytes())
    assert removed == []  # gaps: pure insertion, nothing else touched
    assert sum("<clipitem id=\"clipitem-pickup-" in line for line in added) == 2
    assert any("<pathurl>file://" in line for line in added)
    ours = marker_count(after.timeline), len(after.timeline.tracks)
    theirs = _otio_writer_counts(before)
    assert ours[0] >= theirs[0] and ours[1] >= theirs[1]


def test_two_adjacent_slots(fixture_copy, media):
    src = fixture_copy("premiere_example.xml")
    before, after, places, out = fill(src, [(2, 113, 20, "gap"), (2, 133, 32, "gap")],
                                      media(30))
    for p in places:
        assert_slot_filled(after, p)
    assert_untouched_equal(before, after, places)
    removed, _ = diff_lines(src.read_bytes(), out.read_bytes())
    assert removed == []
    ids = [c.metadata["fcp_xml"].get("masterclipid") for c in after.timeline.find_clips()
           if c.name.startswith("V2-T")]
    assert len(ids) == 2 and len(set(ids)) == 2


def test_generator_placeholder_23976_keeps_everything_else(fixture_copy, media):
    src = fixture_copy("premiere_generators.xml")
    before, after, places, out = fill(src, [(1, 383, 119, "clip")], media(24000 / 1001))
    assert abs(before.rate - 24000 / 1001) < 1e-6
    assert_slot_filled(after, places[0])
    assert_untouched_equal(before, after, places)
    removed, added = diff_lines(src.read_bytes(), out.read_bytes())
    text = src.read_text()
    element = text[text.index('<generatoritem id="clipitem-3">'):
                   text.index("</generatoritem>") + len("</generatoritem>")]
    # Only lines of the placeholder element went; every other line is as it was.
    assert all(line.strip() in element for line in removed)
    assert "<ntsc>TRUE</ntsc>" in "\n".join(added)
    assert not isinstance(after.timeline.tracks[0][2].media_reference,
                          otio.schema.GeneratorReference)


def test_cli_place_with_gen_sequence_marker(fixture_copy, media, capsys):
    src = fixture_copy("premiere_example.xml")
    text = src.read_text()
    marker = ("<marker><name>GEN insert: hands on the wheel</name><comment></comment>"
              "<in>0</in><out>13</out></marker>\n\t\t")
    at = text.index("<marker>", text.index("</media>", text.index("</sequence>")))  # sequence level
    src.write_text(text[:at] + marker + text[at:])
    loaded = read_timeline(src)
    slots = [s for s in find_slots(loaded.timeline, rate=loaded.rate) if s.mark == "marker"]
    assert [(s.track, s.start, s.duration) for s in slots] == [("V1", 0, 13)]
    out = src.with_name("out.xml")
    assert main(["place", str(src), slots[0].id, str(media(30)), "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip().endswith("out.xml")
    after = read_timeline(out)
    clip = [c for c in after.timeline.find_clips() if c.name == slots[0].id]
    assert len(clip) == 1
    assert marker_count(after.timeline) == marker_count(loaded.timeline)
    removed, _ = diff_lines(src.read_bytes(), out.read_bytes())
    assert removed == []


def test_sample_just_track_has_no_video_track(fixture_copy, media, capsys):
    from pickup.errors import SlotError
    from pickup.timeline import Slot, place_all
    from pickup.timeline.writeback import write_back
    from tests.patch.conftest import placement

    src = fixture_copy("sample_just_track.xml")
    loaded = read_timeline(src)
    slot = Slot(id="V1-00000000", track="V1", track_index=1, stack_index=0, track_name="",
                start=0, duration=10, rate=loaded.rate, kind=None, prompt=None,
                mark="unmarked", item="gap", item_name="")
    p = placement(slot, media(30))
    out = src.with_name("o.xml")
    try:
        write_back(loaded, place_all(loaded.timeline, []), [p], out)
    except SlotError as exc:
        assert "V1" in str(exc)
    else:
        raise AssertionError("expected SlotError")
    assert not out.exists()
    assert sorted(x.name for x in Path(src.parent).iterdir()) == ["sample_just_track.xml"]
