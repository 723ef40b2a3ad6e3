"""AAF write-back of DNxHR HQ MXF takes, the codec ``pickup fill`` conforms to for Avid.

pyaaf2's MXF reader links the OP1a file FFmpeg writes: its material package becomes
the MasterMob and its file package the SourceMob (CDCIDescriptor, NetworkLocator to
the .mxf, the file's own timecode track).  Checked here on a real conformed take in
every AAF fixture with a gap, read back with OTIO and walked with pyaaf2.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import aaf2
import opentimelineio as otio
import pytest
from aaf2.auid import AUID

from pickup.cli import main
from pickup.media.probe import probe
from pickup.timeline import (
    PlacedMedia,
    Placement,
    frames_to_timecode,
    place_all,
    read_timeline,
)
from pickup.timeline.patch.aaf import _link_mxf, picture_layers
from pickup.timeline.writeback import write_back
from tests.patch.conftest import (
    DNXHR_SIZE,
    FIXTURES,
    aaf_walk,
    assert_slot_filled,
    assert_untouched_equal,
    item_at,
    make_slot,
    marker_count,
)

FIXTURES_TRIMS = FIXTURES / "trims.aaf"
AAFKLV = AUID("4b464141-000d-4d4f-060e-2b34010101ff")  # ContainerDef_AAFKLV


def mxf_placement(slot: Any, path: Path, handles: int = 0) -> Placement:
    """A placement as ``pickup fill`` makes it: start frame from the file's timecode."""
    info = probe(path)
    assert info.codec == "dnxhd" and info.start_timecode, info
    start = round(otio.opentime.from_timecode(info.start_timecode, float(info.rate)).value)
    return Placement(slot=slot, media=PlacedMedia(
        path=info.path, frames=info.frames, rate=info.rate, width=info.width,
        height=info.height, start_frame=start, handles=handles))


def _fill(src: Path, slots: list[tuple[int, int, int, str]], dnxhr_take: Any,
          handles: int = 0) -> tuple[Any, Any, list[Placement], Path]:
    """Conform one take per slot (timecode = the slot's record-in minus handles, as
    ``pickup fill`` does), place them and write back next to ``src``."""
    loaded = read_timeline(src)
    places = []
    for track, start, duration, item in slots:
        slot = make_slot(loaded, track, start, duration, item)
        tc = frames_to_timecode(loaded.start_frame + start - handles, loaded.rate)
        take = dnxhr_take(loaded.rate, duration, tc, handles)
        places.append(mxf_placement(slot, take, handles))
    out = src.with_name(f"{src.stem}.pickup.aaf")
    write_back(loaded, place_all(loaded.timeline, places), places, out)
    return loaded, read_timeline(out), places, out


def _top(f: Any) -> Any:
    return next(iter(f.content.toplevel()))


def _linked_clips(top: Any) -> list[Any]:
    """The SourceClips of the picture layers that point at a Pickup MasterMob."""
    clips: list[Any] = []

    def walk(seg: Any) -> None:
        if isinstance(seg, aaf2.components.Sequence):
            for comp in seg.components:
                walk(comp)
        elif isinstance(seg, aaf2.components.SourceClip):
            mob = seg.mob
            if isinstance(mob, aaf2.mobs.MasterMob) and "Pickup slot" in mob.comments:
                clips.append(seg)

    for _slot, _owner, _key, seg in picture_layers(top):
        walk(seg)
    return clips


