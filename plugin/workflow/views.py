"""Views every face draws the same way from the project state: the contact sheet."""

from __future__ import annotations

from pathlib import Path

from pickup.config import load_config
from pickup.media.sheet import Sheet, contact_sheet
from pickup.project import Project
from pickup.timeline import LoadedTimeline, Slot
from pickup.workflow.fill import project_slots
from pickup.workflow.marks import discover
from pickup.workflow.state import state_clips

__all__ = ["draw_sheet"]


def draw_sheet(loaded: LoadedTimeline, dest: Path, *, all_gaps: bool = False,
               thumb_width: int = 240, project: Path | None = None
               ) -> tuple[Sheet, list[Slot]]:
    """The contact sheet of ``loaded``: its marked slots and the ones the project has
    takes for (every unmarked hole too with ``all_gaps``), each with every take the
    project state holds, its status and note, whatever the timeline's format."""
    home = Project.find(loaded.path, project, loaded.timeline)
    clips = state_clips(home)
    tags = load_config().tags
    if all_gaps:
        slots = discover(loaded, project=home, all_gaps=True, tags=tags)
    else:
        slots = project_slots(loaded, clips, tags=tags, project=home)
    sheet = contact_sheet(loaded, slots, dest, thumb_width=thumb_width, clips=clips)
    return sheet, slots
