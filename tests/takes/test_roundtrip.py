"""Round trips: fill, write XML/EDL/AAF, edit the way an editor would (move a filled clip
2 s later, delete another, re-export through OTIO), then find the slots and takes again."""

from __future__ import annotations

from pathlib import Path

import aaf2
import opentimelineio as otio

from pickup.takes.model import media_path_of
from pickup.takes.store import slot_id_of
from pickup.timeline import read_timeline
from tests.takes.conftest import AAF_SLOT, EDL_SLOTS, XML_SLOTS, fill, run, takes_json

SHIFT = 48  # 2 s at 24 fps


def _edit_like_an_editor(timeline: otio.schema.Timeline, move: str, delete: str) -> None:
    """Move the clip of slot ``move`` 2 s later (a gap before it, taken from the gap
    after it when there is one) and delete the clip of slot ``delete`` (a gap instead)."""
    track = next(t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video)
    for index, item in enumerate(list(track)):
        if isinstance(item, otio.schema.Clip) and slot_id_of(item) == delete:
            dur = item.duration()
            del track[index]
            track.insert(index, otio.schema.Gap(duration=dur))
    for index, item in enumerate(list(track)):
        if isinstance(item, otio.schema.Clip) and slot_id_of(item) == move:
            track.insert(index, otio.schema.Gap(
                duration=otio.opentime.RationalTime(SHIFT, item.duration().rate)))
            break


def _position(timeline_path: Path, slot: str, rate: float | None = None) -> int:
    loaded = read_timeline(timeline_path, rate=rate)
    for track in loaded.timeline.tracks:
        for clip in track.find_clips():
            if slot_id_of(clip) == slot:
                return round(clip.range_in_parent().start_time.value_rescaled_to(loaded.rate))
    raise AssertionError(f"{slot} not in {timeline_path}")


def _check(edited: Path, moved: str, deleted: str, rate: float | None = None) -> None:
    code, out, err = run("takes", edited, "--json", *(["--rate", str(rate)] if rate else []))
    assert code == 0, err
    import json

    data = json.loads(out)
    ids = [s["id"] for s in data["slots"]]
    assert ids == [moved], data
    slot = data["slots"][0]
    assert [t["key"] for t in slot["takes"]] == ["T01", "T02"]
    assert slot["active"] == "T01"
    for take in slot["takes"]:
        assert Path(take["media"]).is_file()
        assert take["provider"] == "previz" and take["stale"] is False
    assert f"slot {deleted} (in the take store) is not in" in err
    assert moved not in err


def test_fcp7xml_round_trip_finds_moved_slot_and_reports_deleted(xml_cut: Path) -> None:
    written = fill(xml_cut, XML_SLOTS, "--takes", "2")
    before = _position(written, XML_SLOTS[0])
    loaded = read_timeline(written)
    _edit_like_an_editor(loaded.timeline, XML_SLOTS[0], XML_SLOTS[1])
    edited = written.with_name("recut.xml")  # another name: the project is found by media
    otio.adapters.write_to_file(loaded.timeline, str(edited), adapter_name="fcp_xml")
    assert _position(edited, XML_SLOTS[0]) == before + SHIFT
    _check(edited, XML_SLOTS[0], XML_SLOTS[1])


def test_edl_round_trip_finds_moved_slot_and_reports_deleted(edl_cut: Path) -> None:
    written = fill(edl_cut, EDL_SLOTS, "--takes", "2", "--rate", "24")
    text = written.read_text()
    reels = [line.split()[1] for line in text.splitlines()
             if line[:3].isdigit() and "PKUP" in line]
    assert len(reels) == 2 and len(set(reels)) == 2 and all(len(r) <= 8 for r in reels)
    before = _position(written, EDL_SLOTS[0], 24)
    loaded = read_timeline(written, rate=24)
    _edit_like_an_editor(loaded.timeline, EDL_SLOTS[0], EDL_SLOTS[1])
    edited = written.with_name("recut.edl")
    otio.adapters.write_to_file(loaded.timeline, str(edited), adapter_name="cmx_3600")
    assert _position(edited, EDL_SLOTS[0], 24) == before + SHIFT
    _check(edited, EDL_SLOTS[0], EDL_SLOTS[1], 24)


def test_aaf_round_trip_finds_slot_moved_in_avid(aaf_cut: Path) -> None:
    written = fill(aaf_cut, (AAF_SLOT,), "--takes", "2")
    before = _position(written, AAF_SLOT)
    # What Avid exports after the editor drags the clip 2 s later: a Filler before it.
    edited = written.with_name("recut.aaf")
    edited.write_bytes(written.read_bytes())
    with aaf2.open(str(edited), "rw") as f:
        mob = next(iter(f.content.toplevel()))
        seq = next(s.segment for s in mob.slots
                   if str(s.segment.media_kind).lower() == "picture")
        comps = seq.components if hasattr(seq, "components") else seq["Slots"][0].components
        index = next(i for i, c in enumerate(comps) if isinstance(c, aaf2.components.SourceClip)
                     and c.mob is not None and AAF_SLOT in (c.mob.name or ""))
        comps.insert(index, f.create.Filler(media_kind="picture", length=SHIFT))
        seq.length = seq.length + SHIFT
    assert _position(edited, AAF_SLOT) == before + SHIFT
    data = takes_json(edited)
    slot = next(s for s in data["slots"] if s["id"] == AAF_SLOT)
    assert [t["key"] for t in slot["takes"]] == ["T01", "T02"] and slot["active"] == "T01"


def test_clip_renamed_by_the_editor_is_found_by_its_media(xml_cut: Path) -> None:
    written = fill(xml_cut, XML_SLOTS, "--takes", "2")
    loaded = read_timeline(written)
    for clip in loaded.timeline.find_clips():
        if slot_id_of(clip):
            clip.name = "renamed in Premiere"
    edited = written.with_name("renamed.xml")
    otio.adapters.write_to_file(loaded.timeline, str(edited), adapter_name="fcp_xml")
    again = read_timeline(edited)
    assert not any(slot_id_of(c) for c in again.timeline.find_clips())
    assert any(media_path_of(c.media_reference) and "_T01" in c.media_reference.target_url
               for c in again.timeline.find_clips())
    data = takes_json(edited)
    assert [s["id"] for s in data["slots"]] == list(XML_SLOTS)
    assert all(s["active"] == "T01" and len(s["takes"]) == 2 for s in data["slots"])
