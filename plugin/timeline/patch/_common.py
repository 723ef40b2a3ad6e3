"""Helpers the format patchers share: media facts, frame maths, "the file changed" errors."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from pickup.errors import SlotError
from pickup.timeline.place import Placement
from pickup.timeline.rates import exact_rate

__all__ = ["changed", "exact_rate", "line_end", "media_url", "nominal", "ntsc", "seq_frames"]


def nominal(rate: float | Fraction) -> int:
    """The timecode base of a rate: 24 for 23.976, 30 for 29.97."""
    return round(float(rate))


def ntsc(rate: float | Fraction) -> bool:
    return exact_rate(rate).denominator == 1001


def media_url(p: Placement) -> str:
    return Path(p.media.path).resolve().as_uri()


def seq_frames(p: Placement, rate: float | Fraction) -> int:
    """The media's length in frames at ``rate`` (the sequence rate)."""
    seconds = Fraction(p.media.frames) / Fraction(p.media.rate)
    return int(seconds * exact_rate(rate) + Fraction(1, 1000))


def changed(p: Placement, what: str, where: str) -> SlotError:
    """The slot is no longer what the scan found."""
    return SlotError(f"the timeline changed since it was scanned: {what}",
                     where=f"{where}, slot {p.slot.id}",
                     hint="scan the timeline again and place into the slot it lists")


def line_end(data: bytes) -> bytes:
    """The file's own line end: CRLF, classic Mac CR, or LF (first 4 KB looked at)."""
    head = data[:4096]
    if b"\r\n" in head:
        return b"\r\n"
    return b"\r" if b"\r" in head else b"\n"
