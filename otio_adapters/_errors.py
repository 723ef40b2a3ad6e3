"""The one exception the adapters raise: what is wrong, in which file and line, what to do."""

from __future__ import annotations

import opentimelineio as otio

from pickup.errors import TimelineError, WriteError

__all__ = ["AdapterError", "AdapterWriteError", "where"]


class AdapterError(TimelineError, otio.exceptions.OTIOError):
    """A screenplay or shot list that cannot be read or written.

    It is a :class:`pickup.errors.TimelineError` (so Pickup shows it as bad input,
    exit code 2) and an OTIO ``OTIOError`` (so ``otioconvert`` prints one line
    instead of a traceback).
    """


def where(source: str, line: int | None = None, unit: str = "line") -> str:
    """``film.fountain, line 12`` (or just the file when the line is unknown)."""
    return f"{source}, {unit} {line}" if line else source


class AdapterWriteError(WriteError, otio.exceptions.OTIOError):
    """Writing a shot list failed (full disk, file-size limit): exit code 1, the old file
    is untouched."""
