"""Write a (possibly filled) timeline's slots as a shot list (CSV), one row per slot.

A shot list that Pickup read comes back with every row and column it had, in the
same order and dialect; a cell is rewritten only when the timeline now says
something else (a new duration, a status, the chosen take).  Columns Pickup
fills that the file lacked (status, take, provider, slot, media) are added at
the end when some slot has a value for them.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import opentimelineio as otio

from pickup.otio_adapters._directives import TAGS
from pickup.otio_adapters._durations import format_rate, format_seconds, parse_duration, parse_rate
from pickup.otio_adapters._errors import AdapterError
from pickup.otio_adapters._shotlist_columns import CANONICAL, column_keys, match_columns

__all__ = ["ShotlistText", "write_shotlist"]

_TITLES = {"scene": "Scene", "shot": "Shot", "heading": "Heading", "kind": "Kind",
           "prompt": "Prompt", "duration": "Duration", "rate": "Rate", "status": "Status",
           "take": "Take", "provider": "Provider", "notes": "Notes", "slot_id": "Slot",
           "media": "Media"}
_ALWAYS = ("scene", "shot", "kind", "prompt", "duration", "rate", "status", "take", "provider",
           "notes")
# Columns added to a shot list that lacked them, when some slot has a value.
_ADDED = ("status", "take", "provider", "slot_id", "media")
_MARK = re.compile(rf"(?is)^\s*(?:{'|'.join(TAGS)})(?![A-Za-z0-9])[\s:\-_]*"
                   r"(?:([A-Za-z][\w\-]{0,31})\s*:\s*)?(.*)$")
_TAKE_IN_NAME = re.compile(r"_T(\d+)\b")


@dataclass
class ShotlistText:
    """The CSV text and how to store it (encoding, byte-order mark)."""

    text: str
    encoding: str = "utf-8"
    bom: bool = False


@dataclass
class _Slot:
    start: int
    track: int
    frames: int
    values: dict[str, str | None] = field(default_factory=dict)
    original: dict[str, str] = field(default_factory=dict)
    read: dict[str, str] = field(default_factory=dict)
    filled: bool = False


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    """A metadata value as cell text; lists, dicts and the like are no cell."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value).strip()
    return text or None


def _mark(item: otio.core.Item) -> tuple[str | None, str | None] | None:
    for marker in getattr(item, "markers", []):
        match = _MARK.match(marker.name or "")
        if match:
            kind = match.group(1).lower().replace("-", "") if match.group(1) else None
            return kind, " ".join(match.group(2).split()) or None
    return None


def _take(item: otio.core.Item, meta: Mapping[str, Any]) -> str | None:
    for key in ("take", "active_take", "take_id"):
        text = _text(meta.get(key))
        if text:
            return text
    key = getattr(item, "active_media_reference_key", None)
    if isinstance(item, otio.schema.Clip) and key and key != "DEFAULT_MEDIA":
        return str(key)
    match = _TAKE_IN_NAME.search(item.name or "")
    return f"T{match.group(1)}" if match else None


def _media(item: otio.core.Item) -> str | None:
    if not isinstance(item, otio.schema.Clip):
        return None
    ref = item.media_reference
    return _text(getattr(ref, "target_url", None)) if ref is not None else None


def _timeline_of(value: object) -> otio.schema.Timeline:
    if isinstance(value, otio.schema.Timeline):
        return value
    if isinstance(value, otio.schema.SerializableCollection):
        collection: Any = value
        found = list(collection.find_children(descended_from_type=otio.schema.Timeline))
        if found:
            return found[0]
    raise AdapterError(f"a shot list is written from a timeline, not a {type(value).__name__}")


def _slots(timeline: otio.schema.Timeline, rate: float, rows: list[Any]) -> list[_Slot]:
    by_start: dict[int, _Slot] = {}
    for track_index, track in enumerate(timeline.video_tracks()):
        ranges = track.range_of_all_children()
        for item in track:
            if isinstance(item, otio.schema.Transition):
                continue
            meta = _mapping(item.metadata.get("pickup"))
            mark = _mark(item)
            if mark is None and (meta.get("marked") is False or not any(
                    k in meta for k in ("kind", "prompt", "slot_id"))):
                continue  # not a slot, or a scene the script said to skip
            rng = ranges[item]
            start = round(rng.start_time.value_rescaled_to(rate))
            frames = round(rng.duration.value_rescaled_to(rate))
            original = _mapping(meta.get("shotlist_row"))
            row_number = meta.get("row")
            if not original and isinstance(row_number, int) and 0 < row_number <= len(rows):
                original = _mapping(rows[row_number - 1])
            kind, prompt = mark if mark else (None, None)
            slot = _Slot(start, track_index, frames, {
                "scene": _text(meta.get("scene_number")),
                "shot": _text(meta.get("shot")),
                "heading": _text(meta.get("heading")),
                "kind": kind or _text(meta.get("kind")),
                "prompt": prompt or _text(meta.get("prompt")),
                "status": _text(meta.get("status")),
                "take": _take(item, meta),
                "provider": _text(meta.get("provider")),
                "notes": _text(meta.get("notes")),
                "slot_id": _text(meta.get("slot_id")),
                "media": _media(item),
            }, {str(k): str(v) for k, v in original.items()},
                {str(k): str(v) for k, v in _mapping(meta.get("shotlist_read")).items()},
                filled=isinstance(item, otio.schema.Clip))
            previous = by_start.get(start)
            if previous is None:
                by_start[start] = slot
                continue
            # A filled clip stacked over (or put in place of) its gap: one row, the clip's.
            keep, other = (slot, previous) if slot.filled and not previous.filled else (
                previous, slot)
            for key, value in other.values.items():
                if keep.values.get(key) is None:
                    keep.values[key] = value
            keep.original = keep.original or other.original
            keep.read = keep.read or other.read
            by_start[start] = keep
    return sorted(by_start.values(), key=lambda s: (s.start, s.track))


