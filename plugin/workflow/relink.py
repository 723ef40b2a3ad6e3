"""Find media a timeline names that moved, in a folder the editor points at.

``pickup relink TIMELINE --search DIR``: every media file the timeline's clips name
(the editor's own clips and every take Pickup put in, active or not) that is not
where the timeline says is looked for under ``DIR``:

1. **file name**: a file of the same name (case-insensitive); when several have it,
   the checksum or the timecode picks one;
2. **checksum**: a take whose SHA-256 Pickup recorded (in the timeline's take
   metadata or the project's take store) is found under another name by content;
3. **timecode**: a file of the same kind (suffix) whose start timecode and rate are
   the media reference's and which is long enough for it (a renamed camera file).

A file with the right name but another checksum is not used; a match that is not
unique is reported, never guessed.  :func:`plan_relink` decides, and
:func:`pickup.timeline.repath.repath` writes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pickup.errors import InputError, MediaError
from pickup.timeline import LoadedTimeline
from pickup.timeline.rates import timecode_frames
from pickup.timeline.refs import media_path_of, path_of_url

__all__ = ["Missing", "RelinkPlan", "Relinked", "Unresolved", "find_missing", "plan_relink",
           "relink_store", "store_checksums"]


@dataclass
class Missing:
    """A media file the timeline names and that is not there."""

    path: Path
    clips: list[str] = field(default_factory=list)  # names of the clips that use it
    checksum: str | None = None  # ``sha256:<hex>`` when Pickup recorded one
    start: int | None = None  # the reference's first frame (its start timecode)
    frames: int | None = None
    rate: float | None = None


@dataclass(frozen=True)
class Relinked:
    old: Path
    new: Path
    how: str  # "file name", "file name + checksum", "checksum", "timecode", ...
    clips: tuple[str, ...]


@dataclass(frozen=True)
class Unresolved:
    old: Path
    why: str
    clips: tuple[str, ...]


@dataclass
class RelinkPlan:
    relinked: list[Relinked] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)

    @property
    def moves(self) -> dict[Path, Path]:
        return {r.old: r.new for r in self.relinked}


def _checksum_of(ref: Any) -> str | None:
    meta = ref.metadata.get("pickup") if getattr(ref, "metadata", None) else None
    value = meta.get("checksum") if meta is not None and hasattr(meta, "get") else None
    return str(value) if value else None


def find_missing(loaded: LoadedTimeline, checksums: dict[str, str] | None = None
                 ) -> list[Missing]:
    """Every media file ``loaded`` names that is not on disk, in timeline order.
    ``checksums`` (file path -> ``sha256:...``) adds what the take store knows."""
    found: dict[Path, Missing] = {}
    for clip in loaded.timeline.find_clips():
        for ref in clip.media_references().values():
            path = media_path_of(ref)
            if path is None or path.is_file():
                continue
            miss = found.setdefault(path, Missing(path))
            if clip.name and clip.name not in miss.clips:
                miss.clips.append(clip.name)
            miss.checksum = miss.checksum or _checksum_of(ref) or (checksums or {}).get(
                str(path))
            rng = getattr(ref, "available_range", None)
            if rng is not None and miss.start is None:
                miss.rate = float(rng.start_time.rate)
                miss.start = round(rng.start_time.value)
                miss.frames = round(rng.duration.value_rescaled_to(miss.rate))
    return list(found.values())


class _Folder:
    """The files under the search folder, with checksums and probes made on demand."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise InputError("not a folder", where=str(root),
                             hint="pass the folder the media moved to with --search DIR")
        root = root.resolve()
        self.by_name: dict[str, list[Path]] = {}
        self.by_suffix: dict[str, list[Path]] = {}
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                path = Path(folder) / name
                self.by_name.setdefault(name.lower(), []).append(path)
                self.by_suffix.setdefault(path.suffix.lower(), []).append(path)
        self._sums: dict[Path, str | None] = {}
        self._probes: dict[Path, Any] = {}

    def checksum(self, path: Path) -> str | None:
        if path not in self._sums:
            from pickup.takes.model import file_checksum

            self._sums[path] = file_checksum(path)
        return self._sums[path]

    def probe(self, path: Path) -> Any:
        if path not in self._probes:
            from pickup.media.probe import probe

            try:
                self._probes[path] = probe(path)
            except (MediaError, OSError):
                self._probes[path] = None
        return self._probes[path]

    def length_fits(self, path: Path, miss: Missing) -> bool:
        """The file could be the take: readable, and as long as the reference (when it
        says how long)."""
        if miss.frames is None:
            return True
        info = self.probe(path)
        return info is not None and info.frames == miss.frames

    def same_timecode(self, path: Path, miss: Missing) -> bool:
        if miss.start is None or miss.rate is None:
            return False
        info = self.probe(path)
        if info is None or not info.start_timecode:
            return False
        if abs(float(info.rate) - miss.rate) > 1e-3:
            return False

        try:
            start = timecode_frames(info.start_timecode, miss.rate)
        except (ValueError, TypeError):
            return False
        return start == miss.start and info.frames >= (miss.frames or 0)


