"""``pickup export --for avid|avid-edl`` from filled AAF, EDL and XML, checked with readers
Pickup did not write: pycmx for the EDL, pyaaf2 (its MXF reader too) for the AAF and
the media, mediainfo when it is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import aaf2
import aaf2.mxf
import opentimelineio as otio
import pycmx
import pytest

from pickup.cli import main
from pickup.errors import WriteError
from pickup.media.probe import probe
from tests.conftest import FIXTURES

#: A cut that starts at 01:00:00:00, with a 2 s hole between two shots.
EDL_AT_ONE_HOUR = """TITLE: one hour
FCM: NON-DROP FRAME

001  SHOT1    V     C        00:10:00:00 00:10:01:00 01:00:00:00 01:00:01:00
* FROM CLIP NAME: shot1
002  SHOT2    V     C        23:00:00:00 23:00:01:00 01:00:03:00 01:00:04:00
* FROM CLIP NAME: shot2
"""

SIZE = "256x144"


@pytest.fixture
def no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PICKUP_CONFIG", str(tmp_path / "no-config.toml"))


def _fill(src: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    code = main(["fill", str(src), "--all-gaps", "--provider", "previz", "--size", SIZE])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return Path(captured.out.strip().splitlines()[-1])


def _export(filled: Path, target: str, out: Path, capsys: pytest.CaptureFixture[str]
            ) -> tuple[int, str, str]:
    code = main(["export", str(filled), "--for", target, "-o", str(out)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _ale_rows(path: Path) -> list[dict[str, str]]:
    head, _, data = path.read_text().partition("\nData\n")
    columns = head.split("\nColumn\n", 1)[1].strip().split("\t")
    return [dict(zip(columns, line.split("\t"), strict=False))
            for line in data.strip().splitlines()]


def _mxf_tape(path: Path) -> tuple[Any, Any]:
    """(material package name, tape package name) as pyaaf2's MXF reader sees them."""
    mxf = aaf2.mxf.MXFFile(str(path))
    material = next(iter(mxf.material_packages()))
    tapes = [o for o in mxf.objects.values() if type(o).__name__ == "MXFSourcePackage"
             and type(o.resolve_ref("Descriptor")).__name__ == "MXFTapeDescriptor"]
    return material.data.get("Name"), tapes[0].data.get("Name") if tapes else None


def test_avid_edl_from_an_edl_at_one_hour(tmp_path, no_config, capsys):
    """Record and source timecodes from the sequence start; the take is conformed at its
    own length (no handles counted from 00:00:00:00); reels agree in EDL, ALE and MXF."""
    src = tmp_path / "cut.edl"
    src.write_text(EDL_AT_ONE_HOUR)
    filled = _fill(src, capsys)
    code, out, err = _export(filled, "avid-edl", tmp_path / "avid", capsys)
    assert code == 0, err
    edl_path = Path(out.strip())
    with edl_path.open() as f:
        events = [e for ev in pycmx.parse_cmx3600(f).events for e in ev.edits]
    new = [e for e in events if e.source.startswith("PKUP")]
    assert [(e.source, e.record_in, e.record_out) for e in new] == [
        ("PKUP001", "01:00:01:00", "01:00:03:00")]
    assert (new[0].source_in, new[0].source_out) == ("01:00:01:00", "01:00:03:00")
    assert [e.source for e in events] == ["SHOT1", "PKUP001", "SHOT2"]
    rows = _ale_rows(edl_path.with_name("cut.pickup.ale"))
    assert [(r["Tape"], r["Start"], r["End"]) for r in rows] == [
        ("PKUP001", "01:00:01:00", "01:00:03:00")]
    mxf = Path(rows[0]["Source File"])
    info = probe(mxf)
    assert (info.frames, info.start_timecode, info.reel) == (48, "01:00:01:00", "PKUP001")
    # 48 frames at 256x144: nothing near the gigabytes a wrong handle count wrote.
    assert mxf.stat().st_size < 20 * 1024 * 1024
    assert _mxf_tape(mxf) == ("V1-01000100_T01", "PKUP001")
    leftovers = [p.name for p in (tmp_path / "avid").rglob(".*")]
    assert leftovers == []


def test_avid_aaf_new_mobs_look_like_avids(tmp_path, no_config, capsys):
    """The KeyError 'SampleRate' export: now an AAF whose new MasterMob is the MXF's
    material package (same UMID and name), slots numbered 1 and named, tape mob = reel."""
    src = tmp_path / "cut.aaf"
    shutil.copyfile(FIXTURES / "trims.aaf", src)
    filled = _fill(src, capsys)
    code, out, err = _export(filled, "avid", tmp_path / "avid", capsys)
    assert code == 0, err
    aaf_path = Path(out.strip())
    rows = _ale_rows(aaf_path.with_suffix(".ale"))
    assert [r["Tape"] for r in rows] == ["PKUP001"]
    mxf_path = Path(rows[0]["Source File"])
    mxf = aaf2.mxf.MXFFile(str(mxf_path))
    package = next(iter(mxf.material_packages()))
    with aaf2.open(str(aaf_path), "r") as f:
        master = f.content.mobs.get(package.mob_id)
        assert isinstance(master, aaf2.mobs.MasterMob)
        assert master.name == package.data.get("Name") == "V1-01012422_T01"
        assert [(s.media_kind, s["PhysicalTrackNumber"].value, s.name)
                for s in _all(master.slots)] == [
                                           ("Picture", 1, "V1-01012422_T01")]
        linked = [m for m in f.content.sourcemobs()
                  if str(m.mob_id).split(".")[-2:] == str(package.mob_id).split(".")[-2:]
                  or m.name in ("PKUP001", "V1-01012422_T01")]
        by_name = {m.name: m for m in linked}
        assert set(by_name) == {"PKUP001", "V1-01012422_T01"}
        assert isinstance(by_name["PKUP001"].descriptor, aaf2.essence.TapeDescriptor)
        for mob in by_name.values():
            numbers = [s["PhysicalTrackNumber"].value for s in mob.slots]
            assert numbers == [1] * len(numbers), mob.name
        # The file mob's timecode is the slot's record-in (the sequence start included).
        tc = next(s for s in by_name["V1-01012422_T01"].slots
                  if str(s.media_kind) == "Timecode")
        start = tc.segment.components[0].start if hasattr(tc.segment, "components") \
            else tc.segment.start
        info = probe(mxf_path)
        assert info.start_timecode is not None
        assert start == round(otio.opentime.from_timecode(info.start_timecode,
                                                          float(info.rate)).value)
        assert info.start_timecode == "01:01:24:22"  # the AAF's start + the slot


