"""The gaps and clips the editor marked as slots in Pickup, as the project folder keeps
them (``<project>/marks.json``): read, write, and locate in frames for
:func:`~pickup.timeline.find_slots`.  The verbs (mark, unmark, discover) live in
:mod:`pickup.workflow.marks`; this module sits below every layer so that the take
store's re-association finds these slots too.

``marks.json``::

    {"version": 1, "marks": [{"track": "V1", "record_in": "01:00:04:12",
      "record_out": "01:00:05:00", "item": "gap", "clip_name": null,
      "kind": "establishing", "prompt": "farmhouse at dusk"}]}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from pickup.atomic import atomic_path
from pickup.errors import InputError
from pickup.project import Project
from pickup.timeline import LoadedTimeline, SlotMark
from pickup.timeline.rates import timecode_frames

__all__ = ["SavedMark", "read_marks", "slot_marks", "write_marks"]


@dataclass(frozen=True)
class SavedMark:
    """One mark as ``marks.json`` keeps it (timecodes at the sequence rate)."""

    track: str
    record_in: str
    record_out: str
    item: Literal["gap", "clip"]
    clip_name: str | None = None
    kind: str | None = None
    prompt: str | None = None

    def where(self) -> str:
        what = f"clip {self.clip_name!r}" if self.item == "clip" else "gap"
        return f"{what} on {self.track} at {self.record_in}"


def _parse(entry: object) -> SavedMark | None:
    if not isinstance(entry, dict):
        return None
    try:
        item = entry["item"]
        if item not in ("gap", "clip"):
            return None
        return SavedMark(track=str(entry["track"]), record_in=str(entry["record_in"]),
                         record_out=str(entry["record_out"]), item=item,
                         clip_name=entry.get("clip_name"), kind=entry.get("kind"),
                         prompt=entry.get("prompt"))
    except (KeyError, TypeError):
        return None


def read_marks(project: Project) -> list[SavedMark]:
    """The marks the project state holds (none when there is no ``marks.json``).  A file
    that is not Pickup's JSON is bad input, named."""
    path = project.marks_path
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the slots marked in Pickup: {exc}", where=str(path),
                         hint="fix or delete the file (its marks are then lost)") from None
    marks = data.get("marks") if isinstance(data, dict) else None
    if not isinstance(marks, list):
        raise InputError("the slots marked in Pickup are not a list", where=str(path),
                         hint="fix or delete the file (its marks are then lost)")
    return [m for m in (_parse(e) for e in marks) if m is not None]


def write_marks(project: Project, marks: Sequence[SavedMark]) -> Path:
    dest = project.marks_path
    data = {"version": 1, "marks": [asdict(m) for m in marks]}
    with atomic_path(dest) as tmp:
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return dest


def slot_marks(loaded: LoadedTimeline, marks: Sequence[SavedMark]) -> list[SlotMark]:
    """The marks in frames at ``loaded``'s rate, for :func:`~pickup.timeline.find_slots`."""
    out = []
    for m in marks:
        try:
            start = timecode_frames(m.record_in, loaded.rate)
            end = timecode_frames(m.record_out, loaded.rate)
        except ValueError:
            continue  # a timecode this rate cannot hold: reported as not found
        out.append(SlotMark(track=m.track, record_in=start, duration=max(0, end - start),
                            item=m.item, clip_name=m.clip_name, kind=m.kind,
                            prompt=m.prompt))
    return out
