"""The ``pickup`` command line: one module per sub-command, errors as one clear line.

Exit codes: 0 success, 2 bad input (the message says what to fix), 1 failure,
130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from pickup import __version__
from pickup.errors import PickupError

__all__ = ["COMMANDS", "main"]

#: Sub-command modules under ``pickup.cli``; each has ``register(subparsers)``.
COMMANDS: tuple[str, ...] = (
    "scan",
    "mark",
    "place",
    "fill",
    "jobs",
    "conform",
    "resolve",
    "export",
    "sheet",
    "providers",
    "auth",
    "takes",
    "takeops",
    "report",
    "verify",
    "relink",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own usage errors exit 2 too
        self.print_usage(sys.stderr)
        self.exit(2, f"pickup: error: {message}\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``only`` (a command name) just that command is registered, so
    running one command does not import every other one's dependencies."""
    parser = _Parser(prog="pickup", description="Fill the marked slots of an edit with "
                     "generated footage, conformed and written back losslessly.")
    parser.add_argument("--version", action="version", version=f"pickup {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in (only,) if only in COMMANDS else COMMANDS:
        importlib.import_module(f"pickup.cli.{name}").register(sub)
    return parser


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse ``argv``, letting options sit between a command's positionals
    (``pickup takes CUT --json SLOT``), which plain argparse refuses."""
    args, extra = parser.parse_known_args(argv)
    command = getattr(args, "command", None)
    if not extra or command is None or "--" in argv:
        # no leftovers, argparse's own error, or `--` (what follows is positional, even
        # `-cut.otio`): argparse's intermixed parsing does not honour `--`.
        return parser.parse_args(argv)
    # argparse has no public way to reach the sub-parsers.
    subparsers = next(a for a in parser._actions
                      if isinstance(a, argparse._SubParsersAction))
    rest = argv[argv.index(command) + 1:]
    for key, value in vars(subparsers.choices[command].parse_intermixed_args(rest)).items():
        setattr(args, key, value)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((w for w in words if not w.startswith("-")), None)
    parser = build_parser(command)
    try:
        args = _parse(parser, words)
    except SystemExit as exc:  # usage errors (2), --help and --version (0)
        return exc.code if isinstance(exc.code, int) else 2
    logging.basicConfig(level=(logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)],
                        format="pickup: %(levelname)s: %(message)s")
    logging.getLogger("opentimelineio").setLevel(logging.ERROR)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        _sweep_leftovers(args)
        return int(args.func(args) or 0)
    except PickupError as exc:
        print(f"pickup: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return 1
    except OSError as exc:  # a file-system failure no layer below turned into a message
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"pickup: error: {where}{exc.strerror or exc} (nothing was changed; check the "
              "folder's permissions and free space, or use --project DIR / -o OUT)",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pickup: interrupted", file=sys.stderr)
        return 130


def _sweep_leftovers(args: argparse.Namespace) -> None:
    """Remove the temp files a killed run left beside the timeline and in its project
    folder (only Pickup's own, only when the process that made them is gone)."""
    from pathlib import Path

    timeline = getattr(args, "timeline", None)
    if not isinstance(timeline, (str, Path)) or not str(timeline):
        return
    from pickup.atomic import sweep_stale_temps
    from pickup.project import Project

    path = Path(timeline)
    project = getattr(args, "project", None)
    folders = [path.parent if str(path.parent) else Path(".")]
    removed = sweep_stale_temps(folders)
    try:
        root = Project.for_timeline(path, Path(project) if project else None).root
    except (OSError, ValueError):
        root = None
    if root is not None and root.is_dir():
        removed += sweep_stale_temps([root], recursive=True)
    if removed:
        logging.getLogger("pickup").info("removed %d temp file(s) left by an interrupted run",
                                         len(removed))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
