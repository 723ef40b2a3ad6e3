"""``pickup relink TIMELINE --search DIR``: point clips at media that moved.

Every media file the timeline names that is not there (the editor's clips, and every
take Pickup put in) is looked for under DIR by file name, checksum (takes) and start
timecode (see :mod:`pickup.workflow.relink`).  What was found is written through the
format's own patch (only the media paths change), atomically, to ``-o OUT``,
``--in-place`` (keeping ``<name>.bak``) or ``<stem>.relinked<ext>`` beside the input;
the project's take store follows moved takes too.
Each relinked file is reported with how it was found; files not found are listed.
Exit 0 when every missing file was found, 1 when some were not (the ones found are
still written), 2 for bad input.  The last stdout line is the file written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pickup.cli.common import add_timeline_args, emit_json, load, say
from pickup.errors import InputError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "relink", help="point clips at media that moved (takes and the editor's clips)",
        description=(__doc__ or "").partition("\n\n")[2].replace("\n", " "))
    add_timeline_args(parser)
    parser.add_argument("--search", type=Path, required=True, metavar="DIR",
                        help="folder to look in (with its sub-folders)")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="output timeline (default <stem>.relinked<ext> beside the input)")
    parser.add_argument("--in-place", action="store_true",
                        help="overwrite the input, keeping <name>.bak")
    parser.add_argument("--dry-run", action="store_true",
                        help="say what would be relinked; write nothing")
    parser.add_argument("--project", type=Path, default=None,
                        help="project folder (default: found from the timeline)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.set_defaults(func=run)


def _dest(args: argparse.Namespace) -> Path:
    if args.in_place and args.output is not None:
        raise InputError("give either --in-place or -o, not both")
    if args.in_place:
        return Path(args.timeline)
    timeline = Path(args.timeline)
    return args.output or timeline.with_name(f"{timeline.stem}.relinked{timeline.suffix}")


def _clips(names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f" (clip {shown})" if len(names) == 1 else f" (clips {shown})" if names else ""


def run(args: argparse.Namespace) -> int:
    from pickup.timeline.repath import repath
    from pickup.workflow.relink import find_missing, plan_relink, relink_store, store_checksums

    dest = None if args.dry_run else _dest(args)
    loaded = load(args)
    missing = find_missing(loaded, store_checksums(loaded, args.project))
    plan = plan_relink(missing, args.search) if missing else None
    written: Path | None = None
    store: Path | None = None
    counts: dict[Path, int] = {}
    if plan is not None and plan.relinked and dest is not None:
        counts = repath(loaded, plan.moves, dest, backup=bool(args.in_place))
        written = dest
        store = relink_store(loaded, plan.moves, args.project)
    relinked = plan.relinked if plan else []
    unresolved = plan.unresolved if plan else []
    unwritten = [r for r in relinked if dest is not None and counts.get(r.old, 0) == 0]
    if args.json:
        emit_json({"timeline": str(loaded.path), "output": str(written) if written else None,
                   "take_store": str(store) if store else None,
                   "missing": len(missing), "dry_run": bool(args.dry_run),
                   "relinked": [{"old": str(r.old), "new": str(r.new), "how": r.how,
                                 "clips": list(r.clips)} for r in relinked],
                   "not_found": [{"old": str(u.old), "why": u.why, "clips": list(u.clips)}
                                 for u in unresolved]})
        return 1 if unresolved or unwritten else 0
    name = loaded.path.name
    if not missing:
        say(f"{name}: every media file it names is where it says; nothing to relink")
        return 0
    say(f"{name}: {len(missing)} media file(s) not where the timeline says; looked in "
        f"{args.search}")
    verb = "would relink" if args.dry_run else "relinked"
    for r in relinked:
        say(f"{verb} {r.old.name}{_clips(r.clips)} -> {r.new} (by {r.how})")
    for u in unresolved:
        say(f"not found: {u.old}{_clips(u.clips)}: {u.why}")
    for r in unwritten:
        say(f"pickup: warning: {name} does not spell {r.old} as Pickup read it; that clip "
            "was not relinked in the file written")
    if store is not None:
        say(f"the take store follows the moved takes too: {store}")
    say(f"{len(relinked) - len(unwritten)} of {len(missing)} relinked"
        + ("" if not unresolved else f"; {len(unresolved)} not found"))
    if written is not None:
        print(written)
    return 1 if unresolved or unwritten else 0
