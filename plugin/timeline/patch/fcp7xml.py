"""Patch an FCP7 XML (Premiere, Resolve) at the filled slots; every other byte stays.

A gap slot (a stretch of a ``<track>`` with no item) gets a new ``<clipitem>``;
a placeholder (``<clipitem>``/``<generatoritem>`` at exactly the slot's range)
is replaced by one, keeping its ``<marker>`` children; the placeholder's exact text
is kept in the patcher's ``replaced`` list for ``pickup revert``
(:mod:`pickup.timeline.replaced`: ``original`` = ``{"text", "encoding", "tag",
"start", "end"}``).  The new clipitem has a ``<file>`` with a ``pathurl`` to the
media, the sequence ``<rate>``, a ``<timecode>``, ``start``/``end``/``in``/``out``
and unique ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import opentimelineio as otio

from pickup.errors import SlotError, TimelineError
from pickup.timeline.patch import _xmltext as X
from pickup.timeline.patch._common import (
    changed,
    line_end,
    media_url,
    nominal,
    ntsc,
    seq_frames,
)
from pickup.timeline.place import Placement
from pickup.timeline.read import LoadedTimeline
from pickup.timeline.replaced import Replaced, decode_text
from pickup.timeline.slots import frames_to_timecode

__all__ = ["Fcp7XmlPatcher"]

_ITEMS = ("clipitem", "generatoritem", "transitionitem")


def _top_sequence(tree: X.Tree, name: str, path: Path) -> X.Node:
    if tree.root.tag != "xmeml":
        raise TimelineError(f"is not FCP7 XML: the root element is <{tree.root.tag}>",
                            where=str(path), hint="export the sequence as Final Cut Pro XML")
    tops = [s for s in tree.root.iter("sequence")
            if not any(a.tag in ("sequence", "clipitem") for a in s.ancestors())]
    if not tops:
        raise TimelineError("holds no <sequence>", where=str(path))
    for seq in tops:
        if seq.child_text("name") == name:
            return seq
    return tops[0]


def _int(node: X.Node, tag: str, where: str) -> int:
    text = node.child_text(tag)
    try:
        return int(float(text or ""))
    except ValueError:
        raise TimelineError(f"<{node.tag}> has no readable <{tag}>", where=where) from None


def _spans(track: X.Node, where: str) -> list[tuple[X.Node, int, int]]:
    """(item, start, end) for the track's items; -1 ends resolved at transitions."""
    items = [c for c in track.children if c.tag in _ITEMS]
    spans: list[tuple[X.Node, int, int]] = []
    for i, item in enumerate(items):
        start, end = _int(item, "start", where), _int(item, "end", where)
        if start < 0 and i > 0:
            start = _int(items[i - 1], "start", where)
        if end < 0 and i + 1 < len(items):
            end = _int(items[i + 1], "end", where)
        spans.append((item, start, end))
    return spans


def _rate_xml(rate: float, ind: bytes, nl: bytes) -> bytes:
    t = "TRUE" if ntsc(rate) else "FALSE"
    return (ind + b"<rate>" + nl + ind + b"\t<timebase>%d</timebase>" % nominal(rate) + nl
            + ind + b"\t<ntsc>" + t.encode() + b"</ntsc>" + nl + ind + b"</rate>")


class Fcp7XmlPatcher:
    """Writes an FCP7 XML by splicing new ``<clipitem>`` elements into the original."""

    def __init__(self) -> None:
        self.replaced: list[Replaced] = []

    def write(self, source: LoadedTimeline, edited: otio.schema.Timeline,
              placements: Sequence[Placement], dest: Path) -> None:
        dest.write_bytes(patch_fcp7xml(source, placements, keep=self.replaced))


