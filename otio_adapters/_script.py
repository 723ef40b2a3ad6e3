"""The neutral screenplay model the parsers produce and the slot planner reads.

Parsers (Fountain, Final Draft) only turn a file into a flat list of
:class:`Element` and a title page; :func:`group_scenes` cuts that list into
:class:`Scene` objects the same way for every format.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

__all__ = ["CONTENT_KINDS", "Element", "ElementKind", "Scene", "Script", "group_scenes"]


class ElementKind(str, Enum):
    """What a paragraph of a screenplay is."""

    HEADING = "heading"
    ACTION = "action"
    CHARACTER = "character"
    PARENTHETICAL = "parenthetical"
    DIALOGUE = "dialogue"
    LYRIC = "lyric"
    TRANSITION = "transition"
    CENTERED = "centered"
    SHOT = "shot"
    NOTE = "note"
    SECTION = "section"
    SYNOPSIS = "synopsis"
    PAGE_BREAK = "page_break"


# Elements that put something on screen: text before the first heading made of
# these becomes a prologue scene.
CONTENT_KINDS = frozenset({ElementKind.ACTION, ElementKind.CHARACTER, ElementKind.DIALOGUE,
                           ElementKind.LYRIC, ElementKind.SHOT})


@dataclass(frozen=True)
class Element:
    """One paragraph: its kind, plain text (no markup) and where it came from.

    ``dual`` marks the second (right-hand) speaker of dual dialogue; ``number`` and
    ``eighths`` belong to headings (the scene number, and a page length the source
    states, as Final Draft does); ``level`` to sections.
    """

    kind: ElementKind
    text: str = ""
    line: int | None = None
    dual: bool = False
    number: str | None = None
    eighths: int | None = None
    level: int = 0


@dataclass
class Scene:
    """A scene: its heading (``None`` for a prologue before the first heading) and body.

    ``elements`` starts with the heading element itself.  ``index`` counts headed
    scenes from 1 (0 for the prologue).
    """

    heading: str | None
    number: str | None
    index: int
    line: int | None
    elements: list[Element] = field(default_factory=list)
    eighths: int | None = None


@dataclass
class Script:
    """A parsed screenplay, whatever format it came from."""

    source: str
    where: str
    title: str | None
    title_page: dict[str, str]
    scenes: list[Scene]
    preamble: list[Element]
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None
    position: str = "line"   # what Element.line counts: "line" or "paragraph"


def group_scenes(elements: Iterable[Element]) -> tuple[list[Scene], list[Element]]:
    """Cut ``elements`` at headings: (scenes, elements before the first heading).

    What comes before the first heading is the preamble (its notes set the
    script's style).  If it holds action, dialogue or a shot, it is also a
    prologue scene without a heading.
    """
    scenes: list[Scene] = []
    preamble: list[Element] = []
    current: Scene | None = None
    for element in elements:
        if element.kind is ElementKind.HEADING:
            current = Scene(heading=element.text, number=element.number, index=len(scenes) + 1,
                            line=element.line, elements=[element], eighths=element.eighths)
            scenes.append(current)
        elif current is None:
            preamble.append(element)
        else:
            current.elements.append(element)
    if any(e.kind in CONTENT_KINDS for e in preamble):
        first = next((e.line for e in preamble if e.kind in CONTENT_KINDS), None)
        scenes.insert(0, Scene(heading=None, number=None, index=0, line=first,
                               elements=list(preamble)))
    return scenes, preamble
