"""``pickup scan``: list the marked slots of a timeline."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from pickup.cli.common import add_timeline_args, emit_json, load, say
from pickup.timeline import find_slots, frames_to_timecode

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser("scan", help="list the marked slots of a timeline",
                            description="Read a timeline and list every slot Pickup would "
                            "fill: GEN/PICKUP markers, tagged placeholder clips, and with "
                            "--all-gaps the unmarked holes in the picture.")
    add_timeline_args(parser)
    parser.add_argument("--all-gaps", action="store_true",
                        help="also list unmarked gaps where no video track shows picture")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    loaded = load(args)
    warnings: list[str] = []
    slots = find_slots(loaded.timeline, rate=loaded.rate, start_frame=loaded.start_frame,
                       all_gaps=args.all_gaps, warnings=warnings)
    for message in warnings:
        say(f"{loaded.path.name}: warning: {message}")
    start = loaded.start_frame
    if args.json:
        emit_json({
            "timeline": str(loaded.path),
            "format": loaded.format.name,
            "rate": loaded.rate,
            "start_timecode": frames_to_timecode(start, loaded.rate),
            "slots": [_slot_json(s, start) for s in slots],
        })
        return 0
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    table = Table(title=f"{loaded.path.name} — {loaded.format.label}, {loaded.rate:.3f} fps, "
                  f"starts {frames_to_timecode(start, loaded.rate)}", title_justify="left")
    for column in ("slot", "track", "record in", "record out", "frames", "mark", "kind",
                   "prompt"):
        table.add_column(column, overflow="fold")
    for s in slots:
        table.add_row(s.id, s.track, s.record_in(start), s.record_out(start), str(s.duration),
                      s.mark + (" (filled)" if s.filled else ""), s.kind or "",
                      s.prompt or "")
    console.print(table)
    console.print(f"{len(slots)} slot(s)")
    return 0


def _slot_json(slot: Any, start: int) -> dict[str, Any]:
    return {
        "id": slot.id, "track": slot.track, "track_index": slot.track_index,
        "start": slot.start, "duration": slot.duration,
        "record_in": slot.record_in(start), "record_out": slot.record_out(start),
        "kind": slot.kind, "prompt": slot.prompt, "mark": slot.mark, "filled": slot.filled,
    }
