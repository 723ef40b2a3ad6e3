"""Take operations: swap the active take, set a take's status, revert a slot, prune.

Every operation works on a timeline (any format Pickup reads) plus its take store.
A swap changes only the filled clip's media: in OTIO the clip's active media
reference; in FCP7 XML, FCPXML and EDL (and its ALE) the media path, file name and
clip name of the take in the file's text, byte for byte elsewhere; in AAF the
NetworkLocator of the take's source mob and the names of its mobs.  Position,
duration, effects and markers are not touched.  The file editing is the format
patchers' (:mod:`pickup.timeline.patch.swap`, ``.unfill``, ``.restore``); this module
decides what to change.  Writes are atomic; in-place writes keep a ``.bak``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from pickup.atomic import atomic_path
from pickup.errors import InputError, MediaError, SlotError
from pickup.project import Project
from pickup.takes.model import (
    STATUSES,
    is_take_key,
    media_path_of,
    normalise_key,
    take_meta,
)
from pickup.takes.reassociate import Association, FoundSlot, associate
from pickup.takes.store import TakeStore, find_project
from pickup.timeline import LoadedTimeline, read_timeline
from pickup.timeline.marks import DEFAULT_TAGS
from pickup.timeline.otiofile import write_otio
from pickup.timeline.patch.swap import swap_aaf, swap_ale, swap_text
from pickup.timeline.place import PLACEHOLDER_KEY
from pickup.timeline.rates import exact_rate

__all__ = ["Pruned", "Session", "open_session", "prune", "revert", "revert_in_file",
           "set_status", "use_take"]

_TEXT_FORMATS = ("fcp7xml", "fcpxml", "edl")


@dataclass
class Session:
    """A timeline, its project, its take store and where each slot is."""

    loaded: LoadedTimeline
    project: Project
    store: TakeStore
    assoc: Association

    @property
    def is_otio(self) -> bool:
        return self.loaded.format.name in ("otio", "otioz")

    def stored_clip(self, found: FoundSlot) -> otio.schema.Clip:
        """The slot's clip with all takes (the store's, else the timeline's own)."""
        clip = self.store.get(found.slot_id)
        if clip is not None:
            # An OTIO timeline carries takes too: ones only it knows join the store.
            extra = {k: copy.deepcopy(r) for k, r in (found.clip.media_references().items()
                                                      if found.clip is not None else ())
                     if is_take_key(k) and k not in clip.media_references()}
            if extra:
                clip.set_media_references({**clip.media_references(), **extra},
                                          clip.active_media_reference_key)
            return clip
        if found.clip is not None and any(is_take_key(k) for k in
                                          found.clip.media_references()):
            return self.store.put(found.clip, slot_id=found.slot_id)
        raise SlotError(f"slot {found.slot_id} has no takes", where=str(self.loaded.path),
                        hint="fill it first: pickup fill TIMELINE --slots " + found.slot_id)


def open_session(path: Path, *, rate: float | None = None, adapter: str | None = None,
                 project: Path | None = None, tags: Iterable[str] = DEFAULT_TAGS,
                 loaded: LoadedTimeline | None = None) -> Session:
    """The timeline (``loaded`` when the caller read it already), its project and store."""
    if loaded is None:
        loaded = read_timeline(path, rate=rate, adapter=adapter)
    proj = find_project(loaded.path, project, loaded.timeline)
    store = TakeStore.load(proj)
    return Session(loaded, proj, store, associate(loaded, store, tags=tags))


# -- status ------------------------------------------------------------------------
def set_status(s: Session, slot_id: str, key: str, status: str, note: str | None = None,
               *, unlock: bool = False) -> Path:
    """Set a take's status (and note); returns the file written (the store, or the
    OTIO timeline too when it carries the takes).  Locked takes never change."""
    if status not in STATUSES:
        raise InputError(f"unknown status {status!r}", hint=f"one of {', '.join(STATUSES)}")
    found = s.assoc.get(slot_id)
    key = normalise_key(key)
    clip = s.stored_clip(found)
    refs = clip.media_references()
    if key not in refs:
        found.takes.take(key)  # raises with the list of takes
    meta = take_meta(refs[key])
    if meta.get("status") == "locked" and not unlock:
        raise InputError(f"take {key} of slot {slot_id} is locked and never changes",
                         hint=f"pickup lock TIMELINE {slot_id} {key} --unlock first")
    meta["status"] = status
    if note is not None:
        meta["note"] = note
    refs[key].metadata["pickup"] = meta
    _mirror_into_timeline(s, found, key, meta)
    return _save(s)


def _mirror_into_timeline(s: Session, found: FoundSlot, key: str, meta: dict[str, Any]
                          ) -> None:
    if s.is_otio and found.clip is not None and key in found.clip.media_references():
        found.clip.media_references()[key].metadata["pickup"] = dict(meta)


