"""``pickup use``: swap the active take; only that clip's media changes, in every format."""

from __future__ import annotations

from pathlib import Path

import aaf2
import opentimelineio as otio
import pytest

from pickup.takes.model import media_path_of
from pickup.takes.store import slot_id_of
from pickup.timeline import read_timeline
from tests.takes.conftest import AAF_SLOT, EDL_SLOTS, XML_SLOTS, fill, ok, run, takes_json


def _changed_lines(a: bytes, b: bytes) -> list[tuple[str, str]]:
    la, lb = a.decode().splitlines(), b.decode().splitlines()
    assert len(la) == len(lb)
    return [(x, y) for x, y in zip(la, lb, strict=True) if x != y]


_KEEP: list[object] = []


def _clip(path: Path, slot: str, rate: float | None = None) -> otio.schema.Clip:
    loaded = read_timeline(path, rate=rate)
    _KEEP.append(loaded)  # a clip's parent lives as long as its timeline
    return next(c for c in loaded.timeline.find_clips() if slot_id_of(c) == slot)


def test_use_in_fcp7xml_changes_only_that_clips_media(xml_cut: Path) -> None:
    written = fill(xml_cut, XML_SLOTS, "--takes", "2")
    before = written.read_bytes()
    out = ok("use", written, XML_SLOTS[0], "T02")
    assert Path(out) == written
    assert written.with_name(written.name + ".bak").read_bytes() == before
    changed = _changed_lines(before, written.read_bytes())
    # the clip name, the file name and the path URL of that one clip; nothing else
    assert len(changed) == 3, changed
    assert all("T01" in old and "T02" in new for old, new in changed)
    assert all(XML_SLOTS[0] in old for old, _ in changed)
    clip = _clip(written, XML_SLOTS[0])
    assert clip.name == f"{XML_SLOTS[0]}_T02"
    assert media_path_of(clip.media_reference).name == f"{XML_SLOTS[0]}_T02.mov"
    bak = written.with_name("backup.xml")
    bak.write_bytes(before)
    assert clip.range_in_parent() == _clip(bak, XML_SLOTS[0]).range_in_parent()
    data = takes_json(written)
    assert [s["active"] for s in data["slots"]] == ["T02", "T01"]


def test_use_in_edl_rewrites_paths_and_ale_keeps_reel(edl_cut: Path) -> None:
    written = fill(edl_cut, EDL_SLOTS, "--takes", "2", "--rate", "24")
    ale = written.with_name("cut.pickup.ale")
    assert ale.is_file()
    before = written.read_bytes()
    dest = written.with_name("swapped.edl")
    assert Path(ok("use", written, EDL_SLOTS[1], "2", "--rate", "24", "-o", dest)) == dest
    assert written.read_bytes() == before  # -o leaves the input alone
    changed = _changed_lines(before, dest.read_bytes())
    assert len(changed) == 3 and all("_T02" in new for _, new in changed), changed
    assert all(not new[:3].isdigit() for _, new in changed)  # event lines (reels) unchanged
    swapped_ale = dest.with_name("swapped.pickup.ale").read_text()
    assert f"{EDL_SLOTS[1]}_T02" in swapped_ale and f"{EDL_SLOTS[0]}_T01" in swapped_ale
    clip = _clip(dest, EDL_SLOTS[1], 24)
    assert clip.name == f"{EDL_SLOTS[1]}_T02"


def test_use_in_aaf_relinks_the_take(aaf_cut: Path) -> None:
    written = fill(aaf_cut, (AAF_SLOT,), "--takes", "2")
    before = _clip(written, AAF_SLOT)
    ok("use", written, AAF_SLOT, "T02")
    after = _clip(written, AAF_SLOT)
    assert after.name == f"{AAF_SLOT}_T02"
    assert media_path_of(after.media_reference).name == f"{AAF_SLOT}_T02.mov"
    assert after.range_in_parent() == before.range_in_parent()
    with aaf2.open(str(written)) as f:
        names = sorted(m.name for m in f.content.mobs if AAF_SLOT in (m.name or ""))
    assert names and all("_T02" in n for n in names)
    assert takes_json(written)["slots"][0]["active"] == "T02"


def test_use_in_otio_keeps_markers_and_range(otio_cut: Path) -> None:
    written = fill(otio_cut, None, "--takes", "2")
    slot = "V1-01000012"
    tl_before = otio.adapters.read_from_file(str(written))
    ok("use", written, slot, "T02")
    tl_after = otio.adapters.read_from_file(str(written))
    clip_b = next(c for c in tl_before.find_clips() if slot_id_of(c) == slot)
    clip_a = next(c for c in tl_after.find_clips() if slot_id_of(c) == slot)
    assert clip_a.active_media_reference_key == "T02"
    assert set(clip_a.media_references()) == set(clip_b.media_references())
    assert clip_a.range_in_parent() == clip_b.range_in_parent()
    assert [m.name for m in clip_a.markers] == [m.name for m in clip_b.markers]
    others_b = [(c.name, c.range_in_parent(), len(c.markers)) for c in tl_before.find_clips()
                if slot_id_of(c) != slot]
    others_a = [(c.name, c.range_in_parent(), len(c.markers)) for c in tl_after.find_clips()
                if slot_id_of(c) != slot]
    assert others_a == others_b


def test_shorter_take_is_refused_and_nothing_written(otio_cut: Path, tmp_path: Path,
                                                      make_video) -> None:
    written = fill(otio_cut, None)
    slot = "V1-01000012"
    tl = otio.adapters.read_from_file(str(written))
    clip = next(c for c in tl.find_clips() if slot_id_of(c) == slot)
    short = make_video(3)
    refs = dict(clip.media_references())
    refs["T09"] = otio.schema.ExternalReference(target_url=short.resolve().as_uri())
    clip.set_media_references(refs, clip.active_media_reference_key)
    otio.adapters.write_to_file(tl, str(written))
    before = written.read_bytes()
    code, out, err = run("use", written, slot, "T09")
    assert code == 2 and "the slot is" in err and out == ""
    assert written.read_bytes() == before


def test_unknown_slot_and_take_are_bad_input(otio_cut: Path) -> None:
    written = fill(otio_cut, None)
    code, _, err = run("use", written, "V9-00000000", "T01")
    assert code == 2 and "no slot 'V9-00000000'" in err
    code, _, err = run("use", written, "V1-01000012", "T07")
    assert code == 2 and "has no take T07" in err and "T01" in err
    code, _, err = run("use", written, "V1-01000012", "banana")
    assert code == 2 and "not a take" in err


@pytest.mark.parametrize("fmt", ["xml"])
def test_swap_refuses_takes_of_another_length(xml_cut: Path, fmt: str) -> None:
    written = fill(xml_cut, (XML_SLOTS[0],))
    fill(xml_cut, (XML_SLOTS[0],), "--handles", "2", "--new-seed")  # T02 has handles
    before = written.read_bytes()
    code, _, err = run("use", written, XML_SLOTS[0], "T02")
    assert code == 2 and "another length" in err
    assert written.read_bytes() == before
