"""Parse the durations and frame rates people write: ``4s``, ``4.5``, ``96f``, ``23.976``."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

__all__ = ["Duration", "format_rate", "format_seconds", "parse_duration", "parse_rate"]

# Rates written as their usual decimals mean the NTSC fractions.
_NTSC: dict[str, float] = {
    "23.976": 24000 / 1001, "23.98": 24000 / 1001, "29.97": 30000 / 1001,
    "47.952": 48000 / 1001, "47.95": 48000 / 1001, "59.94": 60000 / 1001,
    "119.88": 120000 / 1001,
}

_SECONDS = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(?:s|sec|secs|second|seconds)?", re.I)
_FRAMES = re.compile(r"(\d+(?:\.\d*)?)\s*(?:f|fr|frame|frames)", re.I)
_MIN_SEC = re.compile(r"(\d+)\s*(?:m|min|mins|minutes?)\s*(?:(\d+(?:\.\d*)?)\s*(?:s|sec|secs)?)?",
                      re.I)
_CLOCK = re.compile(r"(\d+):(\d{1,2}(?:\.\d+)?)")
_TIMECODE = re.compile(r"(\d{1,2}):(\d{2}):(\d{2})[:;.](\d{2})")


@dataclass(frozen=True)
class Duration:
    """A length as written: seconds, or frames (at the rate it was written for)."""

    amount: float
    unit: Literal["s", "f"]

    def frames(self, rate: float, *, written_at: float | None = None) -> int:
        """Whole frames at ``rate``; frames written at another rate are rescaled."""
        if self.unit == "s":
            return max(1, round(self.amount * rate))
        if written_at and not math.isclose(written_at, rate):
            return max(1, round(self.amount * rate / written_at))
        return max(1, round(self.amount))

    def seconds(self, rate: float) -> float:
        return self.amount if self.unit == "s" else self.amount / rate


def parse_duration(text: str, *, rate: float | None = None,
                   bare: Literal["s", "f"] = "s") -> Duration:
    """Parse ``4s``, ``4.5``, ``96f``, ``1m30s``, ``1:30`` or ``00:00:04:00``.

    A bare number is seconds unless ``bare`` is ``"f"`` (a column headed
    "Frames").  A timecode needs ``rate`` and counts non-drop frames.  Raises
    ``ValueError`` with a message for a person.
    """
    raw = text.strip()
    value = raw.replace(",", ".") if re.fullmatch(r"\d+,\d+\s*\w*", raw) else raw
    duration: Duration | None = None
    if match := _FRAMES.fullmatch(value):
        duration = Duration(float(match.group(1)), "f")
    elif match := _SECONDS.fullmatch(value):
        duration = Duration(float(match.group(1)), bare if value == match.group(1) else "s")
    elif match := _MIN_SEC.fullmatch(value):
        duration = Duration(int(match.group(1)) * 60 + float(match.group(2) or 0), "s")
    elif match := _CLOCK.fullmatch(value):
        duration = Duration(int(match.group(1)) * 60 + float(match.group(2)), "s")
    elif match := _TIMECODE.fullmatch(value):
        if rate is None:
            raise ValueError(f"the timecode {raw!r} needs a frame rate")
        hh, mm, ss, ff = (int(g) for g in match.groups())
        nominal = round(rate)
        duration = Duration(float(((hh * 60 + mm) * 60 + ss) * nominal + ff), "f")
    if duration is None:
        raise ValueError(f"{raw!r} is not a duration: write seconds (4s, 4.5) or frames (96f)")
    if duration.amount <= 0:
        raise ValueError(f"the duration {raw!r} must be more than zero")
    return duration


def parse_rate(value: object) -> float:
    """A frame rate from ``24``, ``23.976``, ``"24000/1001"``, ``"25 fps"`` or a Fraction."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a frame rate")
    if isinstance(value, (int, float, Fraction)):
        rate = float(value)
        text = f"{rate:g}"
    elif isinstance(value, str):
        text = re.sub(r"(?i)\s*(fps|p)\s*$", "", value.strip())
        try:
            rate = float(Fraction(text)) if "/" in text else float(text.replace(",", "."))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{value!r} is not a frame rate (e.g. 24, 25, 23.976)") from None
    else:
        raise ValueError(f"{value!r} is not a frame rate (e.g. 24, 25, 23.976)")
    if not math.isfinite(rate) or not 0 < rate <= 1000:
        raise ValueError(f"{value!r} is not a frame rate between 0 and 1000")
    for name, exact in _NTSC.items():
        if text == name or math.isclose(rate, exact, abs_tol=5e-4):
            return exact
    return rate


def format_rate(rate: float) -> str:
    """``24``, ``25``, ``23.976``, ``29.97``: the way editors write rates."""
    if math.isclose(rate, round(rate), abs_tol=1e-9):
        return str(round(rate))
    for name, exact in _NTSC.items():
        if math.isclose(rate, exact, abs_tol=1e-6) and name not in ("23.98", "47.95"):
            return name
    return f"{rate:.3f}".rstrip("0").rstrip(".")


def format_seconds(frames: int, rate: float) -> str:
    """``7.5s`` for 180 frames at 24 fps (three decimals at most)."""
    return f"{round(frames / rate, 3):g}s"
