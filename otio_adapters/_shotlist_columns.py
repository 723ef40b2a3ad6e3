"""Recognise a shot list's columns by their headers ("Shot #", "Description", "Dur (f)"...)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["CANONICAL", "Columns", "column_keys", "match_columns"]

# The columns Pickup knows, in the order it writes a new shot list.
CANONICAL: tuple[str, ...] = ("scene", "shot", "heading", "kind", "prompt", "duration", "rate",
                              "status", "take", "provider", "notes", "slot_id", "media")

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "scene": ("scene", "sc", "scn", "scene number", "scene id", "sequence scene"),
    "shot": ("shot", "sh", "shot number", "shot id", "setup", "shot name"),
    "heading": ("heading", "scene heading", "slugline", "slug line", "slug"),
    "kind": ("kind", "type", "shot type", "shot kind", "category", "gen kind"),
    "prompt": ("prompt", "description", "desc", "shot description", "action", "text",
               "gen prompt", "content"),
    "duration": ("duration", "dur", "length", "len", "seconds", "secs", "sec",
                 "frames", "frame count", "runtime"),
    "rate": ("rate", "fps", "frame rate", "framerate", "frames per second"),
    "status": ("status", "state", "approval"),
    "take": ("take", "active take", "takes", "selected take", "chosen take"),
    "provider": ("provider", "generator", "engine", "backend", "service"),
    "notes": ("notes", "note", "comments", "comment", "remarks", "remark"),
    "slot_id": ("slot", "slot id", "pickup slot", "pickup id"),
    "media": ("media", "file", "path", "media file", "clip", "take file"),
}
_LOOKUP = {alias: name for name, aliases in _SYNONYMS.items() for alias in aliases}
_FRAME_HINT = re.compile(r"(?i)\b(?:f|fr|frames?)\b")


def _normalise(header: str) -> tuple[str, str]:
    """(name without decoration, the unit hint in brackets if any)."""
    text = header.strip().lstrip("\ufeff").lower()
    hint = ""
    bracket = re.search(r"[(\[]([^)\]]*)[)\]]", text)
    if bracket:
        hint = bracket.group(1)
        text = text[: bracket.start()] + text[bracket.end():]
    text = re.sub(r"[_\-./]+", " ", text)
    text = text.replace("#", " ").replace(":", " ")
    text = re.sub(r"\b(?:no|num|number|nr)\b\s*$", "", text.strip())
    return " ".join(text.split()), hint


@dataclass(frozen=True)
class Columns:
    """Which header position holds each known column, and how durations are written."""

    positions: dict[str, int]
    duration_in_frames: bool = False

    def get(self, name: str) -> int | None:
        return self.positions.get(name)


def match_columns(header: Sequence[str]) -> Columns:
    """Map known columns to positions; the first header that matches a column wins."""
    positions: dict[str, int] = {}
    frames = False
    for index, cell in enumerate(header):
        name, hint = _normalise(cell)
        column = _LOOKUP.get(name)
        if column is None and name.endswith(" number"):
            column = _LOOKUP.get(name[: -len(" number")])
        if column is None or column in positions:
            continue
        positions[column] = index
        if column == "duration":
            frames = name in ("frames", "frame count") or bool(_FRAME_HINT.search(hint))
    return Columns(positions, frames)


def column_keys(header: Sequence[str]) -> list[str]:
    """A unique key per header cell: the header itself, or ``Notes#2`` for a repeat or a
    ``column 7`` for an empty header."""
    keys: list[str] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(header):
        base = cell if cell.strip() else f"column {index + 1}"
        count = seen.get(base, 0) + 1
        seen[base] = count
        keys.append(base if count == 1 else f"{base}#{count}")
    return keys
