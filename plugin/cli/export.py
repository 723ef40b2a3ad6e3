"""``pickup export TIMELINE --for avid|avid-edl|premiere|fcp``: the hand-off an editor imports.

Takes a timeline Pickup filled (``<name>.pickup.otio``, or a filled AAF, EDL, XML or
FCPXML), conforms the active take of each filled slot to the app's codec into
``DIR/media/``, writes the timeline in the app's format (losslessly when the filled
file already is in it; otherwise through OTIO's adapter, saying what it drops), an
ALE for Avid, and prints the import steps.  The last stdout line is the timeline
written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pickup.cli.common import add_timeline_args, load, say

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    from pickup.hosts.handoff import TARGETS

    parser = sub.add_parser("export", help="hand a filled timeline to Avid, Premiere or FCP",
                            description=(__doc__ or "").partition("\n\n")[2].replace("\n", " "))
    add_timeline_args(parser)
    parser.add_argument("--for", dest="target", required=True, choices=tuple(TARGETS),
                        help="the editing app: avid (AAF + DNxHR MXF + ALE), avid-edl "
                        "(EDL + ALE), premiere (FCP7 XML), fcp (FCPXML)")
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                        help="output folder (default <stem>.<target>/ beside the timeline)")
    parser.add_argument("--codec", choices=("prores_hq", "dnxhr_hq", "h264"), default=None,
                        help="media codec (default: what the app takes natively)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pickup.hosts.handoff import export_for

    loaded = load(args)
    out = args.output or loaded.path.with_name(f"{loaded.path.stem}.{args.target}")
    result = export_for(loaded, args.target, out, profile=args.codec, say=say)
    if result.lossless:
        say(f"patched {loaded.path.name} at the filled slots: nothing else changed")
    else:
        say(f"converted {loaded.format.label} to {result.target.format} through OTIO's "
            f"{result.target.adapter} adapter")
        for line in result.losses or ["the adapter kept every marker, track, clip and gap"]:
            say(f"pickup: {'warning: ' if result.losses else ''}{line}")
    say(f"{len(result.media)} clip(s) in {out / 'media'}")
    if result.ale:
        say(f"ALE: {result.ale}")
    say("To import:")
    for number, step in enumerate(result.steps(), start=1):
        say(f"  {number}. {step}")
    print(result.timeline)
    return 0
