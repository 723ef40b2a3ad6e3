"""``pickup scan``: list the marked slots of a timeline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from pickup.cli.common import add_timeline_args, emit_json, load, say
from pickup.config import load_config
from pickup.project import Project
from pickup.timeline import (
    LoadedTimeline,
    Slot,
    convention,
    frames_to_timecode,
    mark_label,
    marker_census,
)
from pickup.workflow.marks import discover

__all__ = ["nothing_found", "register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser("scan", help="list the marked slots of a timeline",
                            description="Read a timeline and list every slot Pickup would "
                            "fill: GEN/PICKUP markers, tagged placeholder clips, gaps and "
                            "clips marked in Pickup (`pickup mark`, the panel), and with "
                            "--all-gaps the unmarked holes in the picture.")
    add_timeline_args(parser)
    parser.add_argument("--project", type=Path, default=None,
                        help="project folder (default <stem>.pickup/ beside the timeline)")
    parser.add_argument("--all-gaps", action="store_true",
                        help="also list unmarked gaps where no video track shows picture")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    loaded = load(args)
    warnings: list[str] = []
    tags = load_config().tags
    project = Project.find(loaded.path, args.project, loaded.timeline)
    slots = discover(loaded, project=project, all_gaps=args.all_gaps, tags=tags,
                     warnings=warnings)
    was = _what_filled_slots_were(args, loaded, slots)
    for message in warnings:
        say(f"{loaded.path.name}: warning: {message}")
    start = loaded.start_frame
    if args.json:
        emit_json({
            "timeline": str(loaded.path),
            "format": loaded.format.name,
            "rate": loaded.rate,
            "start_timecode": frames_to_timecode(start, loaded.rate),
            "slots": [dict(_slot_json(s, start), was=was.get(s.id)) for s in slots],
            "markers_seen": marker_census(loaded.timeline).markers,
        })
        if not slots:
            for line in nothing_found(loaded, tags, args.all_gaps):
                say(line)
        return 0
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"{loaded.path.name} — {loaded.format.label}, {loaded.rate:.3f} fps, "
                  f"starts {frames_to_timecode(start, loaded.rate)}", title_justify="left")
    for column in ("slot", "track", "record in", "record out", "frames", "mark", "kind",
                   "prompt"):
        table.add_column(column, overflow="fold")
    for s in slots:
        table.add_row(s.id, s.track, s.record_in(start), s.record_out(start), str(s.duration),
                      _mark_label(s, was.get(s.id)), s.kind or "", s.prompt or "")
    console.print(table)
    console.print(f"{len(slots)} slot(s)")
    if not slots:
        for line in nothing_found(loaded, tags, args.all_gaps):
            console.print(line)
    return 0


def nothing_found(loaded: LoadedTimeline, tags: tuple[str, ...], all_gaps: bool) -> list[str]:
    """Why a scan found no slot, and how to mark one."""
    census = marker_census(loaded.timeline)
    names = " or ".join(tags)
    if census.markers:
        shown = ", ".join(repr(t[:40]) for t in census.samples)
        more = ", ..." if census.markers > len(census.samples) else ""
        seen = (f"{census.markers} marker(s)/locator(s) seen ({shown}{more}), none starts "
                f"with {names}")
    else:
        seen = "the sequence has no markers or locators"
    lines = [f"No slots: {seen}; no clip is named with {names} either.",
             f"{convention(tags)}."]
    if not all_gaps:
        lines.append("Unmarked holes in the picture are listed with --all-gaps.")
    lines.append("Or mark a gap or clip as a slot in Pickup, leaving the file as it is: "
                 "pickup mark TIMELINE --at TC --kind KIND --prompt TEXT (or right-click it "
                 "in the panel's strip).")
    return lines


def _mark_label(slot: Slot, was: str | None) -> str:
    label = mark_label(slot.mark)
    if not slot.filled:
        return label
    return f"filled ({was})" if was else f"{label} (filled)"


def _what_filled_slots_were(args: argparse.Namespace, loaded: LoadedTimeline,
                            slots: list[Slot]) -> dict[str, str]:
    """slot id -> what a filled slot was before fill (``unmarked gap``, ``marked gap``,
    ``placeholder clip``), from the project's take store; empty without one."""
    if not any(s.filled for s in slots):
        return {}
    from pickup.takes.slot_origin import slot_origins

    return slot_origins(loaded.path, getattr(args, "project", None))


def _slot_json(slot: Any, start: int) -> dict[str, Any]:
    return {
        "id": slot.id, "track": slot.track, "track_index": slot.track_index,
        "start": slot.start, "duration": slot.duration,
        "record_in": slot.record_in(start), "record_out": slot.record_out(start),
        "kind": slot.kind, "prompt": slot.prompt, "mark": slot.mark, "filled": slot.filled,
    }
