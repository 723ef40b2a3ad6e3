"""``morph``: in-between frames from the outgoing shot's last frame to the incoming
shot's first, by dense optical flow both ways, blended (offline, free).

For short gaps only (``max_seconds``, default 1 s), as a morph cut is: longer gaps are
refused at plan time with the reason.  See :mod:`pickup.media.morph`.
"""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path
from typing import Any

from pickup.errors import ConfigError
from pickup.media.morph import render_morph
from pickup.providers.base import Capabilities, ShotRequest
from pickup.providers.local import LocalRenderer

__all__ = ["DEFAULT_MAX_SECONDS", "MorphProvider"]

DEFAULT_MAX_SECONDS = 1.0


class MorphProvider(LocalRenderer):
    """Optical-flow in-betweens between the two neighbours' frames."""

    name = "morph"

    def __init__(self, max_seconds: float | str = DEFAULT_MAX_SECONDS, **options: Any) -> None:
        super().__init__()
        if options:
            raise ConfigError(f"morph takes only max_seconds ({', '.join(options)} given)",
                              where="provider morph")
        try:
            self.max_seconds = float(max_seconds)
        except (TypeError, ValueError):
            raise ConfigError(f"max_seconds must be a number, not {max_seconds!r}",
                              where="provider morph") from None

    def capabilities(self, model: str | None) -> Capabilities:
        return Capabilities(first_frame=True, last_frame=True, cancel=True,
                            price_per_second=0.0, local=True)

    def settings(self, req: ShotRequest) -> dict[str, Any]:
        return {"flow": "dis-medium"}

    def describe(self, req: ShotRequest) -> list[str]:
        return [f"{req.frames} frame(s) morphed by optical flow from the outgoing shot's "
                "last frame to the incoming shot's first"]

    def validate(self, req: ShotRequest) -> None:
        where = f"slot {req.slot_id}"
        seconds = req.frames / float(req.rate)
        if seconds > self.max_seconds + 1e-9:
            raise ConfigError(f"the gap is {seconds:.2f} s; morph makes at most "
                              f"{self.max_seconds:g} s (longer morphs smear)", where=where,
                              hint="use `extend` or a generative provider, or raise the "
                              "limit with [providers.morph] max_seconds")
        for key, side in (("first_frame", "outgoing"), ("last_frame", "incoming")):
            path = getattr(req, key)
            if path is None or not Path(path).is_file():
                raise ConfigError(f"morph needs the {side} shot's frame, and there is none "
                                  "(no clip there, or its media is offline)", where=where)

    def render(self, req: ShotRequest, dest: Path, cancel: threading.Event) -> None:
        assert req.first_frame is not None and req.last_frame is not None
        render_morph(req.first_frame, req.last_frame, dest, frames=req.frames,
                     rate=Fraction(req.rate), width=req.width, height=req.height,
                     cancel=cancel)
