"""Engine scheduling benchmark: 60 slots x 1 take through a fake 1.0 s provider.

Prints two measured ratios, each against a peer measured in the same run:

* schedule: wall time at concurrency 8 vs the ideal schedule (ceil(60/8) = 8 waves of
  1.0 s, plus one conform that cannot overlap the last wave; goal <= 1.15x);
* overhead: the engine at concurrency 1 and zero latency vs a bare loop that calls the
  same provider and conform directly (no journal, no events, no retries), per job in ms.
"""

from __future__ import annotations

import math
import random
import tempfile
import threading
import time
import uuid
from fractions import Fraction
from pathlib import Path

from pickup.config import Config
from pickup.engine import Engine, EngineOptions, OutputSpec, Shot
from pickup.engine.scheduler import _default_conformer
from pickup.project import Project
from pickup.providers.base import Capabilities, JobHandle, JobStatus, ShotRequest, State

SLOTS = 60
CONCURRENCY = 8
LATENCY_S = 1.0
FRAMES = 6
SIZE = (64, 36)


class _LatencyProvider:
    """A provider whose jobs take ``latency`` seconds and return a tiny real clip."""

    name = "bench"

    def __init__(self, latency: float, clip: Path) -> None:
        self.latency = latency
        self.clip = clip
        self.jobs: dict[str, float] = {}
        self.lock = threading.Lock()

    def capabilities(self, model: str | None) -> Capabilities:
        return Capabilities(price_per_second=0.0)

    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        job_id = uuid.uuid4().hex
        with self.lock:
            self.jobs[job_id] = time.monotonic()
        return JobHandle(self.name, job_id, {})

    def poll(self, handle: JobHandle) -> JobStatus:
        with self.lock:
            elapsed = time.monotonic() - self.jobs[handle.job_id]
        if elapsed >= self.latency:
            return JobStatus(State.SUCCEEDED, progress=1.0)
        return JobStatus(State.RUNNING, progress=elapsed / self.latency, poll_after_s=0.05)

    def fetch(self, handle: JobHandle, status: JobStatus, dest: Path) -> list[Path]:
        out = Path(dest) / f"{handle.job_id}.mp4"
        out.write_bytes(self.clip.read_bytes())
        return [out]

    def cancel(self, handle: JobHandle) -> bool:
        return True


def _make_clip(path: Path) -> Path:
    import av
    import numpy as np

    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=24)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        for n in range(FRAMES):
            img = np.full((SIZE[1], SIZE[0], 3), n * 20, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def _shots(n: int) -> list[Shot]:
    rate = Fraction(24)
    out = OutputSpec(frames=FRAMES, rate=rate, width=SIZE[0], height=SIZE[1])
    return [Shot(ShotRequest(slot_id=f"V1-0100{i:04d}", prompt=f"shot {i}", kind=None,
                             frames=FRAMES, rate=rate, width=SIZE[0], height=SIZE[1]), out)
            for i in range(n)]


def _engine(root: Path, provider: _LatencyProvider, concurrency: int) -> Engine:
    return Engine(Project(root), provider,
                  EngineOptions(concurrency=concurrency, config=Config(), rng=random.Random(0),
                                poll_interval_s=0.05))


def _bare_loop(provider: _LatencyProvider, root: Path, shots: list[Shot]) -> float:
    cancel = threading.Event()
    start = time.perf_counter()
    for n, shot in enumerate(shots):
        folder = root / f"d{n}"
        folder.mkdir(parents=True)
        handle = provider.submit(shot.request, folder)
        status = provider.poll(handle)
        [raw] = provider.fetch(handle, status, folder)
        _default_conformer(raw, shot.output, folder / "out.mov", shot.request.slot_id, cancel)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pickup-bench-") as tmp:
        root = Path(tmp)
        clip = _make_clip(root / "clip.mp4")
        shots = _shots(SLOTS)

        # conform time of one take, measured alone
        cancel = threading.Event()
        samples = []
        for n in range(5):
            t0 = time.perf_counter()
            _default_conformer(clip, shots[0].output, root / f"c{n}.mov", "V1", cancel)
            samples.append(time.perf_counter() - t0)
        conform_s = sorted(samples)[len(samples) // 2]

        engine = _engine(root / "sched", _LatencyProvider(LATENCY_S, clip), CONCURRENCY)
        t0 = time.perf_counter()
        results = engine.run(shots)
        wall = time.perf_counter() - t0
        engine.close()
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        waves = math.ceil(SLOTS / CONCURRENCY)
        ideal = waves * LATENCY_S + conform_s
        print(f"engine schedule: {SLOTS} jobs, concurrency {CONCURRENCY}, "
              f"{LATENCY_S:.1f} s latency: {wall:.2f} s vs ideal {ideal:.2f} s "
              f"({waves} waves + {conform_s * 1000:.0f} ms conform) = {wall / ideal:.3f}x "
              "(goal <= 1.15x)")

        fast = _LatencyProvider(0.0, clip)
        bare = _bare_loop(fast, root / "bare", shots)
        engine = _engine(root / "seq", fast, 1)
        t0 = time.perf_counter()
        results = engine.run(shots)
        seq = time.perf_counter() - t0
        engine.close()
        assert all(r.ok for r in results)
        per_job_ms = (seq - bare) / SLOTS * 1000
        print(f"engine overhead: {seq:.2f} s vs bare loop {bare:.2f} s for {SLOTS} jobs = "
              f"{seq / bare:.3f}x, {per_job_ms:.1f} ms per job (journal, events, probe)")


if __name__ == "__main__":
    main()
