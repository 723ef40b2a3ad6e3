"""The markers of a timeline, placed on the record timeline for the strip, and the
clips whose media is online (for the strip's thumbnails); Qt-free.

Sequence (stack) markers, track markers and clip/gap markers, each at its frame from
the sequence start, with its name and colour.  Walking every item is a Python loop
over OTIO objects, so the panel runs it on a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

__all__ = ["MarkerView", "clip_media", "timeline_markers"]

#: OTIO marker colour names -> what the strip draws
_COLOURS = {"RED": "#e0503f", "PINK": "#e07ab0", "ORANGE": "#e08a1e", "YELLOW": "#e0d04a",
            "GREEN": "#3dbb6a", "CYAN": "#1fb3d6", "BLUE": "#4a7fe0", "PURPLE": "#a070e0",
            "MAGENTA": "#d04ad0", "BLACK": "#606060", "WHITE": "#eeeeee"}


@dataclass(frozen=True)
class MarkerView:
    """A marker at ``frame`` (from the sequence start) on stack index ``track`` (None:
    the sequence)."""

    frame: int
    duration: int
    name: str
    colour: str
    track: int | None


def _frames(t: otio.opentime.RationalTime, rate: float) -> int:
    return round(t.value_rescaled_to(rate))


def _view(marker: otio.schema.Marker, frame: int, rate: float, track: int | None
          ) -> MarkerView:
    colour = _COLOURS.get(str(marker.color or "").upper(), "#e0d04a")
    return MarkerView(frame, max(0, _frames(marker.marked_range.duration, rate)),
                      marker.name or "", colour, track)


def timeline_markers(timeline: otio.schema.Timeline, rate: float) -> list[MarkerView]:
    """Every marker of ``timeline``, in frame order."""
    out: list[MarkerView] = []
    for marker in timeline.tracks.markers[:]:
        out.append(_view(marker, _frames(marker.marked_range.start_time, rate), rate, None))
    for index, track in enumerate(timeline.tracks):
        if not isinstance(track, otio.schema.Track):
            continue
        for marker in track.markers[:]:
            out.append(_view(marker, _frames(marker.marked_range.start_time, rate), rate,
                             index))
        position = 0
        for item in track[:]:
            if isinstance(item, otio.schema.Transition):
                continue
            markers = item.markers[:]
            if markers:
                trimmed = item.trimmed_range().start_time
                for marker in markers:
                    offset = _frames(marker.marked_range.start_time - trimmed, rate)
                    out.append(_view(marker, position + offset, rate, index))
            position += _frames(item.duration(), rate)
    out.sort(key=lambda m: m.frame)
    return out


def clip_media(timeline: otio.schema.Timeline, timeline_path: Path, rate: float
               ) -> dict[tuple[int, int], tuple[Path, int]]:
    """Where the strip can show a picture: (stack index, item index as the strip counts
    items, transitions left out) -> (media file that exists, frame index in it of the
    clip's middle).  Checks every file, so it runs on a worker thread."""
    from pickup.ui.services import clip_source_frame, media_path

    out: dict[tuple[int, int], tuple[Path, int]] = {}
    for stack_index, track in enumerate(timeline.tracks):
        if not isinstance(track, otio.schema.Track) or \
                track.kind != otio.schema.TrackKind.Video:
            continue
        index = 0
        for item in track[:]:
            if isinstance(item, otio.schema.Transition):
                continue
            if isinstance(item, otio.schema.Clip):
                path = media_path(item, timeline_path)
                if path is not None:
                    frames = _frames(item.duration(), rate)
                    out[(stack_index, index)] = (path, clip_source_frame(item, rate)
                                                 + frames // 2)
            index += 1
    return out
