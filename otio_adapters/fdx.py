"""OTIO adapter ``fdx``: read a Final Draft screenplay (.fdx) as a timeline of marked slots,
one per scene (a Shot paragraph starts another slot), mapped as the ``fountain`` adapter does.

Keyword arguments (``otioconvert -a key=value``): ``rate`` (24), ``default_kind``
("cutaway"), ``lines_per_page`` (55), ``seconds_per_page`` (60), ``max_prompt_chars``
(800), ``split_shots`` (True) and ``start_timecode`` ("01:00:00:00"; "" for none).
See docs/adapters.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import opentimelineio as otio

from pickup.otio_adapters._build import DEFAULT_START, script_options, script_to_timeline
from pickup.otio_adapters._fdx_parser import parse_fdx
from pickup.otio_adapters._files import read_bytes
from pickup.otio_adapters._pages import LINES_PER_PAGE
from pickup.otio_adapters._slots import DEFAULT_KIND

__all__ = ["read_from_file", "read_from_string"]


def _read(data: bytes, source: str, fallback_name: str, *, rate: object, default_kind: object,
          lines_per_page: object, seconds_per_page: object, max_prompt_chars: object,
          split_shots: object, start_timecode: str | None) -> otio.schema.Timeline:
    options = script_options(rate=rate, default_kind=default_kind,
                             lines_per_page=lines_per_page, seconds_per_page=seconds_per_page,
                             max_prompt_chars=max_prompt_chars, split_shots=split_shots)
    script = parse_fdx(data, source=source)
    return script_to_timeline(script, options, start_timecode=start_timecode,
                              fallback_name=fallback_name)


def read_from_string(input_str: str, *, rate: object = 24, default_kind: object = DEFAULT_KIND,
                     lines_per_page: object = LINES_PER_PAGE, seconds_per_page: object = 60,
                     max_prompt_chars: object = 800, split_shots: object = True,
                     start_timecode: str | None = DEFAULT_START,
                     source: str = "Final Draft text") -> otio.schema.Timeline:
    """The timeline of the Final Draft XML ``input_str``."""
    data = input_str.encode("utf-8")
    if input_str.lstrip().startswith("<?xml"):
        # The declaration may name another encoding; the text is already decoded.
        _, sep, rest = input_str.lstrip().partition("?>")
        data = (rest if sep else input_str).encode("utf-8")
    return _read(data, source, "Untitled", rate=rate, default_kind=default_kind,
                 lines_per_page=lines_per_page, seconds_per_page=seconds_per_page,
                 max_prompt_chars=max_prompt_chars, split_shots=split_shots,
                 start_timecode=start_timecode)


def read_from_file(filepath: str | os.PathLike[str], *, rate: object = 24,
                   default_kind: object = DEFAULT_KIND, lines_per_page: object = LINES_PER_PAGE,
                   seconds_per_page: object = 60, max_prompt_chars: object = 800,
                   split_shots: object = True,
                   start_timecode: str | None = DEFAULT_START) -> otio.schema.Timeline:
    """The timeline of the Final Draft file at ``filepath``; named after its title page's
    first line (or the file name without suffix)."""
    return _read(read_bytes(filepath, "screenplay"), str(filepath), Path(filepath).stem,
                 rate=rate, default_kind=default_kind, lines_per_page=lines_per_page,
                 seconds_per_page=seconds_per_page, max_prompt_chars=max_prompt_chars,
                 split_shots=split_shots, start_timecode=start_timecode)
