"""Locate XML elements by their byte offsets so a patcher can splice text.

The XML patchers change one element and leave every other byte of the file as
the editor's app wrote it.  :func:`parse` reads the document with expat (which
reports the byte offset of every tag) into a light tree of :class:`Node`, each
with the byte span of its whole element; :func:`splice` replaces spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from pickup.errors import TimelineError

__all__ = ["Node", "Tree", "escape", "indent_of", "parse", "quoteattr", "splice"]


@dataclass(eq=False)
class Node:
    """One element: its tag, attributes, text and byte span ``[start, end)``."""

    tag: str
    attrs: dict[str, str]
    start: int
    parent: Node | None = None
    end: int = -1
    open_end: int = -1  # the byte after the start tag's ``>``
    children: list[Node] = field(default_factory=list)
    _text: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self._text).strip()

    def find(self, tag: str) -> Node | None:
        """The first child with ``tag``."""
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def child_text(self, tag: str, default: str | None = None) -> str | None:
        node = self.find(tag)
        return node.text if node is not None else default

    def path(self, *tags: str) -> Node | None:
        """Follow first children with ``tags``."""
        node: Node | None = self
        for tag in tags:
            node = node.find(tag) if node is not None else None
        return node

    def iter(self, tag: str | None = None) -> Iterator[Node]:
        """This element and its descendants in document order."""
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            yield from child.iter(tag)

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


@dataclass(frozen=True)
class Tree:
    """A parsed document: its bytes and its root element."""

    data: bytes
    root: Node
    encoding: str

    def raw(self, node: Node) -> bytes:
        return self.data[node.start:node.end]

    def line_start(self, offset: int) -> int:
        return self.data.rfind(b"\n", 0, offset) + 1


_QUOTE = re.compile(rb"[\"']")


def _tag_end(data: bytes, start: int) -> int:
    """The byte after the ``>`` that closes the tag starting at ``start``."""
    pos = start
    while True:
        gt = data.find(b">", pos)
        if gt < 0:
            raise ValueError("unterminated tag")
        quote = _QUOTE.search(data, pos, gt)
        if quote is None:
            return gt + 1
        close = data.find(quote.group(), quote.end())
        if close < 0:
            raise ValueError("unterminated attribute value")
        pos = close + 1


def parse(path: Path, data: bytes | None = None) -> Tree:
    """Parse ``path`` (or ``data``) into a :class:`Tree`; :class:`TimelineError` if
    it is not well-formed XML or declares entities (which Pickup never needs)."""
    raw = path.read_bytes() if data is None else data
    parser = expat.ParserCreate()
    parser.buffer_text = True
    stack: list[Node] = []
    roots: list[Node] = []
    encoding = ["utf-8"]

    def xml_decl(version: str, enc: str | None, standalone: int) -> None:
        if enc:
            encoding[0] = enc

    def start(tag: str, attrs: dict[str, str]) -> None:
        begin = parser.CurrentByteIndex
        node = Node(tag, dict(attrs), begin, parent=stack[-1] if stack else None)
        node.open_end = _tag_end(raw, begin)
        if stack:
            stack[-1].children.append(node)
        else:
            roots.append(node)
        stack.append(node)

    def end(tag: str) -> None:
        node = stack.pop()
        at = parser.CurrentByteIndex
        if raw.startswith(b"</", at):
            node.end = raw.index(b">", at) + 1
        else:  # self-closing: expat reports the start tag again
            node.end = node.open_end

    def chars(text: str) -> None:
        if stack:
            stack[-1]._text.append(text)

    def no_entities(*_args: object) -> None:
        raise ValueError("the document declares entities")

    parser.XmlDeclHandler = xml_decl
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.EntityDeclHandler = no_entities
    try:
        parser.Parse(raw, True)
    except (expat.ExpatError, ValueError) as exc:
        raise TimelineError(f"not well-formed XML: {exc}", where=str(path),
                            hint="export the timeline again; the file may be truncated"
                            ) from None
    if not roots:
        raise TimelineError("holds no XML element", where=str(path))
    return Tree(raw, roots[0], encoding[0])


def splice(data: bytes, edits: Sequence[tuple[int, int, bytes]]) -> bytes:
    """``data`` with each ``(start, end, new)`` span replaced; spans must not overlap."""
    out: list[bytes] = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < pos:
            raise ValueError("overlapping edits")
        out.append(data[pos:start])
        out.append(new)
        pos = end
    out.append(data[pos:])
    return b"".join(out)


def indent_of(tree: Tree, node: Node) -> bytes:
    """The whitespace before ``node`` on its line (b"" if something else precedes it)."""
    begin = tree.line_start(node.start)
    lead = tree.data[begin:node.start]
    return lead if not lead.strip() else b""
