"""A fake generation provider with a file-backed "server", for engine tests.

The server state lives in a folder (``state_dir`` or ``$FAKE_PROVIDER_DIR``) so a
second process can poll jobs a killed first process submitted, and so tests can
count creates server-side (one ``jobs/<id>.json`` per create).

Behaviour: a job runs for ``latency_s`` seconds, then succeeds; ``fetch`` writes a
real tiny mpeg4 clip of the requested frames, rate and size.  A prompt containing
``FORBIDDEN`` is refused as moderated; ``LEAK`` makes the job fail with a message
that (wrongly) contains the API key, to prove the engine redacts it.  ``faults``
injects ProviderErrors: a list of (method, ProviderError, created_first) consumed
in order.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from fractions import Fraction
from pathlib import Path
from typing import Any

from pickup.errors import ProviderError
from pickup.providers.base import Capabilities, JobHandle, JobStatus, ShotRequest, State


class FakeProvider:
    name = "fake"

    def __init__(self, state_dir: str | Path | None = None, latency_s: float | None = None,
                 price_per_second: float | None = None,
                 durations_s: tuple[float, ...] | None = None,
                 faults: list[tuple[str, ProviderError, bool]] | None = None,
                 find_existing: bool = True, **_: Any) -> None:
        folder = state_dir or os.environ.get("FAKE_PROVIDER_DIR")
        if not folder:
            raise ValueError("FakeProvider needs state_dir or $FAKE_PROVIDER_DIR")
        self.dir = Path(folder)
        (self.dir / "jobs").mkdir(parents=True, exist_ok=True)
        self.latency_s = float(latency_s if latency_s is not None else
                               os.environ.get("FAKE_LATENCY", "0.2"))
        self.price = float(price_per_second if price_per_second is not None else
                           os.environ.get("FAKE_PRICE", "0.1"))
        self.durations_s = durations_s
        self.faults = list(faults or [])
        self.key = os.environ.get("FAKE_API_KEY", "")
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.cancelled: list[str] = []
        self.find_calls = 0
        self.polls = 0
        self.polls_before_fetch_fault = -1
        if not find_existing:
            self.find_existing = None  # type: ignore[assignment]

    # -- server-side bookkeeping ------------------------------------------------------
    @property
    def submits(self) -> int:
        return len(list((self.dir / "jobs").glob("*.json")))

    def _fault(self, method: str) -> tuple[ProviderError, bool] | None:
        with self._lock:
            for i, (name, exc, created) in enumerate(self.faults):
                if name == method:
                    del self.faults[i]
                    return exc, created
        return None

    def _job(self, job_id: str) -> dict[str, Any]:
        return json.loads((self.dir / "jobs" / f"{job_id}.json").read_text())

    def _create(self, req: ShotRequest) -> JobHandle:
        job_id = uuid.uuid4().hex[:12]
        record = {"id": job_id, "created": time.time(), "frames": req.frames,
                  "rate": str(req.rate), "width": req.width, "height": req.height,
                  "prompt": req.prompt, "idem": req.extra.get("idempotency_key"),
                  "cancelled": False}
        tmp = self.dir / "jobs" / f".{job_id}.tmp"
        tmp.write_text(json.dumps(record))
        tmp.replace(self.dir / "jobs" / f"{job_id}.json")  # one create = one job file
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return JobHandle(provider=self.name, job_id=job_id, data={"n": 1})

    # -- the Provider protocol --------------------------------------------------------
    def capabilities(self, model: str | None) -> Capabilities:
        return Capabilities(durations_s=self.durations_s, first_frame=False, last_frame=False,
                            price_per_second=self.price, cancel=True)

    def validate(self, req: ShotRequest) -> None:
        if req.frames < 1:
            raise ProviderError("no frames asked for", provider=self.name)

    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle:
        fault = self._fault("submit")
        if fault is not None:
            exc, created = fault
            if created:
                self._create(req)
            raise exc
        if "FORBIDDEN" in req.prompt:
            raise ProviderError("prompt rejected by the safety system", provider=self.name,
                                moderated=True)
        return self._create(req)

    def find_existing(self, req: ShotRequest, idempotency_key: str) -> JobHandle | None:
        self.find_calls += 1
        for path in (self.dir / "jobs").glob("*.json"):
            record = json.loads(path.read_text())
            if record.get("idem") == idempotency_key:
                with self._lock:
                    self.in_flight += 1
                    self.max_in_flight = max(self.max_in_flight, self.in_flight)
                return JobHandle(provider=self.name, job_id=record["id"], data={"n": 1})
        return None

    def poll(self, handle: JobHandle) -> JobStatus:
        self.polls += 1
        fault = self._fault("poll")
        if fault is not None:
            raise fault[0]
        job = self._job(handle.job_id)
        if job["cancelled"]:
            return JobStatus(State.CANCELLED)
        if "LEAK" in job["prompt"]:
            return JobStatus(State.FAILED, error=f"upstream said: bad key {self.key}")
        elapsed = time.time() - job["created"]
        if elapsed >= self.latency_s:
            return JobStatus(State.SUCCEEDED, progress=1.0, outputs=("clip.mp4",))
        return JobStatus(State.RUNNING, progress=elapsed / self.latency_s,
                         poll_after_s=min(0.05, self.latency_s / 4))

    def fetch(self, handle: JobHandle, status: JobStatus, dest: Path) -> list[Path]:
        import av
        import numpy as np

        fault = self._fault("fetch")
        if fault is not None:
            self.polls_before_fetch_fault = self.polls
            raise fault[0]

        job = self._job(handle.job_id)
        out = Path(dest) / f"{handle.job_id}.mp4"
        w, h = job["width"], job["height"]
        with av.open(str(out), "w") as container:
            stream = container.add_stream("mpeg4", rate=Fraction(job["rate"]))
            stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
            for n in range(job["frames"]):
                img = np.full((h, w, 3), (n * 9) % 255, dtype=np.uint8)
                for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        with self._lock:
            self.in_flight -= 1
        return [out]

    def cancel(self, handle: JobHandle) -> bool:
        path = self.dir / "jobs" / f"{handle.job_id}.json"
        job = json.loads(path.read_text())
        job["cancelled"] = True
        path.write_text(json.dumps(job))
        self.cancelled.append(handle.job_id)
        with self._lock:
            self.in_flight -= 1
        return True

    def estimate_cost(self, req: ShotRequest) -> float:
        return round(self.price * req.seconds, 4)
