"""Fill a gap from its neighbours' unused handles, the way an editor extends a shot.

The outgoing clip continues into the gap for as long as its source media has frames
past its out point; then the incoming clip starts earlier, for as long as its media
has frames before its in point.  :func:`plan_extend` says which frames come from where
(and how many of the gap no media covers); :func:`render_extend` writes those real
source frames, untouched: their packets copied into a QuickTime file where the media
is intra-only (ProRes, DNxHR) in QuickTime files (no decoding, and a take already in
the sequence's codec is then copied by the conform too), else decoded into a lossless
file (:func:`render_suffix` says which).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from pickup.errors import CancelledError, MediaError
from pickup.media.handles import (
    COPY_SUFFIX,
    LOSSLESS_SUFFIX,
    copy_runs,
    copyable,
    read_run,
    write_lossless,
)
from pickup.media.probe import probe

__all__ = ["ExtendPlan", "Run", "plan_extend", "render_extend", "render_suffix"]


@dataclass(frozen=True)
class Run:
    """``count`` frames of ``media`` from file frame ``start``, placed at take frame
    ``at`` (0 = the take's first frame, handles included)."""

    side: str  # outgoing | incoming
    media: str
    clip: str
    start: int
    count: int
    at: int

    def describe(self, handles: int) -> str:
        first, last = self.at - handles, self.at - handles + self.count - 1
        return (f"slot frames {first}-{last}: {self.side} clip {self.clip!r} "
                f"({Path(self.media).name} frames {self.start}-{self.start + self.count - 1})")


@dataclass(frozen=True)
class ExtendPlan:
    """Which frames of the take come from where; ``uncovered`` gap frames have none."""

    runs: tuple[Run, ...]
    frames: int  # the take's frames (the gap plus handles at each end)
    handles: int
    uncovered: int
    uncovered_from: int = 0  # first uncovered slot frame
    notes: tuple[str, ...] = ()

    def describe(self) -> list[str]:
        lines = [r.describe(self.handles) for r in self.runs]
        if self.uncovered:
            lines.append(f"slot frames {self.uncovered_from}-"
                         f"{self.uncovered_from + self.uncovered - 1}: uncovered "
                         f"({self.uncovered} frame(s): the neighbours' media has no more)")
        return lines + list(self.notes)


def _same_rate(side: Mapping[str, Any], rate: Fraction) -> str | None:
    try:
        media_rate = Fraction(str(side.get("rate")))
    except (ValueError, ZeroDivisionError):
        return "its media rate is unknown"
    if abs(float(media_rate) - float(rate)) > 1e-3:
        return (f"its media runs at {float(media_rate):.3f} fps, the sequence at "
                f"{float(rate):.3f} fps")
    return None


def plan_extend(sources: Mapping[str, Any], frames: int, rate: Fraction,
                handles: int = 0) -> ExtendPlan:
    """Plan a take of ``frames`` frames (the gap plus ``handles`` at each end) from
    ``sources`` (:func:`pickup.media.neighbours.neighbour_sources`)."""
    gap = frames - 2 * handles
    out = dict(sources.get("outgoing") or {})
    inc = dict(sources.get("incoming") or {})
    notes: list[str] = []
    for side, data in (("outgoing", out), ("incoming", inc)):
        if "media" in data:
            why = _same_rate(data, rate)
            if why:
                notes.append(f"the {side} clip is not used: {why}")
                data.clear()
                data["note"] = why
        elif data.get("note"):
            notes.append(f"the {side} clip is not used: {data['note']}")
    # how far each side reaches into the gap (slot frames)
    out_avail = (max(0, int(out["frames"]) - int(out["next"])) if "media" in out else 0)
    in_avail = int(inc["first"]) if "media" in inc else 0
    n_out = min(gap, out_avail)
    n_in = min(gap - n_out, in_avail)
    uncovered = gap - n_out - n_in
    runs: list[Run] = []
    if "media" in out:
        head = handles  # the outgoing shot's last frames in the cut are the head handles
        start = int(out["next"]) - head
        if n_out + head and start >= 0:
            runs.append(Run("outgoing", str(out["media"]), str(out.get("clip") or ""),
                            start, head + n_out, 0))
        elif head:
            notes.append("the head handles are not in the outgoing media")
    if "media" in inc:
        tail = handles
        start = int(inc["first"]) - n_in
        count = n_in + tail
        if count and start + count <= int(inc["frames"]):
            runs.append(Run("incoming", str(inc["media"]), str(inc.get("clip") or ""),
                            start, count, frames - count))
        elif tail:
            notes.append("the tail handles are not in the incoming media")
    covered = sum(r.count for r in runs)
    if uncovered == 0 and covered != frames:
        uncovered = frames - covered  # handles that are missing
    return ExtendPlan(tuple(runs), frames, handles, uncovered, uncovered_from=n_out,
                      notes=tuple(notes))


def render_suffix(plan: ExtendPlan) -> str:
    """The file suffix :func:`render_extend` writes for ``plan``: ``.mov`` when its runs'
    packets are copied, else the lossless intermediate's."""
    runs = plan.runs
    return COPY_SUFFIX if runs and copyable(r.media for r in runs) else LOSSLESS_SUFFIX


def render_extend(plan: ExtendPlan, dest: Path, rate: Fraction, *,
                  cancel: threading.Event | None = None) -> Path:
    """Write the planned runs of real source frames into ``dest``: copied packets when
    ``dest`` ends in :func:`render_suffix`'s ``.mov``, else lossless."""
    if plan.uncovered or not plan.runs:
        raise MediaError(f"{plan.uncovered} frame(s) of the gap have no source media",
                         where=str(dest))
    dest = Path(dest)
    if dest.suffix.lower() == COPY_SUFFIX and render_suffix(plan) == COPY_SUFFIX:
        written = copy_runs([(r.media, r.start, r.count) for r in plan.runs], dest,
                            rate=rate, cancel=cancel)
        if written != plan.frames:
            raise MediaError(f"wrote {written} frames, the take needs {plan.frames}",
                             where=str(dest))
        return dest
    infos = {media: probe(media) for media in dict.fromkeys(r.media for r in plan.runs)}
    first = infos[plan.runs[0].media]
    pix_fmt = first.pix_fmt or "yuv420p"

    def frames() -> Iterator[av.VideoFrame]:
        for run in plan.runs:
            for frame in read_run(run.media, run.start, run.count, info=infos[run.media]):
                if cancel is not None and cancel.is_set():
                    raise CancelledError("cancelled")
                yield frame

    written = write_lossless(frames(), dest, rate=rate, width=first.width,
                             height=first.height, pix_fmt=pix_fmt)
    if written != plan.frames:
        raise MediaError(f"wrote {written} frames, the take needs {plan.frames}",
                         where=str(dest))
    return dest
