"""``pickup use|approve|reject|lock|revert|prune``: choose and keep takes.

``use`` swaps the active take of a slot (in place, keeping a ``.bak``, or ``-o OUT``)
changing only that clip's media; ``approve``/``reject``/``lock`` set a take's status
(and ``--note``); ``revert`` puts the placeholder back (OTIO; a filled gap in FCP7 XML,
EDL and AAF too); ``prune`` removes takes
nobody uses.  The last stdout line is the file written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pickup.cli.common import say
from pickup.cli.takes import add_session_args, session
from pickup.takes.model import normalise_key
from pickup.workflow import takeverbs
from pickup.workflow.state import approve_in_cut

__all__ = ["register"]


def register(sub: Any) -> None:
    use = sub.add_parser(
        "use", help="make a take the active one of a slot (swap it in the cut)",
        description="Swap the take a slot shows.  Only that clip's media changes: position, "
        "duration, effects and markers stay.  Writes the timeline in place (keeping "
        "<name>.bak) or to -o OUT (same format, or .otio).  A take shorter than the slot "
        "is refused.  The last stdout line is the file written.")
    add_session_args(use)
    use.add_argument("slot", help="slot id (pickup takes lists them)")
    use.add_argument("take", help="take, e.g. T02")
    use.add_argument("-o", "--output", type=Path, default=None,
                     help="write here instead of in place")
    use.set_defaults(func=_use)
    for name, status, text in (("approve", "approved", "mark a take approved"),
                               ("reject", "rejected", "mark a take rejected"),
                               ("lock", "locked", "lock a take: it never changes, and a "
                                "slot locked on its active take is never swapped")):
        more = (" Approving means \"this is the one\": the take becomes the active one "
                "in the cut (the file is swapped in place, keeping a backup), and another "
                "approved take of the slot is un-approved after asking (-y: without "
                "asking; --keep-other: keep several approved).") if name == "approve" else ""
        parser = sub.add_parser(name, help=text, description=text.capitalize() + ".  The "
                                "status is kept in the project's take store (and in an OTIO "
                                "timeline); the panel shows it too." + more)
        add_session_args(parser)
        parser.add_argument("slot", help="slot id")
        parser.add_argument("take", help="take, e.g. T02")
        parser.add_argument("--note", default=None,
                            help="a note kept with the take (shown by `pickup takes`, the "
                            "report, the contact sheet and the panel)")
        if name == "approve":
            parser.add_argument("--keep-other", action="store_true",
                                help="keep other approved takes of the slot approved")
            parser.add_argument("-y", "--yes", action="store_true",
                                help="un-approve another approved take without asking")
        if name == "lock":
            parser.add_argument("--unlock", action="store_true",
                                help="unlock (the take becomes approved)")
        parser.set_defaults(func=_status, status=status)
    revert = sub.add_parser(
        "revert", help="put a slot's placeholder back (the takes are kept)",
        description="Make the placeholder (or the gap, as an offline clip) the slot's "
        "active reference again; the takes stay in the take store.  OTIO: in place, or "
        "-o OUT.otio from any format.  FCP7 XML, EDL (and its ALE) and AAF: a slot that was "
        "a gap becomes a gap again, the file as it was before filling (in place keeping "
        "<name>.bak, or -o OUT with the same suffix); a slot that was a placeholder clip, "
        "and FCPXML, are refused (use -o OUT.otio).")
    add_session_args(revert)
    revert.add_argument("slot", help="slot id")
    revert.add_argument("-o", "--output", type=Path, default=None,
                        help="write here instead of in place (same suffix, or .otio)")
    revert.set_defaults(func=_revert)
    prune = sub.add_parser(
        "prune", help="remove takes nobody uses, and their media",
        description="Remove takes that are neither active nor approved nor locked, and "
        "delete their media from the project folder (files elsewhere are never deleted).")
    add_session_args(prune)
    prune.add_argument("--keep", choices=("approved", "temp"), default="approved",
                       help="approved (default): remove temp and rejected takes; temp: "
                       "remove only rejected ones")
    prune.add_argument("--dry-run", action="store_true", help="list, remove nothing")
    prune.set_defaults(func=_prune)


def _use(args: argparse.Namespace) -> int:
    s = session(args)
    swapped = takeverbs.swap(s, args.slot, args.take, args.output)
    say(f"slot {args.slot}: {swapped.key} is active")
    print(swapped.written)
    return 0


def _confirm(args: argparse.Namespace) -> Any:
    """Ask on the terminal before un-approving (``-y``: yes; no terminal: no)."""
    def ask(keys: list[str]) -> bool:
        if args.yes:
            return True
        if not sys.stdin.isatty():
            return False
        answer = input(f"slot {args.slot}: un-approve {', '.join(keys)}? [y/N] ")
        return answer.strip().lower() in ("y", "yes")

    return ask


def _status(args: argparse.Namespace) -> int:
    s = session(args)
    status = args.status
    if status == "approved":
        written = approve_in_cut(s, args.slot, args.take, note=args.note,
                                 keep_other=args.keep_other, confirm=_confirm(args))
        say(f"slot {args.slot} take {normalise_key(args.take)}: approved and active")
        print(written)
        return 0
    if status == "locked":
        unlock = bool(args.unlock)
        written = takeverbs.lock(s, args.slot, args.take, args.note, unlock=unlock)
        status = "approved" if unlock else status
    else:
        written = takeverbs.reject(s, args.slot, args.take, args.note)
    say(f"slot {args.slot} take {normalise_key(args.take)}: {status}")
    print(written)
    return 0


def _revert(args: argparse.Namespace) -> int:
    s = session(args)
    reverted = takeverbs.revert(s, args.slot, args.output)
    say(f"slot {args.slot}: {reverted.describe()} (takes kept in {s.store.path})")
    print(reverted.written)
    return 0


def _prune(args: argparse.Namespace) -> int:
    s = session(args)
    removed = takeverbs.prune(s, args.keep, dry_run=args.dry_run)
    for p in removed:
        verb = "would remove" if args.dry_run else "removed"
        say(f"{verb} slot {p.slot_id} take {p.key}"
            + (" and its media" if p.deleted else "") + (f" ({p.media})" if p.media else ""))
    say(f"{len(removed)} take(s) {'to prune' if args.dry_run else 'pruned'}")
    print(s.store.path)
    return 0
