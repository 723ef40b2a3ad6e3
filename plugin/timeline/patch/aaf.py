"""Patch an Avid AAF at the filled slots with pyaaf2; every other object stays.

The patcher copies the editor's AAF, opens the copy with pyaaf2 and, in the
sequence's picture layer at the slot, replaces the Filler (split around the slot
when the slot covers part of it) or the placeholder component with a SourceClip
to a MasterMob linked to the take, AMA-style:

* QuickTime/MP4 (``.mov``, ``.mp4``): pyaaf2's :func:`aaf2.ama.create_media_link`
  from an ffprobe-like description made with PyAV: a SourceMob whose CDCIDescriptor
  points at the file through a NetworkLocator, with its edit rate and length, and a
  tape SourceMob carrying the media's start timecode.
* MXF (``.mxf``, DNxHR HQ OP1a as ``pickup fill`` conforms for Avid): pyaaf2's MXF
  reader (:class:`aaf2.mxf.MXFFile`) turns the file's material package into the
  MasterMob and its file package into the SourceMob (CDCIDescriptor, NetworkLocator,
  the file's own timecode track), so the mobs carry the file's UMIDs.

Every other mob, slot, component, effect, DescriptiveMarker (locator) and user
comment is left as it was.  A placeholder component replaced is kept in the
patcher's ``replaced`` list for ``pickup revert`` (:mod:`pickup.timeline.replaced`:
``original`` = ``{"component"`` (:func:`pickup.timeline.patch.aafobj.dump`),
``"class", "name", "length", "edit_rate", "wrapped"}``; ``wrapped`` when the layer
was that one component and the patcher put it in a Sequence).

Picture layers are counted the way the OTIO AAF reader makes video tracks: each
picture TimelineMobSlot of the top-level CompositionMob in slot order, and, for a
slot holding a NestedScope (Avid's multi-layer sequence), each of its layers.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import aaf2
import aaf2.mxf
import av
import opentimelineio as otio
from aaf2.auid import AUID
from av.error import FFmpegError

from pickup.errors import MediaError, SlotError, TimelineError
from pickup.timeline.patch import aafobj
from pickup.timeline.patch._common import changed, exact_rate, nominal
from pickup.timeline.place import Placement
from pickup.timeline.read import LoadedTimeline
from pickup.timeline.replaced import Replaced

__all__ = ["AafPatcher", "picture_layers"]

_GAPS = (aaf2.components.Filler, aaf2.components.ScopeReference)
_log = logging.getLogger(__name__)


def _open_error(path: Path, exc: BaseException) -> TimelineError:
    return TimelineError(f"cannot be opened as AAF: {type(exc).__name__}: {exc}",
                         where=str(path), hint="export the sequence from Avid again")


@contextlib.contextmanager
def edit_copy(source: Path, dest: Path) -> Iterator[Any]:
    """``source`` copied to ``dest`` and open there for editing with pyaaf2 (saved when
    the block ends); a file pyaaf2 cannot open is a :class:`TimelineError` naming
    ``source``."""
    shutil.copyfile(source, dest)
    try:
        f = aaf2.open(str(dest), "rw")
    except Exception as exc:  # pyaaf2 raises anything on a broken file
        raise _open_error(source, exc) from None
    with f:
        yield f


def _top_mob(f: Any, name: str, path: Path) -> Any:
    mobs = list(f.content.toplevel()) or list(f.content.compositionmobs())
    if not mobs:
        raise TimelineError("holds no sequence (CompositionMob)", where=str(path))
    for mob in mobs:
        if mob.name == name:
            return mob
    return mobs[0]


def picture_layers(mob: Any) -> list[tuple[Any, Any, Any, Any]]:
    """(mob slot, owner, key, segment) per picture layer, V1 first.

    ``owner`` is the TimelineMobSlot (key None) or the NestedScope (key = layer index)
    that holds ``segment``, so a layer that is not a Sequence can be replaced.
    """
    layers: list[tuple[Any, Any, Any, Any]] = []
    for slot in mob.slots:
        if not isinstance(slot, aaf2.mobslots.TimelineMobSlot):
            continue
        seg = slot.segment
        if str(seg.media_kind).lower() != "picture":
            continue
        if isinstance(seg, aaf2.components.NestedScope):
            nested: Any = seg["Slots"]  # pyaaf2 is untyped; its __getitem__ infers "object"
            for index, layer in enumerate(nested):
                layers.append((slot, seg, index, layer))
        else:
            layers.append((slot, slot, None, seg))
    return layers


def _spans(seq: Any) -> list[tuple[int, Any, int, int]]:
    """(index, component, start, end) in a Sequence; transitions overlap their neighbours."""
    out = []
    pos = 0
    for index, comp in enumerate(seq.components):
        length = comp.length or 0
        if isinstance(comp, aaf2.components.Transition):
            out.append((index, comp, pos - length, pos))
            pos -= length
            continue
        out.append((index, comp, pos, pos + length))
        pos += length
    return out


def _locate(seq: Any, start: int, end: int, offset: int = 0
            ) -> tuple[Any, int, Any, int, int] | None:
    """(sequence, index, component, start, end) of the component holding [start, end),
    descending into nested Sequences."""
    spans = _spans(seq)
    for index, comp, a, b in spans:
        if isinstance(comp, aaf2.components.Transition):
            continue
        if offset + a <= start < offset + b:
            if isinstance(comp, aaf2.components.Sequence):
                return _locate(comp, start, end, offset + a)
            return seq, index, comp, offset + a, offset + b
    return None


def _touches_transition(seq: Any, start: int, end: int, offset: int) -> bool:
    return any(isinstance(c, aaf2.components.Transition) and offset + a < end and
               offset + b > start for _, c, a, b in _spans(seq))


def _ffprobe_like(p: Placement, path: Path) -> dict[str, Any]:
    """What :func:`aaf2.ama.create_media_link` reads from ffprobe, from PyAV."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            ctx = stream.codec_context
            fmt = (container.format.name, container.format.long_name)
            codec, profile = ctx.name, ctx.profile or ""
            size = (ctx.width, ctx.height)
            pix_fmt = stream.format.name if stream.format else "yuv420p"
    except (FFmpegError, OSError, IndexError) as exc:
        raise MediaError(f"cannot be described for AAF: {exc}", where=str(path)) from None
    rate = Fraction(p.media.rate)
    return {
        "format": {"filename": str(path), "format_name": fmt[0], "format_long_name": fmt[1]},
        "streams": [{"codec_type": "video", "codec_name": codec, "profile": profile,
                     "avg_frame_rate": f"{rate.numerator}/{rate.denominator}",
                     "nb_frames": p.media.frames, "width": size[0], "height": size[1],
                     "pix_fmt": pix_fmt}],
    }


