"""Conform a clip to a slot: exact frame count, rate, size and codec, written atomically.

``conform(src, target, dest)`` decodes ``src`` once, frame by frame (memory does not
grow with the clip's length), picks for every output frame the source frame shown at
that presentation time (so a 30 fps clip keeps its motion timing in a 23.976 slot,
and variable-rate sources work too), scales it with libavfilter (pixel aspect and
rotation honoured, letter/pillarbox, crop or stretch), and encodes exactly
``frames + 2 * handles`` frames with the start timecode, reel and slot id written
into the container.  When the source already is what the target asks for, the
video packets are copied instead of re-encoded (the cheap path the previz provider
relies on).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import queue
import threading
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import av
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.error import FFmpegError
from av.filter import Graph
from av.video.frame import PictureType
from av.video.stream import VideoStream

from pickup.atomic import atomic_path
from pickup.errors import CancelledError, ConfigError, MediaError, WriteError
from pickup.media.probe import MediaInfo, closing_iter, probe

__all__ = [
    "FITS",
    "LONGER",
    "PROFILES",
    "RETIME_LIMIT",
    "SHORTER",
    "ConformTarget",
    "Profile",
    "conform",
    "profile_suffix",
]

_log = logging.getLogger(__name__)

#: ``shorter="retime"`` slows a clip down by at most this factor (1.25: a 4 s clip
#: may fill a 5 s slot); a clip shorter than that is held instead.
RETIME_LIMIT = Fraction(5, 4)

FITS = ("fit", "fill", "stretch")
LONGER = ("trim", "centre")
SHORTER = ("hold", "retime", "refuse")
_AUDIO_RATE = 48000


@dataclass(frozen=True)
class Profile:
    """An output codec: container, encoder, pixel format and encoder options."""

    name: str
    suffix: str
    container: str
    codec: str
    pix_fmt: str
    options: Mapping[str, str]
    audio_codec: str
    #: what probe reports for a file already in this profile: (codec, profile names)
    probe_codec: str
    probe_profiles: tuple[str, ...]
    #: the MXF muxer accepts only broadcast rates
    rates: tuple[Fraction, ...] | None = None
    #: the encoder's thread type (``SLICE`` for intra codecs, ``AUTO`` for x264)
    threads: str = "SLICE"


_BROADCAST_RATES = tuple(Fraction(r) for r in ("24000/1001", "24", "25", "30000/1001", "30",
                                                "50", "60000/1001", "60"))

PROFILES: dict[str, Profile] = {
    "prores_hq": Profile("prores_hq", ".mov", "mov", "prores_ks", "yuv422p10le",
                         {"profile": "hq", "vendor": "apl0"}, "pcm_s24le",
                         "prores", ("HQ",)),
    "dnxhr_hq": Profile("dnxhr_hq", ".mxf", "mxf", "dnxhd", "yuv422p",
                        {"profile": "dnxhr_hq"}, "pcm_s24le", "dnxhd", ("DNXHR HQ",),
                        rates=_BROADCAST_RATES),
    # Avid-managed media: OP-Atom, one essence per file, as Media Composer keeps its own
    # in Avid MediaFiles/MXF (FFmpeg's mxf_opatom muxer; video only).
    "dnxhr_hq_opatom": Profile("dnxhr_hq_opatom", ".mxf", "mxf_opatom", "dnxhd", "yuv422p",
                               {"profile": "dnxhr_hq"}, "pcm_s24le", "dnxhd", ("DNXHR HQ",),
                               rates=_BROADCAST_RATES),
    "h264": Profile("h264", ".mp4", "mp4", "libx264", "yuv420p",
                    {"crf": "18", "preset": "medium"}, "aac", "h264",
                    ("High", "Main", "Constrained Baseline", "Baseline"), threads="AUTO"),
}


#: the delivery profile each editor's app takes natively, by timeline format
PROFILE_BY_FORMAT: dict[str, str] = {"otio": "prores_hq", "otioz": "prores_hq",
                                     "fcp7xml": "prores_hq", "fcpxml": "prores_hq",
                                     "aaf": "dnxhr_hq", "edl": "dnxhr_hq"}


def profile_for_format(format_name: str) -> str:
    """DNxHR HQ for Avid (AAF, EDL), ProRes HQ for everything else."""
    return PROFILE_BY_FORMAT.get(format_name, "prores_hq")


def profile_suffix(profile: str) -> str:
    """The file suffix of ``profile``: ``.mov``, ``.mxf`` or ``.mp4``."""
    return _profile(profile).suffix


def _profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ConfigError(f"unknown output profile {name!r}",
                          hint=f"choose one of: {', '.join(PROFILES)}") from None


@dataclass(frozen=True)
class ConformTarget:
    """What a conformed clip must be.  ``rate`` is exact (24000/1001 stays exact)."""

    frames: int
    rate: Fraction
    width: int
    height: int
    profile: str = "prores_hq"
    fit: str = "fit"
    handles: int = 0
    longer: str = "trim"
    shorter: str = "hold"
    timecode: str | None = None
    reel: str | None = None
    slot_id: str | None = None
    #: the MXF material package's name (the clip name Avid shows); default the slot id
    package_name: str | None = None
    audio: bool = False
    metadata: Mapping[str, str] = field(default_factory=dict)

    @property
    def total_frames(self) -> int:
        return self.frames + 2 * self.handles

    def validate(self) -> Profile:
        """The target's :class:`Profile`; :class:`ConfigError` for impossible targets."""
        prof = _profile(self.profile)
        if self.frames < 1:
            raise ConfigError(f"a conform needs at least 1 frame, not {self.frames}")
        if self.handles < 0:
            raise ConfigError(f"handles cannot be negative ({self.handles})")
        rate = Fraction(self.rate)
        if not 1 <= rate <= 240:
            raise ConfigError(f"frame rate {rate} is out of range (1-240)")
        if prof.rates is not None and rate not in prof.rates:
            shown = ", ".join(f"{float(r):.3f}".rstrip("0").rstrip(".") for r in prof.rates)
            shown_rate = f"{float(rate):.3f}".rstrip("0").rstrip(".")
            raise ConfigError(f"{prof.name} (MXF) cannot hold {shown_rate} fps",
                              hint=f"use one of {shown}, or --profile prores_hq")
        if not (16 <= self.width <= 8192 and 16 <= self.height <= 8192):
            raise ConfigError(f"size {self.width}x{self.height} is out of range (16-8192)")
        if prof.pix_fmt == "yuv420p" and (self.width % 2 or self.height % 2):
            raise ConfigError(f"{prof.name} needs an even width and height, not "
                              f"{self.width}x{self.height}",
                              hint="use prores_hq or dnxhr_hq for odd sizes; sources of any "
                              "size conform")
        for name, value, allowed in (("fit", self.fit, FITS), ("longer", self.longer, LONGER),
                                     ("shorter", self.shorter, SHORTER)):
            if value not in allowed:
                raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
        if prof.container == "mxf_opatom" and self.audio:
            raise ConfigError("OP-Atom MXF holds one essence per file: no audio with "
                              f"{prof.name}", hint="drop the audio, or use dnxhr_hq (OP1a)")
        if self.reel is not None and len(self.reel) > 8:
            _log.warning("reel name %r is longer than 8 characters; EDL and Avid cut it",
                         self.reel)
        return prof


