"""Continuity benchmark: seam measurement, ``morph`` and ``extend``, each against a peer.

Prints, each measured in this run (best of three, alternating where there is a peer):

* seams: measuring both seams of a take (the neighbours' frames from 1080p H.264
  camera-style media with a 2 s GOP, the take's first and last frame from 1080p ProRes
  HQ, SSIM + histograms) vs decoding the two neighbour frames alone; for one take, and
  per take when a slot has three (the neighbours are decoded once a slot)
  (goal <= 1.2x);
* morph: making a 12-frame gap at 1080p (flow both ways, warps, lossless write) vs the
  12 frames' real time at 24 fps (goal >= 1x on 2 cores);
* extend: the extend provider's render plus the engine's conform of it, vs
  ``pickup conform`` (the same conform call) of a file holding just those source frames
  (coded as the media is, 24 fps), for three cases: ProRes media into a ProRes HQ
  sequence (both copy packets), the same into DNxHR HQ (both transcode) and H.264
  camera media into ProRes HQ (the run decoded into the lossless intermediate)
  (goal <= 1.1x).

Sources are generated once into ``bench/out/continuity``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import opentimelineio as otio
from PIL import Image

OUT = Path(__file__).resolve().parent / "out" / "continuity"
RATE = 24
W, H = 1920, 1080


def _plate(seed: int, frames: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(H // 24 + 2, (W + 4 * frames) // 24 + 2, 3))
    return np.asarray(Image.fromarray(small.astype(np.uint8)).resize(
        (W + 4 * frames, H), Image.Resampling.BILINEAR))


def _camera_stream(out: Any, codec: str) -> Any:
    """A W x H video stream at RATE as a camera would write it: ProRes 4:2:2 10-bit, or
    H.264 4:2:0 with two-second GOPs."""
    stream = out.add_stream(codec, rate=RATE)
    stream.width, stream.height = W, H
    if codec == "prores_ks":
        stream.pix_fmt = "yuv422p10le"
    else:
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = 48
        stream.options = {"preset": "veryfast", "crf": "20"}
    return stream


def _encode(path: Path, frames: int, seed: int, codec: str) -> Path:
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    plate = _plate(seed, frames)
    tmp = path.with_suffix(".part" + path.suffix)
    with av.open(str(tmp), "w") as out:
        stream = _camera_stream(out, codec)
        for n in range(frames):
            img = np.ascontiguousarray(plate[:, 4 * n:4 * n + W])
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    tmp.rename(path)
    return path


def _best(fn: Callable[[], object], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _pair(ours: Callable[[], object], peer: Callable[[], object], runs: int = 3
          ) -> tuple[float, float]:
    a = b = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        ours()
        a = min(a, time.perf_counter() - start)
        start = time.perf_counter()
        peer()
        b = min(b, time.perf_counter() - start)
    return a, b


def _timeline(folder: Path, a: Path, b: Path, a_range: tuple[int, int], gap: int,
              b_range: tuple[int, int], frames: int) -> Path:
    def clip(name: str, media: Path, rng: tuple[int, int]) -> otio.schema.Clip:
        ref = otio.schema.ExternalReference(
            target_url=media.resolve().as_uri(),
            available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, RATE),
                                                    otio.opentime.RationalTime(frames, RATE)))
        return otio.schema.Clip(name=name, media_reference=ref, source_range=(
            otio.opentime.TimeRange(otio.opentime.RationalTime(rng[0], RATE),
                                    otio.opentime.RationalTime(rng[1] - rng[0], RATE))))

    tl = otio.schema.Timeline(name="bench")
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    tl.tracks.append(track)
    g = otio.schema.Gap(duration=otio.opentime.RationalTime(gap, RATE))
    g.markers.append(otio.schema.Marker(name="GEN extend: carry on", marked_range=(
        otio.opentime.TimeRange(otio.opentime.RationalTime(0, RATE),
                                otio.opentime.RationalTime(0, RATE)))))
    track.extend([clip("A001", a, a_range), g, clip("B001", b, b_range)])
    path = folder / "bench.otio"
    otio.adapters.write_to_file(tl, str(path))
    return path


def _seams(cam_a: Path, cam_b: Path, take: Path, tmp: Path) -> None:
    from pickup.media.neighbours import neighbour_images
    from pickup.media.seams import Seams, measure_seams
    from pickup.timeline import find_slots, read_timeline

    # out points mid-GOP, as an edit usually is: the decoder works from the keyframe
    cut = _timeline(tmp, cam_a, cam_b, (10, 40), 48, (30, 60), 96)
    loaded = read_timeline(cut)
    slot = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame)[0]

    def peer() -> object:
        return neighbour_images(loaded, slot)

    def measure(takes: int) -> Callable[[], list[Seams]]:
        def run() -> list[Seams]:
            n = neighbour_images(loaded, slot)
            return [measure_seams(take, outgoing=n.outgoing, incoming=n.incoming)
                    for _ in range(takes)]
        return run

    one, base = _pair(measure(1), peer)
    three, base3 = _pair(measure(3), peer)
    base = min(base, base3)
    per_take = base + (three - base) / 3
    seams = measure(1)()
    print(f"seams: measuring both seams {one * 1000:.0f} ms vs decoding the two neighbour "
          f"frames {base * 1000:.0f} ms -> {one / base:.2f}x for one take; "
          f"{per_take / base:.2f}x per take with 3 takes a slot (goal <= 1.2x)  "
          f"[head SSIM {seams[0].head.ssim}, tail SSIM {seams[0].tail.ssim}]")


def _morph(tmp: Path) -> None:
    from pickup.media.frames import frame_image, save_png
    from pickup.media.morph import render_morph

    src = _encode(OUT / "pan_prores.mov", 30, 7, "prores_ks")
    first = save_png(frame_image(src, 5), tmp / "a.png")
    last = save_png(frame_image(src, 18), tmp / "b.png")
    dest = tmp / "morph.mkv"

    def run() -> object:
        return render_morph(first, last, dest, frames=12, rate=Fraction(RATE), width=W,
                            height=H)

    took = _best(run)
    real = 12 / RATE
    print(f"morph: 12 frames at 1080p in {took:.2f} s vs {real:.2f} s of footage -> "
          f"{real / took:.2f}x real time (goal >= 1x on 2 cores)")


def _extend(cam_a: Path, tmp: Path) -> None:
    from pickup.media.conform import ConformTarget, conform
    from pickup.media.extend import ExtendPlan, plan_extend, render_extend, render_suffix
    from pickup.media.handles import read_run
    from pickup.media.neighbours import neighbour_sources
    from pickup.media.probe import probe
    from pickup.timeline import find_slots, read_timeline

    prores = _encode(OUT / "ext_prores.mov", 72, 3, "prores_ks")
    cases = (
        # ProRes HQ media, a ProRes HQ sequence (OTIO/FCP): both conforms copy packets
        ("ProRes media, ProRes HQ sequence", prores, "prores_ks", "prores_hq", ".mov"),
        # the same media for an Avid (AAF/EDL) sequence: both conforms transcode
        ("ProRes media, DNxHR HQ sequence", prores, "prores_ks", "dnxhr_hq", ".mxf"),
        # long-GOP camera media: the run is decoded into the lossless intermediate
        ("H.264 media, ProRes HQ sequence", cam_a, "libx264", "prores_hq", ".mov"),
    )
    for n, (label, src, codec, profile, suffix) in enumerate(cases):
        folder = tmp / f"extend{n}"
        folder.mkdir()
        frames = probe(src).frames
        cut = _timeline(folder, src, src, (0, 12), 24, (frames - 12, frames), frames)
        loaded = read_timeline(cut)
        slot = find_slots(loaded.timeline, rate=loaded.rate,
                          start_frame=loaded.start_frame)[0]
        plan = plan_extend(neighbour_sources(loaded, slot), 24, Fraction(RATE))
        target = ConformTarget(frames=24, rate=Fraction(RATE), width=W, height=H,
                               profile=profile)
        # the peer's input: a file holding exactly those source frames, coded as the
        # media is, 24 fps from 0
        same = folder / f"same_frames{src.suffix}"
        run = plan.runs[0]
        with av.open(str(same), "w") as out:
            stream = _camera_stream(out, codec)
            for k, frame in enumerate(read_run(src, run.start, run.count)):
                frame.pts, frame.time_base = k, Fraction(1, RATE)
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)

        def ours(folder: Path = folder, plan: ExtendPlan = plan,
                 target: ConformTarget = target, suffix: str = suffix) -> object:
            # the file the provider writes (its suffix says packets copied or lossless)
            raw = render_extend(plan, folder / f"extend{render_suffix(plan)}",
                                Fraction(RATE))
            return conform(raw, target, folder / f"extend_T01{suffix}")

        def peer(folder: Path = folder, same: Path = same, target: ConformTarget = target,
                 suffix: str = suffix) -> object:
            return conform(same, target, folder / f"peer_T01{suffix}")

        a, b = _pair(ours, peer)
        print(f"extend ({label}): render + conform {a:.2f} s vs pickup conform of the "
              f"same 24 frames {b:.2f} s -> {a / b:.2f}x (goal <= 1.1x)")


def main() -> None:
    cam_a = _encode(OUT / "cam_a_h264.mp4", 96, 1, "libx264")
    cam_b = _encode(OUT / "cam_b_h264.mp4", 96, 2, "libx264")
    take = _encode(OUT / "take_prores.mov", 48, 5, "prores_ks")
    with tempfile.TemporaryDirectory(prefix="pickup-bench-") as name:
        tmp = Path(name)
        _seams(cam_a, cam_b, take, tmp)
        _morph(tmp)
        _extend(cam_a, tmp)


if __name__ == "__main__":
    main()
