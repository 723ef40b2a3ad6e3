"""``pickup takes``: every slot of a timeline with its takes, status, cost and the active one.

Works on any timeline Pickup reads, including one the editor re-exported: slots are
found again by what Pickup wrote (see :mod:`pickup.takes.reassociate`); slots of the
take store that are not in the timeline are reported on stderr, never guessed.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from pickup.cli.common import add_timeline_args, emit_json, load, say
from pickup.config import load_config
from pickup.takes.model import SlotTakes, rank_by_seams
from pickup.takes.ops import Session, open_session

__all__ = ["add_session_args", "register", "run", "session"]


def add_session_args(parser: argparse.ArgumentParser) -> None:
    add_timeline_args(parser)
    parser.add_argument("--project", type=Path, default=None,
                        help="project folder holding takes.otio (default: found from the "
                        "timeline's name or its Pickup media)")


def session(args: argparse.Namespace) -> Session:
    """Open the timeline, its project and take store; warn about slots not found."""
    loaded = load(args)
    s = open_session(args.timeline, rate=loaded.rate, adapter=args.adapter,
                     project=args.project, tags=load_config().tags, loaded=loaded)
    for line in s.assoc.warnings():
        say(f"pickup: warning: {line}")
    return s


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "takes", help="list every slot's takes, their status and cost, and the active one",
        description="List the slots of a timeline with their takes (from the timeline and "
        "the project's take store), each take's status, provider, model, cost and media, "
        "and which one is in the cut.  Slots the store knows but the timeline lacks "
        "(deleted, or re-exported without Pickup's names and media) are reported on stderr.")
    add_session_args(parser)
    parser.add_argument("slot", nargs="?", default=None, help="only this slot")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--rank", choices=("seams",), default=None,
                        help="order each slot's takes: `seams` = best-matching seams first "
                        "(the worse of the two SSIM figures; unmeasured takes last)")
    parser.set_defaults(func=run)


def _ordered(takes: SlotTakes, rank: str | None) -> SlotTakes:
    if rank != "seams":
        return takes
    return replace(takes, takes=tuple(rank_by_seams(takes.takes)))


def run(args: argparse.Namespace) -> int:
    s = session(args)
    slots = [s.assoc.get(args.slot)] if args.slot else list(s.assoc.slots)
    if args.json:
        emit_json({"slots": [_ordered(f.takes, args.rank).to_json() | {"id": f.slot_id}
                             for f in slots]})
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
    table = Table(title=f"{s.loaded.path.name}: takes (store {s.store.path})",
                  title_justify="left")
    for column in ("slot", "record in", "take", "", "status", "provider", "model", "USD",
                   "seam in (SSIM / hist)", "seam out (SSIM / hist)", "media", "note"):
        table.add_column(column, overflow="fold")
    for f in slots:
        record_in = f.record_in(s.loaded.start_frame)
        if not f.takes.takes:
            table.add_row(f.slot_id, record_in, "-", "", "not filled", "", "", "", "", "", "")
        for n, take in enumerate(_ordered(f.takes, args.rank).takes):
            seams = take.seams
            table.add_row(f.slot_id if n == 0 else "", record_in if n == 0 else "", take.key,
                          "active" if take.key == f.active else "",
                          take.status + (" (stale)" if take.stale else ""), take.provider,
                          take.model or "", f"{take.cost:.2f}" if take.cost is not None else "",
                          seams.head.text() if seams else "not measured",
                          seams.tail.text() if seams else "not measured",
                          Path(take.media).name, take.note or "")
            rate = float(take.meta.get("slot_rate") or 0) or None
            for seg in take.segments or ():
                start, frames = int(seg.get("start") or 0), int(seg.get("frames") or 0)
                span = (f"{start / rate:.2f}-{(start + frames) / rate:.2f} s" if rate
                        else f"frames {start}-{start + frames - 1}")
                index = int(seg.get("index") or 0)
                source = {"previous": f"from seg {index - 1}", "outgoing": "from outgoing"
                          }.get(str(seg.get("first")), "independent")
                table.add_row("", "", f"  seg {seg.get('index')}", "", span, "", source,
                              f"{float(seg.get('cost') or 0):.2f}", "", "",
                              f"job {seg.get('job_id')}", "")
    console.print(table)
    return 0
