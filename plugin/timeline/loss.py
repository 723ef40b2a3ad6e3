"""Say what an OTIO adapter will drop before ``--to ADAPTER`` writes through it.

The check is measured, not assumed: the timeline is written through the adapter
into a temporary folder, read back, and markers, tracks, clips, gaps and the
duration are counted on both sides.  Known causes are named next to the numbers.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import opentimelineio as otio

__all__ = ["Counts", "adapter_losses", "count", "one_line"]

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
    transitions: int = 0
    #: (effect name, how many) of the clips' effects: speed changes, freeze frames...
    effects: tuple[tuple[str, int], ...] = ()


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
        transitions=sum(1 for i in timeline.find_children()
                        if isinstance(i, otio.schema.Transition)),
        effects=tuple(sorted(Counter(
            e.effect_name or type(e).__name__ for c in timeline.find_clips()
            for e in c.effects).items())),
    )


def _rate(timeline: otio.schema.Timeline) -> float:
    for clip in timeline.find_clips():
        return clip.trimmed_range().duration.rate
    return timeline.duration().rate or 24.0


def _edl_text_losses(original: Path, written: Path) -> list[str]:
    """What an EDL written by OTIO's CMX writer lost against the editor's EDL, line by
    line: M2 (speed) lines, FREEZE FRAME comments, events' source timecodes (pycmx)."""
    import pycmx

    def facts(path: Path) -> tuple[int, int, list[tuple[str, str, str]]]:
        text = path.read_text("utf-8", "replace")
        m2 = sum(1 for ln in text.splitlines() if ln.lstrip().upper().startswith("M2 "))
        ff = text.upper().count("FREEZE FRAME")
        with path.open("r", encoding="utf-8", errors="replace") as f:
            edits = [(e.record_in, e.source_in, e.source_out)
                     for ev in pycmx.parse_cmx3600(f).events for e in ev.edits]
        return m2, ff, edits

    try:
        m2_a, ff_a, ev_a = facts(original)
        m2_b, ff_b, ev_b = facts(written)
    except Exception:  # pycmx cannot read one of them: nothing to compare line by line
        return []
    lines = []
    if m2_b < m2_a:
        lines.append(f"cmx_3600 drops M2 (speed) lines: {m2_a} -> {m2_b}")
    if ff_b < ff_a:
        lines.append(f"cmx_3600 drops FREEZE FRAME comments: {ff_a} -> {ff_b}")
    written_at = {rec: (sin, sout) for rec, sin, sout in ev_b}
    moved = [f"{rec} source {sin}-{sout} -> {written_at[rec][0]}-{written_at[rec][1]}"
             for rec, sin, sout in ev_a if rec in written_at and written_at[rec] != (sin, sout)]
    if moved:
        lines.append(f"cmx_3600 changes the source timecodes of {len(moved)} event(s): "
                     + "; ".join(moved[:3]) + (" ..." if len(moved) > 3 else ""))
    return lines


def adapter_losses(timeline: otio.schema.Timeline, adapter: str, *,
                   original: Path | None = None, **kwargs: object) -> list[str]:
    """One line per kind of thing ``adapter`` drops or changes; empty if nothing.

    With ``original`` (the editor's file) an EDL written through ``cmx_3600`` is also
    compared with the original EDL line by line (M2, freeze frames, source timecodes),
    which a read-back through OTIO does not show."""
    before = count(timeline)
    text_lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pickup-loss-") as folder:
        path = Path(folder) / f"check{_SUFFIX.get(adapter, '.out')}"
        try:
            otio.adapters.write_to_file(timeline, str(path), adapter_name=adapter)
            if adapter == "cmx_3600" and original is not None and \
                    Path(original).suffix.lower() == ".edl":
                text_lines = _edl_text_losses(Path(original), path)
            read_kwargs: dict[str, Any] = {"rate": before.frames and _rate(timeline)} if (
                adapter == "cmx_3600") else {}
            back = otio.adapters.read_from_file(str(path), adapter_name=adapter,
                                                **read_kwargs)
        except Exception as exc:  # any adapter failure is worth telling, not fatal here
            return [f"{adapter} could not write or read back this timeline "
                    f"({one_line(exc)}); check the result in the editing app"]
    if isinstance(back, otio.schema.SerializableCollection):
        found = list(back.find_children(descended_from_type=otio.schema.Timeline))
        if not found:
            return [f"{adapter} wrote no sequence"]
        back = found[0]
    after = count(back)
    causes = _CAUSES.get(adapter, {})
    lines = []
    for field in ("markers", "tracks", "clips", "gaps", "frames", "transitions"):
        was, now = getattr(before, field), getattr(after, field)
        if was != now:
            what = "sequence length (frames)" if field == "frames" else field
            line = f"{adapter} changes {what}: {was} -> {now}"
            with contextlib.suppress(KeyError):
                line += f" ({causes[field]})"
            lines.append(line)
    was_fx, now_fx = dict(before.effects), dict(after.effects)
    for name in sorted(set(was_fx) | set(now_fx)):
        if was_fx.get(name, 0) != now_fx.get(name, 0):
            lines.append(f"{adapter} changes {name} effects: {was_fx.get(name, 0)} -> "
                         f"{now_fx.get(name, 0)}" + (" (speed changes and freeze frames: "
                                                     "M2 lines)" if adapter == "cmx_3600"
                                                     else ""))
    return lines + text_lines


def one_line(exc: BaseException, limit: int = 160) -> str:
    """An exception as one short line: its type and the first line of its message,
    cut at ``limit`` characters (adapters put whole objects in their messages)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(text) > limit:
        text = text[:limit].rstrip() + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
