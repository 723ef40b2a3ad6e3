"""The frames around a slot: the outgoing clip's last frame and the incoming clip's first.

Providers that take a first/last frame (and the previz ``bridge`` mode) use them to
make a shot that cuts in and out of its neighbours.  Media that is offline, missing
or unreadable gives ``None`` and a logged warning, never an error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import opentimelineio as otio
from PIL import Image

from pickup.errors import PickupError
from pickup.media.frames import frame_image, save_png
from pickup.media.probe import MediaInfo, probe
from pickup.timeline.names import safe_component
from pickup.timeline.read import LoadedTimeline
from pickup.timeline.slots import Slot

__all__ = ["NeighbourImages", "clip_label", "media_path", "neighbour_frames",
           "neighbour_images", "neighbour_sources", "source_frame_index"]

_log = logging.getLogger(__name__)


def media_path(ref: otio.core.MediaReference | None, base: Path | None = None) -> Path | None:
    """The local file an ExternalReference points to (``file://`` URL or a plain path,
    relative ones resolved against ``base``), or None."""
    if not isinstance(ref, otio.schema.ExternalReference):
        return None
    url = str(getattr(ref, "target_url", "") or "")
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme == "file":
        text = unquote(parsed.path)
        if parsed.netloc and parsed.netloc != "localhost":
            text = f"//{parsed.netloc}{text}"
        path = Path(text)
    elif parsed.scheme and len(parsed.scheme) > 1:
        return None  # http:, s3:, ... not a local file
    else:
        path = Path(unquote(url))
    if not path.is_absolute() and base is not None:
        path = base / path
    return path


def source_frame_index(clip: otio.schema.Clip, time: otio.opentime.RationalTime,
                       info: MediaInfo) -> int:
    """The file frame index (0 = first frame of the file) shown at source ``time``.

    Source times count from the media's start: the reference's available range start
    if it has one, else the file's start timecode (when ``time`` is past it), else 0.
    """
    seconds = time.to_seconds()
    offset = 0.0
    ref = clip.media_reference
    avail = getattr(ref, "available_range", None)
    if avail is not None:
        offset = avail.start_time.to_seconds()
    elif info.start_timecode:
        try:
            tc = otio.opentime.from_timecode(info.start_timecode, float(info.rate))
            if seconds >= tc.to_seconds():
                offset = tc.to_seconds()
        except ValueError:
            pass
    index = round((seconds - offset) * float(info.rate))
    return max(0, min(index, info.frames - 1))


def _items(track: otio.schema.Track, rate: float) -> list[tuple[int, int, otio.core.Item]]:
    ranges = track.range_of_all_children()
    out = []
    for item in track:
        if isinstance(item, otio.schema.Transition):
            continue
        rng = ranges[item]
        out.append((round(rng.start_time.value_rescaled_to(rate)),
                    round(rng.duration.value_rescaled_to(rate)), item))
    return out


@dataclass(frozen=True)
class NeighbourImages:
    """The outgoing clip's last frame and the incoming clip's first, as images, with a
    one-line reason where a frame is missing (no clip there, media offline...)."""

    outgoing: Image.Image | None
    incoming: Image.Image | None
    outgoing_note: str | None = None
    incoming_note: str | None = None


def clip_label(clip: otio.core.Item, record_frame: int | None = None,
               rate: float | None = None) -> str:
    """A clip as an editor finds it in the cut: its name (or media file name), reel and
    record timecode, e.g. ``'shot1' (reel A001, record 01:00:04:00)``."""
    name = (clip.name or "").strip()
    if not any(ch.isalnum() for ch in name):
        ref = getattr(clip, "media_reference", None)
        url = str(getattr(ref, "target_url", "") or "")
        name = Path(unquote(urlparse(url).path)).name if url else ""
    parts = []
    reel = _reel(clip)
    if reel:
        parts.append(f"reel {reel}")
    if record_frame is not None and rate:
        tc = otio.opentime.to_timecode(otio.opentime.RationalTime(record_frame, rate), rate)
        parts.append(f"record {tc}")
    text = repr(name) if name else "an unnamed clip"
    return text + (f" ({', '.join(parts)})" if parts else "")


def _reel(clip: otio.core.Item) -> str | None:
    meta = clip.metadata
    for outer, inner in (("cmx_3600", "reel"), ("pickup", "reel"), ("fcp_xml", "reel")):
        block = meta.get(outer) if meta else None
        if block is not None and hasattr(block, "get"):
            value = block.get(inner)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def _warn_once(said: set[str], message: str) -> None:
    """Log ``message`` unless it was said about this timeline already (the fill's plan,
    the seams and the panel all look at the same neighbours)."""
    if message not in said:
        said.add(message)
        _log.warning("%s", message)


def _grab_image(clip: otio.core.Item, at_end: bool, base: Path, slot: Slot,
                label: str = "", said: set[str] | None = None
                ) -> tuple[Image.Image | None, str | None]:
    side = "outgoing" if at_end else "incoming"
    if not isinstance(clip, otio.schema.Clip):
        return None, f"no {side} clip"
    label = label or clip_label(clip)
    said = said if said is not None else set()
    path = media_path(clip.media_reference, base)
    if path is None:
        _warn_once(said, f"slot {slot.id}: the {side} clip {label} has no local media; "
                   f"no {side} frame")
        return None, f"{side} clip has no local media"
    if not path.is_file():
        _warn_once(said, f"slot {slot.id}: the {side} clip {label} is offline ({path}); "
                   f"no {side} frame")
        return None, f"{side} media offline ({path.name})"
    try:
        info = probe(path)
        rng = clip.trimmed_range()
        one = otio.opentime.RationalTime(1, rng.duration.rate)
        time = rng.end_time_exclusive() - one if at_end else rng.start_time
        return frame_image(path, source_frame_index(clip, time, info), info=info), None
    except (PickupError, OSError, ValueError) as exc:
        _warn_once(said, f"slot {slot.id}: cannot read the {side} frame of {label} from "
                   f"{path}: {exc}")
        return None, f"{side} media unreadable ({path.name})"


def _neighbour_items(loaded: LoadedTimeline, slot: Slot
                     ) -> tuple[tuple[otio.core.Item | None, int],
                                tuple[otio.core.Item | None, int]] | None:
    """((outgoing item, its record start), (incoming item, its record start))."""
    try:
        track = loaded.timeline.tracks[slot.stack_index]
    except IndexError:
        _warn_once(loaded.said, f"slot {slot.id}: its track is gone; no neighbour frames")
        return None
    before: tuple[otio.core.Item | None, int] = (None, 0)
    after: tuple[otio.core.Item | None, int] = (None, 0)
    for start, duration, item in _items(track, slot.rate):
        if start + duration == slot.start and duration > 0:
            before = (item, start)
        if start == slot.end:
            after = (item, start)
    return before, after


def neighbour_images(loaded: LoadedTimeline, slot: Slot) -> NeighbourImages:
    """The neighbours' frames next to ``slot`` as images (see :class:`NeighbourImages`)."""
    items = _neighbour_items(loaded, slot)
    if items is None:
        return NeighbourImages(None, None, "the slot's track is gone", "the slot's track is gone")
    (before, before_at), (after, after_at) = items
    base, first = loaded.path.parent, loaded.start_frame
    out, out_note = (_grab_image(before, True, base, slot,
                                 clip_label(before, first + before_at, slot.rate), loaded.said)
                     if before is not None else (None, "no outgoing shot"))
    inc, in_note = (_grab_image(after, False, base, slot,
                                clip_label(after, first + after_at, slot.rate), loaded.said)
                    if after is not None else (None, "no incoming shot"))
    return NeighbourImages(out, inc, out_note, in_note)


