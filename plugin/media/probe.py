"""Probe a media file with PyAV: frames, exact rate, size, codec, timecode."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from pickup.errors import MediaError

__all__ = ["MediaInfo", "probe"]


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
    rotation: int = 0

    @property
    def seconds(self) -> float:
        return float(self.frames / self.rate)


def probe(path: Path | str) -> MediaInfo:
    """Describe the first video stream of ``path``; :class:`MediaError` if there is none."""
    path = Path(path)
    if not path.is_file():
        raise MediaError("no such media file", where=str(path))
    if path.stat().st_size == 0:
        raise MediaError("the media file is empty", where=str(path))
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"not readable as media: {exc}", where=str(path)) from None
    with container:
        if not container.streams.video:
            raise MediaError("holds no video stream", where=str(path),
                             hint="Pickup places picture; give it a video file")
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        if not rate:
            raise MediaError("has no frame rate", where=str(path))
        rate = Fraction(rate)
        frames = int(stream.frames or 0)
        if frames <= 0:
            frames = _count_frames(container, path)
        tc = stream.metadata.get("timecode") or container.metadata.get("timecode")
        ctx = stream.codec_context
        sar = getattr(stream, "sample_aspect_ratio", None) or Fraction(1)
        return MediaInfo(
            path=path, frames=frames, rate=rate, width=ctx.width, height=ctx.height,
            codec=ctx.name, pix_fmt=ctx.pix_fmt, start_timecode=tc,
            pixel_aspect=Fraction(sar) if sar else Fraction(1),
            audio_streams=len(container.streams.audio))


def _count_frames(container: av.container.InputContainer, path: Path) -> int:
    count = 0
    try:
        for _ in container.decode(video=0):
            count += 1
    except av.FFmpegError as exc:
        if count == 0:
            raise MediaError(f"no decodable video frames: {exc}", where=str(path)) from None
    if count == 0:
        raise MediaError("no decodable video frames", where=str(path))
    return count
