"""``pickup sheet``: a contact sheet PNG of every slot, with a thumbnail of each take."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pickup.cli.common import add_timeline_args, load, say
from pickup.errors import InputError
from pickup.workflow import draw_sheet

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "sheet", help="draw a contact sheet of the slots and their takes",
        description="Draw a PNG with one row per slot: id, record in/out, kind, prompt, and "
        "a thumbnail of every take in it (the active take framed, its status and the "
        "editor's note beside it), from the project's take store for every format.  The "
        "last stdout line is the file written.")
    add_timeline_args(parser)
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="PNG to write (default <stem>_sheet.png beside the timeline)")
    parser.add_argument("--project", type=Path, default=None,
                        help="project folder (default: found from the timeline)")
    parser.add_argument("--all-gaps", action="store_true",
                        help="include unmarked gaps too")
    parser.add_argument("--thumb-width", type=int, default=240,
                        help="thumbnail width in pixels (default 240)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:

    dest: Path = args.output or args.timeline.with_name(f"{args.timeline.stem}_sheet.png")
    if dest.suffix.lower() != ".png":
        raise InputError("the contact sheet is a PNG", where=str(dest),
                         hint="give -o a name ending in .png")
    if not 64 <= args.thumb_width <= 1920:
        raise InputError(f"--thumb-width must be 64-1920, not {args.thumb_width}")
    loaded = load(args)
    sheet, slots = draw_sheet(loaded, dest, all_gaps=args.all_gaps,
                              thumb_width=args.thumb_width, project=args.project)
    takes = sum(1 for c in sheet.cells if c.status == "thumbnail")
    say(f"{len(slots)} slots, {takes} take thumbnails, {sheet.width}x{sheet.height}")
    print(sheet.path)
    return 0
