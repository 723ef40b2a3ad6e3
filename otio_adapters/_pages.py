"""Estimate how many lines of a printed screenplay page a run of elements fills.

A page is 55 lines of 12-point Courier.  Each element wraps at its usual width
(action 60 characters, dialogue 35, parentheticals 25) and has the usual blank
lines before it (two before a heading or shot, one before action, a character
cue or a transition).  Notes, sections, synopses and page breaks print nothing.
Dual dialogue sits in two columns, so the shorter column adds no lines.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Sequence

from pickup.otio_adapters._script import Element, ElementKind

__all__ = ["LINES_PER_PAGE", "eighths_of_page", "estimate_lines"]

LINES_PER_PAGE = 55

_WIDTH = {
    ElementKind.HEADING: 60, ElementKind.SHOT: 60, ElementKind.ACTION: 60,
    ElementKind.CENTERED: 60, ElementKind.TRANSITION: 60, ElementKind.CHARACTER: 38,
    ElementKind.DIALOGUE: 35, ElementKind.LYRIC: 35, ElementKind.PARENTHETICAL: 25,
}
_SPACE_BEFORE = {
    ElementKind.HEADING: 2, ElementKind.SHOT: 2, ElementKind.ACTION: 1,
    ElementKind.CENTERED: 1, ElementKind.TRANSITION: 1, ElementKind.CHARACTER: 1,
}
_IN_DIALOGUE = (ElementKind.DIALOGUE, ElementKind.PARENTHETICAL, ElementKind.LYRIC)


@functools.lru_cache(maxsize=8)
def _wrapper(width: int) -> textwrap.TextWrapper:
    return textwrap.TextWrapper(width)


def _wrapped(text: str, width: int) -> int:
    """Lines ``text`` fills when each of its lines is wrapped to ``width`` characters."""
    wrap = _wrapper(width).wrap
    return sum(1 if len(line) <= width else max(1, len(wrap(line)))
               for line in text.split("\n"))


def _element_lines(element: Element, in_dialogue: bool) -> int:
    kind = element.kind
    if kind not in _WIDTH:
        return 0
    width = _WIDTH[kind]
    if kind is ElementKind.LYRIC and not in_dialogue:
        width = _WIDTH[ElementKind.ACTION]
    space = _SPACE_BEFORE.get(kind, 0 if in_dialogue else 1)
    return space + _wrapped(element.text, width)


def estimate_lines(elements: Sequence[Element]) -> int:
    """Printed lines (blank lines included) that ``elements`` take up."""
    total = 0
    block = 0          # lines of the dialogue block being read
    left_block = 0     # lines of the block a dual speaker sits beside
    block_dual = False
    in_dialogue = False
    for element in elements:
        if element.kind is ElementKind.CHARACTER:
            if block_dual:
                total += max(0, block - left_block)
            else:
                total += block
            left_block = block if element.dual else 0
            block, block_dual, in_dialogue = _element_lines(element, False), element.dual, True
            continue
        if in_dialogue and element.kind in _IN_DIALOGUE:
            block += _element_lines(element, True)
            continue
        if element.kind in (ElementKind.NOTE, ElementKind.SECTION, ElementKind.SYNOPSIS,
                            ElementKind.PAGE_BREAK):
            continue
        total += max(0, block - left_block) if block_dual else block
        block, left_block, block_dual, in_dialogue = 0, 0, False, False
        total += _element_lines(element, False)
    total += max(0, block - left_block) if block_dual else block
    return total


def eighths_of_page(lines: int, lines_per_page: int = LINES_PER_PAGE) -> int:
    """Page length in eighths, rounded up, at least one eighth."""
    return max(1, math.ceil(lines * 8 / lines_per_page))
