"""``extend`` and ``morph`` fill real gaps offline through ``pickup fill`` (engine,
journal, conform, takes), on footage made here with PyAV: a pan over a textured plate,
encoded as ProRes (an intra codec, like editorial media)."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
from PIL import Image

from pickup.engine.journal import Journal
from pickup.media.seams import luma, ssim
from pickup.project import Project
from tests.takes.conftest import fill, run, takes_json

RATE = 24
W, H = 128, 72
PAN = 2  # pixels the camera pans per frame


def _plate(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(H // 16 + 2, (W + 120 * PAN) // 16 + 2, 3))
    big = Image.fromarray(small.astype(np.uint8)).resize(((W + 120 * PAN), H),
                                                         Image.Resampling.BICUBIC)
    return np.asarray(big)


def _view(plate: np.ndarray, n: int) -> np.ndarray:
    return np.ascontiguousarray(plate[:, n * PAN:n * PAN + W])


def _encode(path: Path, plate: np.ndarray, frames: int, codec: str = "prores_ks") -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=RATE)
        stream.width, stream.height = W, H
        stream.pix_fmt = "yuv422p10le" if codec == "prores_ks" else "yuv420p"
        stream.codec_context.thread_count = 1
        for n in range(frames):
            frame = av.VideoFrame.from_ndarray(_view(plate, n), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def _decode(path: Path, fmt: str = "yuv422p10le") -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format=fmt) for f in c.decode(video=0)]


def _cut(folder: Path, a: Path, a_range: tuple[int, int], gap: int, b: Path,
         b_range: tuple[int, int]) -> Path:
    """V1: A (source frames a_range), a GEN gap of ``gap`` frames, B (b_range)."""
    def clip(name: str, media: Path, rng: tuple[int, int]) -> otio.schema.Clip:
        frames = len(_decode(media, "rgb24"))
        ref = otio.schema.ExternalReference(
            target_url=media.resolve().as_uri(),
            available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, RATE),
                                                    otio.opentime.RationalTime(frames, RATE)))
        return otio.schema.Clip(name=name, media_reference=ref, source_range=(
            otio.opentime.TimeRange(otio.opentime.RationalTime(rng[0], RATE),
                                    otio.opentime.RationalTime(rng[1] - rng[0], RATE))))

    tl = otio.schema.Timeline(name="cut")
    tl.global_start_time = otio.opentime.RationalTime(86400, RATE)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    tl.tracks.append(track)
    g = otio.schema.Gap(duration=otio.opentime.RationalTime(gap, RATE))
    g.markers.append(otio.schema.Marker(name="GEN extend: carry on", marked_range=(
        otio.opentime.TimeRange(otio.opentime.RationalTime(0, RATE),
                                otio.opentime.RationalTime(0, RATE)))))
    track.extend([clip("A001", a, a_range), g, clip("B001", b, b_range)])
    path = folder / "cut.otio"
    otio.adapters.write_to_file(tl, str(path))
    return path


def _fill(cut: Path, provider: str, *extra: str) -> Path:
    return fill(cut, None, "--provider", provider, "--size", f"{W}x{H}", *extra)


def _take(written: Path) -> tuple[dict, Path]:
    data = takes_json(written)
    take = data["slots"][0]["takes"][0]
    return take, Path(take["media"])


def _psnr(a: np.ndarray, b: np.ndarray, peak: float) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(peak * peak / mse)


def test_extend_fills_from_both_handles_with_the_real_frames(tmp_path: Path) -> None:
    """A's media has 4 frames past its out point, B's 6 before its in point: a 10-frame
    gap is A 20-23 then B 14-19, the real frames (bit-exact before conform; after the
    ProRes conform within one re-encode of them, and each is its own source frame)."""
    a = _encode(tmp_path / "a.mov", _plate(1), 24)
    b = _encode(tmp_path / "b.mov", _plate(2), 40)
    cut = _cut(tmp_path, a, (6, 20), 10, b, (20, 32))
    code, out, err = run("fill", cut, "--provider", "extend", "--size", f"{W}x{H}",
                         "--dry-run", "--json")
    assert code == 0, err
    notes = json.loads(out)["jobs"][0]["notes"]
    assert any("slot frames 0-3: outgoing clip 'A001' (a.mov frames 20-23)" in n
               for n in notes), notes
    assert any("slot frames 4-9: incoming clip 'B001' (b.mov frames 14-19)" in n
               for n in notes), notes
    written = _fill(cut, "extend")
    take, media = _take(written)
    assert take["provider"] == "extend"
    want = _decode(a)[20:24] + _decode(b)[14:20]
    # the provider's own output (before conform) is the source frames, bit for bit
    journal = Journal(Project.for_timeline(cut).journal_path)
    try:
        raw = Path(str(journal.for_slot(take_slot(written))[0].raw_path))
    finally:
        journal.close()
    got_raw = _decode(raw)
    assert len(got_raw) == 10
    for g, w in zip(got_raw, want, strict=True):
        assert np.array_equal(g, w)
    # after the conform to ProRes HQ: one generation of ProRes HQ, and every frame is
    # far nearer its own source frame than the next one (no frame slipped)
    got = _decode(media)
    assert len(got) == 10
    for n, (g, w) in enumerate(zip(got, want, strict=True)):
        assert _psnr(g, w, 1023) > 45, n
        others = [o for m, o in enumerate(want) if m != n]
        assert all(_psnr(g, o, 1023) < 35 for o in others), n
    assert take["seams"]["head"]["ssim"] > 0.9 and take["seams"]["tail"]["ssim"] > 0.9


def test_extend_copies_intra_media_and_decodes_the_rest(tmp_path: Path) -> None:
    """ProRes media in QuickTime files: the provider copies their packets (a .mov, the
    source's bytes; the conform to ProRes HQ copies them again).  With a long-GOP
    neighbour the runs are decoded into the lossless intermediate instead."""
    a = _encode(tmp_path / "a.mov", _plate(1), 24)
    b = _encode(tmp_path / "b.mov", _plate(2), 40)
    written = _fill(_cut(tmp_path, a, (6, 20), 10, b, (20, 32)), "extend")
    _, media = _take(written)
    journal = Journal(Project.for_timeline(written).journal_path)
    try:
        raw = Path(str(journal.for_slot(take_slot(written))[0].raw_path))
    finally:
        journal.close()
    assert raw.suffix == ".mov"

    def packets(path: Path) -> list[bytes]:
        with av.open(str(path)) as c:
            return [bytes(p) for p in c.demux(video=0) if p.size]

    assert packets(raw) == packets(a)[20:24] + packets(b)[14:20]
    assert packets(media) == packets(raw)  # already ProRes HQ: the conform copied

    other = tmp_path / "long_gop"
    other.mkdir()
    c = _encode(other / "c.mp4", _plate(2), 40, codec="libx264")
    written = _fill(_cut(other, a, (6, 20), 10, c, (20, 32)), "extend")
    journal = Journal(Project.for_timeline(written).journal_path)
    try:
        raw = Path(str(journal.for_slot(take_slot(written))[0].raw_path))
    finally:
        journal.close()
    assert raw.suffix == ".nut"
    got = _decode(raw)
    assert len(got) == 10
    assert all(np.array_equal(g, w) for g, w in zip(got[:4], _decode(a)[20:24], strict=True))
    want = _decode(c)[14:20]
    for n, g in enumerate(got[4:]):
        assert _psnr(g, want[n], 1023) > 45, n


def take_slot(written: Path) -> str:
    return takes_json(written)["slots"][0]["id"]


def test_extend_refuses_a_gap_its_media_cannot_cover(tmp_path: Path) -> None:
    a = _encode(tmp_path / "a.mov", _plate(1), 22)
    b = _encode(tmp_path / "b.mov", _plate(2), 30)
    cut = _cut(tmp_path, a, (6, 20), 10, b, (3, 15))  # 2 + 3 frames of handles
    code, out, err = run("fill", cut, "--provider", "extend", "--size", f"{W}x{H}",
                         "--dry-run", "--json")
    assert code == 0, err
    job = json.loads(out)["jobs"][0]
    assert job["action"] == "invalid"
    assert "covers 5 of the gap's 10 frame(s); 5 frame(s) from slot frame 2" in job["error"]
    code, out, err = run("fill", cut, "--provider", "extend", "--size", f"{W}x{H}")
    assert code == 1 and "covers 5 of the gap's 10" in err


def test_morph_bridges_a_jump_cut(tmp_path: Path) -> None:
    """A pan with 6 frames cut out: morph's ends match the neighbours (SSIM >= 0.9 at
    both seams), its middle is neither neighbour but close to the frame that was cut."""
    plate = _plate(3)
    src = _encode(tmp_path / "pan.mov", plate, 40)
    cut = _cut(tmp_path, src, (0, 12), 6, src, (18, 30))  # frames 12-17 are missing
    written = _fill(cut, "morph")
    take, media = _take(written)
    assert take["provider"] == "morph"
    assert take["seams"]["head"]["ssim"] >= 0.9, take["seams"]
    assert take["seams"]["tail"]["ssim"] >= 0.9, take["seams"]
    frames = _decode(media, "rgb24")
    assert len(frames) == 6
    middle = luma(Image.fromarray(frames[2]))
    outgoing = luma(Image.fromarray(_view(plate, 11)))
    incoming = luma(Image.fromarray(_view(plate, 18)))
    truth = luma(Image.fromarray(_view(plate, 14)))
    s_out, s_in, s_truth = ssim(middle, outgoing), ssim(middle, incoming), ssim(middle, truth)
    assert s_out < 0.85 and s_in < 0.85, (s_out, s_in)
    assert s_truth > max(s_out, s_in), (s_truth, s_out, s_in)


def test_morph_refuses_a_long_gap(tmp_path: Path) -> None:
    src = _encode(tmp_path / "pan.mov", _plate(4), 80)
    cut = _cut(tmp_path, src, (0, 12), 30, src, (42, 54))
    code, out, err = run("fill", cut, "--provider", "morph", "--size", f"{W}x{H}",
                         "--dry-run", "--json")
    assert code == 0, err
    job = json.loads(out)["jobs"][0]
    assert job["action"] == "invalid"
    assert "the gap is 1.25 s; morph makes at most 1 s" in job["error"]


def test_morph_needs_both_neighbours(tmp_path: Path) -> None:
    src = _encode(tmp_path / "pan.mov", _plate(4), 40)
    cut = _cut(tmp_path, src, (0, 12), 6, src, (18, 30))
    src.rename(tmp_path / "gone.mov")
    code, out, err = run("fill", cut, "--provider", "morph", "--size", f"{W}x{H}",
                         "--dry-run", "--json")
    assert code == 0, err
    assert "morph needs the outgoing shot's frame" in json.loads(out)["jobs"][0]["error"]