def neighbour_frames(loaded: LoadedTimeline, slot: Slot, dest_dir: Path
                     ) -> tuple[Path | None, Path | None]:
    """(last frame of the outgoing clip, first frame of the incoming clip) as PNGs in
    ``dest_dir`` (``<slot>_out.png``, ``<slot>_in.png``); None where there is no clip
    next to the slot on its track, or its media cannot be read."""
    images = neighbour_images(loaded, slot)
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    out = (save_png(images.outgoing, dest_dir / f"{safe_component(slot.id)}_out.png")
           if images.outgoing is not None else None)
    inc = (save_png(images.incoming, dest_dir / f"{safe_component(slot.id)}_in.png")
           if images.incoming is not None else None)
    return out, inc


def _source(clip: otio.core.Item, at_end: bool, base: Path, slot: Slot) -> dict[str, Any]:
    """Where the neighbour's media is and which of its frames the cut shows next to the
    slot: ``next`` (outgoing: the file frame after its out point) or ``first``
    (incoming: the file frame at its in point); or ``{"note": why not}``."""
    side = "outgoing" if at_end else "incoming"
    if not isinstance(clip, otio.schema.Clip):
        return {"note": f"no {side} clip"}
    path = media_path(clip.media_reference, base)
    if path is None:
        return {"note": f"{side} clip has no local media"}
    if not path.is_file():
        return {"note": f"{side} media offline ({path.name})"}
    try:
        info = probe(path)
    except (PickupError, OSError, ValueError) as exc:
        return {"note": f"{side} media unreadable ({path.name}: {exc})"}
    rng = clip.trimmed_range()
    one = otio.opentime.RationalTime(1, rng.duration.rate)
    data: dict[str, Any] = {"media": str(path.resolve()), "clip": clip.name,
                            "frames": info.frames,
                            "rate": f"{info.rate.numerator}/{info.rate.denominator}"}
    if at_end:
        data["next"] = source_frame_index(clip, rng.end_time_exclusive() - one, info) + 1
    else:
        data["first"] = source_frame_index(clip, rng.start_time, info)
    return data


def neighbour_sources(loaded: LoadedTimeline, slot: Slot) -> dict[str, Any]:
    """The neighbours' source media next to ``slot`` (JSON-able, for providers made from
    the editor's own footage): ``{"outgoing": {...}, "incoming": {...}}``, each with
    ``media``, ``clip``, ``frames``, ``rate`` and ``next``/``first``, or a ``note``."""
    items = _neighbour_items(loaded, slot)
    if items is None:
        gone = {"note": "the slot's track is gone"}
        return {"outgoing": gone, "incoming": gone}
    (before, _), (after, _) = items
    base = loaded.path.parent
    return {"outgoing": (_source(before, True, base, slot) if before is not None
                         else {"note": "no outgoing shot"}),
            "incoming": (_source(after, False, base, slot) if after is not None
                         else {"note": "no incoming shot"})}
