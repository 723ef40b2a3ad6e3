"""Patch an FCPXML (Final Cut Pro) at the filled slots; every other byte stays.

A slot in the primary storyline: the ``<gap>`` that holds it is split around the
slot and an ``<asset-clip>`` takes the slot's place; markers and connected clips
anchored in the filled part move onto the new clip (re-timed into its local time),
the others stay on the remaining gap pieces.  A placeholder (an ``<asset-clip>``,
``<clip>``, ``<title>`` or ``<video>`` of exactly the slot's range) is replaced,
keeping its markers.  A new ``<asset>`` (and a ``<format>`` when none matches the
media) is added at the end of ``<resources>``.  Connected lanes (V2 and up) are not
patched: FCP anchors them to storyline clips, which Pickup does not rewrite.

For ``pickup revert`` the patcher keeps, per slot, the element it replaced or split
in its ``replaced`` list (:mod:`pickup.timeline.replaced`: ``original`` =
``{"text", "encoding", "tag", "offset", "duration", "start", "resources"}``: the
``<gap>`` or placeholder's exact text, its sequence range as FCPXML times, the gap's
local ``start``, and the ids of the ``<asset>``/``<format>`` added for the slot).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from pickup.errors import SlotError, TimelineError
from pickup.timeline.patch import _xmltext as X
from pickup.timeline.patch._common import changed, line_end, media_url
from pickup.timeline.place import Placement
from pickup.timeline.read import LoadedTimeline
from pickup.timeline.replaced import Replaced, decode_text

__all__ = ["FcpxXmlPatcher", "fcpx_time", "kept_children", "parse_time"]

_PLACEHOLDERS = ("asset-clip", "clip", "title", "video", "ref-clip", "sync-clip", "mc-clip")


def parse_time(text: str | None) -> Fraction:
    """``"1001/30000s"`` or ``"10s"`` as seconds."""
    if not text:
        return Fraction(0)
    value = text.strip().rstrip("s")
    try:
        return Fraction(value)
    except ValueError:
        raise TimelineError(f"unreadable FCPXML time {text!r}") from None


def fcpx_time(seconds: Fraction) -> str:
    """Seconds as an FCPXML time value."""
    if seconds.denominator == 1:
        return f"{seconds.numerator}s"
    return f"{seconds.numerator}/{seconds.denominator}s"


def _set_attr(raw: bytes, name: str, value: str) -> bytes:
    """``raw`` element text with attribute ``name`` of its start tag set to ``value``."""
    end = X._tag_end(raw, 0)
    head, rest = raw[:end], raw[end:]
    pattern = re.compile(rb"(\s" + re.escape(name.encode()) + rb"=)(\"[^\"]*\"|'[^']*')")
    new = X.quoteattr(value).encode()
    if pattern.search(head):
        head = pattern.sub(lambda m: m.group(1) + new, head, count=1)
    else:
        close = len(head) - (2 if head.endswith(b"/>") else 1)
        head = head[:close] + b" " + name.encode() + b"=" + new + head[close:]
    return head + rest


class FcpxXmlPatcher:
    """Writes an FCPXML by splicing ``<asset-clip>`` and ``<asset>`` elements."""

    def __init__(self) -> None:
        self.replaced: list[Replaced] = []

    def write(self, source: LoadedTimeline, edited: otio.schema.Timeline,
              placements: Sequence[Placement], dest: Path) -> None:
        dest.write_bytes(patch_fcpxml(source, placements, keep=self.replaced))


def _project(tree: X.Tree, name: str, path: Path) -> X.Node:
    if tree.root.tag != "fcpxml":
        raise TimelineError(f"is not FCPXML: the root element is <{tree.root.tag}>",
                            where=str(path), hint="export the project as FCPXML")
    projects = list(tree.root.iter("project"))
    if not projects:
        raise TimelineError("holds no project (sequence)", where=str(path),
                            hint="export a project, not only clips")
    return next((p for p in projects if p.attrs.get("name") == name), projects[0])


def open_spine(source: LoadedTimeline) -> tuple[X.Tree, X.Node, X.Node, X.Node]:
    """(parsed document, the project's <sequence>, its <spine>, <resources>) of the
    project ``source`` was read from; :class:`TimelineError` if one is missing."""
    tree = X.parse(source.path)
    project = _project(tree, source.timeline.name, source.path)
    sequence = project.find("sequence")
    spine = sequence.find("spine") if sequence is not None else None
    resources = tree.root.find("resources")
    if sequence is None or spine is None or resources is None:
        raise TimelineError("the project has no sequence/spine or the file no <resources>",
                            where=str(source.path))
    return tree, sequence, spine, resources


def patch_fcpxml(source: LoadedTimeline, placements: Sequence[Placement],
                 keep: list[Replaced] | None = None) -> bytes:
    """The patched document's bytes; what each slot replaced is appended to ``keep``."""
    where = str(source.path)
    tree, sequence, spine, resources = open_spine(source)
    formats = {n.attrs.get("id"): n for n in resources.findall("format")}
    seq_format = formats.get(sequence.attrs.get("format", ""))
    if seq_format is None or "frameDuration" not in seq_format.attrs:
        raise TimelineError("the sequence's <format> has no frameDuration", where=where)
    fd = parse_time(seq_format.attrs["frameDuration"])
    version = tuple(int(v) for v in re.findall(r"\d+", tree.root.attrs.get("version", "1.8")))
    ids = {n.attrs["id"] for n in tree.root.iter() if "id" in n.attrs}
    nl = line_end(tree.data)
    edits: list[tuple[int, int, bytes]] = []
    new_resources: list[bytes] = []
    res_indent = X.indent_of(tree, resources.children[-1]) if resources.children else b"    "
    touched: set[int] = set()
    groups: dict[int, tuple[X.Node, Fraction, Fraction, list[tuple[Placement, Fraction,
                                                                   Fraction, str, Fraction]]]] = {}

    def new_id() -> str:
        n = 1
        while f"r{n}" in ids:
            n += 1
        ids.add(f"r{n}")
        return f"r{n}"

    added: dict[str, list[str]] = {}  # slot id -> ids of the resources added for it
    new_formats: set[str] = set()
    format_keys: dict[tuple[Fraction, str | None, str | None], str] = {
        (parse_time(n.attrs.get("frameDuration")), n.attrs.get("width"), n.attrs.get("height")):
        str(i) for i, n in formats.items() if n.attrs.get("frameDuration")}

    for p in placements:
        slot = p.slot
        track = source.timeline.tracks[slot.stack_index] if slot.stack_index < len(
            source.timeline.tracks) else None
        if track is None or track.name not in ("0", ""):
            raise SlotError(f"only the primary storyline can be patched; {slot.track} is a "
                            "connected lane", where=f"{where}, slot {slot.id}",
                            hint="fill it in Final Cut Pro, or write OTIO with -o OUT.otio")
        s, e = slot.start * fd, slot.end * fd
        hit = None
        for child in spine.children:
            if "offset" not in child.attrs or child.attrs.get("lane"):
                continue
            a = parse_time(child.attrs["offset"])
            b = a + parse_time(child.attrs.get("duration"))
            fits_gap = slot.item == "gap" and child.tag == "gap" and a <= s and e <= b
            fits_clip = slot.item != "gap" and child.tag in _PLACEHOLDERS and (a, b) == (s, e)
            if fits_gap or fits_clip:
                hit = (child, a, b)
            elif a < e and b > s and hit is None and child.tag not in ("transition",):
                raise changed(p, f"<{child.tag}> {child.attrs.get('name', '')!r} is where "
                              "the slot was", where)
        if hit is None:
            raise changed(p, "no gap or placeholder holds the slot any more", where)
        node, a, b = hit
        if slot.item != "gap" and node.start in touched:
            raise SlotError("two placements target the same storyline element",
                            where=f"slot {slot.id}")
        touched.add(node.start)
        # The media's <format> and <asset>.
        rate = Fraction(p.media.rate)
        media_fd = Fraction(rate.denominator, rate.numerator)
        key = (media_fd, str(p.media.width) if p.media.width else None,
               str(p.media.height) if p.media.height else None)
        fmt_id = format_keys.get(key) or format_keys.get((media_fd, None, None))
        if fmt_id is None:
            fmt_id = new_id()
            new_formats.add(fmt_id)
            format_keys[key] = fmt_id
            size = (f' width="{p.media.width}" height="{p.media.height}"'
                    if p.media.width and p.media.height else "")
            new_resources.append(f'<format id="{fmt_id}" name="FFVideoFormatRateUndefined" '
                                 f'frameDuration="{fcpx_time(media_fd)}"{size}/>'.encode())
        asset_id = new_id()
        added[slot.id] = [asset_id, *([fmt_id] if fmt_id in new_formats else [])]
        media_start = p.media.start_frame * media_fd
        asset_attrs = (f"id={X.quoteattr(asset_id)} name={X.quoteattr(Path(p.media.path).name)}"
                       f' start="{fcpx_time(media_start)}"'
                       f' duration="{fcpx_time(p.media.frames * media_fd)}" hasVideo="1"'
                       f' format="{fmt_id}" videoSources="1"')
        if version >= (1, 9):
            new_resources.append(f"<asset {asset_attrs}>".encode() + nl + res_indent
                                 + b"    <media-rep kind=\"original-media\" src="
                                 + X.quoteattr(media_url(p)).encode() + b"/>" + nl
                                 + res_indent + b"</asset>")
        else:
            new_resources.append(f"<asset {asset_attrs} src={X.quoteattr(media_url(p))}/>"
                                 .encode())
        tc_format = sequence.attrs.get("tcFormat", "NDF")
        clip_head = (f"<asset-clip name={X.quoteattr(p.name)} offset=\"{fcpx_time(s)}\""
                     f" ref=\"{asset_id}\" duration=\"{fcpx_time(e - s)}\""
                     f" start=\"{fcpx_time(media_start)}\" tcFormat=\"{tc_format}\"")
        groups.setdefault(node.start, (node, a, b, []))[3].append((p, s, e, clip_head,
                                                                   media_start))
    for node, a, b, fills in groups.values():
        if keep is not None:
            text, encoding = decode_text(tree.raw(node))
            for p, *_ in fills:
                if not p.slot.filled:  # a Pickup clip is not the original
                    keep.append(Replaced(p.slot.id, "fcpxml", p.slot.item, {
                        "text": text, "encoding": encoding, "tag": node.tag,
                        "offset": fcpx_time(a), "duration": fcpx_time(b - a),
                        "start": node.attrs.get("start"), "resources": added[p.slot.id]},
                        source=where))
        ind = X.indent_of(tree, node)
        inner = ind + b"    "
        if node.tag != "gap":
            _, _, _, clip_head, media_start = fills[0]
            kept = kept_children(tree, node, media_start)
            edits.append((node.start, node.end, _element(clip_head, kept, inner, ind, nl)))
            continue
        edits.append((node.start, node.end, _split_gap(tree, node, a, b, fills, ind, nl)))
    if new_resources:
        at = resources.children[-1].end if resources.children else resources.open_end
        edits.append((at, at, b"".join(nl + res_indent + r for r in new_resources)))
    return X.splice(tree.data, edits)


#: children of a replaced placeholder that stay with the new clip, as FCP's own Replace
#: keeps them: markers, keywords, ratings and connected clips/storylines (``lane``).
_KEPT_TAGS = ("marker", "chapter-marker", "keyword", "rating", "note")


def kept_children(tree: X.Tree, node: X.Node, media_start: Fraction) -> list[bytes]:
    """The placeholder's markers and connected items, re-timed from its local time
    (its ``start``) into the new clip's (the media's start)."""
    local0 = parse_time(node.attrs.get("start"))
    kept: list[bytes] = []
    for child in node.children:
        if child.tag not in _KEPT_TAGS and "lane" not in child.attrs:
            continue
        raw = tree.raw(child)
        attr = "offset" if "lane" in child.attrs else "start"
        if attr in child.attrs:
            t = parse_time(child.attrs[attr])
            raw = _set_attr(raw, attr, fcpx_time(media_start + (t - local0)))
        kept.append(raw)
    return kept


def _split_gap(tree: X.Tree, node: X.Node, a: Fraction, b: Fraction,
               fills: list[tuple[Placement, Fraction, Fraction, str, Fraction]], ind: bytes,
               nl: bytes) -> bytes:
    """The ``<gap>`` ``node`` (``[a, b)`` in sequence time) as gap and clip pieces.

    Gap pieces keep the gap's local time (their ``start`` follows their offset), so
    markers and connected clips on them need no change; those inside a filled part
    move onto its clip, re-timed into the clip's local (media) time.
    """
    inner = ind + b"    "
    gap_start = parse_time(node.attrs.get("start"))
    head = tree.data[node.start:node.open_end].rstrip(b"/>").rstrip() + b">"
    # (start, end, clip head or None, media start) in sequence time.
    spans: list[tuple[Fraction, Fraction, str | None, Fraction]] = []
    cursor = a
    for _, s, e, clip_head, media_start in sorted(fills, key=lambda f: f[1]):
        if s < cursor:
            raise SlotError("two placements overlap in one gap", where=f"slot {_.slot.id}")
        if s > cursor:
            spans.append((cursor, s, None, Fraction(0)))
        spans.append((s, e, clip_head, media_start))
        cursor = e
    if b > cursor:
        spans.append((cursor, b, None, Fraction(0)))
    children: list[list[bytes]] = [[] for _ in spans]
    for child in node.children:
        attr = "start" if child.tag == "marker" else "offset"
        t = parse_time(child.attrs.get(attr))
        at = a + (t - gap_start)
        index = max([i for i, sp in enumerate(spans) if sp[0] <= at] or [0])
        raw = tree.raw(child)
        s, _e, clip_head, media_start = spans[index]
        if clip_head is not None:
            raw = _set_attr(raw, attr, fcpx_time(media_start + at - s))
        children[index].append(raw)
    pieces: list[bytes] = []
    for (s, e, clip_head, _), kids in zip(spans, children, strict=True):
        if clip_head is not None:
            pieces.append(_element(clip_head, kids, inner, ind, nl))
            continue
        gap = _set_attr(head, "offset", fcpx_time(s)) if s != a else head
        gap = _set_attr(gap, "duration", fcpx_time(e - s))
        if s != a:
            gap = _set_attr(gap, "start", fcpx_time(gap_start + (s - a)))
        pieces.append(_element(gap[:-1].decode(), kids, inner, ind, nl, "gap"))
    return (nl + ind).join(pieces)


def _element(head: str, children: list[bytes], inner: bytes, ind: bytes, nl: bytes,
             tag: str = "asset-clip") -> bytes:
    if not children:
        return head.encode() + b"/>"
    body = b"".join(nl + inner + c for c in children)
    return head.encode() + b">" + body + nl + ind + f"</{tag}>".encode()
