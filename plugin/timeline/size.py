"""The picture size of a sequence: most timeline files do not say it plainly.

Looked for, in order: an explicit override (``--size``), any ``width``/``height`` pair
in the timeline's metadata (Pickup's own ``pickup`` table, Resolve's and Premiere's
exports, FCP's format), else 1920x1080.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pickup.timeline.read import LoadedTimeline

__all__ = ["DEFAULT_SIZE", "sequence_size"]

DEFAULT_SIZE = (1920, 1080)


def _tables(data: Any, depth: int = 0) -> Iterator[Any]:
    """Every mapping inside ``data`` (OTIO metadata), depth-first, at most 8 deep."""
    if depth > 8:
        return
    if hasattr(data, "items"):
        yield data
        for value in data.values():
            yield from _tables(value, depth + 1)
    elif isinstance(data, (list, tuple)) or type(data).__name__ == "AnyVector":
        for value in data:
            yield from _tables(value, depth + 1)


def sequence_size(loaded: LoadedTimeline, override: tuple[int, int] | None = None
                  ) -> tuple[tuple[int, int], str]:
    """(width, height) and where it came from: ``--size``, timeline metadata, default."""
    if override:
        return override, "--size"
    for table in _tables(loaded.timeline.metadata):
        keys = {str(k).lower(): k for k in table}
        if "width" in keys and "height" in keys:
            try:
                w, h = int(table[keys["width"]]), int(table[keys["height"]])
            except (TypeError, ValueError):
                continue
            if 16 <= w <= 8192 and 16 <= h <= 8192:
                return (w, h), "timeline metadata"
    if loaded.format.name == "fcpxml":
        from pickup.timeline.fcpxml_read import sequence_format

        found = sequence_format(loaded.path, loaded.timeline.name)
        if found is not None:
            return (found[0], found[1]), "the project's <format>"
    return DEFAULT_SIZE, "default (pass --size WxH)"
