"""``pickup revert`` of placeholder slots in FCP7 XML, EDL and AAF, and of FCPXML slots:
``fill`` keeps what it replaced (``<project>/replaced/<slot>.<format>.json``) and revert
puts it back, so the file is the editor's original again (bytes in text, objects in AAF).
Without that record (a file an older Pickup filled) revert refuses, as before."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import aaf2
import opentimelineio as otio
import pytest

from pickup.takes.reassociate import FoundSlot
from pickup.timeline import LoadedTimeline, Placement, place_all, read_timeline
from pickup.timeline.patch.restore import restore_fcp7xml
from pickup.timeline.patch.unfill_fcpxml import revert_fcpxml
from pickup.timeline.replaced import load_replaced
from pickup.timeline.writeback import write_back
from tests.conftest import FIXTURES
from tests.patch.conftest import aaf_walk, make_slot, marker_count, placement
from tests.takes.conftest import fill, ok, run, takes_json

XML_PH = "V1-01000112"  # A002 of xml_cut, renamed as a placeholder
EDL_PH = "V1-01000112"  # event 002 of edl_cut, renamed as a placeholder
AAF_PH = "V1-01004423"  # "out-b (loop)-HD.mp4" of trims.aaf, renamed as a placeholder
FCPX_GAP = "V1-00000100"
FCPX_PH = "V1-00000200"
GEN = "GEN insert: a hand on a doorknob"


def _record(timeline: Path, slot: str, fmt: str) -> Path:
    path = timeline.parent / "cut.pickup" / "replaced" / f"{slot}.{fmt}.json"
    assert path.is_file(), sorted(p.name for p in timeline.parent.rglob("*.json"))
    return path


def _takes_stay(path: Path, slot: str, *extra: str) -> None:
    row = next(s for s in takes_json(path, *extra)["slots"] if s["id"] == slot)
    assert row["active"] is None, row
    assert [t["key"] for t in row["takes"]] == ["T01", "T02"], row


def _refused_without_record(written: Path, slot: str, fmt: str, *extra: str) -> None:
    _record(written, slot, fmt).unlink()
    before = written.read_bytes()
    code, out, err = run("revert", written, slot, *extra)
    assert code == 2 and out == "", err
    assert "no record" in err and slot in err, err
    assert written.read_bytes() == before


# -- FCP7 XML ----------------------------------------------------------------------
@pytest.fixture
def xml_ph(xml_cut: Path) -> Path:
    """xml_cut with A002 (36-60) a placeholder carrying a marker of its own."""
    text = xml_cut.read_text()
    text = text.replace("<name>A002</name>", f"<name>{GEN}</name>", 1)
    text = text.replace('<file id="file-2">', '<marker><name>keep me</name><in>3</in>'
                        '<out>-1</out></marker>\n          <file id="file-2">', 1)
    xml_cut.write_text(text)
    return xml_cut


def test_revert_fcp7xml_placeholder_gives_back_the_original_bytes(xml_ph: Path) -> None:
    original = xml_ph.read_bytes()
    written = fill(xml_ph, (XML_PH,), "--takes", "2")
    filled = written.read_bytes()
    assert filled != original and GEN.encode() not in filled and b"keep me" in filled
    rec = json.loads(_record(written, XML_PH, "fcp7xml").read_text())
    assert rec["original"]["text"].startswith('<clipitem id="clipitem-2">')
    assert Path(ok("revert", written, XML_PH)) == written
    assert written.read_bytes() == original
    assert written.with_name(written.name + ".bak").read_bytes() == filled
    _takes_stay(written, XML_PH)


def test_revert_fcp7xml_placeholder_with_a_marker_added_is_refused(xml_ph: Path) -> None:
    written = fill(xml_ph, (XML_PH,))
    text = written.read_text().replace(
        "<out>-1</out></marker>", "<out>-1</out></marker>\n<marker><name>new</name><in>5</in>"
        "<out>-1</out></marker>", 1)
    written.write_text(text)
    code, _, err = run("revert", written, XML_PH)
    assert code == 2 and "marker" in err
    assert written.read_text() == text


def test_revert_fcp7xml_placeholder_without_record_is_refused(xml_ph: Path) -> None:
    written = fill(xml_ph, (XML_PH,), "--takes", "2")
    _refused_without_record(written, XML_PH, "fcp7xml")


# -- EDL ---------------------------------------------------------------------------
@pytest.fixture
def edl_ph(edl_cut: Path) -> Path:
    """edl_cut with event 002 a placeholder with a locator and a comment of its own."""
    text = edl_cut.read_text().replace(
        "* FROM CLIP NAME: A002\n",
        f"* FROM CLIP NAME: {GEN}\n* LOC: 01:00:01:14 RED     keep me\n* a comment\n")
    edl_cut.write_text(text)
    return edl_cut


def test_revert_edl_placeholder_gives_back_the_original_bytes(edl_ph: Path) -> None:
    original = edl_ph.read_bytes()
    written = fill(edl_ph, (EDL_PH,), "--takes", "2", "--rate", "24")
    filled = written.read_text()
    assert GEN not in filled and "keep me" in filled and "PKUP0001" in filled
    ale = written.with_name("cut.pickup.ale")
    assert EDL_PH in ale.read_text()
    ok("revert", written, EDL_PH, "--rate", "24")
    assert written.read_bytes() == original
    assert EDL_PH not in ale.read_text() and "Data" in ale.read_text()
    _takes_stay(written, EDL_PH, "--rate", "24")


def test_revert_edl_placeholder_keeps_a_loc_added_since(edl_ph: Path) -> None:
    original = edl_ph.read_text()
    written = fill(edl_ph, (EDL_PH, "V1-01000100"), "--rate", "24")
    filled = written.read_text()
    assert "004  " in filled  # the gap's new event renumbered the rest
    written.write_text(filled.replace("* a comment\n", "* a comment\n* LOC: 01:00:01:20 "
                                      "BLUE    later\n"))
    ok("revert", written, EDL_PH, "--rate", "24")
    ok("revert", written, "V1-01000100", "--rate", "24")
    assert written.read_text() == original.replace(
        "* a comment\n", "* a comment\n* LOC: 01:00:01:20 BLUE    later\n")


def test_revert_edl_placeholder_without_record_is_refused(edl_ph: Path) -> None:
    written = fill(edl_ph, (EDL_PH,), "--takes", "2", "--rate", "24")
    _refused_without_record(written, EDL_PH, "edl", "--rate", "24")


# -- AAF ---------------------------------------------------------------------------
@pytest.fixture
def aaf_ph(aaf_cut: Path) -> Path:
    """trims.aaf with the master clip of its third V1 clip named as a placeholder."""
    with aaf2.open(str(aaf_cut), "rw") as f:
        mob = next(m for m in f.content.mastermobs() if m.name == "out-b (loop)-HD.mp4")
        mob.name = GEN
    return aaf_cut


def _picture(path: Path) -> list[tuple[str, int | None, str | None, str | None]]:
    """(class, length, source mob id, source mob name) of each V1 component."""
    with aaf2.open(str(path), "r") as f:
        top = next(iter(f.content.toplevel()))
        seq = next(s.segment for s in top.slots if str(s.media_kind).lower() == "picture")
        return [(type(c).__name__, c.length,
                 str(c["SourceID"].value) if "SourceID" in c else None,
                 getattr(c.mob, "name", None) if isinstance(c, aaf2.components.SourceClip)
                 else None) for c in seq.components]


def test_revert_aaf_placeholder_restores_the_component(aaf_ph: Path) -> None:
    orig = aaf_ph.with_name("orig.aaf")
    shutil.copyfile(aaf_ph, orig)
    written = fill(aaf_ph, (AAF_PH,), "--takes", "2")
    assert _picture(written) != _picture(orig)
    rec = load_replaced(written.parent / "cut.pickup" / "replaced", AAF_PH, "aaf")
    assert rec is not None and rec.original["class"] == "SourceClip"
    assert rec.original["name"] == GEN
    ok("revert", written, AAF_PH)
    assert _picture(written) == _picture(orig)
    before, after = aaf_walk(orig), aaf_walk(written)
    assert {k: after[k] for k in before} == before  # every mob, slot, locator as it was
    la, lb = read_timeline(orig), read_timeline(written)
    assert la.timeline.duration() == lb.timeline.duration()
    assert marker_count(la.timeline) == marker_count(lb.timeline)
    assert [c.name for c in la.timeline.find_clips()] == [c.name for c in
                                                          lb.timeline.find_clips()]
    _takes_stay(written, AAF_PH)


def test_revert_aaf_placeholder_without_record_is_refused(aaf_ph: Path) -> None:
    written = fill(aaf_ph, (AAF_PH,), "--takes", "2")
    _refused_without_record(written, AAF_PH, "aaf")


def _refused_when_damaged(written: Path, slot: str, fmt: str, damage: Callable[[dict], None]
                          ) -> None:
    record = _record(written, slot, fmt)
    data = json.loads(record.read_text())
    damage(data["original"])
    record.write_text(json.dumps(data))
    before = written.read_bytes()
    code, out, err = run("revert", written, slot)
    assert code == 2 and out == "", err
    assert ("damaged" in err or "cannot be read" in err) and "Traceback" not in err, err
    assert slot in err
    assert written.read_bytes() == before


def test_revert_with_a_damaged_record_is_refused(aaf_ph: Path) -> None:
    written = fill(aaf_ph, (AAF_PH,), "--takes", "2")
    _refused_when_damaged(written, AAF_PH, "aaf",
                          lambda orig: orig.__setitem__("edit_rate", "twenty-five"))


def test_revert_fcp7xml_with_a_damaged_record_is_refused(xml_ph: Path) -> None:
    written = fill(xml_ph, (XML_PH,), "--takes", "2")
    _refused_when_damaged(written, XML_PH, "fcp7xml", lambda orig: orig.pop("text"))


# -- FCPXML ------------------------------------------------------------------------
@pytest.mark.parametrize("slot", [FCPX_GAP, FCPX_PH])
def test_revert_fcpxml_gives_back_the_original_bytes(fcpx_cut: Path, slot: str) -> None:
    original = fcpx_cut.read_bytes()
    written = fill(fcpx_cut, (slot,), "--takes", "2")
    filled = written.read_bytes()
    assert filled != original and b"<asset id=" in filled[len(b"<resources>"):]
    assert filled.count(b"<asset ") == 2
    if slot == FCPX_GAP:  # the gap is gone; its marker moved onto the new clip
        assert b'<gap name="Gap" offset="1s"' not in filled
        assert filled.index(b"in the gap") > filled.index(f'<asset-clip name="{slot}'.encode())
    _record(written, slot, "fcpxml")
    ok("revert", written, slot)
    assert written.read_bytes() == original
    _takes_stay(written, slot)


def test_revert_fcpxml_both_slots_in_any_order(fcpx_cut: Path) -> None:
    original = fcpx_cut.read_bytes()
    written = fill(fcpx_cut, (FCPX_GAP, FCPX_PH))
    ok("revert", written, FCPX_PH)
    assert written.read_bytes() != original
    ok("revert", written, FCPX_GAP)
    assert written.read_bytes() == original


def test_revert_fcpxml_after_a_rename_and_a_marker_added(fcpx_cut: Path) -> None:
    original = fcpx_cut.read_bytes()
    written = fill(fcpx_cut, (FCPX_GAP, FCPX_PH), "--takes", "2")
    # The clips renamed, and their assets relinked to T02, as a swap of takes does.
    written.write_bytes(written.read_bytes().replace(b"_T01", b"_T02"))
    ok("revert", written, FCPX_GAP)
    # A marker added on the placeholder's clip since fill would be lost: refused.
    text = written.read_text().replace(
        'value="on the placeholder"/>', 'value="on the placeholder"/>\n'
        '<marker start="7/24s" duration="1/24s" value="added"/>', 1)
    written.write_text(text)
    code, _, err = run("revert", written, FCPX_PH)
    assert code == 2 and "marker" in err and written.read_text() == text
    written.write_text(text.replace('\n<marker start="7/24s" duration="1/24s" '
                                    'value="added"/>', ""))
    ok("revert", written, FCPX_PH)
    assert written.read_bytes() == original


@pytest.mark.parametrize("slot", [FCPX_GAP, FCPX_PH])
def test_revert_fcpxml_without_record_is_refused(fcpx_cut: Path, slot: str) -> None:
    written = fill(fcpx_cut, (slot,), "--takes", "2")
    _refused_without_record(written, slot, "fcpxml")


@pytest.mark.parametrize("backwards", [False, True])
def test_revert_fcpxml_split_gap_merges_back(tmp_path: Path, make_video: Callable[..., Path],
                                             backwards: bool) -> None:
    """Two slots inside one gap of a real FCP X export (pieces before, between, after):
    reverting them one by one gives the editor's gap back, markers where they were."""
    src = tmp_path / "fcpx_example.fcpxml"
    shutil.copyfile(FIXTURES / "fcpx_example.fcpxml", src)
    loaded = read_timeline(src)
    media = make_video(72, 30)
    # The 30s..40s gap (frames 900-1200 at 30 fps) holds "Marker 9" at 36.5 s.
    places = [placement(make_slot(loaded, 1, 960, 60, "gap"), media),
              placement(make_slot(loaded, 1, 1080, 60, "gap"), media)]
    out = tmp_path / "out.fcpxml"
    keep = tmp_path / "replaced"
    write_back(loaded, place_all(loaded.timeline, places), places, out, replaced_dir=keep)
    assert out.read_bytes() != src.read_bytes()
    first, second = reversed(places) if backwards else places
    for p in (first, second):
        rec = load_replaced(keep, p.slot.id, "fcpxml")
        assert rec is not None and rec.item == "gap"
        revert_fcpxml(*_found(out, p), rec, out)
        names = [c.name for c in read_timeline(out).timeline.find_clips()]
        assert p.name not in names and (p is second or second.name in names)
    assert out.read_bytes() == src.read_bytes()
    back = read_timeline(out)
    assert back.timeline.duration() == loaded.timeline.duration()
    assert marker_count(back.timeline) == marker_count(loaded.timeline)
    assert not any(isinstance(c, otio.schema.Clip) and c.name.startswith("V1-T")
                   for c in back.timeline.find_clips())


