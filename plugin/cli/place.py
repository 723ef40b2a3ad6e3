"""``pickup place``: put an existing media file into a slot and write the timeline back."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pickup.cli.common import add_timeline_args, load, require_slot, say
from pickup.errors import InputError
from pickup.media import probe
from pickup.project import Project
from pickup.timeline import PlacedMedia, Placement, default_output, place_all
from pickup.timeline.rates import exact_rate
from pickup.timeline.writeback import write_back

__all__ = ["add_output_args", "output_path", "register", "run"]


def add_output_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="output timeline (default <stem>.pickup<ext> beside the input)")
    parser.add_argument("--in-place", action="store_true",
                        help="overwrite the input, keeping <name>.bak")
    parser.add_argument("--to", dest="to_adapter", default=None, metavar="ADAPTER",
                        help="write through this OTIO adapter instead of patching the "
                        "input's format (may lose what that adapter cannot express)")
    parser.add_argument("--project", type=Path, default=None,
                        help="project folder (default <stem>.pickup/ beside the timeline)")


def output_path(args: argparse.Namespace) -> Path:
    if args.in_place and args.output is not None:
        raise InputError("give either --in-place or -o, not both")
    if args.in_place:
        return args.timeline
    return args.output or default_output(args.timeline)


def register(sub: Any) -> None:
    parser = sub.add_parser("place", help="put a media file into a slot",
                            description="Put an existing media file into a slot: the gap or "
                            "placeholder becomes a clip of exactly the slot's duration; "
                            "nothing else in the timeline changes.  The last stdout line is "
                            "the file written.")
    add_timeline_args(parser)
    parser.add_argument("slot", help="slot id, as `pickup scan` lists it")
    parser.add_argument("media", type=Path, help="video file to place")
    parser.add_argument("--hold", action="store_true",
                        help="allow media shorter than the slot: its last frame is held "
                        "(a conformed copy goes into the project folder)")
    parser.add_argument("--all-gaps", action="store_true",
                        help="slot ids of unmarked gaps are allowed too")
    add_output_args(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    dest = output_path(args)
    loaded = load(args)
    from pickup.workflow.marks import discover  # the file's slots and those marked in Pickup

    slots = discover(loaded, project=Project.find(loaded.path, args.project, loaded.timeline),
                     all_gaps=True)
    slot = require_slot(slots, args.slot, loaded.path)
    info = probe(args.media)
    media = PlacedMedia(path=info.path, frames=info.frames, rate=info.rate,
                        width=info.width, height=info.height)
    placement = Placement(slot=slot, media=media)
    seconds_needed = slot.duration / loaded.rate
    if args.hold and info.seconds + 1e-3 < seconds_needed:
        media = _held_copy(args, loaded.path, slot, info)
        placement = Placement(slot=slot, media=media, metadata={"hold_source":
                                                                 str(info.path.resolve())})
    edited = place_all(loaded.timeline, [placement])
    if args.to_adapter:
        from pickup.timeline.loss import adapter_losses

        for line in adapter_losses(edited, args.to_adapter, original=loaded.path):
            say(f"pickup: warning: {line}")
    written = write_back(loaded, edited, [placement], dest, to_adapter=args.to_adapter,
                         backup=args.in_place)
    say(f"placed {info.path.name} in slot {slot.id} ({slot.duration} frames)")
    print(written)
    return 0


def _held_copy(args: argparse.Namespace, timeline: Path, slot: Any, info: Any) -> PlacedMedia:
    """Conform ``info`` to the slot, holding its last frame, into the project folder."""

    from pickup.media.conform import ConformTarget, conform

    project = Project.for_timeline(timeline, args.project)
    out = project.ensure("media") / f"{slot.id}_hold{info.path.suffix or '.mov'}"
    target = ConformTarget(frames=slot.duration, rate=exact_rate(slot.rate),
                           width=info.width, height=info.height, profile="prores_hq",
                           shorter="hold", slot_id=slot.id)
    result = conform(info.path, target, out.with_suffix(".mov"))
    return PlacedMedia(path=result.path, frames=result.frames, rate=result.rate,
                       width=result.width, height=result.height)
