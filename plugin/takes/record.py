"""What ``pickup fill`` records about takes: per-take facts, clip names, the take store.

``fill`` calls these three hooks: :func:`fill_conformer` (conform with the
provenance marks), :func:`keep_active` (which take stays active when a slot is
filled again) and :func:`record_fill` (per-take facts on each media reference, then
the take store).  Kept here so ``fill`` itself stays about generating.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import opentimelineio as otio

from pickup.project import Project
from pickup.takes.model import clip_name, file_checksum, take_meta
from pickup.takes.provenance import Provenance, provenance_conformer, signer_from_env
from pickup.takes.store import TakeStore, slot_id_of
from pickup.timeline import LoadedTimeline, Placement, Slot

__all__ = ["fill_conformer", "keep_active", "name_pattern", "record_fill", "slot_names",
           "stored_seams", "take_facts", "take_seams"]

_log = logging.getLogger(__name__)
_TAKE_FILE = re.compile(r"_T(\d+)$")


def name_pattern() -> str | None:
    """The clip name pattern: ``$PICKUP_CLIP_NAME``, else ``[takes] clip_name`` in the
    config file, else None (the default ``{slot}_T{nn}``)."""
    import os

    if os.environ.get("PICKUP_CLIP_NAME"):
        return os.environ["PICKUP_CLIP_NAME"]
    from pickup.config import load_config

    return load_config().clip_name


def _slot_item_meta(timeline: otio.schema.Timeline, slot: Slot) -> Mapping[str, Any]:
    try:
        track = timeline.tracks[slot.stack_index]
    except IndexError:
        return {}
    ranges = track.range_of_all_children()
    for item in track:
        if isinstance(item, otio.schema.Transition):
            continue
        rng = ranges[item]
        start = round(rng.start_time.value_rescaled_to(slot.rate))
        end = start + round(rng.duration.value_rescaled_to(slot.rate))
        if start <= slot.start < end:
            meta = item.metadata.get("pickup") if item.metadata else None
            return dict(meta) if meta is not None and hasattr(meta, "items") else {}
    return {}


def slot_names(loaded: LoadedTimeline, slot: Slot, take: int) -> str:
    """The clip name of ``take`` in ``slot`` (scene and shot when a shot list gave them)."""
    meta = _slot_item_meta(loaded.timeline, slot)
    scene, shot = meta.get("scene"), meta.get("shot")
    return clip_name(slot.id, take, scene=str(scene) if scene else None,
                     shot=str(shot) if shot else None, pattern=name_pattern())


def keep_active(project: Project, activate_new: bool) -> dict[str, int]:
    """slot id -> take number to keep active when fill adds takes (none with
    ``--activate-new``)."""
    if activate_new:
        return {}
    store = TakeStore.load(project)
    out: dict[str, int] = {}
    for slot_id, clip in store.clips.items():
        key = clip.active_media_reference_key
        if key and key[:1] == "T" and key[1:].isdigit():
            out[slot_id] = int(key[1:])
    return out


def _iso(epoch: float | None) -> str | None:
    if not epoch:
        return None
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def take_facts(row: Any, slot: Slot) -> dict[str, Any]:
    """Per-take facts from a journal row (:class:`pickup.engine.journal.JobRow`)."""
    req = dict(row.request or {})
    target = dict(row.target or {})
    cost = row.cost if row.cost is not None else row.est_cost
    params = {k: req.get(k) for k in ("kind", "frames", "rate", "width", "height")}
    params.update({k: target.get(k) for k in ("profile", "handles", "timecode")})
    media = str(Path(row.media_path).resolve()) if row.media_path else None
    return {"take": row.take, "job_id": row.id, "provider": row.provider,
            "model": row.model or req.get("model"), "prompt": req.get("prompt"),
            "negative_prompt": req.get("negative_prompt"), "seed": req.get("seed"),
            "request_hash": row.cache_key, "parameters": params,
            "cost": float(cost) if cost is not None else None,
            "created": _iso(row.created), "media": media,
            "checksum": file_checksum(media) if media else None,
            # what the slot was when the take was made (a later change makes it stale)
            "slot_prompt": (slot.prompt if req.get("prompt") == (slot.prompt or slot.kind
                                                                 or "")
                            else req.get("prompt")),
            "slot_frames": int(target.get("frames") or slot.duration),
            "slot_rate": slot.rate, "ai_generated": True,
            **_chain_facts(req)}


def _chain_facts(req: Mapping[str, Any]) -> dict[str, Any]:
    """A chained take's segments and join (see :mod:`pickup.engine.chain`)."""
    extra = req.get("extra") or {}
    segments = extra.get("segments") if hasattr(extra, "get") else None
    if not segments:
        return {}
    return {"join": extra.get("join", "cut"),
            "segments": [{k: seg.get(k) for k in ("index", "start", "frames", "first",
                                                   "last", "job_id", "cost")}
                         for seg in segments]}


class _LazyNeighbours:
    """The neighbours' frames of a slot, decoded on first use (once per slot)."""

    def __init__(self, loaded: LoadedTimeline, slot: Slot) -> None:
        self.loaded, self.slot = loaded, slot
        self._images: Any = None

    def get(self) -> Any:
        if self._images is None:
            from pickup.media.neighbours import neighbour_images

            self._images = neighbour_images(self.loaded, self.slot)
        return self._images


