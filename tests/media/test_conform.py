"""conform: exact frames, rates by presentation time, geometry, metadata, bad media, cancel."""

from __future__ import annotations

import importlib
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from pickup.errors import CancelledError, ConfigError, MediaError, WriteError
from pickup.media.conform import ConformTarget, conform, profile_suffix
from pickup.media.probe import probe
from tests.media.clips import make_clip, paint_index, read_frames, read_index

NTSC = Fraction(24000, 1001)


def _target(**kw: object) -> ConformTarget:
    base: dict[str, object] = {"frames": 24, "rate": Fraction(24), "width": 128,
                               "height": 72, "profile": "h264"}
    base.update(kw)
    return ConformTarget(**base)  # type: ignore[arg-type]


def _indices(path: Path) -> list[int]:
    return [read_index(f) for f in read_frames(path)]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ------------------------------------------------------------------ profiles and metadata


@pytest.mark.parametrize(("profile", "codec", "pix_fmt", "codec_profile"), [
    ("prores_hq", "prores", "yuv422p10le", "HQ"),
    ("dnxhr_hq", "dnxhd", "yuv422p", "DNXHR HQ"),
    ("h264", "h264", "yuv420p", "High"),
])
def test_profiles_write_exact_frames_rate_and_metadata(tmp_path: Path, profile: str, codec: str,
                                                       pix_fmt: str, codec_profile: str) -> None:
    src = make_clip(tmp_path / "src.mp4", frames=60, rate=30, size=(128, 72), paint=paint_index)
    dest = tmp_path / f"out{profile_suffix(profile)}"
    target = ConformTarget(frames=40, rate=NTSC, width=320, height=180, profile=profile,
                           timecode="01:00:04:12", reel="A001", slot_id="V1-01000412",
                           audio=True, metadata={"pickup_take": "T02"})
    info = conform(src, target, dest)
    again = probe(dest)
    assert info == again
    assert again.frames == 40 and len(read_frames(dest)) == 40
    assert again.rate == NTSC and isinstance(again.rate, Fraction)
    assert (again.width, again.height) == (320, 180)
    assert (again.codec, again.pix_fmt, again.profile) == (codec, pix_fmt, codec_profile)
    assert again.start_timecode == "01:00:04:12"
    assert again.reel == "A001"
    assert again.slot_id == "V1-01000412"
    assert again.audio_streams == 1
    assert "T02" in again.tags.values()
    assert dest.suffix == {"prores_hq": ".mov", "dnxhr_hq": ".mxf", "h264": ".mp4"}[profile]
    with av.open(str(dest)) as container:
        audio = container.streams.audio[0]
        assert audio.sample_rate == 48000 and audio.channels == 2
    assert _leftovers(tmp_path) == []


def test_mxf_refuses_rates_it_cannot_hold(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "src.mp4", frames=5)
    with pytest.raises(ConfigError, match="cannot hold 16"):
        conform(src, _target(profile="dnxhr_hq", rate=Fraction(16)), tmp_path / "o.mxf")
    assert not (tmp_path / "o.mxf").exists()


# ------------------------------------------------------------------ timing


def _expected(n: int, src_rate: Fraction, out_rate: Fraction, src_frames: int) -> list[int]:
    """The source frame on screen at the middle of each output frame."""
    return [min(src_frames - 1, int((k + Fraction(1, 2)) / out_rate * src_rate))
            for k in range(n)]


@pytest.mark.parametrize(("src_rate", "out_rate", "src_frames", "out_frames"), [
    (Fraction(30), NTSC, 150, 120),      # 5 s of 30 fps into a 23.976 slot
    (Fraction(25), Fraction(24), 50, 48),
    (Fraction(16), Fraction(24), 32, 48),
])
def test_rate_conversion_keeps_motion_timing(tmp_path: Path, src_rate: Fraction,
                                             out_rate: Fraction, src_frames: int,
                                             out_frames: int) -> None:
    src = make_clip(tmp_path / "src.mp4", frames=src_frames, rate=src_rate, size=(128, 72),
                    paint=paint_index)
    dest = tmp_path / "out.mp4"
    info = conform(src, _target(frames=out_frames, rate=out_rate), dest)
    assert info.frames == out_frames and info.rate == out_rate
    assert _indices(dest) == _expected(out_frames, src_rate, out_rate, src_frames)


def test_variable_frame_rate_source_by_presentation_time(tmp_path: Path) -> None:
    pts = [0, 40, 80, 150, 160, 240, 400, 420, 440, 600, 700, 760]  # milliseconds
    src = make_clip(tmp_path / "vfr.mp4", frames=len(pts), rate=25, size=(128, 72),
                    pts=pts, time_base=Fraction(1, 1000), paint=paint_index)
    dest = tmp_path / "out.mp4"
    conform(src, _target(frames=20, rate=Fraction(25)), dest)
    expected = []
    for k in range(20):
        t = (k + 0.5) * 40
        expected.append(max(i for i, p in enumerate(pts) if p <= t))
    assert _indices(dest) == expected


