"""Parse the marking convention: ``GEN stunt: a double jumps from the rooftop``."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_TAGS", "KINDS", "Mark", "convention", "marker_texts", "parse_mark"]

DEFAULT_TAGS: tuple[str, ...] = ("GEN", "PICKUP")
KINDS: tuple[str, ...] = ("establishing", "stunt", "insert", "cutaway", "broll", "plate",
                          "extend")


@dataclass(frozen=True)
class Mark:
    """What a tagged marker or clip name asks for."""

    tag: str
    kind: str | None
    prompt: str | None
    text: str


@functools.lru_cache(maxsize=64)
def _tag_pattern(tag: str) -> re.Pattern[str]:
    return re.compile(rf"(?i){re.escape(tag)}(?![A-Za-z0-9])[\s\-_:]*(.*)\Z", re.DOTALL)


def parse_mark(text: str | None, tags: Iterable[str] = DEFAULT_TAGS) -> Mark | None:
    """Parse ``text`` if it starts with a tag (case-insensitive), else ``None``.

    ``GEN`` alone, ``GEN: prompt``, ``GEN kind: prompt`` and ``GEN prompt`` are all
    marks.  A kind is one word (``b-roll`` allowed) before a colon; free-text kinds
    are kept as written, lower-cased.
    """
    if not text:
        return None
    stripped = text.strip()
    upper = stripped[:16].upper()
    for tag in tags:
        if not upper.startswith(tag.upper()):
            continue
        match = _tag_pattern(tag).match(stripped)
        if not match:
            continue
        rest = match.group(1).strip()
        kind = None
        head = re.match(r"([A-Za-z][\w\-]{0,31})\s*:\s*(.*)\Z", rest, re.DOTALL)
        if head:
            kind = head.group(1).lower().replace("-", "")
            rest = head.group(2).strip()
        return Mark(tag=tag, kind=kind, prompt=rest or None, text=stripped)
    return None


def marker_texts(name: str, metadata: Mapping[str, Any]) -> list[str]:
    """Every text an editing app may have put a marker's words in, name first.

    FCP7 XML keeps the comment in ``fcp_xml.comment``, Resolve in
    ``Resolve_OTIO.Note``, AAF in ``AAF.Comment``; EDL LOC text is the name.
    """
    texts = [name] if name else []
    for outer, inner in (("fcp_xml", "comment"), ("Resolve_OTIO", "Note"), ("AAF", "Comment"),
                         ("fcpx_xml", "note"), ("pickup", "mark")):
        block = metadata.get(outer)
        if isinstance(block, Mapping):
            value = block.get(inner)
            if isinstance(value, str) and value and value not in texts:
                texts.append(value)
    return texts


def convention(tags: Iterable[str] = DEFAULT_TAGS) -> str:
    """The marking convention in one sentence with one example, for messages."""
    tags = tuple(tags) or DEFAULT_TAGS
    names = " or ".join(tags)
    return (f"Mark a slot with a marker/locator, or name a placeholder clip, starting "
            f"with {names}, a kind and a colon, e.g. \"{tags[0]} establishing: a farmhouse at "
            f"dusk, slow push-in\" (kinds: {', '.join(KINDS)})")
