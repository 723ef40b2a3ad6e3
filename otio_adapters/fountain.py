"""OTIO adapter ``fountain``: read a Fountain screenplay (.fountain, .spmd) as a timeline of
marked slots, one per scene (or per shot), each a gap with a ``GEN kind: prompt`` marker.

Keyword arguments (``otioconvert -a key=value``): ``rate`` (24), ``default_kind``
("cutaway"), ``lines_per_page`` (55), ``seconds_per_page`` (60), ``max_prompt_chars``
(800), ``split_shots`` (True), ``start_timecode`` ("01:00:00:00"; "" for none) and
``encoding`` (None: UTF-8, else Windows-1252 with a warning).  See docs/adapters.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import opentimelineio as otio

from pickup.otio_adapters._build import DEFAULT_START, script_options, script_to_timeline
from pickup.otio_adapters._files import read_bytes
from pickup.otio_adapters._fountain_parser import parse_fountain
from pickup.otio_adapters._pages import LINES_PER_PAGE
from pickup.otio_adapters._slots import DEFAULT_KIND
from pickup.otio_adapters._text import decode_text

__all__ = ["read_from_file", "read_from_string"]


def read_from_string(input_str: str, *, rate: object = 24, default_kind: object = DEFAULT_KIND,
                     lines_per_page: object = LINES_PER_PAGE, seconds_per_page: object = 60,
                     max_prompt_chars: object = 800, split_shots: object = True,
                     start_timecode: str | None = DEFAULT_START,
                     source: str = "Fountain text") -> otio.schema.Timeline:
    """The timeline of the Fountain screenplay ``input_str``."""
    options = script_options(rate=rate, default_kind=default_kind,
                             lines_per_page=lines_per_page, seconds_per_page=seconds_per_page,
                             max_prompt_chars=max_prompt_chars, split_shots=split_shots)
    text = input_str.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    script = parse_fountain(text, source=source)
    return script_to_timeline(script, options, start_timecode=start_timecode)


def read_from_file(filepath: str | os.PathLike[str], *, rate: object = 24,
                   default_kind: object = DEFAULT_KIND, lines_per_page: object = LINES_PER_PAGE,
                   seconds_per_page: object = 60, max_prompt_chars: object = 800,
                   split_shots: object = True, start_timecode: str | None = DEFAULT_START,
                   encoding: str | None = None) -> otio.schema.Timeline:
    """The timeline of the Fountain screenplay at ``filepath``; named after its title
    (or the file name without suffix)."""
    options = script_options(rate=rate, default_kind=default_kind,
                             lines_per_page=lines_per_page, seconds_per_page=seconds_per_page,
                             max_prompt_chars=max_prompt_chars, split_shots=split_shots)
    source = str(filepath)
    decoded = decode_text(read_bytes(filepath, "screenplay"), source=source, encoding=encoding,
                          what="a Fountain screenplay")
    script = parse_fountain(decoded.text, source=source, encoding=decoded.encoding,
                            warnings=decoded.warnings)
    return script_to_timeline(script, options, start_timecode=start_timecode,
                              fallback_name=Path(filepath).stem)
