"""Check a written timeline against the editor's file with readers Pickup did not write.

``verify(original, written, format_name)`` re-reads both files with an independent
reader (ElementTree for FCP7 XML and FCPXML, pycmx for CMX 3600 EDLs, pyaaf2 for
AAF), finds the slots Pickup filled in the written file (clips named after a slot id,
``V1-01000200_T01``), and compares everything outside those slots:

* EDL: every event outside the slots (reel, source and record timecodes, clip name)
  and every ``LOC`` marker line.
* FCP7 XML / FCPXML: the whole document with the items at the slots (and, in the
  written file, the resources Pickup added) left out must be equal element for
  element; the written file must be well-formed; the markers and connected clips of
  the replaced items must be on the new clips.
* AAF: every mob of the original is still there, every mob other than the sequence
  unchanged, and every component of the sequence outside the slots unchanged,
  locators included.

:func:`pickup.timeline.writeback.write_back` runs it on every patched file before the
rename, and ``pickup verify ORIGINAL WRITTEN`` runs it on any two files.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from pickup.errors import InputError, WriteError
from pickup.timeline.fcpxml_read import fcpxml_seconds
from pickup.timeline.slots import slot_id_from_name

__all__ = ["SlotChange", "VerifyReport", "check_write", "summary", "verify"]

_log = logging.getLogger(__name__)


@dataclass
class SlotChange:
    """What changed at one slot: the new clip and what it replaced."""

    slot_id: str
    track: str
    start: str  # record position as the format counts it (timecode or frames/seconds)
    end: str
    clip: str
    replaced: list[str] = field(default_factory=list)


@dataclass
class VerifyReport:
    """The outcome: the filled slots and every difference found outside them."""

    format: str
    original: str
    written: str
    slots: list[SlotChange] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    #: clip name -> slot id of the clips placed (besides names that carry a slot id)
    names: dict[str, str] = field(default_factory=dict, repr=False)

    def slot_of(self, name: str | None) -> str | None:
        """The slot id of a filled clip's name, or None for the editor's clips."""
        if name and name.strip() in self.names:
            return self.names[name.strip()]
        return slot_id_from_name(name)

    @property
    def ok(self) -> bool:
        return not self.outside

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("names", None)
        out["ok"] = self.ok
        return out


def verify(original: Path | str, written: Path | str, format_name: str, *,
           names: dict[str, str] | None = None) -> VerifyReport:
    """Compare ``written`` with ``original`` outside the filled slots (see the module);
    ``names`` maps the clip names placed to their slot ids when they do not carry one."""
    original, written = Path(original), Path(written)
    report = VerifyReport(format_name, str(original), str(written), names=dict(names or {}))
    check = _CHECKS.get(format_name)
    if check is None:
        raise InputError(f"Pickup cannot verify {format_name} files",
                         hint="verify EDL, FCP7 XML, FCPXML or AAF files")
    check(original, written, report)
    return report


# --------------------------------------------------------------------------- EDL


def _edl_events(path: Path, where: str) -> tuple[list[Any], list[str]]:
    import pycmx

    try:
        with path.open("r", encoding="utf-8", errors="replace") as f:
            edl = pycmx.parse_cmx3600(f)
        edits = [e for ev in edl.events for e in ev.edits]
    except Exception as exc:  # pycmx raises anything on a broken list
        raise InputError(f"pycmx cannot read it: {type(exc).__name__}: {exc}",
                         where=where) from None
    locs = [ln.strip() for ln in path.read_text("utf-8", "replace").splitlines()
            if re.match(r"^\s*\*?\s*LOC\s*:", ln)]
    return edits, locs


def _tc_frames(tc: str) -> int:
    """A timecode as a sortable number (frames at an unknown rate: compare only)."""
    parts = [int(p) for p in re.split(r"[:;.]", tc)]
    h, m, s, f = [*parts, 0, 0, 0, 0][:4]
    return ((h * 60 + m) * 60 + s) * 1000 + f


def _edit_row(e: Any) -> tuple[str, ...]:
    return (str(e.source).strip(), e.source_in, e.source_out, e.record_in, e.record_out,
            str(e.clip_name or ""))


def _check_edl(original: Path, written: Path, report: VerifyReport) -> None:
    before, locs_before = _edl_events(original, str(original))
    after, locs_after = _edl_events(written, str(written))
    spans: list[tuple[int, int]] = []
    for e in after:
        slot_id = report.slot_of(e.clip_name)
        if slot_id is None:
            continue
        a, b = _tc_frames(e.record_in), _tc_frames(e.record_out)
        spans.append((a, b))
        replaced = [f"{x.source.strip()} {x.record_in}-{x.record_out}" for x in before
                    if _tc_frames(x.record_in) < b and _tc_frames(x.record_out) > a
                    and _tc_frames(x.record_out) > _tc_frames(x.record_in)]
        report.slots.append(SlotChange(slot_id, "V1", e.record_in, e.record_out,
                                       str(e.clip_name), replaced or ["(a gap)"]))

    def outside(e: Any) -> bool:
        a, b = _tc_frames(e.record_in), _tc_frames(e.record_out)
        return not any(a < y and b > x for x, y in spans) or a == b

    kept_before = Counter(_edit_row(e) for e in before if outside(e))
    kept_after = Counter(_edit_row(e) for e in after if outside(e))
    for row, n in (kept_before - kept_after).items():
        report.outside.append(f"event lost or changed: {' '.join(x for x in row if x)}"
                              + (f" (x{n})" if n > 1 else ""))
    for row, n in (kept_after - kept_before).items():
        report.outside.append(f"event added or changed: {' '.join(x for x in row if x)}"
                              + (f" (x{n})" if n > 1 else ""))
    for line, n in (Counter(locs_before) - Counter(locs_after)).items():
        report.outside.append(f"marker lost: {line}" + (f" (x{n})" if n > 1 else ""))


# --------------------------------------------------------------------------- XML


def _parse_xml(path: Path) -> Element:
    from defusedxml import ElementTree

    try:
        root = ElementTree.parse(str(path)).getroot()
    except Exception as exc:  # ParseError and defusedxml's refusals
        raise InputError(f"is not well-formed XML: {exc}", where=str(path)) from None
    if root is None:
        raise InputError("holds no XML document", where=str(path))
    return root


def _canon(elem: Element, skip: set[int]) -> tuple[Any, ...]:
    """A comparable form of ``elem`` without the subtrees in ``skip``."""
    children = tuple(_canon(c, skip) for c in elem if id(c) not in skip)
    return (elem.tag, tuple(sorted(elem.attrib.items())), (elem.text or "").strip(),
            children, (elem.tail or "").strip())


def _diff_trees(before: Element, after: Element, skip_before: set[int],
                skip_after: set[int], report: VerifyReport) -> None:
    """Report the first differences between the two trees (outside the skipped items)."""

    def walk(a: Element, b: Element, path: str) -> None:
        if len(report.outside) >= 20:
            return
        here = f"{path}/{a.tag}"
        if a.tag != b.tag or a.attrib != b.attrib or (a.text or "").strip() != (
                b.text or "").strip():
            report.outside.append(f"{here}: {_show(a)} became {_show(b)}")
            return
        ca = [c for c in a if id(c) not in skip_before]
        cb = [c for c in b if id(c) not in skip_after]
        if len(ca) != len(cb):
            lost = Counter(_show(c) for c in ca) - Counter(_show(c) for c in cb)
            added = Counter(_show(c) for c in cb) - Counter(_show(c) for c in ca)
            report.outside.append(f"{here}: children differ (lost {sorted(lost) or 'none'}, "
                                  f"added {sorted(added) or 'none'})")
            return
        for x, y in zip(ca, cb, strict=True):
            walk(x, y, here)

    walk(before, after, "")


def _show(e: Element) -> str:
    name = e.get("name") or (e.findtext("name") or "").strip()
    return f"<{e.tag}{' ' + repr(name) if name else ''}>"


def _count(root: Element, tags: Iterable[str]) -> Counter[str]:
    wanted = set(tags)
    return Counter(e.tag for e in root.iter() if e.tag in wanted)


_MARKER_TAGS = ("marker", "chapter-marker", "rating", "keyword")


def _check_markers(before: Element, after: Element, report: VerifyReport) -> None:
    nb, na = _count(before, _MARKER_TAGS), _count(after, _MARKER_TAGS)
    for tag in _MARKER_TAGS:
        if na[tag] < nb[tag]:
            report.outside.append(f"{nb[tag] - na[tag]} <{tag}> element(s) lost "
                                  f"({nb[tag]} before, {na[tag]} after)")


# FCP7 XML ------------------------------------------------------------------


def _fcp7_items(root: Element) -> list[tuple[int, Element, int, int, Element]]:
    """(video track number, item, start, end, track) for every item of the sequence's
    video tracks (start/end as the file gives them, in frames)."""
    out = []
    for seq in root.iter("sequence"):
        video = seq.find("media/video")
        if video is None:
            continue
        for number, track in enumerate(video.findall("track"), start=1):
            for item in track:
                if item.tag not in ("clipitem", "generatoritem", "transitionitem"):
                    continue
                try:
                    start, end = int(item.findtext("start", "-1")), int(
                        item.findtext("end", "-1"))
                except ValueError:
                    continue
                out.append((number, item, start, end, track))
        break  # the first (top) sequence is the cut
    return out


def _check_fcp7(original: Path, written: Path, report: VerifyReport) -> None:
    before, after = _parse_xml(original), _parse_xml(written)
    items_after = _fcp7_items(after)
    spans: list[tuple[int, int, int]] = []
    skip_after: set[int] = set()
    for number, item, start, end, _ in items_after:
        slot_id = report.slot_of(item.findtext("name"))
        if slot_id is None or item.tag != "clipitem":
            continue
        spans.append((number, start, end))
        skip_after.add(id(item))
        report.slots.append(SlotChange(slot_id, f"V{number}", str(start), str(end),
                                       (item.findtext("name") or "").strip()))
    skip_before: set[int] = set()
    for number, item, start, end, _ in _fcp7_items(before):
        for change, (n, a, b) in zip(report.slots, spans, strict=True):
            if n == number and start < b and end > a and item.tag != "transitionitem":
                skip_before.add(id(item))
                change.replaced.append(_show(item))
    for change in report.slots:
        change.replaced = change.replaced or ["(a gap)"]
    _diff_trees(before, after, skip_before, skip_after, report)
    _check_markers(before, after, report)


# FCPXML --------------------------------------------------------------------


_SPINE_ITEMS = ("gap", "asset-clip", "clip", "video", "ref-clip", "sync-clip", "title",
                "mc-clip", "audio", "transition")


def _spine(root: Element) -> Element | None:
    """The spine of the first project's sequence (the cut; compound clips' sequences
    in ``<resources>`` come before it in the file)."""
    seq = root.find(".//project/sequence")
    if seq is None:
        seq = root.find(".//sequence")
    return seq.find("spine") if seq is not None else None


def _check_fcpxml(original: Path, written: Path, report: VerifyReport) -> None:
    before, after = _parse_xml(original), _parse_xml(written)
    spine_b, spine_a = _spine(before), _spine(after)
    if spine_b is None or spine_a is None:
        raise InputError("holds no sequence spine", where=str(original if spine_b is None
                                                              else written))
    spans: list[tuple[Fraction, Fraction]] = []
    skip_after: set[int] = set()
    new_clips: list[Element] = []
    for item in spine_a:
        slot_id = report.slot_of(item.get("name"))
        if slot_id is None or item.tag == "gap":
            continue
        a = fcpxml_seconds(item.get("offset"))
        b = a + fcpxml_seconds(item.get("duration"))
        spans.append((a, b))
        new_clips.append(item)
        report.slots.append(SlotChange(slot_id, "V1", f"{float(a):.3f}s", f"{float(b):.3f}s",
                                       item.get("name") or ""))

    def at_slot(item: Element) -> tuple[int, bool]:
        a = fcpxml_seconds(item.get("offset"))
        b = a + fcpxml_seconds(item.get("duration"))
        for index, (x, y) in enumerate(spans):
            # A gap split around a slot leaves pieces that touch it.
            if (a < y and b > x) or (item.tag == "gap" and a <= y and b >= x):
                return index, True
        return -1, False

    skip_before: set[int] = set()
    connected_before: Counter[str] = Counter()
    for item in spine_b:
        index, hit = at_slot(item)
        if hit and item.tag != "transition":
            skip_before.add(id(item))
            a = fcpxml_seconds(item.get("offset"))
            b = a + fcpxml_seconds(item.get("duration"))
            x, y = spans[index]
            if a < y and b > x:  # not a neighbouring gap that only touches the slot
                report.slots[index].replaced.append(_show(item))
                if item.tag != "gap":  # a gap's connected clips stay on its pieces
                    connected_before.update(_show(c) for c in item if c.get("lane"))
    for item in spine_a:
        _, hit = at_slot(item)
        if hit and item.tag in ("gap", *_SPINE_ITEMS) and item.tag != "transition":
            skip_after.add(id(item))
    # Resources Pickup added (assets, formats of the new media).
    ids_before = {e.get("id") for e in before.iter() if e.get("id")}
    res_a = after.find("resources")
    if res_a is not None:
        skip_after.update(id(e) for e in res_a if e.get("id") not in ids_before)
    connected_after = Counter(_show(c) for clip in new_clips for c in clip if c.get("lane"))
    for shown, n in (connected_before - connected_after).items():
        report.outside.append(f"connected clip {shown} of a replaced clip was not kept "
                              f"on the new clip" + (f" (x{n})" if n > 1 else ""))
    _diff_trees(before, after, skip_before, skip_after, report)
    _check_markers(before, after, report)


# --------------------------------------------------------------------------- AAF


def _prop(obj: Any, key: str) -> Any:
    """``obj[key]`` of a pyaaf2 object (untyped: isinstance narrows it to ``object``)."""
    return obj[key]


def _aaf_comp(c: Any) -> tuple[Any, ...]:
    import aaf2

    kind = type(c).__name__
    row: list[Any] = [kind, getattr(c, "length", None)]
    if isinstance(c, aaf2.components.SourceClip):
        row += [str(_prop(c, "SourceID").value) if "SourceID" in c else None,
                getattr(c, "start", None)]
    for key in ("Position", "Comment"):
        if key in c:
            row.append(str(_prop(c, key).value))
    if isinstance(c, aaf2.components.Sequence):
        row.append(tuple(_aaf_comp(x) for x in getattr(c, "components", [])))
    for cls, key in ((aaf2.components.NestedScope, "Slots"),
                     (aaf2.components.OperationGroup, "InputSegments")):
        if isinstance(c, cls):
            row.append(tuple(_aaf_comp(x) for x in _prop(c, key)))
    if isinstance(c, aaf2.components.Transition):
        row.append(_aaf_comp(_prop(c, "OperationGroup").value))
    return tuple(row)


def _aaf_leaves(seg: Any, offset: int = 0) -> list[tuple[int, int, tuple[Any, ...]]]:
    """(start, end, component) of the leaves of a picture layer, nested sequences opened."""
    import aaf2

    if not isinstance(seg, aaf2.components.Sequence):
        return [(offset, offset + (seg.length or 0), _aaf_comp(seg))]
    out: list[tuple[int, int, tuple[Any, ...]]] = []
    pos = offset
    for comp in _prop(seg, "Components"):
        length = comp.length or 0
        if isinstance(comp, aaf2.components.Transition):
            out.append((pos - length, pos, _aaf_comp(comp)))
            pos -= length
            continue
        if isinstance(comp, aaf2.components.Sequence):
            out += _aaf_leaves(comp, pos)
        else:
            out.append((pos, pos + length, _aaf_comp(comp)))
        pos += length
    return out


def _aaf_read(path: Path) -> dict[str, Any]:
    import aaf2

    try:
        with aaf2.open(str(path), "r") as f:
            mobs = {str(m.mob_id): m for m in f.content.mobs}
            tops = list(f.content.toplevel()) or list(f.content.compositionmobs())
            top = tops[0] if tops else None
            names = {str(m.mob_id): m.name for m in mobs.values()}
            other = {k: (m.name, tuple((s.slot_id, str(s.media_kind), _aaf_comp(s.segment))
                                       for s in m.slots))
                     for k, m in mobs.items() if m is not top}
            layers: dict[str, list[tuple[int, int, tuple[Any, ...]]]] = {}
            extra: list[tuple[Any, ...]] = []
            if top is not None:
                for s in top.slots:
                    key = f"{s.slot_id}:{s.media_kind}"
                    seg = s.segment
                    if isinstance(s, aaf2.mobslots.TimelineMobSlot) and isinstance(
                            seg, aaf2.components.NestedScope):
                        for n, layer in enumerate(_prop(seg, "Slots")):
                            layers[f"{key}/{n}"] = _aaf_leaves(layer)
                    elif isinstance(s, aaf2.mobslots.TimelineMobSlot):
                        layers[key] = _aaf_leaves(seg)
                    else:  # event slots: locators
                        extra.append((key, _aaf_comp(seg)))
            return {"other": other, "layers": layers, "extra": extra, "names": names,
                    "top": str(top.mob_id) if top is not None else None}
    except InputError:
        raise
    except Exception as exc:  # pyaaf2 raises anything on a broken file
        raise InputError(f"pyaaf2 cannot read it: {type(exc).__name__}: {exc}",
                         where=str(path)) from None


def _check_aaf(original: Path, written: Path, report: VerifyReport) -> None:
    before, after = _aaf_read(original), _aaf_read(written)
    for key, value in before["other"].items():
        if key not in after["other"]:
            report.outside.append(f"mob {value[0]!r} ({key}) is missing")
        elif after["other"][key] != value:
            report.outside.append(f"mob {value[0]!r} ({key}) changed")
    if before["extra"] != after["extra"]:
        report.outside.append("the sequence's event slots (locators) changed")
    names = after["names"]
    for key, leaves in after["layers"].items():
        spans = []
        for a, b, comp in leaves:
            source = comp[2] if comp[0] == "SourceClip" and len(comp) > 2 else None
            slot_id = report.slot_of(names.get(source)) if source else None
            if slot_id:
                spans.append((a, b))
                report.slots.append(SlotChange(slot_id, key, str(a), str(b),
                                               str(names.get(source))))
        old = before["layers"].get(key)
        if old is None:
            report.outside.append(f"track {key} was added")
            continue

        def outside(row: tuple[int, int, Any], spans: list[tuple[int, int]] = spans) -> bool:
            a, b, comp = row
            if comp[0] in ("Filler", "ScopeReference"):  # a hole split around a slot
                return not any(a <= y and b >= x for x, y in spans)
            return not any(a < y and b > x for x, y in spans)

        for row in old:
            if not outside(row):
                for change in report.slots:
                    if change.track == key and row[0] < int(change.end) and row[1] > int(
                            change.start):
                        change.replaced.append(str(row[2][0]))
        kept_b = [r for r in old if outside(r)]
        kept_a = [r for r in leaves if outside(r)]
        if kept_a != kept_b:
            lost = Counter(map(repr, kept_b)) - Counter(map(repr, kept_a))
            report.outside.append(f"track {key}: {sum(lost.values()) or 'some'} component(s) "
                                  "outside the slots changed")
    for key in before["layers"]:
        if key not in after["layers"]:
            report.outside.append(f"track {key} is missing")


_CHECKS = {"edl": _check_edl, "fcp7xml": _check_fcp7, "fcpxml": _check_fcpxml,
           "aaf": _check_aaf}


def verifiable(format_name: str) -> bool:
    return format_name in _CHECKS


def summary(report: VerifyReport, limit: int = 3) -> str:
    """One line: the first differences found outside the slots."""
    shown: Sequence[str] = report.outside[:limit]
    more = len(report.outside) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def check_write(original: Path, written: Path, format_name: str, dest: Path,
                names: dict[str, str] | None = None) -> None:
    """Refuse ``written`` (a temp file about to be renamed over ``dest``) when an
    independent reader cannot read it or finds anything changed outside the slots.

    When the independent reader cannot read the *original* either, the write is not
    refused (there is nothing to compare with); the reason is logged."""
    if not verifiable(format_name):
        return
    try:
        report = verify(original, written, format_name, names=names)
    except InputError as exc:
        if exc.where == str(original):
            _log.warning("%s: the written file is not checked: %s", dest, exc.message)
            return
        raise WriteError(f"the written file failed its check: {exc.message}", where=str(dest),
                         hint="nothing was written; please report this with the input file"
                         ) from None
    if not report.ok:
        raise WriteError(f"the written file failed its check: {summary(report)}",
                         where=str(dest), hint="nothing was written; please report this "
                         "with the input file (`pickup verify ORIGINAL WRITTEN` lists it all)")
    _log.info("%s: checked with an independent reader: %d slot(s), nothing else changed",
              dest, len(report.slots))
