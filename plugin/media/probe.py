"""Probe a media file with PyAV: frames, exact rate, size, codec, timecode, tags.

Frame counts come from the container's index when it has one, else from counting
packets (no decoding), else from decoding; rotation comes from the first frame's
display matrix (or a ``rotate`` tag).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TypeVar

import av
from av.container import InputContainer
from av.error import FFmpegError
from av.video.stream import VideoStream

from pickup.errors import MediaError

__all__ = ["MediaInfo", "closing_iter", "describe_open", "open_media", "probe"]

_T = TypeVar("_T")


@contextlib.contextmanager
def closing_iter(iterable: Iterable[_T]) -> Iterator[Iterable[_T]]:
    """Close a PyAV ``decode()``/``demux()`` generator on leaving the block.

    A generator abandoned mid-way and left to the garbage collector would run its
    clean-up after its container is closed, which crashes; close it while it is open.
    """
    try:
        yield iterable
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()


@dataclass(frozen=True)
class MediaInfo:
    """What Pickup needs to know about a video file."""

    path: Path
    frames: int
    rate: Fraction
    width: int
    height: int
    codec: str
    pix_fmt: str | None
    start_timecode: str | None
    pixel_aspect: Fraction = Fraction(1)
    audio_streams: int = 0
    rotation: int = 0  # counter-clockwise degrees of the display matrix (-90 for most
    #                    portrait phone clips); the picture is shown turned by it
    tags: Mapping[str, str] = field(default_factory=dict, repr=False)  # container + video tags
    reel: str | None = None
    profile: str | None = None  # the codec profile, e.g. "HQ" or "DNXHR HQ"

    @property
    def slot_id(self) -> str | None:
        """The slot id Pickup's conform wrote into the file, if any."""
        return self.tags.get("pickup_slot_id") or self.tags.get("comment_pickup_slot_id")

    @property
    def seconds(self) -> float:
        return float(self.frames / self.rate)


def probe(path: Path | str) -> MediaInfo:
    """Describe the first video stream of ``path``; :class:`MediaError` if there is none."""
    path = Path(path)
    container = open_media(path)
    with container:
        return describe_open(container, path)[0]


def open_media(path: Path) -> InputContainer:
    """``av.open`` with the one-line errors of :func:`probe` (missing, empty, unreadable)."""
    if not path.is_file():
        raise MediaError("no such media file", where=str(path))
    if path.stat().st_size == 0:
        raise MediaError("the media file is empty", where=str(path))
    try:
        return av.open(str(path))
    except (FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"not readable as media: {exc}", where=str(path)) from None


def describe_open(container: InputContainer, path: Path
                  ) -> tuple[MediaInfo, av.VideoFrame | None]:
    """:func:`probe` of an open ``container`` (read from ``path``), and the first frame
    it decoded on the way (for the rotation; None if it needed none), so a caller that
    wants that frame too decodes it once.  The container is left at its start."""
    if not container.streams.video:
        raise MediaError("holds no video stream", where=str(path),
                         hint="Pickup places picture; give it a video file")
    stream = container.streams.video[0]
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    if not rate:
        raise MediaError("has no frame rate", where=str(path))
    rate = Fraction(rate)
    frames = int(stream.frames or 0)
    tags = _tags(container, stream)
    rotation, first = _rotation(container, stream)
    if frames <= 0:
        frames = _count_packets(container, stream)
    if frames <= 0:
        frames = _count_frames(container, path)
    tc = stream.metadata.get("timecode") or container.metadata.get("timecode")
    ctx = stream.codec_context
    sar = getattr(stream, "sample_aspect_ratio", None) or Fraction(1)
    info = MediaInfo(
        path=path, frames=frames, rate=rate, width=ctx.width, height=ctx.height,
        codec=ctx.name, pix_fmt=ctx.pix_fmt, start_timecode=tc,
        pixel_aspect=Fraction(sar) if sar else Fraction(1),
        audio_streams=len(container.streams.audio), rotation=rotation, tags=tags,
        reel=tags.get("reel_name"), profile=ctx.profile or None)
    return info, first


def _tags(container: InputContainer, stream: VideoStream
          ) -> dict[str, str]:
    tags = {str(k): str(v) for k, v in container.metadata.items()}
    for other in container.streams:
        if other.type == "data":  # a QuickTime timecode track holds the reel name
            for key, value in other.metadata.items():
                tags.setdefault(str(key), str(value))
    for key, value in stream.metadata.items():
        tags.setdefault(str(key), str(value))
    return tags


def _rotation(container: InputContainer, stream: VideoStream
              ) -> tuple[int, av.VideoFrame | None]:
    tag = stream.metadata.get("rotate")  # clockwise degrees, the older convention
    if tag:
        try:
            return (-round(float(tag)) + 180) % 360 - 180, None
        except ValueError:
            return 0, None
    frame = None
    try:
        with closing_iter(container.decode(stream)) as decoded:
            frame = next(iter(decoded), None)
        value = round(float(frame.rotation or 0)) if frame is not None else 0
    except (FFmpegError, ValueError, AttributeError):
        value = 0
    finally:
        with contextlib.suppress(FFmpegError):
            container.seek(0)
    return value, frame


def _count_packets(container: InputContainer,
                   stream: VideoStream) -> int:
    count = 0
    try:
        with closing_iter(container.demux(stream)) as packets:
            for packet in packets:
                if packet.size and packet.pts is not None:
                    count += 1
    except FFmpegError:
        return 0
    finally:
        with contextlib.suppress(FFmpegError):
            container.seek(0)
    return count


def _count_frames(container: InputContainer, path: Path) -> int:
    count = 0
    try:
        with closing_iter(container.decode(video=0)) as decoded:
            for _ in decoded:
                count += 1
    except FFmpegError as exc:
        if count == 0:
            raise MediaError(f"no decodable video frames: {exc}", where=str(path)) from None
    if count == 0:
        raise MediaError("no decodable video frames", where=str(path))
    return count
