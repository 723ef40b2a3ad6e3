"""Fit a slot's ask to what a provider can make, and describe what was adjusted.

A slot wants ``frames`` at the sequence rate and size.  A provider (model) allows
certain lengths, frame rates, sizes or aspect ratios.  :func:`fit_request` rounds
the length up to an allowed one (plus handles), picks the nearest allowed rate,
maps the sequence aspect to the nearest allowed one, and drops first/last frame or
reference images the model cannot take.  Every change is said in plain words, so
``pickup fill --dry-run`` can show it.  Conform later cuts the take back to the slot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from pickup.providers.base import Capabilities, ShotRequest
from pickup.timeline.rates import exact_rate

__all__ = ["FittedRequest", "OutputSpec", "Shot", "aspect_label", "fit_request"]


@dataclass(frozen=True)
class OutputSpec:
    """What a take is conformed to: the slot's frames at the sequence rate and size."""

    frames: int
    rate: Fraction
    width: int
    height: int
    profile: str = "prores_hq"
    handles: int = 0
    timecode: str | None = None
    reel: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"frames": self.frames, "rate": f"{self.rate.numerator}/{self.rate.denominator}",
                "width": self.width, "height": self.height, "profile": self.profile,
                "handles": self.handles, "timecode": self.timecode, "reel": self.reel}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutputSpec:
        return cls(frames=int(data["frames"]), rate=Fraction(data["rate"]),
                   width=int(data["width"]), height=int(data["height"]),
                   profile=data.get("profile", "prores_hq"),
                   handles=int(data.get("handles", 0)), timecode=data.get("timecode"),
                   reel=data.get("reel"))


@dataclass(frozen=True)
class Shot:
    """One slot's ask: the request (at the slot's length, rate and size), how to
    conform it, and how many takes to make."""

    request: ShotRequest
    output: OutputSpec
    takes: int = 1


@dataclass(frozen=True)
class FittedRequest:
    """The request as the provider will get it, and what was changed to get there."""

    request: ShotRequest
    notes: tuple[str, ...] = field(default_factory=tuple)


def aspect_label(width: int, height: int) -> str:
    """``16:9`` for 1920x1080, ``2.39:1`` for 2048x858."""
    ratio = Fraction(width, height)
    small = ratio.limit_denominator(20)
    if abs(float(small) - float(ratio)) < 0.005 and small.denominator <= 20:
        return f"{small.numerator}:{small.denominator}"
    return f"{width / height:.2f}:1"


def _parse_aspect(text: str) -> float | None:
    for sep in (":", "x", "/"):
        if sep in text:
            a, _, b = text.partition(sep)
            try:
                return float(a) / float(b)
            except (ValueError, ZeroDivisionError):
                return None
    return None


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _fit_rate(rate: Fraction, caps: Capabilities, notes: list[str]) -> Fraction:
    if not caps.fps:
        return rate
    if any(abs(float(rate) - f) < 0.01 for f in caps.fps):
        return rate
    best = min(caps.fps, key=lambda f: (abs(f - float(rate)), -f))
    notes.append(f"generated at {best:g} fps (the model cannot make {float(rate):.3f}); "
                 "conform retimes it to the sequence rate")
    return exact_rate(best)


def _fit_length(seconds: float, caps: Capabilities, notes: list[str]) -> float:
    wanted = seconds
    if caps.durations_s:
        longer = sorted(d for d in caps.durations_s if d + 1e-6 >= wanted)
        if longer:
            chosen = longer[0]
            if abs(chosen - wanted) > 1e-3:
                notes.append(f"length rounded up from {wanted:.2f} s to {chosen:g} s "
                             "(an allowed length); conform trims it to the slot")
        else:
            chosen = max(caps.durations_s)
            notes.append(f"the slot needs {wanted:.2f} s but the model makes at most "
                         f"{chosen:g} s; conform holds the last frame")
        wanted = chosen
    if caps.max_duration_s and wanted > caps.max_duration_s + 1e-6:
        notes.append(f"the slot needs {wanted:.2f} s but the model makes at most "
                     f"{caps.max_duration_s:g} s; conform holds the last frame")
        wanted = caps.max_duration_s
    return wanted


def _fit_size(width: int, height: int, caps: Capabilities, notes: list[str]
              ) -> tuple[int, int, str | None]:
    seq_aspect = width / height
    if caps.sizes:
        if (width, height) in caps.sizes:
            return width, height, None
        # nearest aspect first, then the smallest size that is at least as large.
        def score(size: tuple[int, int]) -> tuple[float, int, int]:
            w, h = size
            aspect_err = abs(math.log((w / h) / seq_aspect))
            too_small = 1 if w * h < width * height else 0
            return (round(aspect_err, 3), too_small, abs(w * h - width * height))
        w, h = min(caps.sizes, key=score)
        notes.append(f"made at {w}x{h} (the model cannot make {width}x{height}); "
                     "conform fits it to the sequence")
        return w, h, aspect_label(w, h)
    if caps.aspects:
        parsed = [(a, _parse_aspect(a)) for a in caps.aspects]
        parsed = [(a, v) for a, v in parsed if v]
        if parsed:
            label, value = min(parsed, key=lambda av: abs(math.log(av[1] / seq_aspect)))
            if abs(value - seq_aspect) < 0.01:
                return width, height, label
            if value >= seq_aspect:
                w, h = _even(height * value), height
            else:
                w, h = width, _even(width / value)
            notes.append(f"aspect {aspect_label(width, height)} mapped to {label} "
                         f"({w}x{h}); conform fits it back to {width}x{height}")
            return w, h, label
    return width, height, None


def fit_request(req: ShotRequest, caps: Capabilities, *, handles: int = 0) -> FittedRequest:
    """``req`` (at the slot's length/rate/size) adjusted to ``caps``.

    ``handles`` extra frames are asked for at each end.  The returned request's
    ``frames`` is at its (possibly changed) ``rate``.
    """
    notes: list[str] = []
    frames = req.frames + 2 * handles
    if handles:
        notes.append(f"{handles} handle frame(s) at each end")
    seconds = float(Fraction(frames) / req.rate)
    rate = _fit_rate(req.rate, caps, notes)
    length = _fit_length(seconds, caps, notes)
    gen_frames = max(1, math.ceil(length * float(rate) - 1e-6))
    width, height, aspect = _fit_size(req.width, req.height, caps, notes)
    first, last, refs = req.first_frame, req.last_frame, req.references
    if first is not None and not caps.first_frame:
        first = None
        notes.append("the model cannot start from a given frame; the previous shot's last "
                     "frame is not used")
    if last is not None and not caps.last_frame:
        last = None
        notes.append("the model cannot end on a given frame; the next shot's first frame "
                     "is not used")
    if refs and not caps.references:
        refs = ()
        notes.append("the model takes no reference images; they are not sent")
    extra = dict(req.extra)
    if aspect:
        extra["aspect"] = aspect
    fitted = replace(req, frames=gen_frames, rate=rate, width=width, height=height,
                     first_frame=first, last_frame=last, references=refs, extra=extra)
    return FittedRequest(fitted, tuple(notes))
