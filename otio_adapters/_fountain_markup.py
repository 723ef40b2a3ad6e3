"""Remove Fountain's inline emphasis (``*italic*``, ``**bold**``, ``_underline_``) and escapes."""

from __future__ import annotations

import re

__all__ = ["plain_text"]

_STARS = re.compile(r"(?<!\\)(\*{1,3})(?=\S)(.+?)(?<=\S)(?<!\\)\1")
_UNDERLINE = re.compile(r"(?<![\\\w])_(?=\S)(.+?)(?<=\S)(?<!\\)_(?!\w)")
_ESCAPE = re.compile(r"\\([*_\\\[\]/#!@~.>=^])")


def plain_text(text: str) -> str:
    """``text`` without emphasis markers; ``\\*`` becomes ``*``."""
    previous = None
    while previous != text:
        previous = text
        text = _STARS.sub(r"\2", text)
        text = _UNDERLINE.sub(r"\1", text)
    return _ESCAPE.sub(r"\1", text)
