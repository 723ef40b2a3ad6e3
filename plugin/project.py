"""The per-timeline project folder ``<stem>.pickup/``: media, takes, the job journal,
what fill replaced, the panel's settings.

Every file that belongs to one cut finds the same folder (:meth:`Project.find`):

1. ``--project DIR`` when given;
2. ``<stem>.pickup/`` beside the file when it holds Pickup's state;
3. the file's stem with Pickup's ``.pickup`` suffixes taken off: ``cut.pickup.xml``
   (what ``pickup fill`` or the panel wrote from ``cut.xml``) and
   ``cut.pickup.pickup.aaf`` find ``cut.pickup/``;
4. the folder the timeline's Pickup media sit in (``<project>/media/V1-…_T01.mov``):
   a cut the editor re-exported under another name, or a Resolve export of a
   timeline Pickup sent back, still points at them;
5. otherwise ``<stem>.pickup/`` with the ``.pickup`` suffixes taken off, created only
   when something is written into it, so opening ``cut.pickup.xml`` never makes a
   second folder ``cut.pickup.pickup/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pickup.errors import InputError, WriteError
from pickup.timeline.refs import media_path_of

__all__ = ["STATE_FILES", "Project", "base_stem"]

#: files whose presence makes a folder a Pickup project folder
STATE_FILES = ("takes.otio", "journal.sqlite", "panel.json", "marks.json")
_SUFFIX = ".pickup"


def base_stem(timeline: Path) -> str:
    """The stem of ``timeline`` with Pickup's ``.pickup`` suffixes taken off."""
    stem = Path(timeline).stem
    while stem.endswith(_SUFFIX) and len(stem) > len(_SUFFIX):
        stem = stem[: -len(_SUFFIX)]
    return stem


def _is_project(root: Path) -> bool:
    return any((root / name).is_file() for name in STATE_FILES)


def _media_projects(timeline: Any) -> Iterable[Path]:
    """Project folders the timeline's clips' media sit in (``<project>/media/x``)."""
    seen: set[Path] = set()
    for clip in timeline.find_clips():
        for ref in clip.media_references().values():
            path = media_path_of(ref)
            if path is None or path.parent.name != "media":
                continue
            root = path.parent.parent
            if root not in seen:
                seen.add(root)
                yield root


@dataclass(frozen=True)
class Project:
    """Where Pickup keeps what it makes for one timeline."""

    root: Path

    @classmethod
    def find(cls, timeline: Path | str, override: Path | None = None,
             otio_timeline: Any = None) -> Project:
        """The project folder of ``timeline`` by the rules in this module's docstring.

        ``otio_timeline`` (the file read) lets a renamed or re-exported cut find its
        project through its Pickup media."""
        if override is not None:
            if Path(override).exists() and not Path(override).is_dir():
                raise InputError("--project names a file, not a folder", where=str(override),
                                 hint="give a folder (it is created if missing)")
            return cls(Path(override))
        timeline = Path(timeline)
        own = timeline.with_name(f"{timeline.stem}{_SUFFIX}")
        if _is_project(own):
            return cls(own)
        base = timeline.with_name(f"{base_stem(timeline)}{_SUFFIX}")
        if base != own and _is_project(base):
            return cls(base)
        if otio_timeline is not None:
            for root in _media_projects(otio_timeline):
                if _is_project(root):
                    return cls(root)
        return cls(base)

    @classmethod
    def for_timeline(cls, timeline: Path | str, override: Path | None = None,
                     otio_timeline: Any = None) -> Project:
        """The project folder of ``timeline`` (see :meth:`find`)."""
        return cls.find(timeline, override, otio_timeline)

    @property
    def exists(self) -> bool:
        """True when the folder holds Pickup's state."""
        return _is_project(self.root)

    @property
    def media_dir(self) -> Path:
        return self.root / "media"

    @property
    def journal_path(self) -> Path:
        return self.root / "journal.sqlite"

    @property
    def takes_path(self) -> Path:
        return self.root / "takes.otio"

    @property
    def panel_path(self) -> Path:
        """The panel's per-slot settings (prompts, providers, takes wanted)."""
        return self.root / "panel.json"

    @property
    def marks_path(self) -> Path:
        """The gaps and clips the editor marked as slots in Pickup
        (:mod:`pickup.workflow.marks`)."""
        return self.root / "marks.json"

    @property
    def replaced_dir(self) -> Path:
        """What ``fill`` replaced at each slot, for ``revert`` (:mod:`pickup.timeline.replaced`)."""
        return self.root / "replaced"

    def ensure(self, sub: str | None = None) -> Path:
        """Create the folder (and ``sub`` inside it) on first write; returns it."""
        path = self.root / sub if sub else self.root
        if sub and (Path(sub).is_absolute() or ".." in Path(sub).parts or "\0" in sub):
            raise InputError(f"refusing a project sub-folder outside the project: {sub!r}",
                             where=str(self.root))
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(f"cannot create the project folder: {exc.strerror}",
                             where=str(path), hint="use --project DIR") from None
        return path