def _link_media(f: Any, p: Placement) -> tuple[Any, int]:
    """A MasterMob linked to the media file, and the slot id of its picture slot."""
    path = Path(p.media.path).resolve()
    if path.suffix.lower() == ".mxf":
        return _link_mxf(f, p, path)
    meta = _ffprobe_like(p, path)
    if meta["format"]["format_long_name"] != "QuickTime / MOV":
        raise MediaError("AAF write-back links QuickTime/MP4 or MXF media only", where=str(path),
                         hint="conform the take to .mov or .mxf first")
    master, _source, tape = f.content.create_ama_link(str(path), meta)
    master.name = p.name
    rate = Fraction(p.media.rate)
    tc = tape.create_timecode_slot(f"{rate.numerator}/{rate.denominator}", nominal(rate),
                                   drop_frame=_drop(rate), length=p.media.frames)
    tc.segment.start = p.media.start_frame
    _primary_timecode(tc)
    master.comments["Pickup slot"] = p.slot.id
    return master, 1


# ContainerDef_AAFKLV (pyaaf2's aaf2/model/datadefs.py): the container pyaaf2's MXF
# linker gives every MXF essence descriptor.  Avid's dictionaries hold this AUID under
# the name "MXF", so pyaaf2's lookup by the name "AAFKLV" fails ("No Definition: aafklv").
_AAFKLV = AUID("4b464141-000d-4d4f-060e-2b34010101ff")


