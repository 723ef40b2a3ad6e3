"""``pickup export TIMELINE --for APP``: the hand-off Avid, Premiere, FCP or Resolve imports.

Takes a timeline Pickup filled (``<name>.pickup.otio``, or a filled AAF, EDL, XML or
FCPXML), conforms the active take of each filled slot (with --approved-only: its
approved take; slots without one are handed over as before the fill, or as gaps when
converting, and listed) to the app's
codec into ``DIR/media/``, writes the timeline in the app's format (losslessly when
the filled file already is in it; otherwise through OTIO's adapter, saying what it
drops), an ALE for Avid, and prints the import steps.  The last stdout line is the
timeline written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pickup.cli.common import add_timeline_args, load, say

if TYPE_CHECKING:
    from pickup.hosts.filled import Take
    from pickup.hosts.handoff import HandoffResult
    from pickup.timeline import LoadedTimeline

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    from pickup.hosts.handoff import TARGETS

    parser = sub.add_parser("export", help="hand a filled timeline to Avid, Premiere or FCP",
                            description=(__doc__ or "").partition("\n\n")[2].replace("\n", " "))
    add_timeline_args(parser)
    parser.add_argument("--for", dest="target", required=True, choices=tuple(TARGETS),
                        help="the editing app: avid (AAF + DNxHR MXF + ALE), avid-edl "
                        "(EDL + ALE), premiere (FCP7 XML), fcp (FCPXML), resolve (OTIO for "
                        "File > Import > Timeline; `pickup resolve send` is the live route)")
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                        help="output folder (default <stem>.<target>/ beside the timeline)")
    parser.add_argument("--codec", choices=("prores_hq", "dnxhr_hq", "dnxhr_hq_opatom", "h264"),
                        default=None, help="media codec (default: what the app takes "
                        "natively; dnxhr_hq_opatom: OP-Atom MXF for Avid MediaFiles)")
    parser.add_argument("--approved-only", action="store_true",
                        help="hand over only approved (or locked) takes; slots without one "
                        "are handed over as before the fill (as gaps when converting) and "
                        "listed")
    parser.add_argument("--project", type=Path, default=None,
                        help="project folder (default: found from the timeline)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pickup.hosts.handoff import export_for

    loaded = load(args)
    out = args.output or loaded.path.with_name(f"{loaded.path.stem}.{args.target}")
    approved = _approved_takes(loaded, args.project) if args.approved_only else None
    result = export_for(loaded, args.target, out, profile=args.codec, say=say,
                        approved=approved, project=args.project)
    for slot_id, key in result.swapped.items():
        say(f"{slot_id}: handed over approved take {key} (the cut shows another take)")
    if result.unapproved:
        how = _left_as(result, loaded)
        say(f"pickup: {len(result.unapproved)} slot(s) without an approved take, handed "
            f"over {how}: {', '.join(result.unapproved)}")
    if result.lossless:
        gaps = (f" (the slots without an approved take {_left_as(result, loaded)})"
                if result.unapproved else "")
        say(f"patched {loaded.path.name} at the filled slots{gaps}: nothing else changed")
    else:
        say(f"converted {loaded.format.label} to {result.target.format} through OTIO's "
            f"{result.target.adapter} adapter")
        for line in result.losses or ["the adapter kept every marker, track, clip and gap"]:
            say(f"pickup: {'warning: ' if result.losses else ''}{line}")
    if result.target.name == "resolve":
        say("written as Resolve's OTIO import reads it (as `pickup resolve send` does): one "
            "media reference per clip (OTIO Clip.1), plain file paths")
    say(f"{len(result.media)} clip(s) in {out / 'media'}")
    if result.ale:
        say(f"ALE: {result.ale}")
    say("To import:")
    for number, step in enumerate(result.steps(), start=1):
        say(f"  {number}. {step}")
    print(result.timeline)
    return 0


def _left_as(result: HandoffResult, loaded: LoadedTimeline) -> str:
    """How slots without an approved take were handed over."""
    return ("as before the fill" if result.lossless and loaded.format.name != "otio"
            else "as gaps")


def _approved_takes(loaded: LoadedTimeline, project: Path | None) -> dict[str, dict[int, Take]]:
    """slot id -> its approved (or locked) takes, from the project state."""
    from pickup.hosts.filled import Take, filled_clips
    from pickup.project import Project
    from pickup.takes.model import media_path_of
    from pickup.takes.store import TakeStore
    from pickup.workflow.state import read_state

    proj = Project.find(loaded.path, project, loaded.timeline)
    state = read_state(proj)
    store = TakeStore.load(proj) if proj.takes_path.is_file() else None
    out: dict[str, dict[int, Take]] = {}
    for clip in filled_clips(loaded):
        numbers = state[clip.slot.id].approved() if clip.slot.id in state else []
        own = {t.number: t for t in clip.takes}
        stored = store.get(clip.slot.id) if store is not None else None
        refs = stored.media_references() if stored is not None else {}
        takes: dict[int, Take] = {}
        for number in numbers:
            if number in own:
                takes[number] = own[number]
                continue
            path = media_path_of(refs.get(f"T{number:02d}"))
            if path is not None:  # same target as the active take: same timing
                takes[number] = Take(f"T{number:02d}", path, clip.active.start_frame,
                                     clip.active.frames, clip.active.rate)
        out[clip.slot.id] = takes
    return out
