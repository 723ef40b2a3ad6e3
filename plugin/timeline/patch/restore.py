"""Revert a filled placeholder slot in an FCP7 XML, EDL (and its ALE) or AAF: put back
what the write-back patcher replaced, from the record ``fill`` kept
(``<project>/replaced/<slot_id>.<format>.json``, :mod:`pickup.timeline.replaced`).

* FCP7 XML: the filled ``<clipitem>`` becomes the placeholder's element again, its
  exact text; every other byte stays.
* EDL: the filled event's lines become the placeholder event's lines (its event line,
  reel, timecodes and comments); a line added on the event since (a ``* LOC``) stays on
  it.  Events are renumbered in record order as the patcher does; the ALE loses the
  clip's row (the ALE lists only clips Pickup placed).
* AAF: the SourceClip becomes the placeholder component again, rebuilt from the record
  (:mod:`pickup.timeline.patch.aafobj`); the take's mobs stay in the file, unreferenced.

What cannot be put back faithfully is refused with the reason: the clip moved or changed
length since fill, markers were added to it or removed (FCP7 XML), the record does not
fit the file.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from pickup.errors import SlotError
from pickup.timeline import LoadedTimeline
from pickup.timeline.patch.edl import renumber
from pickup.timeline.patch.unfill import (
    SlotPlace,
    _names,
    _write,
    drop_ale_row,
    edl_filled,
    fcp7_filled,
    filled_aaf,
)
from pickup.timeline.replaced import Replaced, decode_text

__all__ = ["parse_element", "refused", "restore_aaf", "restore_edl", "restore_fcp7xml"]

_HINT = "write OTIO with -o OUT.otio, or re-import the editor's original timeline"


def refused(found: SlotPlace, where: str, why: str) -> SlotError:
    """The record cannot be put back safely."""
    return SlotError(f"cannot put slot {found.slot_id}'s placeholder back: {why}",
                     where=where, hint=_HINT)


def _text(rec: Replaced) -> bytes:
    return str(rec.original["text"]).encode(str(rec.original.get("encoding") or "utf-8"))


def parse_element(rec: Replaced, where: str) -> Any:
    """The recorded element's text parsed on its own (an XML tree of it)."""
    from pickup.timeline.patch import _xmltext as X

    text = _text(rec)
    encoding = str(rec.original.get("encoding") or "utf-8")
    if encoding.lower().replace("-", "") != "utf8":  # expat reads UTF-8 unless told
        text = f'<?xml version="1.0" encoding="{encoding}"?>'.encode("ascii") + text
    return X.parse(Path(where), text)


# -- FCP7 XML ----------------------------------------------------------------------
def restore_fcp7xml(loaded: LoadedTimeline, found: SlotPlace, rec: Replaced, dest: Path
                    ) -> Path:
    from pickup.timeline.patch import _xmltext as X

    where = str(loaded.path)
    tree, node = fcp7_filled(loaded, found)
    orig = rec.original
    if (orig.get("start"), orig.get("end")) != (found.start, found.start + found.duration):
        raise refused(found, where, f"the clip is at frames {found.start}-"
                      f"{found.start + found.duration}, the placeholder was at "
                      f"{orig.get('start')}-{orig.get('end')}")
    text = _text(rec)
    placeholder = parse_element(rec, where)
    # The patcher copied the placeholder's markers onto the clip, byte for byte.
    had = [placeholder.raw(m) for m in placeholder.root.findall("marker")]
    has = [tree.raw(m) for m in node.findall("marker")]
    if had != has:
        raise refused(found, where, f"the clip has {len(has)} marker(s) where the "
                      f"placeholder had {len(had)}; they would be lost")
    inside = {id(n) for n in node.iter()}
    elsewhere = {n.attrs["id"] for n in tree.root.iter() if id(n) not in inside
                 and "id" in n.attrs and n.children}
    defined = [n.attrs["id"] for n in placeholder.root.iter() if "id" in n.attrs
               and (n is placeholder.root or n.children)]
    clash = [i for i in defined if i in elsewhere]
    if clash:
        raise refused(found, where, f"another element of the file now defines id "
                      f"{clash[0]!r}")
    _write(dest, X.splice(tree.data, [(node.start, node.end, text)]))
    return dest


# -- EDL ---------------------------------------------------------------------------
def restore_edl(loaded: LoadedTimeline, found: SlotPlace, rec: Replaced, dest: Path
                ) -> Path:
    from pickup.timeline.patch.edl import _CLIP_COMMENT, _parse

    where = str(loaded.path)
    text, encoding = decode_text(loaded.path.read_bytes())
    head, blocks = _parse(text, loaded.rate, where)
    index = edl_filled(loaded, found, blocks)
    blk = blocks[index]
    orig = rec.original
    lines = [str(ln) for ln in orig.get("lines") or []]
    if (orig.get("rec_in"), orig.get("rec_out")) != (blk.rec_in, blk.rec_out) or not lines:
        raise refused(found, where, "the event's record timecodes are not the "
                      "placeholder's any more")
    nl = "\r\n" if "\r\n" in text else "\n"
    # Lines on the filled event that neither Pickup nor the placeholder had: added since.
    known = [ln.rstrip("\r\n") for ln in lines[1:]]
    added: list[str] = []
    for ln in blk.lines[1:]:
        if _CLIP_COMMENT.match(ln):
            continue
        if ln.rstrip("\r\n") in known:
            known.remove(ln.rstrip("\r\n"))
        else:
            added.append(ln)
    if added and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += nl
    lines += added
    if index + 1 < len(blocks) and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += nl
    blk.lines, blk.event_lines = lines, [0]
    _write(dest, renumber(head, blocks).encode(encoding))
    drop_ale_row(loaded, dest, blk.reel, _names(found)[1])
    return dest


# -- AAF ---------------------------------------------------------------------------
def restore_aaf(loaded: LoadedTimeline, found: SlotPlace, rec: Replaced, dest: Path
                ) -> Path:
    from pickup.timeline.patch import aafobj

    where = str(loaded.path)
    orig = rec.original
    tree: Any = orig.get("component")
    if not isinstance(tree, dict):
        raise refused(found, where, "the record holds no component")
    try:
        edit_rate = Fraction(str(orig.get("edit_rate")))
    except (ValueError, ZeroDivisionError):
        raise refused(found, where, f"the record's edit rate {orig.get('edit_rate')!r} "
                      "cannot be read") from None
    with filled_aaf(loaded, found, dest) as hit:
        if orig.get("length") != hit.end - hit.start or edit_rate != hit.edit_rate:
            raise refused(found, where, f"the clip is {hit.end - hit.start} frames at "
                          f"{hit.edit_rate}, the placeholder was {orig.get('length')} at "
                          f"{orig.get('edit_rate')}")
        try:
            comp = aafobj.load(hit.f, tree)
        except Exception as exc:  # pyaaf2 raises anything on data it cannot take
            raise refused(found, where, "the component cannot be rebuilt: "
                          f"{type(exc).__name__}: {exc}") from None
        comps: Any = hit.seq.components
        comps.pop(hit.index)
        if orig.get("wrapped") and hit.seq is hit.layer and not len(comps):
            # The layer was this one component; the patcher put it in a Sequence.
            if hit.key is None:
                hit.owner.segment = comp
            else:
                hit.owner["Slots"][hit.key] = comp
        else:
            comps.insert(hit.index, comp)
    return dest
