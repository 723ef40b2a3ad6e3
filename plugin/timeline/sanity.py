"""Checks a timeline must pass before anything uses it: text that is UTF-8, rates and
times that are numbers a timecode can be made from.

Without them a single bad byte in an OTIO string, a rate of 0, NaN or 1e9, or a start
before 00:00:00:00 surfaced as a traceback (from pybind11's string conversion or
OTIO's timecode code) far from the file; here each is one TimelineError naming the
file, the element and what to do.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import opentimelineio as otio

from pickup.errors import TimelineError

__all__ = ["MAX_RATE", "check_timeline", "check_utf8", "check_utf8_bytes"]

#: Highest picture rate Pickup accepts (a timecode cannot be made from 1e9 fps).
MAX_RATE = 240.0
#: Highest rate of any time in the file (audio clips count in samples: 48000, 96000).
_MAX_ANY_RATE = 400_000.0


def check_utf8_bytes(data: bytes, where: str) -> None:
    """TimelineError naming the line and column of the first byte that is not UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise TimelineError(f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}, "
                            f"column {column}", where=where,
                            hint="OTIO files are UTF-8; fix that text or export the file "
                            "again") from None


def check_utf8(path: Path, adapter: str) -> None:
    """For OTIO JSON and otioz: the JSON must be UTF-8 (OTIO reads any bytes, then fails
    with a bare TypeError when the string is used)."""
    if adapter == "otio_json":
        check_utf8_bytes(path.read_bytes(), str(path))
    elif adapter == "otioz":
        try:
            with zipfile.ZipFile(path) as bundle:
                data = bundle.read("content.otio")
        except (zipfile.BadZipFile, KeyError, OSError):
            return  # the adapter says what is wrong with the bundle
        check_utf8_bytes(data, f"{path} (content.otio)")


def _bad_rate(rate: float, limit: float) -> bool:
    return not math.isfinite(rate) or rate <= 0 or rate > limit


def _label(item: otio.core.SerializableObject) -> str:
    try:
        name = item.name
    except Exception:  # a name OTIO cannot hand back
        name = ""
    kind = type(item).__name__
    return f"{kind} {name!r}" if name else kind


def _check_time(time: otio.opentime.RationalTime | None, what: str, where: str,
                limit: float = _MAX_ANY_RATE) -> None:
    if time is None:
        return
    if _bad_rate(float(time.rate), limit):
        raise TimelineError(f"{what} has the rate {time.rate!r}, which is not a frame rate",
                            where=where, hint="fix the rate (24, 25, 29.97 ...) and export "
                            "again")
    if not math.isfinite(float(time.value)):
        raise TimelineError(f"{what} has the time {time.value!r}", where=where,
                            hint="export the timeline again")


def check_timeline(timeline: otio.schema.Timeline, rate: float, path: Path) -> None:
    """TimelineError for a sequence rate, start or item time Pickup cannot work with."""
    where = str(path)
    if _bad_rate(float(rate), MAX_RATE):
        raise TimelineError(f"the sequence rate is {rate!r} fps, which is not a frame "
                            f"rate Pickup can work with (above 0, at most {MAX_RATE:g})",
                            where=where, hint="fix the rate and export again, or pass "
                            "--rate for an EDL")
    start = timeline.global_start_time
    _check_time(start, "the sequence start", where, MAX_RATE)
    if start is not None and start.value < 0:
        raise TimelineError("the sequence starts before 00:00:00:00 (a negative start "
                            "timecode)", where=where,
                            hint="set the start timecode to 00:00:00:00 or later and "
                            "export again")
    for marker in timeline.tracks.markers:
        _check_time(marker.marked_range.start_time, f"marker {_label(marker)}", where)
    # (Strings need no check here: OTIO JSON is checked as UTF-8 bytes before it is
    # read, and every other adapter makes Python strings.)
    for track in timeline.tracks:
        for item in track:
            for marker in getattr(item, "markers", []):
                _check_time(marker.marked_range.start_time, f"marker {_label(marker)}",
                            where)
            source = getattr(item, "source_range", None)
            if source is not None:
                _check_time(source.start_time, _label(item), f"{where}, track "
                            f"{track.name or '?'}")
                _check_time(source.duration, _label(item), f"{where}, track "
                            f"{track.name or '?'}")
                if source.duration.value < 0:
                    raise TimelineError(f"{_label(item)} has a negative duration",
                                        where=f"{where}, track {track.name or '?'}",
                                        hint="export the timeline again")
