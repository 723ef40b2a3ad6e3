"""The shot the hosted-provider tests ask for, and polling a job to its end."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from pickup.providers.base import JobHandle, JobStatus, ShotRequest

__all__ = ["finish", "harbour"]


def harbour(seconds: int = 5, **changes: Any) -> ShotRequest:
    """A 1920x1080, 24 fps, ``seconds``-long text-to-video request (seed 42), changed by
    ``changes`` (any :class:`ShotRequest` field)."""
    base: dict[str, Any] = dict(slot_id="V1-01000012", prompt="a harbour at dawn", kind=None,
                                frames=24 * seconds, rate=Fraction(24), width=1920,
                                height=1080, seed=42)
    base.update(changes)
    return ShotRequest(**base)


def finish(provider: Any, handle: JobHandle, polls: int = 50) -> JobStatus:
    """Poll until the job ends; fail the test (never hang) if it has not after ``polls``."""
    for _ in range(polls):
        status = provider.poll(handle)
        if status.state.terminal:
            return status
    raise AssertionError(f"job {handle.job_id} still running after {polls} polls")
