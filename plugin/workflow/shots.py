"""What to make for a slot: the ask a face fills in, and the engine's shot built from it.

:class:`ShotAsk` is what the CLI's options or the panel's inspector say for one slot
(prompt, provider, takes, seed, handles, neighbour frames, size, codec);
:func:`build_shot` turns it into the engine's :class:`~pickup.engine.Shot` (the
provider's request and the conform target), the same way for every face.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pickup.engine import OutputSpec, Shot
from pickup.providers.base import Capabilities, ShotRequest
from pickup.timeline import Slot, frames_to_timecode
from pickup.timeline.rates import exact_rate
from pickup.timeline.size import DEFAULT_SIZE

__all__ = ["ShotAsk", "ask_for_slot", "build_shot"]


@dataclass(frozen=True)
class ShotAsk:
    """One slot's takes to make, and how.  An empty ``prompt`` means the slot's own
    (its marker text, else its kind)."""

    slot: Slot
    prompt: str = ""
    provider: str = "previz"
    takes: int = 1
    kind: str | None = None
    negative_prompt: str = ""
    model: str | None = None
    seed: int | None = None
    handles: int = 0
    use_first: bool = True
    use_last: bool = True
    size: tuple[int, int] = DEFAULT_SIZE
    profile: str = "prores_hq"
    start_frame: int = 0
    provider_options: tuple[tuple[str, Any], ...] = ()
    #: the neighbours' source media (:func:`pickup.media.neighbours.neighbour_sources`),
    #: for providers made from the editor's footage; None = not looked up
    sources: Mapping[str, Any] | None = None

    @property
    def text(self) -> str:
        """The prompt the provider gets."""
        from pickup.workflow.prompts import kind_prompt

        return self.prompt or self.slot.prompt or kind_prompt(self.slot.kind) or ""

    def with_changes(self, **changes: Any) -> ShotAsk:
        return replace(self, **changes)


def ask_for_slot(slot: Slot, *, start_frame: int, size: tuple[int, int], profile: str,
                 provider: str = "previz", model: str | None = None, takes: int = 1,
                 handles: int = 0, prompt: str | None = None,
                 negative_prompt: str | None = None) -> ShotAsk:
    """The ask for ``slot`` as its marker states it (what ``pickup fill`` makes)."""
    from pickup.workflow.prompts import kind_prompt

    return ShotAsk(slot=slot, prompt=prompt or slot.prompt or kind_prompt(slot.kind) or "",
                   provider=provider, takes=takes, kind=slot.kind,
                   negative_prompt=negative_prompt or "", model=model, handles=handles,
                   size=size, profile=profile, start_frame=start_frame)


def build_shot(ask: ShotAsk, caps: Capabilities, first: Path | None = None,
               last: Path | None = None, sources: Mapping[str, Any] | None = None) -> Shot:
    """The engine's shot for ``ask``: the request (with the neighbour frames the
    provider can use, and for a provider made from footage the neighbours' ``sources``,
    :func:`pickup.media.neighbours.neighbour_sources`) and the conform target (the
    slot's frames plus handles, at the sequence's exact rate, with the record timecode
    the media should start at)."""
    slot = ask.slot
    rate = exact_rate(slot.rate)
    media_start = ask.start_frame + slot.start - ask.handles
    timecode = frames_to_timecode(media_start, slot.rate) if media_start >= 0 else None
    # A local renderer writes the final codec (and timecode) directly.
    extra: dict[str, Any] = {"profile": ask.profile, "timecode": timecode} if caps.local else {}
    sources = sources if sources is not None else ask.sources
    if caps.source_media and sources is not None:  # providers made from footage
        extra["neighbours"] = {**sources, "handles": ask.handles}
    req = ShotRequest(slot_id=slot.id, prompt=ask.text, kind=ask.kind, frames=slot.duration,
                      rate=rate, width=ask.size[0], height=ask.size[1], seed=ask.seed,
                      negative_prompt=ask.negative_prompt or None,
                      first_frame=first if ask.use_first and caps.first_frame else None,
                      last_frame=last if ask.use_last and caps.last_frame else None,
                      model=ask.model, extra=extra)
    out = OutputSpec(frames=slot.duration, rate=rate, width=ask.size[0], height=ask.size[1],
                     profile=ask.profile, handles=ask.handles, timecode=timecode)
    return Shot(req, out, takes=ask.takes)
