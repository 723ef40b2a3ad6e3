"""Parse Fountain screenplay text (https://fountain.io, version 1.1) into a :class:`Script`.

Elements: title page, scene headings (``INT.``, ``EXT.``, ``EST.``, ``INT./EXT.``,
``I/E`` and forced ``.HEADING``, with scene numbers ``#12#``), action (and forced
``!``), characters (``@`` forced, ``^`` dual dialogue), parentheticals, dialogue,
lyrics ``~``, transitions (``... TO:`` and forced ``>``), centred text ``>THE END<``,
notes ``[[ ]]``, boneyard ``/* */``, sections ``#``, synopses ``=`` and page
breaks ``===``.

A forced heading or a section that opens with a shot word (``CLOSE ON``,
``INSERT``, ``ANGLE ON``, ``AERIAL``...) inside a scene is a shot of that scene.

Where the spec is strict and real scripts are not, this parser is lenient: a
heading needs no empty line after it, and an all-capitals line that ends in
``!``, ``?`` or a sentence (``THE DOOR EXPLODES.``) is action, not a character.
"""

from __future__ import annotations

import re

from pickup.otio_adapters._errors import AdapterError
from pickup.otio_adapters._fountain_markup import plain_text
from pickup.otio_adapters._fountain_source import LineState, SourceLine, clean_lines
from pickup.otio_adapters._fountain_title import read_title_page
from pickup.otio_adapters._script import Element, ElementKind, Script, group_scenes
from pickup.otio_adapters._shots import is_shot_heading

__all__ = ["parse_fountain"]

_HEADING = re.compile(
    r"(?i)^(?:INT\.?/EXT|EXT\.?/INT|INT\s?/\s?EXT|I/E|E/I|INT|EXT|EST)(?:\.|\s|$)")
_FORCED_HEADING = re.compile(r"^\.(?=[^.\s])(.*)$")
_SCENE_NUMBER = re.compile(r"\s*#([A-Za-z0-9.\-]+)#\s*$")
_TRANSITION = re.compile(r"^[^a-z]*TO:$")
_FIXED_TRANSITION = re.compile(
    r"^(?:FADE\s+(?:IN|OUT|TO\s+BLACK|TO\s+WHITE)|CUT\s+TO\s+BLACK|SMASH\s+TO\s+BLACK|"
    r"BLACKOUT|IRIS\s+(?:IN|OUT)|INTERCUT)[.:]?$")
_CENTERED = re.compile(r"^>\s*(.*?)\s*<$")
_PAGE_BREAK = re.compile(r"^={3,}$")
_SECTION = re.compile(r"^(#+)\s*(.*)$")


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _character_cue(text: str) -> tuple[str, bool] | None:
    """(cue, dual) when ``text`` is a character cue (``MARY (V.O.)``, ``@McCLANE``, ``JON ^``)."""
    dual = text.endswith("^")
    cue = text[:-1].rstrip() if dual else text
    if cue.startswith("@"):
        cue = cue[1:].strip()
        return (cue, dual) if cue else None
    name = cue.split("(", 1)[0].strip()
    if not name or name != name.upper() or not _has_letter(name):
        return None
    if name.endswith(("!", "?", ":")) or (name.endswith(".") and " " in name):
        return None
    return cue, dual


