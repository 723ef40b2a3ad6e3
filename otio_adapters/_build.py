"""Turn a parsed :class:`Script` into an OTIO timeline: the one seam both screenplay
adapters share (parsers only produce scripts; this module makes slots of them)."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import opentimelineio as otio

from pickup.otio_adapters._durations import parse_rate
from pickup.otio_adapters._errors import AdapterError
from pickup.otio_adapters._pages import LINES_PER_PAGE
from pickup.otio_adapters._script import Script
from pickup.otio_adapters._slots import (
    DEFAULT_KIND,
    SlotOptions,
    SlotPlan,
    plan_slots,
    script_defaults,
)
from pickup.otio_adapters._timeline import mark_text, marked_gap, new_timeline

__all__ = ["DEFAULT_START", "script_options", "script_to_timeline"]

_log = logging.getLogger("pickup.otio_adapters")

DEFAULT_START = "01:00:00:00"


def _number(value: object, name: str, *, minimum: float, integer: bool = False) -> float:
    number = float("nan")
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        with contextlib.suppress(ValueError):
            number = float(value)
    if not number >= minimum or (integer and number != int(number)):
        raise AdapterError(f"{name}={value!r} must be a {'whole ' if integer else ''}number "
                           f"of at least {minimum:g}")
    return number


def script_options(*, rate: object = 24, default_kind: object = DEFAULT_KIND,
                   lines_per_page: object = LINES_PER_PAGE, seconds_per_page: object = 60,
                   max_prompt_chars: object = 800, split_shots: object = True) -> SlotOptions:
    """Check the adapter keyword arguments (``otioconvert -a`` passes them as text)."""
    try:
        parsed_rate = parse_rate(rate)
    except ValueError as exc:
        raise AdapterError(f"rate: {exc}", hint="pass e.g. rate=24 or rate=23.976") from None
    kind = str(default_kind or "").strip().lower().replace("-", "")
    if not kind or not kind.replace("_", "").isalnum():
        raise AdapterError(f"default_kind={default_kind!r} must be one word, e.g. cutaway")
    if isinstance(split_shots, str):
        split_shots = split_shots.strip().lower() not in ("0", "false", "no", "off")
    return SlotOptions(
        rate=parsed_rate,
        default_kind=kind,
        lines_per_page=int(_number(lines_per_page, "lines_per_page", minimum=1, integer=True)),
        seconds_per_page=_number(seconds_per_page, "seconds_per_page", minimum=0.001),
        max_prompt_chars=int(_number(max_prompt_chars, "max_prompt_chars", minimum=20,
                                     integer=True)),
        split_shots=bool(split_shots),
    )


def _slot_metadata(plan: SlotPlan, source: str, position: str) -> dict[str, Any]:
    return {
        "source": source,
        "scene_number": plan.scene_number,
        "scene_index": plan.scene_index,
        "heading": plan.heading,
        "shot": plan.shot,
        "shot_heading": plan.shot_heading,
        "characters": list(plan.characters),
        "kind": plan.kind,
        "kind_from": plan.kind_from,
        "prompt": plan.prompt,
        "page_eighths": plan.eighths,
        "duration_from": plan.duration_from,
        "marked": plan.marked,
        position: plan.line,
    }


def _gap_name(plan: SlotPlan) -> str:
    label = plan.scene_number or "prologue"
    if plan.shot:
        label = f"{label}/{plan.shot}"
    title = plan.shot_heading or plan.heading or ""
    return f"{label} {title}".strip()


def script_to_timeline(script: Script, options: SlotOptions, *,
                       start_timecode: str | None = DEFAULT_START,
                       fallback_name: str = "Untitled") -> otio.schema.Timeline:
    """The timeline of ``script``: a gap per slot, a GEN marker on each marked one."""
    plans = plan_slots(script, options)
    if not plans:
        raise AdapterError("every scene is omitted: there is nothing to mark",
                           where=script.where)
    gaps = [
        marked_gap(_gap_name(plan), plan.frames, options.rate,
                   _slot_metadata(plan, script.source, script.position),
                   mark_text(plan.kind, plan.prompt) if plan.marked else None)
        for plan in plans
    ]
    style = script_defaults(script, options).style
    for warning in script.warnings:
        _log.warning("%s: %s", script.where, warning)
    metadata: dict[str, Any] = {
        "source": script.source,
        "title": script.title,
        "title_page": dict(script.title_page),
        "scenes": len([s for s in script.scenes if s.heading is not None]),
        "slots": len(plans),
        "rate": options.rate,
        "default_kind": options.default_kind,
        "warnings": list(script.warnings),
    }
    if style:
        metadata["style"] = style
    if script.encoding:
        metadata["encoding"] = script.encoding
    return new_timeline(script.title or fallback_name, gaps, rate=options.rate,
                        start_timecode=start_timecode, metadata=metadata)
