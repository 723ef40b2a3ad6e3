"""What write-back replaced at a slot, kept so that ``pickup revert`` can put it back.

A patcher that replaces something of the editor's at a slot (a placeholder clip's
FCP7 ``<clipitem>``, EDL event or AAF component; in FCPXML also the ``<gap>`` it
splits) appends a :class:`Replaced` to its ``replaced`` list.  Given a folder,
:func:`~pickup.timeline.writeback.write_back` saves each one there, atomically and
together with the timeline, as ``<folder>/<slot_id>.<format>.json`` (a later fill
of the same slot overwrites it); ``fill`` passes ``<project>/replaced``.  A slot
Pickup had filled before is not recorded again: the record keeps what the editor's
file had.

One small JSON object per slot and format::

    {"schema": "pickup.replaced/1", "slot_id": "V1-01000100", "format": "fcp7xml",
     "item": "clip", "source": "/…/cut.xml", "original": {...}}

``original`` is format specific (the patcher that writes it documents it): the
element's exact text for FCP7 XML and FCPXML, the event's lines for an EDL, the
component tree (:mod:`pickup.timeline.patch.aafobj`) for AAF.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pickup.errors import TimelineError, WriteError
from pickup.timeline.names import safe_component

__all__ = ["SCHEMA", "Replaced", "decode_text", "load_replaced", "replaced_files",
           "replaced_path"]

SCHEMA = "pickup.replaced/1"


@dataclass(frozen=True)
class Replaced:
    """What a patcher replaced at one slot: enough to put it back."""

    slot_id: str
    format: str  # the patcher's format name: fcp7xml, fcpxml, edl, aaf
    item: str  # the slot's item when it was filled: "gap" or "clip"
    original: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""  # the file the patcher read

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "slot_id": self.slot_id, "format": self.format,
                "item": self.item, "source": self.source, "original": dict(self.original)}

    @classmethod
    def from_json(cls, data: Any, where: str) -> Replaced:
        if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(
                data.get("original"), dict) or not data.get("slot_id") or not data.get("format"):
            raise TimelineError("is not a Pickup record of a replaced element "
                                f"({SCHEMA})", where=where,
                                hint="move it away; `pickup revert` then refuses the slot")
        return cls(str(data["slot_id"]), str(data["format"]), str(data.get("item", "")),
                   data["original"], str(data.get("source", "")))


def replaced_path(folder: Path, slot_id: str, format_name: str) -> Path:
    return Path(folder) / f"{safe_component(slot_id)}.{safe_component(format_name)}.json"


def replaced_files(folder: Path, records: Iterable[Replaced]) -> dict[Path, bytes]:
    """{path: bytes} of each record in ``folder`` (created when needed); the caller
    writes them atomically (``write_back`` does, together with the timeline)."""
    records = list(records)
    if not records:
        return {}
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create the folder: {exc.strerror}", where=str(folder),
                         hint="use --project DIR") from None
    return {replaced_path(folder, rec.slot_id, rec.format):
            (json.dumps(rec.to_json(), indent=1, ensure_ascii=False) + "\n").encode("utf-8")
            for rec in records}


def load_replaced(folder: Path, slot_id: str, format_name: str) -> Replaced | None:
    """The record of ``slot_id`` in ``format_name``, or None when there is none."""
    path = replaced_path(folder, slot_id, format_name)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TimelineError(f"cannot be read: {exc}", where=str(path),
                            hint="move it away; `pickup revert` then refuses the slot"
                            ) from None
    return Replaced.from_json(data, str(path))


def decode_text(raw: bytes) -> tuple[str, str]:
    """(text, encoding) of a timeline file's bytes: UTF-8, else Latin-1."""
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"
