"""Move timelines between a running Resolve and Pickup: export, send back, add takes.

Every call that changes the Resolve project runs as a list of steps with an undo for
each one; when a step fails (the API returns ``None``/``False`` or raises), the steps
already done are undone in reverse and :class:`ResolveStepError` names the step.
The editor's own timeline is never edited by :func:`send_timeline`: the filled cut
comes back as a new timeline ``<name> pickup vNN`` whose new media sits in a
``Pickup`` bin.  :func:`add_takes` is the opt-in mode that does touch the editor's
timeline: it adds the takes to the placeholder clips as Resolve takes.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import opentimelineio as otio

from pickup.atomic import atomic_path
from pickup.errors import MediaError, PickupError, SlotError
from pickup.hosts.filled import FilledClip, require_filled, url_to_path
from pickup.hosts.resolve.connect import ResolveSession
from pickup.timeline import LoadedTimeline, frames_to_timecode, read_timeline
from pickup.timeline.otiofile import write_otio

__all__ = [
    "BIN_NAME",
    "ExportResult",
    "ResolveStepError",
    "SendResult",
    "add_takes",
    "export_current_timeline",
    "next_version_name",
    "resolve_import_copy",
    "send_timeline",
]

BIN_NAME = "Pickup"
_VERSION_RE = re.compile(r"^(?P<base>.*?) pickup v(?P<n>\d+)$")


class ResolveStepError(PickupError):
    """A step of a Resolve round trip failed; the steps before it were undone."""

    def __init__(self, step: str, message: str, *, hint: str | None = None,
                 undo_failed: Sequence[str] = ()) -> None:
        text = f"step '{step}' failed: {message}"
        if undo_failed:
            text += "; could not undo: " + "; ".join(undo_failed)
        else:
            text += "; the Resolve project was left as it was"
        super().__init__(text, where="DaVinci Resolve", hint=hint)
        self.step = step
        self.undo_failed = tuple(undo_failed)


@dataclass(frozen=True)
class ExportResult:
    """A timeline exported from Resolve."""

    path: Path
    format: str  # "otio" or "fcp7xml"
    timeline_name: str
    project_name: str
    notes: tuple[str, ...] = ()


@dataclass
class SendResult:
    """What a send changed in Resolve."""

    mode: str  # "timeline" or "takes"
    bin_name: str
    imported: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    timeline_name: str | None = None
    takes_added: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# -- undo ------------------------------------------------------------------------------
class _Steps:
    """Runs steps, remembers how to undo each, undoes them all when one fails."""

    def __init__(self) -> None:
        self._undo: list[tuple[str, Callable[[], Any]]] = []
        self.step = "start"

    def on_undo(self, what: str, action: Callable[[], Any]) -> None:
        self._undo.append((what, action))

    def fail(self, message: str, hint: str | None = None) -> ResolveStepError:
        return ResolveStepError(self.step, message, hint=hint, undo_failed=self.rollback())

    def rollback(self) -> list[str]:
        failed: list[str] = []
        for what, action in reversed(self._undo):
            try:
                ok = action()
            except Exception as exc:  # the native API may raise anything
                failed.append(f"{what} ({type(exc).__name__}: {exc})")
                continue
            if ok is False:
                failed.append(what)
        self._undo.clear()
        return failed

    @contextlib.contextmanager
    def run(self) -> Iterator[_Steps]:
        try:
            yield self
        except ResolveStepError:
            raise
        except PickupError:
            self.rollback()
            raise
        except Exception as exc:
            raise self.fail(f"the Resolve API raised {type(exc).__name__}: {exc}") from None
        self._undo.clear()


# -- helpers ---------------------------------------------------------------------------
def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.+-]+", "_", name, flags=re.UNICODE).strip("._")
    return cleaned[:80] or "timeline"


def _same_path(a: str | Path, b: str | Path) -> bool:
    def norm(p: str | Path) -> str:
        return os.path.normcase(os.path.realpath(str(p)))
    return norm(a) == norm(b)


def _folders(root: Any) -> list[Any]:
    """``root`` and every folder under it (the search list for source clips)."""
    found, todo = [], [root]
    while todo:
        folder = todo.pop(0)
        found.append(folder)
        todo.extend(folder.GetSubFolderList() or [])
    return found


def _timeline_names(project: Any) -> list[str]:
    names = []
    for index in range(1, int(project.GetTimelineCount() or 0) + 1):
        timeline = project.GetTimelineByIndex(index)
        if timeline is not None:
            names.append(str(timeline.GetName()))
    return names


def next_version_name(base: str, existing: Sequence[str]) -> str:
    """``<base> pickup vNN`` with NN one more than any existing version of ``base``."""
    match = _VERSION_RE.match(base)
    if match:
        base = match.group("base")
    numbers = [int(m.group("n")) for name in existing
               for m in [_VERSION_RE.match(name)] if m and m.group("base") == base]
    return f"{base} pickup v{max(numbers, default=0) + 1:02d}"


# -- export ----------------------------------------------------------------------------
def export_current_timeline(session: ResolveSession, folder: Path) -> ExportResult:
    """Export Resolve's current timeline into ``folder``: OTIO, else FCP 7 XML.

    OTIO export exists from Resolve 18.5 (``resolve.EXPORT_OTIO``); older versions,
    or an OTIO export that fails, fall back to ``EXPORT_FCP_7_XML``.  The file is
    written atomically as ``<timeline name>.otio`` (or ``.xml``) in ``folder``.
    """
    project = session.project()
    timeline = session.current_timeline()
    name = str(timeline.GetName())
    resolve = session.resolve
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ResolveStepError("export", f"cannot create {folder}: {exc.strerror}",
                               hint="choose another folder with --dir") from None
    notes: list[str] = []
    for fmt, const_name, suffix in (("otio", "EXPORT_OTIO", ".otio"),
                                    ("fcp7xml", "EXPORT_FCP_7_XML", ".xml")):
        const = getattr(resolve, const_name, None)
        if const is None:
            notes.append(f"this Resolve ({session.version()}) has no {const_name} "
                         "(OTIO export needs Resolve 18.5 or later)")
            continue
        dest = folder / f"{_safe_name(name)}{suffix}"
        try:
            with atomic_path(dest) as tmp:
                ok = timeline.Export(str(tmp), const)
                if not ok or tmp.stat().st_size == 0:
                    raise _ExportFailed
        except _ExportFailed:
            notes.append(f"Timeline.Export({const_name}) failed")
            continue
        return ExportResult(path=dest, format=fmt, timeline_name=name,
                            project_name=str(project.GetName()), notes=tuple(notes))
    raise ResolveStepError("export", "Resolve could not export the timeline "
                           f"{name!r}: " + "; ".join(notes),
                           hint="check the disk and the timeline, or export it by hand "
                           "with File > Export > Timeline...")


class _ExportFailed(Exception):
    pass


# -- the file Resolve imports ----------------------------------------------------------
def resolve_import_copy(loaded: LoadedTimeline) -> otio.schema.Timeline:
    """The filled timeline as Resolve's OTIO importer takes it.

    Each clip keeps only its active media reference (OTIO ``Clip.1``, which every
    Resolve with OTIO import reads) and ``file://`` URLs become plain paths, as
    Resolve's own OTIO export writes them.  The other takes stay in Pickup's file.
    """
    timeline = loaded.timeline.deepcopy()
    for clip in timeline.find_clips():
        ref = clip.media_reference
        url = getattr(ref, "target_url", None)
        if url and str(url).startswith("file:"):
            ref.target_url = str(url_to_path(str(url)))
    return timeline


def _write_import_file(loaded: LoadedTimeline, folder: Path) -> Path:
    if loaded.format.name not in ("otio", "otioz"):
        return loaded.path  # XML, FCPXML, EDL, AAF: Resolve imports the file itself
    dest = folder / f"{_safe_name(loaded.path.stem)}.resolve.otio"
    with atomic_path(dest) as tmp:
        write_otio(resolve_import_copy(loaded), tmp, target_schema_versions={"Clip": 1})
    return dest


# -- media -----------------------------------------------------------------------------
def _take_paths(clips: Sequence[FilledClip], *, all_takes: bool = True) -> list[Path]:
    paths: list[Path] = []
    for clip in clips:
        for take in clip.takes if all_takes else (clip.active,):
            if not any(_same_path(take.path, p) for p in paths):
                paths.append(take.path)
        if not any(_same_path(clip.active.path, p) for p in paths):
            paths.append(clip.active.path)
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise MediaError(f"{len(missing)} take file(s) are missing, e.g. {missing[0]}",
                         where=str(missing[0].parent),
                         hint="run `pickup fill` again; it re-creates missing takes")
    return paths


def _bin_and_media(steps: _Steps, media_pool: Any, paths: Sequence[Path], bin_name: str,
                   result: SendResult) -> dict[str, Any]:
    """Find or create the bin, import the media not yet in it; {path: MediaPoolItem}."""
    steps.step = "find the media pool"
    root = media_pool.GetRootFolder()
    if root is None:
        raise steps.fail("MediaPool.GetRootFolder() returned nothing")
    steps.step = f"create the '{bin_name}' bin"
    target = next((f for f in root.GetSubFolderList() or [] if f.GetName() == bin_name), None)
    if target is None:
        target = media_pool.AddSubFolder(root, bin_name)
        if target is None:
            raise steps.fail(f"MediaPool.AddSubFolder(root, {bin_name!r}) returned nothing")
        steps.on_undo(f"delete the '{bin_name}' bin",
                      lambda: media_pool.DeleteFolders([target]))
    previous = media_pool.GetCurrentFolder()
    if not media_pool.SetCurrentFolder(target):
        raise steps.fail(f"MediaPool.SetCurrentFolder({bin_name!r}) returned False")
    if previous is not None:
        steps.on_undo("select the previous bin", lambda: media_pool.SetCurrentFolder(previous))
    steps.step = "import media"
    items: dict[str, Any] = {}
    for item in target.GetClipList() or []:
        path = item.GetClipProperty("File Path")
        for wanted in paths:
            if path and _same_path(path, wanted):
                items[str(wanted)] = item
                result.reused.append(str(wanted))
    todo = [p for p in paths if str(p) not in items]
    if todo:
        imported = media_pool.ImportMedia([str(p) for p in todo])
        if imported:
            steps.on_undo(f"remove {len(imported)} imported clip(s)",
                          lambda: media_pool.DeleteClips(list(imported)))
        if not imported or len(imported) != len(todo):
            got = len(imported or [])
            raise steps.fail(f"MediaPool.ImportMedia imported {got} of {len(todo)} file(s)",
                             hint="check that Resolve can read the media (codec, "
                             "permissions, a mounted volume)")
        for item in imported:
            path = item.GetClipProperty("File Path")
            match = next((p for p in todo if path and _same_path(path, p)), None)
            if match is None:
                raise steps.fail(f"Resolve imported {path!r}, which Pickup did not ask for")
            items[str(match)] = item
            result.imported.append(str(match))
    if previous is not None and previous is not target:
        media_pool.SetCurrentFolder(previous)  # the editor's bin stays selected
    return items


# -- send: a new timeline --------------------------------------------------------------
def send_timeline(session: ResolveSession, filled: Path, *, name: str | None = None,
                  bin_name: str = BIN_NAME, open_timeline: bool = True) -> SendResult:
    """Import the takes into the ``Pickup`` bin, then ``filled`` as a new timeline.

    The new timeline is named ``<name> pickup vNN`` (``name`` defaults to the
    filled timeline's name); the editor's timelines are not touched.  Every take of
    every filled slot is imported, so the editor can also swap takes by hand.
    """
    loaded = read_timeline(filled)
    clips = require_filled(loaded)
    paths = _take_paths(clips)
    project = session.project()
    media_pool = project.GetMediaPool()
    result = SendResult(mode="timeline", bin_name=bin_name)
    base = name or loaded.timeline.name or loaded.path.stem
    steps = _Steps()
    with tempfile.TemporaryDirectory(prefix="pickup-resolve-") as tmp, steps.run():
        if media_pool is None:
            steps.step = "find the media pool"
            raise steps.fail("Project.GetMediaPool() returned nothing")
        steps.step = "name the new timeline"
        new_name = next_version_name(base, _timeline_names(project))
        result.timeline_name = new_name
        _bin_and_media(steps, media_pool, paths, bin_name, result)
        steps.step = "prepare the timeline file"
        import_file = _write_import_file(loaded, Path(tmp))
        steps.step = "import the timeline"
        options = {"timelineName": new_name, "importSourceClips": False,
                   "sourceClipsFolders": _folders(media_pool.GetRootFolder())}
        timeline = media_pool.ImportTimelineFromFile(str(import_file), options)
        if timeline is None:
            raise steps.fail("MediaPool.ImportTimelineFromFile returned nothing",
                             hint="Resolve could not read the file or link its clips; "
                             "import it by hand with File > Import > Timeline...")
        steps.on_undo(f"delete the timeline {new_name!r}",
                      lambda: media_pool.DeleteTimelines([timeline]))
        steps.step = "check the new timeline"
        missing = [c for c in clips if not _holds(timeline, c)]
        if missing:
            where = ", ".join(f"{c.slot.id} ({c.active.path.name})" for c in missing[:3])
            raise steps.fail(f"the imported timeline does not show the new shot(s) {where}",
                             hint="Resolve linked other media; check the Pickup bin and "
                             "import the file by hand")
        result.timeline_name = str(timeline.GetName() or new_name)
        if open_timeline and not project.SetCurrentTimeline(timeline):
            result.notes.append("the new timeline was created but Resolve did not open it")
    return result


def _holds(timeline: Any, clip: FilledClip) -> bool:
    """Does ``timeline`` show ``clip``'s active take at its slot?"""
    for item in timeline.GetItemListInTrack("video", clip.slot.track_index) or []:
        if int(item.GetStart()) != clip.record_start:
            continue
        pool_item = item.GetMediaPoolItem()
        path = pool_item.GetClipProperty("File Path") if pool_item is not None else None
        return bool(path) and _same_path(path, clip.active.path)
    return False


# -- send: takes on the placeholder clips ----------------------------------------------
def _find_timeline(project: Any, name: str | None) -> Any:
    if name is None:
        timeline = project.GetCurrentTimeline()
        if timeline is None:
            raise SlotError("the Resolve project has no current timeline",
                            hint="open the timeline that holds the placeholders, or pass "
                            "--timeline NAME")
        return timeline
    for index in range(1, int(project.GetTimelineCount() or 0) + 1):
        timeline = project.GetTimelineByIndex(index)
        if timeline is not None and timeline.GetName() == name:
            return timeline
    raise SlotError(f"the Resolve project has no timeline named {name!r}",
                    hint="check the name in the Media Pool")


def _item_at(timeline: Any, clip: FilledClip, rate: float) -> Any:
    for item in timeline.GetItemListInTrack("video", clip.slot.track_index) or []:
        if int(item.GetStart()) == clip.record_start:
            return item
    tc = frames_to_timecode(clip.record_start, rate)
    raise SlotError(f"Resolve's timeline {timeline.GetName()!r} has no clip at "
                    f"{clip.slot.track} {tc}", where=f"slot {clip.slot.id}",
                    hint="the placeholder was moved since the export: export the timeline "
                    "again (`pickup resolve open`) or send it as a new timeline")


def add_takes(session: ResolveSession, filled: Path, *, timeline_name: str | None = None,
              finalize: bool = False, bin_name: str = BIN_NAME) -> SendResult:
    """Add every take of each filled placeholder slot to its Resolve clip as a take.

    The clip becomes a take selector (``TimelineItem.AddTake``) with the active take
    selected (``SelectTakeByIndex``); ``finalize`` then keeps only that take
    (``FinalizeTake``), which cannot be undone from a script.
    """
    loaded = read_timeline(filled)
    clips = [c for c in require_filled(loaded) if c.is_placeholder]
    if not clips:
        raise SlotError("none of the filled slots was a placeholder clip in the cut",
                        where=str(filled), hint="takes can be added only to clips; send "
                        "the timeline as a new timeline instead (without --takes)")
    project = session.project()
    timeline = _find_timeline(project, timeline_name)
    items = [(_item_at(timeline, c, loaded.rate), c) for c in clips]
    paths = _take_paths(clips)
    media_pool = project.GetMediaPool()
    result = SendResult(mode="takes", bin_name=bin_name,
                        timeline_name=str(timeline.GetName()))
    steps = _Steps()
    with steps.run():
        if media_pool is None:
            steps.step = "find the media pool"
            raise steps.fail("Project.GetMediaPool() returned nothing")
        pool_items = _bin_and_media(steps, media_pool, paths, bin_name, result)
        for item, clip in items:
            _add_clip_takes(steps, item, clip, pool_items, result)
    if finalize:
        for item, clip in items:
            if not item.FinalizeTake():
                result.notes.append(f"slot {clip.slot.id}: FinalizeTake failed; the take "
                                    "selector stays")
    return result


def _add_clip_takes(steps: _Steps, item: Any, clip: FilledClip, pool_items: dict[str, Any],
                    result: SendResult) -> None:
    before = int(item.GetTakesCount() or 0)
    added: list[int] = []

    def undo() -> bool:
        ok = True
        for index in sorted(added, reverse=True):
            ok = bool(item.DeleteTakeByIndex(index)) and ok
        if before == 0 and added and ok:  # collapse the selector back onto the clip
            ok = bool(item.SelectTakeByIndex(1)) and bool(item.FinalizeTake())
        return ok

    steps.on_undo(f"remove the takes added to slot {clip.slot.id}", undo)
    active_index = 0
    for take in clip.takes:
        steps.step = f"add take {take.key} to slot {clip.slot.id}"
        pool_item = next((v for k, v in pool_items.items() if _same_path(k, take.path)), None)
        if pool_item is None:
            raise steps.fail(f"{take.path.name} is not in the media pool")
        extents = _extents(clip, take)
        ok = item.AddTake(pool_item, *extents) if extents else item.AddTake(pool_item)
        if not ok:
            raise steps.fail("TimelineItem.AddTake returned False")
        index = int(item.GetTakesCount() or 0)
        added.append(index)
        if take.key == clip.active.key:
            active_index = index
    steps.step = f"select the active take of slot {clip.slot.id}"
    if active_index and not item.SelectTakeByIndex(active_index):
        raise steps.fail(f"TimelineItem.SelectTakeByIndex({active_index}) returned False")
    result.takes_added[clip.slot.id] = len(added)


def _extents(clip: FilledClip, take: Any) -> tuple[int, int] | None:
    """(startFrame, endFrame) of the slot within ``take``; None when it is the whole file."""
    offset = clip.source_offset
    if offset == 0 and take.frames in (None, clip.slot.duration):
        return None
    return offset, offset + clip.slot.duration
