"""Conform benchmark: ``pickup conform`` vs the ffmpeg CLI, and peak memory on a long source.

Prints, each against a peer measured in the same run:

* throughput: the whole ``pickup conform`` process (Python start-up included) vs
  ``ffmpeg`` doing the same transcode (best of three runs each, alternating, so that
  load from elsewhere on the machine hits both sides alike; each side's CPU seconds are
  printed beside) (same 1080p25 H.264 source, same 1080p24 target,
  codec and pixel format: both must decode, convert the rate and re-encode) for
  dnxhr_hq and h264, in frames per second, and the ratio (goal >= 0.9x);
* memory: peak RSS above the process's RSS after imports while conforming a short and a
  long 1080p source to dnxhr_hq (goal < 300 MB, and no growth with length).

The long source is a 60 s stand-in for the 5-minute case (conforming 5 minutes of 1080p
DNxHR takes several minutes on 2 cores); set ``PICKUP_BENCH_LONG=1`` for the full 5
minutes.  Sources are generated once into ``bench/out/``.  The ffmpeg peer is skipped,
with a message, when ``ffmpeg`` is not on PATH.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np

OUT = Path(__file__).resolve().parent / "out"
RATE = 24
SOURCE_RATE = 25  # a different rate, so neither side can copy the stream
SIZE = (1920, 1080)
FRAMES = 240  # 10 s at 24 fps for the throughput runs
_WRAPPER = r"""
import sys, time
from fractions import Fraction
from pathlib import Path

def rss(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    return 0

from pickup.media.conform import ConformTarget, conform
start = rss("VmRSS:")
frames = int(sys.argv[3])
conform(Path(sys.argv[1]), ConformTarget(frames=frames, rate=Fraction(24), width=1920,
        height=1080, profile="dnxhr_hq"), Path(sys.argv[2]))
print(start, rss("VmHWM:"))
"""


def _source(name: str, frames: int, rate: int = RATE) -> Path:
    """A 1080p H.264 clip with motion, made once (by ffmpeg when there is one)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    if path.is_file() and path.stat().st_size > 0:
        return path
    tmp = path.with_suffix(".part.mp4")
    if shutil.which("ffmpeg"):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"testsrc2=s={SIZE[0]}x{SIZE[1]}:r={rate}", "-frames:v", str(frames),
                        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                        str(tmp)], check=True)
    else:
        _pyav_source(tmp, frames, rate)
    tmp.replace(path)
    return path


def _pyav_source(path: Path, frames: int, rate: int) -> None:
    w, h = SIZE
    x = np.linspace(0, 255, w, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, h, dtype=np.float32)[:, None]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.codec_context.options = {"preset": "ultrafast"}
        for i in range(frames):
            img = np.empty((h, w, 3), np.uint8)
            img[..., 0] = (x + i * 4) % 256
            img[..., 1] = (y + i * 2) % 256
            img[..., 2] = ((x + y) / 2 + i) % 256
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


RUNS = 3  # each side, alternating, so load from elsewhere hits both; the best counts


def _time(cmd: list[str]) -> tuple[float, float]:
    """(wall s, CPU s of the child, user + system) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _count(path: Path) -> int:
    from pickup.media.probe import probe

    return probe(path).frames


def throughput() -> None:
    src = _source("conform_src_1080p25_10s.mp4", FRAMES * SOURCE_RATE // RATE + 1,
                  SOURCE_RATE)
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg:
        version = subprocess.run([ffmpeg, "-version"], capture_output=True, text=True,
                                 check=False).stdout.split("\n")[0]
        print(f"peer: {version}; pickup: PyAV {av.__version__} (FFmpeg "
              f"{'.'.join(map(str, av.library_versions['libavcodec']))} libavcodec)")
    else:
        print("peer: ffmpeg is not on PATH, so the ffmpeg peer is skipped "
              "(install it, e.g. `apt-get install ffmpeg`, to compare)")
    cases = {
        "dnxhr_hq": (".mxf", ["-c:v", "dnxhd", "-profile:v", "dnxhr_hq", "-pix_fmt", "yuv422p",
                              "-f", "mxf"]),
        "h264": (".mp4", ["-c:v", "libx264", "-preset", "medium", "-crf", "18", "-pix_fmt",
                          "yuv420p"]),
    }
    for profile, (suffix, codec_args) in cases.items():
        ours = OUT / f"bench_pickup_{profile}{suffix}"
        cmd = [sys.executable, "-m", "pickup", "conform", str(src), "-o", str(ours),
               "--frames", str(FRAMES), "--rate", str(RATE), "--size",
               f"{SIZE[0]}x{SIZE[1]}", "--profile", profile]
        theirs = OUT / f"bench_ffmpeg_{profile}{suffix}"
        peer = [ffmpeg or "ffmpeg", "-v", "error", "-y", "-i", str(src), "-vf",
                f"fps={RATE},scale={SIZE[0]}:{SIZE[1]}", "-frames:v", str(FRAMES),
                *codec_args, str(theirs)]
        ours_runs, peer_runs = [], []
        for _ in range(RUNS):
            ours_runs.append(_time(cmd))
            if ffmpeg:
                peer_runs.append(_time(peer))
        assert _count(ours) == FRAMES, "pickup conform wrote the wrong number of frames"
        t_ours, cpu_ours = min(r[0] for r in ours_runs), min(r[1] for r in ours_runs)
        fps_ours = FRAMES / t_ours
        line = (f"{profile:9s} 1080p{SOURCE_RATE}->{RATE}: pickup conform {fps_ours:6.1f} fps "
                f"(CPU {cpu_ours:5.1f} s)")
        if ffmpeg:
            t_peer, cpu_peer = min(r[0] for r in peer_runs), min(r[1] for r in peer_runs)
            fps_peer = FRAMES / t_peer
            line += (f" | ffmpeg {fps_peer:6.1f} fps (CPU {cpu_peer:5.1f} s) | ratio "
                     f"{fps_ours / fps_peer:.2f}x (goal >= 0.9x)")
        print(line, flush=True)


def memory() -> None:
    long_s = 300 if os.environ.get("PICKUP_BENCH_LONG") else 60
    if long_s != 300:
        print(f"memory: a {long_s} s 1080p source stands in for the 5-minute one "
              "(PICKUP_BENCH_LONG=1 runs 5 minutes)")
    results = []
    for seconds in (10, long_s):
        frames = seconds * RATE
        src = _source(f"conform_src_1080p24_{seconds}s.mp4", frames)
        dest = OUT / f"bench_memory_{seconds}s.mxf"
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _WRAPPER, str(src), str(dest), str(frames)],
                             check=True, capture_output=True, text=True).stdout.split()
        elapsed = time.perf_counter() - started
        start, peak = int(out[-2]), int(out[-1])
        results.append(peak - start)
        print(f"memory: {seconds:4d} s 1080p -> dnxhr_hq: peak RSS {peak / 2**20:6.0f} MB, "
              f"{(peak - start) / 2**20:5.0f} MB above start (goal < 300 MB), "
              f"{frames / elapsed:.1f} fps", flush=True)
        dest.unlink(missing_ok=True)
    print(f"memory: long/short peak growth ratio {results[1] / max(results[0], 1):.2f}x "
          "(1.0x = memory does not grow with clip length)")


def main() -> None:
    print(f"conform benchmark, {os.cpu_count()} cores, {FRAMES} frames per throughput run, "
          f"best of {RUNS} alternating runs each side")
    throughput()
    memory()
    for leftover in OUT.glob("bench_*"):
        leftover.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
