"""The provider seam: one request type in, job handles and statuses out.

Everything a provider needs is in :class:`ShotRequest`; providers return a
:class:`JobHandle` (JSON-serialisable, stored in the journal) and report
:class:`JobStatus`.  They never touch the timeline, nor the filesystem outside
the folder they are given.  The engine owns retries, concurrency, the journal,
the cache and conform.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "Capabilities",
    "JobHandle",
    "JobStatus",
    "Provider",
    "ShotRequest",
    "State",
]


class State(str, Enum):
    """Where a provider job is."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (State.SUCCEEDED, State.FAILED, State.CANCELLED)


@dataclass(frozen=True)
class ShotRequest:
    """Everything a provider needs to make one take, nothing it may not see."""

    slot_id: str
    prompt: str
    kind: str | None
    frames: int
    rate: Fraction
    width: int
    height: int
    seed: int | None = None
    negative_prompt: str | None = None
    first_frame: Path | None = None
    last_frame: Path | None = None
    references: tuple[Path, ...] = ()
    model: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return float(self.frames / self.rate)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["rate"] = f"{self.rate.numerator}/{self.rate.denominator}"
        for key in ("first_frame", "last_frame"):
            data[key] = str(data[key]) if data[key] is not None else None
        data["references"] = [str(p) for p in self.references]
        data["extra"] = dict(self.extra)
        return data

    def cache_key(self, provider: str) -> str:
        """A hash of what determines the output: same key, same shot."""
        data = self.to_json()
        for key in ("first_frame", "last_frame"):
            data[key] = _file_digest(getattr(self, key))
        data["references"] = [_file_digest(p) for p in self.references]
        data["provider"] = provider
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:32]


def _file_digest(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        return str(path)


@dataclass(frozen=True)
class JobHandle:
    """Names one provider job; JSON-serialisable so the journal survives a crash."""

    provider: str
    job_id: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"provider": self.provider, "job_id": self.job_id,
                           "data": self.data}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> JobHandle:
        raw = json.loads(text)
        return cls(provider=raw["provider"], job_id=raw["job_id"], data=raw.get("data") or {})


@dataclass(frozen=True)
class JobStatus:
    """A provider's answer to a poll."""

    state: State
    progress: float | None = None
    queue_position: int | None = None
    outputs: tuple[str, ...] = ()
    error: str | None = None
    error_code: str | None = None
    moderated: bool = False
    retryable: bool = False
    poll_after_s: float | None = None


@dataclass(frozen=True)
class Capabilities:
    """What a provider (model) can make."""

    durations_s: tuple[float, ...] | None = None  # allowed lengths; None = any frame count
    max_duration_s: float | None = None
    sizes: tuple[tuple[int, int], ...] | None = None  # allowed sizes; None = any
    aspects: tuple[str, ...] | None = None  # e.g. ("16:9", "9:16")
    fps: tuple[float, ...] | None = None  # None = any rate
    first_frame: bool = False
    last_frame: bool = False
    references: bool = False
    cancel: bool = True
    price_per_second: float = 0.0
    local: bool = False
    #: wants the neighbours' source media (``extra["neighbours"]``, see
    #: :func:`pickup.media.neighbours.neighbour_sources`): providers made from footage
    source_media: bool = False


@runtime_checkable
class Provider(Protocol):
    """What every backend implements; the engine drives it.

    Every method makes one attempt and raises :class:`~pickup.errors.ProviderError`
    (``retryable``, ``retry_after_s``, ``moderated``) on failure; the engine retries.

    Optional: ``find_existing(req, idempotency_key: str) -> JobHandle | None``.  A
    backend whose API lets the client name the job (ComfyUI: the ``prompt_id``)
    derives the job id from ``req.extra["idempotency_key"]`` when submitting and,
    given the same key, returns the handle of a job already queued, running or
    finished (or None), so the engine can resume after a crash instead of paying
    twice.  Check with ``getattr(provider, "find_existing", None)``.
    """

    name: str

    def capabilities(self, model: str | None) -> Capabilities: ...

    def validate(self, req: ShotRequest) -> None: ...

    def submit(self, req: ShotRequest, workdir: Path) -> JobHandle: ...

    def poll(self, handle: JobHandle) -> JobStatus: ...

    def fetch(self, handle: JobHandle, status: JobStatus, dest: Path) -> list[Path]: ...

    def cancel(self, handle: JobHandle) -> bool: ...

    def estimate_cost(self, req: ShotRequest) -> float: ...
