"""Exact sequence rates: 23.976 means 24000/1001, 29.97 means 30000/1001, 25 means 25.

Timelines carry rates as floats; Pickup conforms, names timecodes and compares
durations with the exact fraction the float stands for.  One helper, so every
module rounds the same way.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["exact_rate", "timecode_frames"]


def exact_rate(rate: float | int | str | Fraction) -> Fraction:
    """The exact frame rate ``rate`` stands for (``23.976`` -> ``24000/1001``).

    The nearest fraction with a denominator up to 1001 is the NTSC family's rate, and
    a whole rate stays whole."""
    return Fraction(rate).limit_denominator(1001)


def timecode_frames(timecode: str, rate: float | Fraction) -> int:
    """``HH:MM:SS:FF`` as a frame count at ``rate`` (OTIO's reading; ``ValueError`` when
    it is not a timecode at that rate)."""
    import opentimelineio as otio

    return round(otio.opentime.from_timecode(timecode, float(rate)).value)
