"""Patch a CMX 3600 EDL at the filled slots, and write an ALE so Avid can link the media.

Each filled gap becomes a new event (a unique reel of at most 8 characters, ``*
FROM CLIP NAME:`` with the slot id, ``* SOURCE FILE:`` (Avid) and ``* FROM FILE:``
(OTIO, Resolve) with the media path)
inserted in record order; a filled placeholder event keeps its number and its
other comment lines (``* LOC:`` and the like) and gets the new reel, source
timecodes and comments; its original lines are kept in the patcher's ``replaced``
list for ``pickup revert`` (:mod:`pickup.timeline.replaced`: ``original`` =
``{"lines", "encoding", "rec_in", "rec_out"}``, record frames).  Events are
renumbered in record order; only their number changes.  The title, the FCM line,
every LOC line and every comment stay as they were.  CMX 3600 has one picture
track, so only V1 slots can be written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import opentimelineio as otio

from pickup.errors import SlotError, TimelineError
from pickup.timeline.patch._common import changed, exact_rate, line_end, nominal, ntsc
from pickup.timeline.place import Placement
from pickup.timeline.read import LoadedTimeline
from pickup.timeline.replaced import Replaced, decode_text

__all__ = ["EdlPatcher", "ale_path", "ale_text", "patch_edl", "renumber"]

_TC = re.compile(r"^\d\d:\d\d:\d\d[:;.]\d\d$")
_NUMBER = re.compile(r"^(\s*)(\d+)")
_CLIP_COMMENT = re.compile(
    r"^\s*\*?\s*(FROM CLIP NAME|FROM CLIP|FROM FILE|SOURCE FILE|OTIO REFERENCE \w+)\s*:",
    re.IGNORECASE)


@dataclass
class _Block:
    """One event: its event line(s) (two for a dissolve) and the lines after them."""

    lines: list[str]
    number: int
    reel: str
    channels: str
    rec_in: int
    rec_out: int
    event_lines: list[int] = field(default_factory=list)  # indices into lines
    patched: bool = False



def _event_fields(line: str) -> list[str] | None:
    fields = line.split()
    if len(fields) >= 7 and fields[0].isdigit():
        tcs = [f for f in fields if _TC.match(f)]
        if len(tcs) >= 4:
            return fields
    return None


def _frames(tc: str, rate: float) -> int:
    return round(otio.opentime.from_timecode(tc.replace(".", ":"), rate).value)


def _parse(text: str, rate: float, where: str) -> tuple[list[str], list[_Block]]:
    head: list[str] = []
    blocks: list[_Block] = []
    for line in text.splitlines(keepends=True):
        fields = _event_fields(line)
        if fields is None:
            if line.strip() and line.lstrip()[:3].isdigit() and not blocks and not head:
                raise TimelineError("an event line is not CMX 3600", where=where)
            (blocks[-1].lines if blocks else head).append(line)
            continue
        number = int(fields[0])
        tcs = [f for f in fields if _TC.match(f)]
        try:
            rec_in, rec_out = _frames(tcs[-2], rate), _frames(tcs[-1], rate)
        except ValueError as exc:
            raise TimelineError(f"unreadable timecode in event {fields[0]}: {exc}",
                                where=where) from None
        if blocks and blocks[-1].number == number and len(blocks[-1].event_lines) == len(
                blocks[-1].lines):
            # A dissolve: the second line of the same event.
            blk = blocks[-1]
            blk.lines.append(line)
            blk.event_lines.append(len(blk.lines) - 1)
            blk.rec_in, blk.rec_out = min(blk.rec_in, rec_in), max(blk.rec_out, rec_out)
            continue
        blocks.append(_Block([line], number, fields[1], fields[2], rec_in, rec_out, [0]))
    if not blocks:
        raise TimelineError("holds no CMX 3600 events", where=where,
                            hint="export the sequence as a CMX 3600 EDL")
    return head, blocks


def _drop(text: str, rate: float) -> bool:
    if re.search(r"^FCM:\s*DROP", text, re.MULTILINE):
        return True
    return ntsc(rate) and nominal(rate) in (30, 60) and not re.search(
        r"^FCM:\s*NON", text, re.MULTILINE)


def _tc(frames: int, rate: float, drop: bool) -> str:
    rt = otio.opentime.RationalTime(frames, rate)
    if ntsc(rate) and nominal(rate) in (30, 60):
        return otio.opentime.to_timecode(rt, rate, drop_frame=drop)
    return otio.opentime.to_timecode(rt, rate)


def _reels(blocks: list[_Block], count: int) -> list[str]:
    taken = {b.reel.upper() for b in blocks}
    out: list[str] = []
    n = 1
    while len(out) < count:
        name = f"PKUP{n:04d}"
        if name not in taken:
            out.append(name)
            taken.add(name)
        n += 1
    return out


def _is_video(block: _Block) -> bool:
    return "V" in block.channels.upper() or block.channels.upper() == "B"


def renumber(head: list[str], blocks: Sequence[Any]) -> str:
    """The EDL's text: ``head`` then the event blocks numbered 1, 2, ... in the order
    given (at least three digits, as wide as the count needs); only numbers change.
    Placing, un-filling and restoring all number events this way."""
    width = max(3, len(str(len(blocks))))
    out = list(head)
    for number, blk in enumerate(blocks, start=1):
        for index in blk.event_lines:
            blk.lines[index] = _NUMBER.sub(lambda m, n=number: f"{m.group(1)}{n:0{width}d}",
                                           blk.lines[index], count=1)
        out.extend(blk.lines)
    return "".join(out)


class EdlPatcher:
    """Writes an EDL by inserting and renumbering event blocks; an ALE beside it."""

    def __init__(self) -> None:
        self.replaced: list[Replaced] = []

    def write(self, source: LoadedTimeline, edited: otio.schema.Timeline,
              placements: Sequence[Placement], dest: Path) -> None:
        dest.write_bytes(patch_edl(source, placements, keep=self.replaced))

    def sidecars(self, source: LoadedTimeline, placements: Sequence[Placement],
                 dest: Path) -> dict[Path, bytes]:
        """The ALE beside the final output ``dest``."""
        return {ale_path(dest): ale_text(source, placements).encode("utf-8")}


def ale_path(dest: Path) -> Path:
    """``<stem>.pickup.ale`` beside ``dest`` (``cut.pickup.edl`` -> ``cut.pickup.ale``)."""
    stem = dest.stem[:-len(".pickup")] if dest.stem.endswith(".pickup") else dest.stem
    return dest.with_name(f"{stem}.pickup.ale")


def _given_reel(p: Placement) -> str | None:
    """The reel a placement brings (``metadata["reel"]``: the hand-off gives each take
    one, and writes it into the MXF too), if it fits a CMX 3600 reel field."""
    reel = str(p.metadata.get("reel") or "").strip()
    return reel if reel and len(reel) <= 8 and reel.replace("_", "").isalnum() else None


def _new_events(source: LoadedTimeline, placements: Sequence[Placement], blocks: list[_Block]
                ) -> list[tuple[Placement, str]]:
    """Each placement with its reel: its own when it brings one no other event uses,
    else a new ``PKUPnnnn``."""
    replaced = {(p.slot.start + source.start_frame) for p in placements if p.slot.item != "gap"}
    others = [b for b in blocks if b.rec_in not in replaced]
    taken = {b.reel.upper() for b in others}
    given: list[str | None] = []
    for p in placements:
        reel = _given_reel(p)
        given.append(reel if reel and reel.upper() not in taken else None)
        if reel:
            taken.add(reel.upper())
    fresh = iter(_reels([*others, *(_Block([], 0, r, "V", 0, 0) for r in given if r)],
                        given.count(None)))
    return [(p, reel or next(fresh)) for p, reel in zip(placements, given, strict=True)]


def patch_edl(source: LoadedTimeline, placements: Sequence[Placement],
              keep: list[Replaced] | None = None) -> bytes:
    """The patched EDL's bytes (same encoding and line endings as the input); each
    placeholder event replaced is appended to ``keep``."""
    where = str(source.path)
    data = source.path.read_bytes()
    text, encoding = decode_text(data)
    rate = source.rate
    head, blocks = _parse(text, rate, where)
    nl = line_end(data).decode()
    drop = _drop(text, rate)
    new_blocks: list[_Block] = []
    for p, reel in _new_events(source, placements, blocks):
        slot = p.slot
        if slot.track_index != 1:
            raise SlotError("an EDL has one picture track; this slot is on "
                            f"V{slot.track_index}", where=f"{where}, slot {slot.id}",
                            hint="write OTIO with -o OUT.otio, or --to fcp_xml")
        rec_in = source.start_frame + slot.start
        rec_out = rec_in + slot.duration
        over = [b for b in blocks if _is_video(b) and b.rec_in < rec_out and b.rec_out > rec_in
                and b.rec_out > b.rec_in]
        src_in = round(p.media.start_frame * float(exact_rate(rate)) / float(p.media.rate))
        tcs = [_tc(src_in, rate, drop), _tc(src_in + slot.duration, rate, drop),
               _tc(rec_in, rate, drop), _tc(rec_out, rate, drop)]
        event = f"{0:03d}  {reel:<8} V     C        {' '.join(tcs)} {nl}"
        comments = [f"* FROM CLIP NAME: {p.name}{nl}",
                    f"* FROM FILE: {Path(p.media.path).resolve()}{nl}",
                    f"* SOURCE FILE: {Path(p.media.path).resolve()}{nl}"]
        if slot.item == "gap":
            if over:
                raise changed(p, f"event {over[0].number:03d} now covers the gap", where)
            new_blocks.append(_Block([event, *comments], 0, reel, "V", rec_in, rec_out, [0]))
            continue
        exact = [b for b in over if b.rec_in == rec_in and b.rec_out == rec_out]
        if len(over) != 1 or not exact or len(exact[0].event_lines) != 1:
            raise changed(p, f"no single event spans {tcs[2]}-{tcs[3]} any more", where)
        blk = exact[0]
        if blk.patched:
            raise SlotError("two placements target the same event", where=f"slot {slot.id}")
        if keep is not None and not slot.filled:  # a Pickup event is not the original
            keep.append(Replaced(slot.id, "edl", slot.item, {
                "lines": list(blk.lines), "encoding": encoding, "rec_in": rec_in,
                "rec_out": rec_out}, source=where))
        number = _NUMBER.match(blk.lines[0])
        blk.lines[0] = event.replace("000", number.group(2) if number else "000", 1)
        kept = [ln for ln in blk.lines[1:] if not _CLIP_COMMENT.match(ln)]
        blk.lines = [blk.lines[0], *comments, *kept]
        blk.reel = reel
        blk.patched = True
    # Insert new events in record order, then renumber every event.
    merged = list(blocks)
    for new in sorted(new_blocks, key=lambda b: b.rec_in):
        pos = next((i for i, b in enumerate(merged) if b.rec_in > new.rec_in), len(merged))
        if pos == len(merged) and merged and not merged[-1].lines[-1].endswith(("\n", "\r")):
            merged[-1].lines[-1] += nl
        merged.insert(pos, new)
    return renumber(head, merged).encode(encoding)


def _fps_text(rate: float) -> str:
    exact = exact_rate(rate)
    if exact.denominator == 1001:
        return f"{float(exact):.3f}" if nominal(rate) % 24 == 0 else f"{float(exact):.2f}"
    return str(int(exact)) if exact.denominator == 1 else f"{float(exact):.3f}"


def ale_text(source: LoadedTimeline, placements: Sequence[Placement]) -> str:
    """An Avid Log Exchange listing the placed clips: Name, Tape, Source File,
    Start, End (exclusive) and FPS, with the same reels as the EDL events."""
    data = source.path.read_bytes()
    text, _ = decode_text(data)
    rate = source.rate
    _, blocks = _parse(text, rate, str(source.path))
    drop = _drop(text, rate)
    fps = _fps_text(rate)
    rows = []
    for p, reel in _new_events(source, placements, blocks):
        src_in = round(p.media.start_frame * float(exact_rate(rate)) / float(p.media.rate))
        src_out = src_in + round(p.media.frames * float(exact_rate(rate)) / float(p.media.rate))
        rows.append("\t".join([p.name, reel, str(Path(p.media.path).resolve()),
                               _tc(src_in, rate, drop), _tc(src_out, rate, drop), fps]))
    lines = ["Heading", "FIELD_DELIM\tTABS", "VIDEO_FORMAT\tCUSTOM", "AUDIO_FORMAT\t48khz",
             f"FPS\t{fps}", "", "Column", "Name\tTape\tSource File\tStart\tEnd\tFPS", "",
             "Data", *rows, ""]
    return "\n".join(lines)
