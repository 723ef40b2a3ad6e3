"""Media with PyAV: probe, conform, neighbour frames, thumbnails.  The only core code
that imports ``av``."""

from __future__ import annotations

from pickup.media.probe import MediaInfo, probe

__all__ = ["MediaInfo", "probe"]