def take_seams(media: str | Path, neighbours: Any, handles: int = 0) -> dict[str, Any] | None:
    """Both seam figures of a take (:mod:`pickup.media.seams`) as stored in its facts, or
    None when the take's media cannot be read (never an error: a fill goes on)."""
    from pickup.errors import PickupError
    from pickup.media.seams import measure_seams

    try:
        images = neighbours.get()
        return measure_seams(media, handles=handles, outgoing=images.outgoing,
                             incoming=images.incoming, outgoing_note=images.outgoing_note,
                             incoming_note=images.incoming_note).to_json()
    except (PickupError, OSError, ValueError) as exc:
        _log.warning("cannot measure the seams of %s: %s", media, exc)
        return None


def stored_seams(project: Project) -> dict[str, Any]:
    """Resolved media path -> :class:`~pickup.media.seams.Seams` of every take the
    project's take store has measured (for faces that list takes from the journal)."""
    from pickup.media.seams import Seams

    out: dict[str, Any] = {}
    with contextlib.suppress(Exception):  # a missing or unreadable store: nothing known
        for clip in TakeStore.load(project).clips.values():
            for ref in clip.media_references().values():
                meta = take_meta(ref)
                seams = Seams.from_json(meta.get("seams"))
                if seams is not None and meta.get("media"):
                    out[str(Path(str(meta["media"])).resolve())] = seams
    return out


def fill_conformer(engine_ref: Any, provider: str, model: str | None) -> Any:
    """The engine conformer for ``fill``: conform plus provenance marks.

    ``engine_ref()`` returns the engine (its journal knows each take's request)."""
    signer = signer_from_env()

    def facts(slot_id: str, dest: Path) -> Provenance | None:
        match = _TAKE_FILE.search(Path(dest).stem)
        take = int(match.group(1)) if match else 0
        row = None
        with contextlib.suppress(Exception):
            row = next((r for r in engine_ref().journal.for_slot(slot_id) if r.take == take),
                       None)
        return Provenance(provider=row.provider if row else provider,
                          model=(row.model if row else None) or model, slot_id=slot_id,
                          take=f"T{take:02d}", request_hash=row.cache_key if row else None,
                          created=_iso(row.created) if row else None)

    return provenance_conformer(facts, signer=signer)


def record_fill(project: Project, loaded: LoadedTimeline, edited: otio.schema.Timeline,
                placements: Sequence[Placement], journal: Any, written: Path | None,
                *, activate_new: bool = False) -> Path:
    """Write each take's facts onto its media reference in ``edited`` (before it is
    written), or after writing, update the take store.  Call once with
    ``written=None`` before write-back and once with the written path after."""
    by_slot = {p.slot.id: p for p in placements}
    clips: dict[str, otio.schema.Clip] = {}
    for clip in edited.find_clips():
        slot_id = slot_id_of(clip)
        if slot_id is not None and slot_id in by_slot:
            clips[slot_id] = clip
    if written is None:
        store = TakeStore.load(project)
        for slot_id, clip in clips.items():
            kept = store.get(slot_id)
            kept_refs = kept.media_references() if kept is not None else {}
            slot = by_slot[slot_id].slot
            rows = {r.take: r for r in journal.for_slot(slot_id)}
            neighbours = _LazyNeighbours(loaded, slot)
            for key, ref in clip.media_references().items():
                if not (key[:1] == "T" and key[1:].isdigit()) or int(key[1:]) not in rows:
                    continue
                facts = take_facts(rows[int(key[1:])], slot)
                before = take_meta(ref)
                known = take_meta(kept_refs.get(key))
                if known and known.get("media") == facts["media"]:
                    before = {**known, **before}  # statuses and notes set earlier stay
                for name in ("slot_prompt", "slot_frames", "slot_rate", "created", "seams"):
                    if before.get(name) is not None:
                        facts[name] = before[name]
                if facts.get("seams") is None and facts["media"]:
                    facts["seams"] = take_seams(facts["media"], neighbours,
                                                int(facts["parameters"].get("handles") or 0))
                ref.metadata["pickup"] = {**before, **facts,
                                          "status": before.get("status", "temp"),
                                          "rating": before.get("rating"),
                                          "note": before.get("note", "")}
        return project.takes_path
    store = TakeStore.load(project)
    reels = _edl_reels(loaded, written) if loaded.format.name == "edl" else {}
    for slot_id, clip in clips.items():
        if slot_id in reels:
            clip.metadata["pickup"]["reel"] = reels[slot_id]
        store.put(clip, slot_id=slot_id, keep_active=not activate_new)
    return store.save(rate=loaded.rate, source=str(written))


def _edl_reels(loaded: LoadedTimeline, written: Path) -> dict[str, str]:
    """slot id -> reel, as the written EDL names them (for finding them again)."""
    from pickup.timeline import read_timeline

    out: dict[str, str] = {}
    with contextlib.suppress(Exception):
        again = read_timeline(written, rate=loaded.rate)
        for clip in again.timeline.find_clips():
            slot_id = slot_id_of(clip)
            meta = clip.metadata.get("cmx_3600") if clip.metadata else None
            if slot_id and meta is not None and hasattr(meta, "get") and meta.get("reel"):
                out[slot_id] = str(meta.get("reel"))
    return out
