"""``pickup mark`` / ``pickup unmark``: a gap or clip made a slot in the project state;
``pickup scan`` lists it and ``pickup fill`` fills it, on the real OTIO and FCP7 XML
fixtures; the input file is never changed by marking."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import opentimelineio as otio
import pytest

from tests.conftest import FIXTURES
from tests.takes.conftest import run


@pytest.fixture
def xml(tmp_path: Path) -> Path:
    path = tmp_path / "premiere_example.xml"
    shutil.copyfile(FIXTURES / "premiere_example.xml", path)
    return path


@pytest.fixture
def otio_file(tmp_path: Path) -> Path:
    path = tmp_path / "multitrack.otio"
    shutil.copyfile(FIXTURES / "multitrack.otio", path)
    return path


def test_mark_says_what_it_marked_and_where_it_is_kept(xml: Path) -> None:
    before = xml.read_bytes()
    code, out, err = run("mark", xml, "--at", "00:00:04:17", "--track", "V2", "--kind",
                         "establishing", "--prompt", "a farmhouse at dusk")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "marked slot V2-00000323: the gap on V2 00:00:03:23-00:00:05:15 (52 frames), "
        "establishing: a farmhouse at dusk",
        f"kept in {xml.with_name('premiere_example.pickup') / 'marks.json'}; "
        "premiere_example.xml is not changed"]
    assert xml.read_bytes() == before
    code, out, _ = run("mark", xml, "--clip", "sc01_sh020_anim.mov", "--kind", "insert",
                       "--prompt", "a hand on the key", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["slot"], data["item"], data["mark"], data["frames"]) == (
        "V2-00000515", "clip", "project", 157)


def test_scan_lists_slots_marked_in_pickup(xml: Path) -> None:
    run("mark", xml, "--at", "00:00:04:17", "--track", "V2", "--kind", "establishing",
        "--prompt", "a farmhouse at dusk")
    code, out, _ = run("scan", xml, "--json")
    assert code == 0
    slots = json.loads(out)["slots"]
    assert [(s["id"], s["mark"], s["kind"], s["prompt"]) for s in slots] == [
        ("V2-00000323", "project", "establishing", "a farmhouse at dusk")]
    code, out, _ = run("scan", xml)
    row = next(line for line in out.splitlines() if "V2-00000323" in line)
    assert "marked in Pickup" in row


def test_fill_fills_a_marked_gap_and_replaces_a_marked_clip_in_fcp7_xml(xml: Path) -> None:
    before = xml.read_bytes()
    run("mark", xml, "--at", "00:00:04:17", "--track", "V2", "--kind", "establishing",
        "--prompt", "a farmhouse at dusk")
    run("mark", xml, "--clip", "sc01_sh020_anim.mov", "--kind", "insert", "--prompt",
        "a hand on the key")
    code, out, err = run("fill", xml, "--provider", "previz", "--size", "64x36",
                         "--profile", "prores_hq")
    assert code == 0, err
    assert "filled 2 of 2 slot(s)" in err
    written = Path(out.strip().splitlines()[-1])
    assert xml.read_bytes() == before
    # read back with a reader Pickup did not write
    track = ET.parse(written).getroot().findall("./sequence/media/video/track")[1]
    items = {c.findtext("name"): (int(c.findtext("start") or -1), int(c.findtext("end") or -1))
             for c in track.findall("clipitem")}
    assert items["V2-00000323_T01"] == (113, 165)  # the gap, filled
    assert items["V2-00000515_T01"] == (165, 322)  # the clip, replaced in its range
    assert "sc01_sh020_anim.mov" not in items
    code, out, _ = run("scan", written, "--json")
    slots = {s["id"]: s for s in json.loads(out)["slots"]}
    assert (slots["V2-00000323"]["mark"], slots["V2-00000323"]["filled"]) == ("project", True)
    assert slots["V2-00000323"]["was"] == "gap marked in Pickup"
    assert slots["V2-00000515"]["was"] == "clip marked in Pickup"


def test_fill_fills_a_marked_gap_and_clip_in_otio(otio_file: Path) -> None:
    run("mark", otio_file, "--at", "00:00:30:10", "--track", "V1", "--kind", "cutaway",
        "--prompt", "the street outside")
    run("mark", otio_file, "--clip", "t-hawk (loop)-HD.mp4", "--prompt", "a hawk circling")
    code, out, err = run("fill", otio_file, "--size", "64x36", "--profile", "prores_hq")
    assert code == 0, err
    written = otio.adapters.read_from_file(out.strip().splitlines()[-1])
    v1, v2 = written.video_tracks()[:2]
    names = [c.name for c in v1]
    assert names[1] == "V1-00003000_T01" and v1[1].duration().value == 83
    assert [c.name for c in v2][1] == "V2-00002002_T01"
    assert v2[1].duration().value == 480
    # the clip it replaced is kept beside the take (what `pickup revert` puts back)
    assert "PLACEHOLDER" in v2[1].media_references()
    assert v2[1].metadata["pickup"]["placeholder_name"] == "t-hawk (loop)-HD.mp4"
    assert v2[1].metadata["pickup"]["mark"] == "project"


def test_unmark_and_its_errors(xml: Path) -> None:
    run("mark", xml, "--at", "00:00:04:17", "--track", "V2", "--kind", "establishing")
    code, out, err = run("unmark", xml, "--slot", "V2-00000323")
    assert (code, err) == (0, "")
    assert out == ("unmarked the gap on V2 at 00:00:03:23; takes made for it stay in "
                   "premiere_example.pickup/\n")
    code, _, err = run("unmark", xml, "--at", "00:00:04:17", "--track", "V2")
    assert code == 2
    assert err == (f"pickup: error: {xml}: nothing is marked in Pickup at V2 00:00:03:23 "
                   "(`pickup scan` lists the slots and where each came from)\n")


def test_mark_errors_are_one_line_exit_2(xml: Path) -> None:
    code, _, err = run("mark", xml, "--at", "00:00:04:17")
    assert (code, err) == (2, "pickup: error: pickup mark needs --kind or --prompt (or both) "
                           "(e.g. --kind establishing --prompt 'farmhouse at dusk')\n")
    code, _, err = run("mark", xml, "--at", "02:00:00:00", "--kind", "plate")
    assert (code, err) == (2, f"pickup: error: {xml}: no gap or clip at 02:00:00:00 on any "
                           "video track (give a record timecode from 00:00:00:00 to "
                           "00:00:42:11)\n")
    code, _, err = run("mark", xml, "--clip", "nope", "--kind", "plate")
    assert (code, err) == (2, f"pickup: error: {xml}: no clip named 'nope' on a video track "
                           "(names are matched exactly; `pickup scan` shows the cut, or use "
                           "--at TC)\n")
    assert not xml.with_name("premiere_example.pickup").exists()


@pytest.mark.parametrize("name, gap_at, clip, gap_id, clip_id", [
    ("gap_test.edl", "00:00:01:04", "shot2", "V1-00000100", "V1-00000116"),
    ("trims.aaf", "01:01:25:00", "KOLL-HD.mp4", "V1-01012422", "V1-01010115"),
    ("fcpx_example.fcpxml", "00:00:10:05", "IMG_0715", "V1-00001000", "V1-00000000"),
])
def test_every_patcher_fills_slots_marked_in_pickup(tmp_path: Path, name: str, gap_at: str,
                                                    clip: str, gap_id: str,
                                                    clip_id: str) -> None:
    path = tmp_path / name
    shutil.copyfile(FIXTURES / name, path)
    before = path.read_bytes()
    assert run("mark", path, "--at", gap_at, "--track", "V1", "--kind", "plate")[0] == 0
    assert run("mark", path, "--clip", clip, "--prompt", "a key in a lock")[0] == 0
    code, out, err = run("fill", path, "--size", "64x36", "--profile", "prores_hq")
    assert code == 0, err
    assert "filled 2 of 2 slot(s)" in err
    assert path.read_bytes() == before
    code, out, _ = run("scan", out.strip().splitlines()[-1], "--json")
    slots = {s["id"]: (s["filled"], s["was"]) for s in json.loads(out)["slots"]}
    assert slots == {gap_id: (True, "gap marked in Pickup"),
                     clip_id: (True, "clip marked in Pickup")}


def test_place_puts_a_file_into_a_clip_marked_in_pickup(tmp_path: Path, make_video) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "multitrack.otio"
    shutil.copyfile(FIXTURES / "multitrack.otio", path)
    assert run("mark", path, "--clip", "KOLL-HD.mp4", "--kind", "insert")[0] == 0
    media = make_video(640, size=(64, 36))
    code, out, err = run("place", path, "V3-00004922", media)
    assert code == 0, err
    written = otio.adapters.read_from_file(out.strip().splitlines()[-1])
    assert written.video_tracks()[2][1].name.startswith("V3-00004922")


def test_takes_lists_a_reverted_clip_marked_in_pickup_with_its_takes(xml: Path) -> None:
    run("mark", xml, "--clip", "sc01_sh020_anim.mov", "--kind", "insert", "--prompt", "key")
    code, out, err = run("fill", xml, "--size", "64x36", "--profile", "prores_hq")
    assert code == 0, err
    written = Path(out.strip().splitlines()[-1])
    code, _, err = run("revert", written, "V2-00000515")
    assert code == 0, err
    # the clip is back under its own name; the mark finds it, with the take made for it
    code, out, err = run("takes", written, "--json")
    assert code == 0, err
    slots = json.loads(out)["slots"]
    assert [(s["id"], [t["key"] for t in s["takes"]]) for s in slots] == [
        ("V2-00000515", ["T01"])]
