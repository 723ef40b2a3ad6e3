"""Revert a filled slot in an FCPXML: the inverse of the FCPXML patcher, from the record
``fill`` kept (``<project>/replaced/<slot_id>.fcpxml.json``, :mod:`pickup.timeline.replaced`).

* A gap slot: the filled ``<asset-clip>`` and the ``<gap>`` pieces beside it that came
  from the same gap merge back into one ``<gap>``; the clip's markers go back into the
  gap's local time (where they were).  When the merged gap is the editor's gap again (its
  range, attributes and children), its recorded text is written, byte for byte.  With
  two slots filled in one gap, reverting one leaves the other filled.
* A placeholder slot: the filled ``<asset-clip>`` becomes the placeholder's element again
  (its recorded text), when the clip still has exactly the placeholder's markers.

Both remove the ``<asset>`` (and ``<format>``) ``fill`` added for the slot when nothing
else in the file uses them, so an unedited file is the editor's original again.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from pickup.errors import TimelineError
from pickup.timeline import LoadedTimeline
from pickup.timeline.patch.restore import parse_element, refused
from pickup.timeline.patch.unfill import SlotPlace, _gone, _names, _write
from pickup.timeline.replaced import Replaced

__all__ = ["revert_fcpxml"]


def _range(node: Any) -> tuple[Fraction, Fraction]:
    from pickup.timeline.patch.fcpxml import parse_time

    a = parse_time(node.attrs.get("offset"))
    return a, a + parse_time(node.attrs.get("duration"))


def _time_attr(child: Any) -> str:
    """The attribute that places a child of a storyline element (as the patcher moves it)."""
    return "start" if child.tag == "marker" else "offset"


def revert_fcpxml(loaded: LoadedTimeline, found: SlotPlace, rec: Replaced, dest: Path
                  ) -> Path:
    from pickup.timeline.patch import _xmltext as X
    from pickup.timeline.patch.fcpxml import kept_children, open_spine, parse_time

    where = str(loaded.path)
    tree, sequence, spine, resources = open_spine(loaded)
    fmt = next((n for n in resources.findall("format")
                if n.attrs.get("id") == sequence.attrs.get("format")), None)
    if fmt is None or "frameDuration" not in fmt.attrs:
        raise TimelineError("the sequence's <format> has no frameDuration", where=where)
    fd = parse_time(fmt.attrs["frameDuration"])
    s, e = found.start * fd, (found.start + found.duration) * fd
    _, clip_name = _names(found)
    storyline = [c for c in spine.children if "offset" in c.attrs and not c.attrs.get("lane")]
    hits = [i for i, c in enumerate(storyline) if c.tag == "asset-clip" and _range(c) == (s, e)
            and (c.attrs.get("name") == clip_name or found.slot_id in c.attrs.get("name", ""))]
    if len(hits) != 1:
        raise _gone(found, where, f"no single <asset-clip> of it spans {float(s):g}s-"
                    f"{float(e):g}s in the primary storyline")
    clip = storyline[hits[0]]
    orig = rec.original
    lo, hi = parse_time(str(orig.get("offset"))), parse_time(str(orig.get("offset"))) + \
        parse_time(str(orig.get("duration")))
    element = parse_element(rec, where)
    if rec.item == "gap":
        if not (lo <= s and e <= hi) or element.root.tag != "gap":
            raise refused(found, where, f"the clip is at {float(s):g}s-{float(e):g}s, outside "
                          f"the gap it filled ({float(lo):g}s-{float(hi):g}s)")
        begin, end, text = _merge(tree, storyline, hits[0], rec, element, lo, hi)
    else:
        if (lo, hi) != (s, e):
            raise refused(found, where, f"the clip is at {float(s):g}s-{float(e):g}s, the "
                          f"placeholder was at {float(lo):g}s-{float(hi):g}s")
        # What the patcher carried over onto the clip (markers, connected clips),
        # re-timed into the clip's time as it did.
        had = kept_children(element, element.root, parse_time(clip.attrs.get("start")))
        has = [tree.raw(c) for c in clip.children]
        if had != has:
            raise refused(found, where, f"the clip holds {len(has)} marker(s) or clip(s) "
                          f"where the placeholder had {len(had)} marker(s); they would be lost")
        begin, end, text = clip.start, clip.end, element.data[element.root.start:
                                                              element.root.end]
    edits = [(begin, end, text), *_unused_resources(tree, resources, clip, rec)]
    _write(dest, X.splice(tree.data, edits))
    return dest


def _merge(tree: Any, storyline: list[Any], index: int, rec: Replaced, element: Any,
           lo: Fraction, hi: Fraction) -> tuple[int, int, bytes]:
    """(start, end, text): the span of the clip and its gap pieces, and the one gap."""
    from pickup.timeline.patch import _xmltext as X
    from pickup.timeline.patch.fcpxml import _element, _set_attr, fcpx_time, parse_time

    clip = storyline[index]
    s, e = _range(clip)
    gap_start = parse_time(rec.original.get("start"))
    shift = gap_start - lo  # a piece of the gap has local time = sequence time + shift

    def piece(node: Any) -> bool:
        a, b = _range(node)
        return (node.tag == "gap" and lo <= a and b <= hi and
                parse_time(node.attrs.get("start")) - a == shift)

    prev = storyline[index - 1] if index > 0 and _range(storyline[index - 1])[1] == s \
        and piece(storyline[index - 1]) else None
    nxt = storyline[index + 1] if index + 1 < len(storyline) and \
        _range(storyline[index + 1])[0] == e and piece(storyline[index + 1]) else None
    a = _range(prev)[0] if prev is not None else s
    b = _range(nxt)[1] if nxt is not None else e
    base = prev if prev is not None else nxt
    if base is not None:
        data, node = tree.data, base
    else:
        data, node = element.data, element.root
    head = data[node.start:node.open_end].rstrip(b"/>").rstrip() + b">"
    if base is not prev:
        head = _set_attr(head, "offset", fcpx_time(a))
        if a + shift or "start" in node.attrs:
            head = _set_attr(head, "start", fcpx_time(a + shift))
    head = _set_attr(head, "duration", fcpx_time(b - a))
    media_start = parse_time(clip.attrs.get("start"))
    kids = [tree.raw(c) for c in (prev.children if prev is not None else [])]
    for child in clip.children:
        attr = _time_attr(child)
        at = s + parse_time(child.attrs.get(attr)) - media_start
        kids.append(_set_attr(tree.raw(child), attr, fcpx_time(at + shift)))
    kids += [tree.raw(c) for c in (nxt.children if nxt is not None else [])]
    first = prev if prev is not None else clip
    ind = X.indent_of(tree, first)
    nl = b"\r\n" if b"\r\n" in tree.data[:4096] else b"\n"
    merged = _element(head[:-1].decode(), kids, ind + b"    ", ind, nl, "gap")
    if (a, b) == (lo, hi) and _same(_parsed(merged), element.root):
        merged = element.data[element.root.start:element.root.end]  # the editor's own bytes
    last = nxt if nxt is not None else clip
    return first.start, last.end, merged


def _parsed(data: bytes) -> Any:
    from pickup.timeline.patch import _xmltext as X

    try:
        return X.parse(Path("merged gap"), data).root
    except TimelineError:
        return None


def _same(x: Any, y: Any) -> bool:
    """Whether two elements say the same: tag, attributes (times by value), text, and
    children in any order."""
    from pickup.timeline.patch.fcpxml import parse_time

    def value(v: str) -> Any:
        if v.endswith("s"):
            try:
                return parse_time(v)
            except TimelineError:
                return v
        return v

    def key(n: Any) -> Any:
        return (n.tag, sorted((k, str(value(v))) for k, v in n.attrs.items()), n.text,
                sorted(repr(key(c)) for c in n.children))

    return x is not None and key(x) == key(y)


def _unused_resources(tree: Any, resources: Any, clip: Any, rec: Replaced
                      ) -> list[tuple[int, int, bytes]]:
    """Edits that cut the ``<asset>``/``<format>`` fill added for the slot, when nothing
    but what goes uses them (with the line break and indentation before each)."""
    ids = [str(i) for i in rec.original.get("resources") or []]
    gone = {id(n) for n in clip.iter()}
    edits: list[tuple[int, int, bytes]] = []
    for rid in ids:
        node = next((n for n in resources.children if n.attrs.get("id") == rid), None)
        if node is None:
            continue
        users = [n for n in tree.root.iter() if id(n) not in gone and n is not node and
                 rid in (n.attrs.get("ref"), n.attrs.get("format"))]
        if users:
            continue
        gone |= {id(n) for n in node.iter()}
        begin = tree.line_start(node.start)
        if tree.data[begin:node.start].strip() == b"" and begin > 0:
            begin -= 2 if tree.data[begin - 2:begin] == b"\r\n" else 1
        else:
            begin = node.start
        edits.append((begin, node.end, b""))
    return edits
