"""Read a Fountain title page: ``Key: value`` lines (values may continue on indented lines)
at the top of the file, up to the first empty line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pickup.otio_adapters._fountain_markup import plain_text
from pickup.otio_adapters._fountain_source import LineState, SourceLine

__all__ = ["TitlePage", "read_title_page"]

_KEY = re.compile(r"([A-Za-z][A-Za-z0-9 _'\-]{0,39}):(.*)")
_KNOWN_KEYS = frozenset({"title", "credit", "author", "authors", "source", "draft date", "date",
                         "contact", "copyright", "notes", "revision", "series", "episode",
                         "written by", "based on", "format"})
_SCENE_START = re.compile(r"(?i)^(?:INT|EXT|EST|I/E|E/I)[./\s]")


@dataclass
class TitlePage:
    """The title page's fields (plain text), its notes, and where the script body starts."""

    fields: dict[str, str] = field(default_factory=dict)
    notes: list[tuple[str, int]] = field(default_factory=list)
    body_start: int = 0

    @property
    def title(self) -> str | None:
        for key, value in self.fields.items():
            if key.lower() == "title" and value.strip():
                return " ".join(value.split())
        return None


def read_title_page(lines: list[SourceLine]) -> TitlePage:
    """The title page at the top of ``lines`` (an empty one when there is none)."""
    first = next((i for i, line in enumerate(lines) if line.state is LineState.TEXT), None)
    if first is None:
        return TitlePage()
    head = lines[first].text
    match = _KEY.fullmatch(head)
    if match is None or head[:1] in " \t" or _SCENE_START.match(head):
        return TitlePage()
    fields: dict[str, list[str]] = {}
    notes: list[tuple[str, int]] = []
    key: str | None = None
    end = len(lines)
    for i in range(first, len(lines)):
        line = lines[i]
        notes.extend(line.notes)
        if line.state is LineState.BLANK:
            end = i + 1
            break
        if line.state is LineState.TRANSPARENT:
            continue
        match = _KEY.fullmatch(line.text)
        if match and line.text[:1] not in " \t":
            name = match.group(1).strip()
            key = name
            fields.setdefault(name, [])
            value = match.group(2).strip()
            if value:
                fields[name].append(value)
        elif key is not None:
            fields[key].append(line.text.strip())
    has_value = any(values for values in fields.values())
    if not has_value and not any(k.lower() in _KNOWN_KEYS for k in fields):
        return TitlePage()  # e.g. "FADE IN:" on the first line
    early_notes = [n for line in lines[:first] for n in line.notes]
    return TitlePage(
        fields={k: plain_text("\n".join(v)) for k, v in fields.items()},
        notes=early_notes + notes,
        body_start=end,
    )
