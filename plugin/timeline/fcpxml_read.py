"""What OTIO's FCPXML adapter loses, read from the XML itself: spine gaps, frame size.

:func:`sequence_format` gives the project's ``<format>`` (width, height, frame
duration), which the adapter does not keep, so takes are made at the project's size.

OTIO's FCPXML reader turns neighbouring ``<gap>`` elements of a project's spine (and
the room a transition took) into one OTIO Gap and drops the gaps' markers, so a GEN
marker on a gap is never seen and ``--all-gaps`` sees one long hole where the editor
has several.  :func:`restore_spine_gaps` reads the spine with ElementTree and splits
each Gap of the primary storyline track (named ``"0"`` by the adapter) at the spine's
own gap boundaries, with each gap's markers on its piece (in the piece's time).
Nothing else of the timeline changes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as _safe_xml
import opentimelineio as otio

__all__ = ["fcpxml_seconds", "restore_spine_gaps", "sequence_format"]

_log = logging.getLogger(__name__)


def fcpxml_seconds(value: str | None) -> Fraction:
    """An FCPXML time (``"1001/24000s"``, ``"5s"``) in seconds; 0 when absent or unreadable."""
    if not value:
        return Fraction(0)
    text = value.strip().removesuffix("s")
    try:
        if "/" in text:
            num, den = text.split("/", 1)
            return Fraction(int(num), int(den))
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        return Fraction(0)


@dataclass
class _XmlGap:
    offset: Fraction
    duration: Fraction
    markers: list[tuple[Fraction, Fraction, str, str | None]] = field(default_factory=list)


def _spine(root: Element, name: str) -> Element | None:
    projects = list(root.iter("project"))
    project = next((p for p in projects if p.get("name") == name), None)
    if project is None and projects:
        project = projects[0]
    seq = project.find("sequence") if project is not None else None
    return seq.find("spine") if seq is not None else None


def _xml_gaps(spine: Element) -> list[_XmlGap]:
    gaps = []
    for child in spine:
        if child.tag != "gap":
            continue
        gap = _XmlGap(fcpxml_seconds(child.get("offset")), fcpxml_seconds(child.get("duration")))
        local0 = fcpxml_seconds(child.get("start"))
        for m in child:
            if m.tag in ("marker", "chapter-marker"):
                gap.markers.append((fcpxml_seconds(m.get("start")) - local0,
                                    fcpxml_seconds(m.get("duration")), m.get("value") or "",
                                    m.get("note")))
        gaps.append(gap)
    return gaps


def _rt(seconds: Fraction, rate: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(round(seconds * Fraction(rate).limit_denominator(1001)),
                                      rate)


def restore_spine_gaps(timeline: otio.schema.Timeline, path: Path, rate: float) -> int:
    """Split the primary storyline's Gaps at the spine's ``<gap>`` boundaries and give
    each piece its gap's markers; returns how many markers were put back."""
    try:
        root = _safe_xml.parse(str(path)).getroot()
    except Exception as exc:  # the adapter read it; a second parser may still refuse
        _log.info("%s: spine gaps not restored: %s", path, exc)
        return 0
    if root is None:
        return 0
    spine = _spine(root, timeline.name)
    if spine is None:
        return 0
    xml_gaps = _xml_gaps(spine)
    primary = next((t for t in timeline.tracks
                    if t.kind == otio.schema.TrackKind.Video and t.name == "0"), None)
    if primary is None or not xml_gaps:
        return 0
    restored = 0
    ranges = primary.range_of_all_children()
    plan: list[tuple[otio.schema.Gap, list[otio.schema.Gap]]] = []
    for item in list(primary):
        if not isinstance(item, otio.schema.Gap):
            continue
        rng = ranges[item]
        a = Fraction(rng.start_time.to_seconds()).limit_denominator(1_000_000)
        b = a + Fraction(rng.duration.to_seconds()).limit_denominator(1_000_000)
        inside = [g for g in xml_gaps if g.offset < b and g.offset + g.duration > a]
        if not inside:
            continue
        pieces: list[otio.schema.Gap] = []
        cursor = a
        for g in sorted(inside, key=lambda x: x.offset):
            start, end = max(g.offset, a), min(g.offset + g.duration, b)
            if start > cursor:
                pieces.append(otio.schema.Gap(duration=_rt(start - cursor, rate)))
            piece = otio.schema.Gap(duration=_rt(end - start, rate))
            for at, length, value, note in g.markers:
                local = at - (start - g.offset)
                if not 0 <= local < end - start:
                    continue
                # FCP's markers are one frame long: a point, which marks the whole gap
                # (a longer range marks that part of it).
                frame = 1 / Fraction(rate).limit_denominator(1001)
                marker = otio.schema.Marker(
                    name=value, marked_range=otio.opentime.TimeRange(
                        _rt(local, rate), _rt(length if length > frame else Fraction(0),
                                              rate)))
                if note:
                    marker.metadata["fcp_xml"] = {"note": note}
                piece.markers.append(marker)
                restored += 1
            pieces.append(piece)
            cursor = end
        if b > cursor:
            pieces.append(otio.schema.Gap(duration=_rt(b - cursor, rate)))
        total = sum(round(p.source_range.duration.value) for p in pieces)
        if len(pieces) > 1 or restored:
            if total != round(rng.duration.rescaled_to(rate).value):
                _log.info("%s: spine gaps do not add up at %s s; left as read", path, a)
                continue
            plan.append((item, pieces))
    for item, pieces in plan:
        index = primary.index(item)
        primary.remove(item)
        for offset, piece in enumerate(pieces):
            primary.insert(index + offset, piece)
    return restored


def sequence_format(path: Path, name: str) -> tuple[int, int, Fraction] | None:
    """(width, height, frame duration in seconds) of the project's sequence format."""
    try:
        root = _safe_xml.parse(str(path)).getroot()
    except Exception:  # the adapter read it; this is a nicety
        return None
    if root is None:
        return None
    projects = list(root.iter("project"))
    project = next((p for p in projects if p.get("name") == name), None)
    if project is None and projects:
        project = projects[0]
    seq = project.find("sequence") if project is not None else None
    if seq is None:
        return None
    fmt = next((f for f in root.iter("format") if f.get("id") == seq.get("format")), None)
    if fmt is None:
        return None
    try:
        w, h = int(fmt.get("width") or 0), int(fmt.get("height") or 0)
    except ValueError:
        return None
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        return None
    return w, h, fcpxml_seconds(fmt.get("frameDuration"))
