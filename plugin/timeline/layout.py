"""Where each item of a track sits, in whole frames, computed in one pass.

OTIO's ``range_of_all_children`` builds a Python ``TimeRange`` per child, and reading
its fields costs more than summing ``duration()`` values; on a 10,000-clip cut this
pass is most of what scanning costs (the first touch of each item makes its Python
object), so it lives here once for the slot finder and the placer.  The pass also
collects what the slot finder looks at next — the items that carry markers and the
items whose names may be marks — so that nothing walks every item twice, and it keeps
plain lists: an :class:`Entry` is made only for an item somebody asks about.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection
from typing import Any, NamedTuple

import opentimelineio as otio

__all__ = ["Entry", "TrackLayout"]


class Entry(NamedTuple):
    """One gap, clip or nested composition: its index among the track's children, and
    its start and duration in frames at the sequence rate."""

    index: int
    item: otio.core.Item
    start: int
    duration: int

    @property
    def is_gap(self) -> bool:
        return isinstance(self.item, otio.schema.Gap)


class TrackLayout:
    """The items of a track in order (transitions skipped: they take no time in a
    track), with their start frames.

    With ``name_initials`` (upper-case first letters of the marking tags) the pass also
    notes which items carry markers (:attr:`marked`) and which non-gap items have a
    name that starts with one of those letters or holds a ``-`` (:attr:`named`: a
    tagged placeholder, or a clip Pickup named with a slot id); the slot finder reads
    only those.  Without it both are empty.
    """

    def __init__(self, track: otio.schema.Track, rate: float,
                 name_initials: Collection[str] | None = None) -> None:
        items: list[otio.core.Item] = []
        starts: list[int] = []
        indexes: list[int] = []
        marked: list[tuple[int, Any]] = []
        named: list[int] = []
        position = 0.0
        scan = name_initials is not None
        initials = frozenset(name_initials or ())
        # isinstance() on OTIO's classes costs about a microsecond; a track holds few
        # types, so each is tested once: type -> (is a transition, is a gap).
        kinds: dict[type, tuple[bool, bool]] = {}
        for index, item in enumerate(track):
            cls = type(item)
            kind = kinds.get(cls)
            if kind is None:
                kind = kinds[cls] = (isinstance(item, otio.schema.Transition),
                                     isinstance(item, otio.schema.Gap))
            if kind[0]:
                continue
            if scan:
                markers = item.markers
                if markers:
                    marked.append((len(items), markers))
                if not kind[1]:
                    name = item.name
                    if name and ("-" in name or name.lstrip()[:1].upper() in initials):
                        named.append(len(items))
            items.append(item)
            indexes.append(index)
            starts.append(round(position))
            position += item.duration().value_rescaled_to(rate)
        self.items = items
        self.starts = starts
        self.indexes = indexes
        self.end = round(position)
        self._marked = marked
        self._named = named
        self._entries: list[Entry] | None = None

    def entry(self, pos: int) -> Entry:
        """The entry of the ``pos``-th item (transitions not counted)."""
        starts = self.starts
        start = starts[pos]
        end = starts[pos + 1] if pos + 1 < len(starts) else self.end
        return Entry(self.indexes[pos], self.items[pos], start, end - start)

    @property
    def entries(self) -> list[Entry]:
        if self._entries is None:
            self._entries = [self.entry(pos) for pos in range(len(self.items))]
        return self._entries

    @property
    def marked(self) -> list[tuple[Entry, Any]]:
        """(entry, its markers) for each item that carries markers."""
        return [(self.entry(pos), markers) for pos, markers in self._marked]

    @property
    def named(self) -> list[Entry]:
        return [self.entry(pos) for pos in self._named]

    def at(self, frame: int) -> Entry | None:
        """The entry that covers ``frame``, if any."""
        pos = bisect.bisect_right(self.starts, frame) - 1
        if pos >= 0:
            entry = self.entry(pos)
            if frame < entry.start + entry.duration:
                return entry
        return None