def _rate_of(timeline: otio.schema.Timeline) -> float:
    meta = _mapping(timeline.metadata.get("pickup"))
    value = meta.get("rate")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    for item in timeline.find_children():
        try:
            return float(item.trimmed_range().duration.rate)
        except Exception:  # an item without a range tells nothing
            continue
    return 24.0


def _same(column: str, original: str, value: str, rate: float, frames_column: bool,
          written_at: float | None = None) -> bool:
    if column == "duration":
        try:
            parsed = parse_duration(original, rate=written_at or rate,
                                    bare="f" if frames_column else "s")
        except ValueError:
            return False
        return parsed.frames(rate, written_at=written_at or rate) == int(value)
    if column == "rate":
        try:
            return math.isclose(parse_rate(original), float(value), abs_tol=1e-6)
        except ValueError:
            return False
    if column == "kind":
        return original.strip().lower().replace("-", "") == value
    return " ".join(original.split()) == " ".join(value.split())


def _equal(column: str, read: str, value: str | None) -> bool:
    """True when ``value`` is what the row read as when the shot list was read."""
    if value is None:
        return True
    if column == "rate":
        try:
            return math.isclose(float(read), float(value), abs_tol=1e-6)
        except ValueError:
            return False
    return read == value


def _row_rate(text: str) -> float | None:
    try:
        return parse_rate(text) if text.strip() else None
    except ValueError:
        return None


def _format(column: str, original: str, value: str, rate: float, frames_column: bool) -> str:
    if column == "duration":
        frames = int(value)
        if frames_column and re.fullmatch(r"\s*\d+\s*", original or "0"):
            return str(frames)
        if frames_column or original.strip().lower().endswith("f"):
            return f"{frames}f"
        seconds = format_seconds(frames, rate)
        return seconds[:-1] if re.fullmatch(r"\s*[\d.]+\s*", original or "x") else seconds
    if column == "rate":
        return format_rate(float(value))
    return value


def write_shotlist(value: object) -> ShotlistText:
    """The shot list of the timeline ``value``."""
    timeline = _timeline_of(value)
    meta = _mapping(timeline.metadata.get("pickup"))
    stored = _mapping(meta.get("shotlist"))
    rows = list(stored.get("rows") or [])
    rate = _rate_of(timeline)
    slots = _slots(timeline, rate, rows)
    for slot in slots:
        slot.values["duration"] = str(slot.frames)
        slot.values["rate"] = str(rate)
    header = [str(h) for h in (stored.get("columns") or [])]
    columns = match_columns(header)
    positions = dict(columns.positions)
    has_value = {c for c in CANONICAL if any(s.values.get(c) for s in slots)}
    if not header:
        wanted = [c for c in CANONICAL if c in _ALWAYS or c in has_value]
    else:
        wanted = [c for c in _ADDED if c not in positions and c in has_value]
    for column in wanted:
        positions[column] = len(header)
        header.append(_TITLES[column])
    keys = column_keys(header)
    by_position = {index: column for column, index in positions.items()}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=str(stored.get("delimiter") or ","),
                        lineterminator=str(stored.get("newline") or "\r\n"))
    writer.writerow(header)
    rate_key = keys[positions["rate"]] if "rate" in positions else None
    for slot in slots:
        written_at = _row_rate(slot.original.get(rate_key, "") if rate_key else "")
        cells = []
        for index, key in enumerate(keys):
            original = slot.original.get(key, "")
            column = by_position.get(index)
            new = slot.values.get(column) if column else None
            unchanged = column in slot.read and _equal(column or "", slot.read[column], new)
            if new is None or unchanged or _same(column or "", original, new, rate,
                                                 columns.duration_in_frames, written_at):
                cells.append(original)
            else:
                cells.append(_format(column or "", original, new, rate,
                                     columns.duration_in_frames))
        writer.writerow(cells)
    encoding = str(stored.get("encoding") or "utf-8")
    bom = bool(stored.get("bom"))
    if encoding in ("utf-8-sig", "utf-16"):
        encoding = "utf-8"
    return ShotlistText(out.getvalue(), encoding, bom)
