"""``extend``: fill a gap from the neighbours' unused handles (offline, free).

The outgoing clip runs on into the gap as far as its source media has frames, then the
incoming clip starts earlier as far as its media has frames before its in point (see
:mod:`pickup.media.extend`).  The take is the real source frames (their packets copied where
the media is intra-only QuickTime, else written losslessly) and conformed by the
engine like any take.  A gap the media cannot cover is refused
at plan time with the frames that are missing.  Needs the neighbours' media online.
"""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path
from typing import Any

from pickup.errors import ConfigError
from pickup.media.extend import ExtendPlan, plan_extend, render_extend, render_suffix
from pickup.providers.base import Capabilities, ShotRequest
from pickup.providers.local import LocalRenderer

__all__ = ["ExtendProvider"]


class ExtendProvider(LocalRenderer):
    """Real source frames from the neighbours' handles."""

    name = "extend"

    def __init__(self, **options: Any) -> None:
        super().__init__()
        if options:
            raise ConfigError(f"extend takes no options ({', '.join(options)})",
                              where="provider extend")

    def capabilities(self, model: str | None) -> Capabilities:
        return Capabilities(cancel=True, price_per_second=0.0, local=True, source_media=True)

    def _plan(self, req: ShotRequest) -> ExtendPlan:
        sources = req.extra.get("neighbours")
        if not sources:
            raise ConfigError("extend needs the neighbours' media, and the request has none",
                              where=f"slot {req.slot_id}",
                              hint="fill through `pickup fill` or the panel, which pass it")
        handles = int(sources.get("handles") or 0)
        return plan_extend(sources, req.frames, Fraction(req.rate), handles)

    def describe(self, req: ShotRequest) -> list[str]:
        try:
            return self._plan(req).describe()
        except ConfigError:
            return []

    def validate(self, req: ShotRequest) -> None:
        plan = self._plan(req)
        if plan.uncovered or not plan.runs:
            gap = plan.frames - 2 * plan.handles
            raise ConfigError(
                f"the neighbours' media covers {gap - plan.uncovered} of the gap's {gap} "
                f"frame(s); {plan.uncovered} frame(s) from slot frame "
                f"{plan.uncovered_from} have no source", where=f"slot {req.slot_id}",
                hint="fill this slot with another provider (or `morph` if it is short), "
                "or bring the neighbours' media online")

    def output_suffix(self, req: ShotRequest) -> str:
        """``.mov`` (the source packets copied) for intra-only QuickTime media, else
        the lossless intermediate's suffix."""
        return render_suffix(self._plan(req))

    def render(self, req: ShotRequest, dest: Path, cancel: threading.Event) -> None:
        render_extend(self._plan(req), dest, Fraction(req.rate), cancel=cancel)
