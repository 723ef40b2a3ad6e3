"""Options and helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
import json
import re
import sys
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pickup.errors import InputError

if TYPE_CHECKING:
    from pickup.timeline import LoadedTimeline

__all__ = ["add_timeline_args", "emit_json", "load", "nonneg_int", "parse_exact_rate",
           "parse_money", "parse_rate", "parse_size", "positive_int", "require_slot", "say"]


_NTSC = {"23.976": Fraction(24000, 1001), "23.98": Fraction(24000, 1001),
         "29.97": Fraction(30000, 1001), "47.952": Fraction(48000, 1001),
         "59.94": Fraction(60000, 1001), "119.88": Fraction(120000, 1001)}


def parse_exact_rate(text: str) -> Fraction:
    """``24``, ``25``, ``23.976`` (= 24000/1001), ``29.97`` or ``30000/1001``, exactly."""
    text = text.strip()
    try:
        rate = _NTSC.get(text) or Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"not a frame rate: {text!r} (try 24, 23.976, "
                                         "25, 29.97 or 30000/1001)") from None
    if not 1 <= rate <= 240:
        raise argparse.ArgumentTypeError(f"frame rate out of range (1-240): {text!r}")
    return rate


def parse_rate(text: str) -> float:
    """A frame rate as OTIO takes it (float; NTSC rates exact to OTIO's precision)."""
    return float(parse_exact_rate(text))


def parse_size(text: str) -> tuple[int, int]:
    """``1920x1080`` as (width, height), each 16 to 8192."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX×*:]\s*(\d+)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (write it as 1920x1080)")
    w, h = int(match.group(1)), int(match.group(2))
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"size out of range (16-8192): {text!r}")
    return w, h


def _whole(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be {minimum} or more, not {value}")
    return value


def positive_int(text: str) -> int:
    """A whole number of 1 or more (takes, frames, concurrency)."""
    return _whole(text, 1)


def nonneg_int(text: str) -> int:
    """A whole number of 0 or more (handles)."""
    return _whole(text, 0)


def parse_money(text: str) -> float:
    """An amount in USD: ``5``, ``2.50`` or ``$2.50``; not negative."""
    try:
        value = float(text.strip().lstrip("$"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an amount in USD: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"cannot be negative: {text!r}")
    return value


def add_timeline_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("timeline", type=Path, help="timeline file (.otio .otioz .edl .xml "
                        ".fcpxml .aaf, or any OTIO adapter's suffix)")
    parser.add_argument("--rate", type=parse_rate, default=None,
                        help="sequence rate (EDLs only; detected when omitted)")
    parser.add_argument("--adapter", default=None,
                        help="OTIO adapter to read with, instead of the suffix's")


def load(args: argparse.Namespace) -> LoadedTimeline:
    from pickup.workflow.edl_rate import read_cut  # OTIO loads only for commands that read

    loaded, note = read_cut(args.timeline, rate=args.rate, adapter=args.adapter,
                            project=getattr(args, "project", None))
    if note:
        say(f"{loaded.path.name}: {note}")
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
