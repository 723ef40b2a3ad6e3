"""The per-timeline project folder ``<stem>.pickup/``: media, takes, the job journal,
what fill replaced.

Created only when something is written into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pickup.errors import WriteError

__all__ = ["Project"]


@dataclass(frozen=True)
class Project:
    """Where Pickup keeps what it makes for one timeline."""

    root: Path

    @classmethod
    def for_timeline(cls, timeline: Path, override: Path | None = None) -> Project:
        if override is not None:
            return cls(Path(override))
        timeline = Path(timeline)
        return cls(timeline.with_name(f"{timeline.stem}.pickup"))

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
    def replaced_dir(self) -> Path:
        """What ``fill`` replaced at each slot, for ``revert`` (:mod:`pickup.timeline.replaced`)."""
        return self.root / "replaced"

    def ensure(self, sub: str | None = None) -> Path:
        """Create the folder (and ``sub`` inside it) on first write; returns it."""
        path = self.root / sub if sub else self.root
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(f"cannot create the project folder: {exc.strerror}",
                             where=str(path), hint="use --project DIR") from None
        return path
