"""Media with PyAV: probe, conform, neighbour frames, thumbnails, contact sheets.  The
only core code that imports ``av``."""

from __future__ import annotations

from pickup.media.conform import PROFILES, ConformTarget, conform, profile_suffix
from pickup.media.frames import frame_image, frame_images, save_png
from pickup.media.probe import MediaInfo, probe
from pickup.media.thumbnails import Thumbnails, thumbnail_images, thumbnails

__all__ = [
    "PROFILES",
    "ConformTarget",
    "MediaInfo",
    "Thumbnails",
    "conform",
    "frame_image",
    "frame_images",
    "probe",
    "profile_suffix",
    "save_png",
    "thumbnail_images",
    "thumbnails",
]
