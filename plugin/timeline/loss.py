"""Say what an OTIO adapter will drop before ``--to ADAPTER`` writes through it.

The check is measured, not assumed: the timeline is written through the adapter
into a temporary folder, read back, and markers, tracks, clips, gaps and the
duration are counted on both sides.  Known causes are named next to the numbers.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import opentimelineio as otio

__all__ = ["Counts", "adapter_losses", "count"]

#: Why an adapter loses what it loses (shown next to the measured numbers).
_CAUSES: dict[str, dict[str, str]] = {
    "fcp_xml": {"markers": "markers on gaps are not written by fcp_xml"},
    "cmx_3600": {"markers": "an EDL keeps markers only as LOC comments on events",
                 "tracks": "an EDL holds one picture track"},
    "AAF": {"markers": "the AAF writer drops locators (markers)",
            "tracks": "the AAF writer drops empty and nested tracks"},
}

_SUFFIX = {"fcp_xml": ".xml", "cmx_3600": ".edl", "AAF": ".aaf", "fcpx_xml": ".fcpxml",
           "otio_json": ".otio", "otioz": ".otioz", "ale": ".ale"}


@dataclass(frozen=True)
class Counts:
    """What a timeline holds, counted the same way on both sides."""

    markers: int
    tracks: int
    clips: int
    gaps: int
    frames: int


def count(timeline: otio.schema.Timeline) -> Counts:
    rate = _rate(timeline)
    markers = len(timeline.tracks.markers)
    markers += sum(len(t.markers) for t in timeline.tracks)
    markers += sum(len(i.markers) for i in timeline.find_children()
                   if isinstance(i, otio.core.Item))
    return Counts(
        markers=markers,
        tracks=len(timeline.tracks),
        clips=len(list(timeline.find_clips())),
        gaps=sum(1 for i in timeline.find_children() if isinstance(i, otio.schema.Gap)),
        frames=round(timeline.duration().rescaled_to(rate).value),
    )


def _rate(timeline: otio.schema.Timeline) -> float:
    for clip in timeline.find_clips():
        return clip.trimmed_range().duration.rate
    return timeline.duration().rate or 24.0


def adapter_losses(timeline: otio.schema.Timeline, adapter: str, **kwargs: object
                   ) -> list[str]:
    """One line per kind of thing ``adapter`` drops or changes; empty if nothing."""
    before = count(timeline)
    with tempfile.TemporaryDirectory(prefix="pickup-loss-") as folder:
        path = Path(folder) / f"check{_SUFFIX.get(adapter, '.out')}"
        try:
            otio.adapters.write_to_file(timeline, str(path), adapter_name=adapter)
            read_kwargs: dict[str, Any] = {"rate": before.frames and _rate(timeline)} if (
                adapter == "cmx_3600") else {}
            back = otio.adapters.read_from_file(str(path), adapter_name=adapter,
                                                **read_kwargs)
        except Exception as exc:  # any adapter failure is worth telling, not fatal here
            return [f"{adapter} could not write or read back this timeline "
                    f"({type(exc).__name__}: {exc}); check the result in the editing app"]
    if isinstance(back, otio.schema.SerializableCollection):
        found = list(back.find_children(descended_from_type=otio.schema.Timeline))
        if not found:
            return [f"{adapter} wrote no sequence"]
        back = found[0]
    after = count(back)
    causes = _CAUSES.get(adapter, {})
    lines = []
    for field in ("markers", "tracks", "clips", "gaps", "frames"):
        was, now = getattr(before, field), getattr(after, field)
        if was != now:
            what = "sequence length (frames)" if field == "frames" else field
            line = f"{adapter} changes {what}: {was} -> {now}"
            with contextlib.suppress(KeyError):
                line += f" ({causes[field]})"
            lines.append(line)
    return lines
