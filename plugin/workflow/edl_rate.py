"""The rate an EDL is read at, remembered in its project state and said once.

An EDL does not say its rate.  Pickup detects it from the timecodes (or takes
``--rate``) and keeps what it used in ``<project>/timeline.json``
(``{"edl_rate": {"rate": 24.0, "given": false, "file": "cut.edl"}}``), one rate per
cut: ``cut.edl`` and the ``cut.pickup.edl`` fill wrote share it.  The detection note
is said the first time and again only when the rate changes; a rate the editor gave
with ``--rate`` is used by later commands without ``--rate``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pickup.atomic import atomic_path
from pickup.errors import WriteError
from pickup.project import Project
from pickup.timeline import LoadedTimeline, read_timeline

__all__ = ["STATE_FILE", "RateMemory", "read_cut"]

STATE_FILE = "timeline.json"


def _is_edl(path: Path, adapter: str | None) -> bool:
    if adapter:
        return adapter == "cmx_3600"
    return path.suffix.lower() == ".edl"


@dataclass
class RateMemory:
    """What the project state remembers about one EDL's rate."""

    project: Project
    path: Path

    @classmethod
    def for_file(cls, path: Path | str, adapter: str | None = None,
                 project: Path | str | None = None) -> RateMemory | None:
        """The memory of ``path`` when it is an EDL, else None."""
        path = Path(path)
        if not _is_edl(path, adapter):
            return None
        return cls(Project.find(path, Path(project) if project else None), path)

    @property
    def file(self) -> Path:
        return self.project.root / STATE_FILE

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def remembered(self) -> tuple[float, bool] | None:
        """(rate, given with --rate) as remembered, or None."""
        entry = self._read().get("edl_rate")
        if not isinstance(entry, dict):
            return None
        try:
            return float(entry["rate"]), bool(entry.get("given"))
        except (KeyError, TypeError, ValueError):
            return None

    def rate_to_read_at(self, given: float | None) -> float | None:
        """``given``; else a rate the editor gave earlier; else None (detect)."""
        if given is not None:
            return given
        known = self.remembered()
        return known[0] if known and known[1] else None

    def remember(self, rate: float, given: bool) -> bool:
        """Keep ``rate``; True when it is new or changed (the note should be said)."""
        known = self.remembered()
        if known is not None and abs(known[0] - rate) < 1e-6 and (known[1] or not given):
            return False
        data = self._read()
        data["edl_rate"] = {"rate": rate, "given": given, "file": self.path.name}
        try:
            dest = self.project.ensure() / STATE_FILE
            with atomic_path(dest) as tmp:
                tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        except (OSError, WriteError):
            return True  # a read-only folder: say the note every time rather than fail
        return known is None or abs(known[0] - rate) >= 1e-6


def read_cut(path: Path | str, *, rate: float | None = None, adapter: str | None = None,
             project: Path | str | None = None, remember: bool = True
             ) -> tuple[LoadedTimeline, str | None]:
    """Read a timeline the way every face does: an EDL at ``rate``, else at the rate the
    editor gave before for this cut, else detected.  Returns the timeline and the rate
    line to say (None when it was said before).  ``remember`` False (the panel opening a
    file) reads the memory but writes nothing."""
    memory = RateMemory.for_file(path, adapter, project)
    at = memory.rate_to_read_at(rate) if memory is not None else rate
    loaded = read_timeline(path, rate=at, adapter=adapter)
    if memory is None or loaded.format.name != "edl":
        return loaded, loaded.rate_note
    if not remember:
        known = memory.remembered()
        said = known is not None and abs(known[0] - loaded.rate) < 1e-6
        return loaded, None if said else loaded.rate_note
    if not memory.remember(loaded.rate, rate is not None):
        return loaded, None
    if loaded.rate_note:
        return loaded, loaded.rate_note
    if rate is not None:
        return loaded, (f"read at {loaded.rate:g} fps; later commands on this cut use it "
                        "without --rate")
    return loaded, None
