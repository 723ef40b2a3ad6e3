"""Runs of frames out of a media file, and lossless intermediates made of them.

:func:`read_run` decodes ``count`` consecutive frames starting at a file frame index
(seek to the keyframe before it, then decode forward), as the decoder gives them
(native pixel format, no conversion).  :func:`write_lossless` writes frames into a
lossless intermediate (FFmpeg's ``ffvhuff``, Huffyuv extended, in NUT: bit-exact, and
seven to eight times faster to write and read than FFV1 at 1080p, at twice the size),
for the engine's conform to turn into the sequence's codec; both stream, holding one
frame at a time.

Runs of intra-only media (ProRes, DNxHR: every frame coded alone) in QuickTime files
need no decoding at all: :func:`copy_runs` copies their packets, untouched, into a
QuickTime file (:data:`COPY_SUFFIX`), when every run's media codes the same way
(:func:`copyable`).  The frames are bit for bit the source's, and where they already
are the sequence's codec the engine's conform copies them again instead of
transcoding.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path

import av
from av.container import InputContainer
from av.error import FFmpegError

from pickup.atomic import atomic_path
from pickup.errors import CancelledError, MediaError
from pickup.media.probe import MediaInfo, closing_iter, open_media, probe

__all__ = ["COPY_SUFFIX", "LOSSLESS_SUFFIX", "copy_runs", "copyable", "read_run",
           "write_lossless"]

LOSSLESS_SUFFIX = ".nut"
COPY_SUFFIX = ".mov"
_CODEC = "ffvhuff"
#: the intermediate keeps these as they are; anything else is widened (``_wider``)
_KEPT_FORMATS = {"yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le",
                 "yuv444p10le", "yuv420p12le", "yuv422p12le", "yuv444p12le", "yuv444p16le",
                 "gray", "gray16le", "rgb24", "bgra", "gbrp", "gbrp10le", "gbrp16le"}


def read_run(path: Path | str, start: int, count: int, *, info: MediaInfo | None = None
             ) -> Iterator[av.VideoFrame]:
    """Frames ``start`` .. ``start + count - 1`` of ``path`` (0 = the file's first frame),
    in order; :class:`MediaError` if the file ends first or cannot be decoded."""
    path = Path(path)
    if count <= 0:
        return
    info = info or probe(path)
    if start < 0 or start + count > info.frames:
        raise MediaError(f"frames {start}-{start + count - 1} are outside the media "
                         f"(it has {info.frames})", where=str(path))
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            tb = Fraction(stream.time_base) if stream.time_base else None
            rate = info.rate
            origin = stream.start_time or 0
            target = None
            if tb is not None:
                target = origin + (Fraction(start) / rate) / tb
                half = (Fraction(1, 2) / rate) / tb
                container.seek(int(target), stream=stream, backward=True, any_frame=False)
            given = 0
            counted = 0
            decoded = container.decode(stream)
            with closing_iter(decoded):
                for frame in decoded:
                    if target is not None and frame.pts is not None:
                        if frame.pts < target - half:
                            continue
                    elif counted < start:  # no timestamps: count from the file's start
                        counted += 1
                        continue
                    yield frame
                    given += 1
                    if given == count:
                        return
    except FFmpegError as exc:
        raise MediaError(f"cannot decode frames {start}-{start + count - 1}: {exc}",
                         where=str(path)) from None
    raise MediaError(f"the media ended before frame {start + count - 1}", where=str(path))


def _wider(pix_fmt: str) -> str:
    """A kept format that holds ``pix_fmt`` without loss (RGB stays RGB)."""
    deep = any(d in pix_fmt for d in ("9", "10", "12", "14", "16", "48", "64"))
    if pix_fmt.startswith(("rgb", "bgr", "gbr", "argb", "abgr")):
        return "gbrp16le" if deep else "rgb24"
    return "yuv444p16le" if deep else "yuv444p"


def write_lossless(frames: Iterable[av.VideoFrame], dest: Path | str, *, rate: Fraction,
                   width: int, height: int, pix_fmt: str) -> int:
    """Encode ``frames`` into ``dest`` (lossless, atomically); frames of another
    size or format are converted to ``width`` x ``height`` ``pix_fmt`` first.
    Returns the number of frames written."""
    fmt = pix_fmt if pix_fmt in _KEPT_FORMATS else _wider(pix_fmt)
    written = 0
    dest = Path(dest)
    with atomic_path(dest, suffix=LOSSLESS_SUFFIX) as tmp, \
            av.open(str(tmp), "w", format="nut") as out:
        stream = out.add_stream(_CODEC, rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, fmt
        # Huffyuv codes every frame alone: frame threads encode the next frames while
        # the caller makes them, and the bitstream is the same as with one thread
        stream.codec_context.thread_type = "FRAME"
        stream.codec_context.thread_count = 2
        for frame in frames:
            if (frame.width, frame.height, frame.format.name) != (width, height, fmt):
                frame = frame.reformat(width=width, height=height, format=fmt)
            frame.pts = written  # one tick a frame, whatever the source's clock was
            frame.time_base = Fraction(1) / Fraction(rate)
            for packet in stream.encode(frame):
                out.mux(packet)
            written += 1
        for packet in stream.encode():
            out.mux(packet)
    return written


def _coding(path: Path | str) -> tuple[object, ...] | None:
    """How ``path``'s first video stream is coded, if its packets can be copied into a
    QuickTime file one frame each (an intra-only codec in a QuickTime file), else None.
    Reads the header only."""
    try:
        with open_media(Path(path)) as container:
            if not container.streams.video or "mov" not in container.format.name.split(","):
                return None
            stream = container.streams.video[0]
            ctx = stream.codec_context
            if not ctx.codec.intra_only or not stream.average_rate or not stream.time_base:
                return None
            return (ctx.name, ctx.width, ctx.height, ctx.pix_fmt, ctx.profile,
                    stream.sample_aspect_ratio, Fraction(stream.average_rate))
    except (MediaError, FFmpegError, OSError):
        return None


def copyable(paths: Iterable[Path | str]) -> bool:
    """True when the runs of these media can be joined by copying packets: every one
    an intra-only codec in a QuickTime file, all coded the same way."""
    codings = {_coding(p) for p in paths}
    return len(codings) == 1 and None not in codings


def _run_packets(container: InputContainer, path: Path, start: int,
                 count: int) -> Iterator[av.Packet]:
    """The packets of frames ``start`` .. ``start + count - 1`` (by time, as
    :func:`read_run` finds the frames), in order."""
    stream = container.streams.video[0]
    if not stream.time_base or not stream.average_rate:  # copyable() checked: not here
        raise MediaError("has no frame timing to copy by", where=str(path))
    tb = Fraction(stream.time_base)
    rate = Fraction(stream.average_rate)
    target = (stream.start_time or 0) + (Fraction(start) / rate) / tb
    half = (Fraction(1, 2) / rate) / tb
    container.seek(int(target), stream=stream, backward=True, any_frame=False)
    given = 0
    with closing_iter(container.demux(stream)) as packets:
        for packet in packets:
            if packet.size == 0 or packet.pts is None or packet.is_discard:
                continue
            if packet.pts < target - half:
                continue
            yield packet
            given += 1
            if given == count:
                return
    raise MediaError(f"the media ended before frame {start + count - 1}", where=str(path))


def copy_runs(runs: Sequence[tuple[Path | str, int, int]], dest: Path | str, *,
              rate: Fraction, cancel: threading.Event | None = None) -> int:
    """Copy the packets of each run (``(media, first frame, frames)``, media that
    :func:`copyable` accepts) into ``dest`` (QuickTime, atomically), one frame a tick
    of ``rate`` from 0.  Returns the number of frames written."""
    dest = Path(dest)
    written = 0
    tb = Fraction(1) / Fraction(rate)
    with atomic_path(dest, suffix=COPY_SUFFIX) as tmp, \
            av.open(str(tmp), "w", format="mov") as out:
        video = None
        for media, start, count in runs:
            path = Path(media)
            if count <= 0:
                continue
            with open_media(path) as container:
                stream = container.streams.video[0]
                if video is None:
                    video = out.add_stream_from_template(stream)
                    video.time_base = tb
                try:
                    for packet in _run_packets(container, path, start, count):
                        if cancel is not None and cancel.is_set():
                            raise CancelledError("cancelled")
                        packet.stream = video
                        packet.pts = packet.dts = written
                        packet.duration = 1
                        packet.time_base = tb
                        out.mux(packet)
                        written += 1
                except FFmpegError as exc:
                    raise MediaError(f"cannot read frames {start}-{start + count - 1}: "
                                     f"{exc}", where=str(path)) from None
    return written