def check_mxf_links(src: Path, out: Path, places: list[Placement]) -> None:
    """pyaaf2 walk: originals unchanged but for the patched layer; per distinct take one
    MasterMob + one file SourceMob; each slot's SourceClip points at the take's picture
    slot, with the right rate, length, start, timecode and NetworkLocator to the .mxf."""
    a, b = aaf_walk(src), aaf_walk(out)
    assert not set(a) - set(b)
    with aaf2.open(str(src), "r") as f:
        top_id = str(_top(f).mob_id)
        container_defs = len(f.dictionary["ContainerDefinitions"])
    for mob_id, mob in a.items():
        if mob_id != top_id:
            assert b[mob_id] == mob, mob["name"]
    assert b[top_id]["comments"] == a[top_id]["comments"]
    assert [s[:3] for s in b[top_id]["slots"]] == [s[:3] for s in a[top_id]["slots"]]
    takes = {Path(p.media.path).resolve() for p in places}
    added = sorted(b[m]["class"] for m in set(b) - set(a))
    assert added == sorted(["MasterMob", "SourceMob"] * len(takes))

    with aaf2.open(str(out), "r") as f:
        # Avid names AAFKLV "MXF": found by AUID, nothing registered twice.
        assert len(f.dictionary["ContainerDefinitions"]) == container_defs
        clips = _linked_clips(_top(f))
        assert len(clips) == len(places)
        for p in places:
            media = p.media
            clip = next(c for c in clips if c.length == p.slot.duration and
                        _url(c) == Path(media.path).resolve().as_uri())
            master = clip.mob
            assert str(master.mob_id) in b and master.name in {q.name for q in places}
            slot = master.slot_at(clip.slot_id)
            assert str(slot.media_kind) == "Picture"
            assert Fraction(str(slot.edit_rate)) == Fraction(media.rate)
            assert slot.segment.length == media.frames
            assert clip.start == media.handles and clip.length == p.slot.duration
            source = next(m for m in clip.mob.dependant_mobs()
                          if isinstance(m, aaf2.mobs.SourceMob))
            desc = source.descriptor
            assert isinstance(desc, aaf2.essence.CDCIDescriptor)
            assert desc["Length"].value == media.frames
            assert (desc["StoredWidth"].value, desc["SampledHeight"].value) == DNXHR_SIZE
            assert desc["ContainerFormat"].value.auid == AAFKLV
            assert _url(clip) == Path(media.path).resolve().as_uri()
            assert _url(clip).endswith(".mxf")
            tc = [s for s in source.slots if str(s.media_kind) == "Timecode"]
            assert len(tc) == 1 and tc[0]["PhysicalTrackNumber"].value == 1
            timecode = tc[0].segment.components[0]
            assert timecode.start == media.start_frame  # written into the MXF by conform


def _url(clip: Any) -> str:
    source = next(m for m in clip.mob.dependant_mobs() if isinstance(m, aaf2.mobs.SourceMob))
    urls = [loc["URLString"].value for loc in source.descriptor["Locator"]]
    assert len(urls) == 1, urls
    return urls[0]


def check_otio(before: Any, after: Any, places: list[Placement]) -> None:
    for p in places:
        assert_slot_filled(after, p)
        item = item_at(after.timeline, p.slot.stack_index, p.slot.start, after.rate)
        assert isinstance(item, otio.schema.Clip)
        assert item.media_reference.target_url.endswith(".mxf")
        # The clip's source starts at the slot's record-in timecode.
        assert round(item.source_range.start_time.value) == before.start_frame + p.slot.start
        available = item.available_range()
        assert round(available.duration.value) == p.media.frames
    assert_untouched_equal(before, after, places)
    from_sources = sum(len(item_at(before.timeline, p.slot.stack_index, p.slot.start,
                                   before.rate).markers) for p in places if p.slot.item == "clip")
    assert marker_count(after.timeline) >= marker_count(before.timeline) - from_sources


@pytest.mark.parametrize("name,slots", [
    ("multitrack.aaf", [(1, 2677, 24, "gap"), (1, 2701, 24, "gap")]),  # two adjacent
    ("transitions.aaf", [(1, 206, 17, "gap")]),                       # between dissolves
    ("trims.aaf", [(1, 2050, 24, "gap")]),                            # splits the Filler
    ("multiple_markers.aaf", [(2, 100, 24, "gap")]),                  # V2 above clips
    ("one_clip.aaf", [(1, 0, 10, "clip")]),                           # a placeholder
])
def test_dnxhr_mxf_take_in_every_aaf_fixture(fixture_copy, dnxhr_take, name, slots):
    src = fixture_copy(name)
    before, after, places, out = _fill(src, slots, dnxhr_take)
    check_otio(before, after, places)
    check_mxf_links(src, out, places)


def test_handles_start_the_clip_inside_the_take(fixture_copy, dnxhr_take):
    src = fixture_copy("trims.aaf")
    before, after, places, out = _fill(src, [(1, 2060, 20, "gap")], dnxhr_take, handles=2)
    assert places[0].media.frames == 24
    check_otio(before, after, places)
    check_mxf_links(src, out, places)


def test_one_take_in_two_slots_is_linked_once(fixture_copy, dnxhr_take):
    src = fixture_copy("multitrack.aaf")
    loaded = read_timeline(src)
    take = dnxhr_take(24, 24, "01:00:00:00")
    places = [mxf_placement(make_slot(loaded, 1, start, 24, "gap"), take)
              for start in (2677, 2800)]
    out = src.with_name("out.aaf")
    write_back(loaded, place_all(loaded.timeline, places), places, out)
    after = read_timeline(out)
    for p in places:  # one master clip, so one name (Avid shows the same clip twice)
        item = item_at(after.timeline, 0, p.slot.start, after.rate)
        assert isinstance(item, otio.schema.Clip) and item.name in {"V1-T0002677",
                                                                   "V1-T0002800"}
        assert item.media_reference.target_url == take.resolve().as_uri()
        assert round(item.source_range.duration.value) == 24
    check_mxf_links(src, out, places)
    with aaf2.open(str(out), "r") as f:
        clips = _linked_clips(_top(f))
        assert len({str(c.mob.mob_id) for c in clips}) == 1


