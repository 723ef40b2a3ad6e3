"""What ``pickup fill`` records about takes: per-take facts, clip names, the take store.

``fill`` calls these three hooks: :func:`fill_conformer` (conform with the
provenance marks), :func:`keep_active` (which take stays active when a slot is
filled again) and :func:`record_fill` (per-take facts on each media reference, then
the take store).  Kept here so ``fill`` itself stays about generating.
"""

from __future__ import annotations

import contextlib
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
           "take_facts"]

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
            "slot_rate": slot.rate, "ai_generated": True}


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
            for key, ref in clip.media_references().items():
                if not (key[:1] == "T" and key[1:].isdigit()) or int(key[1:]) not in rows:
                    continue
                facts = take_facts(rows[int(key[1:])], slot)
                before = take_meta(ref)
                known = take_meta(kept_refs.get(key))
                if known and known.get("media") == facts["media"]:
                    before = {**known, **before}  # statuses and notes set earlier stay
                for name in ("slot_prompt", "slot_frames", "slot_rate", "created"):
                    if before.get(name) is not None:
                        facts[name] = before[name]
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