class _Reader:
    """Walks the cleaned lines and emits elements."""

    def __init__(self, lines: list[SourceLine]) -> None:
        self.lines = lines
        self.elements: list[Element] = []
        self.pending: list[str] = []          # lines of the action or dialogue being read
        self.pending_kind: ElementKind | None = None
        self.pending_line: int | None = None
        self.pending_dual = False
        self.notes: list[tuple[str, int]] = []
        self.in_dialogue = False
        self.dual = False
        self.in_scene = False

    # -- output -------------------------------------------------------------
    def flush(self) -> None:
        if self.pending_kind is not None:
            text = "\n".join(self.pending).strip("\n")
            if text.strip():
                self.elements.append(Element(self.pending_kind, plain_text(text),
                                             self.pending_line, self.pending_dual))
        self.pending, self.pending_kind, self.pending_line = [], None, None
        for note, line in self.notes:
            self.elements.append(Element(ElementKind.NOTE, note, line))
        self.notes = []

    def add_notes(self, line: SourceLine) -> None:
        """Notes of ``line`` go after the paragraph the line belongs to."""
        self.notes.extend(line.notes)
        if self.pending_kind is None:
            self.flush()

    def emit(self, kind: ElementKind, text: str, line: int, *, dual: bool = False,
             number: str | None = None, level: int = 0) -> None:
        self.flush()
        self.elements.append(Element(kind, text, line, dual=dual, number=number, level=level))

    def add(self, kind: ElementKind, text: str, line: int, dual: bool = False) -> None:
        """Add a line to the paragraph of ``kind`` being read (action, dialogue)."""
        if self.pending_kind is not kind:
            self.flush()
            self.pending_kind, self.pending_line, self.pending_dual = kind, line, dual
        self.pending.append(text)

    # -- lookahead ----------------------------------------------------------
    def next_state(self, index: int) -> LineState | None:
        for later in range(index + 1, len(self.lines)):
            if self.lines[later].state is not LineState.TRANSPARENT:
                return self.lines[later].state
        return None

    # -- reading ------------------------------------------------------------
    def read(self) -> list[Element]:
        previous_blank = True
        for index, line in enumerate(self.lines):
            if line.state is LineState.TRANSPARENT:
                self.add_notes(line)
                continue
            if line.state is LineState.BLANK:
                self.flush()
                self.in_dialogue = False
                previous_blank = True
                continue
            if line.state is LineState.CONNECTOR:
                if self.pending_kind is not None:
                    self.pending.append("")
                continue
            self.read_text(index, line, previous_blank)
            self.add_notes(line)
            previous_blank = False
        self.flush()
        return self.elements

    def read_text(self, index: int, line: SourceLine, previous_blank: bool) -> None:
        text = line.text.strip()
        number = line.number
        if _PAGE_BREAK.match(text):
            self.in_dialogue = False
            self.emit(ElementKind.PAGE_BREAK, "", number)
            return
        if text.startswith("#"):
            match = _SECTION.match(text)
            assert match is not None
            title = plain_text(match.group(2).strip())
            self.in_dialogue = False
            if self.in_scene and is_shot_heading(title):
                self.emit(ElementKind.SHOT, title, number)
            else:
                self.emit(ElementKind.SECTION, title, number, level=len(match.group(1)))
            return
        if text.startswith("=") and not text.startswith("=="):
            self.emit(ElementKind.SYNOPSIS, plain_text(text[1:].strip()), number)
            return
        if self.in_dialogue:
            self.read_dialogue(text, number)
            return
        if text.startswith("!"):
            self.add(ElementKind.ACTION, text[1:], number)
            return
        centered = _CENTERED.match(text)
        if centered:
            self.emit(ElementKind.CENTERED, plain_text(centered.group(1)), number)
            return
        if text.startswith(">"):
            self.emit(ElementKind.TRANSITION, plain_text(text[1:].strip()), number)
            return
        if text.startswith("~"):
            self.add(ElementKind.LYRIC, text[1:].strip(), number)
            return
        next_state = self.next_state(index)
        if previous_blank and self.read_heading(text, number):
            return
        if previous_blank and next_state in (LineState.BLANK, None) and (
                _TRANSITION.match(text) or _FIXED_TRANSITION.match(text)):
            self.emit(ElementKind.TRANSITION, text, number)
            return
        if previous_blank and next_state in (LineState.TEXT, LineState.CONNECTOR):
            cue = _character_cue(text)
            if cue is not None:
                self.emit(ElementKind.CHARACTER, cue[0], number, dual=cue[1])
                self.in_dialogue, self.dual = True, cue[1]
                return
        self.add(ElementKind.ACTION, line.text.rstrip(), number)

    def read_heading(self, text: str, number: int) -> bool:
        forced = _FORCED_HEADING.match(text)
        if not forced and not _HEADING.match(text):
            return False
        heading = forced.group(1) if forced else text
        scene_number = None
        match = _SCENE_NUMBER.search(heading)
        if match:
            scene_number = match.group(1)
            heading = heading[: match.start()]
        heading = plain_text(" ".join(heading.split()))
        if not heading:
            return False
        if forced and self.in_scene and is_shot_heading(heading):
            self.emit(ElementKind.SHOT, heading, number)
        else:
            self.emit(ElementKind.HEADING, heading, number, number=scene_number)
            self.in_scene = True
        return True

    def read_dialogue(self, text: str, number: int) -> None:
        if text.startswith("(") and text.endswith(")"):
            self.emit(ElementKind.PARENTHETICAL, plain_text(text), number, dual=self.dual)
        elif text.startswith("~"):
            self.add(ElementKind.LYRIC, text[1:].strip(), number, self.dual)
        else:
            self.add(ElementKind.DIALOGUE, text, number, self.dual)


def parse_fountain(text: str, *, source: str, encoding: str | None = None,
                   warnings: list[str] | None = None) -> Script:
    """Parse Fountain ``text`` read from ``source`` (a name for messages)."""
    warn = list(warnings or [])
    lines = clean_lines(text.split("\n"), source, warn)
    title_page = read_title_page(lines)
    reader = _Reader(lines[title_page.body_start:])
    elements = [Element(ElementKind.NOTE, note, line) for note, line in title_page.notes]
    elements.extend(reader.read())
    scenes, preamble = group_scenes(elements)
    if not any(scene.heading is not None for scene in scenes):
        if not text.strip():
            raise AdapterError("the file is empty", where=source,
                               hint="write or export the screenplay again")
        raise AdapterError(
            "no scene headings found, so there are no scenes to mark",
            where=source,
            hint="start each scene with a line such as 'INT. KITCHEN - DAY' (INT., EXT., EST., "
                 "I/E) or a forced heading '.KITCHEN', after an empty line")
    return Script(source="fountain", where=source, title=title_page.title,
                  title_page=title_page.fields, scenes=scenes, preamble=preamble,
                  warnings=warn, encoding=encoding)
