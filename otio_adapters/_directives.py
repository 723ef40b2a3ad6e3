"""Read Pickup's script notes, ``[[GEN kind: prompt]]``, into what they ask of a slot.

A note is a directive when it starts with a tag (``GEN`` or ``PICKUP``, any case):

``[[GEN]]``                       mark the slot, change nothing
``[[GEN stunt]]``                 set the kind
``[[GEN stunt: a double falls]]`` set kind and prompt (``kind:`` / ``prompt:`` alone too)
``[[GEN duration: 4s]]``          set the duration (``4s``, ``4.5``, ``96f``, ``1:30``)
``[[GEN style: 16mm, grainy]]``   append a style to the prompt(s)
``[[GEN skip]]``                  leave the slot unmarked (a plain gap keeps the timing)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pickup.otio_adapters._durations import Duration, parse_duration

__all__ = ["TAGS", "Directive", "merge", "parse_directive", "split_inline_notes"]

TAGS: tuple[str, ...] = ("GEN", "PICKUP")

_TAG = re.compile(r"(?is)\s*(?:GEN|PICKUP)(?![A-Za-z0-9])[\s:\-_]*(.*)\Z")
_KEYED = re.compile(r"(?s)([A-Za-z][\w\-]{0,31})\s*:\s*(.*)\Z")
_WORD = re.compile(r"[A-Za-z][\w\-]{0,31}")
_INLINE_NOTE = re.compile(r"\[\[(.*?)\]\]", re.S)


@dataclass(frozen=True)
class Directive:
    """What one or more notes ask of a slot; ``None`` fields ask nothing."""

    kind: str | None = None
    prompt: str | None = None
    duration: Duration | None = None
    style: str | None = None
    skip: bool = False


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _kind(word: str) -> str:
    return word.strip().lower().replace("-", "").replace("_", "")


def parse_directive(text: str, *, rate: float) -> Directive | None:
    """The directive in a note's text, ``None`` when the note is not tagged.

    Raises ``ValueError`` for a duration that cannot be read.
    """
    match = _TAG.match(text)
    if not match:
        return None
    rest = match.group(1).strip()
    if not rest:
        return Directive()
    keyed = _KEYED.match(rest)
    if keyed:
        key = _kind(keyed.group(1))
        value = _collapse(keyed.group(2))
        if key in ("duration", "dur", "length"):
            return Directive(duration=parse_duration(value, rate=rate))
        if key == "style":
            return Directive(style=value or None)
        if key == "kind":
            return Directive(kind=_kind(value) or None)
        if key == "prompt":
            return Directive(prompt=value or None)
        if key == "skip":
            return Directive(skip=True)
        return Directive(kind=key, prompt=value or None)
    if rest.lower() in ("skip", "omit", "none", "off"):
        return Directive(skip=True)
    if _WORD.fullmatch(rest):
        return Directive(kind=_kind(rest))
    return Directive(prompt=_collapse(rest))


def merge(base: Directive, other: Directive) -> Directive:
    """``other`` on top of ``base``: every field ``other`` sets wins."""
    return replace(
        base,
        kind=other.kind or base.kind,
        prompt=other.prompt or base.prompt,
        duration=other.duration or base.duration,
        style=other.style or base.style,
        skip=base.skip or other.skip,
    )


def split_inline_notes(text: str) -> tuple[str, list[str]]:
    """Take ``[[notes]]`` out of one paragraph's text: (text without them, notes)."""
    notes = [m.group(1).strip() for m in _INLINE_NOTE.finditer(text)]
    if not notes:
        return text, []
    return _collapse(_INLINE_NOTE.sub(" ", text)), notes
