"""Revert a filled gap slot in an FCP7 XML, EDL (and its ALE) or AAF: the inverse of the
write-back patchers for slots that were gaps.

* FCP7 XML: the filled ``<clipitem>`` (with the ``<file>`` it defines) and the line break
  and indentation the patcher put before it are cut out; every other byte stays.
* EDL: the filled event's line and the clip comments Pickup wrote (``* FROM CLIP NAME``,
  ``* FROM FILE``, ``* SOURCE FILE``) are removed; any other line on it (a ``* LOC`` an
  editor added) moves to the event before, where a LOC in the gap sat before filling
  (the patcher never moves a LOC into a new event).  Events are renumbered in record
  order as the patcher does; the ALE loses the clip's row.
* AAF: the SourceClip at the slot becomes a Filler of the slot's length, merged with
  Filler neighbours (the patcher split the gap's one Filler around the slot).  The
  take's mobs stay in the file (nothing in the sequence references them).

A slot that was a placeholder clip is put back by :mod:`pickup.timeline.patch.restore` from what
the patcher kept (:mod:`pickup.timeline.replaced`); FCPXML slots by
:mod:`pickup.timeline.patch.unfill_fcpxml`.  The helpers that find the filled clip are shared.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

import opentimelineio as otio

from pickup.atomic import atomic_path
from pickup.errors import SlotError
from pickup.timeline import LoadedTimeline
from pickup.timeline.refs import media_path_of
from pickup.timeline.replaced import decode_text

__all__ = [
    "AafHit",
    "SlotPlace",
    "edl_filled",
    "fcp7_filled",
    "filled_aaf",
    "is_gap",
    "unfill_aaf",
    "unfill_edl",
    "unfill_fcp7xml",
]


class SlotPlace(Protocol):
    """Where a filled slot is in the timeline (``pickup.takes.reassociate.FoundSlot``
    is one): what un-patching needs to know of it."""

    @property
    def slot_id(self) -> str: ...
    @property
    def track(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def duration(self) -> int: ...
    @property
    def clip(self) -> Any: ...



def _gone(found: SlotPlace, where: str, what: str) -> SlotError:
    return SlotError(f"cannot find slot {found.slot_id}'s filled clip in the file: {what}",
                     where=where, hint="the editor may have moved it; write OTIO with "
                     "-o OUT.otio, or re-import the original timeline")


def _names(found: SlotPlace) -> tuple[str | None, str | None]:
    """(media file name, clip name) of the clip in the cut."""
    assert found.clip is not None
    path = media_path_of(found.clip.media_reference)
    return (path.name if path is not None else None), found.clip.name or None


def _write(dest: Path, data: bytes) -> None:
    with atomic_path(dest, backup=dest.exists()) as tmp:
        tmp.write_bytes(data)


# -- FCP7 XML ----------------------------------------------------------------------
def fcp7_filled(loaded: LoadedTimeline, found: SlotPlace) -> tuple[Any, Any]:
    """(tree, node): the parsed file and the ``<clipitem>`` Pickup wrote at the slot.

    Refused when the clip defines a ``<file>`` other items use (removing or replacing
    the clip would leave them pointing nowhere)."""
    from pickup.timeline.patch import _xmltext as X
    from pickup.timeline.patch.fcp7xml import _spans, _top_sequence

    where = str(loaded.path)
    tree = X.parse(loaded.path)
    seq = _top_sequence(tree, loaded.timeline.name, loaded.path)
    tracks = seq.path("media", "video")
    video = tracks.findall("track") if tracks is not None else []
    number = int(found.track[1:]) if found.track[1:].isdigit() else 0
    if not 1 <= number <= len(video):
        raise _gone(found, where, f"the sequence has no video track {found.track}")
    media_name, clip_name = _names(found)
    start, end = found.start, found.start + found.duration
    hits = [n for n, a, b in _spans(video[number - 1], where)
            if (a, b) == (start, end) and n.tag == "clipitem"
            and (n.child_text("name") == clip_name or any(
                f.child_text("name") == media_name for f in n.findall("file")))]
    if len(hits) != 1:
        raise _gone(found, where, f"no single <clipitem> of it spans frames {start}-{end} "
                    f"on {found.track}")
    node = hits[0]
    inside = {id(n) for n in node.iter()}
    for file_node in node.findall("file"):
        file_id = file_node.attrs.get("id")
        if file_id and any(n.attrs.get("id") == file_id and id(n) not in inside
                           for n in tree.root.iter("file")):
            raise SlotError(f"other items use the <file id={file_id!r}> defined in slot "
                            f"{found.slot_id}'s clip", where=where,
                            hint="write OTIO with -o OUT.otio")
    return tree, node


def unfill_fcp7xml(loaded: LoadedTimeline, found: SlotPlace, dest: Path) -> Path:
    from pickup.timeline.patch import _xmltext as X

    tree, node = fcp7_filled(loaded, found)
    if node.findall("marker"):
        raise SlotError(f"slot {found.slot_id}'s clip has markers, which a gap cannot hold "
                        "in FCP7 XML", where=str(loaded.path), hint="write OTIO with -o OUT.otio")
    # The patcher wrote newline + indentation + the clipitem: cut them out together.
    begin = tree.line_start(node.start)
    if tree.data[begin:node.start].strip() == b"" and begin > 0:
        begin -= 2 if tree.data[begin - 2:begin] == b"\r\n" else 1
    else:
        begin = node.start
    _write(dest, X.splice(tree.data, [(begin, node.end, b"")]))
    return dest


# -- EDL ---------------------------------------------------------------------------
def edl_filled(loaded: LoadedTimeline, found: SlotPlace, blocks: list[Any]) -> int:
    """The index in ``blocks`` of the event Pickup wrote at the slot."""
    media_name, clip_name = _names(found)
    rec_in = loaded.start_frame + found.start
    rec_out = rec_in + found.duration

    def pickup_wrote(blk: Any) -> bool:
        body = "".join(blk.lines[1:])
        return bool((media_name and media_name in body) or
                    (clip_name and re.search(r"FROM CLIP NAME:\s*" + re.escape(clip_name)
                                             + r"\s*$", body, re.MULTILINE)))

    hits = [i for i, b in enumerate(blocks) if (b.rec_in, b.rec_out) == (rec_in, rec_out)
            and len(b.event_lines) == 1 and pickup_wrote(b)]
    if len(hits) != 1:
        raise _gone(found, str(loaded.path),
                    "no single event of it spans the slot's record timecodes")
    return hits[0]


def drop_ale_row(loaded: LoadedTimeline, dest: Path, reel: str, clip_name: str | None
                 ) -> None:
    """The ALE beside ``dest`` without the row of the clip (its reel or name)."""
    from pickup.timeline.patch.edl import ale_path

    ale_in = ale_path(loaded.path)
    if not ale_in.is_file():
        return
    ale, ale_enc = decode_text(ale_in.read_bytes())

    def other(line: str) -> bool:
        cells = line.rstrip("\r\n").split("\t")
        return not (len(cells) >= 3 and (cells[1] == reel or cells[0] == clip_name))

    lines = ale.splitlines(keepends=True)
    data_at = next((i for i, ln in enumerate(lines) if ln.strip() == "Data"), len(lines))
    rows = lines[:data_at + 1] + [ln for ln in lines[data_at + 1:] if other(ln)]
    _write(ale_path(dest), "".join(rows).encode(ale_enc))


def unfill_edl(loaded: LoadedTimeline, found: SlotPlace, dest: Path) -> Path:
    from pickup.timeline.patch.edl import _CLIP_COMMENT, _parse, renumber

    text, encoding = decode_text(loaded.path.read_bytes())
    head, blocks = _parse(text, loaded.rate, str(loaded.path))
    index = edl_filled(loaded, found, blocks)
    blk = blocks.pop(index)
    kept = [ln for ln in blk.lines[1:] if not _CLIP_COMMENT.match(ln)]
    before = blocks[index - 1].lines if index > 0 else head
    last = blk.lines[-1]
    if index == len(blocks) and not last.endswith(("\n", "\r")) and before and not kept:
        # The patcher added a line break to the event before when it appended this one.
        before[-1] = before[-1].rstrip("\r\n")
    before.extend(kept)
    _write(dest, renumber(head, blocks).encode(encoding))
    drop_ale_row(loaded, dest, blk.reel, _names(found)[1])
    return dest


# -- AAF ---------------------------------------------------------------------------
@dataclass
class AafHit:
    """The SourceClip Pickup wrote at a slot, in the open copy ``f`` of the AAF."""

    f: Any
    owner: Any  # the TimelineMobSlot or NestedScope holding the layer
    key: int | None  # the layer's index in a NestedScope (None: owner.segment)
    layer: Any  # the layer's segment (a Sequence)
    seq: Any  # the Sequence holding the clip (the layer's, or one nested in it)
    index: int
    comp: Any
    start: int
    end: int
    edit_rate: Fraction


@contextlib.contextmanager
def filled_aaf(loaded: LoadedTimeline, found: SlotPlace, dest: Path) -> Iterator[AafHit]:
    """Open a copy of the AAF (renamed over ``dest`` on success, keeping a ``.bak``) at
    the SourceClip Pickup wrote at the slot."""
    import aaf2

    from pickup.timeline.patch.aaf import _locate, _top_mob, edit_copy, picture_layers
    from pickup.timeline.rates import exact_rate

    where = str(loaded.path)
    media_name, clip_name = _names(found)
    with atomic_path(dest, backup=dest.exists()) as tmp, edit_copy(loaded.path, tmp) as f:
        mob = _top_mob(f, loaded.timeline.name, loaded.path)
        layers = picture_layers(mob)
        number = int(found.track[1:]) if found.track[1:].isdigit() else 0
        if not 1 <= number <= len(layers):
            raise _gone(found, where, f"the sequence has no picture layer {found.track}")
        mob_slot, owner, key, segment = layers[number - 1]
        if not isinstance(segment, aaf2.components.Sequence):
            raise _gone(found, where, f"{found.track} holds no sequence")
        edit_rate = Fraction(str(mob_slot.edit_rate))
        scale = edit_rate / exact_rate(loaded.rate)
        start = round(found.start * scale)
        end = round((found.start + found.duration) * scale)
        hit = _locate(segment, start, end)
        if hit is None:
            raise _gone(found, where, "nothing is at the slot")
        seq, index, comp, a, b = hit
        linked = comp.mob if isinstance(comp, aaf2.components.SourceClip) else None
        names = {n for n in (clip_name, Path(media_name).stem if media_name else None)
                 if n}
        ours = linked is not None and (
            linked.comments.get("Pickup slot") == found.slot_id or linked.name in names)
        if (a, b) != (start, end) or not ours:
            raise _gone(found, where, f"no SourceClip of it spans the slot on "
                        f"{found.track}")
        yield AafHit(f, owner, key, segment, seq, index, comp, start, end, edit_rate)


def unfill_aaf(loaded: LoadedTimeline, found: SlotPlace, dest: Path) -> Path:
    import aaf2

    with filled_aaf(loaded, found, dest) as hit:
        comps: Any = hit.seq.components
        index = hit.index
        length = hit.end - hit.start
        prev: Any = comps[index - 1] if index > 0 else None
        nxt: Any = comps[index + 1] if index + 1 < len(comps) else None
        if isinstance(nxt, aaf2.components.Filler):
            length += nxt.length
            comps.pop(index + 1)
        comps.pop(index)
        if isinstance(prev, aaf2.components.Filler):
            prev.length = prev.length + length
        else:
            comps.insert(index, hit.f.create.Filler(hit.comp.media_kind, length))
    return dest


def is_gap(ref: otio.core.MediaReference | None) -> bool:
    """Whether a slot's PLACEHOLDER reference says the slot was a gap."""
    return isinstance(ref, otio.schema.MissingReference) and \
        getattr(ref, "name", None) == "gap"
