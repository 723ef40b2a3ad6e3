"""Read any editor's timeline file into OTIO, with errors a person can act on."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import defusedxml.ElementTree as _safe_xml
import opentimelineio as otio

from pickup.errors import TimelineError
from pickup.timeline.edl_parse import read_edl_string
from pickup.timeline.formats import Format, detect_edl_rate, format_for
from pickup.timeline.sanity import check_timeline, check_utf8

__all__ = ["LoadedTimeline", "read_timeline"]

_log = logging.getLogger(__name__)


@dataclass
class LoadedTimeline:
    """A timeline read from a file, with what Pickup learned while reading it."""

    path: Path
    format: Format
    timeline: otio.schema.Timeline
    rate: float
    rate_note: str | None = None
    #: warnings already given about this timeline (each fact is said once)
    said: set[str] = field(default_factory=set, repr=False, compare=False)

    @property
    def start_frame(self) -> int:
        """The sequence start timecode, in frames at the sequence rate."""
        start = self.timeline.global_start_time
        return 0 if start is None else round(start.rescaled_to(self.rate).value)


def _edl_first_record_in(text: str, rate: float) -> otio.opentime.RationalTime | None:
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[0].isdigit():
            tcs = [f for f in fields if re.fullmatch(r"\d\d:\d\d:\d\d[:;]\d\d", f)]
            if len(tcs) >= 4:
                return otio.opentime.from_timecode(tcs[2], rate)
    return None


def _pick_timeline(result: Any, path: Path) -> otio.schema.Timeline:
    if isinstance(result, otio.schema.Timeline):
        return result
    if isinstance(result, otio.schema.SerializableCollection):
        found = list(result.find_children(descended_from_type=otio.schema.Timeline))
        if found:
            if len(found) > 1:
                _log.warning("%s holds %d sequences; using the first, %r", path, len(found),
                             found[0].name)
            return found[0]
    raise TimelineError(
        "the file holds no sequence (timeline), only clips or an event",
        where=str(path),
        hint="export a sequence/project timeline from the editing app",
    )


def read_timeline(path: Path | str, *, rate: float | None = None,
                  adapter: str | None = None) -> LoadedTimeline:
    """Read ``path`` with the adapter for its suffix (or ``adapter``).

    EDLs are read at ``rate`` or at a rate detected from their timecodes; their
    first record-in becomes the sequence start timecode, which OTIO's reader drops.
    Every failure becomes a :class:`TimelineError` naming the file and the cause.
    """
    path = Path(path)
    if not path.exists():
        raise TimelineError("no such file", where=str(path), hint="check the path")
    if path.is_dir():
        raise TimelineError("is a folder, not a timeline file", where=str(path))
    fmt = format_for(path, adapter)
    if path.stat().st_size == 0 or (path.stat().st_size < 1 << 20
                                    and not path.read_bytes().strip()):
        raise TimelineError("the file is empty", where=str(path),
                            hint="export the timeline again")
    kwargs: dict[str, Any] = {}
    note = None
    text = None
    if fmt.adapter == "cmx_3600":
        text = _read_text(path)
        if rate is None:
            try:
                rate, note = detect_edl_rate(text)
            except TimelineError as exc:
                raise TimelineError(exc.message, where=str(path),
                                    hint="check the timecodes, or pass --rate") from None
        kwargs["rate"] = rate
    check_utf8(path, fmt.adapter)
    try:
        modern = _fcpxml_media_reps(path) if fmt.adapter == "fcpx_xml" else None
        if modern is not None:
            result = otio.adapters.read_from_string(modern, adapter_name=fmt.adapter)
        elif fmt.adapter == "cmx_3600" and text is not None:
            result = _read_edl(text, path, kwargs)
        else:
            result = otio.adapters.read_from_file(str(path), adapter_name=fmt.adapter,
                                                  **kwargs)
    except otio.exceptions.UnsupportedSchemaError as exc:
        raise TimelineError(
            f"written by a newer OpenTimelineIO than this one ({otio.__version__}): {exc}",
            where=str(path),
            hint="upgrade opentimelineio, or export the file again as FCP7 XML or EDL",
        ) from None
    except TimelineError:
        raise
    except Exception as exc:  # adapters raise anything from ValueError to KeyError
        raise TimelineError(f"cannot be read as {fmt.label}: {_describe(exc)}",
                            where=str(path),
                            hint="check that the file is complete and of that format") from None
    timeline = _pick_timeline(result, path)
    seq_rate = rate or _timeline_rate(timeline)
    check_timeline(timeline, seq_rate, path)
    if fmt.adapter == "fcpx_xml":
        from pickup.timeline.fcpxml_read import restore_spine_gaps

        restore_spine_gaps(timeline, path, seq_rate)
    if fmt.adapter == "cmx_3600" and timeline.global_start_time is None and text is not None:
        start = _edl_first_record_in(text, seq_rate)
        if start is not None:
            timeline.global_start_time = start
    if not any(len(track) for track in timeline.tracks) and not timeline.tracks.markers:
        _log.info("%s: the sequence is empty", path)
    return LoadedTimeline(path=path, format=fmt, timeline=timeline, rate=seq_rate,
                          rate_note=note)


def _fcpxml_media_reps(path: Path) -> str | None:
    """The FCPXML text with each ``<asset>``'s media file as its ``src`` attribute, when
    the file names media the modern way (FCPXML 1.9+: a ``<media-rep>`` child), which the
    FCPXML adapter does not read: without this every clip would be offline.  ``None``
    when nothing needs changing (the file is then read as it is).  The file on disk is
    never changed; write-back patches the original text."""
    data = path.read_bytes()
    if b"<media-rep" not in data:
        return None
    root = _safe_xml.fromstring(data)
    changed = False
    for asset in root.iter("asset"):
        if asset.get("src"):
            continue
        reps = asset.findall("media-rep")
        rep = next((r for r in reps if r.get("kind") == "original-media"), None)
        if rep is None and reps:  # (an Element with no children is falsy: no `or`)
            rep = reps[0]
        if rep is not None and rep.get("src"):
            asset.set("src", rep.get("src", ""))
            changed = True
    return ElementTree.tostring(root, encoding="unicode") if changed else None


_EDL_TC = re.compile(r"^\d\d:\d\d:\d\d[:;.]\d\d$")


def _read_edl(text: str, path: Path, kwargs: dict[str, Any]) -> Any:
    """Read an EDL; when an event's source and record durations differ (and no M2 or
    freeze frame explains it), read it leniently: the record side is trusted (its
    source out becomes source in + record duration, so a hole after it stays a hole),
    with a warning per event.  The file itself is never changed."""
    rate = float(kwargs["rate"])
    try:
        return read_edl_string(text, rate)
    except Exception as exc:  # the adapter's EDLParseError
        if "duration don't match" not in str(exc):
            raise
    fixed, notes = _trust_record_side(text, rate)
    for note in notes:
        _log.warning("%s: %s", path, note)
    return read_edl_string(fixed, rate)


def _trust_record_side(text: str, rate: float) -> tuple[str, list[str]]:
    """``text`` with each plain cut event's source out set from its record duration,
    and a note per event changed."""
    lines = text.splitlines(keepends=True)
    events = [i for i, ln in enumerate(lines) if _edl_event(ln) is not None]
    notes: list[str] = []
    for n, index in enumerate(events):
        fields = _edl_event(lines[index])
        assert fields is not None
        block = "".join(lines[index + 1:events[n + 1] if n + 1 < len(events) else None])
        if "M2 " in block.upper() or "FREEZE FRAME" in block.upper() or fields[3] != "C":
            continue
        tcs = [f for f in fields if _EDL_TC.match(f)][-4:]
        try:
            src_in, src_out, rec_in, rec_out = (
                otio.opentime.from_timecode(tc.replace(";", ":").replace(".", ":"), rate)
                for tc in tcs)
        except ValueError:
            continue
        if src_out - src_in == rec_out - rec_in:
            continue
        new_out = otio.opentime.to_timecode(src_in + (rec_out - rec_in), rate)
        line = lines[index]
        at = line.index(tcs[1], line.index(tcs[0]) + len(tcs[0]))
        lines[index] = line[:at] + new_out + line[at + len(tcs[1]):]
        source_frames = round((src_out - src_in).value)
        record_frames = round((rec_out - rec_in).value)
        notes.append(f"event {fields[0]}: source {tcs[0]}-{tcs[1]} is {source_frames} "
                     f"frames, record {tcs[2]}-{tcs[3]} is {record_frames}; read with the "
                     "record duration (lenient read)")
    return "".join(lines), notes


def _edl_event(line: str) -> list[str] | None:
    fields = line.split()
    if len(fields) >= 8 and fields[0].isdigit() and sum(
            1 for f in fields if _EDL_TC.match(f)) >= 4:
        return fields
    return None


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _timeline_rate(timeline: otio.schema.Timeline) -> float:
    if timeline.global_start_time is not None:
        return float(timeline.global_start_time.rate)
    for track in timeline.tracks:
        for item in track:
            try:
                return float(item.trimmed_range().duration.rate)
            except Exception:
                continue
    return 24.0
