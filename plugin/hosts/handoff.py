"""Hand a filled timeline to Avid, Premiere or Final Cut Pro: timeline file, media, ALE, steps.

For each filled clip the active take is conformed to the target app's codec into
``DIR/media/`` (DNxHR HQ MXF for Avid, ProRes HQ or H.264 for Premiere, ProRes HQ
for Final Cut Pro), with the slot's record timecode as its start timecode.  The
timeline is then written in the target format: by the write-back patcher when the
filled file already is in that format (lossless: only the filled clips change),
otherwise through OTIO's adapter, after measuring what that adapter drops.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from pickup.atomic import atomic_write_bytes
from pickup.errors import InputError, MediaError, WriteError
from pickup.hosts.filled import FilledClip, require_filled
from pickup.timeline import LoadedTimeline, PlacedMedia, Placement, frames_to_timecode, place_all
from pickup.timeline.writeback import write_back

__all__ = ["TARGETS", "HandoffResult", "Target", "ale_text", "export_for"]


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
        "avid", "aaf", "AAF", ".aaf", "dnxhr_hq", ("dnxhr_hq",), True,
        ("In Media Composer, import the ALE into a bin: {ale}",
         "Link media: select the new clips and Relink (or link through the Source Browser) "
         "to the DNxHR HQ MXF files in {media}",
         "Then import the AAF into the same bin and open its sequence: {timeline}")),
    "avid-edl": Target(
        "avid-edl", "edl", "cmx_3600", ".edl", "dnxhr_hq", ("dnxhr_hq",), True,
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

    def steps(self) -> list[str]:
        values = {"timeline": self.timeline, "media": self.timeline.parent / "media",
                  "ale": self.ale}
        return [step.format(**values) for step in self.target.steps]


def _even(value: int) -> int:
    return max(16, value - value % 2)


def _reel(index: int) -> str:
    return f"PKUP{index:03d}"  # 7 characters: fits EDL and Avid tape names


def _conform_all(clips: Sequence[FilledClip], target: Target, profile: str, media_dir: Path,
                 say: Callable[[str], None]) -> list[Placement]:
    from pickup.media.conform import ConformTarget, conform, profile_suffix
    from pickup.media.probe import probe

    placements: list[Placement] = []
    for index, clip in enumerate(clips, start=1):
        src = clip.active.path
        if not src.is_file():
            raise MediaError("the active take's media is missing", where=str(src),
                             hint=f"run `pickup fill` again for slot {clip.slot.id}")
        info = probe(src)
        rate = Fraction(clip.slot.rate).limit_denominator(1001)
        handles = clip.source_offset
        first = clip.record_start - handles
        tc = frames_to_timecode(first, clip.slot.rate) if first >= 0 else None
        spec = ConformTarget(frames=clip.slot.duration, rate=rate, width=_even(info.width),
                             height=_even(info.height), profile=profile, handles=handles,
                             timecode=tc, reel=_reel(index), slot_id=clip.slot.id)
        dest = media_dir / f"{clip.name}{profile_suffix(profile)}"
        done = conform(src, spec, dest)
        say(f"{clip.slot.id}: {src.name} -> media/{dest.name} ({profile}, "
            f"{done.frames} frames)")
        media = PlacedMedia(path=done.path, frames=done.frames, rate=rate, width=done.width,
                            height=done.height, start_frame=max(first, 0), handles=handles)
        meta = dict(clip.meta)
        meta["reel"] = _reel(index)
        placements.append(Placement(slot=clip.slot, media=media, clip_name=clip.name,
                                    metadata=meta))
    return placements


def _repointed(loaded: LoadedTimeline, clips: Sequence[FilledClip],
               placements: Sequence[Placement]) -> otio.schema.Timeline:
    """A copy whose filled clips reference only the conformed media (what other formats
    carry); everything else is the filled timeline as it was."""
    timeline = loaded.timeline.deepcopy()
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
            item.source_range = otio.opentime.TimeRange(
                otio.opentime.RationalTime(m.start_frame + m.handles, float(m.rate)),
                otio.opentime.RationalTime(p.slot.duration, loaded.rate).rescaled_to(
                    float(m.rate)))
    return timeline


def _fps(rate: float) -> str:
    exact = Fraction(rate).limit_denominator(1001)
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


def export_for(loaded: LoadedTimeline, target: str, out_dir: Path, *,
               profile: str | None = None, say: Callable[[str], None] = lambda _: None
               ) -> HandoffResult:
    """Write the hand-off for ``target`` into ``out_dir``; see the module docstring."""
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
    out_dir = Path(out_dir)
    media_dir = out_dir / "media"
    try:
        media_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create the output folder: {exc.strerror}",
                         where=str(media_dir), hint="choose another folder with -o") from None
    placements = _conform_all(clips, spec, profile, media_dir, say)
    dest = out_dir / f"{loaded.path.stem}{spec.suffix}"
    result = HandoffResult(target=spec, timeline=dest, media=[p.media.path for p in placements])
    if loaded.format.name == spec.format:
        edited = place_all(loaded.timeline, placements)
        write_back(loaded, edited, placements, dest, backup=dest.exists())
        result.lossless = True
    else:
        from pickup.timeline.loss import adapter_losses

        edited = _repointed(loaded, clips, placements)
        result.losses = adapter_losses(edited, spec.adapter)
        write_back(loaded, edited, placements, dest, to_adapter=spec.adapter,
                   backup=dest.exists())
    if spec.ale:
        if result.lossless and spec.format == "edl":
            from pickup.timeline.patch.edl import ale_path

            result.ale = ale_path(dest)  # the EDL patcher wrote it beside the EDL
        else:
            result.ale = dest.with_suffix(".ale")
            atomic_write_bytes(result.ale, ale_text(placements, loaded.rate).encode("utf-8"))
    return result