def test_audio_take_links_its_picture(fixture_copy, dnxhr_take):
    src = fixture_copy("trims.aaf")
    loaded = read_timeline(src)
    take = dnxhr_take(24, 24, frames_to_timecode(loaded.start_frame + 2038, 24), audio=True)
    p = mxf_placement(make_slot(loaded, 1, 2038, 24, "gap"), take)
    out = src.with_name("out.aaf")
    write_back(loaded, place_all(loaded.timeline, [p]), [p], out)
    check_otio(loaded, read_timeline(out), [p])
    with aaf2.open(str(out), "r") as f:
        clip = _linked_clips(_top(f))[0]
        assert str(clip.mob.slot_at(clip.slot_id).media_kind) == "Picture"
        source = next(m for m in clip.mob.dependant_mobs() if isinstance(m, aaf2.mobs.SourceMob))
        desc = source.descriptor
        assert isinstance(desc, aaf2.essence.MultipleDescriptor)
        # Each descriptor's length is in its own sample rate: 1 s of picture and sound.
        assert [(d["Length"].value, str(d["SampleRate"].value))
                for d in desc["FileDescriptors"]] == [(24, "24"), (48000, "48000")]
        assert [loc["URLString"].value for loc in desc["Locator"]] == [
            Path(take).resolve().as_uri()]


def test_aafklv_is_registered_when_the_dictionary_lacks_it(tmp_path, dnxhr_take):
    """A non-Avid AAF without ContainerDef_AAFKLV gets it added to the copy's dictionary."""
    path = tmp_path / "bare.aaf"
    with aaf2.open(str(path), "w") as f:
        f.dictionary["ContainerDefinitions"].pop(AAFKLV)
    take = dnxhr_take(24, 12, "01:00:00:00")
    loaded = read_timeline(FIXTURES_TRIMS)
    p = mxf_placement(make_slot(loaded, 1, 2038, 12, "gap"), take)
    with aaf2.open(str(path), "rw") as f:
        assert f.dictionary["ContainerDefinitions"].get(AAFKLV) is None
        master, slot_id = _link_mxf(f, p, Path(take).resolve())
        assert master.slot_at(slot_id).segment.length == 12
    with aaf2.open(str(path), "r") as f:
        klv = f.dictionary["ContainerDefinitions"].get(AAFKLV)
        assert klv is not None and klv.name == "ContainerDef_AAFKLV"
        source = next(f.content.sourcemobs())
        assert source.descriptor["ContainerFormat"].value.auid == AAFKLV


def test_cli_fill_aaf_default_profile_links_the_mxf(tmp_path, monkeypatch, capsys):
    """The Avid flow end to end: ``pickup fill cut.aaf --all-gaps`` conforms to DNxHR HQ
    MXF (the AAF default) and writes cut.pickup.aaf linking it."""
    monkeypatch.setenv("PICKUP_CONFIG", str(tmp_path / "no-config.toml"))
    src = tmp_path / "cut.aaf"
    src.write_bytes(FIXTURES_TRIMS.read_bytes())
    size = f"{DNXHR_SIZE[0]}x{DNXHR_SIZE[1]}"
    code = main(["fill", str(src), "--all-gaps", "--provider", "previz", "--size", size])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    out = tmp_path / "cut.pickup.aaf"
    assert captured.out.strip().splitlines()[-1] == str(out)
    takes = sorted((tmp_path / "cut.pickup" / "media").iterdir())
    assert [t.suffix for t in takes] == [".mxf"]
    info = probe(takes[0])
    assert info.codec == "dnxhd" and info.frames == 108
    before, after = read_timeline(src), read_timeline(out)
    item = item_at(after.timeline, 0, 2038, after.rate)
    assert isinstance(item, otio.schema.Clip)
    assert item.media_reference.target_url == takes[0].resolve().as_uri()
    assert round(item.source_range.start_time.value) == before.start_frame + 2038
    assert round(item.source_range.duration.value) == 108
    slot = make_slot(before, 1, 2038, 108, "gap", slot_id="V1-01012422")
    p = replace(mxf_placement(slot, takes[0]), clip_name="V1-01012422_T01")
    check_mxf_links(src, out, [p])
