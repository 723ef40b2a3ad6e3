"""Hand a filled timeline to Avid, Premiere, Final Cut Pro or Resolve: timeline, media, steps.

For each filled clip the active take (with ``approved``: the slot's approved take) is
conformed to the target app's codec into ``DIR/media/`` (DNxHR HQ MXF for Avid,
ProRes HQ or H.264 for Premiere, ProRes HQ for Final Cut Pro, ProRes HQ or DNxHR HQ
for Resolve, which imports OTIO through File > Import > Timeline since 18.5), with
the slot's record timecode as its start timecode.  The
timeline is then written in the target format: by the write-back patcher when the
filled file already is in that format (lossless: only the filled clips change),
otherwise through OTIO's adapter, after measuring what that adapter drops.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import opentimelineio as otio

from pickup.atomic import atomic_path, atomic_write_bytes, temp_prefix
from pickup.errors import InputError, MediaError, WriteError
from pickup.hosts.filled import FilledClip, Take, require_filled
from pickup.media.probe import MediaInfo, probe
from pickup.timeline import LoadedTimeline, PlacedMedia, Placement, frames_to_timecode, place_all
from pickup.timeline.otiofile import write_otio
from pickup.timeline.rates import exact_rate, timecode_frames
from pickup.timeline.writeback import write_back

__all__ = ["TARGETS", "HandoffResult", "Target", "ale_text", "export_for"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    """An editing app's hand-off: timeline format, OTIO adapter, media codec, steps."""

    name: str
    format: str
    adapter: str
    suffix: str
    profile: str
    profiles: tuple[str, ...]
    ale: bool
    steps: tuple[str, ...]


TARGETS: dict[str, Target] = {
    "avid": Target(
        "avid", "aaf", "AAF", ".aaf", "dnxhr_hq", ("dnxhr_hq", "dnxhr_hq_opatom"),
        True,
        ("In Media Composer, import the ALE into a bin: {ale}",
         "Link media: select the new clips and Relink (or link through the Source Browser) "
         "to the DNxHR HQ MXF files in {media}",
         "Then import the AAF into the same bin and open its sequence: {timeline}")),
    "avid-edl": Target(
        "avid-edl", "edl", "cmx_3600", ".edl", "dnxhr_hq", ("dnxhr_hq", "dnxhr_hq_opatom"),
        True,
        ("In Media Composer, import the ALE into a bin: {ale}",
         "Link media: select the new clips and Relink to the MXF files in {media}",
         "Then load the EDL with EDL Manager (or List Tool) against that bin: {timeline}")),
    "premiere": Target(
        "premiere", "fcp7xml", "fcp_xml", ".xml", "prores_hq", ("prores_hq", "h264"), False,
        ("In Premiere Pro choose File > Import... and pick the XML: {timeline}",
         "The new clips link to the files in {media} through their pathurls; if you move "
         "the folder, use Link Media and point at it")),
    "fcp": Target(
        "fcp", "fcpxml", "fcpx_xml", ".fcpxml", "prores_hq", ("prores_hq",), False,
        ("In Final Cut Pro choose File > Import > XML... and pick: {timeline}",
         "The new clips reference the ProRes files in {media}; keep them there or relink "
         "with File > Relink Files")),
    "resolve": Target(
        "resolve", "otio", "otio_json", ".otio", "prores_hq", ("prores_hq", "dnxhr_hq"), False,
        ("In DaVinci Resolve (18.5 or later) choose File > Import > Timeline... and pick: "
         "{timeline}",
         "Leave 'Automatically import source clips into media pool' on: the new clips link "
         "to the files in {media}; if you move that folder, relink the clips to it",
         "With Resolve open on this machine, `pickup resolve send {source}` does the same "
         "live (a new timeline version and a Pickup bin), with no files to import")),
}


