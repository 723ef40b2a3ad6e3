"""The shot the hosted-provider tests ask for, and polling a job to its end."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from pickup.providers.base import JobHandle, JobStatus, ShotRequest

__all__ = ["finish", "harbour", "harbour_cut"]


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


def harbour_cut(folder: Path, frames: int = 30, rate: int = 24) -> Path:
    """``folder/opening.otio``: one video track holding one gap of ``frames`` marked
    "GEN establishing: a harbour at dawn" (no neighbour frames to start from)."""
    timeline = otio.schema.Timeline(name="opening")
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    gap = otio.schema.Gap(duration=otio.opentime.RationalTime(frames, rate))
    gap.markers.append(otio.schema.Marker(
        name="GEN establishing: a harbour at dawn",
        marked_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate),
                                             otio.opentime.RationalTime(0, rate))))
    track.append(gap)
    cut = folder / "opening.otio"
    otio.adapters.write_to_file(timeline, str(cut))
    return cut