class _Definitions:
    """``f.dictionary`` for pyaaf2's MXF linker: finds AAFKLV by its AUID."""

    def __init__(self, dictionary: Any) -> None:
        self._dictionary = dictionary

    def lookup_containerdef(self, name: Any) -> Any:
        if isinstance(name, str) and name.lower().removeprefix("containerdef_") == "aafklv":
            return self._dictionary.lookup_containerdef(_AAFKLV)
        return self._dictionary.lookup_containerdef(name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._dictionary, name)


class _LinkTarget:
    """The AAF file as :meth:`aaf2.mxf.MXFFile.link` sees it (only the dictionary differs)."""

    def __init__(self, f: Any) -> None:
        self._f = f
        self.dictionary = _Definitions(f.dictionary)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)


def _ensure_aafklv(f: Any) -> None:
    """Register ContainerDef_AAFKLV in the copy's dictionary when it is absent."""
    if f.dictionary["ContainerDefinitions"].get(_AAFKLV) is None:
        f.dictionary.register_def(f.create.ContainerDef(str(_AAFKLV), "ContainerDef_AAFKLV",
                                                        "AAF KLV (MXF) essence container"))


def _descriptors(desc: Any) -> list[Any]:
    """An essence descriptor and, for a MultipleDescriptor, the ones it holds."""
    out = [desc]
    if "FileDescriptors" in desc:
        for sub in desc["FileDescriptors"]:
            out += _descriptors(sub)
    return out


def _link_mxf(f: Any, p: Placement, path: Path) -> tuple[Any, int]:
    """Link an MXF (OP1a as FFmpeg writes it, or OP-Atom) with pyaaf2's MXF reader.

    The file's material package becomes the MasterMob and its file package the
    SourceMob (with the file's own timecode track, which the conform writes), so
    the mobs carry the file's UMIDs; a file linked before (the same take in two
    slots, or a second run on the written AAF) is reused, not linked twice.
    """
    try:
        mxf = aaf2.mxf.MXFFile(str(path))
        packages = list(mxf.material_packages())
    except Exception as exc:  # pyaaf2 raises anything on a file it cannot parse
        raise MediaError(f"cannot be read as MXF: {type(exc).__name__}: {exc}",
                         where=str(path), hint="conform the take again") from None
    if len(packages) != 1 or packages[0].mob_id is None:
        raise MediaError(f"holds {len(packages)} material packages where AAF linking "
                         "needs one", where=str(path), hint="conform the take again")
    mob_id = packages[0].mob_id
    mxf.ama = True  # an AMA-style link: NetworkLocator + MediaContainerGUID
    _ensure_aafklv(f)
    try:
        added = mxf.link(_LinkTarget(f))
    except Exception as exc:  # pyaaf2 raises KeyError & co. on descriptors it cannot map
        raise MediaError(f"cannot be linked from AAF: {type(exc).__name__}: {exc}",
                         where=str(path), hint="conform the take again") from None
    master = f.content.mobs.get(mob_id)
    if not isinstance(master, aaf2.mobs.MasterMob):
        raise MediaError("its material package did not link as a MasterMob", where=str(path))
    picture = [s for s in _slots(master) if isinstance(s, aaf2.mobslots.TimelineMobSlot)
               and str(s.media_kind).lower() == "picture"]
    if not picture:
        raise MediaError("holds no picture track to link", where=str(path))
    slot = picture[0]
    if not added:
        return master, slot.slot_id
    master.name = p.name
    master.comments["Pickup slot"] = p.slot.id
    # Avid's MasterMobs hold no timecode slot (the SourceMobs do); a numbered one would
    # make readers add the start timecode twice.
    slots: Any = master["Slots"]  # pyaaf2 is untyped
    for index in reversed(range(len(_slots(master)))):
        if str(_slots(master)[index].media_kind).lower() == "timecode":
            slots.pop(index)
    _number_tracks(master, p.name)
    url = path.as_uri()
    edit_rate, length = Fraction(str(slot.edit_rate)), slot.segment.length
    for mob in added:
        if not isinstance(mob, aaf2.mobs.SourceMob):
            continue
        descriptor = mob.descriptor
        if isinstance(descriptor, aaf2.essence.TapeDescriptor):
            # The tape (reel) package FFmpeg writes for ``reel_name``: the MXF names it.
            _number_tracks(mob, None)
            continue
        # The file's SourceMob carries the clip's name, as in Avid's own AAFs.
        mob.name = p.name
        _number_tracks(mob, None)
        for desc in _descriptors(descriptor):
            if "SampleRate" not in desc or "Length" not in desc:
                continue  # a descriptor with no essence of its own
            # FFmpeg's MXF header leaves the descriptors' length out; pyaaf2 then writes 0.
            if not desc["Length"].value:
                rate = Fraction(str(desc["SampleRate"].value))
                desc["Length"].value = round(length * rate / edit_rate)
            if "Locator" in desc:
                # pyaaf2 writes "file://" + the raw path, twice for AMA; one escaped URL.
                desc["Locator"].clear()
                loc = f.create.NetworkLocator()
                loc["URLString"].value = url
                desc["Locator"].append(loc)
        timecodes = [s for s in _slots(mob) if str(s.media_kind).lower() == "timecode"]
        if not timecodes:  # FFmpeg always writes one; other writers may not
            rate = exact_rate(p.media.rate)
            timecodes = [mob.create_timecode_slot(
                f"{rate.numerator}/{rate.denominator}", nominal(rate), drop_frame=_drop(rate),
                length=length)]
            timecodes[0].segment.start = p.media.start_frame
        _primary_timecode(timecodes[0])
    return master, slot.slot_id


