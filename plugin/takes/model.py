"""The take model: what Pickup records about each take of a slot, and how clips are named.

A filled slot is an OTIO clip with one media reference per take (``T01``, ``T02``, ...)
plus ``PLACEHOLDER`` (what was there before), and ``active_media_reference_key`` is
the chosen take.  The clip's ``metadata["pickup"]`` keeps the slot: ``slot_id``,
``kind``, ``prompt``.  Each take's facts live on **its own media reference**, under
``ref.metadata["pickup"]`` (provider, model, prompt, seed, request hash, cost,
created, status, rating, note, media path and checksum, and the slot's prompt and
length when it was made, from which :attr:`Take.stale` is computed).  They travel
with the reference, so a take copied into another timeline keeps its history.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import opentimelineio as otio

from pickup.errors import ConfigError, InputError
from pickup.media.seams import Seams
from pickup.timeline.refs import media_path_of
from pickup.timeline.slots import slot_id_from_name

__all__ = [
    "DEFAULT_NAME_PATTERN",
    "SCENE_NAME_PATTERN",
    "STATUSES",
    "SlotTakes",
    "Take",
    "clip_name",
    "file_checksum",
    "is_take_key",
    "media_path_of",
    "normalise_key",
    "rank_by_seams",
    "slot_takes",
    "take_meta",
    "utc_now",
]

STATUSES = ("temp", "approved", "rejected", "locked")
#: clip name of a take; ``{slot}`` must stay in it (Pickup finds its clips by it)
DEFAULT_NAME_PATTERN = "{slot}_T{nn}"
#: used instead when the slot knows its scene and shot (from a shot list)
SCENE_NAME_PATTERN = "{scene}-{shot} {slot}_T{nn}"
_TAKE_KEY = re.compile(r"^T(\d{2,})$")


def is_take_key(key: str | None) -> bool:
    return bool(key and _TAKE_KEY.match(key))


def utc_now() -> str:
    """Now, UTC, ISO 8601 to the second (``2025-01-31T12:00:00Z``)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def file_checksum(path: Path | str) -> str | None:
    """``sha256:<hex>`` of a file, or None when it is not there."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return f"sha256:{digest.hexdigest()}"


def clip_name(slot_id: str, take: int, *, scene: str | None = None, shot: str | None = None,
              pattern: str | None = None) -> str:
    """The clip name of take ``take`` of ``slot_id``: ``V1-01000412_T01``, or with a
    scene and shot ``12A-3 V1-01000412_T01``.  ``pattern`` may use ``{slot}``,
    ``{nn}`` (two digits), ``{take}``, ``{scene}`` and ``{shot}``; the result must
    still carry the slot id where Pickup can find it."""
    if pattern is None:
        pattern = SCENE_NAME_PATTERN if scene and shot else DEFAULT_NAME_PATTERN
    try:
        name = pattern.format(slot=slot_id, nn=f"{take:02d}", take=take,
                              scene=scene or "", shot=shot or "").strip()
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(f"the clip name pattern {pattern!r} is not valid: {exc}",
                          hint="use {slot}, {nn}, {take}, {scene} and {shot}") from None
    if slot_id_from_name(name) != slot_id:
        raise ConfigError(f"the clip name pattern {pattern!r} hides the slot id ({name!r})",
                          hint="keep {slot}_T{nn} in it, after a space or '-', so Pickup "
                          "finds the clip again after a round trip")
    return name


def take_meta(ref: Any) -> dict[str, Any]:
    """A plain copy of a reference's ``metadata["pickup"]``."""
    meta = ref.metadata.get("pickup") if ref is not None and ref.metadata else None
    return _plain(meta) if meta is not None else {}


def _plain(value: Any) -> Any:
    if hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "AnyVector":
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Take:
    """One take of a slot, as the clip and the take store record it."""

    key: str
    status: str
    provider: str
    model: str | None
    cost: float | None
    media: str
    stale: bool
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def number(self) -> int:
        return int(self.key[1:])

    @property
    def seams(self) -> Seams | None:
        """Both seam figures measured when the take was made (None: not measured)."""
        return Seams.from_json(self.meta.get("seams"))

    def to_json(self) -> dict[str, Any]:
        """Exactly the fields ``pickup takes --json`` lists for a take."""
        seams = self.seams
        return {"key": self.key, "status": self.status, "provider": self.provider,
                "model": self.model, "cost": self.cost, "media": self.media,
                "stale": self.stale, "seams": seams.to_json() if seams else None,
                "note": self.note, "segments": self.segments}

    @property
    def segments(self) -> list[dict[str, Any]] | None:
        """A chained take's segments (index, start, frames, first, last, job, cost), or
        None for a take made in one go (see :mod:`pickup.engine.chain`)."""
        segments = self.meta.get("segments")
        return [dict(s) for s in segments] if segments else None

    @property
    def note(self) -> str | None:
        """The editor's note on the take (None: none)."""
        return str(self.meta.get("note") or "") or None


