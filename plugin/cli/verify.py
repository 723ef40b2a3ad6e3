"""``pickup verify ORIGINAL WRITTEN [--json]``: what changed, per slot, and anything else.

Re-reads both files with readers Pickup did not write (ElementTree for FCP7 XML and
FCPXML, pycmx for EDL, pyaaf2 for AAF), lists the slots Pickup filled in WRITTEN
(what each new clip replaced), and every difference outside them.  Exit 0 when
nothing changed outside the slots, 1 when something did, 2 when a file cannot be read.
The same check runs on every write-back before the file is put in place.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from pickup.cli.common import say

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    parser = sub.add_parser("verify", help="check a written timeline against the original",
                            description=(__doc__ or "").partition("\n\n")[2].replace("\n", " "))
    parser.add_argument("original", type=Path, help="the editor's timeline file")
    parser.add_argument("written", type=Path, help="the file Pickup wrote from it")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pickup.errors import InputError
    from pickup.timeline import format_for
    from pickup.timeline.verify import verify

    for path in (args.original, args.written):
        if not path.is_file():
            raise InputError("no such file", where=str(path), hint="check the path")
    fmt = format_for(args.original)
    if format_for(args.written).name != fmt.name:
        raise InputError(f"is not {fmt.label} like the original", where=str(args.written),
                         hint="compare two files of the same format")
    report = verify(args.original, args.written, fmt.name)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        for change in report.slots:
            replaced = ", ".join(change.replaced) or "(nothing)"
            print(f"{change.slot_id}  {change.track}  {change.start}-{change.end}  "
                  f"{change.clip}  replaced {replaced}")
        for line in report.outside:
            print(f"outside the slots: {line}")
        say(f"{len(report.slots)} slot(s) filled; "
            + ("nothing else changed" if report.ok else
               f"{len(report.outside)} change(s) outside the slots"))
    return 0 if report.ok else 1
