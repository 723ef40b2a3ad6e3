"""EDL write-back: new events in record order, LOC lines and comments kept, an ALE beside it."""

from __future__ import annotations

import re

import opentimelineio as otio
import pytest

from pickup.cli import main
from pickup.timeline import find_slots, read_timeline
from tests.patch.conftest import (
    assert_slot_filled,
    assert_untouched_equal,
    diff_lines,
    fill,
    marker_count,
)

_NUM = re.compile(r"^\d+\s+")


def _only_renumbered(removed: list[str], added: list[str]) -> None:
    """Every removed line comes back with at most its event number changed."""
    stripped_added = {_NUM.sub("", line) for line in added}
    for line in removed:
        assert _NUM.sub("", line) in stripped_added, line


def _otio_writer(loaded) -> tuple[int, int]:
    text = otio.adapters.write_to_string(loaded.timeline, "cmx_3600")
    back = otio.adapters.read_from_string(text, "cmx_3600", rate=loaded.rate)
    return marker_count(back), len(back.tracks)


def test_gap_test_two_adjacent_slots_and_ale(fixture_copy, media):
    src = fixture_copy("gap_test.edl")
    before, after, places, out = fill(src, [(1, 24, 16, "gap"), (1, 64, 20, "gap"),
                                            (1, 84, 18, "gap")], media(24))
    for p in places:
        assert_slot_filled(after, p)
    assert_untouched_equal(before, after, places)
    removed, added = diff_lines(src.read_bytes(), out.read_bytes())
    _only_renumbered(removed, added)
    text = out.read_text()
    assert text.startswith("TITLE:   gap test\nFCM: NON-DROP FRAME\n")
    numbers = [int(line[:3]) for line in text.splitlines() if line[:3].isdigit()]
    assert numbers == list(range(1, 7))
    reels = re.findall(r"^\d+\s+(\S+)", text, re.MULTILINE)
    assert len(set(reels)) == len(reels) and all(len(r) <= 8 for r in reels)
    ale = out.with_name("gap_test.pickup.ale")
    clips = otio.adapters.read_from_file(str(ale), adapter_name="ale")
    by_name = {c.name: c for c in clips}
    assert set(by_name) == {p.name for p in places}
    for p in places:
        clip = by_name[p.name]
        assert clip.metadata["ALE"]["Tape"] in reels
        assert clip.metadata["ALE"]["FPS"] == "24"
        assert clip.media_reference.target_url == str(p.media.path.resolve())
        assert clip.source_range.duration.value == p.media.frames  # End is exclusive
    assert not list(src.parent.glob(".*"))  # no temp files left


def test_screening_placeholder_keeps_loc_lines(fixture_copy, media):
    src = fixture_copy("screening_example.edl")
    # Event 004 carries two LOCs; event 001 starts the sequence.
    before, after, places, out = fill(src, [(1, 109, 115, "clip"), (1, 0, 31, "clip")],
                                      media(24))
    for p in places:
        assert_slot_filled(after, p)
    assert_untouched_equal(before, after, places)
    assert marker_count(after.timeline) == marker_count(before.timeline) == 3
    text = out.read_text()
    assert "* LOC: 01:00:01:14 RED     ANIM FIX NEEDED" in text
    assert "* LOC: 01:00:02:14 PINK     ANIM FIX NEEDED" in text
    removed, _ = diff_lines(src.read_bytes(), out.read_bytes())
    # Only the two events' lines and their clip-name/source comments changed.
    assert all(("ZZ100_50" in line) or "CLIP NAME" in line or "SOURCE FILE" in line
               for line in removed), removed
    ours = marker_count(after.timeline), len(after.timeline.tracks)
    theirs = _otio_writer(before)
    assert ours[0] >= theirs[0] and ours[1] >= theirs[1]


@pytest.mark.parametrize("name,track,start,dur", [
    ("avid_example.edl", 1, 0, 31), ("premiere_example.edl", 1, 0, 31),
    ("25fps.edl", 1, 0, 20), ("dissolve_test.edl", 1, 19, 1)])
