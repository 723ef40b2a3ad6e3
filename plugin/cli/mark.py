"""``pickup mark`` and ``pickup unmark``: make a gap or clip a slot in the project
state (the timeline file is not changed), or drop that mark."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pickup.cli.common import add_timeline_args, emit_json, load
from pickup.config import load_config
from pickup.errors import InputError
from pickup.project import Project

__all__ = ["register", "run_mark", "run_unmark"]


def _where_args(parser: argparse.ArgumentParser, *, slot: bool = False) -> None:
    add_timeline_args(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--at", metavar="TC",
                       help="record timecode of the gap or clip (e.g. 01:00:04:12)")
    which.add_argument("--clip", metavar="NAME", help="the clip of this name")
    if slot:
        which.add_argument("--slot", metavar="ID", help="the slot id `pickup scan` lists")
    parser.add_argument("--track", metavar="V1", default=None,
                        help="video track (default with --at: the top-most clip there, "
                        "else the gap on the lowest track)")
    parser.add_argument("--project", type=Path, default=None,
                        help="project folder (default <stem>.pickup/ beside the timeline)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def register(sub: Any) -> None:
    mark = sub.add_parser(
        "mark", help="mark a gap or clip as a slot (kept in the project, not the file)",
        description="Make a gap or clip a slot with a kind and a prompt, without a GEN "
        "marker in the cut: the mark is kept in the project folder (<stem>.pickup/"
        "marks.json) and the timeline file is not changed.  `pickup scan`, `pickup fill` "
        "and the panel then find the slot (\"marked in Pickup\"); a fill fills the gap or "
        "replaces the clip in its range.  Marking it again changes its kind and prompt.")
    _where_args(mark)
    mark.add_argument("--kind", default=None,
                      help="shot kind: establishing, stunt, insert, cutaway, broll, plate, "
                      "extend, or your own word")
    mark.add_argument("--prompt", default=None, help="what the shot shows")
    mark.set_defaults(func=run_mark)
    unmark = sub.add_parser(
        "unmark", help="drop a slot marked in Pickup (the file is not changed)",
        description="Drop a mark `pickup mark` or the panel kept in the project folder. "
        "Takes made for the slot stay in the project; marks in the file itself are "
        "removed in the editing app.")
    _where_args(unmark, slot=True)
    unmark.set_defaults(func=run_unmark)


def _target(args: argparse.Namespace, loaded: Any) -> Any:
    from pickup.workflow.marks import locate

    return locate(loaded, at=args.at, clip=args.clip, track=args.track)


def run_mark(args: argparse.Namespace) -> int:
    from pickup.workflow.marks import mark

    if args.kind is None and args.prompt is None:
        raise InputError("pickup mark needs --kind or --prompt (or both)",
                         hint="e.g. --kind establishing --prompt 'farmhouse at dusk'")
    loaded = load(args)
    project = Project.find(loaded.path, args.project, loaded.timeline)
    target = _target(args, loaded)
    slot = mark(loaded, project, target, kind=args.kind, prompt=args.prompt,
                tags=load_config().tags)
    start = loaded.start_frame
    if args.json:
        emit_json({"slot": slot.id, "track": slot.track, "item": slot.item,
                   "record_in": slot.record_in(start), "record_out": slot.record_out(start),
                   "frames": slot.duration, "kind": slot.kind, "prompt": slot.prompt,
                   "mark": slot.mark, "marks_file": str(project.marks_path)})
        return 0
    what = f"clip {slot.item_name!r}" if slot.item == "clip" else "gap"
    said = ": ".join(x for x in (slot.kind, slot.prompt) if x)
    print(f"marked slot {slot.id}: the {what} on {slot.track} {slot.record_in(start)}-"
          f"{slot.record_out(start)} ({slot.duration} frames), {said}")
    print(f"kept in {project.marks_path}; {loaded.path.name} is not changed")
    return 0


def run_unmark(args: argparse.Namespace) -> int:
    from pickup.workflow.marks import unmark

    loaded = load(args)
    project = Project.find(loaded.path, args.project, loaded.timeline)
    if args.slot is not None:
        gone = unmark(loaded, project, slot_id=args.slot)
    else:
        gone = unmark(loaded, project, target=_target(args, loaded))
    if args.json:
        from dataclasses import asdict

        emit_json({"unmarked": asdict(gone), "marks_file": str(project.marks_path)})
        return 0
    print(f"unmarked the {gone.where()}; takes made for it stay in {project.root.name}/")
    return 0