@dataclass(frozen=True)
class SlotTakes:
    """A slot and its takes; ``active`` is the take in the cut (None: the placeholder)."""

    id: str
    active: str | None
    takes: tuple[Take, ...]
    kind: str | None = None
    prompt: str | None = None

    def take(self, key: str) -> Take:
        key = normalise_key(key)
        for take in self.takes:
            if take.key == key:
                return take
        known = ", ".join(t.key for t in self.takes) or "none"
        raise InputError(f"slot {self.id} has no take {key}",
                         hint=f"its takes: {known}; `pickup takes TIMELINE {self.id}`")

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "active": self.active,
                "takes": [t.to_json() for t in self.takes]}


def rank_by_seams(takes: Sequence[Take]) -> list[Take]:
    """``takes`` best-cutting first: by the worse of the two seam SSIMs (higher first),
    then the worse histogram distance (lower first); unmeasured takes last, in order."""
    def key(take: Take) -> tuple[int, float, float]:
        seams = take.seams
        score = seams.score if seams else None
        if seams is None or score is None:
            return (1, 0.0, 0.0)
        hists = [s.histogram for s in (seams.head, seams.tail) if s.histogram is not None]
        return (0, -score, max(hists) if hists else 0.0)

    return sorted(takes, key=key)


def normalise_key(text: str) -> str:
    """``T02``, ``t2``, ``2`` and ``02`` all mean take ``T02``."""
    raw = text.strip().upper()
    raw = raw[1:] if raw.startswith("T") else raw
    if not raw.isdigit():
        raise InputError(f"not a take: {text!r}", hint="name a take like T02 (or 2)")
    return f"T{int(raw):02d}"


def slot_takes(clip: otio.schema.Clip, *, duration: int | None = None,
               prompt: str | None = None) -> SlotTakes:
    """The takes of a filled clip.  ``duration`` (frames) and ``prompt`` are the slot's
    now, when the caller knows them better than the clip (a re-exported timeline)."""
    meta = _plain(clip.metadata.get("pickup") or {}) if clip.metadata else {}
    slot_id = str(meta.get("slot_id") or slot_id_from_name(clip.name) or clip.name)
    now_prompt = prompt if prompt is not None else meta.get("prompt")
    takes: list[Take] = []
    refs = clip.media_references()
    for key in sorted((k for k in refs if is_take_key(k)), key=lambda k: int(k[1:])):
        ref = refs[key]
        tmeta = take_meta(ref)
        path = media_path_of(ref)
        made_for = tmeta.get("slot_frames")
        length = duration if duration is not None else _clip_frames(clip, tmeta)
        stale = bool(
            (made_for is not None and length is not None and int(made_for) != int(length))
            or ("slot_prompt" in tmeta and now_prompt is not None
                and (tmeta.get("slot_prompt") or "") != (now_prompt or "")))
        cost = tmeta.get("cost")
        takes.append(Take(
            key=key, status=str(tmeta.get("status") or "temp"),
            provider=str(tmeta.get("provider") or meta.get("provider") or "unknown"),
            model=tmeta.get("model"), cost=float(cost) if cost is not None else None,
            media=str(tmeta.get("media") or (path if path else "")), stale=stale,
            meta=tmeta))
    active = clip.active_media_reference_key
    return SlotTakes(id=slot_id, active=active if is_take_key(active) else None,
                     takes=tuple(takes), kind=meta.get("kind"), prompt=now_prompt)


def _clip_frames(clip: otio.schema.Clip, tmeta: Mapping[str, Any]) -> int | None:
    rate = tmeta.get("slot_rate")
    if clip.source_range is None or not rate:
        return None
    return round(clip.source_range.duration.value_rescaled_to(float(rate)))
