"""Turn the bytes of a text file into ``\\n``-separated text, whatever its encoding and line ends.

UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark are
read as such.  Anything else that is not valid UTF-8 is read as Windows-1252 (the
encoding of most older Windows and Mac scripts) and a warning names the first
line that was not UTF-8; pass ``encoding`` to insist on one encoding instead.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from pickup.otio_adapters._errors import AdapterError, where

__all__ = ["DecodedText", "decode_text"]


@dataclass
class DecodedText:
    """Text with Unix line ends, the encoding it was read with, and what was odd about it."""

    text: str
    encoding: str
    bom: bool = False
    newline: str = "\n"
    warnings: list[str] = field(default_factory=list)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _newline_of(text: str) -> str:
    if "\r\n" in text:
        return "\r\n"
    if "\r" in text:
        return "\r"
    return "\n"


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def decode_text(data: bytes, *, source: str, encoding: str | None = None,
                what: str = "text") -> DecodedText:
    """Decode ``data`` read from ``source`` (a file name, for messages)."""
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise AdapterError(f"unknown text encoding {encoding!r}", where=source,
                               hint="pass an encoding Python knows, e.g. utf-8 or cp1252"
                               ) from None
        except UnicodeDecodeError as exc:
            raise AdapterError(
                f"byte 0x{data[exc.start]:02x} is not valid {encoding}",
                where=where(source, _line_of(data, exc.start)),
                hint="save the file as UTF-8, or pass the encoding it was saved in") from None
        return DecodedText(_normalise(text), encoding, text.startswith("\ufeff"),
                           _newline_of(text))
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as exc:
                raise AdapterError(
                    f"the file starts with a {name} byte-order mark but is not {name}",
                    where=where(source, _line_of(data, exc.start)),
                    hint="save it again as UTF-8") from None
            return DecodedText(_normalise(text), name, True, _newline_of(text))
    if b"\x00" in data[:4096]:
        raise AdapterError(f"this is a binary file, not {what}", where=source,
                           hint="check that the file is the one you meant")
    try:
        text = data.decode("utf-8")
        return DecodedText(_normalise(text), "utf-8", False, _newline_of(text))
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
    try:
        text = data.decode("cp1252")
        name = "cp1252"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        name = "latin-1"
    note = (f"line {line}: the file is not UTF-8; read it as {name} "
            "(save it as UTF-8 to be sure of accented letters)")
    return DecodedText(_normalise(text), name, False, _newline_of(text), [note])
