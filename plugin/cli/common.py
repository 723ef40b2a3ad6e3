"""Options and helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pickup.errors import InputError
from pickup.timeline import LoadedTimeline, read_timeline

__all__ = ["add_timeline_args", "emit_json", "load", "parse_rate", "say"]


def parse_rate(text: str) -> float:
    """``24``, ``23.976``, ``24000/1001`` or ``29.97`` as a frame rate."""
    try:
        if "/" in text:
            num, den = text.split("/", 1)
            value = float(num) / float(den)
        else:
            value = float(text)
            if abs(value - 23.976) < 0.001:
                value = 24000 / 1001
            elif abs(value - 29.97) < 0.001:
                value = 30000 / 1001
            elif abs(value - 59.94) < 0.001:
                value = 60000 / 1001
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"not a frame rate: {text!r}") from None
    if not 1 <= value <= 240:
        raise argparse.ArgumentTypeError(f"frame rate out of range: {text!r}")
    return value


def add_timeline_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("timeline", type=Path, help="timeline file (.otio .otioz .edl .xml "
                        ".fcpxml .aaf, or any OTIO adapter's suffix)")
    parser.add_argument("--rate", type=parse_rate, default=None,
                        help="sequence rate (EDLs only; detected when omitted)")
    parser.add_argument("--adapter", default=None,
                        help="OTIO adapter to read with, instead of the suffix's")


def load(args: argparse.Namespace) -> LoadedTimeline:
    loaded = read_timeline(args.timeline, rate=args.rate, adapter=args.adapter)
    if loaded.rate_note:
        say(f"{loaded.path.name}: {loaded.rate_note}")
    return loaded


def say(message: str) -> None:
    """A progress or info line for a person: stderr, so stdout stays parseable."""
    print(message, file=sys.stderr)


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


def require_slot(slots: list[Any], slot_id: str, where: Path) -> Any:
    for slot in slots:
        if slot.id == slot_id:
            return slot
    known = ", ".join(s.id for s in slots) or "none"
    raise InputError(f"no slot {slot_id!r}", where=str(where),
                     hint=f"slots found: {known}; run `pickup scan` to list them")