def _save(s: Session, *, timeline_dest: Path | None = None) -> Path:
    path = s.store.save(rate=s.loaded.rate)
    if s.is_otio:
        return _write_otio(s, timeline_dest or s.loaded.path)
    return path


def _write_otio(s: Session, dest: Path) -> Path:
    dest = Path(dest)
    adapter = "otioz" if dest.suffix.lower() == ".otioz" else "otio_json"
    with atomic_path(dest, backup=dest.exists()) as tmp:
        write_otio(s.loaded.timeline, tmp, adapter)
    return dest


# -- swap --------------------------------------------------------------------------
def _seconds(frames: int, rate: float | Fraction) -> Fraction:
    return Fraction(frames) / exact_rate(rate)


def _renamed(name: str | None, slot_id: str, key: str) -> str | None:
    if not name:
        return None
    new = re.sub(rf"({re.escape(slot_id)})_T\d+", lambda m: f"{m.group(1)}_{key}", name)
    return new if new != name else None


def use_take(s: Session, slot_id: str, key: str, dest: Path | None = None) -> Path:
    """Make ``key`` the active take of ``slot_id``; returns the file written.

    ``dest`` None writes in place (keeping ``<name>.bak``)."""
    from pickup.media.probe import probe

    found = s.assoc.get(slot_id)
    key = normalise_key(key)
    if found.clip is None:
        raise SlotError(f"slot {slot_id} is not filled in this timeline",
                        where=str(s.loaded.path),
                        hint="use the timeline `pickup fill` wrote, or fill the slot first")
    stored = s.stored_clip(found)
    refs = stored.media_references()
    if key not in refs:
        found.takes.take(key)
    current = found.active
    if current and current != key and current in refs and \
            take_meta(refs[current]).get("status") == "locked":
        raise InputError(f"slot {slot_id} is locked on {current}",
                         hint=f"pickup lock TIMELINE {slot_id} {current} --unlock first")
    new_path = media_path_of(refs[key])
    if new_path is None or not new_path.is_file():
        raise MediaError(f"the media of take {key} is missing", where=str(new_path),
                         hint="it may have been pruned; pick another take")
    info = probe(new_path)
    need = _seconds(found.duration, found.rate)
    have = _seconds(info.frames, info.rate)
    if have + Fraction(1, 1000) < need:
        raise SlotError(f"take {key} is {float(have):.2f} s, the slot is {float(need):.2f} s",
                        where=f"slot {slot_id}", hint="a shorter take would change the cut; "
                        "pick another take")
    dest = Path(dest) if dest is not None else s.loaded.path
    fmt = s.loaded.format.name
    old_name = found.clip.name
    new_name = _renamed(old_name, slot_id, key) or old_name
    if s.is_otio or dest.suffix.lower() in (".otio", ".otioz"):
        _swap_otio(found, stored, key)
        written = _write_otio(s, dest)
    else:
        old_path = media_path_of(found.clip.media_reference)
        if old_path is None:
            raise SlotError(f"the clip of slot {slot_id} names no media file",
                            where=str(s.loaded.path), hint="write OTIO with -o OUT.otio")
        _same_timing(old_path, new_path, slot_id, key)
        if dest.suffix.lower() != s.loaded.path.suffix.lower():
            raise InputError(f"-o must keep the input's suffix ({s.loaded.path.suffix}) or "
                             "be .otio", where=str(dest))
        if fmt in _TEXT_FORMATS:
            written = swap_text(s.loaded.path, dest, old_path, new_path, old_name, new_name,
                                 slot_id)
            if fmt == "edl":
                swap_ale(s.loaded.path, dest, old_path, new_path, old_name, new_name)
        elif fmt == "aaf":
            written = swap_aaf(s.loaded.path, dest, old_path, new_path, old_name, new_name,
                                slot_id)
        else:
            raise InputError(f"Pickup cannot swap takes in {s.loaded.format.label} files",
                             hint="write OTIO with -o OUT.otio")
    refs = stored.media_references()
    stored.set_media_references(refs, key)
    renamed = _renamed(stored.name, slot_id, key)
    if renamed:
        stored.name = renamed
    s.store.save(rate=s.loaded.rate)
    return written


