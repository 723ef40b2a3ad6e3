"""The one project state: what the editor decided about every take, for every face.

The take store (``<project>/takes.otio``) holds every take of every slot with its
status (temp, approved, rejected, locked) and note, and which take is active.
``pickup approve|reject|lock|use``, the panel's A/R/N/Use and Send back all write
it at once (atomically, one writer at a time), and every view (``pickup takes``,
``pickup report``, the contact sheet, the panel) reads it.  A take the engine made
but no timeline holds yet joins the store the first time the editor decides
something about it, with the facts the journal recorded.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from pickup.engine.journal import Journal
from pickup.errors import InputError
from pickup.project import Project
from pickup.takes.model import STATUSES, is_take_key, take_meta
from pickup.takes.store import TakeStore
from pickup.timeline import PLACEHOLDER_KEY, Slot
from pickup.workflow.commit import done_rows

__all__ = ["SlotDecisions", "TakeDecision", "approve", "approve_in_cut", "decide",
           "locked_state", "read_state", "state_clips"]


@dataclass(frozen=True)
class TakeDecision:
    status: str = "temp"  # temp | approved | rejected | locked
    note: str = ""


@dataclass(frozen=True)
class SlotDecisions:
    """A slot's active take (None: the placeholder) and every take's status and note."""

    slot_id: str
    active: int | None
    takes: Mapping[int, TakeDecision] = field(default_factory=dict)

    def approved(self) -> list[int]:
        return sorted(n for n, d in self.takes.items() if d.status in ("approved", "locked"))


@contextlib.contextmanager
def locked_state(project: Project) -> Iterator[None]:
    """One writer of the project state at a time (across processes)."""
    root = project.ensure()
    handle = open(root / ".state.lock", "a+b")  # noqa: SIM115 - held for the block
    try:
        try:
            import fcntl
        except ImportError:  # Windows: the atomic rename still keeps the file whole
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def _number(key: str | None) -> int | None:
    return int(key[1:]) if key and is_take_key(key) else None


def read_state(project: Project) -> dict[str, SlotDecisions]:
    """slot id -> its decisions, as the project state holds them now."""
    if not project.takes_path.is_file():
        return {}
    store = TakeStore.load(project)
    out: dict[str, SlotDecisions] = {}
    for slot_id, clip in store.clips.items():
        takes: dict[int, TakeDecision] = {}
        for key, ref in clip.media_references().items():
            number = _number(key)
            if number is None:
                continue
            meta = take_meta(ref)
            takes[number] = TakeDecision(status=str(meta.get("status") or "temp"),
                                         note=str(meta.get("note") or ""))
        out[slot_id] = SlotDecisions(slot_id, _number(clip.active_media_reference_key),
                                     takes)
    return out


def _facts(row: Any, slot: Slot | None) -> dict[str, Any]:
    if slot is not None:
        from pickup.takes.record import take_facts

        return take_facts(row, slot)
    req, target = dict(row.request or {}), dict(row.target or {})
    cost = row.cost if row.cost is not None else row.est_cost
    return {"take": row.take, "job_id": row.id, "provider": row.provider,
            "model": row.model or req.get("model"), "prompt": req.get("prompt"),
            "seed": req.get("seed"), "media": str(Path(str(row.media_path)).resolve()),
            "cost": float(cost) if cost is not None else None,
            "slot_prompt": req.get("prompt"), "slot_frames": target.get("frames"),
            "ai_generated": True}


def _slot_clip(project: Project, store: TakeStore, slot_id: str,
               slot: Slot | None) -> otio.schema.Clip:
    """The store's clip of ``slot_id`` with every finished take of the journal in it
    (made when the slot has none yet)."""
    clip = store.get(slot_id)
    refs: dict[str, Any] = dict(clip.media_references()) if clip is not None else {}
    active = clip.active_media_reference_key if clip is not None else PLACEHOLDER_KEY
    journal = Journal.open_existing(project.journal_path)
    rows = {} if journal is None else done_rows(journal, slot_id)
    if journal is not None:
        journal.close()
    for number, row in sorted(rows.items()):
        key = f"T{number:02d}"
        if key in refs:
            continue
        media = Path(str(row.media_path)).resolve()
        target = dict(row.target or {})
        frames = int(target.get("frames") or 0) + 2 * int(target.get("handles") or 0)
        rate = float(Fraction(str(target.get("rate") or "24")))
        ref = otio.schema.ExternalReference(
            target_url=media.as_uri(),
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(frames, rate)))
        ref.name = f"{slot_id}_{key}"
        ref.metadata["pickup"] = {**_facts(row, slot), "status": "temp", "note": ""}
        refs[key] = ref
    if clip is None:
        if not refs:
            raise InputError(f"slot {slot_id} has no takes", where=str(project.root),
                             hint="generate takes for it first")
        clip = otio.schema.Clip(name=slot_id)
        clip.metadata["pickup"] = {"slot_id": slot_id,
                                   "prompt": slot.prompt if slot is not None else None,
                                   "kind": slot.kind if slot is not None else None}
        refs[PLACEHOLDER_KEY] = otio.schema.MissingReference(name="placeholder")
    clip.set_media_references(refs, active if active in refs else PLACEHOLDER_KEY)
    store.clips[slot_id] = clip
    return clip


def decide(project: Project, slot_id: str, take: int, *, status: str | None = None,
           note: str | None = None, make_active: bool = False, unlock: bool = False,
           slot: Slot | None = None) -> Path:
    """Record a take's status and/or note (and make it the active one) in the project
    state at once.  A locked take never changes (``unlock`` first)."""
    if status is not None and status not in STATUSES:
        raise InputError(f"unknown status {status!r}", hint=f"one of {', '.join(STATUSES)}")
    with locked_state(project):
        store = TakeStore.load(project)
        clip = _slot_clip(project, store, slot_id, slot)
        refs = clip.media_references()
        key = f"T{take:02d}"
        if key not in refs:
            known = ", ".join(k for k in refs if is_take_key(k)) or "none"
            raise InputError(f"slot {slot_id} has no take {key}",
                             hint=f"its takes: {known}")
        meta = take_meta(refs[key])
        if meta.get("status") == "locked" and not unlock and (
                status not in (None, "locked") or note is not None):
            raise InputError(f"take {key} of slot {slot_id} is locked and never changes",
                             hint=f"pickup lock TIMELINE {slot_id} {key} --unlock first")
        if status is not None:
            meta["status"] = status
        if note is not None:
            meta["note"] = note
        refs[key].metadata["pickup"] = meta
        clip.set_media_references(refs, key if make_active
                                  else clip.active_media_reference_key)
        return store.save()


def approve(project: Project, slot_id: str, take: int, *, keep_other: bool = False,
            confirm: Callable[[list[int]], bool] | None = None,
            slot: Slot | None = None) -> list[int]:
    """Approve ``take`` and make it active: "this is the one".  Another approved take
    of the slot is un-approved (back to temp) when ``confirm(others)`` agrees;
    ``keep_other`` keeps several approved.  Without ``confirm`` and not keeping, an
    approved other take refuses (:class:`InputError`).  Returns the un-approved takes."""
    with locked_state(project):
        current = read_state(project).get(slot_id)
    others = [n for n in (current.approved() if current else []) if n != take]
    locked = [n for n in others if current and current.takes[n].status == "locked"]
    if locked and not keep_other:
        raise InputError(f"slot {slot_id}: take T{locked[0]:02d} is locked approved",
                         hint="unlock it first, or approve with --keep-other")
    dropped: list[int] = []
    if others and not keep_other:
        listed = ", ".join(f"T{n:02d}" for n in others)
        if confirm is None or not confirm(others):
            raise InputError(f"slot {slot_id} already has {listed} approved",
                             hint="answer yes to un-approve it, or pass --keep-other to "
                             "keep several approved takes")
        for n in others:
            decide(project, slot_id, n, status="temp", slot=slot)
        dropped = others
    decide(project, slot_id, take, status="approved", make_active=True, slot=slot)
    return dropped


def approve_in_cut(s: Any, slot_id: str, key: str, *, note: str | None = None,
                   keep_other: bool = False,
                   confirm: Callable[[list[str]], bool] | None = None,
                   dest: Path | None = None) -> Path:
    """``pickup approve``: approve take ``key`` of ``slot_id`` in a timeline's session
    (:class:`pickup.takes.ops.Session`) and make it the active take in the cut (the
    file is swapped in place, keeping a backup, or written to ``dest``).  Another
    approved take of the slot is un-approved when ``confirm(keys)`` agrees;
    ``keep_other`` keeps several.  Returns the file written."""
    from pickup.takes import ops
    from pickup.takes.model import normalise_key

    key = normalise_key(key)
    found = s.assoc.get(slot_id)
    clip = s.stored_clip(found)
    refs = clip.media_references()
    if key not in refs:
        found.takes.take(key)  # raises with the list of takes
    others = [k for k, ref in refs.items() if is_take_key(k) and k != key
              and take_meta(ref).get("status") in ("approved", "locked")]
    if others and not keep_other:
        listed = ", ".join(others)
        if any(take_meta(refs[k]).get("status") == "locked" for k in others):
            raise InputError(f"slot {slot_id}: {listed} is locked", where=str(s.loaded.path),
                             hint=f"pickup lock TIMELINE {slot_id} {others[0]} --unlock "
                             "first, or approve with --keep-other")
        if confirm is None or not confirm(others):
            raise InputError(f"slot {slot_id} already has {listed} approved",
                             where=str(s.loaded.path),
                             hint="answer yes to un-approve it (-y), or pass --keep-other to "
                             "keep several approved takes")
    with locked_state(s.project):
        written: Path | None = None
        if found.clip is not None and found.active != key:
            written = ops.use_take(s, slot_id, key, dest)
        if not keep_other:
            for other in others:
                ops.set_status(s, slot_id, other, "temp")
        path = ops.set_status(s, slot_id, key, "approved", note)
    return written or path


def state_clips(project: Project) -> dict[str, otio.schema.Clip]:
    """slot id -> the project state's clip of the slot: every take with its facts,
    status and note, the active one active (what the contact sheet draws)."""
    if not project.takes_path.is_file():
        return {}
    return dict(TakeStore.load(project).clips)