def test_handles_add_frames_at_both_ends(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "src.mp4", frames=60, rate=24, size=(128, 72), paint=paint_index)
    info = conform(src, _target(frames=24, handles=6, timecode="00:59:59:18"),
                   tmp_path / "o.mp4")
    assert info.frames == 36
    assert info.start_timecode == "00:59:59:18"
    assert _indices(info.path) == list(range(36))


def test_longer_centre_takes_the_middle(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "src.mp4", frames=48, rate=24, size=(128, 72), paint=paint_index)
    info = conform(src, _target(frames=24, longer="centre"), tmp_path / "o.mp4")
    assert _indices(info.path) == list(range(12, 36))
    info = conform(src, _target(frames=24), tmp_path / "t.mp4")
    assert _indices(info.path) == list(range(24))


def test_shorter_hold_retime_refuse(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    short = make_clip(tmp_path / "short.mp4", frames=20, rate=24, size=(128, 72),
                      paint=paint_index)
    held = conform(short, _target(frames=24), tmp_path / "hold.mp4")
    assert _indices(held.path) == list(range(20)) + [19] * 4
    # 20 frames into 24 is a 1.2x stretch: within the limit, so no frame is held at the end
    retimed = conform(short, _target(frames=24, shorter="retime"), tmp_path / "retime.mp4")
    got = _indices(retimed.path)
    assert got == [int((k + 0.5) * 20 / 24) for k in range(24)]
    assert got[-4:] != [19] * 4
    # 10 frames into 24 is past the limit: held instead, with a warning
    tiny = make_clip(tmp_path / "tiny.mp4", frames=10, rate=24, size=(128, 72),
                     paint=paint_index)
    fallback = conform(tiny, _target(frames=24, shorter="retime"), tmp_path / "fallback.mp4")
    assert _indices(fallback.path) == list(range(10)) + [9] * 14
    assert "too short to retime" in caplog.text
    with pytest.raises(MediaError, match="needs"):
        conform(short, _target(frames=24, shorter="refuse"), tmp_path / "refused.mp4")
    assert not (tmp_path / "refused.mp4").exists()


def test_one_frame_source_is_held(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "one.mov", frames=1, rate=24, size=(128, 72), codec="png",
                    pix_fmt="rgb24", paint=lambda i, a: paint_index(77, a))
    info = conform(src, _target(frames=12), tmp_path / "o.mp4")
    assert info.frames == 12
    assert _indices(info.path) == [77] * 12


# ------------------------------------------------------------------ geometry


def _solid(rgb: tuple[int, int, int]):  # type: ignore[no-untyped-def]
    def paint(_: int, arr: np.ndarray) -> None:
        arr[..., :3] = rgb
    return paint


def _near(pixel: np.ndarray, rgb: tuple[int, int, int], tol: int = 24) -> bool:
    return bool(np.all(np.abs(pixel[:3].astype(int) - np.array(rgb)) <= tol))


BLACK = (0, 0, 0)
RED = (220, 30, 30)
BLUE = (30, 30, 220)


def test_fit_pillarboxes_a_square_source(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "sq.mp4", frames=3, size=(64, 64), paint=_solid(RED))
    info = conform(src, _target(frames=3, width=320, height=180), tmp_path / "o.mp4")
    frame = read_frames(info.path)[1]
    assert _near(frame[90, 20], BLACK) and _near(frame[90, 300], BLACK)  # bars
    assert _near(frame[90, 160], RED) and _near(frame[5, 160], RED)  # picture, full height
    assert _near(frame[90, 75], RED) and _near(frame[90, 64], BLACK)  # 180 wide, centred


def test_fill_crops_and_stretch_distorts(tmp_path: Path) -> None:
    def stripes(_: int, arr: np.ndarray) -> None:
        arr[..., :3] = RED
        arr[:8, :, :3] = BLUE  # a band at the top that fill must crop away
        arr[:, 32:, :3] = np.where(np.arange(64)[:, None, None] < 8, BLUE, (30, 200, 30))
    src = make_clip(tmp_path / "sq.mp4", frames=3, size=(64, 64), paint=stripes)
    fill = read_frames(conform(src, _target(frames=3, width=320, height=180, fit="fill"),
                               tmp_path / "fill.mp4").path)[1]
    assert _near(fill[2, 80], RED) and _near(fill[2, 240], (30, 200, 30))  # band gone
    assert _near(fill[90, 2], RED) and _near(fill[90, 317], (30, 200, 30))  # no bars
    stretch = read_frames(conform(src, _target(frames=3, width=320, height=180,
                                               fit="stretch"), tmp_path / "st.mp4").path)[1]
    assert _near(stretch[5, 80], BLUE) and _near(stretch[90, 80], RED)  # band kept
    assert _near(stretch[90, 150], RED) and _near(stretch[90, 170], (30, 200, 30))
    assert _near(stretch[90, 2], RED)


def test_pixel_aspect_is_honoured(tmp_path: Path) -> None:
    # 64x36 stored pixels that are twice as wide as tall: shown 128x36, a 32:9 picture
    src = make_clip(tmp_path / "ana.mp4", frames=3, size=(64, 36), sar=Fraction(2),
                    paint=_solid(RED))
    assert probe(src).pixel_aspect == 2
    frame = read_frames(conform(src, _target(frames=3, width=320, height=180),
                                tmp_path / "o.mp4").path)[1]
    assert _near(frame[20, 160], BLACK) and _near(frame[160, 160], BLACK)  # letterbox
    assert _near(frame[90, 160], RED) and _near(frame[90, 3], RED)


def test_portrait_phone_clip_is_turned_upright(tmp_path: Path) -> None:
    def halves(_: int, arr: np.ndarray) -> None:
        arr[:, :32, :3] = RED  # left of the stored picture: the top once turned
        arr[:, 32:, :3] = BLUE
    src = make_clip(tmp_path / "phone.mp4", frames=3, size=(64, 36), rotation=-90,
                    paint=halves)
    assert probe(src).rotation == -90
    info = conform(src, _target(frames=3, width=320, height=180), tmp_path / "o.mp4")
    assert info.rotation == 0
    frame = read_frames(info.path)[1]
    assert _near(frame[30, 160], RED) and _near(frame[150, 160], BLUE)
    assert _near(frame[90, 20], BLACK) and _near(frame[90, 300], BLACK)  # pillarbox
    portrait = read_frames(conform(src, _target(frames=3, width=72, height=128),
                                   tmp_path / "p.mp4").path)[1]
    assert _near(portrait[20, 36], RED) and _near(portrait[108, 36], BLUE)
    assert _near(portrait[30, 1], RED) and _near(portrait[100, 70], BLUE)  # no bars


def test_odd_source_size(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "odd.mov", frames=5, size=(63, 35), codec="png",
                    pix_fmt="rgb24", paint=_solid(RED))
    info = conform(src, _target(frames=5, width=320, height=180), tmp_path / "o.mp4")
    assert (info.width, info.height, info.frames) == (320, 180, 5)
    assert _near(read_frames(info.path)[2][90, 160], RED)


def test_odd_target_size(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "s.mp4", frames=3, size=(128, 72), paint=_solid(RED))
    with pytest.raises(ConfigError, match="even width and height"):
        conform(src, _target(width=321), tmp_path / "o.mp4")  # H.264 4:2:0 cannot
    for profile, suffix in (("prores_hq", ".mov"), ("dnxhr_hq", ".mxf")):
        info = conform(src, _target(frames=3, width=321, height=181, profile=profile),
                       tmp_path / f"o{suffix}")
        assert (info.width, info.height, info.frames) == (321, 181, 3)
        assert _near(read_frames(info.path)[1][90, 160], RED)


def test_ten_bit_source(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "ten.mov", frames=6, size=(128, 72), codec="prores_ks",
                    pix_fmt="yuv422p10le", paint=paint_index)
    assert probe(src).pix_fmt == "yuv422p10le"
    info = conform(src, _target(frames=6), tmp_path / "o.mp4")
    assert _indices(info.path) == list(range(6))


def test_alpha_source_is_composited_over_black(tmp_path: Path) -> None:
    def half_transparent(_: int, arr: np.ndarray) -> None:
        arr[..., :3] = (250, 250, 250)
        arr[:, :64, 3] = 0  # left half fully transparent
    src = make_clip(tmp_path / "alpha.mov", frames=4, size=(128, 72), codec="qtrle",
                    pix_fmt="argb", paint=half_transparent)
    assert "a" in (probe(src).pix_fmt or "")
    frame = read_frames(conform(src, _target(frames=4, profile="prores_hq"),
                                tmp_path / "o.mov").path)[1]
    assert _near(frame[36, 20], BLACK) and _near(frame[36, 100], (250, 250, 250))


# ------------------------------------------------------------------ copy path


def test_matching_source_is_copied_not_reencoded(tmp_path: Path) -> None:
    first = conform(make_clip(tmp_path / "s.mp4", frames=30, size=(128, 72),
                              paint=paint_index),
                    _target(frames=30, width=320, height=180, profile="dnxhr_hq"),
                    tmp_path / "a.mxf")
    second = conform(first.path, _target(frames=30, width=320, height=180, profile="dnxhr_hq",
                                         timecode="10:00:00:00", reel="B7", slot_id="V2-1"),
                     tmp_path / "b.mxf")

    def packets(path: Path) -> list[bytes]:
        with av.open(str(path)) as c:
            return [bytes(p) for p in c.demux(video=0) if p.size]
    assert packets(first.path) == packets(second.path)  # byte-identical video
    assert (second.frames, second.start_timecode, second.reel, second.slot_id) == (
        30, "10:00:00:00", "B7", "V2-1")


# ------------------------------------------------------------------ bad media


def test_bad_media_is_a_media_error(tmp_path: Path) -> None:
    good = make_clip(tmp_path / "good.mp4", frames=48, size=(128, 72),
                     container_options={"movflags": "faststart"})
    data = good.read_bytes()
    cases = {
        "missing.mp4": None,
        "empty.mov": b"",
        "noise.mov": bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8)),
        "notes.mp4": b"this is a text file, not a video\n" * 40,
        "cut.mp4": data[: len(data) // 2],
    }
    for name, blob in cases.items():
        path = tmp_path / name
        if blob is not None:
            path.write_bytes(blob)
        with pytest.raises(MediaError) as err:
            conform(path, _target(frames=48), tmp_path / "out.mp4")
        assert name in str(err.value), str(err.value)
        assert not (tmp_path / "out.mp4").exists()
    audio = make_clip(tmp_path / "speech.wav", frames=10, audio_only=True)
    with pytest.raises(MediaError, match="no video stream"):
        conform(audio, _target(), tmp_path / "out.mp4")
    assert _leftovers(tmp_path) == []


