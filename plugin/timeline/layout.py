"""Where each item of a track sits, in whole frames, computed in one pass.

OTIO's ``range_of_all_children`` builds a Python ``TimeRange`` per child, and reading
its fields costs more than summing ``duration()`` values; on a 10,000-clip cut this
pass is most of what scanning costs, so it lives here once for the slot finder and
the placer.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple

import opentimelineio as otio

__all__ = ["Entry", "TrackLayout"]


class Entry(NamedTuple):
    """One gap, clip or nested composition: its index among the track's children, and
    its start and duration in frames at the sequence rate.  (A NamedTuple: a big cut
    makes tens of thousands of these.)"""

    index: int
    item: otio.core.Item
    start: int
    duration: int

    @property
    def is_gap(self) -> bool:
        return isinstance(self.item, otio.schema.Gap)


class TrackLayout:
    """The entries of a track (transitions skipped: they take no time in a track)."""

    def __init__(self, track: otio.schema.Track, rate: float) -> None:
        entries: list[Entry] = []
        starts: list[int] = []
        position = 0.0
        transition = otio.schema.Transition
        for index, item in enumerate(track):
            if isinstance(item, transition):
                continue
            length = item.duration()
            item_rate = length.rate
            frames = length.value if item_rate == rate else length.value * rate / item_rate
            start = round(position)
            position += frames
            entries.append(Entry(index, item, start, round(position) - start))
            starts.append(start)
        self.entries = entries
        self.starts = starts

    def at(self, frame: int) -> Entry | None:
        """The entry that covers ``frame``, if any."""
        pos = bisect.bisect_right(self.starts, frame) - 1
        if pos >= 0:
            entry = self.entries[pos]
            if entry.start <= frame < entry.start + entry.duration:
                return entry
        return None
