"""Fixtures for the take tests: tiny cuts in OTIO, FCP7 XML, EDL and AAF, and a CLI runner.

Every cut is 24 fps, starts at 01:00:00:00, and has two empty stretches on V1 that
``fill --slots`` fills with previz takes at 64x36.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import opentimelineio as otio
import pytest

from pickup.cli import main
from tests.conftest import FIXTURES

RATE = 24
XML_SLOTS = ("V1-01000100", "V1-01000212")
EDL_SLOTS = ("V1-01000100", "V1-01000212")
AAF_SLOT = "V1-01012422"


def run(*argv: str) -> tuple[int, str, str]:
    """``pickup ARGV`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def ok(*argv: str) -> str:
    """Run and require exit 0; returns the last stdout line (the file written)."""
    code, out, err = run(*argv)
    assert code == 0, f"pickup {' '.join(map(str, argv))} -> {code}\n{out}\n{err}"
    return out.strip().splitlines()[-1] if out.strip() else ""


def takes_json(timeline: Path, *extra: str) -> dict[str, Any]:
    code, out, err = run("takes", timeline, *extra, "--json")
    assert code == 0, err
    return json.loads(out)


def _rate_xml() -> str:
    return "<rate><timebase>24</timebase><ntsc>FALSE</ntsc></rate>"


def _clipitem(n: int, start: int, end: int, media: Path) -> str:
    return f"""        <clipitem id="clipitem-{n}">
          <name>A00{n}</name>
          <duration>24</duration>
          {_rate_xml()}
          <start>{start}</start>
          <end>{end}</end>
          <in>0</in>
          <out>{end - start}</out>
          <file id="file-{n}">
            <name>{media.name}</name>
            <pathurl>{media.resolve().as_uri()}</pathurl>
            {_rate_xml()}
            <duration>24</duration>
            <media><video><samplecharacteristics><width>64</width><height>36</height>
            </samplecharacteristics></video></media>
          </file>
          <filter><effect><name>Basic Motion</name><effectid>basic</effectid></effect></filter>
        </clipitem>
"""


@pytest.fixture
def xml_cut(tmp_path: Path, make_video: Callable[..., Path]) -> Path:
    """FCP7 XML: A001 0-24, hole 24-36 (V1-01000100), A002 36-60, hole 60-72
    (V1-01000212), A003 72-96."""
    media = make_video(24)
    items = "".join(_clipitem(n, a, b, media) for n, (a, b) in
                    enumerate(((0, 24), (36, 60), (72, 96)), start=1))
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE xmeml>
<xmeml version="4">
  <sequence id="sequence-1">
    <name>roundtrip</name>
    <duration>96</duration>
    {_rate_xml()}
    <timecode>{_rate_xml()}<string>01:00:00:00</string><frame>86400</frame>
    <displayformat>NDF</displayformat></timecode>
    <media>
      <video>
        <format><samplecharacteristics><width>64</width><height>36</height>
        </samplecharacteristics></format>
        <track>
{items}        </track>
      </video>
    </media>
  </sequence>
</xmeml>
"""
    path = tmp_path / "cut.xml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def edl_cut(tmp_path: Path) -> Path:
    """CMX 3600: events at 01:00:00:00, 01:00:01:12, 01:00:03:00; holes at
    01:00:01:00 (12 f) and 01:00:02:12 (12 f)."""
    text = """TITLE: roundtrip
FCM: NON-DROP FRAME

001  A001     V     C        00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00
* FROM CLIP NAME: A001
002  A002     V     C        00:00:00:00 00:00:01:00 01:00:01:12 01:00:02:12
* FROM CLIP NAME: A002
003  A003     V     C        00:00:00:00 00:00:01:00 01:00:03:00 01:00:04:00
* FROM CLIP NAME: A003
"""
    path = tmp_path / "cut.edl"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def aaf_cut(tmp_path: Path) -> Path:
    """A copy of the shared fixture trims.aaf (Avid), whose V1 hole is V1-01012422."""
    src = FIXTURES / "trims.aaf"
    if not src.is_file():
        pytest.skip(f"fixture {src} not found")
    dest = tmp_path / "cut.aaf"
    shutil.copyfile(src, dest)
    return dest


@pytest.fixture
def otio_cut(tmp_path: Path, make_video: Callable[..., Path]) -> Path:
    """OTIO with two GEN-marked gaps (V1-01000012, 10 f; V1-01000110, 7 f)."""
    media = make_video(24)

    def clip(name: str, frames: int) -> otio.schema.Clip:
        ref = otio.schema.ExternalReference(
            target_url=media.resolve().as_uri(),
            available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, RATE),
                                                    otio.opentime.RationalTime(24, RATE)))
        return otio.schema.Clip(name=name, media_reference=ref,
                                source_range=otio.opentime.TimeRange(
                                    otio.opentime.RationalTime(0, RATE),
                                    otio.opentime.RationalTime(frames, RATE)))

    def gap(frames: int, text: str) -> otio.schema.Gap:
        g = otio.schema.Gap(duration=otio.opentime.RationalTime(frames, RATE))
        g.markers.append(otio.schema.Marker(name=text, marked_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, RATE), otio.opentime.RationalTime(0, RATE))))
        return g

    tl = otio.schema.Timeline(name="cut")
    tl.global_start_time = otio.opentime.RationalTime(86400, RATE)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    tl.tracks.append(track)
    a = clip("A001", 12)
    a.markers.append(otio.schema.Marker(name="keep me", marked_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(2, RATE), otio.opentime.RationalTime(0, RATE))))
    track.extend([a, gap(10, "GEN establishing: a farmhouse at dusk"), clip("A002", 12),
                  gap(7, "GEN insert: a hand on a doorknob"), clip("A003", 12)])
    path = tmp_path / "cut.otio"
    otio.adapters.write_to_file(tl, str(path))
    return path


@pytest.fixture(autouse=True)
def _quiet_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user config, clip names and C2PA signer from the environment of the tests."""
    monkeypatch.setenv("PICKUP_CONFIG", str(tmp_path / "no-config.toml"))
    for name in ("PICKUP_CLIP_NAME", "PICKUP_C2PA_CERT", "PICKUP_C2PA_KEY",
                 "PICKUP_C2PA_ALG", "PICKUP_C2PA_TSA_URL"):
        monkeypatch.delenv(name, raising=False)


def fill(timeline: Path, slots: tuple[str, ...] | None, *extra: str) -> Path:
    """``pickup fill`` with previz at 64x36 (ProRes: DNxHR cannot be that small)."""
    args = ["fill", timeline, "--size", "64x36", "--profile", "prores_hq", *extra]
    if slots:
        args += ["--slots", ",".join(slots)]
    return Path(ok(*args))


@pytest.fixture
def fcpx_cut(tmp_path: Path, make_video: Callable[..., Path]) -> Path:
    """FCPXML at 24 fps: A001 0-1 s, a gap 1-2 s with a marker (FCPX_GAP), a placeholder
    asset-clip 2-3 s with a marker (FCPX_PH), A003 3-4 s.  The gap's marker times are
    unreduced fractions, as FCP writes some: re-timed back they read 86413/24s, so only
    the recorded text gives the editor's bytes back."""
    media = make_video(24)
    GEN = "GEN insert: a hand on a doorknob"
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>
<fcpxml version="1.9">
    <resources>
        <format id="r1" name="FFVideoFormat1080p24" frameDuration="1/24s" width="64" height="36"/>
        <asset id="r2" name="{media.name}" start="0s" duration="1s" hasVideo="1" format="r1"
               videoSources="1">
            <media-rep kind="original-media" src="{media.resolve().as_uri()}"/>
        </asset>
    </resources>
    <library>
        <event name="roundtrip">
            <project name="cut">
                <sequence duration="4s" format="r1" tcStart="0s" tcFormat="NDF">
                    <spine>
                        <asset-clip name="A001" offset="0s" ref="r2" duration="1s" tcFormat="NDF"/>
                        <gap name="Gap" offset="1s" duration="1s" start="3600s">
                            <marker start="172826/48s" duration="2/48s" value="in the gap"/>
                        </gap>
                        <asset-clip name="{GEN}" offset="2s" ref="r2" duration="1s" tcFormat="NDF">
                            <marker start="5/24s" duration="1/24s" value="on the placeholder"/>
                        </asset-clip>
                        <asset-clip name="A003" offset="3s" ref="r2" duration="1s" tcFormat="NDF"/>
                    </spine>
                </sequence>
            </project>
        </event>
    </library>
</fcpxml>
"""
    path = tmp_path / "cut.fcpxml"
    path.write_text(text, encoding="utf-8")
    return path