def test_zero_decodable_frames(tmp_path: Path) -> None:
    good = make_clip(tmp_path / "good.mp4", frames=12, size=(128, 72))
    data = bytearray(good.read_bytes())
    mdat = data.find(b"mdat")
    data[mdat + 4:mdat + 4 + 4000] = bytes(min(4000, len(data) - mdat - 4))  # wipe the video
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(bytes(data))
    with pytest.raises(MediaError, match=r"decodable|truncated|damaged"):
        conform(broken, _target(frames=12), tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()


# ------------------------------------------------------------------ cancel and progress


def _conform_threads() -> list[str]:
    return sorted(t.name for t in threading.enumerate() if t.name.startswith("pickup-conform"))


def test_encoder_failure_surfaces_and_leaves_nothing(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Encoding runs on its own thread: its error must reach the caller (an OSError
    # becomes a WriteError, as before), with nothing left at dest and no thread running.
    conform_mod = importlib.import_module("pickup.media.conform")
    src = make_clip(tmp_path / "s.mp4", frames=48, size=(128, 72))
    real = conform_mod._Writer.encode
    calls: list[int] = []

    def failing(self: object, frame: av.VideoFrame | None) -> None:
        calls.append(1)
        if len(calls) > 10:
            raise OSError(28, "No space left on device")
        real(self, frame)  # type: ignore[arg-type]
    monkeypatch.setattr(conform_mod._Writer, "encode", failing)
    with pytest.raises(WriteError, match=r"(?i)no space left|disk"):
        conform(src, _target(frames=48, profile="dnxhr_hq", width=1280, height=720),
                tmp_path / "o.mxf")
    assert not (tmp_path / "o.mxf").exists()
    assert _leftovers(tmp_path) == []
    assert _conform_threads() == []


def test_held_frames_keep_their_own_timestamps(tmp_path: Path) -> None:
    # A held (repeated) frame is queued to the encoder more than once; every output
    # frame still gets its own pts and the picture of the frame held.
    src = make_clip(tmp_path / "s.mp4", frames=6, rate=Fraction(6), size=(128, 72),
                    paint=paint_index)
    out = conform(src, _target(frames=24, profile="prores_hq"), tmp_path / "o.mov")
    assert out.frames == 24
    assert _indices(out.path) == [k // 4 for k in range(24)]
    with av.open(str(out.path)) as container:
        pts = [f.pts for f in container.decode(video=0)]
    assert pts == sorted(set(pts)) and len(pts) == 24
    assert _conform_threads() == []


def test_cancel_leaves_nothing_behind(tmp_path: Path) -> None:
    src = make_clip(tmp_path / "s.mp4", frames=48, size=(128, 72))
    cancel = threading.Event()
    seen: list[float] = []

    def progress(done: float) -> None:
        seen.append(done)
        if done > 0.3:
            cancel.set()
    with pytest.raises(CancelledError):
        conform(src, _target(frames=48), tmp_path / "o.mp4", progress=progress, cancel=cancel)
    assert seen and seen[-1] < 1.0
    assert not (tmp_path / "o.mp4").exists()
    assert _leftovers(tmp_path) == []
    done: list[float] = []
    conform(src, _target(frames=48), tmp_path / "o.mp4", progress=done.append)
    assert done[-1] == 1.0 and done == sorted(done)
