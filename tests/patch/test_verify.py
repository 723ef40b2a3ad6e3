"""``pickup verify`` and the check every write-back runs: independent readers (pycmx,
ElementTree, pyaaf2) find what changed at each slot and anything changed outside."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pickup.cli import main
from pickup.errors import WriteError
from pickup.timeline import Placement, place_all, read_timeline, write_back
from pickup.timeline.patch.edl import EdlPatcher
from pickup.timeline.verify import verify
from tests.patch.conftest import make_slot, placement


def fill(src: Path, slots: list[tuple[int, int, int, str]], media_path: Path
         ) -> tuple[Any, Any, list[Placement], Path]:
    """Fill like ``pickup fill`` names clips: slot ids of the record timecode."""
    loaded = read_timeline(src)
    places = [placement(make_slot(loaded, *s, slot_id=f"V{s[0]}-{s[1] + loaded.start_frame:08d}"),
                        media_path) for s in slots]
    out = src.with_name(f"{src.stem}.pickup{src.suffix}")
    write_back(loaded, place_all(loaded.timeline, places), places, out)
    return loaded, read_timeline(out), places, out


def _verify(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["verify", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_edl_fill_verifies_and_a_changed_event_does_not(fixture_copy, media, capsys):
    src = fixture_copy("gap_test.edl")
    _, _, places, out = fill(src, [(1, 24, 16, "gap")], media(24))
    code, text, err = _verify(capsys, str(src), str(out))
    assert code == 0, err
    assert text.splitlines() == [
        f"{places[0].slot.id}  V1  00:00:01:00-00:00:01:16  {places[0].name}  replaced (a gap)"]
    assert "nothing else changed" in err
    bad = out.with_name("bad.edl")
    bad.write_text(out.read_text().replace("SHOT3 ", "SHOT9 "))
    code, text, _ = _verify(capsys, str(src), str(bad), "--json")
    assert code == 1
    report = json.loads(text)
    assert report["ok"] is False and len(report["slots"]) == 1
    assert any("SHOT3" in line for line in report["outside"])


def test_fcp7_marker_lost_outside_the_slot_is_found(fixture_copy, media, capsys):
    src = fixture_copy("premiere_example.xml")
    assert src.read_text().count("<marker>") == 5
    _, _, _, out = fill(src, [(2, 113, 52, "gap")], media(30))
    assert _verify(capsys, str(src), str(out))[0] == 0
    text = out.read_text()
    bad = out.with_name("bad.xml")
    bad.write_text(re.sub(r"<marker>.*?</marker>", "", text, count=1, flags=re.S))
    code, out_text, _ = _verify(capsys, str(src), str(bad))
    assert code == 1 and "<marker> element(s) lost" in out_text
    broken = out.with_name("broken.xml")
    broken.write_text(text.replace("</clipitem>", "</clipitem></clipitem>", 1))
    code, _, err = _verify(capsys, str(src), str(broken))
    assert code == 2 and "not well-formed XML" in err


def test_aaf_fill_verifies_with_pyaaf2(fixture_copy, media):
    src = fixture_copy("trims.aaf")
    _, _, places, out = fill(src, [(1, 2038, 108, "gap")], media(24))
    report = verify(src, out, "aaf")
    assert report.ok, report.outside
    assert [(s.slot_id, s.replaced) for s in report.slots] == [(places[0].slot.id, ["Filler"])]
    # The editor's sequence against itself with one clip fewer: found.
    other = verify(out, src, "aaf")
    assert other.ok is False and any("missing" in line for line in other.outside)


def test_write_back_refuses_a_file_that_fails_the_check(fixture_copy, media, monkeypatch):
    """A patcher that changed an event outside the slot: nothing is put in place."""
    real = EdlPatcher.write

    def sloppy(self, source, edited, placements, dest):
        real(self, source, edited, placements, dest)
        dest.write_text(dest.read_text().replace("SHOT3 ", "SHOT9 "))

    monkeypatch.setattr(EdlPatcher, "write", sloppy)
    src = fixture_copy("gap_test.edl")
    with pytest.raises(WriteError, match="failed its check: event lost or changed: SHOT3"):
        fill(src, [(1, 24, 16, "gap")], media(24))
    assert sorted(p.name for p in src.parent.iterdir()) == ["gap_test.edl"]


@pytest.mark.skipif(shutil.which("xmllint") is None, reason="xmllint is not installed")
def test_xmllint_reads_what_the_patchers_write(fixture_copy, media):
    src = fixture_copy("fcpx_example.fcpxml")
    _, _, _, out = fill(src, [(1, 1080, 60, "gap")], media(30))
    result = subprocess.run(["xmllint", "--noout", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert verify(src, out, "fcpxml").ok


def test_verify_refuses_files_of_two_formats(tmp_path, capsys):
    a, b = tmp_path / "a.edl", tmp_path / "b.xml"
    a.write_text("TITLE: x\n")
    b.write_text("<xmeml/>")
    code, _, err = _verify(capsys, str(a), str(b))
    assert code == 2 and "like the original" in err
    assert _verify(capsys, str(a), str(tmp_path / "missing.edl"))[0] == 2