@dataclass
class HandoffResult:
    """What an export wrote."""

    target: Target
    timeline: Path
    media: list[Path] = field(default_factory=list)
    ale: Path | None = None
    lossless: bool = False
    losses: list[str] = field(default_factory=list)
    source: Path | None = None  # the filled timeline handed over
    #: slots left out (``approved`` given and the slot has no approved take)
    unapproved: list[str] = field(default_factory=list)
    #: slot id -> the approved take handed over instead of the active one
    swapped: dict[str, str] = field(default_factory=dict)

    def steps(self) -> list[str]:
        values = {"timeline": self.timeline, "media": self.timeline.parent / "media",
                  "ale": self.ale, "source": self.source or self.timeline}
        return [step.format(**values) for step in self.target.steps]


def _even(value: int) -> int:
    return max(16, value - value % 2)


def _reel(index: int) -> str:
    return f"PKUP{index:03d}"  # 7 characters: fits EDL and Avid tape names


def _taken_reels(loaded: LoadedTimeline, clips: Sequence[FilledClip]) -> set[str]:
    """Reels the editor's clips use (CMX reels, Avid tape names), not counting the
    filled clips, whose reel the hand-off gives anew."""
    filled = {id(c.clip) for c in clips}
    taken: set[str] = set()
    for clip in loaded.timeline.find_clips():
        if id(clip) in filled:
            continue
        for key in ("cmx_3600", "ale", "AAF"):
            meta = clip.metadata.get(key) if clip.metadata else None
            reel = meta.get("reel") or meta.get("Tape") if meta is not None and hasattr(
                meta, "get") else None
            if reel:
                taken.add(str(reel).strip().upper())
    return taken


def _reels(loaded: LoadedTimeline, clips: Sequence[FilledClip]) -> list[str]:
    """One new reel per filled clip (``PKUP001``...), none the timeline already uses:
    the same name goes into the EDL event, the ALE's Tape and the MXF's tape package."""
    taken = _taken_reels(loaded, clips)
    out: list[str] = []
    n = 1
    while len(out) < len(clips):
        if _reel(n) not in taken:
            out.append(_reel(n))
        n += 1
    return out


def _media_start(info: MediaInfo, clip: FilledClip) -> int | None:
    """The take's first frame (its start timecode) at the slot's rate: from the file
    itself, else from the clip's media reference; None when neither says."""
    if info.start_timecode:
        try:
            return timecode_frames(info.start_timecode, info.rate)
        except ValueError:
            pass
    rng = clip.clip.media_reference.available_range if clip.clip.media_reference else None
    return clip.active.start_frame if rng is not None else None


def _handles(info: MediaInfo, clip: FilledClip) -> int:
    """Frames of the take before the clip's first frame, counted from the take's own
    start timecode (never from 00:00:00:00): 0 when that offset does not fit inside the
    take, so the conform never writes more than the take holds."""
    rng = clip.clip.source_range
    start = _media_start(info, clip)
    if rng is None or start is None:
        return 0
    offset = round(rng.start_time.value_rescaled_to(float(info.rate))) - start
    if offset < 0 or offset + clip.slot.duration > max(info.frames, clip.slot.duration):
        _log.warning("%s: the clip's source in is not inside the take (offset %d of %d "
                     "frames); conforming it without handles", clip.slot.id, offset,
                     info.frames)
        return 0
    return offset


def _take_name(clip: FilledClip) -> str:
    """The clip's name; an approved take handed over instead of the active one is named
    for itself (``V1-01000200_T02``)."""
    if clip.active.key == clip.clip.active_media_reference_key:
        return clip.name
    return f"{clip.slot.id}_{clip.active.key}"