def test_every_edl_fixture(fixture_copy, media, name, track, start, dur):
    src = fixture_copy(name)
    loaded = read_timeline(src)
    item = next(i for i in loaded.timeline.tracks[0]
                if round(i.range_in_parent().start_time.value) == start
                and not isinstance(i, otio.schema.Transition))
    dur = round(item.range_in_parent().duration.value)
    before, after, places, out = fill(src, [(track, start, dur, "clip")], media(loaded.rate))
    assert_slot_filled(after, places[0])
    assert_untouched_equal(before, after, places)
    assert marker_count(after.timeline) == marker_count(before.timeline)
    removed, added = diff_lines(src.read_bytes(), out.read_bytes())
    assert len(removed) <= 3 and any("PKUP0001" in a for a in added)


def test_cli_loc_marked_event(fixture_copy, media, capsys):
    src = fixture_copy("gap_test.edl")
    text = src.read_text().replace("FROM CLIP NAME: shot2\n",
                                   "FROM CLIP NAME: shot2\n* LOC: 00:00:01:16 YELLOW GEN insert: "
                                   "a hand\n")
    src.write_text(text)
    loaded = read_timeline(src)
    slots = [s for s in find_slots(loaded.timeline, rate=loaded.rate) if s.mark == "marker"]
    assert len(slots) == 1 and slots[0].item == "clip"
    out = src.with_name("cut.edl")
    assert main(["place", str(src), slots[0].id, str(media(24)), "-o", str(out)]) == 0
    result = out.read_text()
    assert "* LOC: 00:00:01:16 YELLOW GEN insert: a hand" in result
    assert f"* FROM CLIP NAME: {slots[0].id}" in result
    assert out.with_name("cut.pickup.ale").is_file()


def test_multi_audio_has_no_picture_track(fixture_copy, media, capsys):
    src = fixture_copy("multi_audio.edl")
    assert main(["place", str(src), "V1-00000000", str(media(24))]) == 2
    assert "no slot" in capsys.readouterr().err
    # Nothing but the rate Pickup remembers for the cut (said once, see edl_rate).
    assert sorted(p.name for p in src.parent.iterdir()) in (
        ["multi_audio.edl"], ["multi_audio.edl", "multi_audio.pickup"])
    assert {p.name for p in src.with_name("multi_audio.pickup").glob("*")} <= {"timeline.json"}


def test_cli_fill_edl_default_profile_names_the_mxf(fixture_copy, tmp_path, monkeypatch,
                                                    capsys):
    """``pickup fill cut.edl`` conforms to DNxHR HQ MXF by default: the EDL's
    ``* SOURCE FILE:``/``* FROM FILE:`` and the ALE's Source File name the .mxf."""
    from tests.patch.conftest import DNXHR_SIZE

    monkeypatch.setenv("PICKUP_CONFIG", str(tmp_path / "no-config.toml"))
    src = fixture_copy("gap_test.edl")
    code = main(["fill", str(src), "--all-gaps", "--provider", "previz",
                 "--size", f"{DNXHR_SIZE[0]}x{DNXHR_SIZE[1]}"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    out = src.with_name("gap_test.pickup.edl")
    assert captured.out.strip().splitlines()[-1] == str(out)
    takes = sorted((src.parent / "gap_test.pickup" / "media").iterdir())
    assert [t.suffix for t in takes] == [".mxf", ".mxf"]
    text = out.read_text()
    for key in ("* FROM FILE:", "* SOURCE FILE:"):
        named = sorted(line.split(": ", 1)[1] for line in text.splitlines()
                       if line.startswith(key))
        assert named == [str(t.resolve()) for t in takes], key
    clips = otio.adapters.read_from_file(str(src.with_name("gap_test.pickup.ale")),
                                         adapter_name="ale")
    assert sorted(c.media_reference.target_url for c in clips) == [
        str(t.resolve()) for t in takes]
    after = read_timeline(out)
    filled = [c for c in after.timeline.find_clips() if c.name.startswith("V1-")]
    assert sorted(c.media_reference.target_url.removeprefix("file://") for c in filled) == [
        str(t.resolve()) for t in takes]
