"""Single frames, thumbnails, neighbour frames and probe details."""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
from PIL import Image

from pickup.errors import MediaError
from pickup.media.frames import frame_images
from pickup.media.neighbours import neighbour_frames
from pickup.media.probe import probe
from pickup.media.thumbnails import thumbnails
from pickup.timeline import find_slots, read_timeline
from tests.media.clips import make_clip, paint_index, read_index

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange


def _png_index(path: Path) -> int:
    return read_index(np.asarray(Image.open(path).convert("RGB")))


@pytest.mark.parametrize(("codec", "pix_fmt", "suffix", "options"), [
    ("libx264", "yuv420p", ".mp4", None),
    ("prores_ks", "yuv422p10le", ".mov", None),
    ("dnxhd", "yuv422p", ".mxf", {"profile": "dnxhr_hq"}),
])
def test_frame_images_by_index_in_every_container(tmp_path: Path, codec: str, pix_fmt: str,
                                                  suffix: str, options: dict | None) -> None:
    clip = make_clip(tmp_path / f"c{suffix}", frames=40, rate=24, size=(256, 144), codec=codec,
                     pix_fmt=pix_fmt, options=options, paint=paint_index)
    images = frame_images(clip, [0, 17, 39, -1, 100, 5])
    assert [read_index(np.asarray(i)) for i in images] == [0, 17, 39, 39, 39, 5]


def test_probe_counts_frames_of_mxf_and_reads_rotation(tmp_path: Path) -> None:
    mxf = make_clip(tmp_path / "c.mxf", frames=30, rate=25, size=(256, 144), codec="dnxhd",
                    pix_fmt="yuv422p", options={"profile": "dnxhr_hq"})
    info = probe(mxf)
    assert (info.frames, info.rate, info.profile) == (30, Fraction(25), "DNXHR HQ")
    phone = make_clip(tmp_path / "p.mp4", frames=3, size=(64, 36), rotation=-90)
    assert probe(phone).rotation == -90
    upright = frame_images(phone, [0])[0]
    assert upright.size == (36, 64)


def test_thumbnails_first_middle_last(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "take.mp4", frames=31, size=(256, 144), paint=paint_index)
    thumbs = thumbnails(clip, tmp_path / "thumbs", width=128)
    assert [p.name for p in thumbs] == ["take_first.png", "take_middle.png", "take_last.png"]
    assert [_png_index(p) for p in thumbs] == [0, 15, 30]
    assert Image.open(thumbs.first).size == (128, 72)


def test_thumbnails_of_bad_media(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mov"
    bad.write_bytes(b"nope" * 100)
    with pytest.raises(MediaError):
        thumbnails(bad, tmp_path / "t")


def _timeline(tmp_path: Path, before: otio.schema.Item, after: otio.schema.Item) -> Path:
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    track.append(before)
    gap = otio.schema.Gap(source_range=TR(RT(0, 24), RT(24, 24)))
    gap.markers.append(otio.schema.Marker(name="GEN cutaway: a crow on the fence",
                                          marked_range=TR(RT(0, 24), RT(0, 24))))
    track.append(gap)
    track.append(after)
    timeline = otio.schema.Timeline(name="cut")
    timeline.tracks.append(track)
    path = tmp_path / "cut.otio"
    otio.adapters.write_to_file(timeline, str(path))
    return path


def test_neighbour_frames_honour_source_range_and_media_start(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    make_clip(tmp_path / "media" / "a.mp4", frames=40, size=(128, 72), paint=paint_index)
    # Outgoing: media starts at 01:00:00:00 (available range); the clip uses 10-29.
    start = RT(86400, 24)
    before = otio.schema.Clip(
        name="a", media_reference=otio.schema.ExternalReference(
            target_url="media/a.mp4", available_range=TR(start, RT(40, 24))),
        source_range=TR(start + RT(10, 24), RT(20, 24)))
    # Incoming: no available range, the file's own start timecode 00:00:10:00 counts.
    in_media = make_clip(tmp_path / "media" / "b.mov", frames=40, size=(128, 72),
                         codec="prores_ks", pix_fmt="yuv422p10le", timecode="00:00:10:00",
                         paint=lambda i, a: paint_index(i + 100, a))
    assert probe(in_media).start_timecode == "00:00:10:00"
    after = otio.schema.Clip(
        name="b", media_reference=otio.schema.ExternalReference(
            target_url=in_media.resolve().as_uri()),
        source_range=TR(RT(240 + 5, 24), RT(20, 24)))
    loaded = read_timeline(_timeline(tmp_path, before, after))
    slot = find_slots(loaded.timeline, rate=loaded.rate)[0]
    first, last = neighbour_frames(loaded, slot, tmp_path / "nb")
    assert first is not None and last is not None
    assert _png_index(first) == 29  # last frame the outgoing clip shows
    assert _png_index(last) == 105  # first frame of the incoming clip (media frame 5)


def test_neighbour_frames_offline_media_is_none_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    before = otio.schema.Clip(
        name="a", media_reference=otio.schema.ExternalReference(
            target_url=(tmp_path / "offline.mov").as_uri()),
        source_range=TR(RT(0, 24), RT(24, 24)))
    after = otio.schema.Gap(source_range=TR(RT(0, 24), RT(24, 24)))
    loaded = read_timeline(_timeline(tmp_path, before, after))
    slot = find_slots(loaded.timeline, rate=loaded.rate)[0]
    with caplog.at_level(logging.WARNING):
        assert neighbour_frames(loaded, slot, tmp_path / "nb") == (None, None)
    assert "offline" in caplog.text
