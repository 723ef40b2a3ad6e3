"""``pickup revert`` in FCP7 XML, EDL and AAF: a filled gap becomes a gap again, and the
file is the editor's original again (byte for byte in text, object for object in AAF)."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import opentimelineio as otio

from pickup.timeline import read_timeline
from tests.patch.conftest import aaf_walk, marker_count
from tests.takes.conftest import AAF_SLOT, EDL_SLOTS, XML_SLOTS, fill, ok, run, takes_json


def _diff(a: bytes, b: bytes) -> list[str]:
    return [ln for ln in difflib.unified_diff(a.decode().splitlines(), b.decode().splitlines(),
                                              lineterm="", n=0)]


def _gap_at(path: Path, start: int, duration: int, rate: float | None = None) -> None:
    """The V1 item at ``start`` (frames from the sequence start) is a gap of ``duration``."""
    loaded = read_timeline(path, rate=rate)
    track = next(t for t in loaded.timeline.tracks if t.kind == otio.schema.TrackKind.Video)
    r = loaded.rate
    items = [(round(rng.start_time.value_rescaled_to(r)), round(rng.duration.value_rescaled_to(r)),
              item) for item, rng in track.range_of_all_children().items()]
    hits = [(d, i) for s, d, i in items if s <= start < s + d]
    assert len(hits) == 1 and isinstance(hits[0][1], otio.schema.Gap), hits
    assert hits[0][0] >= duration


def _same_shape(a: Path, b: Path, rate: float | None = None) -> None:
    la, lb = read_timeline(a, rate=rate), read_timeline(b, rate=rate)
    assert la.timeline.duration() == lb.timeline.duration()
    assert marker_count(la.timeline) == marker_count(lb.timeline)
    assert len(list(la.timeline.find_clips())) == len(list(lb.timeline.find_clips()))


def _none_active(path: Path, slot: str, *extra: str) -> None:
    data = takes_json(path, *extra)
    row = next(s for s in data["slots"] if s["id"] == slot)
    assert row["active"] is None, row
    assert len(row["takes"]) == 2, row


def test_revert_fcp7xml_gap_gives_back_the_original_bytes(xml_cut: Path) -> None:
    original = xml_cut.read_bytes()
    orig = xml_cut.with_name("orig.xml")
    shutil.copyfile(xml_cut, orig)
    written = fill(xml_cut, (XML_SLOTS[0],), "--takes", "2")
    filled = written.read_bytes()
    assert filled != original
    assert Path(ok("revert", written, XML_SLOTS[0])) == written
    assert written.with_name(written.name + ".bak").read_bytes() == filled
    assert _diff(original, written.read_bytes()) == []
    _gap_at(written, 24, 12)
    _same_shape(orig, written)
    _none_active(written, XML_SLOTS[0])


def test_revert_one_of_two_fcp7xml_slots(xml_cut: Path) -> None:
    only_second = fill(xml_cut, (XML_SLOTS[1],))
    expected = only_second.read_bytes()
    both = fill(only_second, (XML_SLOTS[0],))
    dest = both.with_name("reverted.xml")
    assert Path(ok("revert", both, XML_SLOTS[0], "-o", dest)) == dest
    assert _diff(expected, dest.read_bytes()) == []


def test_revert_edl_gap_and_ale(edl_cut: Path) -> None:
    original = edl_cut.read_bytes()
    orig = edl_cut.with_name("orig.edl")
    shutil.copyfile(edl_cut, orig)
    written = fill(edl_cut, EDL_SLOTS, "--takes", "2", "--rate", "24")
    ale = written.with_name("cut.pickup.ale")
    assert EDL_SLOTS[0] in ale.read_text()
    ok("revert", written, EDL_SLOTS[0], "--rate", "24")
    ok("revert", written, EDL_SLOTS[1], "--rate", "24")
    assert _diff(original, written.read_bytes()) == []
    text = ale.read_text()
    assert EDL_SLOTS[0] not in text and EDL_SLOTS[1] not in text and "Data" in text
    _gap_at(written, 24, 12, 24)
    _gap_at(written, 60, 12, 24)
    _same_shape(orig, written, 24)
    _none_active(written, EDL_SLOTS[0], "--rate", "24")


def test_revert_edl_keeps_a_loc_and_renumbers(edl_cut: Path) -> None:
    text = edl_cut.read_text().replace(
        "* FROM CLIP NAME: A001\n",
        "* FROM CLIP NAME: A001\n* LOC: 01:00:01:02 RED     GEN insert: a hand\n")
    edl_cut.write_text(text)
    written = fill(edl_cut, (EDL_SLOTS[0],), "--rate", "24")
    filled = written.read_text()
    assert "004  " in filled and "GEN insert" in filled
    # An editor's locator on the filled event moves back before it, into the gap.
    filled = filled.replace(f"* FROM CLIP NAME: {EDL_SLOTS[0]}_T01\n",
                            f"* FROM CLIP NAME: {EDL_SLOTS[0]}_T01\n"
                            "* LOC: 01:00:01:04 BLUE    later\n")
    written.write_text(filled)
    ok("revert", written, EDL_SLOTS[0], "--rate", "24")
    removed_added = _diff(text.encode(), written.read_bytes())
    assert [ln for ln in removed_added if ln[:1] in "+-" and not ln.startswith(("+++", "---"))
            ] == ["+* LOC: 01:00:01:04 BLUE    later"]


def test_revert_aaf_gap_restores_the_filler(aaf_cut: Path) -> None:
    orig = aaf_cut.with_name("orig.aaf")
    shutil.copyfile(aaf_cut, orig)
    written = fill(aaf_cut, (AAF_SLOT,), "--takes", "2")
    ok("revert", written, AAF_SLOT)
    before, after = aaf_walk(orig), aaf_walk(written)
    assert set(before) <= set(after)
    assert {k: after[k] for k in before} == before
    _same_shape(orig, written)
    _none_active(written, AAF_SLOT)


def test_revert_placeholder_slot_is_refused_in_xml(xml_cut: Path) -> None:
    written = fill(xml_cut, (XML_SLOTS[0],))
    store = written.parent / "cut.pickup" / "takes.otio"
    if not store.is_file():
        store = next(written.parent.rglob("takes.otio"))
    tl = otio.adapters.read_from_file(str(store))
    for clip in tl.find_clips():
        refs = dict(clip.media_references())
        refs["PLACEHOLDER"] = otio.schema.ExternalReference(target_url="file:///x/ph.mov")
        clip.set_media_references(refs, clip.active_media_reference_key)
    otio.adapters.write_to_file(tl, str(store))
    before = written.read_bytes()
    code, out, err = run("revert", written, XML_SLOTS[0])
    assert code == 2 and "placeholder clip" in err and out == ""
    assert written.read_bytes() == before
