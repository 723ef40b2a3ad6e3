"""``pickup report``: the AI-generated shots of a cut as CSV, JSON or HTML."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pickup.cli.common import say
from pickup.cli.takes import add_session_args, session
from pickup.takes.report import FORMATS, report_rows, write_report

__all__ = ["register"]


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "report", help="report every AI-generated shot in the cut (CSV, JSON, HTML)",
        description="One row per generated shot in the cut: record in/out, slot, active "
        "take, provider, model, prompt, seed, cost, status, created; and totals.  HTML "
        "shows a thumbnail per shot.  For producers, clearances and guild disclosure.")
    add_session_args(parser)
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="csv, json or html (default: from -o's suffix)")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="report file (default <stem>.report.html beside the timeline, "
                        "or <stem>.report.<format> with --format)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.output is None:
        timeline = Path(args.timeline)
        args.output = timeline.with_name(f"{timeline.stem}.report.{args.format or 'html'}")
    fmt = args.format or args.output.suffix.lower().lstrip(".")
    if fmt == "htm":
        fmt = "html"
    s = session(args)
    written = write_report(s, fmt, args.output)
    rows = report_rows(s)
    say(f"{len(rows)} generated shot(s), {sum(r.seconds for r in rows):.2f} s, "
        f"USD {sum(r.cost or 0 for r in rows):.2f}")
    print(written)
    return 0