# --------------------------------------------------------------------------- source


@dataclass(frozen=True)
class _Source:
    width: int
    height: int
    pix_fmt: str
    sar: Fraction
    rotation_cw: int  # clockwise degrees to turn the picture upright: 0, 90, 180, 270
    first: Fraction  # presentation time of the first frame, seconds
    duration: Fraction | None  # from the first frame to the end of the last, if known
    frames: int  # 0 when the container does not say
    rate: Fraction


def _open(src: Path) -> InputContainer:
    if not src.is_file():
        raise MediaError("no such media file", where=str(src))
    if src.stat().st_size == 0:
        raise MediaError("the media file is empty (0 bytes)", where=str(src),
                         hint="export or copy it again")
    try:
        container = av.open(str(src))
    except (FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise MediaError(f"not readable as media ({_why(exc)})", where=str(src),
                         hint="the file may be truncated or not a video; export it again") \
            from None
    if not container.streams.video:
        container.close()
        raise MediaError("holds no video stream", where=str(src),
                         hint="give it a video file (this one is audio or data only)")
    return container


def _why(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.split(";")[0][:160]


def _rotation(stream: Any, first_frame: av.VideoFrame | None) -> int:
    """Clockwise degrees that make the picture upright (as ffmpeg's autorotate)."""
    ccw = 0.0
    if first_frame is not None:
        try:
            ccw = float(first_frame.rotation or 0)
        except (AttributeError, ValueError, TypeError):
            ccw = 0.0
    if not ccw:
        tag = stream.metadata.get("rotate")
        if tag:
            try:
                return round(float(tag)) % 360 // 90 * 90
            except ValueError:
                return 0
    return round(-ccw) % 360 // 90 * 90


def _has_alpha(pix_fmt: str) -> bool:
    return any(tok in pix_fmt for tok in ("rgba", "bgra", "argb", "abgr", "yuva", "gbrap",
                                          "ya8", "ya16", "pal8"))


def _frame_time(frame: av.VideoFrame, time_base: Fraction | None) -> Fraction | None:
    if frame.pts is None or time_base is None:
        return None
    return frame.pts * time_base


def _source_duration(src: Path, stream_index: int) -> tuple[Fraction, int]:
    """(first-to-end duration, packet count) by reading packets, not decoding them."""
    with av.open(str(src)) as container:
        stream = container.streams[stream_index]
        tb = Fraction(stream.time_base) if stream.time_base else None
        lo: int | None = None
        hi: int | None = None
        count = 0
        last_dur = 0
        try:
            with closing_iter(container.demux(stream)) as packets:
                for packet in packets:
                    if packet.size == 0 or packet.pts is None:
                        continue
                    count += 1
                    lo = packet.pts if lo is None else min(lo, packet.pts)
                    if hi is None or packet.pts >= hi:
                        hi = packet.pts
                        last_dur = packet.duration or 0
        except FFmpegError:
            pass
        if tb is None or lo is None or hi is None:
            rate = Fraction(stream.average_rate or stream.guessed_rate or 24)
            return Fraction(count) / rate, count
        if not last_dur and count > 1:
            last_dur = round((hi - lo) / (count - 1))
        return (hi - lo + (last_dur or 0)) * tb, count


# --------------------------------------------------------------------------- filters


def _scaled_size(src: _Source) -> tuple[Fraction, Fraction]:
    """The upright display size of the source, in square pixels."""
    w = Fraction(src.width) * (src.sar or 1)
    h = Fraction(src.height)
    if src.rotation_cw in (90, 270):
        w, h = h, w
    return w, h


def _even(value: int) -> int:
    return max(2, value + (value % 2))


def _filter_chain(src: _Source, target: ConformTarget, prof: Profile) -> list[tuple[str, str]]:
    """(filter, args) from the decoded frame to the encoder's frame."""
    chain: list[tuple[str, str]] = []
    if _has_alpha(src.pix_fmt):
        # Composite over black: premultiplying colour by alpha is exactly that.
        chain += [("format", "rgba"), ("premultiply", "inplace=1")]
    if src.rotation_cw == 90:
        chain.append(("transpose", "clock"))
    elif src.rotation_cw == 270:
        chain.append(("transpose", "cclock"))
    elif src.rotation_cw == 180:
        chain += [("hflip", ""), ("vflip", "")]
    tw, th = target.width, target.height
    dw, dh = _scaled_size(src)
    flags = "flags=bicubic"  # ffmpeg's own default
    if target.fit == "stretch":
        chain.append(("scale", f"w={tw}:h={th}:{flags}"))
        chain.append(("format", prof.pix_fmt))
    elif target.fit == "fit":
        s = min(Fraction(tw) / dw, Fraction(th) / dh)
        sw, sh = min(tw, _even(round(dw * s))), min(th, _even(round(dh * s)))
        chain.append(("scale", f"w={sw}:h={sh}:{flags}"))
        chain.append(("format", prof.pix_fmt))
        if (sw, sh) != (tw, th):
            chain.append(("pad", f"w={tw}:h={th}:x={(tw - sw) // 2}:y={(th - sh) // 2}"
                                 ":color=black"))
    else:  # fill
        s = max(Fraction(tw) / dw, Fraction(th) / dh)
        sw, sh = max(tw, math.ceil(dw * s)), max(th, math.ceil(dh * s))
        chain.append(("scale", f"w={sw}:h={sh}:{flags}"))
        chain.append(("format", prof.pix_fmt))
        if (sw, sh) != (tw, th):
            chain.append(("crop", f"w={tw}:h={th}:x={(sw - tw) // 2}:y={(sh - th) // 2}"))
    chain.append(("setsar", "1"))
    return chain


class _Filter:
    """A libavfilter chain for one kind of input frame (rebuilt if the input changes)."""

    def __init__(self, chain: list[tuple[str, str]], stream: Any) -> None:
        self.chain = chain
        self.stream = stream
        self.key: tuple[int, int, str] | None = None
        self.graph: Graph | None = None

    def run(self, frame: av.VideoFrame) -> av.VideoFrame:
        key = (frame.width, frame.height, frame.format.name)
        if key != self.key:
            self._build(frame)
            self.key = key
        assert self.graph is not None
        self.graph.vpush(frame)
        return self.graph.vpull()

    def _build(self, frame: av.VideoFrame) -> None:
        graph = Graph()
        tb = self.stream.time_base or Fraction(1, 1000)
        node = graph.add_buffer(width=frame.width, height=frame.height,
                                format=frame.format, time_base=tb)
        nodes = [node]
        for name, args in self.chain:
            nodes.append(graph.add(name, args) if args else graph.add(name))
        nodes.append(graph.add("buffersink"))
        graph.link_nodes(*nodes)
        graph.configure()
        self.graph = graph


# --------------------------------------------------------------------------- timing


def _plan(src: _Source, target: ConformTarget, src_path: Path, stream_index: int
          ) -> tuple[Fraction, Fraction]:
    """(offset into the source in seconds, source seconds per output second)."""
    needed = Fraction(target.total_frames) / Fraction(target.rate)
    duration = src.duration
    if duration is None and (target.longer == "centre" or target.shorter != "hold"):
        duration, _ = _source_duration(src_path, stream_index)
    if duration is None:
        return Fraction(0), Fraction(1)
    slack = Fraction(1, 1000)
    if duration > needed + slack and target.longer == "centre":
        # Whole source frames, so the picked frames stay on the source's grid.
        return (duration - needed) / 2, Fraction(1)
    if duration + slack < needed:
        if target.shorter == "refuse":
            raise MediaError(f"the clip is {float(duration):.3f} s, the target needs "
                             f"{float(needed):.3f} s", where=str(src_path),
                             hint="use a longer clip, or allow hold or retime")
        if target.shorter == "retime":
            if needed / duration <= RETIME_LIMIT:
                return Fraction(0), duration / needed
            _log.warning("%s: %.3f s is too short to retime into %.3f s (limit %s x); "
                         "holding its last frame instead", src_path, duration, needed,
                         RETIME_LIMIT)
    return Fraction(0), Fraction(1)


# --------------------------------------------------------------------------- conform


def conform(src: Path | str, target: ConformTarget, dest: Path | str, *,
            progress: Callable[[float], None] | None = None,
            cancel: threading.Event | None = None) -> MediaInfo:
    """Write ``src`` conformed to ``target`` at ``dest`` (atomically); returns ``probe(dest)``.

    :class:`MediaError` for media that cannot be conformed (unreadable, empty,
    truncated, no video, nothing decodable, too short with ``shorter="refuse"``),
    :class:`ConfigError` for an impossible target, :class:`CancelledError` when
    ``cancel`` is set (nothing is left at ``dest``).
    """
    src, dest = Path(src), Path(dest)
    prof = target.validate()
    if dest.suffix.lower() != prof.suffix:
        _log.info("%s: %s media usually ends in %s", dest, prof.name, prof.suffix)
    container = _open(src)
    with container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        frames = _decoded(container, stream, src)
        try:
            first = next(frames, None)
            if first is None:
                raise MediaError("no decodable video frames", where=str(src),
                                 hint="the file may be truncated or damaged; export it again")
            source = _describe(container, stream, first)
            with atomic_path(dest) as tmp:
                if _can_copy(source, stream, src, target, prof):
                    _remux(container, stream, src, tmp, target, prof, progress, cancel)
                else:
                    _transcode(frames, first, source, stream, src, tmp, target, prof,
                               progress, cancel)
        finally:
            # Finish the decoder generator while its container is still open: left to
            # the garbage collector, it would touch a closed container.
            frames.close()
    return probe(dest)


def _decoded(container: Any, stream: Any, src: Path) -> Generator[av.VideoFrame, None, None]:
    count = 0
    try:
        with closing_iter(container.decode(stream)) as decoded:
            for frame in decoded:
                count += 1
                yield frame
    except FFmpegError as exc:
        if count == 0:
            raise MediaError(f"no decodable video frames ({_why(exc)})", where=str(src),
                             hint="the file may be truncated or damaged; export it again") \
                from None
        raise MediaError(f"decoding failed after {count} frames ({_why(exc)})",
                         where=str(src), hint="the file is truncated or damaged; "
                         "export it again") from None


def _describe(container: Any, stream: Any, first: av.VideoFrame) -> _Source:
    tb = Fraction(stream.time_base) if stream.time_base else None
    rate = Fraction(stream.average_rate or stream.guessed_rate or stream.base_rate or 24)
    sar = stream.sample_aspect_ratio or getattr(stream.codec_context, "sample_aspect_ratio",
                                                 None)
    start = _frame_time(first, tb) or Fraction(0)
    duration: Fraction | None = None
    if stream.duration and tb is not None:
        stream_start = (stream.start_time or 0) * tb
        remaining = stream.duration * tb - (start - stream_start)
        duration = remaining if remaining > 0 else None
    return _Source(width=first.width, height=first.height, pix_fmt=first.format.name,
                   sar=Fraction(sar) if sar else Fraction(1),
                   rotation_cw=_rotation(stream, first), first=start, duration=duration,
                   frames=int(stream.frames or 0), rate=rate)


class _Writer:
    """The output container: video stream, optional silent audio, metadata."""

    def __init__(self, tmp: Path, target: ConformTarget, prof: Profile, *,
                 template: Any | None = None) -> None:
        self.target = target
        self.path = tmp
        self.rate = Fraction(target.rate)
        self.out_tb = 1 / self.rate
        options = {"movflags": "use_metadata_tags+write_colr"} if prof.container in (
            "mov", "mp4") else {}
        try:
            self.container = av.open(str(tmp), "w", format=prof.container, options=options)
        except (FFmpegError, OSError) as exc:
            raise WriteError(f"cannot create the output ({_why(exc)})", where=str(tmp)) \
                from None
        tags = _tags(target)
        if prof.container == "mxf":
            # MXF keeps only known keys; Avid shows "comment_*" as clip comments.
            self.container.metadata.update({
                (k if k in ("timecode", "reel_name") else f"comment_{k}"): v
                for k, v in tags.items()})
            if target.package_name or target.slot_id:
                self.container.metadata["material_package_name"] = str(
                    target.package_name or target.slot_id)
        else:
            self.container.metadata.update(tags)
        if template is not None:
            self.video = self.container.add_stream_from_template(template)
            self.video.time_base = self.out_tb
            self.video.codec_context.framerate = self.rate  # MXF refuses 0/0
        else:
            self.video = cast(VideoStream, self.container.add_stream(prof.codec,
                                                                     rate=self.rate))
            self.video.width, self.video.height = target.width, target.height
            self.video.pix_fmt = prof.pix_fmt
            self.video.time_base = self.out_tb
            ctx = self.video.codec_context
            # Intra codecs (DNxHR, ProRes): slice threads, which cost less CPU and far less
            # memory than frame threads (one whole frame in flight per thread).  libx264
            # keeps its own frame threads: its sliced threads are slower.
            ctx.thread_type = prof.threads
            ctx.thread_count = 0
            ctx.options = dict(prof.options)
            if target.height >= 720:
                ctx.color_primaries = 1  # bt709
                ctx.color_trc = 1
                ctx.colorspace = 1
        stream_tags = {k: v for k, v in tags.items() if k in ("timecode", "reel_name")}
        self.video.metadata.update(stream_tags)
        self.audio: AudioStream | None = None
        self.audio_written = 0
        if target.audio:
            self.audio = cast(AudioStream, self.container.add_stream(prof.audio_codec,
                                                                     rate=_AUDIO_RATE))
            self.audio.layout = "stereo"
            self.audio_total = round(Fraction(target.total_frames) * _AUDIO_RATE / self.rate)

    def encode(self, frame: av.VideoFrame | None) -> None:
        for packet in self.video.encode(frame):
            self.container.mux(packet)

    def audio_until(self, frame_index: int) -> None:
        """Silent audio up to the end of video frame ``frame_index`` (interleaving)."""
        if self.audio is None:
            return
        upto = min(self.audio_total,
                   round(Fraction(frame_index + 1) * _AUDIO_RATE / self.rate))
        ctx = self.audio.codec_context
        chunk = ctx.frame_size or 1920
        while self.audio_written < upto or (frame_index < 0 and
                                            self.audio_written < self.audio_total):
            n = min(chunk, self.audio_total - self.audio_written)
            if n <= 0:
                break
            aframe = av.AudioFrame(format=ctx.format.name if ctx.format else "s32",
                                   layout="stereo", samples=n)
            for plane in aframe.planes:
                plane.update(bytes(plane.buffer_size))
            aframe.sample_rate = _AUDIO_RATE
            aframe.pts = self.audio_written
            aframe.time_base = Fraction(1, _AUDIO_RATE)
            for packet in self.audio.encode(aframe):
                self.container.mux(packet)
            self.audio_written += n

    def close(self) -> None:
        self.audio_until(-1)
        if self.audio is not None:
            for packet in self.audio.encode(None):
                self.container.mux(packet)
        self.container.close()

    def abort(self) -> None:
        with contextlib.suppress(FFmpegError, OSError, ValueError):
            self.container.close()


_WRITEBACK_EVERY = 16  # frames: ~14 MB of 1080p DNxHR HQ


class _Flusher:
    """Flushes the output to disk on its own thread while the conform goes on, so the
    fsync that makes the finished file durable finds almost nothing left to write (on a
    slow disk that fsync alone was ~10 % of a conform).  Best effort: errors are ignored,
    the final fsync still decides."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.wanted = threading.Event()
        self.done = False
        self.thread = threading.Thread(target=self._run, name="pickup-conform-flush",
                                       daemon=True)
        self.thread.start()

    def kick(self) -> None:
        self.wanted.set()

    def _run(self) -> None:
        while True:
            self.wanted.wait()
            self.wanted.clear()
            if self.done:
                return
            with contextlib.suppress(OSError):
                fd = os.open(self.path, os.O_RDONLY)
                try:
                    os.fdatasync(fd)
                finally:
                    os.close(fd)

    def stop(self) -> None:
        self.done = True
        self.wanted.set()
        self.thread.join()


def _tags(target: ConformTarget) -> dict[str, str]:
    tags = {str(k): str(v) for k, v in dict(target.metadata).items()}
    if target.timecode:
        tags["timecode"] = target.timecode
    if target.reel:
        tags["reel_name"] = target.reel
    if target.slot_id:
        tags["pickup_slot_id"] = target.slot_id
    tags.setdefault("pickup_profile", target.profile)
    return tags


def _check(cancel: threading.Event | None, dest: Path) -> None:
    if cancel is not None and cancel.is_set():
        raise CancelledError("conform cancelled; nothing was written", where=str(dest))


def _transcode(frames: Iterator[av.VideoFrame], first: av.VideoFrame, source: _Source,
               stream: Any, src: Path, tmp: Path, target: ConformTarget, prof: Profile,
               progress: Callable[[float], None] | None,
               cancel: threading.Event | None) -> None:
    total = target.total_frames
    rate = Fraction(target.rate)
    offset, speed = _plan(source, target, src, stream.index)
    tb = Fraction(stream.time_base) if stream.time_base else None
    filt = _Filter(_filter_chain(source, target, prof), stream)
    # Output frame k shows the source frame on screen at source time
    # first + offset + (k + 1/2) / rate * speed (nearest frame, like ffmpeg's fps filter).
    half = Fraction(1, 2)

    def when(k: int) -> Fraction:
        return source.first + offset + (k + half) / rate * speed

    current = first
    current_t = source.first
    nominal = 1 / source.rate if source.rate else Fraction(1, 24)
    upcoming: av.VideoFrame | None = None
    upcoming_t: Fraction | None = None
    exhausted = False
    decoded = 1
    shown: av.VideoFrame | None = None  # ``current`` filtered
    writer = _Writer(tmp, target, prof)
    encoder = _EncodeThread(writer)
    try:
        for k in range(total):
            _check(cancel, tmp)
            t = when(k)
            while not exhausted:
                if upcoming is None:
                    upcoming = next(frames, None)
                    if upcoming is None:
                        exhausted = True
                        break
                    decoded += 1
                    upcoming_t = _frame_time(upcoming, tb)
                    if upcoming_t is None or upcoming_t <= current_t:
                        upcoming_t = current_t + nominal
                assert upcoming_t is not None
                if upcoming_t > t:
                    break
                current, current_t = upcoming, upcoming_t
                upcoming, upcoming_t = None, None
                shown = None
            if shown is None:
                shown = filt.run(current)
                shown.time_base = writer.out_tb
                shown.pict_type = PictureType.NONE
            encoder.put(shown, k)
            if progress is not None and (k % 8 == 0 or k == total - 1):
                progress((k + 1) / total)
        if exhausted and source.frames and decoded < source.frames - 1:
            raise MediaError(f"the file is truncated: it lists {source.frames} frames but "
                             f"only {decoded} could be read", where=str(src),
                             hint="export or copy it again")
        encoder.finish()
        writer.encode(None)
        writer.close()
    except BaseException:
        encoder.stop()
        writer.abort()
        raise


class _EncodeThread:
    """Encodes and muxes on a second thread, so decoding and scaling frame k + 1 overlap
    encoding frame k (PyAV releases the GIL inside FFmpeg).  Frames go in order; a frame
    may be put more than once (a held frame): its pts is set just before it is sent."""

    _DEPTH = 2  # frames waiting: enough to keep both sides busy, a few MB at 1080p

    def __init__(self, writer: _Writer) -> None:
        self.writer = writer
        self.queue: queue.Queue[tuple[av.VideoFrame, int] | None] = queue.Queue(self._DEPTH)
        self.error: BaseException | None = None
        self.flusher = _Flusher(writer.path)
        self.thread = threading.Thread(target=self._run, name="pickup-conform-encode",
                                       daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while (item := self.queue.get()) is not None:
                frame, k = item
                frame.pts = k
                self.writer.encode(frame)
                self.writer.audio_until(k)
                if k % _WRITEBACK_EVERY == _WRITEBACK_EVERY - 1:
                    self.flusher.kick()
        except BaseException as exc:  # handed to the conforming thread
            self.error = exc
            while self.queue.get() is not None:  # keep taking, so put() never blocks
                pass

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def put(self, frame: av.VideoFrame, k: int) -> None:
        self._raise()
        self.queue.put((frame, k))

    def finish(self) -> None:
        """Wait until every frame put is encoded; re-raise what the encoder raised."""
        self.stop()
        self._raise()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        self.flusher.stop()


# --------------------------------------------------------------------------- copy path


def _can_copy(source: _Source, stream: Any, src: Path, target: ConformTarget,
              prof: Profile) -> bool:
    """True when the source's packets already are the target's video."""
    ctx = stream.codec_context
    fmt = stream.container.format.name
    same = (source.rate == Fraction(target.rate)
            and Fraction(stream.average_rate or 0) == Fraction(target.rate)
            and (source.width, source.height) == (target.width, target.height)
            and source.sar in (0, 1) and source.rotation_cw == 0
            and ctx.name == prof.probe_codec and source.pix_fmt == prof.pix_fmt
            and (ctx.profile or "") in prof.probe_profiles
            and (prof.container in fmt.split(",")))
    if not same:
        return False
    frames = source.frames or _source_duration(src, stream.index)[1]
    return frames == target.total_frames


def _remux(container: Any, stream: Any, src: Path, tmp: Path, target: ConformTarget,
           prof: Profile, progress: Callable[[float], None] | None,
           cancel: threading.Event | None) -> None:
    """Copy the video packets, re-timed from 0, adding timecode, tags and audio."""
    _log.info("%s already matches %s; copying its packets", src, prof.name)
    container.seek(0)
    writer = _Writer(tmp, target, prof, template=stream)
    total = target.total_frames
    try:
        base: int | None = None
        tb = Fraction(stream.time_base)
        step = 1 / Fraction(target.rate)
        count = 0
        packets = container.demux(stream)
        with closing_iter(packets):
            for packet in packets:
                _check(cancel, tmp)
                if packet.size == 0 or packet.pts is None:
                    continue
                if base is None:
                    base = packet.dts if packet.dts is not None else packet.pts
                pts = round((packet.pts - base) * tb / step)
                dts = round(((packet.dts if packet.dts is not None else packet.pts) - base)
                            * tb / step)
                packet.stream = writer.video
                packet.pts, packet.dts = pts, dts
                packet.duration = 1
                packet.time_base = writer.out_tb
                writer.container.mux(packet)
                writer.audio_until(count)
                count += 1
                if progress is not None and count % 8 == 0:
                    progress(min(1.0, count / total))
        if count != total:
            raise MediaError(f"the file lists {total} frames but holds {count}",
                             where=str(src), hint="export or copy it again")
        writer.close()
        if progress is not None:
            progress(1.0)
    except BaseException:
        writer.abort()
        raise