def _conform_all(clips: Sequence[FilledClip], reels: Sequence[str], profile: str,
                 media_dir: Path, final_dir: Path, say: Callable[[str], None]
                 ) -> list[Placement]:
    """Conform each active take into ``media_dir`` (the staging folder); the
    placements point at ``final_dir``, where the files are moved once all is written."""
    from pickup.media.conform import ConformTarget, conform, profile_suffix

    placements: list[Placement] = []
    for clip, reel in zip(clips, reels, strict=True):
        src = clip.active.path
        if not src.is_file():
            raise MediaError("the active take's media is missing", where=str(src),
                             hint=f"run `pickup fill` again for slot {clip.slot.id}")
        info = probe(src)
        rate = exact_rate(clip.slot.rate)
        handles = _handles(info, clip)
        first = clip.record_start - handles
        tc = frames_to_timecode(first, clip.slot.rate) if first >= 0 else None
        spec = ConformTarget(frames=clip.slot.duration, rate=rate, width=_even(info.width),
                             height=_even(info.height), profile=profile, handles=handles,
                             timecode=tc, reel=reel, slot_id=clip.slot.id,
                             package_name=_take_name(clip))
        name = f"{_take_name(clip)}{profile_suffix(profile)}"
        total = spec.total_frames
        say(f"{clip.slot.id}: conforming {src.name} -> media/{name} ({profile}, "
            f"{total} frames)")
        shown = [0]

        def progress(fraction: float, shown: list[int] = shown, slot: str = clip.slot.id
                     ) -> None:
            step = int(fraction * 4)  # a line at 25 %, 50 %, 75 %
            if 0 < step < 4 and step > shown[0]:
                shown[0] = step
                say(f"{slot}: {step * 25} %")

        done = conform(src, spec, media_dir / name, progress=progress)
        media = PlacedMedia(path=final_dir / name, frames=done.frames, rate=rate,
                            width=done.width, height=done.height, start_frame=max(first, 0),
                            handles=handles)
        meta = dict(clip.meta)
        meta["reel"] = reel
        placements.append(Placement(slot=clip.slot, media=media, clip_name=_take_name(clip),
                                    metadata=meta))
    return placements


def _repointed(loaded: LoadedTimeline, clips: Sequence[FilledClip],
               placements: Sequence[Placement], spec: Target | None = None
               ) -> otio.schema.Timeline:
    """A copy whose filled clips reference only the conformed media (what other formats
    carry) under their hand-off reel; everything else is the filled timeline as it was.

    For an EDL, each track starts at the sequence's start timecode (OTIO's CMX writer
    counts record timecodes from the tracks' own start, as its reader sets it), so
    record timecodes include it."""
    timeline = loaded.timeline.deepcopy()
    if spec is not None and spec.adapter == "cmx_3600" and loaded.start_frame:
        offset = otio.opentime.RationalTime(loaded.start_frame, loaded.rate)
        for track in timeline.tracks:
            length = track.available_range().duration
            track.source_range = otio.opentime.TimeRange(-offset, length)
    wanted = {(c.slot.stack_index, c.slot.start): p for c, p in zip(clips, placements,
                                                                     strict=True)}
    for stack_index, track in enumerate(timeline.tracks):
        ranges = track.range_of_all_children()
        for item in track:
            if not isinstance(item, otio.schema.Clip):
                continue
            start = round(ranges[item].start_time.value_rescaled_to(loaded.rate))
            p = wanted.get((stack_index, start))
            if p is None:
                continue
            m = p.media
            ref = otio.schema.ExternalReference(
                target_url=Path(m.path).resolve().as_uri(),
                available_range=otio.opentime.TimeRange(
                    otio.opentime.RationalTime(m.start_frame, float(m.rate)),
                    otio.opentime.RationalTime(m.frames, float(m.rate))))
            ref.name = Path(m.path).name
            item.set_media_references({"DEFAULT_MEDIA": ref}, "DEFAULT_MEDIA")
            reel = str(p.metadata.get("reel") or "")
            if reel:
                cmx = dict(item.metadata.get("cmx_3600") or {})
                cmx["reel"] = reel
                item.metadata["cmx_3600"] = cmx
            item.source_range = otio.opentime.TimeRange(
                otio.opentime.RationalTime(m.start_frame + m.handles, float(m.rate)),
                otio.opentime.RationalTime(p.slot.duration, loaded.rate).rescaled_to(
                    float(m.rate)))
    return timeline