def _names(paths: Iterable[Path]) -> str:
    return ", ".join(str(p) for p in paths)


def _one(miss: Missing, folder: _Folder) -> Relinked | Unresolved:
    clips = tuple(miss.clips)
    named = folder.by_name.get(miss.path.name.lower(), [])
    if named:
        if miss.checksum:
            same = [p for p in named if folder.checksum(p) == miss.checksum]
            if len(same) == 1:
                return Relinked(miss.path, same[0], "file name + checksum", clips)
            if not same:
                return _by_content(miss, folder, clips, f"{_names(named)} has another "
                                   "checksum than the take Pickup made")
            return Unresolved(miss.path, f"{len(same)} identical files: {_names(same)}", clips)
        if len(named) == 1:
            return Relinked(miss.path, named[0], "file name", clips)
        timed = [p for p in named if folder.same_timecode(p, miss)]
        if len(timed) == 1:
            return Relinked(miss.path, timed[0], "file name + timecode", clips)
        return Unresolved(miss.path, f"{len(named)} files of that name: {_names(named)}",
                          clips)
    return _by_content(miss, folder, clips, "no file of that name")


def _by_content(miss: Missing, folder: _Folder, clips: tuple[str, ...],
                why: str) -> Relinked | Unresolved:
    same_kind = folder.by_suffix.get(miss.path.suffix.lower(), [])
    if miss.checksum:
        # Hash only files of the take's length (a header read each), never every
        # camera file of a drive.
        sized = [p for p in same_kind if folder.length_fits(p, miss)]
        same = [p for p in sized if folder.checksum(p) == miss.checksum]
        if len(same) == 1:
            return Relinked(miss.path, same[0], "checksum", clips)
        if len(same) > 1:
            return Unresolved(miss.path, f"{len(same)} identical files: {_names(same)}",
                              clips)
    timed = [p for p in same_kind if folder.same_timecode(p, miss)]
    if len(timed) == 1:
        return Relinked(miss.path, timed[0], "timecode", clips)
    if len(timed) > 1:
        return Unresolved(miss.path, f"{len(timed)} files with its timecode: "
                          f"{_names(timed)}", clips)
    return Unresolved(miss.path, why, clips)


def plan_relink(missing: Sequence[Missing], search: Path) -> RelinkPlan:
    """Where each missing file is under ``search`` (see the module docstring)."""
    folder = _Folder(Path(search))
    results = [_one(miss, folder) for miss in missing]
    # One file found by timecode for several clips fits none of them for sure.
    claims: dict[Path, list[Path]] = {}
    for r in results:
        if isinstance(r, Relinked) and r.how == "timecode":
            claims.setdefault(r.new, []).append(r.old)
    plan = RelinkPlan()
    for r in results:
        if isinstance(r, Relinked) and len(claims.get(r.new, ())) > 1 and r.how == "timecode":
            names = ", ".join(p.name for p in claims[r.new])
            r = Unresolved(r.old, f"only {r.new} has its timecode, and it fits {names} "
                           "alike", r.clips)
        if isinstance(r, Relinked):
            plan.relinked.append(r)
        else:
            plan.unresolved.append(r)
    return plan


def store_checksums(loaded: LoadedTimeline, project: Path | None = None) -> dict[str, str]:
    """file path -> checksum for every take the project's take store recorded."""
    from pickup.project import Project
    from pickup.takes.store import TakeStore

    proj = Project.find(loaded.path, project, loaded.timeline)
    if not proj.takes_path.is_file():
        return {}
    out: dict[str, str] = {}
    for clip in TakeStore.load(proj).clips.values():
        for ref in clip.media_references().values():
            path = media_path_of(ref)
            value = _checksum_of(ref)
            if path is not None and value:
                out[str(path)] = value
    return out




def relink_store(loaded: LoadedTimeline, moves: dict[Path, Path],
                 project: Path | None = None) -> Path | None:
    """Point the project's take store at the takes that moved too (so ``pickup use``
    and the panel find them); returns the store written, or None when nothing in it
    changed."""
    from pickup.project import Project
    from pickup.takes.store import TakeStore
    from pickup.timeline.repath import same_form
    from pickup.workflow.state import locked_state

    proj = Project.find(loaded.path, project, loaded.timeline)
    if not proj.takes_path.is_file():
        return None
    with locked_state(proj):
        store = TakeStore.load(proj)
        changed = 0
        for clip in store.clips.values():
            refs = clip.media_references()
            hit = False
            for ref in refs.values():
                url = getattr(ref, "target_url", None)
                path = path_of_url(str(url)) if url else None
                if path is not None and path in moves:
                    ref.target_url = same_form(str(url), moves[path])
                    hit = True
            if hit:
                clip.set_media_references(refs, clip.active_media_reference_key)
                changed += 1
        return store.save() if changed else None
