"""Reading every real fixture, rate detection, and clear errors for bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

import opentimelineio as otio
import pytest

from pickup.errors import TimelineError
from pickup.timeline import detect_edl_rate, find_slots, read_timeline
from tests.conftest import FIXTURES, fixture_files

NO_SEQUENCE = {"fcpx_clips.fcpxml"}
NEWER_SCHEMA = {"premiere_example.newer-schema.otio"}


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_every_fixture_reads_or_says_why(path: Path) -> None:
    if path.name in NO_SEQUENCE | NEWER_SCHEMA:
        with pytest.raises(TimelineError) as err:
            read_timeline(path)
        assert path.name in str(err.value)
        return
    loaded = read_timeline(path)
    assert isinstance(loaded.timeline, otio.schema.Timeline)
    assert loaded.rate > 0
    # Scanning never fails on a real file, marked or not.
    slots = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame,
                       all_gaps=True)
    for slot in slots:
        assert slot.duration > 0
        assert slot.track.startswith("V")


def test_newer_schema_message_is_actionable() -> None:
    with pytest.raises(TimelineError) as err:
        read_timeline(FIXTURES / "premiere_example.newer-schema.otio")
    text = str(err.value)
    assert "newer OpenTimelineIO" in text and "upgrade" in text


@pytest.mark.parametrize(("name", "rate"), [("25fps.edl", 25.0), ("screening_example.edl", 24.0),
                                            ("gap_test.edl", 24.0)])
def test_edl_rate_detected(name: str, rate: float) -> None:
    loaded = read_timeline(FIXTURES / name)
    assert loaded.rate == rate
    assert loaded.rate_note and f"{int(rate)} fps" in loaded.rate_note


def test_edl_at_wrong_rate_is_a_clear_error() -> None:
    with pytest.raises(TimelineError) as err:
        read_timeline(FIXTURES / "25fps.edl", rate=24)
    assert "25fps.edl" in str(err.value)


def test_edl_start_timecode_is_first_record_in() -> None:
    loaded = read_timeline(FIXTURES / "screening_example.edl")
    start = otio.opentime.to_timecode(otio.opentime.RationalTime(loaded.start_frame, 24), 24)
    assert start == "00:59:53:11"


def test_detect_rate_rules() -> None:
    assert detect_edl_rate("001 X V C 00:00:00:23 00:00:01:00 00:00:00:00 00:00:01:00")[0] == 24
    assert detect_edl_rate("001 X V C 00:00:00:24 00:00:01:00 00:00:00:00 00:00:01:00")[0] == 25
    assert detect_edl_rate("001 X V C 00:00:00:29 00:00:01:00 00:00:00:00 00:00:01:00")[0] == 30
    assert round(detect_edl_rate("FCM: DROP FRAME\n001 X V C 00:00:00;29")[0], 2) == 29.97
    with pytest.raises(TimelineError):
        detect_edl_rate("001 X V C 00:00:00:75 00:00:01:00 00:00:00:00 00:00:01:00")


def test_fcp7_xml_sequence_start_and_rate() -> None:
    loaded = read_timeline(FIXTURES / "premiere_generators.xml")
    assert abs(loaded.rate - 24000 / 1001) < 1e-3


@pytest.mark.parametrize(("name", "data", "needle"), [
    ("empty.otio", b"", "empty"),
    ("trunc.xml", None, "FCP7 XML"),
    ("garbage.aaf", b"\x00\x13garbage-not-an-aaf" * 50, "AAF"),
    ("bad.edl", b"TITLE: x\n001  AX V C 00:00:00:00 00:00:99:99 00:00:00:00 00:00:01:00\n",
     "bad.edl"),
    ("notes.txt", b"hello", "unknown timeline suffix"),
    ("broken.otio", b'{"OTIO_SCHEMA": "Timeline.1", "tracks": ', "OTIO JSON"),
])
def test_bad_files_raise_timeline_error(tmp_path: Path, name: str, data: bytes | None,
                                        needle: str) -> None:
    path = tmp_path / name
    if data is None:
        text = (FIXTURES / "premiere_example.xml").read_bytes()
        data = text[: len(text) // 2]
    path.write_bytes(data)
    with pytest.raises(TimelineError) as err:
        read_timeline(path)
    assert needle in str(err.value)
    assert str(path) in str(err.value) or name in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TimelineError, match="no such file"):
        read_timeline(tmp_path / "nope.otio")


def test_adapter_override_reads_odd_suffix(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt"
    shutil.copy(FIXTURES / "gap_test.edl", path)
    loaded = read_timeline(path, adapter="cmx_3600")
    assert loaded.format.name == "edl"
    assert len(loaded.timeline.tracks[0]) == 5


def test_fcpxml_media_rep_assets_are_online(tmp_path: Path) -> None:
    """FCPXML 1.9+ names media in <media-rep>; the adapter reads only <asset src>, so
    Pickup feeds it the src (the file itself is not touched)."""
    text = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>
<fcpxml version="1.10">
  <resources>
    <format id="r1" frameDuration="1/24s" width="1920" height="1080"/>
    <asset id="r2" name="A001" start="0s" duration="2s" hasVideo="1" format="r1">
      <media-rep kind="proxy-media" src="file:///proxies/A001.mov"/>
      <media-rep kind="original-media" src="file:///media/A001.mov"/>
    </asset>
    <asset id="r3" name="A002" start="0s" duration="2s" hasVideo="1" format="r1"
           src="file:///old/A002.mov"/>
  </resources>
  <library><event name="e"><project name="p">
    <sequence format="r1" duration="2s" tcStart="0s"><spine>
      <asset-clip name="A001" offset="0s" ref="r2" duration="1s"/>
      <asset-clip name="A002" offset="1s" ref="r3" duration="1s"/>
    </spine></sequence>
  </project></event></library>
</fcpxml>
"""
    path = tmp_path / "modern.fcpxml"
    path.write_text(text, encoding="utf-8")
    loaded = read_timeline(path)
    urls = [c.media_reference.target_url for c in loaded.timeline.find_clips()]
    assert urls == ["file:///media/A001.mov", "file:///old/A002.mov"]
    assert path.read_text(encoding="utf-8") == text


def test_fcpxml_media_rep_truncated_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.fcpxml"
    path.write_text('<?xml version="1.0"?><fcpxml version="1.10"><resources><asset id="r2">'
                    '<media-rep src="file:///a.mov"/>', encoding="utf-8")
    with pytest.raises(TimelineError, match="cannot be read as FCPXML"):
        read_timeline(path)
