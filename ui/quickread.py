"""A sketch of an ``.otio`` file's tracks, read in a separate process: what the strip draws.

The panel runs this module in a fresh interpreter (``python -I -S -c STUB``, see
:data:`STUB`; ``python -I -S quickread.py FILE [--rate R]`` does the same) while it
builds its window, so on a two-core machine the file is parsed on the other core.  It
writes every track's item starts, lengths, kinds and names (compact parallel lists,
``marshal``-ed after :data:`MAGIC`) to stdout and exits.  The strip draws that, and
the full OpenTimelineIO read (which the slots, the preview and send-back need)
follows on a worker thread of the panel.

Why not OpenTimelineIO here: a fresh interpreter that imports it takes longer than
the whole read, and forking the panel (which runs Qt threads) is not safe.  This file
imports the standard library only (not even :mod:`json` or :mod:`typing`), so it
starts in about ten milliseconds.

It covers the OTIO JSON that OpenTimelineIO writes for ordinary timelines; for
anything it does not know exactly (another top-level object, a schema version it
does not know, a nested track without a source range, a clip whose length comes from
a reference it cannot see...) it exits with status 3 and the panel reads the file
the usual way.  The result equals :func:`pickup.ui.services._track_views` on the same
file (tests check it); the full read replaces it a moment later in any case.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # not imported when it runs: `typing` costs a tenth of the start
    from typing import Any

__all__ = ["KIND_CODES", "MAGIC", "STUB", "run", "sketch", "sketch_file"]

#: one letter per item kind in the output's ``kinds`` strings
KIND_CODES = {"c": "clip", "g": "gap", "p": "placeholder", "o": "other"}


class Unknown(Exception):
    """Something this reader does not cover: the panel reads the file the usual way."""


def _schema(obj: Any) -> tuple[str, int]:
    if type(obj) is not dict:
        raise Unknown("not an object")
    name, _, version = str(obj.get("OTIO_SCHEMA", "")).partition(".")
    try:
        return name, int(version)
    except ValueError:
        raise Unknown(f"schema {obj.get('OTIO_SCHEMA')!r}") from None


# The schema versions whose fields are read here (OpenTimelineIO 0.15 - 0.17).
_KNOWN = {"Timeline": 1, "Stack": 1, "Track": 1}
_PLACEHOLDERS = ("GeneratorReference", "MissingReference")


_NUMBERS = (int, float)


def _time(obj: Any) -> tuple[float, float]:
    """(value, rate) of a RationalTime."""
    if type(obj) is dict and obj.get("OTIO_SCHEMA") == "RationalTime.1":
        value, rate = obj.get("value"), obj.get("rate")
        if isinstance(value, _NUMBERS) and isinstance(rate, _NUMBERS) and rate > 0:
            return float(value), float(rate)
    raise Unknown("not a RationalTime.1")


def _range_duration(obj: Any) -> tuple[float, float] | None:
    """(value, rate) of a TimeRange's duration; None for no range."""
    if type(obj) is dict and obj.get("OTIO_SCHEMA") == "TimeRange.1":
        d = obj.get("duration")
        if type(d) is dict and d.get("OTIO_SCHEMA") == "RationalTime.1":
            value, rate = d.get("value"), d.get("rate")
            if isinstance(value, _NUMBERS) and isinstance(rate, _NUMBERS) and rate > 0:
                return float(value), float(rate)
    if obj is None:
        return None
    raise Unknown("not a TimeRange.1")


def _item(obj: Any) -> tuple[str, tuple[float, float] | None]:
    """(kind letter, (value, rate) of its duration) of a track child; kind "t" is a
    transition (no duration in the track)."""
    schema = obj.get("OTIO_SCHEMA") if type(obj) is dict else None
    if schema == "Clip.2" or schema == "Clip.1":
        if schema == "Clip.2":
            refs = obj.get("media_references")
            key = obj.get("active_media_reference_key", "DEFAULT_MEDIA")
            if type(refs) is not dict or key not in refs:
                raise Unknown("no active media reference")
            ref = refs[key]
        else:
            ref = obj.get("media_reference")
        if type(ref) is not dict:
            raise Unknown("clip without a reference")  # OTIO makes a MissingReference
        ref_schema = str(ref.get("OTIO_SCHEMA", ""))
        kind = "p" if ref_schema.partition(".")[0] in _PLACEHOLDERS else "c"
        duration = _range_duration(obj.get("source_range"))
        if duration is None:  # the reference's available range
            duration = _range_duration(ref.get("available_range"))
            if duration is None:
                raise Unknown("clip without a length")
        return kind, duration
    if schema == "Gap.1":
        duration = _range_duration(obj.get("source_range"))
        if duration is None:
            raise Unknown("gap without a range")
        return "g", duration
    if schema == "Transition.1":
        return "t", None
    if schema == "Stack.1" or schema == "Track.1":
        duration = _range_duration(obj.get("source_range"))
        if duration is None:
            raise Unknown("nested composition without a source range")
        return "o", duration
    raise Unknown(f"item schema {schema!r}")