def patch_fcp7xml(source: LoadedTimeline, placements: Sequence[Placement],
                  keep: list[Replaced] | None = None) -> bytes:
    """The patched document's bytes; each placeholder replaced is appended to ``keep``."""
    where = str(source.path)
    tree = X.parse(source.path)
    seq = _top_sequence(tree, source.timeline.name, source.path)
    nl = line_end(tree.data)
    tracks = seq.path("media", "video")
    video = tracks.findall("track") if tracks is not None else []
    taken = {n.attrs["id"] for n in tree.root.iter() if "id" in n.attrs}
    taken |= {n.text for n in tree.root.iter("masterclipid")}
    edits: list[tuple[int, int, bytes]] = []
    used: set[tuple[int, int]] = set()

    def new_id(prefix: str) -> str:
        n = 1
        while f"{prefix}-pickup-{n}" in taken:
            n += 1
        taken.add(f"{prefix}-pickup-{n}")
        return f"{prefix}-pickup-{n}"

    for p in placements:
        slot = p.slot
        if not 1 <= slot.track_index <= len(video):
            raise changed(p, f"the sequence has no video track V{slot.track_index}", where)
        track = video[slot.track_index - 1]
        spans = _spans(track, where)
        s, e = slot.start, slot.end
        over = [(n, a, b) for n, a, b in spans if a < e and b > s]
        if slot.item == "gap":
            if over:
                raise changed(p, f"V{slot.track_index} now has <{over[0][0].tag}> "
                              f"{over[0][0].child_text('name')!r} where the gap was", where)
            before = [n for n, a, b in spans if b <= s]
            if before:
                anchor, at = before[-1], before[-1].end
                ind = X.indent_of(tree, anchor)
                text = nl + ind + _clipitem(p, source, ind, nl, new_id, [])
            elif spans:
                anchor, at = spans[0][0], spans[0][0].start
                ind = X.indent_of(tree, anchor)
                text = _clipitem(p, source, ind, nl, new_id, []) + nl + ind
            else:
                at = track.open_end
                ind = X.indent_of(tree, track) + b"\t"
                text = nl + ind + _clipitem(p, source, ind, nl, new_id, [])
            edits.append((at, at, text))
        else:
            exact = [n for n, a, b in over if a == s and b == e and n.tag != "transitionitem"]
            if len(over) != 1 or not exact:
                raise changed(p, f"no placeholder spans frames {s}-{e} on "
                              f"V{slot.track_index} any more", where)
            node = exact[0]
            if (node.start, node.end) in used:
                raise SlotError("two placements target the same placeholder",
                                where=f"slot {slot.id}")
            used.add((node.start, node.end))
            if keep is not None and not slot.filled:  # a Pickup clip is not the original
                text, encoding = decode_text(tree.raw(node))
                keep.append(Replaced(slot.id, "fcp7xml", slot.item, {
                    "text": text, "encoding": encoding, "tag": node.tag, "start": s,
                    "end": e}, source=where))
            ind = X.indent_of(tree, node)
            markers = [tree.raw(m) for m in node.findall("marker")]
            edits.append((node.start, node.end,
                          _clipitem(p, source, ind, nl, new_id, markers)))
    return X.splice(tree.data, edits)


def _clipitem(p: Placement, source: LoadedTimeline, ind: bytes, nl: bytes, new_id,
              markers: list[bytes]) -> bytes:
    rate = source.rate
    slot = p.slot
    i1, i2, i3 = ind + b"\t", ind + b"\t\t", ind + b"\t\t\t"
    length = seq_frames(p, rate)
    media_path = Path(p.media.path)
    tc_start = p.media.start_frame
    drop = ";" in frames_to_timecode(0, rate)

    def el(i: bytes, tag: str, value: object) -> bytes:
        return i + f"<{tag}>{X.escape(str(value))}</{tag}>".encode() + nl

    out = [f"<clipitem id={X.quoteattr(new_id('clipitem'))}>".encode() + nl,
           el(i1, "masterclipid", new_id("masterclip")),
           el(i1, "name", p.name),
           el(i1, "enabled", "TRUE"),
           el(i1, "duration", length),
           _rate_xml(rate, i1, nl) + nl,
           el(i1, "start", slot.start),
           el(i1, "end", slot.end),
           el(i1, "in", 0),
           el(i1, "out", slot.duration),
           i1 + f"<file id={X.quoteattr(new_id('file'))}>".encode() + nl,
           el(i2, "name", media_path.name),
           el(i2, "pathurl", media_url(p)),
           _rate_xml(rate, i2, nl) + nl,
           el(i2, "duration", length),
           i2 + b"<timecode>" + nl,
           _rate_xml(rate, i3, nl) + nl,
           el(i3, "string", frames_to_timecode(tc_start, rate)),
           el(i3, "frame", tc_start),
           el(i3, "displayformat", "DF" if drop else "NDF"),
           i2 + b"</timecode>" + nl,
           i2 + b"<media>" + nl,
           i3 + b"<video>" + nl]
    if p.media.width and p.media.height:
        out += [i3 + b"\t<samplecharacteristics>" + nl,
                el(i3 + b"\t\t", "width", p.media.width),
                el(i3 + b"\t\t", "height", p.media.height),
                i3 + b"\t</samplecharacteristics>" + nl]
    out += [i3 + b"</video>" + nl, i2 + b"</media>" + nl, i1 + b"</file>" + nl]
    out += [i1 + m + nl for m in markers]
    out.append(ind + b"</clipitem>")
    return b"".join(out)