def _swap_otio(found: FoundSlot, stored: otio.schema.Clip, key: str) -> None:
    clip = found.clip
    assert clip is not None
    refs = dict(clip.media_references())
    for k, ref in stored.media_references().items():
        if k not in refs:
            refs[k] = copy.deepcopy(ref)
    old_ref = clip.media_reference
    new_ref = refs[key]
    if clip.source_range is not None:
        offset = otio.opentime.RationalTime(0, clip.source_range.start_time.rate)
        if getattr(old_ref, "available_range", None) is not None:
            offset = clip.source_range.start_time - old_ref.available_range.start_time
        start = (new_ref.available_range.start_time + offset
                 if getattr(new_ref, "available_range", None) is not None
                 else clip.source_range.start_time)
        clip.source_range = otio.opentime.TimeRange(start, clip.source_range.duration)
    clip.set_media_references(refs, key)
    renamed = _renamed(clip.name, found.slot_id, key)
    if renamed:
        clip.name = renamed
    meta = clip.metadata.get("pickup")
    if meta is not None and hasattr(meta, "get"):
        meta["take"] = int(key[1:])
        path = media_path_of(new_ref)
        if path is not None:
            meta["media"] = str(path)


def _same_timing(old: Path, new: Path, slot_id: str, key: str) -> None:
    from pickup.media.probe import probe

    if not old.is_file():
        return  # the old take was pruned or moved: nothing to compare with
    a, b = probe(old), probe(new)
    if (a.frames, a.start_timecode) != (b.frames, b.start_timecode):
        raise SlotError(f"take {key} has another length or start timecode than the take in "
                        f"the cut ({b.frames} vs {a.frames} frames), so the file's clip "
                        "cannot just be relinked", where=f"slot {slot_id}",
                        hint="takes made with other --handles differ; write OTIO with "
                        "-o OUT.otio, or fill the slot again")


# -- revert ------------------------------------------------------------------------
def revert(s: Session, slot_id: str, dest: Path | None = None) -> Path:
    """Put the placeholder back; returns the file written (the takes stay in the store).

    OTIO (or ``-o OUT.otio``): ``PLACEHOLDER`` becomes the active reference.  FCP7 XML,
    EDL (and its ALE) and AAF: a slot that was a gap becomes a gap again (see
    :mod:`pickup.timeline.patch.unfill`); a placeholder clip is put back from what fill
    kept (:mod:`pickup.timeline.patch.restore`).  FCPXML:
    :mod:`pickup.timeline.patch.unfill_fcpxml`.  Without a record of what fill replaced,
    a placeholder (or FCPXML) slot is refused."""
    found = s.assoc.get(slot_id)
    if found.clip is None:
        raise SlotError(f"slot {slot_id} is not filled in this timeline",
                        where=str(s.loaded.path))
    dest = Path(dest) if dest is not None else s.loaded.path
    stored = s.stored_clip(found)
    active = found.active
    if active and take_meta(stored.media_references().get(active)).get("status") == "locked":
        raise InputError(f"slot {slot_id} is locked on {active}",
                         hint=f"pickup lock TIMELINE {slot_id} {active} --unlock first")
    clip = found.clip
    refs = dict(clip.media_references())
    for k, ref in stored.media_references().items():
        refs.setdefault(k, copy.deepcopy(ref))
    refs.setdefault(PLACEHOLDER_KEY, otio.schema.MissingReference(name="gap"))
    if not (s.is_otio or dest.suffix.lower() in (".otio", ".otioz")):
        written = _revert_file(s, found, refs[PLACEHOLDER_KEY], dest)
    else:
        clip.set_media_references(refs, PLACEHOLDER_KEY)
        meta = clip.metadata.get("pickup")
        if meta is not None and hasattr(meta, "get"):
            clip.name = str(meta.get("placeholder_name") or _gen_name(meta))
        written = None
    stored_refs = dict(stored.media_references())
    stored_refs.setdefault(PLACEHOLDER_KEY, copy.deepcopy(refs[PLACEHOLDER_KEY]))
    stored.set_media_references(stored_refs, PLACEHOLDER_KEY)
    s.store.save(rate=s.loaded.rate)
    return written if written is not None else _write_otio(s, dest)


def revert_in_file(s: Session, slot_id: str, dest: Path) -> Path:
    """Put ``slot_id``'s placeholder (or gap) back in the timeline file only, written to
    ``dest`` in the input's format; the take store is not changed (a hand-off that
    leaves the slot out uses it on a copy)."""
    found = s.assoc.get(slot_id)
    if found.clip is None:
        raise SlotError(f"slot {slot_id} is not filled in this timeline",
                        where=str(s.loaded.path))
    refs = dict(found.clip.media_references())
    for k, ref in s.stored_clip(found).media_references().items():
        refs.setdefault(k, copy.deepcopy(ref))
    refs.setdefault(PLACEHOLDER_KEY, otio.schema.MissingReference(name="gap"))
    return _revert_file(s, found, refs[PLACEHOLDER_KEY], dest)


