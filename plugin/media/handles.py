"""Runs of frames out of a media file, and lossless intermediates made of them.

:func:`read_run` decodes ``count`` consecutive frames starting at a file frame index
(seek to the keyframe before it, then decode forward), as the decoder gives them
(native pixel format, no conversion).  :func:`write_lossless` writes frames into an
FFV1 Matroska file, bit-exact, for the engine's conform to turn into the sequence's
codec; both stream, holding one frame at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import av
from av.error import FFmpegError

from pickup.atomic import atomic_path
from pickup.errors import MediaError
from pickup.media.probe import MediaInfo, closing_iter, probe

__all__ = ["LOSSLESS_SUFFIX", "read_run", "write_lossless"]

LOSSLESS_SUFFIX = ".mkv"
#: FFV1 keeps these as they are; anything else is converted to yuv444p (8 bit) or
#: yuv444p16 (deeper), which loses nothing either
_FFV1_FORMATS = {"yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le",
                 "yuv444p10le", "yuv420p12le", "yuv422p12le", "yuv444p12le", "yuv444p16le",
                 "gray", "gray16le", "bgr0", "rgb48le", "gbrp10le", "gbrp16le"}


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


def write_lossless(frames: Iterable[av.VideoFrame], dest: Path | str, *, rate: Fraction,
                   width: int, height: int, pix_fmt: str) -> int:
    """Encode ``frames`` into ``dest`` (FFV1 in Matroska, atomically); frames of another
    size or format are converted to ``width`` x ``height`` ``pix_fmt`` first.
    Returns the number of frames written."""
    fmt = pix_fmt if pix_fmt in _FFV1_FORMATS else (
        "yuv444p16le" if any(d in pix_fmt for d in ("10", "12", "16")) else "yuv444p")
    written = 0
    dest = Path(dest)
    with atomic_path(dest, suffix=LOSSLESS_SUFFIX) as tmp, \
            av.open(str(tmp), "w", format="matroska") as out:
        stream = out.add_stream("ffv1", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, fmt
        stream.codec_context.thread_count = 1
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