# -- the same at the patcher level, on real exports ----------------------------------
def _found(path: Path, p: Placement) -> tuple[LoadedTimeline, FoundSlot]:
    now = read_timeline(path)
    clip = next(c for c in now.timeline.find_clips() if c.name == p.name)
    return now, FoundSlot(p.slot.id, f"V{p.slot.track_index}", p.slot.stack_index,
                          p.slot.start, p.slot.duration, now.rate, "name",
                          None, clip)  # type: ignore[arg-type]


def test_revert_premiere_generator_item(tmp_path: Path, make_video: Callable[..., Path]
                                        ) -> None:
    """Premiere's "Blue Matte" <generatoritem> (23.976) comes back byte for byte."""
    src = tmp_path / "gen.xml"
    shutil.copyfile(FIXTURES / "premiere_generators.xml", src)
    loaded = read_timeline(src)
    p = placement(make_slot(loaded, 1, 383, 119, "clip"), make_video(130))
    out, keep = tmp_path / "out.xml", tmp_path / "replaced"
    write_back(loaded, place_all(loaded.timeline, [p]), [p], out, replaced_dir=keep)
    rec = load_replaced(keep, p.slot.id, "fcp7xml")
    assert rec is not None and rec.original["text"].startswith('<generatoritem id="clipitem-3">')
    assert b"Blue Matte" not in out.read_bytes()
    restore_fcp7xml(*_found(out, p), rec, out)
    assert out.read_bytes() == src.read_bytes()


@pytest.mark.parametrize("name", ["transitions.aaf", "multiple_markers.aaf"])
def test_aaf_components_round_trip_through_json(tmp_path: Path, name: str) -> None:
    """Every picture component (clips, fillers, effects with parameters, transitions)
    dumped to JSON and rebuilt in place leaves the file's objects as they were."""
    from pickup.timeline.patch import aafobj
    from pickup.timeline.patch.aaf import picture_layers

    src = tmp_path / name
    shutil.copyfile(FIXTURES / name, src)
    out = tmp_path / f"out_{name}"
    shutil.copyfile(src, out)
    with aaf2.open(str(out), "rw") as f:
        top = next(iter(f.content.toplevel()))
        for _slot, _owner, _key, seg in picture_layers(top):
            if not isinstance(seg, aaf2.components.Sequence):
                continue
            comps = seg.components
            for i in range(len(comps)):
                data = json.loads(json.dumps(aafobj.dump(comps[i])))
                comps.pop(i)
                comps.insert(i, aafobj.load(f, data))
    assert aaf_walk(out) == aaf_walk(src)
    assert read_timeline(out).timeline.duration() == read_timeline(src).timeline.duration()