def _revert_file(s: Session, found: FoundSlot, placeholder: Any, dest: Path) -> Path:
    """Revert in the editor's own format (the inverse of the write-back patch)."""
    from pickup.timeline.patch import restore, unfill, unfill_fcpxml
    from pickup.timeline.replaced import load_replaced, replaced_path

    fmt, label = s.loaded.format.name, s.loaded.format.label
    if dest.suffix.lower() != s.loaded.path.suffix.lower():
        raise InputError(f"-o must keep the input's suffix ({s.loaded.path.suffix}) or "
                         "be .otio", where=str(dest))
    gaps = {"fcp7xml": unfill.unfill_fcp7xml, "edl": unfill.unfill_edl,
            "aaf": unfill.unfill_aaf}
    kept = {"fcp7xml": restore.restore_fcp7xml, "edl": restore.restore_edl,
            "aaf": restore.restore_aaf, "fcpxml": unfill_fcpxml.revert_fcpxml}
    if fmt not in kept:
        raise InputError(f"Pickup cannot revert slots in {label} files",
                         where=str(s.loaded.path), hint="write OTIO with -o OUT.otio")
    gap = unfill.is_gap(placeholder)
    if gap and fmt in gaps:
        return gaps[fmt](s.loaded, found, dest)
    # What fill replaced (a placeholder; an FCPXML <gap> it split), as fill recorded it.
    rec = load_replaced(s.project.replaced_dir, found.slot_id, fmt)
    if rec is None:
        what = ("split its <gap> and re-timed the gap's markers" if gap else
                f"replaced its {label} element")
        raise SlotError(f"slot {found.slot_id} was a {'gap' if gap else 'placeholder clip'}: "
                        f"filling {what}, and Pickup has no record of it to put back "
                        f"({replaced_path(s.project.replaced_dir, found.slot_id, fmt)} is "
                        "missing: an older Pickup filled it, or another project folder)",
                        where=str(s.loaded.path),
                        hint="write OTIO with -o OUT.otio, or re-import the editor's "
                        "original timeline")
    try:
        return kept[fmt](s.loaded, found, rec, dest)
    except (KeyError, TypeError, ValueError, LookupError, AttributeError) as exc:
        # A record edited or damaged by hand: say which, never a traceback.
        where = replaced_path(s.project.replaced_dir, found.slot_id, fmt)
        raise SlotError(f"the record of slot {found.slot_id}'s placeholder is damaged "
                        f"({type(exc).__name__}: {exc}); nothing was written",
                        where=str(where), hint="re-import the editor's original timeline, "
                        "or write OTIO with -o OUT.otio") from None


def _gen_name(meta: Any) -> str:
    kind, prompt = meta.get("kind"), meta.get("prompt")
    return "GEN" + (f" {kind}" if kind else "") + (f": {prompt}" if prompt else "")


# -- prune -------------------------------------------------------------------------
@dataclass(frozen=True)
class Pruned:
    slot_id: str
    key: str
    media: str
    deleted: bool  # the file was removed (only files inside the project folder are)


def prune(s: Session, keep: str = "approved", *, dry_run: bool = False) -> list[Pruned]:
    """Remove takes nobody uses: never a slot's active take (in the cut or the store),
    never an approved or locked one; ``keep="temp"`` also keeps temp takes (removes
    only rejected ones).  Media files inside the project folder are deleted."""
    removable = {"approved": ("temp", "rejected"), "temp": ("rejected",)}.get(keep)
    if removable is None:
        raise InputError(f"unknown --keep {keep!r}", hint="approved or temp")
    in_cut = {f.slot_id: f.active for f in s.assoc.slots}
    root = s.project.root.resolve()
    out: list[Pruned] = []
    for slot_id in list(s.store):
        clip = s.store.clips[slot_id]
        active = {clip.active_media_reference_key, in_cut.get(slot_id)}
        gone: list[str] = []
        for key, ref in clip.media_references().items():
            meta = take_meta(ref)
            if not is_take_key(key) or key in active:
                continue
            if (meta.get("status") or "temp") not in removable:
                continue
            path = media_path_of(ref)
            inside = path is not None and path.resolve().is_relative_to(root)
            if not dry_run and inside and path is not None:
                path.unlink(missing_ok=True)
            gone.append(key)
            out.append(Pruned(slot_id, key, str(path or ""), inside and not dry_run))
        if gone and not dry_run:
            s.store.remove_takes(slot_id, gone)
            found = next((f for f in s.assoc.slots if f.slot_id == slot_id), None)
            if s.is_otio and found is not None and found.clip is not None:
                refs = {k: v for k, v in found.clip.media_references().items()
                        if k not in gone}
                found.clip.set_media_references(refs, found.clip.active_media_reference_key)
    if out and not dry_run:
        _save(s)
    return out
