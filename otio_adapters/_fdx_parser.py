"""Parse a Final Draft document (.fdx, XML) into a :class:`Script`.

Paragraph types: Scene Heading (``Number`` is the scene number, ``SceneProperties
Length`` the page length), Action, Character, Dialogue, Parenthetical,
Transition, Shot, General, Lyrics, New Act/End of Act (sections); centred
Action/General paragraphs are centred text.  Dual dialogue is a ``DualDialogue``
block inside a paragraph.  Script notes are read both where older versions put
them (a ``ScriptNote`` inside the paragraph) and where newer ones do (a
``ScriptNotes`` list whose ``Range`` counts characters through the script).
``[[notes]]`` typed into paragraph text count as notes too.

The XML is parsed with defusedxml: entity declarations and external references
are refused (billion laughs, XXE), never expanded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import defusedxml
import defusedxml.ElementTree as SafeET

from pickup.otio_adapters._directives import split_inline_notes
from pickup.otio_adapters._errors import AdapterError, where
from pickup.otio_adapters._script import Element, ElementKind, Script, group_scenes

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element as XmlElement

__all__ = ["parse_fdx"]

_KINDS: dict[str, ElementKind] = {
    "scene heading": ElementKind.HEADING,
    "action": ElementKind.ACTION,
    "general": ElementKind.ACTION,
    "character": ElementKind.CHARACTER,
    "dialogue": ElementKind.DIALOGUE,
    "parenthetical": ElementKind.PARENTHETICAL,
    "transition": ElementKind.TRANSITION,
    "shot": ElementKind.SHOT,
    "lyrics": ElementKind.LYRIC,
    "new act": ElementKind.SECTION,
    "end of act": ElementKind.SECTION,
    "act break": ElementKind.SECTION,
    "outline": ElementKind.SECTION,
}
_SKIPPED = frozenset({"cast list", "title page"})
_LENGTH = re.compile(r"^\s*(?:(\d+)\s+)?(?:(\d+)\s*/\s*8|(\d+))\s*$")


@dataclass
class _Paragraph:
    """A top-level paragraph: the elements it gives, and its span in note Range units."""

    elements: list[Element] = field(default_factory=list)
    start: int = 0


def _text(paragraph: XmlElement) -> str:
    parts = []
    for run in paragraph.findall("Text"):
        value = run.text or ""
        if "AllCaps" in (run.get("Style") or ""):
            value = value.upper()
        parts.append(value)
    return "".join(parts)


def _note_text(note: XmlElement) -> str:
    return "\n".join(_text(p) for p in note.findall("Paragraph")).strip()


def _eighths(length: str | None) -> int | None:
    """``1 3/8`` -> 11, ``4/8`` -> 4, ``2`` -> 16."""
    if not length:
        return None
    match = _LENGTH.match(length)
    if not match:
        return None
    whole, eighths, pages = match.groups()
    if pages is not None:
        return int(pages) * 8 or None
    return (int(whole or 0) * 8 + int(eighths)) or None


def _elements_of(paragraph: XmlElement, index: int, dual: bool = False) -> list[Element]:
    """The elements one ``Paragraph`` gives (``index`` stands in for a line number)."""
    kind_name = (paragraph.get("Type") or "General").strip().lower()
    if kind_name in _SKIPPED:
        return []
    kind = _KINDS.get(kind_name, ElementKind.ACTION)
    raw, notes = split_inline_notes(_text(paragraph))
    text = " ".join(raw.split())
    if kind is ElementKind.ACTION and (paragraph.get("Alignment") or "").lower() == "center":
        kind = ElementKind.CENTERED
    out: list[Element] = []
    if kind is ElementKind.HEADING:
        props = paragraph.find("SceneProperties")
        number = (paragraph.get("Number") or "").strip() or None
        if text:
            out.append(Element(kind, text, index, number=number,
                               eighths=_eighths(props.get("Length") if props is not None
                                                else None)))
    elif text:
        out.append(Element(kind, text, index, dual=dual))
    for note in paragraph.findall("ScriptNote"):
        body = _note_text(note)
        if body:
            out.append(Element(ElementKind.NOTE, body, index))
    out.extend(Element(ElementKind.NOTE, note, index) for note in notes if note)
    return out


def _dual(block: XmlElement, index: int) -> list[Element]:
    """A DualDialogue block: the second speaker and their lines are marked ``dual``."""
    out: list[Element] = []
    speakers = 0
    for inner in block.findall("Paragraph"):
        if (inner.get("Type") or "").strip().lower() == "character":
            speakers += 1
        out.extend(_elements_of(inner, index, dual=speakers >= 2))
    return out


def _paragraphs(content: XmlElement) -> Iterator[_Paragraph]:
    offset = 0
    for index, paragraph in enumerate(content.findall("Paragraph"), start=1):
        para = _Paragraph(start=offset)
        para.elements = _elements_of(paragraph, index)
        offset += len(_text(paragraph)) + 1
        for block in paragraph:
            if block.tag == "DualDialogue":
                para.elements.extend(_dual(block, index))
                offset += 2
            elif block.tag == "OmittedScene":
                offset += 2
        yield para


def _range_start(value: str | None) -> int | None:
    if not value:
        return None
    head = value.split(",", 1)[0].strip()
    return int(head) if head.isdigit() else None


def _title(root: XmlElement) -> tuple[str | None, dict[str, str], list[str]]:
    texts: list[str] = []
    notes: list[str] = []
    for paragraph in root.findall("TitlePage/Content/Paragraph"):
        raw, found = split_inline_notes(_text(paragraph))
        notes.extend(found)
        notes.extend(_note_text(n) for n in paragraph.findall("ScriptNote"))
        if raw.strip():
            texts.append(" ".join(raw.split()))
    fields = {"Title": texts[0]} if texts else {}
    if len(texts) > 1:
        fields["Title page"] = "\n".join(texts[1:])
    return (texts[0] if texts else None), fields, [n for n in notes if n]


def _parse_xml(data: bytes, source: str) -> XmlElement:
    try:
        return SafeET.fromstring(data)
    except (defusedxml.EntitiesForbidden, defusedxml.DTDForbidden,
            defusedxml.ExternalReferenceForbidden) as exc:
        raise AdapterError(
            f"the XML declares entities or external references ({type(exc).__name__}), which "
            "Pickup never expands: the file may be an attack (such as 'billion laughs') or "
            "damaged", where=source,
            hint="export the script from Final Draft again") from None
    except SafeET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        message = str(exc).split(":", 1)[0]
        raise AdapterError(f"not well-formed XML: {message} (column {column})",
                           where=where(source, line),
                           hint="the file is damaged or not a Final Draft .fdx; export it again"
                           ) from None


def parse_fdx(data: bytes, *, source: str) -> Script:
    """Parse the Final Draft XML ``data`` read from ``source`` (a name for messages)."""
    root = _parse_xml(data, source)
    if root.tag != "FinalDraft":
        raise AdapterError(f"not a Final Draft document (its root element is <{root.tag}>)",
                           where=source, hint="save the script from Final Draft as .fdx")
    content = root.find("Content")
    if content is None:
        raise AdapterError("the Final Draft document has no <Content>", where=source,
                           hint="export the script from Final Draft again")
    paragraphs = list(_paragraphs(content))
    warnings: list[str] = []
    for note in root.findall("ScriptNotes/ScriptNote"):
        body = _note_text(note)
        if not body:
            continue
        start = _range_start(note.get("Range"))
        target = None
        if start is not None:
            target = next((p for p in reversed(paragraphs) if p.start <= start), None)
        if target is None:
            warnings.append(f"script note {body[:40]!r} has no position in the script; ignored")
            continue
        line = target.elements[0].line if target.elements else None
        target.elements.append(Element(ElementKind.NOTE, body, line))
    title, fields, title_notes = _title(root)
    elements = [Element(ElementKind.NOTE, n, None) for n in title_notes]
    for paragraph in paragraphs:
        elements.extend(paragraph.elements)
    scenes, preamble = group_scenes(elements)
    if not any(scene.heading is not None for scene in scenes):
        raise AdapterError("no Scene Heading paragraphs found, so there are no scenes to mark",
                           where=source,
                           hint="format each scene's first line as a Scene Heading in Final Draft")
    return Script(source="fdx", where=source, title=title, title_page=fields, scenes=scenes,
                  preamble=preamble, warnings=warnings, encoding=None,
                  position="paragraph")
