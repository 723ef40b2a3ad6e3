"""Read a shot list (CSV) into a timeline of marked slots, one gap per row, in row order."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import opentimelineio as otio

from pickup.otio_adapters._durations import Duration, parse_duration, parse_rate
from pickup.otio_adapters._errors import AdapterError, where
from pickup.otio_adapters._shotlist_columns import CANONICAL, Columns, column_keys, match_columns
from pickup.otio_adapters._text import DecodedText
from pickup.otio_adapters._timeline import mark_text, marked_gap, new_timeline

__all__ = ["ShotlistOptions", "read_shotlist", "sniff_delimiter"]


@dataclass(frozen=True)
class ShotlistOptions:
    """The ``shotlist`` reader's keyword arguments."""

    rate: float | None = None
    default_kind: str = "cutaway"
    default_duration: Duration = field(default_factory=lambda: Duration(5.0, "s"))
    start_timecode: str | None = "01:00:00:00"


def sniff_delimiter(text: str) -> str:
    """``,`` unless the header line is plainly split by ``;``, tab or ``|``."""
    header = next((line for line in text.split("\n") if line.strip()), "")
    try:
        return csv.Sniffer().sniff(header, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _rows(text: str, delimiter: str, source: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        cause = ("a quoted cell is never closed" if "end of data" in str(exc)
                 else f"not a readable CSV row ({exc})")
        raise AdapterError(cause, where=where(source, start),
                           hint="check the quotes (\") in that row") from None
    return rows


def _cell(row: list[str], columns: Columns, name: str) -> str:
    index = columns.get(name)
    return row[index].strip() if index is not None and index < len(row) else ""


def _header_label(header: list[str], columns: Columns, name: str) -> str:
    index = columns.get(name)
    return header[index].strip() if index is not None else name


def read_shotlist(decoded: DecodedText, *, source: str, name: str,
                  options: ShotlistOptions) -> otio.schema.Timeline:
    """The timeline of the shot list ``decoded`` read from ``source``."""
    delimiter = sniff_delimiter(decoded.text)
    rows = _rows(decoded.text, delimiter, source)
    rows = [(line, row) for line, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise AdapterError("the shot list has no rows", where=source)
    header_line, header = rows[0]
    columns = match_columns(header)
    if not columns.positions:
        raise AdapterError(
            f"no column of the header is one Pickup knows: {', '.join(map(repr, header))}",
            where=where(source, header_line),
            hint="name the columns e.g. Scene, Shot, Kind, Description, Duration")
    data = rows[1:]
    if not data:
        raise AdapterError("the shot list has a header but no rows", where=source)
    width = max(len(row) for _, row in rows)
    header = header + [""] * (width - len(header))
    keys = column_keys(header)
    data = [(line, row + [""] * (width - len(row))) for line, row in data]

    def fail(line: int, column: str, message: str, hint: str) -> AdapterError:
        label = _header_label(header, columns, column)
        return AdapterError(f"column {label!r}: {message}", where=where(source, line), hint=hint)

    row_rates: list[float | None] = []
    for line, row in data:
        text = _cell(row, columns, "rate")
        try:
            row_rates.append(parse_rate(text) if text else None)
        except ValueError as exc:
            raise fail(line, "rate", str(exc), "write e.g. 24, 25 or 23.976") from None
    rate = options.rate or next((r for r in row_rates if r), None) or 24.0

    gaps: list[otio.schema.Gap] = []
    stash: list[dict[str, str]] = []
    for number, ((line, row), row_rate) in enumerate(zip(data, row_rates, strict=True),
                                                     start=1):
        original = dict(zip(keys, row, strict=True))
        stash.append(original)
        text = _cell(row, columns, "duration")
        try:
            duration = (parse_duration(text, rate=row_rate or rate,
                                       bare="f" if columns.duration_in_frames else "s")
                        if text else options.default_duration)
        except ValueError as exc:
            raise fail(line, "duration", str(exc),
                       "write seconds (4s, 4.5) or frames (96f)") from None
        frames = duration.frames(rate, written_at=row_rate or rate)
        words = _cell(row, columns, "kind").lower().replace("-", "").replace("_", "").split()
        kind = words[0] if words else options.default_kind  # "Establishing shot": establishing
        prompt = " ".join(_cell(row, columns, "prompt").split())
        scene, shot = _cell(row, columns, "scene"), _cell(row, columns, "shot")
        meta: dict[str, Any] = {
            "source": "shotlist",
            "scene_number": scene or None,
            "shot": shot or None,
            "heading": _cell(row, columns, "heading") or None,
            "characters": [],
            "kind": kind,
            "prompt": prompt,
            "row": number,
            "line": line,
            "shotlist_row": original,
            # What this row read as, so that writing back keeps cells nobody changed.
            "shotlist_read": {"kind": kind, "prompt": prompt, "duration": frames, "rate": rate},
        }
        for extra in ("status", "take", "provider", "notes"):
            value = _cell(row, columns, extra)
            if value:
                meta[extra] = value
        label = "/".join(p for p in (scene, shot) if p) or f"row {number}"
        gaps.append(marked_gap(label, frames, rate, meta, mark_text(kind, prompt)))
    metadata = {
        "source": "shotlist",
        "rate": rate,
        "default_kind": options.default_kind,
        "shotlist": {
            "columns": header,
            "known": {name: columns.positions[name] for name in CANONICAL
                      if name in columns.positions},
            "delimiter": delimiter,
            "newline": decoded.newline,
            "encoding": decoded.encoding,
            "bom": decoded.bom,
            "rows": stash,
        },
        "warnings": list(decoded.warnings),
    }
    return new_timeline(name, gaps, rate=rate, start_timecode=options.start_timecode,
                        metadata=metadata)