def _gapped(timeline: otio.schema.Timeline, rate: float,
            clips: Sequence[FilledClip]) -> None:
    """Put a gap (keeping the clip's markers) where each of ``clips`` is."""
    wanted = {(c.slot.stack_index, c.slot.start) for c in clips}
    for stack_index, track in enumerate(timeline.tracks):
        ranges = track.range_of_all_children()
        for index, item in enumerate(list(track)):
            if not isinstance(item, otio.schema.Clip):
                continue
            start = round(ranges[item].start_time.value_rescaled_to(rate))
            if (stack_index, start) not in wanted:
                continue
            gap = otio.schema.Gap(source_range=otio.opentime.TimeRange(
                duration=item.trimmed_range().duration))
            for marker in list(item.markers):
                gap.markers.append(marker.deepcopy())
            track[index] = gap


def _approved_clips(clips: Sequence[FilledClip], approved: Mapping[str, Mapping[int, Take]],
                    result: HandoffResult) -> list[FilledClip]:
    """The clips to hand over when only approved takes go: each slot's active take if it
    is approved, else its first approved take; slots without one are left out."""
    handed: list[FilledClip] = []
    for clip in clips:
        takes = approved.get(clip.slot.id) or {}
        if not takes:
            result.unapproved.append(clip.slot.id)
            continue
        if clip.active.number in takes:
            handed.append(clip)
            continue
        take = takes[min(takes)]
        result.swapped[clip.slot.id] = take.key
        handed.append(replace(clip, active=take))
    return handed


def _fps(rate: float) -> str:
    exact = exact_rate(rate)
    return f"{float(exact):.3f}".rstrip("0").rstrip(".") if exact.denominator != 1 else str(
        exact.numerator)


def ale_text(placements: Sequence[Placement], rate: float) -> str:
    """An Avid Log Exchange for the new clips: Name, Tape, Source File, Start, End
    (exclusive), Tracks, FPS, and Pickup's slot and prompt."""
    rows = []
    for p in placements:
        m = p.media
        start = frames_to_timecode(m.start_frame, float(m.rate))
        end = frames_to_timecode(m.start_frame + m.frames, float(m.rate))
        prompt = str(p.metadata.get("prompt") or p.slot.prompt or "").replace("\t", " ")
        rows.append("\t".join([p.name, str(p.metadata.get("reel", "")),
                               str(Path(m.path).resolve()), start, end, "V", _fps(rate),
                               p.slot.id, prompt]))
    lines = ["Heading", "FIELD_DELIM\tTABS", "VIDEO_FORMAT\tCUSTOM", "AUDIO_FORMAT\t48khz",
             f"FPS\t{_fps(rate)}", "", "Column",
             "Name\tTape\tSource File\tStart\tEnd\tTracks\tFPS\tPickup Slot\tPickup Prompt",
             "", "Data", *rows, ""]
    return "\n".join(lines)