def _first_rate(tracks: list[Any]) -> float:
    """The rate of the first item's length (24 when there is none)."""
    for track in tracks:
        for child in track.get("children") or ():
            duration = _item(child)[1]
            if duration is not None:
                return duration[1]
    return 24.0


def sketch(data: Any, rate: float | None = None) -> dict[str, Any]:
    """The strip's view of a parsed OTIO JSON timeline (raises :class:`Unknown`)."""
    name, version = _schema(data)
    if name != "Timeline" or version != _KNOWN["Timeline"]:
        raise Unknown("not a Timeline.1")
    stack = data.get("tracks")
    name, version = _schema(stack)
    if name != "Stack" or version != _KNOWN["Stack"]:
        raise Unknown("tracks are not a Stack.1")
    children = stack.get("children") or []
    for track in children:
        name, version = _schema(track)
        if name != "Track" or version != _KNOWN["Track"]:
            raise Unknown("a top-level child is not a Track.1")
    start = data.get("global_start_time")
    start_time = None if start is None else _time(start)
    if rate is None:  # as pickup.timeline.read._timeline_rate
        rate = start_time[1] if start_time is not None else _first_rate(children)
    start_frame = 0 if start_time is None else round(
        start_time[0] if start_time[1] == rate else start_time[0] * rate / start_time[1])
    counts = {"V": 0, "A": 0}
    tracks: list[dict[str, Any]] = []
    end = 0
    for stack_index, track in enumerate(children):
        video = track.get("kind") == "Video"
        letter = "V" if video else "A"
        counts[letter] += 1
        starts: list[int] = []
        durations: list[int] = []
        kinds: list[str] = []
        names: list[str] = []
        position = 0
        for child in track.get("children") or ():
            kind, duration = _item(child)
            if duration is None:
                continue
            value, d_rate = duration
            frames = round(value if d_rate == rate else value * rate / d_rate)
            starts.append(position)
            durations.append(frames)
            kinds.append(kind)
            names.append(str(child.get("name") or ""))
            position += frames
        end = max(end, position)
        tracks.append({"label": f"{letter}{counts[letter]}", "name": str(track.get("name") or ""),
                       "stack_index": stack_index, "video": video, "starts": starts,
                       "durations": durations, "kinds": "".join(kinds), "names": names})
    video_tracks = [t for t in tracks if t["video"]][::-1]
    return {"rate": rate, "start_frame": start_frame, "duration": end,
            "tracks": video_tracks + [t for t in tracks if not t["video"]]}


_CONSTANTS = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}


class _Context:
    """What the C JSON scanner reads from a decoder (as :class:`json.JSONDecoder` sets
    it), so this file need not import :mod:`json` (its regexes cost a tenth of the run)."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = _CONSTANTS.__getitem__


def _parse(text: str) -> Any:
    try:
        from _json import make_scanner  # type: ignore[import-not-found]
    except ImportError:  # an interpreter without the C scanner
        import json

        return json.loads(text)
    begin = len(text) - len(text.lstrip())
    value, end = make_scanner(_Context())(text, begin)  # type: ignore[arg-type]
    if text[end:].strip():
        raise ValueError("extra data after the JSON value")
    return value


#: what the output starts with: this reader's output format, version 1
MAGIC = b"PICKUP-SKETCH-1\n"


def sketch_file(path: str, rate: float | None = None) -> dict[str, Any] | None:
    """:func:`sketch` of the file at ``path``, or None when this reader does not cover it."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8-sig")
        return sketch(_parse(text), rate)
    except (Unknown, OSError, ValueError, TypeError, AttributeError, KeyError,
            StopIteration, RecursionError):
        return None


def run(argv: list[str]) -> int:
    """``FILE [--rate R]``: write :data:`MAGIC` and the sketch, ``marshal``-ed (the panel
    runs this with its own interpreter, so both ends speak the same marshal), to
    stdout and return 0; return 3 when the file is not covered."""
    import gc
    import marshal

    gc.disable()  # a short run that makes no cycles: no collections while parsing
    try:
        rate = float(argv[argv.index("--rate") + 1]) if "--rate" in argv else None
    except (IndexError, ValueError):
        return 2
    result = sketch_file(argv[0], rate) if argv else None
    if result is None:
        return 3
    out = sys.stdout.buffer
    out.write(MAGIC + marshal.dumps(result))
    out.flush()
    return 0


def main(argv: list[str]) -> None:
    """:func:`run`, then leave at once, without freeing the parsed file object by
    object: the panel is waiting."""
    code = run(argv)
    sys.stdout.flush()
    os._exit(code)


#: what the panel runs with ``python -I -S -c``, then this file's folder, the file
#: and its options: importing this module (not running the file as a script) uses
#: its compiled bytecode
STUB = ("import sys; sys.path.insert(0, sys.argv[1]); from quickread import main; "
        "main(sys.argv[2:])")

if __name__ == "__main__":
    main(sys.argv[1:])
