"""OTIO adapter ``shotlist``: read a shot list (.csv) as a timeline of marked slots, and write
a (possibly filled) timeline back as a shot list with each slot's status, take and provider.

Columns are found by header, case-insensitively, with common synonyms: scene
("Sc", "Scene #"), shot ("Shot #"), kind ("Type"), prompt ("Description"),
duration ("Dur", "Length"; ``4s``, ``4.5``, ``96f``), rate ("FPS"), status, take,
provider, notes.  Unknown columns are kept.  Reader keyword arguments:
``rate`` (from the file, else 24), ``default_kind`` ("cutaway"),
``default_duration`` ("5s"), ``start_timecode`` ("01:00:00:00") and ``encoding``.
See docs/adapters.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import opentimelineio as otio

from pickup.otio_adapters._build import DEFAULT_START
from pickup.otio_adapters._durations import parse_duration, parse_rate
from pickup.otio_adapters._errors import AdapterError
from pickup.otio_adapters._files import read_bytes, write_bytes_atomically
from pickup.otio_adapters._shotlist_reader import ShotlistOptions, read_shotlist
from pickup.otio_adapters._shotlist_writer import write_shotlist
from pickup.otio_adapters._slots import DEFAULT_KIND
from pickup.otio_adapters._text import DecodedText, decode_text

__all__ = ["read_from_file", "read_from_string", "write_to_file", "write_to_string"]


def _options(rate: object, default_kind: object, default_duration: object,
             start_timecode: str | None) -> ShotlistOptions:
    try:
        parsed_rate = parse_rate(rate) if rate not in (None, "") else None
    except ValueError as exc:
        raise AdapterError(f"rate: {exc}", hint="pass e.g. rate=24 or rate=23.976") from None
    try:
        duration = parse_duration(str(default_duration), rate=parsed_rate or 24.0)
    except ValueError as exc:
        raise AdapterError(f"default_duration: {exc}") from None
    kind = str(default_kind or "").strip().lower().replace("-", "")
    if not kind or not kind.replace("_", "").isalnum():
        raise AdapterError(f"default_kind={default_kind!r} must be one word, e.g. cutaway")
    return ShotlistOptions(parsed_rate, kind, duration, start_timecode)


def read_from_string(input_str: str, *, rate: object = None, default_kind: object = DEFAULT_KIND,
                     default_duration: object = "5s", start_timecode: str | None = DEFAULT_START,
                     source: str = "shot list") -> otio.schema.Timeline:
    """The timeline of the shot list text ``input_str``."""
    options = _options(rate, default_kind, default_duration, start_timecode)
    newline = "\r\n" if "\r\n" in input_str else "\n"
    text = input_str.replace("\r\n", "\n").replace("\r", "\n")
    decoded = DecodedText(text.lstrip("\ufeff"), "utf-8", text.startswith("\ufeff"), newline)
    return read_shotlist(decoded, source=source, name="Shot list", options=options)


def read_from_file(filepath: str | os.PathLike[str], *, rate: object = None,
                   default_kind: object = DEFAULT_KIND, default_duration: object = "5s",
                   start_timecode: str | None = DEFAULT_START,
                   encoding: str | None = None) -> otio.schema.Timeline:
    """The timeline of the shot list at ``filepath``, named after the file."""
    options = _options(rate, default_kind, default_duration, start_timecode)
    source = str(filepath)
    decoded = decode_text(read_bytes(filepath, "shot list"), source=source, encoding=encoding,
                          what="a CSV shot list")
    return read_shotlist(decoded, source=source, name=Path(filepath).stem, options=options)


def write_to_string(input_otio: otio.core.SerializableObject) -> str:
    """The shot list of ``input_otio`` as CSV text."""
    return write_shotlist(input_otio).text


def write_to_file(input_otio: otio.core.SerializableObject,
                  filepath: str | os.PathLike[str]) -> None:
    """Write the shot list of ``input_otio`` to ``filepath`` atomically, in the encoding
    (and with the byte-order mark) of the shot list it was read from, if any."""
    result = write_shotlist(input_otio)
    try:
        data = result.text.encode(result.encoding)
    except (UnicodeEncodeError, LookupError):
        data, result.bom = result.text.encode("utf-8"), True
    if result.bom and result.encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        data = b"\xef\xbb\xbf" + data
    elif result.bom and not result.encoding.lower().startswith("utf"):
        data = b"\xef\xbb\xbf" + result.text.encode("utf-8")
    write_bytes_atomically(filepath, data)
