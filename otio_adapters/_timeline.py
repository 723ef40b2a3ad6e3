"""Build the OTIO timeline of marked slots: one video track of gaps, each with a GEN marker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import opentimelineio as otio

from pickup.otio_adapters._errors import AdapterError

__all__ = ["MARKER_COLOR", "TRACK_NAME", "mark_text", "marked_gap", "new_timeline"]

MARKER_COLOR = otio.schema.MarkerColor.PURPLE
TRACK_NAME = "V1"


def mark_text(kind: str | None, prompt: str | None, tag: str = "GEN") -> str:
    """The marker name Pickup's marking convention reads: ``GEN stunt: a double falls``.

    The kind is always followed by a colon, so a prompt-less mark still names
    its kind (``GEN insert:``).
    """
    head = f"{tag} {kind}:" if kind else f"{tag}:"
    prompt = " ".join((prompt or "").split())
    return f"{head} {prompt}" if prompt else head


def marked_gap(name: str, frames: int, rate: float, metadata: Mapping[str, Any],
               mark: str | None) -> otio.schema.Gap:
    """A gap of ``frames`` with ``metadata["pickup"]`` and, unless ``mark`` is None,
    a marker covering the whole gap."""
    length = otio.opentime.RationalTime(frames, rate)
    gap = otio.schema.Gap(
        name=name,
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), length),
    )
    gap.metadata["pickup"] = dict(metadata)
    if mark is not None:
        gap.markers.append(otio.schema.Marker(
            name=mark,
            marked_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), length),
            color=MARKER_COLOR,
        ))
    return gap


def new_timeline(name: str, gaps: Sequence[otio.schema.Gap], *, rate: float,
                 start_timecode: str | None, metadata: Mapping[str, Any]) -> otio.schema.Timeline:
    """A timeline named ``name`` with ``gaps`` on one video track (``V1``)."""
    timeline = otio.schema.Timeline(name=name)
    if start_timecode:
        try:
            timeline.global_start_time = otio.opentime.from_timecode(start_timecode, rate)
        except Exception as exc:  # OTIO raises ValueError or its own errors
            raise AdapterError(f"start_timecode {start_timecode!r} is not a timecode at "
                               f"{rate:g} fps ({exc})",
                               hint="write HH:MM:SS:FF, e.g. 01:00:00:00") from None
    track = otio.schema.Track(name=TRACK_NAME, kind=otio.schema.TrackKind.Video)
    for gap in gaps:
        track.append(gap)
    timeline.tracks.append(track)
    timeline.metadata["pickup"] = dict(metadata)
    return timeline
