"""FCPXML marked the way a Final Cut Pro user marks a project, FCPXML 1.8 to 1.11.

Made from the real ``fcpx_example.fcpxml`` (its project ``OpenTimeline_Project``): a GEN
marker on a spine ``<gap>`` (which OTIO's FCPXML reader drops), a GEN marker on a clip
that has a connected clip (lane -1), a GEN-named ``<asset-clip .../>`` written as an
empty element, a 1280x720 project, CR line ends.  Each is filled through the scan, read
back with ElementTree (and xmllint when installed) and checked by ``verify``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from pickup.timeline import find_slots, place_all, read_timeline, write_back
from pickup.timeline.size import sequence_size
from pickup.timeline.verify import verify
from tests.conftest import FIXTURES
from tests.patch.conftest import placement

_PROJECT = '<project name="OpenTimeline_Project"'

GAP_MARK = (
    '<gap name="Gap" offset="70s" duration="10s" start="3600s"/>',
    '<gap name="Gap" offset="70s" duration="10s" start="3600s">\n'
    '                            <marker start="3602s" duration="100/3000s" '
    'value="GEN establishing: farmhouse at dusk"/>\n                        </gap>')
CLIP_MARK = (
    '<video offset="0s" ref="r3" duration="27120/600s"/>\n'
    '                            <clip name="IMG_0233" lane="-1" offset="5s"',
    '<video offset="0s" ref="r3" duration="27120/600s"/>\n'
    '                            <marker start="1s" duration="100/3000s" '
    'value="GEN insert: hand turns the key"/>\n'
    '                            <clip name="IMG_0233" lane="-1" offset="5s"')
EMPTY_CLIP = (
    '<asset-clip name="IMG_0268" offset="130s" ref="r4" duration="10s" start="23200/3000s" '
    'audioRole="dialogue" tcFormat="NDF"/>',
    '<asset-clip name="GEN plate: city street at night" offset="130s" ref="r4" '
    'duration="10s" start="23200/3000s" audioRole="dialogue" tcFormat="NDF"/>')

VERSIONS = ("1.8", "1.9", "1.10", "1.11")


def _media_reps(text: str) -> str:
    """FCPXML 1.9+ names media in a <media-rep> child, not an <asset src>."""
    def one(m: re.Match[str]) -> str:
        return (f"<asset{m.group(1)}{m.group(3)}>\n            <media-rep "
                f'kind="original-media" src="{m.group(2)}"/>\n        </asset>')
    return re.sub(r'<asset([^>]*?) src="([^"]*)"([^>]*?)/>', one, text)


def marked(tmp_path: Path, name: str, *edits: tuple[str, str], version: str = "1.8",
           newline: str = "\n") -> Path:
    text = (FIXTURES / "fcpx_example.fcpxml").read_text()
    at = text.index(_PROJECT)
    head, project = text[:at], text[at:]
    for old, new in edits:
        assert old in project, old
        project = project.replace(old, new, 1)
    text = head + project
    if version != "1.8":
        text = text.replace('<fcpxml version="1.8">', f'<fcpxml version="{version}">', 1)
        text = _media_reps(text)
    if newline != "\n":
        text = text.replace("\n", newline)
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def fill_marked(src: Path, media: Path, all_gaps: bool = False):
    loaded = read_timeline(src)
    slots = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame,
                       all_gaps=all_gaps)
    places = [placement(s, media) for s in slots]
    out = src.with_name(f"{src.stem}.pickup.fcpxml")
    write_back(loaded, place_all(loaded.timeline, places), places, out)
    return loaded, slots, out


def _spine(path: Path) -> ElementTree.Element:
    root = ElementTree.parse(path).getroot()
    spine = root.find(".//project/sequence/spine")
    assert spine is not None
    return spine


def _xmllint(path: Path) -> None:
    if shutil.which("xmllint") is None:
        return
    result = subprocess.run(["xmllint", "--noout", str(path)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("version", VERSIONS)
def test_gap_marker_found_and_filled(tmp_path, media, version):
    src = marked(tmp_path, "gap.fcpxml", GAP_MARK, version=version)
    _, slots, out = fill_marked(src, media(30))
    assert [(s.start, s.duration, s.mark, s.kind) for s in slots] == [
        (2100, 300, "marker", "establishing")]
    _xmllint(out)
    spine = _spine(out)
    new = [c for c in spine if (c.get("name") or "").startswith(slots[0].id)]
    assert len(new) == 1 and new[0].get("offset") == "70s" and new[0].get("duration") == "10s"
    assert [m.get("value") for m in new[0].iter("marker")] == [
        "GEN establishing: farmhouse at dusk"]
    report = verify(src, out, "fcpxml")
    assert report.ok, report.outside
    assert "<media-rep" in out.read_text() or version == "1.8"


def test_all_gaps_sees_each_hole_not_one_merged_gap(tmp_path):
    src = marked(tmp_path, "holes.fcpxml")
    loaded = read_timeline(src)
    slots = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame,
                       all_gaps=True)
    # Three 10 s holes with no picture on any lane; 20-30, 50-60, 60-80 have lanes above.
    assert [(s.start // 30, s.duration // 30) for s in slots] == [(10, 10), (30, 10),
                                                                  (40, 10)]
    # The gap's own marker ("Marker 9") is on its piece, as FCP shows it.
    primary = next(t for t in loaded.timeline.tracks if t.name == "0")
    assert [m.name for g in primary if hasattr(g, "markers") for m in g.markers
            if m.name == "Marker 9"] == ["Marker 9"]


@pytest.mark.parametrize("version", VERSIONS)
def test_clip_marker_keeps_the_connected_clip_retimed(tmp_path, media, version):
    src = marked(tmp_path, "clip.fcpxml", CLIP_MARK, version=version)
    _, slots, out = fill_marked(src, media(30))
    assert [(s.start, s.item) for s in slots] == [(3300, "clip")]
    _xmllint(out)
    new = next(c for c in _spine(out) if (c.get("name") or "").startswith(slots[0].id))
    start = new.get("start")
    assert start is not None
    base = float(start.removesuffix("s"))
    connected = [c for c in new if c.get("lane") == "-1"]
    assert [c.get("name") for c in connected] == ["IMG_0233"]
    # 5 s into the old clip, 5 s into the new one; the marker 1 s in stays 1 s in.
    assert float(connected[0].get("offset", "").removesuffix("s")) == base + 5
    marker = next(new.iter("marker"))
    assert float(marker.get("start", "").removesuffix("s")) == base + 1
    assert verify(src, out, "fcpxml").ok


@pytest.mark.parametrize("version", ("1.8", "1.11"))
def test_empty_element_placeholder_is_well_formed(tmp_path, media, version):
    src = marked(tmp_path, "empty.fcpxml", EMPTY_CLIP, version=version)
    _, slots, out = fill_marked(src, media(30))
    assert [(s.start, s.mark) for s in slots] == [(3900, "placeholder")]
    _xmllint(out)
    ElementTree.parse(out)  # raises on malformed XML
    assert out.read_text().count("</asset-clip>") == src.read_text().count("</asset-clip>")
    assert verify(src, out, "fcpxml").ok


def test_project_size_and_cr_line_ends(tmp_path, media):
    src = marked(tmp_path, "cr.fcpxml", GAP_MARK, newline="\r")
    text = src.read_bytes().replace(b'width="1920" height="1080"', b'width="1280" height="720"')
    src.write_bytes(text)
    loaded = read_timeline(src)
    assert sequence_size(loaded) == ((1280, 720), "the project's <format>")
    _, _, out = fill_marked(src, media(30))
    data = out.read_bytes()
    assert b"\n" not in data and data.count(b"\r") > src.read_bytes().count(b"\r")
    assert verify(src, out, "fcpxml").ok
