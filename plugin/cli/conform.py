"""``pickup conform``: make a media file exactly a slot's frames, rate, size and codec."""

from __future__ import annotations

import argparse
import re
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

from pickup.cli.common import (
    nonneg_int,
    parse_exact_rate,
    parse_size,
    positive_int,
    say,
)
from pickup.errors import InputError

__all__ = ["register", "run"]

def register(sub: Any) -> None:
    from pickup.media.conform import FITS, LONGER, PROFILES, SHORTER

    parser = sub.add_parser(
        "conform", help="make a clip exactly N frames at a rate, size and codec",
        description="Conform a media file to a slot: exactly FRAMES (+ 2 x HANDLES) frames "
        "at RATE, SIZE and PROFILE, with timecode, reel and slot id in the container.  "
        "Motion keeps its timing across rates; the last stdout line is the file written.")
    parser.add_argument("src", type=Path, help="media file to conform")
    parser.add_argument("-o", "--output", type=Path, required=True,
                        help="file to write (the profile's suffix is added if it has none)")
    parser.add_argument("--frames", type=positive_int, required=True,
                        help="slot duration in frames, without handles")
    parser.add_argument("--rate", type=parse_exact_rate, required=True,
                        help="sequence rate: 24, 23.976, 25, 29.97, 30000/1001 ...")
    parser.add_argument("--size", type=parse_size, required=True, metavar="WxH",
                        help="sequence size, e.g. 1920x1080")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="prores_hq",
                        help="prores_hq (.mov), dnxhr_hq (.mxf) or h264 (.mp4); "
                        "default prores_hq")
    parser.add_argument("--fit", choices=FITS, default="fit",
                        help="fit (letter/pillarbox, default), fill (crop) or stretch")
    parser.add_argument("--handles", type=nonneg_int, default=0,
                        help="extra frames at head and tail")
    parser.add_argument("--longer", choices=LONGER, default="trim",
                        help="a longer source: trim from the start (default) or take its centre")
    parser.add_argument("--shorter", choices=SHORTER, default="hold",
                        help="a shorter source: hold its last frame (default), retime it "
                        "(up to 25%% slower, else hold) or refuse")
    parser.add_argument("--timecode", default=None, metavar="TC",
                        help="start timecode, e.g. 01:00:04:12")
    parser.add_argument("--reel", default=None, help="reel/tape name (8 characters at most "
                        "for EDL and Avid)")
    parser.add_argument("--slot-id", default=None, help="slot id to write into the file")
    parser.add_argument("--audio", action="store_true",
                        help="add a silent 48 kHz stereo track")
    parser.set_defaults(func=run)


def _check_timecode(tc: str | None, rate: Fraction) -> None:
    if tc is None:
        return
    if not re.fullmatch(r"\d{1,2}[:;.]\d\d[:;.]\d\d[:;.]\d\d", tc):
        raise InputError(f"not a timecode: {tc!r}", hint="write it as HH:MM:SS:FF")
    frames = int(tc.replace(";", ":").replace(".", ":").split(":")[-1])
    if frames >= round(rate):
        raise InputError(f"timecode {tc} has frame {frames}, past {round(rate) - 1} at "
                         f"{float(rate):g} fps")


def run(args: argparse.Namespace) -> int:
    from pickup.media.conform import ConformTarget, profile_suffix

    _check_timecode(args.timecode, args.rate)
    width, height = args.size
    dest: Path = args.output
    if not dest.suffix:
        dest = dest.with_suffix(profile_suffix(args.profile))
    if dest.resolve() == args.src.resolve():
        raise InputError("the output would overwrite the source", where=str(dest),
                         hint="choose another -o")
    if dest.parent and not dest.parent.is_dir():
        raise InputError("the output folder does not exist", where=str(dest.parent))
    target = ConformTarget(frames=args.frames, rate=args.rate, width=width, height=height,
                           profile=args.profile, fit=args.fit, handles=args.handles,
                           longer=args.longer, shorter=args.shorter, timecode=args.timecode,
                           reel=args.reel, slot_id=args.slot_id, audio=args.audio)
    info = _run_with_progress(args.src, target, dest)
    say(f"conformed {args.src.name}: {info.frames} frames at {float(info.rate):.3f} fps, "
        f"{info.width}x{info.height} {info.codec}")
    print(info.path)
    return 0


def _run_with_progress(src: Path, target: Any, dest: Path) -> Any:
    from pickup.media.conform import conform

    if not sys.stderr.isatty():
        return conform(src, target, dest)
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("conform"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task("conform", total=1.0)
        return conform(src, target, dest,
                       progress=lambda done: bar.update(task, completed=done))
