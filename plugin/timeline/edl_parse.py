"""Read a CMX 3600 EDL with OpenTimelineIO's cmx_3600 adapter in linear time.

The adapter's ``EDLParser.parse_edl`` consumes its list of lines with ``list.pop(0)``,
which moves every remaining line each time: a 200,000-event EDL spent most of its scan
there.  :class:`ChunkedEDLParser` feeds the adapter's own ``parse_edl`` the EDL in pieces
of a few thousand lines, cut only where the adapter would start a new event anyway, so
each piece is parsed by the adapter's code with a short list.  The result is the one the
adapter returns for the whole text (``tests/timeline/test_edl_parse.py`` compares them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import opentimelineio as otio
from otio_cmx3600_adapter.cmx_3600 import EDLParser

__all__ = ["ChunkedEDLParser", "read_edl_string"]

#: lines per piece at least; a long EDL gets pieces of ``25 * sqrt(lines)``: the cost of
#: ``pop(0)`` grows with the piece, that of the adapter's closing track check (which walks
#: every track, and runs once a piece) with the number of pieces (measured on 400,000
#: lines: 2,000 -> 16.6 s, 16,000 -> 13.7 s, 64,000 -> 16.0 s CPU)
CHUNK_LINES = 4000

_NUMBER = re.compile(r"^\d+")


def _lines(edl_string: str) -> list[str]:
    """The lines the adapter parses: stripped, blank ones dropped (as ``parse_edl``)."""
    return [line for line in (raw.strip() for raw in edl_string.splitlines()) if line]


def _pieces(lines: list[str], size: int) -> Iterator[list[str]]:
    """``lines`` cut into pieces of at least ``size`` lines, each cut before a line where
    the adapter's loop necessarily starts a new entry: an event number different from the
    last numbered line's (the adapter collects same-number lines as its transition), not
    one of the two lines a ``SPLIT`` takes.  Cutting nowhere is always safe; these rules
    only ever keep lines together that might belong together."""
    start = 0
    last_number: int | None = None
    for i, line in enumerate(lines):
        match = _NUMBER.match(line)
        if match is None:
            continue
        number = int(match.group(0))
        after_split = any(lines[j].startswith("SPLIT") for j in (i - 1, i - 2) if j >= 0)
        if (i - start >= size and last_number is not None and number != last_number
                and not after_split):
            yield lines[start:i]
            start = i
        last_number = number
    yield lines[start:]


class ChunkedEDLParser(EDLParser):
    """The adapter's parser, given the EDL a piece at a time.

    Between pieces the adapter's closing step (a track whose range equals its available
    range loses its ``source_range``) is undone, since the adapter runs it once, after
    the last event; the range it cleared is, by that test, the track's available range.
    """

    def __init__(self, edl_string: str, rate: float = 24,
                 ignore_timecode_mismatch: bool = False, *,
                 chunk_lines: int | None = None) -> None:
        self.chunk_lines = chunk_lines
        # the adapter's own read_from_string passes float(rate); its signature says int
        super().__init__(edl_string, rate=rate,  # pyright: ignore[reportArgumentType]
                         ignore_timecode_mismatch=ignore_timecode_mismatch)

    def parse_edl(self, edl_string: str, rate: float = 24) -> None:
        lines = _lines(edl_string)
        size = self.chunk_lines or max(CHUNK_LINES, int(25 * math.sqrt(len(lines))))
        pieces = list(_pieces(lines, max(1, size)))
        for n, piece in enumerate(pieces):
            super().parse_edl("\n".join(piece),
                              rate=rate)  # pyright: ignore[reportArgumentType]
            if n + 1 < len(pieces):
                for track in self.timeline.tracks:
                    if track.source_range is None:
                        track.source_range = track.available_range()


def read_edl_string(text: str, rate: float = 24, *, ignore_timecode_mismatch: bool = False,
                    chunk_lines: int | None = None) -> Any:
    """What ``otio.adapters.read_from_string(text, adapter_name="cmx_3600", rate=rate)``
    returns (a :class:`otio.schema.Timeline`), read in time linear in the EDL's length.
    The adapter's errors (``EDLParseError``) pass through unchanged.  ``chunk_lines``
    forces the piece size (tests cut at every event boundary with 1)."""
    parser = ChunkedEDLParser(text, rate=float(rate),
                              ignore_timecode_mismatch=ignore_timecode_mismatch,
                              chunk_lines=chunk_lines)
    timeline: otio.schema.Timeline = parser.timeline
    return timeline