class _MediaCommit:
    """Media conformed into a staging folder inside the output folder, moved into
    ``media/`` just before the timeline is written, and taken back out (files it
    replaced put back, folders it made removed) when anything after fails: a failed
    export leaves the output folder as it was and no temporary file behind."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.media_dir = out_dir / "media"
        self.made: list[Path] = []  # folders this export created, outermost first
        for folder in (out_dir, self.media_dir):
            if not folder.exists():
                self.made.append(folder)
        try:
            self.media_dir.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=temp_prefix(self.media_dir),
                                                 dir=out_dir))
        except OSError as exc:
            self._remove_made()
            raise WriteError(f"cannot create the output folder: {exc.strerror}",
                             where=str(self.media_dir), hint="choose another folder with -o"
                             ) from None
        self.old = self.staging / "replaced"
        self.moved: list[tuple[Path, Path | None]] = []  # (final, old copy or None)

    def move_in(self) -> None:
        """Every staged file into ``media/`` (an existing file of the same name is kept
        aside until :meth:`done`)."""
        for staged in sorted(p for p in self.staging.iterdir() if p.is_file()):
            final = self.media_dir / staged.name
            kept = None
            if final.exists():
                self.old.mkdir(exist_ok=True)
                kept = self.old / staged.name
                os.replace(final, kept)
            os.replace(staged, final)
            self.moved.append((final, kept))

    def undo(self) -> None:
        for final, kept in reversed(self.moved):
            with contextlib.suppress(OSError):
                if kept is not None:
                    os.replace(kept, final)
                else:
                    final.unlink()
        self.moved = []
        shutil.rmtree(self.staging, ignore_errors=True)
        self._remove_made()

    def done(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def _remove_made(self) -> None:
        for folder in reversed(self.made):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty: never anything the user put there


def export_for(loaded: LoadedTimeline, target: str, out_dir: Path, *,
               profile: str | None = None, say: Callable[[str], None] = lambda _: None,
               approved: Mapping[str, Mapping[int, Take]] | None = None,
               project: Path | None = None) -> HandoffResult:
    """Write the hand-off for ``target`` into ``out_dir``; see the module docstring.

    ``approved`` (slot id -> its approved takes by number) hands over only approved
    takes: a slot whose active take is not approved gets its approved one, and a slot
    without any is handed over as it was before the fill (``pickup revert``'s own
    un-patch, on a copy: the take store and the input are not touched; a gap with its
    markers when converting) and listed in ``unapproved``.  ``project`` is the project
    folder (default: found from the timeline).

    All or nothing: the media, the timeline and the ALE are in place when this returns;
    when it raises, none of them is (files of an earlier export are left as they were).
    """
    spec = TARGETS.get(target)
    if spec is None:
        raise InputError(f"unknown target {target!r}", hint=f"choose {', '.join(TARGETS)}")
    profile = profile or spec.profile
    if profile not in spec.profiles:
        raise InputError(f"{spec.name} takes {' or '.join(spec.profiles)} media, not {profile}",
                         hint=f"drop --codec, or use one of {', '.join(spec.profiles)}")
    clips = require_filled(loaded)
    if spec.format == "aaf" and loaded.format.name != "aaf":
        raise InputError(
            f"an AAF can be written only from a filled AAF, not from {loaded.format.label}: "
            "OTIO's AAF writer needs the Avid mob ids every clip of an Avid sequence has",
            where=str(loaded.path), hint="export the sequence from Avid as AAF, run `pickup "
            "fill CUT.aaf` and export that file, or use --for avid-edl")
    chosen = HandoffResult(target=spec, timeline=Path(out_dir), source=loaded.path)
    left_out: list[FilledClip] = []
    if approved is not None:
        handed = _approved_clips(clips, approved, chosen)
        left_out = [c for c in clips if c.slot.id in chosen.unapproved]
        if not handed:
            raise InputError("no slot has an approved take; nothing to hand over",
                             where=str(loaded.path), hint="approve takes first: pickup "
                             "approve TIMELINE SLOT T01 (`pickup takes` lists them)")
        clips = handed
    out_dir = Path(out_dir)
    commit = _MediaCommit(out_dir)
    try:
        result = _export(loaded, spec, profile, clips, commit, say, left_out, project)
        result.source, result.unapproved, result.swapped = (
            loaded.path, chosen.unapproved, chosen.swapped)
    except BaseException:
        commit.undo()
        raise
    commit.done()
    return result


def _export(loaded: LoadedTimeline, spec: Target, profile: str, clips: Sequence[FilledClip],
            commit: _MediaCommit, say: Callable[[str], None],
            left_out: Sequence[FilledClip] = (), project: Path | None = None
            ) -> HandoffResult:
    placements = _conform_all(clips, _reels(loaded, clips), profile, commit.staging,
                              commit.media_dir, say)
    dest = commit.out_dir / f"{loaded.path.stem}{spec.suffix}"
    result = HandoffResult(target=spec, timeline=dest, media=[p.media.path for p in placements])
    commit.move_in()  # the AAF links the files where they will stay
    ale_dest = dest.with_suffix(".ale")
    if spec.ale and not (loaded.format.name == spec.format == "edl"):
        # Staged first, so that a timeline that fails leaves no ALE behind either.
        ale_tmp = commit.staging / ale_dest.name
        ale_tmp.write_bytes(ale_text(placements, loaded.rate).encode("utf-8"))
    existed = dest.exists()
    try:
        source = loaded
        if left_out and loaded.format.name == spec.format != "otio":
            source = _reverted_copy(loaded, left_out, project, commit.staging / "reverted")
        _write_timeline(source, spec, clips, placements, dest, result, left_out)
        if spec.ale and result.ale is None:
            result.ale = ale_dest
            atomic_write_bytes(ale_dest, (commit.staging / ale_dest.name).read_bytes())
    except BaseException:
        if not existed:
            with contextlib.suppress(OSError):
                dest.unlink()
        raise
    return result


def _reverted_copy(loaded: LoadedTimeline, left_out: Sequence[FilledClip],
                   project: Path | None, work: Path) -> LoadedTimeline:
    """A copy of the filled file (in ``work``) with ``left_out``'s slots put back as
    they were before the fill, by the format's own un-patch (as ``pickup revert``
    does); the take store and the input stay as they are."""
    from pickup.project import Project
    from pickup.takes.ops import open_session, revert_in_file
    from pickup.timeline import read_timeline

    work.mkdir(parents=True, exist_ok=True)
    copy = work / loaded.path.name
    shutil.copy2(loaded.path, copy)
    rate = loaded.rate if loaded.format.name == "edl" else None
    if loaded.format.name == "edl":
        from pickup.timeline.patch.edl import ale_path

        if ale_path(loaded.path).is_file():
            shutil.copy2(ale_path(loaded.path), ale_path(copy))
    root = Project.find(loaded.path, project, loaded.timeline).root
    for clip in left_out:
        revert_in_file(open_session(copy, rate=rate, project=root), clip.slot.id, copy)
    return read_timeline(copy, rate=rate)


def _write_for_resolve(loaded: LoadedTimeline, clips: Sequence[FilledClip],
                       placements: Sequence[Placement], dest: Path, result: HandoffResult,
                       left_out: Sequence[FilledClip]) -> None:
    """The OTIO Resolve's File > Import > Timeline reads, as ``pickup resolve send``
    writes it (:func:`pickup.hosts.resolve.bridge.resolve_import_copy`): one media
    reference per clip (``Clip.1``), plain file paths."""
    from pickup.hosts.resolve.bridge import resolve_import_copy

    if loaded.format.name == "otio":
        edited = place_all(loaded.timeline, placements)
        result.lossless = True
    else:
        from pickup.timeline.loss import adapter_losses

        edited = _repointed(loaded, clips, placements)
        result.losses = adapter_losses(edited, "otio_json")
    _gapped(edited, loaded.rate, left_out)
    copy = resolve_import_copy(replace(loaded, timeline=edited))
    with atomic_path(dest, backup=dest.exists()) as tmp:
        write_otio(copy, tmp, target_schema_versions={"Clip": 1})


def _write_timeline(loaded: LoadedTimeline, spec: Target, clips: Sequence[FilledClip],
                    placements: Sequence[Placement], dest: Path, result: HandoffResult,
                    left_out: Sequence[FilledClip] = ()) -> None:
    if spec.name == "resolve":
        _write_for_resolve(loaded, clips, placements, dest, result, left_out)
        return
    if loaded.format.name == spec.format:
        edited = place_all(loaded.timeline, placements)
        _gapped(edited, loaded.rate, left_out)
        write_back(loaded, edited, placements, dest, backup=dest.exists())
        result.lossless = True
    else:
        from pickup.timeline.loss import adapter_losses

        edited = _repointed(loaded, clips, placements, spec)
        _gapped(edited, loaded.rate, left_out)
        result.losses = adapter_losses(edited, spec.adapter, original=loaded.path)
        write_back(loaded, edited, placements, dest, to_adapter=spec.adapter,
                   backup=dest.exists())
    if spec.ale and result.lossless and spec.format == "edl":
        from pickup.timeline.patch.edl import ale_path

        result.ale = ale_path(dest)  # the EDL patcher wrote it beside the EDL
