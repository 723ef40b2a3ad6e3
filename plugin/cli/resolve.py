"""``pickup resolve``: round trips with a running DaVinci Resolve, and its Scripts launcher.

``open`` exports the current timeline and opens the panel on it, ``send`` brings a
filled timeline back (a new timeline ``<name> pickup vNN``, or ``--as-takes`` on
the placeholder clips), ``fill`` does export, fill and send in one go, and
``install``/``uninstall`` manage the Workspace > Scripts > Pickup launcher.  When
Resolve cannot be reached the command exits 2 and says how to use file mode.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pickup.cli.common import say
from pickup.cli.fill import add_fill_args

__all__ = ["register", "run_fill", "run_install", "run_open", "run_send", "run_uninstall"]


def register(sub: Any) -> None:
    parser = sub.add_parser("resolve", help="round trips with a running DaVinci Resolve",
                            description=(__doc__ or "").partition("\n\n")[2].replace("\n", " "))
    verbs = parser.add_subparsers(dest="resolve_command", metavar="ACTION",
                                  parser_class=type(parser))
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])

    p = verbs.add_parser("open", help="export the current timeline and open the panel on it")
    p.add_argument("--dir", type=Path, default=None,
                   help="export folder (default ~/Documents/Pickup/Resolve/<project>)")
    p.add_argument("--file", type=Path, default=None,
                   help="open this exported timeline instead of asking Resolve")
    p.add_argument("--no-panel", action="store_true",
                   help="only export; print the file written")
    p.set_defaults(func=run_open)

    p = verbs.add_parser("send", help="send a filled timeline back to Resolve",
                         description="Import the takes into a 'Pickup' bin and the filled "
                         "timeline as a new timeline '<name> pickup vNN'; the editor's "
                         "timelines are not touched.  With --as-takes, add the takes to the "
                         "placeholder clips of the current timeline instead, to swap them "
                         "with Resolve's take selector.")
    p.add_argument("timeline", type=Path, help="the filled timeline (<name>.pickup.otio)")
    p.add_argument("--name", default=None, help="base name of the new timeline")
    p.add_argument("--as-takes", action="store_true",
                   help="add takes to the placeholder clips instead of a new timeline")
    p.add_argument("--timeline", dest="target", default=None, metavar="NAME",
                   help="with --as-takes: the Resolve timeline (default: the current one)")
    p.add_argument("--finalize", action="store_true",
                   help="with --as-takes: keep only the active take (cannot be undone)")
    p.add_argument("--no-open", action="store_true",
                   help="do not make the new timeline the current one")
    p.set_defaults(func=run_send)

    p = verbs.add_parser("fill", help="export, fill every marked slot, send back",
                         description="Headless: export the current timeline, fill its "
                         "slots through the same workflow as `pickup fill` (same options, "
                         "progress, journal and project folder) and send the result back "
                         "as a new timeline.  Exit 0 when every take was made, 1 when some "
                         "failed (the others are sent), 2 for bad input, 130 when "
                         "cancelled with Ctrl-C (nothing is sent; finished takes are kept "
                         "and reused by the next run).")
    add_fill_args(p, size_help="take size (default: the Resolve timeline's "
                  "resolution)")
    p.add_argument("--project", type=Path, default=None,
                   help="project folder (default <stem>.pickup/ beside the export)")
    p.add_argument("--dir", type=Path, default=None, help="export folder (see `open`)")
    p.add_argument("--name", default=None, help="base name of the new timeline")
    p.set_defaults(func=run_fill)

    for verb, func, text in (("install", "run_install", "put the launcher in place"),
                             ("uninstall", "run_uninstall", "remove the launcher")):
        p = verbs.add_parser(verb, help=f"{text} (Workspace > Scripts > Pickup)")
        scope = p.add_mutually_exclusive_group()
        scope.add_argument("--user", dest="scope", action="store_const", const="user",
                           help="for the current user (default)")
        scope.add_argument("--system", dest="scope", action="store_const", const="system",
                           help="for all users (needs administrator rights)")
        p.add_argument("--dest", type=Path, default=None,
                       help="the Scripts/Utility folder, instead of the OS default")
        p.set_defaults(func=globals()[func], scope="user")


def _session() -> Any:
    from pickup.hosts.resolve.connect import connect

    return connect()



def run_open(args: argparse.Namespace) -> int:
    from pickup.hosts.resolve.workflow import open_in_pickup, open_panel

    if args.file is not None:
        if not args.file.is_file():
            from pickup.errors import InputError

            raise InputError("no such file", where=str(args.file))
        print(args.file)
        return 0 if args.no_panel else open_panel(args.file)
    session = _session()
    result = open_in_pickup(session, root=args.dir, panel=False)
    for note in result.notes:
        say(f"pickup: note: {note}")
    say(f"exported Resolve timeline {result.timeline_name!r} of project "
        f"{result.project_name!r} as {result.format}")
    print(result.path)
    return 0 if args.no_panel else open_panel(result.path)


def _report(result: Any) -> None:
    if result.imported:
        say(f"imported {len(result.imported)} take file(s) into the {result.bin_name!r} bin")
    if result.reused:
        say(f"{len(result.reused)} take file(s) were already in the {result.bin_name!r} bin")
    for slot, count in result.takes_added.items():
        say(f"slot {slot}: added {count} take(s)")
    for note in result.notes:
        say(f"pickup: note: {note}")


def run_send(args: argparse.Namespace) -> int:
    from pickup.hosts.resolve.workflow import send

    if (args.target or args.finalize) and not args.as_takes:
        from pickup.errors import InputError

        raise InputError("--timeline and --finalize go with --as-takes", hint="add --as-takes")
    session = _session()
    result = send(session, args.timeline, as_takes=args.as_takes, name=args.name,
                  timeline=args.target, finalize=args.finalize,
                  open_timeline=not args.no_open)
    _report(result)
    if result.mode == "timeline":
        say(f"created Resolve timeline {result.timeline_name!r}; your timelines are "
            "unchanged")
    else:
        say(f"added takes in Resolve timeline {result.timeline_name!r}; switch them with "
            "the take selector" + (" (finalized)" if args.finalize else ""))
    print(result.timeline_name)
    return 0


def run_fill(args: argparse.Namespace) -> int:
    from pickup.cli.fill import (
        FillDisplay,
        fill_options,
        say_filled,
        say_outcome,
        say_unfilled,
    )
    from pickup.hosts.resolve.workflow import fill_and_send

    options = fill_options(args)
    session = _session()
    with FillDisplay() as shown:
        result = fill_and_send(session, options, root=args.dir, name=args.name,
                               on_plan=shown.on_plan, on_event=shown.on_event,
                               cancel=shown.cancel, say=say)
    say(f"exported Resolve timeline {result.exported.timeline_name!r} to "
        f"{result.exported.path}")
    outcome = result.outcome
    assert outcome is not None
    say_outcome(outcome, again="`pickup resolve fill`")
    if outcome.cancelled:
        say("pickup: nothing was sent to Resolve")
        return result.fill_code
    say_filled(outcome)
    say_unfilled(outcome)
    if result.sent is None:
        say("pickup: nothing was sent to Resolve: the fill wrote no timeline")
        return result.fill_code
    _report(result.sent)
    say(f"filled {result.filled}; created Resolve timeline {result.sent.timeline_name!r}")
    print(result.sent.timeline_name)
    return result.fill_code


def run_install(args: argparse.Namespace) -> int:
    from pickup.hosts.resolve.install import install

    result = install(args.scope, args.dest)
    say(f"{result.action} the Resolve launcher; restart Resolve and choose "
        "Workspace > Scripts > Pickup")
    print(result.path)
    return 0


def run_uninstall(args: argparse.Namespace) -> int:
    from pickup.hosts.resolve.install import uninstall

    result = uninstall(args.scope, args.dest)
    say("removed the Resolve launcher" if result.action == "removed"
        else "the Resolve launcher was not installed there")
    print(result.path)
    return 0