def _number_tracks(mob: Any, name: str | None) -> None:
    """PhysicalTrackNumber 1, 2 ... per media kind, as Avid numbers its own mobs' slots
    (pyaaf2 copies the MXF's essence track numbers, such as 352390144, or 0); with
    ``name``, the slots are named after the clip as Avid names a MasterMob's slots."""
    counts: dict[str, int] = {}
    for slot in _slots(mob):
        kind = str(slot.media_kind).lower()
        counts[kind] = counts.get(kind, 0) + 1
        slot["PhysicalTrackNumber"].value = counts[kind]
        if name is not None:
            slot["SlotName"].value = name


def _slots(mob: Any) -> list[Any]:
    return list(mob.slots)  # pyaaf2 is untyped; isinstance narrows its mobs to "object" slots


def _drop(rate: Fraction) -> bool:
    return rate.denominator == 1001 and nominal(rate) % 30 == 0


def _primary_timecode(slot: Any) -> None:
    """Mark a source mob's timecode slot as its primary timecode (PhysicalTrackNumber 1),
    as Avid does; OTIO's reader takes the media's start timecode only from such a slot."""
    slot["PhysicalTrackNumber"].value = 1


class AafPatcher:
    """Writes an AAF by editing a copy of the original with pyaaf2."""

    def __init__(self) -> None:
        self.replaced: list[Replaced] = []

    def write(self, source: LoadedTimeline, edited: otio.schema.Timeline,
              placements: Sequence[Placement], dest: Path) -> None:
        where = str(source.path)
        with edit_copy(source.path, dest) as f:
            mob = _top_mob(f, source.timeline.name, source.path)
            layers = picture_layers(mob)
            video = [t for t in source.timeline.tracks
                     if t.kind == otio.schema.TrackKind.Video]
            if len(layers) != len(video):
                raise TimelineError(f"holds {len(layers)} picture layers where OTIO reads "
                                    f"{len(video)} video tracks", where=where,
                                    hint="write OTIO with -o OUT.otio instead")
            # Later slots first on each layer, so indices stay valid.
            for p in sorted(placements, key=lambda q: (q.slot.track_index, -q.slot.start)):
                self._place(f, layers, p, source)

    def _place(self, f: Any, layers: list[tuple[Any, Any, Any, Any]], p: Placement,
               source: LoadedTimeline) -> None:
        where = str(source.path)
        slot = p.slot
        if not 1 <= slot.track_index <= len(layers):
            raise changed(p, f"the sequence has no picture layer V{slot.track_index}", where)
        mob_slot, owner, key, segment = layers[slot.track_index - 1]
        edit_rate = Fraction(str(mob_slot.edit_rate))
        scale = edit_rate / exact_rate(source.rate)
        start, end = round(slot.start * scale), round(slot.end * scale)
        wrapped = not isinstance(segment, aaf2.components.Sequence)
        if wrapped:
            # A layer that is one Filler/ScopeReference/clip: wrap it in a Sequence.
            seq = f.create.Sequence(media_kind=segment.media_kind)
            length = segment.length
            if key is None:
                owner.segment = seq
            else:
                owner["Slots"][key] = seq
            seq.components.append(segment)
            seq.length = length
            layers[slot.track_index - 1] = (mob_slot, owner, key, seq)
            segment = seq
        if slot.item == "gap" and _touches_transition(segment, start, end, 0):
            raise SlotError("a transition overlaps the gap", where=f"{where}, slot {slot.id}",
                            hint="place into a gap (or the part of it) that no dissolve "
                            "touches")
        hit = _locate(segment, start, end)
        if hit is None:
            raise changed(p, "nothing is at the slot any more", where)
        seq, index, comp, a, b = hit
        offset = a - next(s for i, _, s, _e in _spans(seq) if i == index)
        master, picture_slot = _link_media(f, p)
        # The take starts ``handles`` frames before the slot (at the media's rate).
        handles = round(p.media.handles * edit_rate / exact_rate(p.media.rate))
        clip = master.create_source_clip(slot_id=picture_slot, start=handles,
                                         length=end - start, media_kind="picture")
        if slot.item == "gap":
            if not isinstance(comp, _GAPS) or b < end:
                raise changed(p, f"a {type(comp).__name__} now covers the gap", where)
            if _touches_transition(seq, start, end, offset):
                raise SlotError("a transition overlaps the gap", where=f"{where}, slot {slot.id}",
                                hint="place into a gap that no dissolve touches")
            pieces = []
            if start > a:
                pieces.append(_piece(comp, start - a))
            pieces.append(clip)
            if b > end:
                pieces.append(_piece(comp, b - end))
        else:
            if isinstance(comp, (*_GAPS, aaf2.components.Transition)) or (a, b) != (start, end):
                raise changed(p, "no placeholder spans the slot any more", where)
            if not slot.filled:  # a Pickup clip is not the original
                self._keep(comp, p, source, edit_rate, wrapped and seq is segment)
            pieces = [clip]
        seq.components.pop(index)
        for n, piece in enumerate(pieces):
            seq.components.insert(index + n, piece)

    def _keep(self, comp: Any, p: Placement, source: LoadedTimeline, edit_rate: Fraction,
              wrapped: bool) -> None:
        """Keep the placeholder ``comp`` for ``pickup revert`` (not when it holds
        something :mod:`aafobj` does not carry: revert then refuses the slot)."""
        try:
            tree = aafobj.dump(comp)
        except aafobj.Unsupported as exc:
            _log.info("slot %s: the placeholder is not kept for revert: %s", p.slot.id, exc)
            return
        linked = getattr(comp, "mob", None) if isinstance(
            comp, aaf2.components.SourceClip) else None
        self.replaced.append(Replaced(p.slot.id, "aaf", p.slot.item, {
            "component": tree, "class": type(comp).__name__,
            "name": getattr(linked, "name", None), "length": comp.length,
            "edit_rate": str(edit_rate), "wrapped": wrapped}, source=str(source.path)))


def _piece(comp: Any, length: int) -> Any:
    """A copy of a Filler/ScopeReference with another length."""
    piece = comp.copy()
    piece.length = length
    return piece