def test_avid_edl_from_filled_xml_records_from_the_sequence_start(filled_xml, tmp_path,
                                                                  capsys):
    code, out, err = _export(filled_xml, "avid-edl", tmp_path / "e", capsys)
    assert code == 0, err
    with Path(out.strip()).open() as f:
        events = [e for ev in pycmx.parse_cmx3600(f).events for e in ev.edits]
    assert events[0].record_in == "01:00:00:00"
    new = {e.source: e for e in events if e.source.startswith("PKUP")}
    rows = {r["Tape"]: r for r in _ale_rows(Path(out.strip()).with_suffix(".ale"))}
    assert sorted(new) == sorted(rows) == ["PKUP001", "PKUP002"]
    for reel, row in rows.items():
        assert new[reel].record_in == row["Start"]
        assert probe(row["Source File"]).reel == reel
    assert all(e.source.strip() for e in events)  # no event with an empty reel


def test_failed_export_writes_nothing(filled_xml, tmp_path, capsys, monkeypatch):
    """A timeline write that fails takes the media back out: no folder, no temp file."""
    import pickup.hosts.handoff as handoff

    def boom(*_a, **_k):
        raise WriteError("No space left on device", hint="nothing was written")

    monkeypatch.setattr(handoff, "write_back", boom)
    out = tmp_path / "out"
    code, _, err = _export(filled_xml, "avid-edl", out, capsys)
    assert code == 1 and "No space left" in err
    assert not out.exists()
    # An existing folder with an earlier export keeps its files, byte for byte.
    (out / "media").mkdir(parents=True)
    old = out / "media" / "V1-01000200_T01.mxf"
    old.write_bytes(b"earlier export")
    code, _, _ = _export(filled_xml, "avid-edl", out, capsys)
    assert code != 0
    assert sorted(p.name for p in out.rglob("*")) == ["V1-01000200_T01.mxf", "media"]
    assert old.read_bytes() == b"earlier export"


@pytest.mark.skipif(shutil.which("mediainfo") is None, reason="mediainfo is not installed")
def test_mediainfo_reads_the_reel_and_timecode(filled_xml, tmp_path, capsys):
    code, _out, err = _export(filled_xml, "avid-edl", tmp_path / "m", capsys)
    assert code == 0, err
    mxf = tmp_path / "m" / "media" / "V1-01000200_T01.mxf"
    text = subprocess.run(["mediainfo", str(mxf)], capture_output=True, text=True,
                          check=True).stdout
    assert "V1-01000200_T01 / PKUP001" in text  # material / tape package names
    assert "01:00:02:00" in text


def _all(items: Any) -> list[Any]:
    return list(items)  # pyaaf2 is untyped


def test_avid_op_atom_media_links_in_the_aaf(tmp_path, no_config, capsys):
    """--codec dnxhr_hq_opatom: one essence per MXF (OP-Atom, as Avid MediaFiles hold),
    linked in the AAF by the file's own package UMID."""
    src = tmp_path / "cut.aaf"
    shutil.copyfile(FIXTURES / "trims.aaf", src)
    filled = _fill(src, capsys)
    code = main(["export", str(filled), "--for", "avid", "--codec", "dnxhr_hq_opatom", "-o",
                 str(tmp_path / "atom")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    mxf_path = tmp_path / "atom" / "media" / "V1-01012422_T01.mxf"
    mxf = aaf2.mxf.MXFFile(str(mxf_path))
    assert mxf.operation_pattern == "OPAtom"
    assert probe(mxf_path).reel == "PKUP001"
    package = next(iter(mxf.material_packages()))
    with aaf2.open(str(tmp_path / "atom" / "cut.pickup.aaf"), "r") as f:
        master = f.content.mobs.get(package.mob_id)
        assert master is not None and master.name == "V1-01012422_T01"


def test_op_atom_refuses_audio():
    from fractions import Fraction

    from pickup.errors import ConfigError
    from pickup.media.conform import ConformTarget

    target = ConformTarget(frames=24, rate=Fraction(24), width=256, height=144,
                           profile="dnxhr_hq_opatom", audio=True)
    with pytest.raises(ConfigError, match="one essence per file"):
        target.validate()
