"""Take boneyard (``/* */``) and notes (``[[ ]]``) out of Fountain lines, keeping line numbers.

A boneyard may span any number of lines; an unclosed one is an error (it would
hide the rest of the script).  A note may span lines but not an empty line; an
unclosed note is kept as text with a warning, unless it is a Pickup directive
(``[[GEN ...``), which is an error so that no directive is silently lost.
A line that held only a note or boneyard is *transparent*: it is neither text
nor the blank line that separates paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from pickup.otio_adapters._directives import TAGS
from pickup.otio_adapters._errors import AdapterError, where

__all__ = ["LineState", "SourceLine", "clean_lines"]


class LineState(str, Enum):
    BLANK = "blank"              # empty or white space: ends a paragraph
    CONNECTOR = "connector"      # exactly two spaces: an empty line inside a paragraph
    TRANSPARENT = "transparent"  # held only a note or boneyard: skipped
    TEXT = "text"


@dataclass
class SourceLine:
    """A line without its notes and boneyard: its number in the file and its notes."""

    number: int
    text: str
    state: LineState
    notes: list[tuple[str, int]] = field(default_factory=list)


def _is_blank(raw: str) -> bool:
    return raw.strip() == "" and raw != "  "


def _strip_boneyard(lines: list[str], source: str) -> list[tuple[int, str, bool]]:
    """(line number, text without boneyard, whether anything was removed)."""
    out: list[tuple[int, str, bool]] = []
    i = 0
    while i < len(lines):
        number, text, pos, kept, touched = i + 1, lines[i], 0, "", False
        while True:
            start = text.find("/*", pos)
            if start < 0:
                kept += text[pos:]
                break
            kept += text[pos:start]
            touched = True
            end = text.find("*/", start + 2)
            opened_at = i + 1
            while end < 0:
                i += 1
                if i >= len(lines):
                    raise AdapterError(
                        "unclosed boneyard: '/*' is never closed by '*/' and would hide "
                        "the rest of the script", where=where(source, opened_at),
                        hint="close the boneyard with */ or delete the /*")
                text = lines[i]
                end = text.find("*/")
            pos = end + 2
        out.append((number, kept, touched))
        i += 1
    return out


def _is_directive(note: str) -> bool:
    head = note.lstrip().upper()
    return any(head.startswith(tag) and (len(head) == len(tag) or not head[len(tag)].isalnum())
               for tag in TAGS)


def clean_lines(lines: list[str], source: str,
                warnings: list[str] | None = None) -> list[SourceLine]:
    """``lines`` (without line ends) as :class:`SourceLine` objects."""
    warn = warnings if warnings is not None else []
    rows = _strip_boneyard(lines, source)
    out: list[SourceLine] = []
    i = 0
    while i < len(rows):
        number, text, touched = rows[i]
        raw = lines[number - 1]
        notes: list[tuple[str, int]] = []
        kept, pos = "", 0
        while True:
            start = text.find("[[", pos)
            if start < 0:
                kept += text[pos:]
                break
            end = text.find("]]", start + 2)
            pieces = [text[start + 2: end if end >= 0 else len(text)]]
            j = i
            while end < 0 and j + 1 < len(rows) and not _is_blank(rows[j + 1][1]):
                j += 1
                nxt = rows[j][1]
                end = nxt.find("]]")
                pieces.append(nxt[: end if end >= 0 else len(nxt)])
            if end < 0:
                note = "\n".join(pieces).strip()
                if _is_directive(note):
                    raise AdapterError(
                        f"unclosed note: '[[{note.splitlines()[0]}' has no ']]' before the "
                        "next empty line", where=where(source, number),
                        hint="close the note with ]] (a note may span lines but not an "
                             "empty line)")
                warn.append(f"line {number}: '[[' is never closed by ']]'; kept as text")
                kept += text[pos: start + 2]
                pos = start + 2
                continue
            notes.append(("\n".join(pieces).strip(), number))
            kept += text[pos:start]
            if j != i:
                i, text = j, rows[j][1]
                touched = True
            pos = end + 2
        if _is_blank(raw) and not notes:
            state = LineState.BLANK
        elif raw == "  " and not notes:
            state = LineState.CONNECTOR
        elif kept.strip() == "" and (notes or touched):
            state = LineState.TRANSPARENT
        else:
            state = LineState.TEXT if kept.strip() else LineState.BLANK
        out.append(SourceLine(number, kept.rstrip(), state, notes))
        i += 1
    return out
